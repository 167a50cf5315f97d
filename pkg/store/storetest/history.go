package storetest

import "time"

// Check is zwatch's bookkeeping for an order, as earlier runs would have
// left it.
type Check struct {
	Attempts int
	// NextCheckIn is from now; negative means the order is due.
	NextCheckIn time.Duration
	GivenUp     bool // zwatch gave up: the order is stuck
	Claimed     bool // a run is asking about it right now
	// FinishedAgo, when set, is how long ago zwatch finished with the order.
	FinishedAgo time.Duration
}

// AddCheck gives an order the bookkeeping row earlier runs would have left.
func (db *DB) AddCheck(orderID string, c Check) {
	db.t.Helper()
	db.Exec(`INSERT INTO zwatch_order_checks
		(order_id, attempts, first_checked_at, last_checked_at, next_check_at, given_up_at, claimed_by, claim_expires_at,
		 finished_at)
		VALUES ($1, $2, now() - interval '1 hour', now() - interval '1 minute', now() + make_interval(secs => $3),
		        CASE WHEN $4 THEN now() END, CASE WHEN $5 THEN 'storetest' END, CASE WHEN $5 THEN now() + interval '5 minutes' END,
		        CASE WHEN $6 > 0 THEN now() - make_interval(secs => $6) END)`,
		orderID, c.Attempts, c.NextCheckIn.Seconds(), c.GivenUp, c.Claimed, c.FinishedAgo.Seconds())
}

// HasCheck says whether zwatch keeps a bookkeeping row for the order.
func (db *DB) HasCheck(orderID string) bool {
	db.t.Helper()
	var n int
	db.Get(&n, `SELECT count(*) FROM zwatch_order_checks WHERE order_id = $1`, orderID)
	return n == 1
}

// AddEvent logs a transition of an order to toStatus, ago before now, as a
// run of zwatch would have.
func (db *DB) AddEvent(orderID, toStatus string, ago time.Duration) {
	db.t.Helper()
	db.Exec(`INSERT INTO zwatch_order_events (order_id, at, kind, from_status, to_status, pin_delivered, run_id)
		VALUES ($1, now() - make_interval(secs => $2), 'status', 'sent', $3::text, $3::text = 'completed', 'storetest')`,
		orderID, ago.Seconds(), toStatus)
}
