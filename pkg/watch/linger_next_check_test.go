package watch_test

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order found still waiting is due again the schedule's step after it
// was asked, not after its answer came or was saved: the wait
// (Outcome.NextCheckIn) is reckoned as the applier receives the answer,
// and the statement that saves it, which adds it to its own now(), may come
// up to a second later (a "still waiting" answer waits that long for
// company). Added to the schedule, that second, and the panel's time to
// answer, would make each check late. For the same reason the order is
// recorded as waiting when it was asked: what a panel's finishing times are
// learned from.
func TestAWaitingAnswersNextCheckIsCountedFromItsRequest(t *testing.T) {
	t.Parallel()
	// A step short enough that a second added to it shows through its
	// jitter (a tenth of it), and a run that ends before the order falls
	// due again, but only after the answer has waited its second.
	const step = 2 * time.Second
	asked, next, seen := firstWaitingAnswer(t, znettest.Waiting("bekliyor"), step)
	late := next.Sub(asked) - step - step/10
	t.Logf("due again %s after the request, the schedule's step %s (and a tenth either way)", next.Sub(asked).Round(time.Millisecond), step)
	if late > 500*time.Millisecond {
		t.Errorf("due again %s after the schedule's longest step from the request: the wait to save the answer was added to it",
			late.Round(time.Millisecond))
	}
	if d := seen.Sub(asked); d > 250*time.Millisecond || d < -time.Second {
		t.Errorf("recorded as waiting %s after the request reached the panel, want when it was asked, not when its answer was saved",
			d.Round(time.Millisecond))
	}
}

// A panel that takes seconds to answer does not push the next check back
// by them: with a fixed schedule, the step counted from the answer made a
// panel answering in 3 s asked every 8 s on a step of 5 s.
func TestASlowAnswersNextCheckIsCountedFromItsRequest(t *testing.T) {
	t.Parallel()
	const step = 5 * time.Second
	slow := znettest.Waiting("bekliyor")
	slow.Delay = 3 * time.Second
	asked, next, _ := firstWaitingAnswer(t, slow, step)
	after := next.Sub(asked)
	t.Logf("due again %s after the request, the schedule's step %s (and a tenth either way), the panel answering in %s",
		after.Round(time.Millisecond), step, slow.Delay)
	if late := after - step - step/10; late > time.Second {
		t.Errorf("due again %s after the request, %s past the step and its jitter: the panel's time to answer was added to the step",
			after.Round(time.Millisecond), late.Round(time.Millisecond))
	}
}

// firstWaitingAnswer runs check-pending with --schedule step on one order
// the panel answers with answer, still waiting, until the answer is saved:
// when the panel heard the first request, and the order's next check and
// waiting time as saved then, before a second check could move them; not
// after a second and a half, which a busy host's first claim can take
// alone.
func firstWaitingAnswer(t *testing.T, answer znettest.Answer, step time.Duration) (asked, next, seen time.Time) {
	t.Helper()
	e := newEnv(t)
	askedAt := recordRequests(e, answer)
	id := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: referans(1), SentAgo: time.Minute})
	cfg := e.config()
	cfg.Schedule = watch.Schedule{step}
	cfg.Loop, cfg.Tick, cfg.MaxDuration = time.Minute, time.Second, time.Minute
	e.runUntil(cfg, func() bool {
		var saved struct {
			Next *time.Time `db:"next_check_at"`
			Seen *time.Time `db:"waiting_seen_at"`
		}
		e.db.Get(&saved, `SELECT max(next_check_at) AS next_check_at, max(waiting_seen_at) AS waiting_seen_at
			FROM zwatch_order_checks WHERE order_id = $1`, id)
		if saved.Next == nil || saved.Seen == nil {
			return false
		}
		next, seen = *saved.Next, *saved.Seen
		return true
	})
	requests := askedAt()
	if len(requests) == 0 || seen.IsZero() {
		t.Fatalf("asked %d times, and the answer saved: %v; want it asked and its answer saved within the run's minute", len(requests), !seen.IsZero())
	}
	return requests[0], next, seen
}
