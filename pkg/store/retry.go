package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// RetryStuckParams selects the stuck orders an operator sends back to
// polling.
type RetryStuckParams struct {
	// IntegrationID limits the retry to one znet integration; empty: all.
	IntegrationID string
}

// Retried is one stuck order that is polled again.
type Retried struct {
	OrderID     string `db:"order_id" json:"order_id"`
	OrderNo     *int64 `db:"order_no" json:"order_no,omitempty"`
	Integration string `db:"integration" json:"integration"`
}

// RetryStuck puts orders zwatch gave up on back into polling: due at once,
// with their attempts kept and a fresh give-up clock, and an event in the
// transition log saying so. Only orders that still wait for znet are
// retried (a stuck order staff decided meanwhile is theirs); orders a run
// or an operator's check holds right now are left alone.
//
// held counts the stuck orders it left alone: those still stuck after the
// retry, as its own transaction sees them.
func (s *Store) RetryStuck(ctx context.Context, p RetryStuckParams) (retried []Retried, held int, err error) {
	if err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &retried, retryStuckSQL, p.IntegrationID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &held, stillStuckSQL, p.IntegrationID)
	}); err != nil {
		return nil, 0, fmt.Errorf("retrying stuck orders: %w", err)
	}
	return retried, held, nil
}

// retryableSQL is a stuck order retry --stuck puts back, of the
// integration $1, or of any where $1 is empty, unless a check holds it.
var retryableSQL = stuckSQL + `
	  AND ` + orderPollableSQL + `
	  -- A disabled integration's orders are paused, not stuck (as list and
	  -- stats count them): no run would ask them.
	  AND i.enabled
	  AND ($1 = '' OR i.id::text = $1)`

// stillStuckSQL counts the orders retryableSQL names.
var stillStuckSQL = `
SELECT count(*)
FROM zwatch_order_checks c
JOIN product_orders o ON o.id = c.order_id
` + joinZnetSQL + `
WHERE ` + retryableSQL

// retryStuckSQL: $1 integration id, or empty for every znet integration.
var retryStuckSQL = `
WITH stuck AS (
	SELECT c.order_id, o."orderNo" AS order_no, o."externalStatus" AS external_status, i.name AS integration
	FROM zwatch_order_checks c
	JOIN product_orders o ON o.id = c.order_id
	` + joinZnetSQL + `
	WHERE ` + retryableSQL + `
	  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
	FOR UPDATE OF c SKIP LOCKED
),
retried AS (
	UPDATE zwatch_order_checks c
	SET given_up_at = NULL,
		first_checked_at = NULL,
		panel_failing_since = NULL,
		-- Brought back, the order is news again: a refusal of it counts
		-- towards its panel's failing (Order.LastResult).
		last_result = NULL,
		next_check_at = now()
	FROM stuck
	WHERE c.order_id = stuck.order_id
	RETURNING c.order_id
),
events AS (
	-- kind 'retried': an operator sent the order back to polling.
	INSERT INTO zwatch_order_events (order_id, kind, from_status, to_status)
	SELECT stuck.order_id, 'retried', stuck.external_status, stuck.external_status
	FROM stuck
	JOIN retried ON retried.order_id = stuck.order_id
)
SELECT stuck.order_id::text AS order_id, stuck.order_no, stuck.integration
FROM stuck
JOIN retried ON retried.order_id = stuck.order_id
ORDER BY stuck.order_no NULLS LAST, stuck.order_id`
