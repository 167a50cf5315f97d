package store

import (
	"context"
	"fmt"
	"time"
)

// A dealer panel's request budget is shared by every run on every host: the
// panel counts requests from the shop's IP, not from one run. Each panel has
// one row in zwatch_panel_budgets, a virtual clock (GCRA) whose next_free_at
// is the first send time nobody has reserved yet. A run reserves a few send
// times at once by moving that clock forward, in one UPDATE of one row, so
// the cost to the database is a fraction of a statement per request.
//
// Budget not used is gone: a reservation starts at the database's now when
// the clock has fallen behind it, so an idle panel never saves up a burst.

// SendTimes is one reservation on a panel's budget: Count send times,
// Interval apart, from First. They are on the database's clock; DBNow is
// that clock when the reservation was made, so that a run can place them on
// its own.
type SendTimes struct {
	First    time.Time
	Count    int
	Interval time.Duration
	DBNow    time.Time
}

// At is the i-th send time, counting from 0.
func (st SendTimes) At(i int) time.Time {
	return st.First.Add(time.Duration(i) * st.Interval)
}

// End is the first send time after the reservation: where the panel's clock
// stood right after it, unless another run has reserved since.
func (st SendTimes) End() time.Time { return st.At(st.Count) }

// reserveSendsSQL moves the panel's clock forward by the reservation's span,
// from where it stands or from now if it has fallen behind, and returns the
// reservation's first send time. The row is created on the panel's first
// reservation. clock_timestamp(), not now(): the time the row lock was
// granted, not when the statement began waiting for it.
const reserveSendsSQL = `
	INSERT INTO zwatch_panel_budgets AS budget (integration_id, next_free_at, reserved_by, reserved_at)
	SELECT $1::uuid AS integration_id,
	       clock_timestamp() + reservation.span AS next_free_at,
	       $3::text AS reserved_by,
	       clock_timestamp() AS reserved_at
	FROM (SELECT $2::bigint * interval '1 microsecond' AS span) AS reservation
	ON CONFLICT (integration_id) DO UPDATE
	SET next_free_at = GREATEST(budget.next_free_at, clock_timestamp()) + $2::bigint * interval '1 microsecond',
	    reserved_by = excluded.reserved_by,
	    reserved_at = clock_timestamp()
	RETURNING budget.next_free_at - $2::bigint * interval '1 microsecond' AS first_send_at,
	          budget.reserved_at AS db_now`

// ReserveSends reserves count send times, interval apart, on the budget of
// the panel of integrationID, for runID. The times may lie ahead of the
// database's now by as much as other runs have reserved before; the caller
// bounds that by reserving little at a time.
func (s *Store) ReserveSends(ctx context.Context, integrationID, runID string, count int, interval time.Duration) (SendTimes, error) {
	if count < 1 || interval < time.Microsecond {
		return SendTimes{}, fmt.Errorf("reserving send times: count %d and interval %s must be positive", count, interval)
	}
	// Whole microseconds, the database's resolution, so that the times it
	// returns are exactly Interval apart.
	interval = interval.Round(time.Microsecond)
	span := int64(count) * interval.Microseconds()
	var row struct {
		First time.Time `db:"first_send_at"`
		Now   time.Time `db:"db_now"`
	}
	if err := s.db.GetContext(ctx, &row, reserveSendsSQL, integrationID, span, runID); err != nil {
		return SendTimes{}, fmt.Errorf("reserving send times on the request budget of integration %s: %w", integrationID, err)
	}
	return SendTimes{First: row.First, Count: count, Interval: interval, DBNow: row.Now}, nil
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
	res, err := s.db.ExecContext(ctx, returnSendsSQL, integrationID, unusedFrom, end)
	if err != nil {
		return false, fmt.Errorf("returning unused send times to the request budget of integration %s: %w", integrationID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
