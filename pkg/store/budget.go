package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// A dealer panel's request budget is shared by every run on every host: the
// panel counts requests from the shop's IP, not from one run. Each panel has
// one row in zwatch_panel_budgets, a virtual clock (GCRA) whose next_free_at
// is the first send time nobody has reserved yet. A run reserves a few send
// times at once by moving that clock forward, in one upsert of one row (it
// makes the row the first time), so the cost to the database is a fraction
// of a statement per request.
//
// Budget not used is gone: a reservation starts at the database's now when
// the clock has fallen behind it, so an idle panel never saves up a burst.

// SendTimes is one reservation on a panel's budget: Count send times,
// Interval apart, from First. They are on the database's clock. So that a
// run can place them on its own, DBNow is that clock when the reservation
// was made and DBStart when its statement began there, and Sent and
// Received are the run's clock around the statement alone (not around a
// wait for a connection of the pool).
type SendTimes struct {
	First    time.Time
	Count    int
	Interval time.Duration

	DBStart, DBNow time.Time
	Sent, Received time.Time
}

// At is the i-th send time, counting from 0.
func (st SendTimes) At(i int) time.Time {
	return st.First.Add(time.Duration(i) * st.Interval)
}

// End is the first send time after the reservation: where the panel's clock
// stood right after it, unless another run has reserved since.
func (st SendTimes) End() time.Time { return st.At(st.Count) }

// reserveSendsSQL moves the clocks of one or more panels forward, each by
// its reservation's span, from where it stands or from now if it has fallen
// behind, and returns each reservation's first send time. A panel's row is
// created on its first reservation. clock_timestamp(), not now(): the time
// the row lock was granted, not when the statement began waiting for it.
// The rows are taken in the order of their ids, so that two runs reserving
// for the same panels cannot deadlock.
const reserveSendsSQL = `
	WITH wanted AS (
		SELECT * FROM unnest($1::uuid[], $2::bigint[]) AS w(integration_id, span_us)
	),
	reserved AS (
		INSERT INTO zwatch_panel_budgets AS budget (integration_id, next_free_at, reserved_by, reserved_at)
		SELECT wanted.integration_id,
		       -- The span reaches DO UPDATE only as the difference of these
		       -- two times, so both read one clock.
		       clock.at + wanted.span_us * interval '1 microsecond' AS next_free_at,
		       $3::text AS reserved_by,
		       clock.at AS reserved_at
		FROM wanted
		CROSS JOIN LATERAL (SELECT clock_timestamp() AS at) clock
		ORDER BY wanted.integration_id
		ON CONFLICT (integration_id) DO UPDATE
		-- A last reservation in the future says the database's clock was
		-- set back since: what it reserved lies as far ahead, and every run
		-- would wait that long (for a clock a day fast, a day) to ask. The
		-- panel's clock is set back by as much, so that the send times
		-- reserved ahead of it keep their places.
		SET next_free_at = GREATEST(budget.next_free_at
		                            - GREATEST(budget.reserved_at - clock_timestamp(), interval '0'),
		                            clock_timestamp())
		                   + (excluded.next_free_at - excluded.reserved_at),
		    reserved_by = excluded.reserved_by,
		    reserved_at = clock_timestamp()
		RETURNING budget.integration_id, budget.next_free_at, budget.reserved_at
	)
	SELECT reserved.integration_id::text AS integration_id,
	       reserved.next_free_at - wanted.span_us * interval '1 microsecond' AS first_send_at,
	       reserved.reserved_at AS db_now,
	       statement_timestamp() AS db_start
	FROM reserved
	JOIN wanted ON wanted.integration_id = reserved.integration_id`

// SendsWanted asks for Count send times, Interval apart, on the budget of
// the panel of IntegrationID.
type SendsWanted struct {
	IntegrationID string
	Count         int
	Interval      time.Duration
}

// BudgetRowWait bounds a statement on the panels' budgets, which takes
// milliseconds: one that waits longer waits for a row another
// transaction holds (a person's, left open in psql), or for a database
// too slow to ask panels by, and would otherwise wait as long as the run
// may start requests, every panel's asking stopped without a word. A
// statement given up as it commits leaves its send times to lapse, a
// second of the panel's budget at most, as a killed run's do.
const BudgetRowWait = 2 * time.Second

// budgetRowHeld is err, said as what it most likely is when the statement
// ran out its BudgetRowWait while the caller's ctx was still live.
func budgetRowHeld(ctx, stmtCtx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || stmtCtx.Err() == nil {
		return err
	}
	return fmt.Errorf("the statement did not finish within %s: another transaction may hold a panel's row in zwatch_panel_budgets "+
		"(a person's, left open?), or the database is slow to answer: %w", BudgetRowWait, err)
}

// badConnTries is how many connections a reservation tries, one after
// another, while each turns out closed: database/sql's own number, with the
// last one new.
const badConnTries = 3

// ReserveSendsFor reserves, for runID, the send times wanted on each panel's
// budget, in one statement: panels whose workers ask at the same moment
// (a claim's orders, dealt out to many panels) reserve together rather than
// once each. The times may lie ahead of the database's now by as much as
// other runs have reserved before; the caller bounds that by reserving
// little at a time. The reservations come back in the order they were
// asked for; each panel may be asked for once.
func (s *Store) ReserveSendsFor(ctx context.Context, runID string, wanted []SendsWanted) ([]SendTimes, error) {
	ids := make([]string, len(wanted))
	spans := make([]int64, len(wanted))
	intervals := make([]time.Duration, len(wanted))
	// The statement answers with each id as PostgreSQL prints a uuid.
	asked := make(map[string]int, len(wanted)) // id, lower case -> index in wanted
	for k, w := range wanted {
		id := strings.ToLower(w.IntegrationID)
		if _, twice := asked[id]; twice {
			return nil, fmt.Errorf("reserving send times: integration %s asked for twice in one reservation", w.IntegrationID)
		}
		asked[id] = k
		if w.Count < 1 || w.Interval < time.Microsecond {
			return nil, fmt.Errorf("reserving send times: count %d and interval %s must be positive", w.Count, w.Interval)
		}
		// Whole microseconds, the database's resolution, so that the times
		// it returns are exactly Interval apart.
		intervals[k] = w.Interval.Round(time.Microsecond)
		ids[k] = w.IntegrationID
		spans[k] = int64(w.Count) * intervals[k].Microseconds()
	}
	var rows []struct {
		IntegrationID string    `db:"integration_id"`
		First         time.Time `db:"first_send_at"`
		Now           time.Time `db:"db_now"`
		Start         time.Time `db:"db_start"`
	}
	// One statement, not a transaction: the run reads the database's clock
	// off its round trip (DBNow), and BEGIN and COMMIT around it would put
	// that reading off by a round trip and a commit's flush, about as much
	// as the lateness a send time allows. On a connection already taken, so
	// that the trip timed is the statement's. Under a stricter default
	// isolation it may fail where another run moved the clock meanwhile,
	// and is sent again.
	var sent, received time.Time
	reserve := func() error {
		conn, err := s.db.Connx(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		rows = rows[:0]
		stmtCtx, cancel := context.WithTimeout(ctx, BudgetRowWait)
		defer cancel()
		sent = time.Now()
		err = conn.SelectContext(stmtCtx, &rows, reserveSendsSQL, pq.Array(ids), pq.Array(spans), runID)
		received = time.Now()
		return budgetRowHeld(ctx, stmtCtx, err)
	}
	err := s.againIfSerialization(func() (err error) {
		// A connection the pool kept that the server has closed since (a
		// restart, a failover, an idle timeout) fails before the statement
		// goes out. database/sql tries another for a statement on the
		// pool; on a connection taken, that is the caller's to do.
		for range badConnTries {
			if err = reserve(); !errors.Is(err, driver.ErrBadConn) {
				return err
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reserving send times on the panels' request budgets: %w", err)
	}
	held := make([]SendTimes, len(wanted))
	found := 0
	for _, row := range rows {
		if k, ok := asked[row.IntegrationID]; ok && held[k].Count == 0 {
			held[k] = SendTimes{First: row.First, Count: wanted[k].Count, Interval: intervals[k],
				DBStart: row.Start, DBNow: row.Now, Sent: sent, Received: received}
			found++
		}
	}
	if found != len(wanted) {
		return nil, fmt.Errorf("reserving send times: %d of %d panels' budgets answered", found, len(wanted))
	}
	return held, nil
}

// returnSendsSQL turns the panel's clock back to the first send time of a
// reservation's unused end, only if nobody has reserved after it (the clock
// still stands at the reservation's end): a time another run holds is never
// given out twice.
const returnSendsSQL = `
	UPDATE zwatch_panel_budgets
	SET next_free_at = GREATEST($2::timestamptz, clock_timestamp())
	WHERE integration_id = $1::uuid
	  AND next_free_at = $3::timestamptz`

// ReturnSends gives back the send times of a reservation from unusedFrom to
// its end, which the run will not use: the run is over. It reports whether
// they went back; they do not when another run has reserved since, and then
// they lapse within the second or so they cover.
func (s *Store) ReturnSends(ctx context.Context, integrationID string, unusedFrom, end time.Time) (bool, error) {
	var res sql.Result
	err := s.againIfSerialization(func() (err error) {
		stmtCtx, cancel := context.WithTimeout(ctx, BudgetRowWait)
		defer cancel()
		res, err = s.db.ExecContext(stmtCtx, returnSendsSQL, integrationID, unusedFrom, end)
		return budgetRowHeld(ctx, stmtCtx, err)
	})
	if err != nil {
		return false, fmt.Errorf("returning unused send times to the request budget of integration %s: %w", integrationID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
