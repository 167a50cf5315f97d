package storetest

import (
	"fmt"
	"time"

	"github.com/lib/pq"
)

// What goes wrong around zwatch in production, played for tests: a database
// that restarts, a shop row that refuses every write, time passing, and the
// claims a run leaves behind.

// Outage makes this test's database unavailable the way a restart does:
// every connection to it is terminated and new ones are refused, until end
// is called. Other tests' databases on the same server are not touched.
func (db *DB) Outage() (end func()) {
	db.t.Helper()
	var name string
	db.Get(&name, `SELECT current_database()`)
	admin := adminDB(db.t)
	quoted := pq.QuoteIdentifier(name)
	if _, err := admin.Exec(`ALTER DATABASE ` + quoted + ` WITH ALLOW_CONNECTIONS false`); err != nil {
		db.t.Fatalf("storetest: refusing connections: %v", err)
	}
	// As a restart ends them, all at once: a session waiting for a lock
	// must not be handed it because the one holding it ended first, and
	// go on. The waiting ones are ended first, each waited for (5 s at
	// most), until none is left waiting (one may begin to wait meanwhile),
	// then the rest.
	for range 10 {
		var ended int
		if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
			WHERE datname = $1 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`, name).Scan(&ended); err != nil {
			db.t.Fatalf("storetest: terminating the connections waiting for a lock: %v", err)
		}
		if ended == 0 {
			break
		}
	}
	if _, err := admin.Exec(`SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
		db.t.Fatalf("storetest: terminating connections: %v", err)
	}
	return func() {
		defer admin.Close()
		if _, err := admin.Exec(`ALTER DATABASE ` + quoted + ` WITH ALLOW_CONNECTIONS true`); err != nil {
			db.t.Errorf("storetest: accepting connections again: %v", err)
		}
	}
}

// RefuseWrites makes every update of one shop order fail, as a shop trigger
// that rejects it would. Its message quotes the order's id and the PIN the
// update would have written, as a careless trigger's may: what zwatch shows
// of the refusal must mask the PIN, and refusals of several orders are still
// one reason.
func (db *DB) RefuseWrites(orderID string) {
	db.t.Helper()
	fn := "refuse_" + randomSuffix()
	db.Exec(fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the shop refuses to change order %% (pinCode %%)', NEW.id, NEW."pinCode"; END $$`, fn))
	db.Exec(fmt.Sprintf(`CREATE TRIGGER %s BEFORE UPDATE ON product_orders
		FOR EACH ROW WHEN (OLD.id = %s) EXECUTE FUNCTION %s()`, fn, pq.QuoteLiteral(orderID), fn))
}

// SkipWrites adds a shop trigger that silently skips every update of the
// order (a BEFORE UPDATE trigger returning NULL), or with keepOld lets it
// through unchanged (returning OLD): either way the statement succeeds and
// the row is as it was.
func (db *DB) SkipWrites(orderID string, keepOld bool) {
	db.t.Helper()
	fn, returns := "skip_"+randomSuffix(), "NULL"
	if keepOld {
		returns = "OLD"
	}
	db.Exec(fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN %s; END $$`, fn, returns))
	db.Exec(fmt.Sprintf(`CREATE TRIGGER %s BEFORE UPDATE ON product_orders
		FOR EACH ROW WHEN (OLD.id = %s) EXECUTE FUNCTION %s()`, fn, pq.QuoteLiteral(orderID), fn))
}

// Age moves every time in zwatch's bookkeeping d into the past, as if d had
// passed with nobody asking: first and last checks, the next check, the
// time a panel was found failing, giving up.
func (db *DB) Age(d time.Duration) {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_order_checks SET
		first_checked_at = first_checked_at - make_interval(secs => $1),
		last_checked_at = last_checked_at - make_interval(secs => $1),
		next_check_at = next_check_at - make_interval(secs => $1),
		panel_failing_since = panel_failing_since - make_interval(secs => $1),
		given_up_at = given_up_at - make_interval(secs => $1)`, d.Seconds())
}

// PanelFailingSince is when zwatch last found the order's panel failing;
// nil when the order's give-up clock runs.
func (db *DB) PanelFailingSince(orderID string) *time.Time {
	db.t.Helper()
	var at *time.Time
	db.Get(&at, `SELECT panel_failing_since FROM zwatch_order_checks WHERE order_id = $1`, orderID)
	return at
}

// ClaimsLapseAt is when the last claim still held lapses; zero when no
// order is claimed.
func (db *DB) ClaimsLapseAt() time.Time {
	db.t.Helper()
	var at *time.Time
	db.Get(&at, `SELECT max(claim_expires_at) FROM zwatch_order_checks WHERE claimed_by IS NOT NULL`)
	if at == nil {
		return time.Time{}
	}
	return *at
}

// WaitForLockWaiters returns once n sessions of this test's database wait
// for a lock, so that a test commits the transaction holding it only after
// the statement it means to hold up has really met it. It fails the test
// after ten seconds.
func (db *DB) WaitForLockWaiters(n int) {
	db.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var waiting int
		db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`)
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			db.t.Fatalf("storetest: %d sessions wait for a lock after 10 s, want %d", waiting, n)
		}
	}
}
