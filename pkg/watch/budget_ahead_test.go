package watch

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The orders of one claim, dealt out over many panels, get their first send
// times in one statement for all the panels, not one each: with a panel's
// order or two per claim, one each would be a statement per request. A
// panel still holding send times keeps them and is not reserved for again.
func TestOrdersClaimedTogetherReserveTheirSendTimesTogether(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	budget := func(rate float64) *sharedBudget {
		id := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
		return newSharedBudget(db.Store, store.Integration{ID: id, Name: id}, "run-a", rate, logger, func(time.Time) {})
	}
	fresh := []*sharedBudget{budget(5), budget(5), budget(5)}
	// A panel holding a send time two seconds ahead, behind another run's.
	holding := budget(5)
	if _, err := db.Store.ReserveSends(ctx, holding.integration.ID, "run-b", 1, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	holding.mu.Lock()
	if err := holding.reserve(ctx); err != nil {
		t.Fatal(err)
	}
	holding.mu.Unlock()

	reserveAhead(ctx, db.Store, "run-a", map[*sharedBudget]int{fresh[0]: 1, fresh[1]: 2, fresh[2]: 1, holding: 1}, func(time.Time) {})

	for k, want := range []int{1, 2, 1} {
		b := fresh[k]
		if b.reservations != 1 || b.held.Count != want || b.next != 0 {
			t.Errorf("panel %d: %d reservations holding %d send times (%d used), want one of %d", k, b.reservations, b.held.Count, b.next, want)
		}
	}
	if holding.reservations != 1 {
		t.Errorf("a panel still holding a send time was reserved for again: %d reservations", holding.reservations)
	}
	ids := []string{fresh[0].integration.ID, fresh[1].integration.ID, fresh[2].integration.ID}
	var writers int
	db.Get(&writers, `SELECT count(DISTINCT xmin::text) FROM zwatch_panel_budgets WHERE integration_id = ANY ($1::uuid[])`, pq.Array(ids))
	if writers != 1 {
		t.Errorf("the three panels' budgets were written by %d transactions, want one", writers)
	}

	// The next claim's order for a panel that used its send time gets one
	// send time, not twice the last reservation as a stream of requests
	// would: a send time no order waits for lapses, spent for nothing.
	fresh[0].mu.Lock()
	fresh[0].next = fresh[0].held.Count
	fresh[0].mu.Unlock()
	reserveAhead(ctx, db.Store, "run-a", map[*sharedBudget]int{fresh[0]: 1}, func(time.Time) {})
	if b := fresh[0]; b.reservations != 2 || b.held.Count != 1 {
		t.Errorf("a panel's second claimed order: %d reservations, the last of %d send times; want 2, of 1", b.reservations, b.held.Count)
	}

	// When reserving together fails, each panel's workers reserve for
	// themselves, as they otherwise would: nothing is held, and no panel
	// is taken for failing.
	late := []*sharedBudget{budget(5), budget(5)}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	reserveAhead(cancelled, db.Store, "run-a", map[*sharedBudget]int{late[0]: 1, late[1]: 1}, func(time.Time) {})
	for k, b := range late {
		if b.reserving != nil || !b.failingSince.IsZero() || b.held.Count != 0 {
			t.Errorf("panel %d after a failed reservation: reserving %v, failing since %v, holding %d", k,
				b.reserving != nil, b.failingSince, b.held.Count)
		}
	}
}
