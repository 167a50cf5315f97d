package storetest

import "time"

// BudgetReservedAhead is how far ahead of the database's now the panel of
// integrationID has its send times reserved: the budget runs hold and have
// not used yet. Zero when nothing is reserved ahead.
func (db *DB) BudgetReservedAhead(integrationID string) time.Duration {
	db.t.Helper()
	var seconds float64
	db.Get(&seconds, `SELECT COALESCE(
		(SELECT GREATEST(extract(epoch FROM next_free_at - clock_timestamp()), 0)
		 FROM zwatch_panel_budgets WHERE integration_id = $1::uuid), 0)`, integrationID)
	return time.Duration(seconds * float64(time.Second))
}

// BudgetWrites counts the rows zwatch_panel_budgets had inserted or updated:
// one per reservation or return of send times, as the server's statistics
// have them once the sessions that made them have ended.
func (db *DB) BudgetWrites() int {
	db.t.Helper()
	var n int
	db.Get(&n, `SELECT COALESCE(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'zwatch_panel_budgets'`)
	return n
}
