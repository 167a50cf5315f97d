package storetest

import (
	"time"

	"github.com/lib/pq"
)

// Finished is one order a panel finished while zwatch was asking: zwatch
// last found it waiting WaitingAt after it was sent (0: never) and final
// FinalAt after; Cancelled ends it failed instead of completed. Ago is how
// long ago it was sent.
type Finished struct {
	WaitingAt, FinalAt time.Duration
	Cancelled          bool
	Ago                time.Duration
}

// AddFinishHistory writes, in one statement, what zwatch's runs would have
// left of orders a panel finished: the shop's final rows, zwatch's
// bookkeeping and the final transitions in its event log.
func (db *DB) AddFinishHistory(integrationID string, orders []Finished) {
	db.t.Helper()
	waiting, final, ago := make([]float64, len(orders)), make([]float64, len(orders)), make([]float64, len(orders))
	cancelled := make([]bool, len(orders))
	for i, o := range orders {
		waiting[i], final[i], ago[i], cancelled[i] = o.WaitingAt.Seconds(), o.FinalAt.Seconds(), o.Ago.Seconds(), o.Cancelled
	}
	db.Exec(`
		WITH input AS (
			SELECT gen_random_uuid() AS id, w, f, a, c,
			       now() - make_interval(secs => a) AS sent_at
			FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::bool[]) AS t(w, f, a, c)
		),
		orders AS (
			INSERT INTO product_orders (id, "tenantId", status, "providerId", provider_referans, "externalStatus",
			                            "sentAt", "createdAt", "completedAt")
			SELECT id, gen_random_uuid(), CASE WHEN c THEN 'pending' ELSE 'approved' END, $1, 'h-' || id::text,
			       CASE WHEN c THEN 'failed' ELSE 'completed' END, sent_at, sent_at,
			       CASE WHEN c THEN NULL ELSE sent_at + make_interval(secs => f) END
			FROM input
			RETURNING id
		),
		checks AS (
			INSERT INTO zwatch_order_checks (order_id, attempts, first_checked_at, last_checked_at, waiting_seen_at,
			                                 next_check_at, last_result, finished_at)
			SELECT input.id, 2, sent_at + make_interval(secs => LEAST(w, f)), sent_at + make_interval(secs => f),
			       CASE WHEN w > 0 THEN sent_at + make_interval(secs => w) END,
			       sent_at + make_interval(secs => f), CASE WHEN c THEN 'cancelled' ELSE 'done' END,
			       sent_at + make_interval(secs => f)
			FROM input JOIN orders ON orders.id = input.id
		)
		INSERT INTO zwatch_order_events (order_id, at, kind, from_status, to_status, pin_delivered, run_id)
		SELECT input.id, sent_at + make_interval(secs => f), 'status', 'processing',
		       CASE WHEN c THEN 'failed' ELSE 'completed' END, NOT c, 'storetest'
		FROM input JOIN orders ON orders.id = input.id`,
		integrationID, pq.Array(waiting), pq.Array(final), pq.Array(ago), pq.Array(cancelled))
}
