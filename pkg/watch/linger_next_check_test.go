package watch_test

import (
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order found still waiting is due again the plan's wait after it was
// asked, not after its answer was saved: the wait (Outcome.NextCheckIn) is
// reckoned as the applier receives the answer, and the statement that saves
// it, which adds it to its own now(), may come up to a second later (a
// "still waiting" answer waits that long for company). Added to the
// schedule, that second would make each check late, and with a fixed
// schedule, whose steps count from the answer, ever later.
func TestAWaitingAnswersNextCheckIsCountedFromItsRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var (
		mu    sync.Mutex
		asked []time.Time
	)
	e.znet.SetResponder(func(string, int) znettest.Answer {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, time.Now())
		return znettest.Waiting("bekliyor")
	})
	id := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: referans(1), SentAgo: time.Minute})
	cfg := e.config()
	// A looping run, so that the applier is not ended by the run's end
	// before it would have saved the answer.
	cfg.Loop, cfg.Tick, cfg.MaxDuration = 3*time.Second, time.Second, 3*time.Second
	e.run(cfg)

	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 {
		t.Fatalf("asked %d times, want once", len(asked))
	}
	var next time.Time
	e.db.Get(&next, `SELECT next_check_at FROM zwatch_order_checks WHERE order_id = $1`, id)
	step := seedSchedule[0]
	late := next.Sub(asked[0]) - step
	t.Logf("due again %s after the request, the schedule's step %s", next.Sub(asked[0]).Round(time.Millisecond), step)
	if late > 400*time.Millisecond {
		t.Errorf("due again %s after the schedule's step from the request: the wait to save the answer was added to it",
			late.Round(time.Millisecond))
	}
}
