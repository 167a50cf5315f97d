package storetest

import (
	"strings"
	"time"
)

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

// BudgetStatementTime is the server's own mean execution time of the
// budget's reservation, from pg_stat_statements, with how many calls it
// averages. ok is false when the server does not load pg_stat_statements.
func (db *DB) BudgetStatementTime() (mean time.Duration, calls int, ok bool) {
	db.t.Helper()
	if !strings.Contains(db.Setting("shared_preload_libraries"), "pg_stat_statements") {
		return 0, 0, false
	}
	if _, err := db.SQL.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return 0, 0, false
	}
	var row struct {
		Millis float64 `db:"mean_ms"`
		Calls  int     `db:"calls"`
	}
	err := db.SQL.Get(&row, `SELECT COALESCE(sum(total_exec_time) / NULLIF(sum(calls), 0), 0) AS mean_ms,
		COALESCE(sum(calls), 0) AS calls
		FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query LIKE '%INSERT INTO zwatch_panel_budgets%'`)
	if err != nil || row.Calls == 0 {
		return 0, 0, false
	}
	return time.Duration(row.Millis * float64(time.Millisecond)), row.Calls, true
}
