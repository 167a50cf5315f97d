package storetest

import (
	"fmt"
	"time"

	"github.com/lib/pq"
)

// SteppableClock lets a test set the database's clock back, as NTP or a
// failover to a server whose clock differs does, in sessions that begin
// after it is called (the database's search_path finds clock_timestamp()
// and statement_timestamp() in public before pg_catalog, where functions
// that read the step shadow them). Those are the clocks the panels'
// budgets read; now() is left alone. db's own connections are begun anew.
func (db *DB) SteppableClock() (stepBack func(d time.Duration)) {
	db.t.Helper()
	db.Exec(`CREATE TABLE public.storetest_clock_step (back interval NOT NULL)`)
	db.Exec(`INSERT INTO public.storetest_clock_step VALUES ('0')`)
	db.Exec(`GRANT SELECT ON public.storetest_clock_step TO PUBLIC`)
	db.Exec(`CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz LANGUAGE sql VOLATILE AS
		$$ SELECT pg_catalog.clock_timestamp() - (SELECT back FROM public.storetest_clock_step) $$`)
	db.Exec(`CREATE FUNCTION public.statement_timestamp() RETURNS timestamptz LANGUAGE sql STABLE AS
		$$ SELECT pg_catalog.statement_timestamp() - (SELECT back FROM public.storetest_clock_step) $$`)
	db.Exec(`ALTER DATABASE ` + pq.QuoteIdentifier(db.name) + ` SET search_path = public, pg_catalog`)
	// Idle connections keep the search_path they began with.
	db.SQL.SetMaxIdleConns(0)
	db.SQL.SetMaxIdleConns(2)
	return func(d time.Duration) {
		db.t.Helper()
		db.Exec(`UPDATE public.storetest_clock_step SET back = back + $1::interval`,
			fmt.Sprintf("%d microseconds", d.Microseconds()))
	}
}
