package watch_test

import (
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order found still waiting is due again the plan's wait after it was
// asked, not after its answer was saved. But the wait (Outcome.NextCheckIn)
// is computed as the applier receives the answer, and the statement adds
// it to its own now(): whatever the answer waits for company lands in the
// schedule. Since 9670597 a "still waiting" answer waits up to a second
// (quietLinger), so each next check comes up to a second late: the
// lateness 06db6b5 took away by claiming ahead ("half a second on average
// with the default --tick 1s"), and with a fixed schedule, whose steps
// count from the answer, it adds up check after check.
//
// Measured as the save's now() (last_checked_at, the base of
// next_check_at) after the request.
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
	var savedAt time.Time
	e.db.Get(&savedAt, `SELECT last_checked_at FROM zwatch_order_checks WHERE order_id = $1`, id)
	late := savedAt.Sub(asked[0])
	t.Logf("the answer was saved %s after the request", late.Round(time.Millisecond))
	if late > 400*time.Millisecond {
		t.Errorf("the next check is counted from %s after the request: the wait to save the answer was added to it",
			late.Round(time.Millisecond))
	}
}
