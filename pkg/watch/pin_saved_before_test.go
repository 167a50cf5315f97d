package watch_test

import (
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// On a LATIN5 shop, a dry run whose batch held, beside an order given a
// PIN zwatch saved on another before, a PIN with a character LATIN5 lacks
// (€): the look-up took that PIN too, failed on it, and foresaw the first
// order completed, which the real run then held (helper-331).
func TestTheDryRunForeseesAPINSavedBeforeBesideAnUnstorableOne(t *testing.T) {
	t.Parallel()
	const one = "QZ7K-WX93-BF4R-8RTV"
	e := newEncodedEnv(t, "LATIN5")
	first := e.order("9101")
	e.znet.Script("9101", znettest.Done(one, "tamam"))
	e.run(e.config())
	if o := e.db.ReadOrder(first); o.ExternalStatus != "completed" {
		t.Fatalf("the first order: %s, want completed", o.ExternalStatus)
	}
	second := e.order("9102")
	e.order("9103")
	e.znet.Script("9102", znettest.Done(one, "tamam"), znettest.Done(one, "tamam"))
	e.znet.Script("9103", znettest.Done("AB12€CD34-EF56-GH78", "tamam"), znettest.Done("AB12€CD34-EF56-GH78", "tamam"))
	e.db.ExpireClaims()
	e.db.MakeAllDue()
	cfg := e.config()
	cfg.DryRun = true
	dry := e.run(cfg)
	e.db.ExpireClaims()
	e.db.MakeAllDue()
	real := e.run(e.config())
	for what, s := range map[string]*watch.Summary{"the dry run": dry, "the run": real} {
		held := false
		for _, p := range s.PINTaken {
			held = held || p.OrderID == second && p.SameAs == first && p.Before
		}
		if !held {
			t.Errorf("%s: order %s not held for the PIN saved on %s before (%+v)", what, second[:8], first[:8], s.PINTaken)
		}
	}
}

// One PIN spelt two ways by a panel (dashes, capitals) for two orders of
// one run: the run compared them as written, and both were given it,
// while the next run held a third spelling (helper-331).
func TestOnePINSpeltTwoWaysInOneRunIsGivenOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.order("9201"), e.order("9202")
	e.znet.Script("9201", znettest.Done("QZ7K-WX93-BF4R-8RTV", "tamam"))
	e.znet.Script("9202", znettest.Done("qz7kwx93bf4r8rtv", "tamam"))
	s := e.run(e.config())
	var completed int
	for _, id := range []string{a, b} {
		if e.db.ReadOrder(id).ExternalStatus == "completed" {
			completed++
		}
	}
	if completed != 1 || len(s.PINTaken) != 1 || s.PINTaken[0].Before {
		t.Errorf("%d of two orders given one PIN completed, held %+v; want 1, the other held in the run", completed, s.PINTaken)
	}
}
