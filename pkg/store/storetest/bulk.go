package storetest

import (
	"time"

	"github.com/lib/pq"

	"github.com/zwatch/zwatch/pkg/store"
)

// This file fills a database the size a busy shop's is, for the benchmarks:
// rows are made by generate_series in the server, not sent one by one.

// SentOrders describes orders the shop sent to znet, all alike but for
// their referans.
type SentOrders struct {
	IntegrationID string
	Count         int
	// FirstReferans is the referans of the first order; the others count
	// up from it, so that a test can name every order's referans.
	FirstReferans int
	SentAgo       time.Duration
	// Registered gives each order the bookkeeping row zwatch's first claim
	// would have left: due now, asked once, not claimed.
	Registered bool
}

// AddSentOrders inserts the orders and returns their ids, in referans order.
func (db *DB) AddSentOrders(o SentOrders) []string {
	db.t.Helper()
	var ids []string
	err := db.SQL.Select(&ids, `
		INSERT INTO product_orders
			(id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
		SELECT gen_random_uuid(), gen_random_uuid(), 'pending', $1, ($2::bigint + g)::text, 'sent',
		       now() - make_interval(secs => $4), now() - make_interval(secs => $4 + 3)
		FROM generate_series(0, $3::int - 1) g
		ORDER BY g
		RETURNING id::text`,
		o.IntegrationID, o.FirstReferans, o.Count, o.SentAgo.Seconds())
	if err != nil {
		db.t.Fatalf("storetest: adding %d sent orders: %v", o.Count, err)
	}
	if o.Registered {
		db.Exec(`INSERT INTO zwatch_order_checks (order_id, attempts, first_checked_at, last_checked_at, next_check_at, last_result, integration_id)
			SELECT id, 1, now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 second', 'waiting', $2::uuid
			FROM unnest($1::uuid[]) AS id`, pq.Array(ids), o.IntegrationID)
	}
	return ids
}

// SendOrdersAt inserts one order per referans, sent to znet at sentAt (on
// the caller's clock, which is the server's on one machine), and returns
// their ids in the same order.
func (db *DB) SendOrdersAt(integrationID string, sentAt time.Time, referanses ...string) []string {
	db.t.Helper()
	var ids []string
	err := db.SQL.Select(&ids, `
		INSERT INTO product_orders
			(id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
		SELECT gen_random_uuid(), gen_random_uuid(), 'pending', $1, r.referans, 'sent', $2, $2
		FROM unnest($3::text[]) WITH ORDINALITY AS r(referans, n)
		ORDER BY r.n
		RETURNING id::text`,
		integrationID, sentAt, pq.Array(referanses))
	if err != nil {
		db.t.Fatalf("storetest: sending %d orders: %v", len(referanses), err)
	}
	return ids
}

// SendOrdersAtSQL is SendOrdersAt for a "sentAt" no time.Time holds or that
// the server's clock gives: an SQL expression such as 'infinity' or
// now() + interval '5 seconds'.
func (db *DB) SendOrdersAtSQL(integrationID, sentAtSQL string, referanses ...string) []string {
	db.t.Helper()
	var ids []string
	err := db.SQL.Select(&ids, `
		INSERT INTO product_orders
			(id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
		SELECT gen_random_uuid(), gen_random_uuid(), 'pending', $1, r.referans, 'sent', `+sentAtSQL+`, now()
		FROM unnest($2::text[]) WITH ORDINALITY AS r(referans, n)
		ORDER BY r.n
		RETURNING id::text`,
		integrationID, pq.Array(referanses))
	if err != nil {
		db.t.Fatalf("storetest: sending %d orders at %s: %v", len(referanses), sentAtSQL, err)
	}
	return ids
}

// AddFinishedOrders inserts count orders znet completed long ago, sent over
// the last year: the history a shop's product_orders has behind its few
// pending rows. Those zwatch finished within store.FinishedKeptFor keep the
// bookkeeping row it left; older ones zwatch has deleted.
func (db *DB) AddFinishedOrders(integrationID string, count int) {
	db.t.Helper()
	db.Exec(`
		INSERT INTO product_orders
			(id, "tenantId", "orderNo", status, "providerId", provider_referans, "externalOrderId",
			 "externalStatus", "pinCode", "providerMessage", "lastMessage",
			 "sentAt", "createdAt", "completedAt", "approvedAt", "lastSyncAt", "durationMs",
			 "userIdentifier", "sellPriceCurrency", "sellPriceAmount", price)
		SELECT gen_random_uuid(), gen_random_uuid(), g, 'approved', $1, (900000000 + g)::text, (900000000 + g)::text,
		       'completed', 'PIN-' || md5(g::text), 'İşlem tamamlandı', 'znet: completed, PIN saved',
		       s.sent, s.sent - interval '3 seconds', s.sent + interval '40 seconds', s.sent + interval '40 seconds',
		       s.sent + interval '40 seconds', 40000,
		       'player-' || g, 'TRY', 100, 100
		FROM generate_series(1, $2::int) g,
		     LATERAL (SELECT now() - interval '1 day' - make_interval(secs => (g % 31536000)::float8) AS sent) s`,
		integrationID, count)
	db.Exec(`
		INSERT INTO zwatch_order_checks
			(order_id, attempts, first_checked_at, last_checked_at, next_check_at, last_result, finished_at, created_at)
		SELECT id, 2, "sentAt" + interval '30 seconds', "completedAt", "completedAt" + interval '1 minute',
		       'done', "completedAt", "sentAt"
		FROM product_orders
		WHERE "externalStatus" = 'completed'
		  AND "completedAt" >= now() - make_interval(secs => $1)`, store.FinishedKeptFor.Seconds())
}

// VacuumAnalyze gives the planner statistics and the tables a visibility
// map, as autovacuum has long done on a shop's tables. A freshly filled
// table without statistics gets plans no production database would.
func (db *DB) VacuumAnalyze() {
	db.t.Helper()
	db.Exec(`VACUUM ANALYZE`)
}

// Checkpoint writes every dirty page out now. After a bulk fill, the
// server would otherwise spend the next minutes writing it out in the
// background, and a measurement taken then pays for the fill, not for
// what it measures.
func (db *DB) Checkpoint() {
	db.t.Helper()
	db.Exec(`CHECKPOINT`)
}

// Analyze gives the planner statistics, as autovacuum would soon after a
// table grew.
func (db *DB) Analyze() {
	db.t.Helper()
	db.Exec(`ANALYZE`)
}

// TableSize is the on-disk size of a table with its indexes, in bytes.
func (db *DB) TableSize(table string) int64 {
	db.t.Helper()
	var n int64
	db.Get(&n, `SELECT pg_total_relation_size($1::regclass)`, table)
	return n
}

// Setting is a server setting as SHOW prints it, e.g. "server_version".
func (db *DB) Setting(name string) string {
	db.t.Helper()
	var v string
	db.Get(&v, `SELECT current_setting($1)`, name)
	return v
}

// OrderDelivery is when an order's answer reached the shop's row.
type OrderDelivery struct {
	ID             string     `db:"id"`
	ExternalStatus string     `db:"externalStatus"`
	CompletedAt    *time.Time `db:"completedAt"`
}

// ReadDeliveries reads back the state and completion time of the orders
// with the given ids.
func (db *DB) ReadDeliveries(ids []string) map[string]OrderDelivery {
	db.t.Helper()
	var rows []OrderDelivery
	if err := db.SQL.Select(&rows, `
		SELECT id::text AS id, "externalStatus", "completedAt"
		FROM product_orders WHERE id = ANY($1::uuid[])`, pq.Array(ids)); err != nil {
		db.t.Fatalf("storetest: reading %d orders: %v", len(ids), err)
	}
	out := make(map[string]OrderDelivery, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	if len(out) != len(ids) {
		db.t.Fatalf("storetest: %d of %d orders found", len(out), len(ids))
	}
	return out
}
