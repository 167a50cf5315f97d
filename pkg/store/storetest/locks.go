package storetest

import (
	"context"
	"database/sql"
	"sync"
)

// HoldOrderLock plays a shop transaction that takes an order's row with
// SELECT ... FOR UPDATE and keeps it: a checkout, a refund, a slow admin
// page. The lock is held until release is called (or the test ends).
func (db *DB) HoldOrderLock(orderID string) (release func()) {
	db.t.Helper()
	return db.holdRow(`SELECT 1 FROM product_orders WHERE id = $1 FOR UPDATE`, "order "+orderID, orderID)
}

// HoldIntegrationLock plays a shop transaction that keeps an integration's
// row (an admin page editing it, a checkout reserving the dealer balance)
// until release is called (or the test ends).
func (db *DB) HoldIntegrationLock(integrationID string) (release func()) {
	db.t.Helper()
	return db.holdRow(`SELECT 1 FROM integrations WHERE id = $1 FOR UPDATE`, "integration "+integrationID, integrationID)
}

func (db *DB) holdRow(lockStatement, what, id string) (release func()) {
	db.t.Helper()
	ctx := context.Background()
	tx, err := db.SQL.BeginTxx(ctx, nil)
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	if _, err := tx.ExecContext(ctx, lockStatement, id); err != nil {
		_ = tx.Rollback()
		db.t.Fatalf("storetest: locking %s: %v", what, err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback() }) }
	db.t.Cleanup(release)
	return release
}

// BeginHolding runs statement in a transaction it leaves open, holding the
// rows it wrote, for the test to commit when it chooses (it is rolled back
// at the end of the test otherwise).
func (db *DB) BeginHolding(statement string, args ...any) *sql.Tx {
	db.t.Helper()
	tx, err := db.SQL.Begin()
	if err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	db.t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.Exec(statement, args...); err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	return tx
}
