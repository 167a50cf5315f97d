package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// Renewing a run's claims skips a row another transaction holds, but a
// lock on the table (LOCK TABLE, VACUUM FULL) stopped the statement
// itself, with no limit: a run whose work was done sat waiting until its
// last deadline, a minute and a half past cron's minute (helper-353). It
// gives the lock up as the run's other statements on zwatch's own tables
// do, and says so.
func TestRenewingClaimsGivesUpALockOnTheTable(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.SendOrdersAt(integ, time.Now().Add(-time.Hour), "9401", "9402")
	held := claimIDs(t, db, firstChunk)
	if len(held) != 2 {
		t.Fatalf("the claim took %d orders, want 2", len(held))
	}
	db.BeginHolding(`LOCK TABLE zwatch_order_checks IN ACCESS EXCLUSIVE MODE`)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := db.Store.RenewClaims(ctx, firstChunk.RunID, held, time.Minute)
	if !store.GaveUpOnALock(err) {
		t.Fatalf("renewing under a lock on the table: %v; want the lock given up on, before the run's deadline", err)
	}
	const says = "renewing the claims on 2 orders: another transaction holds a lock"
	if got := err.Error(); len(got) < len(says) || got[:len(says)] != says {
		t.Errorf("renewing under a lock on the table said %q, want it to begin %q", got, says)
	}
}
