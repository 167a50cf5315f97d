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
// It is one short transaction of three statements and holds no lock once it
// returns: the claim is a lease written into zwatch_order_checks, so znet can
// be asked with no transaction open. Runs overlapping on one host or on many
// never claim the same order, because claiming locks zwatch's bookkeeping
// rows with FOR UPDATE SKIP LOCKED and skips rows whose lease still runs.
func (s *Store) Claim(ctx context.Context, p ClaimParams) ([]Order, error) {
	if p.Limit <= 0 {
		return nil, nil
	}
	var orders []Order
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if p.Register > 0 {
			if _, err := tx.ExecContext(ctx, retireSQL); err != nil {
				return fmt.Errorf("retiring orders that left the pollable set: %w", err)
			}
			if _, err := tx.ExecContext(ctx, registerSQL, p.FirstDelay.Seconds(), p.Register); err != nil {
				return fmt.Errorf("registering newly sent orders: %w", err)
			}
		}
		if err := tx.SelectContext(ctx, &orders, claimSQL, p.RunID, p.Limit, p.Lease.Seconds()); err != nil {
			return fmt.Errorf("claiming due orders: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return orders, nil
}

// retireSQL marks orders that are no longer zwatch's business (final, decided
// by staff, moved to another provider, referans removed) so they leave the
// due index. Orders of a disabled znet integration are not retired: they are
// polled again when it is switched back on. Rows another run holds are
// skipped, not waited for.
const retireSQL = `
WITH gone AS (
	SELECT c.order_id
	FROM zwatch_order_checks c
	WHERE c.finished_at IS NULL
	  AND c.given_up_at IS NULL
	  AND c.next_check_at <= now()
	  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
	  AND NOT EXISTS (
		SELECT 1
		FROM product_orders o
		` + joinZnetSQL + `
		WHERE o.id = c.order_id AND ` + orderPollableSQL + `
	  )
	FOR UPDATE OF c SKIP LOCKED
)
UPDATE zwatch_order_checks c
SET finished_at = now()
FROM gone
WHERE c.order_id = gone.order_id`

// registerSQL gives a bookkeeping row to the oldest pollable orders zwatch
// has not seen yet, due FirstDelay after they were sent. Registering at most
// as many as the run will claim is enough: any order past those is due later
// than all of them, so the claim could not pick it anyway.
//
// An order zwatch retired or gave up on and that the shop has since sent
// again (sentAt after that moment) starts over. The WHERE on DO UPDATE makes
// a second run that raced to register the same order a no-op instead of
// wiping the first run's fresh claim.
const registerSQL = `
INSERT INTO zwatch_order_checks (order_id, next_check_at)
SELECT o.id, ` + sentAtSQL + ` + make_interval(secs => $1)
FROM product_orders o
` + joinZnetSQL + `
WHERE ` + pollableSQL + `
  AND ` + sentAtSQL + ` <= now() - make_interval(secs => $1)
  AND NOT EXISTS (
	SELECT 1
	FROM zwatch_order_checks c
	WHERE c.order_id = o.id
	  AND COALESCE(c.finished_at, c.given_up_at, 'infinity') >= ` + sentAtSQL + `
  )
ORDER BY ` + sentAtSQL + `
LIMIT $2
ON CONFLICT (order_id) DO UPDATE
SET attempts = 0,
	first_checked_at = NULL,
	last_checked_at = NULL,
	next_check_at = EXCLUDED.next_check_at,
	claimed_by = NULL,
	claim_expires_at = NULL,
	last_result = NULL,
	last_error = NULL,
	given_up_at = NULL,
	finished_at = NULL
WHERE zwatch_order_checks.finished_at IS NOT NULL
   OR zwatch_order_checks.given_up_at IS NOT NULL`

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
	if len(orderIDs) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE zwatch_order_checks
		SET claimed_by = NULL, claim_expires_at = NULL
		WHERE claimed_by = $1 AND order_id = ANY($2::uuid[])`,
		runID, pq.Array(orderIDs))
	if err != nil {
		return fmt.Errorf("releasing %d unasked orders: %w", len(orderIDs), err)
	}
	return nil
}

// Due lists what a claim would take now, without writing anything: the
// dry run's view. Orders zwatch has never seen count as due FirstDelay after
// they were sent.
func (s *Store) Due(ctx context.Context, firstDelay time.Duration, limit int) ([]Order, error) {
	var orders []Order
	err := s.db.SelectContext(ctx, &orders, `
		SELECT `+orderColumnsSQL+`
		FROM product_orders o
		`+joinZnetSQL+`
		LEFT JOIN zwatch_order_checks c
		       ON c.order_id = o.id AND c.finished_at IS NULL AND c.given_up_at IS NULL
		WHERE `+pollableSQL+`
		  AND CASE
			WHEN c.order_id IS NULL THEN
				`+sentAtSQL+` <= now() - make_interval(secs => $1)
				AND NOT EXISTS (
					SELECT 1 FROM zwatch_order_checks r
					WHERE r.order_id = o.id
					  AND COALESCE(r.finished_at, r.given_up_at) >= `+sentAtSQL+`)
			ELSE c.next_check_at <= now()
				AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
		  END
		ORDER BY COALESCE(c.next_check_at, `+sentAtSQL+` + make_interval(secs => $1))
		LIMIT $2`, firstDelay.Seconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("listing due orders: %w", err)
	}
	return orders, nil
}
