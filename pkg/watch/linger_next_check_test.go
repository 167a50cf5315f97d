package watch_test

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order found still waiting is due again the plan's wait after it was
// asked, not after its answer was saved: the wait (Outcome.NextCheckIn) is
// reckoned as the applier receives the answer, and the statement that saves
// it, which adds it to its own now(), may come up to a second later (a
// "still waiting" answer waits that long for company). Added to the
// schedule, that second would make each check late, and with a fixed
// schedule, whose steps count from the answer, ever later. For the same
// reason the order is recorded as waiting when it was asked: what a panel's
// finishing times are learned from.
func TestAWaitingAnswersNextCheckIsCountedFromItsRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	askedAt := recordRequests(e, znettest.Waiting("bekliyor"))
	id := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: referans(1), SentAgo: time.Minute})
	cfg := e.config()
	// A step short enough that a second added to it shows through its
	// jitter (a tenth of it), and a run that ends before the order falls
	// due again, but only after the answer has waited its second.
	schedule, err := watch.ParseSchedule("2s")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Schedule = schedule
	cfg.Loop, cfg.Tick, cfg.MaxDuration = 1500*time.Millisecond, time.Second, 1500*time.Millisecond
	e.run(cfg)

	asked := askedAt()
	if len(asked) != 1 {
		t.Fatalf("asked %d times, want once", len(asked))
	}
	var next time.Time
	e.db.Get(&next, `SELECT next_check_at FROM zwatch_order_checks WHERE order_id = $1`, id)
	step := schedule[0]
	late := next.Sub(asked[0]) - step - step/10
	t.Logf("due again %s after the request, the schedule's step %s (and a tenth either way)", next.Sub(asked[0]).Round(time.Millisecond), step)
	if late > 500*time.Millisecond {
		t.Errorf("due again %s after the schedule's longest step from the request: the wait to save the answer was added to it",
			late.Round(time.Millisecond))
	}
	var seen time.Time
	e.db.Get(&seen, `SELECT waiting_seen_at FROM zwatch_order_checks WHERE order_id = $1`, id)
	if d := seen.Sub(asked[0]); d > 250*time.Millisecond || d < -time.Second {
		t.Errorf("recorded as waiting %s after the request reached the panel, want when it was asked, not when its answer was saved",
			d.Round(time.Millisecond))
	}
}
