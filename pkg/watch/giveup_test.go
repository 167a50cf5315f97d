package watch_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A broken panel that holds too few orders to be cut off (fewer than the
// fault limit) is still reported failing, and its orders' give-up clocks
// stop as a cut-off panel's do: a small dealer's orders are not lost over a
// weekend either.
func TestBrokenPanelWithTwoOrdersStopsTheirGiveUpClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := []string{e.order(referans(15000)), e.order(referans(15001))}
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	for _, id := range ids {
		e.db.FirstCheckedAgo(id, 20*time.Hour)
	}

	e.znet.SetDown(znettest.Empty())
	for range 3 {
		e.db.MakeAllDue()
		sum := e.run(e.config())
		if sum.Total.Stuck != 0 {
			t.Fatalf("orders given up on while their panel was failing: %+v", sum.Total)
		}
		if len(sum.FailingIntegrations()) != 1 {
			t.Fatalf("the broken panel is not reported failing: %+v", sum.Integrations)
		}
		for _, id := range ids {
			if e.db.PanelFailingSince(id) == nil {
				t.Fatalf("order %s: its give-up clock still runs while its panel is reported failing", id)
			}
		}
		e.db.Age(20 * time.Hour)
	}

	e.znet.SetDown(nil)
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Stuck != 0 || sum.Total.Processing != len(ids) {
		t.Errorf("after the panel came back: %+v, want both asked and none stuck", sum.Total)
	}
}

// An operator's check of an order whose give-up clock a failing panel
// stopped counts the time as a run would: not at all. Asked the moment the
// panel is back, the order is not given up on.
func TestCheckOrderDoesNotCountTheTimeItsPanelFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.orders(4, 15100)
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	for _, id := range ids {
		e.db.FirstCheckedAgo(id, 20*time.Hour)
	}

	// The panel breaks for two days.
	e.znet.SetDown(znettest.Empty())
	e.db.MakeAllDue()
	if sum := e.run(e.config()); len(sum.FailingIntegrations()) != 1 || sum.Total.Stuck != 0 {
		t.Fatalf("run while the panel is down: %+v", sum.Total)
	}
	e.db.Age(48 * time.Hour)

	// It is fixed, and the operator looks at one order at once.
	e.znet.SetDown(nil)
	check, err := watch.CheckOrder(context.Background(), e.db.Store, e.config(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if check.GaveUp || check.Err != nil || check.NotPollable != "" {
		t.Errorf("check --order after the panel came back: gave up %v, err %v, not pollable %q; want asked and still polled",
			check.GaveUp, check.Err, check.NotPollable)
	}
	if c := e.db.ReadCheck(ids[0]); c.GivenUpAt != nil || e.db.PanelFailingSince(ids[0]) != nil {
		t.Errorf("order %s after check: given up at %v, clock stopped since %v; want polled with its clock running",
			ids[0], c.GivenUpAt, e.db.PanelFailingSince(ids[0]))
	}
}

// A panel that accepts connections and never answers, with timeouts too
// long for a run to reach the cut-off, is reported failing run after run:
// the time it hangs does not count toward giving up either, for the orders
// the run asked and for those it held and could not ask before it ended.
func TestHangingPanelNotCutOffStopsTheGiveUpClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.orders(6, 15200)
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	for _, id := range ids {
		e.db.FirstCheckedAgo(id, 20*time.Hour)
	}

	// The panel hangs for a weekend: each run times out on two orders, is
	// over before a third can time out, and releases the rest unasked.
	e.znet.SetDefault(znettest.Waiting("").After(time.Hour))
	cfg := e.config()
	cfg.Timeout, cfg.MaxDuration, cfg.PerIntegration = time.Second, 1500*time.Millisecond, 1
	for range 3 {
		e.db.MakeAllDue()
		sum := e.run(cfg)
		if sum.Total.Stuck != 0 || len(sum.FailingIntegrations()) != 1 {
			t.Fatalf("run while the panel hangs: %+v, failing %d; want none stuck and the panel reported failing",
				sum.Total, len(sum.FailingIntegrations()))
		}
		e.db.Age(20 * time.Hour)
	}

	e.znet.SetDefault(znettest.Waiting(""))
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Stuck != 0 || sum.Total.Processing != len(ids) {
		t.Errorf("after the panel answered again: %+v, want all %d asked and none stuck", sum.Total, len(ids))
	}
}
