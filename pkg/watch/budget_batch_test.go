package watch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The panels of a run that ask for send times at the same moment (the
// workers a claim woke) get them in one statement, not one each: with a
// panel's order or two per claim, one each would be a statement per
// request. A caller that leaves does not take the others' reservations with
// it.
func TestPanelsReservingAtOnceShareOneStatement(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	sb := newSendBatch(ctx, db.Store, "run-a", func(time.Time) {})
	const interval = 200 * time.Millisecond

	var panels []string
	for range 4 {
		panels = append(panels, db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"}))
	}
	leaving := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})

	// Another caller is gathering: these wait for its statement.
	sb.mu.Lock()
	sb.leading = true
	sb.mu.Unlock()
	got := make([]*sendAsk, len(panels))
	var wg sync.WaitGroup
	for k, id := range panels {
		wg.Go(func() {
			got[k] = sb.reserve(ctx, store.SendsWanted{IntegrationID: id, Count: 1 + k, Interval: interval})
		})
	}
	gone, leave := context.WithCancel(ctx)
	left := make(chan *sendAsk)
	go func() {
		left <- sb.reserve(gone, store.SendsWanted{IntegrationID: leaving, Count: 1, Interval: interval})
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		sb.mu.Lock()
		n := len(sb.asks)
		sb.mu.Unlock()
		if n == len(panels)+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers asked, want %d", n, len(panels)+1)
		}
	}
	leave()
	if a := <-left; a.err == nil {
		t.Error("a caller that left got no error")
	}
	sb.lead()
	wg.Wait()

	for k, a := range got {
		if a.err != nil || a.held.Count != 1+k || a.held.Interval != interval {
			t.Errorf("panel %d: %+v, want %d send times %s apart", k, a, 1+k, interval)
		}
	}
	var writers int
	db.Get(&writers, `SELECT count(DISTINCT xmin::text) FROM zwatch_panel_budgets WHERE integration_id = ANY ($1::uuid[])`,
		pq.Array(append(panels, leaving)))
	if writers != 1 {
		t.Errorf("the panels' budgets were written by %d transactions, want one", writers)
	}
	if sb.leading || len(sb.asks) != 0 {
		t.Errorf("after the batch: leading %v, %d callers left asking", sb.leading, len(sb.asks))
	}
}
