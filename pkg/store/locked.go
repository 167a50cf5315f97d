package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LockedDue is a due order whose row of zwatch_order_checks a transaction
// held as LockedDueOrders looked: no claim takes it (they skip locked
// rows), so it is not asked while that transaction lasts.
type LockedDue struct {
	OrderID  string `db:"order_id"`
	OrderNo  *int64 `db:"order_no"`
	Referans string `db:"referans"`
	// Version is the row's version as last committed (its xmin): the same
	// at two looks, nothing changed the row between them, which a claim
	// holding it for a moment would have.
	Version    string    `db:"version"`
	DueSince   time.Time `db:"due_since"`
	LookedAtDB time.Time `db:"looked_at"`
}

// lockedDuePerPanel bounds the orders one look tests of each panel: its
// longest due. A transaction holding a row holds it from the claims from
// the moment it falls due, and the orders due before it on its panel are
// asked meanwhile, so it soon becomes one of its panel's longest due. Per
// panel, as the claims pass over a panel with a backlog: another panel's,
// due longer, would fill the look. A person's UPDATE over many rows is
// told by its first few.
const lockedDuePerPanel = 5

// lockedDueAfter is how long an order must have been due to be looked at:
// one due now may be in another run's claim at this very moment.
const lockedDueAfter = time.Minute

// lockedDueSQL finds, of each panel and of all, the longest-due orders
// that no run has claimed and that a transaction holds. It reads zwatch's due index by
// panel without a lock (one probe a panel, for the integrations table's
// handful of rows, one for the orders whose row names none, and one of the
// due index for the longest due of all), then
// tries the rows' locks as a claim does, FOR UPDATE SKIP LOCKED: a row it
// skips is one a claim would skip, whatever lock its holder took (an
// UPDATE, SELECT ... FOR SHARE or FOR KEY SHARE, a foreign key of a table
// of the holder's). The rows it finds free are locked until its COMMIT,
// a moment later, and a claim meeting them meanwhile skips them for a
// tick. The look-up of the shop's order is by primary key, for its
// number and referans only; it locks nothing of the shop's.
var lockedDueSQL = named(`
-- due orders whose rows a transaction holds
WITH longest_due AS MATERIALIZED (
	SELECT d.*
	FROM integrations i
	CROSS JOIN LATERAL (
		SELECT c.order_id, c.next_check_at, c.referans, c.xmin::text AS version
		FROM zwatch_order_checks c
		WHERE c.integration_id = i.id
		  AND ` + lockedDueCandidateSQL + `
		ORDER BY c.next_check_at
		LIMIT @per_panel
	) d
	WHERE i.provider = ` + providerSQL + `
	UNION
	(SELECT c.order_id, c.next_check_at, c.referans, c.xmin::text AS version
	FROM zwatch_order_checks c
	WHERE c.integration_id IS NULL
	  AND ` + lockedDueCandidateSQL + `
	ORDER BY c.integration_id, c.next_check_at
	LIMIT @per_panel)
	UNION
	-- And the longest due of all, whatever integration their row names:
	-- a held row keeps the one it named as the hold began, which the shop
	-- may have deleted since, or made another provider's.
	(SELECT c.order_id, c.next_check_at, c.referans, c.xmin::text AS version
	FROM zwatch_order_checks c
	WHERE ` + lockedDueCandidateSQL + `
	ORDER BY c.next_check_at
	LIMIT @per_panel)
),
free AS MATERIALIZED (
	SELECT c.order_id
	FROM zwatch_order_checks c
	WHERE c.order_id = ANY (ARRAY(SELECT order_id FROM longest_due))
	FOR UPDATE SKIP LOCKED
)
SELECT d.order_id::text AS order_id,
       o.order_no,
       COALESCE(o.referans, d.referans, '') AS referans,
       d.version,
       d.next_check_at AS due_since,
       clock_timestamp() AS looked_at
FROM longest_due d
LEFT JOIN LATERAL (
	SELECT o."orderNo" AS order_no, ` + referansSQL + ` AS referans
	FROM product_orders o WHERE o.id = d.order_id LIMIT 1
) o ON true
WHERE d.order_id NOT IN (SELECT order_id FROM free)
ORDER BY d.next_check_at, d.order_id`)

// lockedDueCandidateSQL is a row of zwatch_order_checks c a claim would
// take, due for lockedDueAfter at least, and not the looking run's own.
const lockedDueCandidateSQL = `c.finished_at IS NULL
		  AND c.given_up_at IS NULL
		  AND c.next_check_at <= now() - make_interval(secs => @due_after_seconds)
		  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
		  AND c.order_id <> ALL (@held::uuid[])`

// LockedDueOrders finds the due orders whose row of zwatch_order_checks a
// transaction holds, other than those held (the caller's own): a person's
// UPDATE left uncommitted in psql, say. A claim skips such a row without a
// word, so the order would not be asked, nor given up on, while it lasts.
// One look cannot tell such a transaction from another run's claim, which
// holds the rows it takes for a moment: a caller compares two looks some
// seconds apart (LockedDue.Version). A claim changes the rows it holds;
// another run's look, which changes none, is never met: one look at a time
// across every run and host (lookTurnSQL). looked is false when another
// was under way, and nothing was looked at.
func (s *Store) LockedDueOrders(ctx context.Context, held []string) (locked []LockedDue, looked bool, err error) {
	err = s.inTxWaiting(ctx, claimLockTimeout, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &looked, lookTurnSQL); err != nil || !looked {
			return err
		}
		return tx.SelectContext(ctx, &locked, lockedDueSQL.text, lockedDueSQL.args(params{
			"due_after_seconds": lockedDueAfter.Seconds(),
			"held":              pq.Array(append([]string{}, held...)), // never NULL
			"per_panel":         lockedDuePerPanel,
		})...)
	})
	if err != nil {
		return nil, false, fmt.Errorf("looking for due orders whose rows another transaction holds: %w", lockWaitGivenUp(err))
	}
	return locked, looked, nil
}

// lookTurnSQL takes the turn to look for held rows until the transaction
// ends, if no other run has it: two looks at once would each find the
// rows the other had locked, and two runs of one cron minute on two hosts
// may look at the same moments, run after run. Keyed apart from other
// advisory locks: "zwLK".
const lookTurnSQL = `SELECT pg_try_advisory_xact_lock(2054638667, 0)`
