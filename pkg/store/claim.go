package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ClaimParams bounds one claim.
type ClaimParams struct {
	RunID string // written into claimed_by; releases and applies name it
	Limit int    // orders at most
	// Register is how many newly sent orders to enter into zwatch's table
	// first. A run claiming a large batch in chunks registers once, with
	// the first chunk; zero skips registering (and retiring).
	Register int
	// FirstDelay is how long after sentAt an order zwatch has never seen
	// becomes due: znet rarely finishes in the first seconds.
	FirstDelay time.Duration
	// Lease is how long the claim holds if this run dies without releasing
	// it. It must outlast the run, or a second run would ask again.
	Lease time.Duration
}

// Claim takes up to p.Limit due orders, oldest due first, for this run alone.
//
// It is one short transaction of a few statements and holds no lock once it
// returns: the claim is a lease written into zwatch_order_checks, so znet can
// be asked with no transaction open. Runs overlapping on one host or on many
// never claim the same order, because claiming locks zwatch's bookkeeping
// rows with FOR UPDATE SKIP LOCKED and skips rows whose lease still runs.
func (s *Store) Claim(ctx context.Context, p ClaimParams) ([]Order, error) {
	claimed, err := s.ClaimBatch(ctx, p)
	return claimed.Orders, err
}

// Claimed is what one claim took.
type Claimed struct {
	Orders []Order
	// MoreDue says that due orders may be left even though the claim took
	// fewer than it asked for: registering hit its limit, or lost a race
	// with another run registering the same new orders, which that run has
	// committed by now for anyone to claim.
	MoreDue bool
}

// ClaimBatch is Claim, and says whether more may be due.
func (s *Store) ClaimBatch(ctx context.Context, p ClaimParams) (Claimed, error) {
	var claimed Claimed
	if p.Limit <= 0 {
		return claimed, nil
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if p.Register > 0 {
			if _, err := tx.ExecContext(ctx, retireSQL); err != nil {
				return fmt.Errorf("retiring orders that left the pollable set: %w", err)
			}
			if _, err := tx.ExecContext(ctx, purgeSQL, FinishedKeptFor.Seconds()); err != nil {
				return fmt.Errorf("deleting the bookkeeping of long-finished orders: %w", err)
			}
			if _, err := tx.ExecContext(ctx, reviveSQL, p.FirstDelay.Seconds()); err != nil {
				return fmt.Errorf("reviving orders that are pollable again: %w", err)
			}
			var reg struct {
				Found    int `db:"found"`
				Inserted int `db:"inserted"`
			}
			if err := tx.GetContext(ctx, &reg, registerSQL, p.FirstDelay.Seconds(), p.Register); err != nil {
				return fmt.Errorf("registering newly sent orders: %w", err)
			}
			claimed.MoreDue = reg.Found == p.Register || reg.Inserted < reg.Found
		}
		if err := tx.SelectContext(ctx, &claimed.Orders, claimSQL, p.RunID, p.Limit, p.Lease.Seconds()); err != nil {
			return fmt.Errorf("claiming due orders: %w", err)
		}
		return nil
	})
	if err != nil {
		return Claimed{}, err
	}
	return claimed, nil
}

// retireSQL marks orders that are no longer zwatch's business (final, decided
// by staff, moved to another provider, referans removed) so they leave the
// due index. Orders of a disabled znet integration are not retired: they are
// polled again when it is switched back on. Rows another run holds are
// skipped, not waited for.
//
// Each due row looks its order up by primary key (outer joins, so that the
// pollable index cannot be used): written as NOT EXISTS over the pollable
// index, a planner that misjudged that index's size scanned all of it once
// per due row.
const retireSQL = `
WITH gone AS (
	SELECT c.order_id
	FROM zwatch_order_checks c
	LEFT JOIN product_orders o ON o.id = c.order_id
	LEFT JOIN integrations i ON i.id::text = lower(btrim(o."providerId")) AND i.provider = 'znet'
	WHERE c.finished_at IS NULL
	  AND c.given_up_at IS NULL
	  AND c.next_check_at <= now()
	  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
	  AND NOT COALESCE(i.id IS NOT NULL AND ` + orderPollableSQL + `, false)
	FOR UPDATE OF c SKIP LOCKED
)
UPDATE zwatch_order_checks c
SET finished_at = now()
FROM gone
WHERE c.order_id = gone.order_id`

// FinishedKeptFor is how long zwatch keeps an order's bookkeeping row after
// it finished with the order. Within it, an order staff reopen carries on
// with its attempts and give-up clock; after it, such an order starts over.
// Deleting the rows keeps zwatch_order_checks the size of the work, not of
// the shop's history, and so keeps every claim's lookups in it cheap.
const FinishedKeptFor = 7 * 24 * time.Hour

// purgeSQL deletes a bounded number of long-finished rows per claim, so that
// no claim ever does a large delete; rows another run holds are skipped.
const purgeSQL = `
DELETE FROM zwatch_order_checks c
WHERE c.order_id IN (
	SELECT order_id
	FROM zwatch_order_checks
	WHERE finished_at < now() - make_interval(secs => $1)
	ORDER BY finished_at
	LIMIT 1000
	FOR UPDATE SKIP LOCKED
)`

// reviveSQL brings back orders zwatch had finished with that are pollable
// again: staff undid a decision, or the shop sent the order again. A re-sent
// order (sentAt after zwatch finished or gave up) starts over, due
// FirstDelay after it was sent; one that merely came back is due at once and
// keeps its attempts and its give-up clock. An order zwatch gave up on stays
// given up until the shop sends it again. Rows another run or an operator's
// check holds are left alone.
const reviveSQL = reviveHeadSQL + reviveTailSQL

// reviveOrderSQL is reviveSQL for the one order $2.
const reviveOrderSQL = reviveHeadSQL + ` AND o.id = $2` + reviveTailSQL

const reviveHeadSQL = `
WITH back AS (
	SELECT c.order_id,
	       ` + sentAtSQL + ` > COALESCE(c.given_up_at, c.finished_at) AS resent,
	       ` + sentAtSQL + ` + make_interval(secs => $1) AS due
	FROM product_orders o
	` + joinZnetSQL + `
	JOIN zwatch_order_checks c ON c.order_id = o.id
	WHERE ` + pollableSQL + `
	  AND (c.finished_at IS NOT NULL OR c.given_up_at < ` + sentAtSQL + `)
	  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())`

const reviveTailSQL = `
	FOR UPDATE OF c SKIP LOCKED
)
UPDATE zwatch_order_checks c
SET finished_at = NULL,
	given_up_at = NULL,
	next_check_at = CASE WHEN back.resent THEN back.due ELSE now() END,
	attempts = CASE WHEN back.resent THEN 0 ELSE c.attempts END,
	first_checked_at = CASE WHEN back.resent THEN NULL ELSE c.first_checked_at END,
	last_result = CASE WHEN back.resent THEN NULL ELSE c.last_result END,
	last_error = CASE WHEN back.resent THEN NULL ELSE c.last_error END
FROM back
WHERE c.order_id = back.order_id`

// registerSQL gives a bookkeeping row to the oldest pollable orders zwatch
// has never seen, due FirstDelay after they were sent. Registering about as
// many as the claim takes is enough: any order past those is due later than
// all of them, so the claim could not pick it anyway. Orders sent in one
// shop transaction share sentAt; the id orders them the same way in every
// run, so that two runs registering at once cannot deadlock.
//
// A panel zwatch has learned (zwatch_panel_fits.first_check_s, issue 11) has
// its orders first asked when its plan says, not FirstDelay after sentAt.
const registerSQL = `
WITH found AS (
	SELECT o.id, ` + sentAtSQL + ` + make_interval(secs => COALESCE(pf.first_check_s, $1)) AS due
	FROM product_orders o
	` + joinZnetSQL + `
	LEFT JOIN zwatch_panel_fits pf ON pf.integration_id = i.id
	WHERE ` + pollableSQL + `
	  AND ` + sentAtSQL + ` <= now() - make_interval(secs => COALESCE(pf.first_check_s, $1))
	  AND NOT EXISTS (SELECT 1 FROM zwatch_order_checks c WHERE c.order_id = o.id)
	ORDER BY ` + sentAtSQL + `, o.id
	LIMIT $2
),
inserted AS (
	INSERT INTO zwatch_order_checks (order_id, next_check_at)
	SELECT id, due FROM found
	ON CONFLICT (order_id) DO NOTHING
	RETURNING 1
)
SELECT (SELECT count(*) FROM found) AS found, (SELECT count(*) FROM inserted) AS inserted`

// claimSQL leases the due orders. The pollable join is repeated here, not
// trusted from registration, so that an order staff decided a second ago is
// not asked about.
const claimSQL = `
WITH due AS (
	SELECT c.order_id
	FROM zwatch_order_checks c
	JOIN product_orders o ON o.id = c.order_id
	` + joinZnetSQL + `
	WHERE c.finished_at IS NULL
	  AND c.given_up_at IS NULL
	  AND c.next_check_at <= now()
	  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
	  AND ` + pollableSQL + `
	ORDER BY c.next_check_at
	LIMIT $2
	FOR UPDATE OF c SKIP LOCKED
)
UPDATE zwatch_order_checks c
SET claimed_by = $1,
	claim_expires_at = now() + make_interval(secs => $3)
FROM due, product_orders o
` + joinZnetSQL + `
WHERE c.order_id = due.order_id
  AND o.id = c.order_id
RETURNING ` + orderColumnsSQL

// Release hands back claims this run took but did not use, without counting
// an attempt: the orders are due again at once for the next run.
func (s *Store) Release(ctx context.Context, runID string, orderIDs []string) error {
	return s.ReleaseFor(ctx, runID, orderIDs, 0)
}

// ReleaseFor hands back unused claims like Release, but leaves the orders
// alone for at least wait. A run releases the orders of a dealer panel it cut
// off this way: were they due again at once, the next run would claim the
// same broken panel's orders first, oldest due first, and never reach the
// other tenants' orders.
func (s *Store) ReleaseFor(ctx context.Context, runID string, orderIDs []string, wait time.Duration) error {
	if len(orderIDs) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE zwatch_order_checks
		SET claimed_by = NULL,
			claim_expires_at = NULL,
			next_check_at = GREATEST(next_check_at, now() + make_interval(secs => $3))
		WHERE claimed_by = $1 AND order_id = ANY($2::uuid[])`,
		runID, pq.Array(orderIDs), wait.Seconds())
	if err != nil {
		return fmt.Errorf("releasing %d unasked orders: %w", len(orderIDs), err)
	}
	return nil
}

// Due lists what a claim would take now, without writing anything: the
// dry run's view. Orders zwatch has never seen, or had finished with and
// that are pollable again, count as registering and reviving would count
// them.
func (s *Store) Due(ctx context.Context, firstDelay time.Duration, limit int) ([]Order, error) {
	var orders []Order
	err := s.db.SelectContext(ctx, &orders, `
		SELECT `+orderColumnsSQL+`
		FROM product_orders o
		`+joinZnetSQL+`
		LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
		WHERE `+pollableSQL+`
		  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
		  AND CASE
			WHEN c.order_id IS NULL THEN
				`+sentAtSQL+` <= now() - make_interval(secs => $1)
			WHEN c.finished_at IS NULL AND c.given_up_at IS NULL THEN
				c.next_check_at <= now()
			ELSE
				c.finished_at IS NOT NULL OR c.given_up_at < `+sentAtSQL+`
		  END
		ORDER BY COALESCE(c.next_check_at, `+sentAtSQL+` + make_interval(secs => $1))
		LIMIT $2`, firstDelay.Seconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("listing due orders: %w", err)
	}
	return orders, nil
}
