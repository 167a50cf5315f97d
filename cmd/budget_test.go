package cmd_test

import (
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// --rate is one budget for the panel, whoever asks: three runs started
// together in this process and one on a "second host" (another process with
// its own run id), each allowed --rate on its own, together never send the
// panel more than --rate in any second. And sharing the budget costs no
// order its due time: every order is asked exactly once per due time.
func TestRunsAndHostsShareOnePanelBudget(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const (
		orders = 40
		rate   = 20
	)
	refs := make([]string, orders)
	ids := make([]string, orders)
	for i := range refs {
		refs[i] = strconv.Itoa(5000 + i)
		ids[i] = s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: refs[i], OrderNo: 5000 + i})
		// Asked twice: once still waiting, once done. The second ask
		// comes a due time later, from whichever run claims it then.
		s.znet.Script(refs[i], znettest.Waiting("işleniyor"), znettest.Done("PIN-"+refs[i], "tamam"))
	}
	s.znet.SetLatency(30 * time.Millisecond)

	// Each run may claim a quarter and a bit, so that all four have orders
	// to ask about at once; each alone would send up to --rate. The 80
	// requests take the panel's budget some 4.5 s: the loop leaves a busy
	// machine room for four times that.
	args := []string{"check-pending", "-q", "--rate", strconv.Itoa(rate), "--batch", "12",
		"--loop", "18s", "--tick", "200ms", "--max-duration", "30s", "--schedule", "1s"}
	child, childOut := startZwatch(t, s, args...)
	var runs sync.WaitGroup
	results := make([]result, 3)
	for k := range results {
		runs.Go(func() { results[k] = zwatch(t, s.db, args...) })
	}
	runs.Wait()
	if err := child.Wait(); err != nil {
		t.Errorf("the run in its own process: %v\n%s", err, childOut)
	}
	for k, r := range results {
		if r.code != 0 {
			t.Errorf("run %d: exit %d\n%s", k+1, r.code, r.all())
		}
	}

	got := s.znet.MaxRequestsPerSecond()
	t.Logf("four runs, --rate %d each: the panel saw at most %d requests in one second", rate, got)
	if got > rate {
		t.Errorf("the panel saw %d requests within one second; the runs together must keep to --rate %d", got, rate)
	}
	for i, ref := range refs {
		if n := s.znet.Requests(ref); n != 2 {
			t.Errorf("order %s was asked %d times, want once per due time: twice", ref, n)
		}
		if n := s.znet.MaxConcurrentFor(ref); n > 1 {
			t.Errorf("order %s was asked by %d runs at once", ref, n)
		}
		if row := s.db.ReadOrder(ids[i]); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != "PIN-"+ref {
			t.Errorf("order %s at the end: %+v", ref, row)
		}
	}
}

// A run killed while it asks holds at most about a second of the panel's
// budget: the next run is not kept waiting for a dead one.
func TestKilledRunHoldsLittleBudget(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const orders = 100
	for i := range orders {
		ref := strconv.Itoa(6000 + i)
		s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, OrderNo: 6000 + i})
	}
	s.znet.SetDefault(znettest.Waiting("işleniyor"))

	// At --rate 20 the orders take five seconds, so the kill comes in the
	// middle, with send times reserved, however late a busy machine
	// delivers it after the fifth request.
	c, _ := startZwatch(t, s, "check-pending", "--rate", "20")
	waitFor(t, "requests", func() bool { return s.znet.TotalRequests() >= 5 })
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.Wait()
	if s.znet.TotalRequests() >= orders {
		t.Fatal("the run finished before it was killed; the test proves nothing")
	}
	if ahead := s.db.BudgetReservedAhead(s.integ); ahead > 1500*time.Millisecond {
		t.Errorf("the killed run left %s of the panel's budget reserved ahead, want at most about a second", ahead)
	}
}
