package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The shop makes "durationMs" generated while a --loop run is under way
// (its own deploy): the Store read the table at its first save. The save
// PostgreSQL refuses has the next one read the table again, rather than
// every save of the run fail until it ends (helper-316).
func TestASaveAfterTheShopBeganGeneratingTheDurationReadsTheTableAgain(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	order := claimOne(t, db, "4242")
	params := store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}
	if _, err := db.Store.Apply(ctx, params, []store.Outcome{{Order: order, Result: store.ResultWaiting, NextCheckIn: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	db.Exec(`ALTER TABLE product_orders DROP COLUMN "durationMs"`)
	db.Exec(`ALTER TABLE product_orders ADD COLUMN "durationMs" integer
		GENERATED ALWAYS AS ((extract(epoch FROM "completedAt" - "sentAt") * 1000)::integer) STORED`)
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() WHERE order_id = $1`, order.ID)
	claimed, err := db.Store.ClaimBatch(ctx, store.ClaimParams{RunID: "run-a", Limit: 1, Lease: time.Minute})
	if err != nil || len(claimed.Orders) != 1 {
		t.Fatalf("claimed %d (%v)", len(claimed.Orders), err)
	}
	done := []store.Outcome{{Order: claimed.Orders[0], Result: store.ResultDone, PIN: "PIN-1", NextCheckIn: time.Minute}}
	_, _ = db.Store.Apply(ctx, params, done) // refused: the statement still sets "durationMs"
	if _, err := db.Store.Apply(ctx, params, done); err != nil {
		t.Fatalf("the save after the refused one: %v", err)
	}
	if row := db.ReadOrder(order.ID); row.PINCode == nil || *row.PINCode != "PIN-1" || row.ExternalStatus != "completed" {
		t.Errorf("the order: %+v, want its PIN", row)
	}
}

// And the other way: a table that stops generating it (DROP EXPRESSION)
// during a run has it written again from the next save (helper-317).
func TestASaveAfterTheShopStoppedGeneratingTheDurationWritesIt(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	db.Exec(`ALTER TABLE product_orders DROP COLUMN "durationMs"`)
	db.Exec(`ALTER TABLE product_orders ADD COLUMN "durationMs" integer
		GENERATED ALWAYS AS ((extract(epoch FROM "completedAt" - "sentAt") * 1000)::integer) STORED`)
	order := claimOne(t, db, "4243")
	params := store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}
	if _, err := db.Store.Apply(ctx, params, []store.Outcome{{Order: order, Result: store.ResultWaiting, NextCheckIn: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	db.Exec(`ALTER TABLE product_orders ALTER COLUMN "durationMs" DROP EXPRESSION`)
	db.Exec(`UPDATE product_orders SET "durationMs" = NULL WHERE id = $1`, order.ID)
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() WHERE order_id = $1`, order.ID)
	claimed, err := db.Store.ClaimBatch(ctx, store.ClaimParams{RunID: "run-a", Limit: 1, Lease: time.Minute})
	if err != nil || len(claimed.Orders) != 1 {
		t.Fatalf("claimed %d (%v)", len(claimed.Orders), err)
	}
	if _, err := db.Store.Apply(ctx, params, []store.Outcome{{Order: claimed.Orders[0], Result: store.ResultDone, PIN: "PIN-2", NextCheckIn: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	if row := db.ReadOrder(order.ID); row.ExternalStatus != "completed" || row.DurationMs == nil {
		t.Errorf("the order: %+v, want it completed with its duration written", row)
	}
}
