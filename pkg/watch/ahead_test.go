package watch_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order that falls due between two of a looping run's ticks is asked
// when it falls due, not at the next tick: the claim takes it ahead of
// its time, and its lane holds it until then. Neither sooner: a check
// before its time may find the order still waiting, which it would have
// found done a moment later.
func TestAnOrderDueBetweenTwoTicksIsAskedWhenItFallsDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	askedAt := recordRequests(e, znettest.Done("QW7R-9TZK-ABCD-8HJD", "Onaylandı"))
	sent := time.Now()
	e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: referans(1), SentAgo: time.Millisecond})
	cfg := e.config()
	// One claim, at the start: the next tick comes as the loop ends.
	cfg.FirstDelay, cfg.Loop, cfg.Tick = 2*time.Second, 10*time.Second, 10*time.Second
	sum := e.run(cfg)

	asked := askedAt()
	if sum.Total.Completed != 1 || len(asked) != 1 {
		t.Fatalf("completed %d orders with %d requests, want 1 with 1", sum.Total.Completed, len(asked))
	}
	// The order was sent a millisecond before sent, and is due FirstDelay after it; the
	// claim reads due times to the microsecond, the host's clock is the
	// database's here.
	after := asked[0].Sub(sent)
	if after < cfg.FirstDelay-100*time.Millisecond {
		t.Errorf("asked %s after the order was sent, before it fell due (%s)", after.Round(time.Millisecond), cfg.FirstDelay)
	}
	if after > cfg.Tick/2 {
		t.Errorf("asked %s after the order was sent, due after %s: the claim left it for the next tick (%s)",
			after.Round(time.Millisecond), cfg.FirstDelay, cfg.Tick)
	}
}

// A run claims ahead no order that falls due after its last moment to
// start a request (--max-duration): it could only release it unasked,
// counted as skipped.
func TestARunClaimsNothingAheadThatFallsDueAfterItsEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: referans(1), SentAgo: time.Millisecond})
	cfg := e.config()
	// Claims at 0 and 2.9 s; the order is due 5.5 s after it was sent:
	// within a tick of the second claim, and after the run's end at 3 s as
	// long as the run starts less than 2.5 s after the order was sent.
	// (With 0.5 s of room, a busy machine's slow set-up made the order
	// fall due within the run, and the test fail.)
	cfg.FirstDelay = 5500 * time.Millisecond
	cfg.Loop, cfg.Tick, cfg.MaxDuration = 3*time.Second, 2900*time.Millisecond, 3*time.Second
	sum := e.run(cfg)
	if sum.Total.Asked != 0 || sum.Total.Skipped != 0 {
		t.Errorf("asked %d, skipped %d; want the order left alone for the next run", sum.Total.Asked, sum.Total.Skipped)
	}
}

// recordRequests has the env's panel answer every request with a, and
// returns what reads the moments the requests arrived.
func recordRequests(e *env, a znettest.Answer) (askedAt func() []time.Time) {
	var (
		mu    sync.Mutex
		asked []time.Time
	)
	e.znet.SetResponder(func(string, int) znettest.Answer {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, time.Now())
		return a
	})
	return func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(asked)
	}
}
