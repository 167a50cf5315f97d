package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// A claim is a lease on zwatch's bookkeeping row: claimed_by names the run,
// claim_expires_at says until when. A run keeps its leases short and renews
// those it still holds, so that the claims of a run that died (SIGKILL, a
// lost host) lapse within a minute, while a live run never loses an order it
// is still about to ask about.

// RenewClaims extends, to lease from now, the claims runID still holds on
// orderIDs. A claim that lapsed but that no other run took is still this
// run's, and is renewed too: after a database outage the run carries on
// with what it holds. It returns the orders whose claims were renewed.
func (s *Store) RenewClaims(ctx context.Context, runID string, orderIDs []string, lease time.Duration) ([]string, error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	var renewed []string
	// A row another transaction holds is skipped, but a lock on the table
	// (LOCK TABLE, VACUUM FULL) stops the statement itself: unbounded, it
	// kept a run whose work was done waiting until its last deadline, a
	// minute and a half past cron's minute (helper-353). The next
	// heartbeat tries again.
	err := s.inTxWaiting(ctx, renewLockWait, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &renewed, renewClaimsSQL, runID, pq.Array(orderIDs), lease.Seconds())
	})
	if err != nil {
		return nil, fmt.Errorf("renewing the claims on %s: %w", counted(len(orderIDs), "order"), lockWaitGivenUp(err))
	}
	return renewed, nil
}

// ClaimStillOurs renews runID's claim on one order, and says whether the
// claim is still the run's. Unlike RenewClaims it waits (1 s at most) for
// a row another transaction holds, the run's own heartbeat among them: a
// row skipped is not a claim lost. A wait given up on is an error.
func (s *Store) ClaimStillOurs(ctx context.Context, runID, orderID string, lease time.Duration) (bool, error) {
	var renewed []string
	err := s.inTxWaiting(ctx, renewLockWait, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &renewed, `
			UPDATE zwatch_order_checks
			SET claim_expires_at = now() + make_interval(secs => $3)
			WHERE order_id = $2::uuid AND claimed_by = $1
			RETURNING order_id::text`, runID, orderID, lease.Seconds())
	})
	if err != nil {
		return false, fmt.Errorf("checking the claim on order %s: %w", orderID, err)
	}
	return len(renewed) == 1, nil
}

// renewLockWait is how long renewing claims waits for a lock.
const renewLockWait = "1s"

// renewClaimsSQL: $1 run id, $2 order ids, $3 lease in seconds.
//
// The rows are locked in the order of their ids, and a row the run's own
// applier holds (it is saving that order's answer, which ends the claim
// anyway) is skipped, not waited for: renewing and saving lock the same
// rows from two goroutines, and in any other order they deadlocked.
const renewClaimsSQL = `
WITH ` + freeClaimsSQL + `
UPDATE zwatch_order_checks c
SET claim_expires_at = now() + make_interval(secs => $3)
FROM free
WHERE c.order_id = free.order_id
RETURNING c.order_id::text`

// ReleaseParams names claims a run gives back without having asked znet.
type ReleaseParams struct {
	RunID    string
	OrderIDs []string
	// Wait keeps the orders from being due again for at least this long;
	// zero makes them due at once.
	Wait time.Duration
	// PanelFailing says the orders are released because their dealer panel
	// is failing: their give-up clocks stop until they are next claimed.
	PanelFailing bool
}

// ReleaseClaims hands back claims without counting an attempt. A row
// another transaction holds is not waited for (see RowsHeldNote): its
// claim lapses by itself within the lease, and the order is returned in
// held, for the caller to say so.
func (s *Store) ReleaseClaims(ctx context.Context, p ReleaseParams) (held []string, err error) {
	if len(p.OrderIDs) == 0 {
		return nil, nil
	}
	held, err = onRowsFree(ctx, p.OrderIDs, func(ids []string) (held []string, err error) {
		err = s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
			return tx.SelectContext(ctx, &held, releaseClaimsSQL, p.RunID, pq.Array(ids), p.Wait.Seconds(), p.PanelFailing)
		})
		return held, err
	})
	if err != nil {
		return nil, fmt.Errorf("releasing %s: %w", counted(len(p.OrderIDs), "claim"), err)
	}
	return held, nil
}

// onRowsFree runs statement over the orders ids, and once more, a moment
// later, over those whose rows it found held: the run's own heartbeat
// holds them for a moment, and a claim left to lapse for that would keep
// its order waiting 45 s, with a line blaming a person. It returns the
// orders held both times.
func onRowsFree(ctx context.Context, ids []string, statement func(ids []string) (held []string, err error)) ([]string, error) {
	held, err := statement(ids)
	if err != nil || len(held) == 0 {
		return held, err
	}
	select {
	case <-ctx.Done():
		return held, nil
	case <-time.After(heldAgainAfter):
	}
	return statement(held)
}

// heldAgainAfter is how long onRowsFree waits before trying held rows
// again: many times a heartbeat's transaction, which holds its rows for
// milliseconds.
const heldAgainAfter = 100 * time.Millisecond

// RowsHeldNote says why orders' claims or give-up clocks were left as they
// were (see below), for the caller's line.
const RowsHeldNote = "another transaction holds the orders' rows in zwatch_order_checks (a person's transaction left open on zwatch's table?)"

// Rows of zwatch_order_checks that another transaction holds are skipped,
// not waited for, by the statements that hand claims back or stop give-up
// clocks. A run holds such a row for milliseconds (its heartbeat); a
// longer hold is a person's transaction left open on zwatch's table, and
// waiting on it stalled the run's saving of every other order's answer,
// kept the others' claims from going back, and took the run past
// --max-duration, to fail at its deadline.
//
// Each statement returns the orders it would have changed but skipped:
// those of $1's claims (or, for the clocks, the unclaimed orders) that
// the statement's snapshot has and that the update did not reach.

// freeClaimsSQL, a statement's first CTE, locks the rows of run $1's
// claims among the orders $2 that no other transaction holds, in the
// order of their ids (renewClaimsSQL says why); the update after it
// changes those, and claimsLeftSQL picks, in the statement's snapshot,
// the run's claims among $2 that the update (named released) did not
// reach.
const (
	freeClaimsSQL = `free AS (
	SELECT c.order_id
	FROM zwatch_order_checks c
	WHERE c.order_id = ANY($2::uuid[])
	  AND c.claimed_by = $1
	ORDER BY c.order_id
	FOR UPDATE SKIP LOCKED
)`
	claimsLeftSQL = `c.order_id = ANY($2::uuid[])
  AND c.claimed_by = $1
  AND c.order_id NOT IN (SELECT order_id FROM released)`
	// claimsLeftListSQL ends a release statement that returns nothing else:
	// the claims claimsLeftSQL picks, in the order of their ids.
	claimsLeftListSQL = `SELECT c.order_id::text
FROM zwatch_order_checks c
WHERE ` + claimsLeftSQL + `
ORDER BY c.order_id`
)

// releaseClaimsSQL: $1 run id, $2 order ids, $3 wait in seconds, $4 whether
// the orders' panel is failing.
const releaseClaimsSQL = `
WITH ` + freeClaimsSQL + `, released AS (
	UPDATE zwatch_order_checks c
	SET claimed_by = NULL,
		claim_expires_at = NULL,
		next_check_at = GREATEST(c.next_check_at, now() + make_interval(secs => $3)),
		panel_failing_since = CASE WHEN $4::boolean
			THEN COALESCE(c.panel_failing_since, now())
			ELSE c.panel_failing_since END
	FROM free
	WHERE c.order_id = free.order_id
	RETURNING c.order_id
)
` + claimsLeftListSQL

// ReleaseUnsaved hands back the claims of orders whose answers the database
// did not take to the end of a run (a shop trigger's exception, a
// constraint, a grant missing), due again at once as ReleaseClaims leaves
// them: behind the orders already due, not at the head of every claim
// while the refusal lasts, with the panel's requests spent on them first.
// Unlike an order released unasked, each counts the attempt and
// starts its give-up clock, since znet was asked (a request of the panel's
// budget spent), and keeps why in last_error: notes, one for each of
// orderIDs, masked of PINs by the caller. So `list` shows an order whose
// answers are refused run after run as asked, and why, not as one never
// tried. Only zwatch's own table is written: the shop's row is what
// refused. Orders whose row of zwatch_order_checks another transaction
// holds are returned in held, as ReleaseClaims does.
func (s *Store) ReleaseUnsaved(ctx context.Context, runID string, orderIDs, notes []string) (held []string, err error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	fitter := s.encodingFitter(ctx)
	noteOf := make(map[string]string, len(orderIDs))
	for k, id := range orderIDs {
		// One line: a trigger's message may hold line breaks, and list and
		// the cron mail that quotes it show it as one.
		noteOf[id] = fitter.fit(oneLine(notes[k]), lastErrorLen)
	}
	held, err = onRowsFree(ctx, orderIDs, func(ids []string) (held []string, err error) {
		idNotes := make([]string, len(ids))
		for k, id := range ids {
			idNotes[k] = noteOf[id]
		}
		err = s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
			return tx.SelectContext(ctx, &held, releaseUnsavedSQL, runID, pq.Array(ids), pq.Array(idNotes))
		})
		return held, err
	})
	if err != nil {
		return nil, fmt.Errorf("releasing %s of unsaved answers: %w", counted(len(orderIDs), "claim"), err)
	}
	return held, nil
}

// oneLine is text as one line: its line breaks, Unicode's too, "; " as an
// error line writes them, a tab a space, and other control characters
// (a terminal's escapes) left out.
func oneLine(text string) string {
	text = lineBreaks.Replace(strings.TrimSpace(text))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, text)
}

var lineBreaks = strings.NewReplacer("\r\n", "; ", "\n", "; ", "\r", "; ", "\v", "; ", "\f", "; ", "\u0085", "; ", "\u2028", "; ", "\u2029", "; ")

// releaseUnsavedSQL: $1 run id, $2 order ids, $3 their notes for
// last_error, in the same order.
const releaseUnsavedSQL = `
WITH ` + freeClaimsSQL + `, released AS (
	UPDATE zwatch_order_checks c
	SET claimed_by = NULL,
		claim_expires_at = NULL,
		attempts = c.attempts + 1,
		first_checked_at = COALESCE(c.first_checked_at, now()),
		last_checked_at = now(),
		next_check_at = GREATEST(c.next_check_at, now()),
		last_error = notes.note
	FROM free
	JOIN unnest($2::uuid[], $3::text[]) AS notes(order_id, note) ON notes.order_id = free.order_id
	WHERE c.order_id = free.order_id
	RETURNING c.order_id
)
` + claimsLeftListSQL

// ShopHeld is an order whose answer a transaction of the shop kept zwatch
// from saving, and since when zwatch has met its row held.
type ShopHeld struct {
	OrderID string `db:"order_id"`
	// For is how long, on the database's clock.
	For time.Duration `db:"-"`
	// HeldSeconds is For as the statement reads it.
	HeldSeconds float64 `db:"held_seconds"`
}

// ReleaseShopHeld hands back the claims of orders whose row a transaction
// of the shop held to the end of the run, without counting an attempt:
// the next run asks again, at once the first time. It keeps when zwatch
// first met each row held (cleared when an answer is saved) and the reason
// in last_error, puts the next check off the longer the row stays held (up
// to maxWait), and returns the orders held for longer than alarm: a
// transaction left open, or row-level security that lets zwatch read the
// order but not update it, which no retry will get past. Orders whose
// row of zwatch_order_checks another transaction holds are returned in
// held, as ReleaseClaims does.
//
// lastResults, beside orderIDs, are the answers' results
// (Outcome.LastResult), booked in last_result as a saved answer books
// them: the next run must know what znet said last, or a refusal said
// again counts as news towards the panel's failing, and an answer after
// a refusal as none. "" leaves last_result as it is.
func (s *Store) ReleaseShopHeld(ctx context.Context, runID string, orderIDs, lastResults []string, alarm, maxWait time.Duration) (heldLong []ShopHeld, held []string, err error) {
	if len(orderIDs) == 0 {
		return nil, nil, nil
	}
	resultOf := make(map[string]string, len(orderIDs))
	for k, id := range orderIDs {
		resultOf[id] = lastResults[k]
	}
	var rows []struct {
		ShopHeld
		RowHeld bool `db:"row_held"`
	}
	held, err = onRowsFree(ctx, orderIDs, func(ids []string) (held []string, err error) {
		rows = rows[:0]
		idResults := make([]string, len(ids))
		for k, id := range ids {
			idResults[k] = resultOf[id]
		}
		err = s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
			return tx.SelectContext(ctx, &rows, releaseShopHeldSQL, runID, pq.Array(ids), alarm.Seconds(), maxWait.Seconds(), pq.Array(idResults))
		})
		for _, r := range rows {
			if r.RowHeld {
				held = append(held, r.OrderID)
				continue
			}
			r.For = time.Duration(r.HeldSeconds * float64(time.Second))
			heldLong = append(heldLong, r.ShopHeld)
		}
		return held, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("releasing %s of orders the shop held: %w", counted(len(orderIDs), "claim"), err)
	}
	return heldLong, held, nil
}

// releaseShopHeldSQL: $1 run id, $2 order ids, $3 alarm in seconds, $4 the
// longest wait before asking again, in seconds, $5 the last results to
// book, beside $2 (an empty one books none).
const releaseShopHeldSQL = `
WITH ` + freeClaimsSQL + `, released AS (
	UPDATE zwatch_order_checks c
	SET claimed_by = NULL,
		last_result = COALESCE(NULLIF(answers.last_result, ''), c.last_result),
		claim_expires_at = NULL,
		-- An order given up on (check --order asks it) keeps why it is
		-- stuck, and no run asks it: no run is to wait on its row.
		shop_held_since = CASE WHEN c.given_up_at IS NULL THEN COALESCE(c.shop_held_since, now()) END,
		-- Due again after half as long as the row has been held, up to
		-- the 30-minute floor: at once the first time (a shop transaction
		-- is usually over in a moment), and a row held for good (every
		-- order, under row-level security) does not cost the panel a
		-- request an order every run.
		next_check_at = GREATEST(c.next_check_at,
			now() + LEAST(make_interval(secs => $4), (now() - COALESCE(c.shop_held_since, now())) / 2)),
		last_error = CASE WHEN c.given_up_at IS NULL THEN ` + shopHeldNoteSQL + ` ELSE c.last_error END
	FROM free
	JOIN unnest($2::uuid[], $5::text[]) AS answers(order_id, last_result) ON answers.order_id = free.order_id
	WHERE c.order_id = free.order_id
	RETURNING c.order_id, c.shop_held_since
)
SELECT order_id::text AS order_id, extract(epoch FROM now() - shop_held_since)::float8 AS held_seconds, false AS row_held
FROM released
WHERE shop_held_since < now() - make_interval(secs => $3)
UNION ALL
SELECT c.order_id::text, 0, true
FROM zwatch_order_checks c
WHERE ` + claimsLeftSQL + `
ORDER BY 1`

// shopHeldNoteSQL is last_error of an order whose row the shop held, for
// list and stats to show.
const shopHeldNoteSQL = `'znet answered, but a transaction of the shop held the order''s row, so the answer was not saved ' ||
	'(a transaction left open, or row-level security that lets zwatch read the order but not update it?)'`

// StopGiveUpClocks stops the give-up clocks of orders of a panel a run
// found failing: those whose faults made it so, and those the run held but
// could not ask before it ended. None holds a claim by then (their answers
// are saved, their claims released); an order another run has claimed
// since, or that is final or stuck, is left alone. Orders whose row
// another transaction holds are returned in held: their clocks run on.
func (s *Store) StopGiveUpClocks(ctx context.Context, orderIDs []string) (held []string, err error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	held, err = onRowsFree(ctx, orderIDs, func(ids []string) (held []string, err error) {
		err = s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
			return tx.SelectContext(ctx, &held, stopGiveUpClocksSQL, pq.Array(ids))
		})
		return held, err
	})
	if err != nil {
		return nil, fmt.Errorf("stopping the give-up clocks of %s of a failing panel: %w", counted(len(orderIDs), "order"), err)
	}
	return held, nil
}

// stopGiveUpClocksSQL: $1 order ids.
const stopGiveUpClocksSQL = `
WITH free AS (
	SELECT c.order_id
	FROM zwatch_order_checks c
	WHERE c.order_id = ANY($1::uuid[])
	  AND c.claimed_by IS NULL
	  AND c.finished_at IS NULL
	  AND c.given_up_at IS NULL
	ORDER BY c.order_id
	FOR UPDATE SKIP LOCKED
), stopped AS (
	UPDATE zwatch_order_checks c
	SET panel_failing_since = COALESCE(c.panel_failing_since, now())
	FROM free
	WHERE c.order_id = free.order_id
	RETURNING c.order_id
)
SELECT c.order_id::text
FROM zwatch_order_checks c
WHERE c.order_id = ANY($1::uuid[])
  AND c.claimed_by IS NULL
  AND c.finished_at IS NULL
  AND c.given_up_at IS NULL
  AND c.order_id NOT IN (SELECT order_id FROM stopped)
ORDER BY c.order_id`

// Reachable says whether the database answers at all: it tells a database
// that is down from one that refuses particular orders' answers.
func (s *Store) Reachable(ctx context.Context) error {
	return s.db.PingContext(ctx)
}
