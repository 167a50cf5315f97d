package watch_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that answers, but slowly (4 s, well inside the timeout), holds
// the oldest due orders: the run claims what it can ask soon and what fits
// beside the orders parked behind it, not every due order of that panel,
// which would keep every other run and host from them until it ends.
func TestSlowPanelDoesNotMakeTheRunClaimEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting("").After(4 * time.Second))
	const due = 2000
	e.db.AddSentOrders(storetest.SentOrders{IntegrationID: e.integ, Count: due, FirstReferans: 500000, SentAgo: time.Hour})
	cfg := watch.DefaultConfig()
	cfg.Loop, cfg.MaxDuration = 0, 10*time.Second

	ctx, cancel := context.WithCancel(context.Background())
	var most atomic.Int64
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		for ctx.Err() == nil {
			if n := int64(e.db.Bookkeeping().Claimed); n > most.Load() {
				most.Store(n)
			}
			select {
			case <-ctx.Done():
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
	sum, err := watch.Run(context.Background(), e.db.Store, cfg)
	cancel()
	<-watching
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("asked %d, most orders claimed at once %d", sum.Total.Asked, most.Load())
	if limit := int64(2 * cfg.Batch); most.Load() > limit {
		t.Errorf("the run held %d claims at once while it could ask %d orders; want at most %d (twice --batch)",
			most.Load(), sum.Total.Asked, limit)
	}
	if b := e.db.Bookkeeping(); b.Claimed != 0 {
		t.Errorf("%d claims left after the run, want none", b.Claimed)
	}
}
