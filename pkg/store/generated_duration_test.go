package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// generatedDurationSQL has the shop's table generate "durationMs".
var generatedDurationSQL = []string{`ALTER TABLE product_orders DROP COLUMN "durationMs"`,
	`ALTER TABLE product_orders ADD COLUMN "durationMs" integer
		GENERATED ALWAYS AS ((extract(epoch FROM "completedAt" - "sentAt") * 1000)::integer) STORED`}

// doneAfterTheShopAltered claims an order of referans, saves a waiting
// answer, by which the Store reads the shop's table, has the statements
// alter change the table, as a deploy of the shop's during a --loop run
// does, and claims the order again. save saves its done answer with pin.
func doneAfterTheShopAltered(t *testing.T, db *storetest.DB, referans, pin string, alter ...string) (orderID string, save func() ([]store.Applied, error)) {
	t.Helper()
	ctx := context.Background()
	order := claimOne(t, db, referans)
	params := store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}
	if _, err := db.Store.Apply(ctx, params, []store.Outcome{{Order: order, Result: store.ResultWaiting, NextCheckIn: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	for _, statement := range alter {
		db.Exec(statement)
	}
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() WHERE order_id = $1`, order.ID)
	claimed, err := db.Store.ClaimBatch(ctx, store.ClaimParams{RunID: "run-a", Limit: 1, Lease: time.Minute})
	if err != nil || len(claimed.Orders) != 1 {
		t.Fatalf("claimed %d (%v)", len(claimed.Orders), err)
	}
	done := []store.Outcome{{Order: claimed.Orders[0], Result: store.ResultDone, PIN: pin, NextCheckIn: time.Minute}}
	return order.ID, func() ([]store.Applied, error) { return db.Store.Apply(ctx, params, done) }
}

// The shop makes "durationMs" generated while a --loop run is under way
// (its own deploy): the Store read the table at its first save. The save
// PostgreSQL refuses has the next one read the table again, rather than
// every save of the run fail until it ends (helper-316).
func TestASaveAfterTheShopBeganGeneratingTheDurationReadsTheTableAgain(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	order, save := doneAfterTheShopAltered(t, db, "4242", "PIN-1", generatedDurationSQL...)
	_, _ = save() // refused: the statement still sets "durationMs"
	if _, err := save(); err != nil {
		t.Fatalf("the save after the refused one: %v", err)
	}
	if row := db.ReadOrder(order); row.PINCode == nil || *row.PINCode != "PIN-1" || row.ExternalStatus != "completed" {
		t.Errorf("the order: %+v, want its PIN", row)
	}
}

// And the other way: a table that stops generating it (DROP EXPRESSION)
// during a run has it written again from the next save (helper-317).
func TestASaveAfterTheShopStoppedGeneratingTheDurationWritesIt(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	for _, statement := range generatedDurationSQL {
		db.Exec(statement)
	}
	order, save := doneAfterTheShopAltered(t, db, "4243", "PIN-2",
		`ALTER TABLE product_orders ALTER COLUMN "durationMs" DROP EXPRESSION`,
		`UPDATE product_orders SET "durationMs" = NULL`)
	if _, err := save(); err != nil {
		t.Fatal(err)
	}
	if row := db.ReadOrder(order); row.ExternalStatus != "completed" || row.DurationMs == nil {
		t.Errorf("the order: %+v, want it completed with its duration written", row)
	}
}
