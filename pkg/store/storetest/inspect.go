package storetest

import "time"

// What an operator would look up with psql, and what the shop or staff would
// change by hand, so that tests elsewhere hold no SQL of their own.

// Bookkeeping sums up zwatch's scheduling table.
type Bookkeeping struct {
	Rows     int `db:"rows"`
	Claimed  int `db:"claimed"`  // rows with a claim, lapsed or not
	Attempts int `db:"attempts"` // times znet was asked, over all orders
}

// Bookkeeping reads the sums of zwatch_order_checks.
func (db *DB) Bookkeeping() Bookkeeping {
	db.t.Helper()
	var b Bookkeeping
	db.Get(&b, `SELECT count(*) AS rows,
		count(*) FILTER (WHERE claimed_by IS NOT NULL) AS claimed,
		COALESCE(sum(attempts), 0) AS attempts
		FROM zwatch_order_checks`)
	return b
}

// ZwatchTables counts the tables whose name starts with zwatch.
func (db *DB) ZwatchTables() int {
	db.t.Helper()
	var n int
	db.Get(&n, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%'`)
	return n
}

// TableExists says whether a table of that name exists.
func (db *DB) TableExists(name string) bool {
	db.t.Helper()
	var n int
	db.Get(&n, `SELECT count(*) FROM pg_tables WHERE tablename = $1`, name)
	return n > 0
}

// OrdersIn counts the shop's orders with that "externalStatus".
func (db *DB) OrdersIn(externalStatus string) int {
	db.t.Helper()
	var n int
	db.Get(&n, `SELECT count(*) FROM product_orders WHERE "externalStatus" = $1`, externalStatus)
	return n
}

// ShopRows counts the shop's orders and integrations.
func (db *DB) ShopRows() (orders, integrations int) {
	db.t.Helper()
	db.Get(&orders, `SELECT count(*) FROM product_orders`)
	db.Get(&integrations, `SELECT count(*) FROM integrations`)
	return orders, integrations
}

// Event is one row of zwatch's transition log.
type Event struct {
	Kind            string  `db:"kind"`
	From            *string `db:"from_status"`
	To              string  `db:"to_status"`
	PINDelivered    bool    `db:"pin_delivered"`
	ProviderMessage *string `db:"provider_message"`
}

// Events reads an order's transitions, oldest first.
func (db *DB) Events(orderID string) []Event {
	db.t.Helper()
	var events []Event
	if err := db.SQL.Select(&events, `SELECT kind, from_status, to_status, pin_delivered, provider_message
		FROM zwatch_order_events WHERE order_id = $1 ORDER BY id`, orderID); err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	return events
}

// ZwatchRowsMentioning counts the rows of zwatch's own tables whose text
// holds s anywhere: a PIN or a password must never be found there.
func (db *DB) ZwatchRowsMentioning(s string) int {
	db.t.Helper()
	var n int
	db.Get(&n, `SELECT (SELECT count(*) FROM zwatch_order_events e WHERE strpos(e::text, $1) > 0)
		+ (SELECT count(*) FROM zwatch_order_checks c WHERE strpos(c::text, $1) > 0)
		+ (SELECT count(*) FROM zwatch_runs r WHERE strpos(r::text, $1) > 0)`, s)
	return n
}

// ZwatchRowsMentioningLoosely is ZwatchRowsMentioning of s's letters and
// digits, in any case, whatever stands between them in the rows, tags
// included: a PIN quoted in spaced groups, in markup or in lower case.
func (db *DB) ZwatchRowsMentioningLoosely(s string) int {
	db.t.Helper()
	var n int
	db.Get(&n, `WITH wanted AS (SELECT upper(regexp_replace($1, '[^[:alnum:]]', '', 'g')) AS s)
		SELECT (SELECT count(*) FROM zwatch_order_events e, wanted WHERE strpos(upper(regexp_replace(regexp_replace(e::text, '<[^>]*>', '', 'g'), '[^[:alnum:]]', '', 'g')), wanted.s) > 0)
		     + (SELECT count(*) FROM zwatch_order_checks c, wanted WHERE strpos(upper(regexp_replace(regexp_replace(c::text, '<[^>]*>', '', 'g'), '[^[:alnum:]]', '', 'g')), wanted.s) > 0)
		     + (SELECT count(*) FROM zwatch_runs r, wanted WHERE strpos(upper(regexp_replace(regexp_replace(r::text, '<[^>]*>', '', 'g'), '[^[:alnum:]]', '', 'g')), wanted.s) > 0)`, s)
	return n
}

// Snapshot is every row zwatch could write, as text, to tell whether a
// command wrote anything at all.
func (db *DB) Snapshot() string {
	db.t.Helper()
	var s string
	db.Get(&s, `SELECT concat_ws(E'\n',
		(SELECT string_agg(o::text, ',' ORDER BY o.id) FROM product_orders o),
		(SELECT string_agg(i::text, ',' ORDER BY i.id) FROM integrations i),
		(SELECT string_agg(c::text, ',' ORDER BY c.order_id) FROM zwatch_order_checks c),
		(SELECT string_agg(e::text, ',' ORDER BY e.id) FROM zwatch_order_events e),
		(SELECT string_agg(r::text, ',' ORDER BY r.run_id) FROM zwatch_runs r),
		(SELECT string_agg(st::text, ',' ORDER BY st::text) FROM zwatch_state st),
		(SELECT string_agg(b::text, ',' ORDER BY b.integration_id) FROM zwatch_panel_budgets b),
		(SELECT string_agg(f::text, ',' ORDER BY f.integration_id) FROM zwatch_panel_fits f))`)
	return s
}

// MakeAllDue moves every order's next check into the past.
func (db *DB) MakeAllDue() {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 second'`)
}

// ExpireClaims lets every claim lapse, as if its lease had run out.
func (db *DB) ExpireClaims() {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_order_checks SET claim_expires_at = now() - interval '1 second'
		WHERE claimed_by IS NOT NULL`)
}

// TakeClaim makes runID hold the order's claim, as another run would.
func (db *DB) TakeClaim(orderID, runID string) {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = $2, claim_expires_at = now() + interval '5 minutes'
		WHERE order_id = $1`, orderID, runID)
}

// FirstCheckedAgo moves zwatch's first check of an order into the past, as
// if zwatch had been polling it that long.
func (db *DB) FirstCheckedAgo(orderID string, ago time.Duration) {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - make_interval(secs => $2)
		WHERE order_id = $1`, orderID, ago.Seconds())
}

// Decide sets the shop's status (and a PIN, unless empty) by hand, as staff
// would.
func (db *DB) Decide(orderID, status, pin string) {
	db.t.Helper()
	db.Exec(`UPDATE product_orders SET status = $2, "pinCode" = COALESCE(NULLIF($3, ''), "pinCode")
		WHERE id = $1`, orderID, status, pin)
}

// ResendGivenUp has the order given up on an hour ago, as a run would
// have, and sent to znet again by the shop sentAgo ago with referans: a
// new order to zwatch. The order has zwatch's row (AddCheck).
func (db *DB) ResendGivenUp(orderID, referans string, sentAgo time.Duration) {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_order_checks SET given_up_at = now() - interval '1 hour' WHERE order_id = $1`, orderID)
	db.Resend(orderID, referans)
	db.Exec(`UPDATE product_orders SET "sentAt" = now() - make_interval(secs => $2) WHERE id = $1`, orderID, sentAgo.Seconds())
}

// LearnFirstCheck gives the panel of integrationID a fit whose first check
// is the SQL value firstCheck (seconds, or NULL, 'NaN', ...), as if a
// refit had saved it or a person had edited it.
func (db *DB) LearnFirstCheck(integrationID, firstCheck string) {
	db.t.Helper()
	db.Exec(`INSERT INTO zwatch_panel_fits (integration_id, finals, completions, gave_up, own_weight, first_check_s, ages, survival)
		VALUES ($1, 300, 300, 0, 1, `+firstCheck+`, '{0}', '{1}')`, integrationID)
}

// Resend sends the order to znet again, as the shop does when it retries:
// externalStatus sent, shop status pending, a new referans, sentAt now.
func (db *DB) Resend(orderID, referans string) {
	db.t.Helper()
	db.Exec(`UPDATE product_orders SET "externalStatus" = 'sent', status = 'pending',
		provider_referans = $2, "sentAt" = now(), "pinCode" = NULL, "completedAt" = NULL
		WHERE id = $1`, orderID, referans)
}

// SavedBalance is what balance --save left on one integration.
type SavedBalance struct {
	Name    string  `db:"name"`
	Balance *string `db:"balance"`
	Fresh   bool    `db:"fresh"` // written within the last minute
}

// SavedBalances lists the integrations with a balance written.
func (db *DB) SavedBalances() []SavedBalance {
	db.t.Helper()
	var saved []SavedBalance
	if err := db.SQL.Select(&saved, `SELECT name, balance::text AS balance,
		COALESCE("balanceUpdatedAt" > now() - interval '1 minute', false) AS fresh
		FROM integrations WHERE balance IS NOT NULL OR "balanceUpdatedAt" IS NOT NULL`); err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	return saved
}

// OrdersByState counts orders per integration name and state, where state
// is the "externalStatus", "stuck" for an order zwatch gave up on, or "held"
// for a waiting order whose give-up clock stopped because its panel failed.
func (db *DB) OrdersByState() map[string]map[string]int {
	db.t.Helper()
	var rows []struct {
		Integration string `db:"name"`
		State       string `db:"state"`
		Orders      int    `db:"orders"`
	}
	if err := db.SQL.Select(&rows, `
		SELECT i.name,
		       CASE WHEN c.given_up_at IS NOT NULL AND o."externalStatus" IN ('sent', 'pending', 'processing')
		            THEN 'stuck'
		            WHEN c.panel_failing_since IS NOT NULL AND o."externalStatus" IN ('sent', 'pending', 'processing')
		            THEN 'held'
		            ELSE o."externalStatus" END AS state,
		       count(*) AS orders
		FROM product_orders o
		JOIN integrations i ON i.id::text = o."providerId"
		LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
		GROUP BY 1, 2`); err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	out := map[string]map[string]int{}
	for _, r := range rows {
		if out[r.Integration] == nil {
			out[r.Integration] = map[string]int{}
		}
		out[r.Integration][r.State] = r.Orders
	}
	return out
}

// Secrets lists every integration's password and every saved PIN.
func (db *DB) Secrets() []string {
	db.t.Helper()
	var secrets []string
	if err := db.SQL.Select(&secrets, `SELECT sifre FROM integrations WHERE sifre IS NOT NULL
		UNION ALL SELECT "pinCode" FROM product_orders WHERE "pinCode" IS NOT NULL`); err != nil {
		db.t.Fatalf("storetest: %v", err)
	}
	return secrets
}

// MarkMigrationApplied records version as applied, as a newer zwatch's
// migrate would have, without running anything.
func (db *DB) MarkMigrationApplied(version int64) {
	db.t.Helper()
	db.Exec(`INSERT INTO zwatch_schema_migrations (version_id, is_applied) VALUES ($1, true)`, version)
}
