package watch

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// A run stopped longer than its lease (SIGSTOP, a paused VM) finds, when it
// goes on, orders whose claims another run took meanwhile and has asked
// about: it must not spend a request of the panel's on each again, for an
// answer it cannot save. An order whose lapsed claim nobody took is still
// the run's, and asked.
func TestARunStoppedPastItsLeaseLeavesWhatAnotherRunTook(t *testing.T) {
	t.Parallel()
	db, r, held, claimed := stoppedRun(t, 2)
	mine, taken := claimed[0].ID, claimed[1].ID
	db.Exec(`UPDATE zwatch_order_checks SET claim_expires_at = now() - interval '15 seconds'`)
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = 'another-run', claim_expires_at = now() + interval '30 seconds'
		WHERE order_id = $1`, taken)

	for _, o := range claimed {
		want := o.ID == taken
		if got := r.claimTaken(held, o); got != want {
			t.Errorf("order %s: claim taken by another run %v, want %v", o.Referans, got, want)
		}
	}
	if !held.confirmedWithin(mine, time.Second) {
		t.Error("the run's lapsed claim, which nobody took, was not renewed")
	}
	if c := db.ReadCheck(taken); c.ClaimedBy == nil || *c.ClaimedBy != "another-run" {
		t.Errorf("the other run's claim was touched: %+v", c)
	}
}

// The run's own heartbeat, another run's claim or check --order may hold
// the order's row when the claim is checked: a row held is not a claim
// lost. Read so, the order was let go of unasked, its claim still the
// run's, and nobody asked it until that lapsed.
func TestAClaimCheckedWhileItsRowIsHeldIsStillTheRuns(t *testing.T) {
	t.Parallel()
	db, r, held, claimed := stoppedRun(t, 1)
	ctx := context.Background()
	tx, err := db.SQL.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, claimed[0].ID); err != nil {
		t.Fatal(err)
	}
	go func() { // as a heartbeat's renewal commits a moment later
		time.Sleep(200 * time.Millisecond)
		_ = tx.Commit()
	}()
	if r.claimTaken(held, claimed[0]) {
		t.Error("a claim still the run's, its row held a moment by another transaction, was taken for lost")
	}
}

// stoppedRun is a run holding the claims on n orders, each confirmed a
// minute ago, as if the run had been stopped since.
func stoppedRun(t *testing.T, n int) (*storetest.DB, *run, *holdings, []store.Order) {
	t.Helper()
	db := storetest.New(t)
	ctx := context.Background()
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	for i := range n {
		db.AddOrder(storetest.Order{IntegrationID: integ, Referans: string(rune('1' + i))})
	}
	r := newRun(ctx, db.Store, DefaultConfig())
	t.Cleanup(r.stop)
	claimed, err := db.Store.ClaimBatch(ctx, store.ClaimParams{RunID: r.id, Limit: 10, Register: 10, FirstDelay: time.Second, Lease: ClaimLease})
	if err != nil || len(claimed.Orders) != n {
		t.Fatalf("setting up: claimed %d orders (%v), want %d", len(claimed.Orders), err, n)
	}
	held := newHoldings()
	held.add(claimed.Orders, time.Now().Add(-time.Minute))
	return db, r, held, claimed.Orders
}
