package storetest

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// This file is what the "shop database load" benchmark needs of the
// database: a waiting set of any size, the shop sending orders while zwatch
// runs, and pg_stat_statements' account of what zwatch cost.

// WaitingOrders describes orders sent a while ago that zwatch polls and znet
// has not finished: the set that grows during a znet outage or a promotion.
type WaitingOrders struct {
	IntegrationIDs []string // the orders are dealt out over these in turn
	Count          int
	FirstReferans  int
	// Attempts is how often zwatch has asked already, which picks the next
	// step of the schedule after the next answer.
	Attempts int
	// DueWithin spreads the next checks evenly over now .. now+DueWithin,
	// as a steady state leaves them.
	DueWithin time.Duration
}

// AddWaitingOrders inserts the orders with the bookkeeping rows zwatch's
// earlier runs left, sent within the last hour.
func (db *DB) AddWaitingOrders(o WaitingOrders) {
	db.t.Helper()
	db.Exec(`
		WITH sent AS (
			SELECT gen_random_uuid() AS id, g,
			       now() - interval '1 hour' + make_interval(secs => 3000.0 * g / $2::int) AS sent_at
			FROM generate_series(0, $2::int - 1) g
		),
		orders AS (
			INSERT INTO product_orders
				(id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
			SELECT id, gen_random_uuid(), 'pending', ($1::text[])[1 + g % cardinality($1::text[])],
			       ($3::bigint + g)::text, 'processing', sent_at, sent_at - interval '3 seconds'
			FROM sent
			ORDER BY g
		)
		INSERT INTO zwatch_order_checks
			(order_id, attempts, first_checked_at, last_checked_at, next_check_at, last_result, integration_id)
		SELECT id, $4, sent_at + interval '15 seconds', now() - interval '10 seconds',
		       now() + make_interval(secs => $5 * random()), 'waiting',
		       (($1::text[])[1 + g % cardinality($1::text[])])::uuid
		FROM sent`,
		pq.Array(o.IntegrationIDs), o.Count, o.FirstReferans, o.Attempts, o.DueWithin.Seconds())
}

// SendOrder inserts one order the way the shop does when it sends it to
// znet. Unlike the other helpers it returns its error, so that a goroutine
// playing the shop can call it.
func (db *DB) SendOrder(ctx context.Context, integrationID, referans string) error {
	_, err := db.SQL.ExecContext(ctx, `
		INSERT INTO product_orders
			(id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
		VALUES (gen_random_uuid(), gen_random_uuid(), 'pending', $1, $2, 'sent', now(), now())`,
		integrationID, referans)
	return err
}

// KeepStaleStatistics switches autovacuum off for the tables zwatch reads,
// so that the planner keeps whatever statistics the tables had before a
// bulk fill: a shop's autovacuum may be minutes behind, and a plan must not
// depend on its timing.
func (db *DB) KeepStaleStatistics() {
	db.t.Helper()
	for _, table := range []string{"product_orders", "integrations", "zwatch_order_checks", "zwatch_order_events"} {
		db.Exec(fmt.Sprintf(`ALTER TABLE %s SET (autovacuum_enabled = false)`, pq.QuoteIdentifier(table)))
	}
}

// StatementStat is pg_stat_statements' account of one statement.
type StatementStat struct {
	Query   string  `db:"query"`
	Calls   int64   `db:"calls"`
	TotalMs float64 `db:"total_ms"`
	Rows    int64   `db:"rows"`
	Buffers int64   `db:"buffers"` // shared blocks hit, read, dirtied and written
	MaxMs   float64 `db:"max_ms"`
	MeanMs  float64 `db:"mean_ms"`
}

// EnableStatementStats creates pg_stat_statements in this database. The
// server must load it (shared_preload_libraries), as make bench's does.
func (db *DB) EnableStatementStats() {
	db.t.Helper()
	db.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`)
}

// ResetStatementStats forgets what every statement cost so far.
func (db *DB) ResetStatementStats() {
	db.t.Helper()
	db.Exec(`SELECT pg_stat_statements_reset()`)
}

// StatementStats is what the statements of this database cost since the
// last reset, most expensive first. Statements that run as this helper's
// own, or as the shop playing its part (they insert into product_orders, which
// zwatch never does), are left out: what remains is zwatch's.
func (db *DB) StatementStats() []StatementStat {
	db.t.Helper()
	var stats []StatementStat
	err := db.SQL.Select(&stats, `
		SELECT s.query, s.calls, s.total_exec_time AS total_ms, s.rows,
		       s.shared_blks_hit + s.shared_blks_read + s.shared_blks_dirtied + s.shared_blks_written AS buffers,
		       s.max_exec_time AS max_ms, s.mean_exec_time AS mean_ms
		FROM pg_stat_statements s
		JOIN pg_database d ON d.oid = s.dbid
		WHERE d.datname = current_database()
		  AND s.query NOT LIKE '%pg_stat_statements%'
		  AND s.query NOT LIKE '%INSERT INTO product_orders%'
		ORDER BY s.total_exec_time DESC`)
	if err != nil {
		db.t.Fatalf("storetest: reading pg_stat_statements: %v", err)
	}
	return stats
}

// MakeSweepDue lets the next claim sweep the waiting orders, as if the
// last sweep were long ago.
func (db *DB) MakeSweepDue() {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_state SET moved_at = '-infinity' WHERE name = 'sweep'`)
}

// DeleteOrder deletes an order from the shop's table, as a shop cleaning up
// would.
func (db *DB) DeleteOrder(orderID string) {
	db.t.Helper()
	db.Exec(`DELETE FROM product_orders WHERE id = $1`, orderID)
}

// EnableIntegration switches an integration on or off, as the shop's staff
// would.
func (db *DB) EnableIntegration(integrationID string, enabled bool) {
	db.t.Helper()
	db.Exec(`UPDATE integrations SET enabled = $2 WHERE id = $1`, integrationID, enabled)
}

// RenameIntegration gives an integration another name, as the shop's staff
// would, whatever it holds.
func (db *DB) RenameIntegration(integrationID, name string) {
	db.t.Helper()
	db.Exec(`UPDATE integrations SET name = $2 WHERE id = $1`, integrationID, name)
}
