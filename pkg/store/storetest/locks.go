package storetest

import (
	"context"
	"sync"
)

// HoldOrderLock plays a shop transaction that takes an order's row with
// SELECT ... FOR UPDATE and keeps it: a checkout, a refund, a slow admin
// page. The lock is held until release is called (or the test ends).
func (db *DB) HoldOrderLock(orderID string) (release func()) {
	db.t.Helper()
	ctx := context.Background()
	tx, err := db.SQL.BeginTxx(ctx, nil)
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM product_orders WHERE id = $1 FOR UPDATE`, orderID); err != nil {
		_ = tx.Rollback()
		db.t.Fatalf("storetest: locking order %s: %v", orderID, err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback() }) }
	db.t.Cleanup(release)
	return release
}
