package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// A run whose claim lapsed, and whose order another run claims while the
// first is saving its answer, must not write: the other run asks and
// writes now. The snapshot the saving statement started with still shows
// the old claim, so the statement has to read the claim as it is once it
// holds the row, or it would save a stale answer over the order and clear
// the other run's claim.
func TestAnswerOfALapsedClaimTakenMeanwhileIsNotSaved(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "4242", SentAgo: time.Minute})
	claimed, err := db.Store.ClaimBatch(ctx, store.ClaimParams{RunID: "run-a", Limit: 1, Register: 1, Lease: time.Minute})
	if err != nil || len(claimed.Orders) != 1 {
		t.Fatalf("run-a claimed %d orders (%v), want 1", len(claimed.Orders), err)
	}
	order := claimed.Orders[0]

	// run-b takes the order, its claim not yet committed: as if run-a's
	// lease had lapsed and run-b's claim were under way.
	other, err := db.SQL.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.ExecContext(ctx, `UPDATE zwatch_order_checks
		SET claimed_by = 'run-b', claim_expires_at = now() + interval '1 minute'
		WHERE order_id = $1`, order.ID); err != nil {
		t.Fatal(err)
	}

	type result struct {
		applied []store.Applied
		err     error
	}
	done := make(chan result, 1)
	go func() {
		applied, err := db.Store.Apply(ctx, store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"},
			[]store.Outcome{{Order: order, Result: store.ResultDone, PIN: "STALE-PIN", Message: "ok", NextCheckIn: time.Minute}})
		done <- result{applied, err}
	}()
	time.Sleep(300 * time.Millisecond) // run-a's statement meets run-b's row lock
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("apply: %v", r.err)
	}
	if len(r.applied) != 1 || r.applied[0].Written || !r.applied[0].Overtaken {
		t.Errorf("run-a's answer: %+v, want it overtaken and not written", r.applied)
	}
	d := db.ReadDeliveries([]string{order.ID})[order.ID]
	if d.ExternalStatus != "sent" || d.CompletedAt != nil {
		t.Errorf("the shop's order is %s (completed at %v), want it untouched: sent", d.ExternalStatus, d.CompletedAt)
	}
	if b := db.Bookkeeping(); b.Claimed != 1 {
		t.Errorf("%d claims left, want run-b's one claim kept", b.Claimed)
	}
}
