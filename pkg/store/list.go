package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ListFilter selects orders for `zwatch list`.
type ListFilter struct {
	State         string // "pending", "paused", "stuck", "failed", "completed" or "any"
	TenantID      string // empty: all
	IntegrationID string // empty: all
	// Order narrows the list to the orders a reference names (zero: all),
	// in the same statement as the state, tenant and integration, so that
	// the Limit and the count are of the orders that match them all.
	Order OrderRef
	Limit int
	// FirstDelay is check-pending's --first-delay: an order not asked yet
	// falls due so long after it was sent.
	FirstDelay time.Duration
}

// ListedOrder is one line of `zwatch list`.
type ListedOrder struct {
	ID            string  `db:"id"`
	OrderNo       *int64  `db:"order_no"`
	TenantID      *string `db:"tenant_id"`
	IntegrationID string  `db:"integration_id"`
	Integration   string  `db:"integration"`
	// IntegrationEnabled: false for a disabled integration, whose waiting
	// orders are paused.
	IntegrationEnabled bool `db:"integration_enabled"`
	// Waiting: the order still waits for znet and no person has decided
	// it (orderPollableSQL), as the pending, paused and stuck lists read.
	Waiting bool `db:"waiting"`
	// NotAsked is why an order the shop still has as sent is not asked
	// about (NotPollableStaff, NotPollableNoReferans); empty for every
	// other order: a list showed it as an ordinary "sent" one.
	NotAsked       NotPollable `db:"not_asked"`
	ExternalStatus string      `db:"external_status"`
	SentAt         *time.Time  `db:"sent_at"` // nil: "sentAt" is infinite
	Attempts       int         `db:"attempts"`
	NextCheckAt    *time.Time  `db:"next_check_at"`
	// ClaimedUntil: a run holds the waiting order, asking znet about it (or
	// killed while it did), and no other asks before then; nil when none.
	ClaimedUntil *time.Time `db:"claimed_until"`
	LastError    *string    `db:"last_error"`
	// ZwatchNote is the note zwatch left in the order's "lastMessage" for
	// a person, while the shop has not written over it. zwatch's notes
	// name no PIN, but the shop's words after the prefix may.
	ZwatchNote  *string    `db:"zwatch_note"`
	GivenUpAt   *time.Time `db:"given_up_at"`
	CompletedAt *time.Time `db:"completed_at"`
	// PIN is the customer's secret: callers mask it unless asked to show it.
	PIN *string `db:"pin"`
	// Matching is how many orders the filter matched in all, counted up to
	// ListCountCap.
	Matching int `db:"matching"`
	// ReadAt is the database's clock when the list was read: ages and
	// next checks are told from it, not from a host's clock, which may be
	// minutes off.
	ReadAt time.Time `db:"read_at"`
}

// ListCountCap bounds how far ListOrders counts the orders it does not
// return: counting every completed order of a large shop would read them all.
const ListCountCap = 10000

// listStates are the WHERE and the sort key of each list. Orders of a disabled
// integration are paused: zwatch does not ask about them, so they are not
// pending (nor stuck) but a list of their own.
var listStates = map[string]struct{ where, key, direction string }{
	"pending": {
		where: orderPollableSQL + ` AND i.enabled AND NOT ` + stuckSQL,
		key:   sentAtSQL, direction: "ASC",
	},
	"paused": {
		where: orderPollableSQL + ` AND NOT i.enabled`,
		key:   sentAtSQL, direction: "ASC",
	},
	"stuck": {
		where: orderPollableSQL + ` AND i.enabled AND ` + stuckSQL,
		key:   `c.given_up_at`, direction: "DESC",
	},
	// Without --order, these two are read from zwatch's log (finalListSQL).
	"failed": {
		where: `o."externalStatus" = 'failed'`,
		key:   `COALESCE(o."lastSyncAt", o."createdAt")`, direction: "DESC",
	},
	"completed": {
		where: `o."externalStatus" = 'completed'`,
		key:   `COALESCE(o."completedAt", o."createdAt")`, direction: "DESC",
	},
	"any": {
		where: `true`,
		key:   `o."createdAt"`, direction: "DESC",
	},
}

// ListStates names the lists ListOrders knows.
func ListStates() []string {
	return []string{"pending", "paused", "stuck", "failed", "completed", "any"}
}

// Listed is a list of orders, and how far back it read.
type Listed struct {
	Orders []ListedOrder
	// ReadSince, for the lists of finished orders, is how far back the
	// newest ListCountCap answers they read reach, when there were more:
	// older orders, whatever the filter, are not in the list. Nil when the
	// list read every answer zwatch keeps.
	ReadSince *time.Time
}

// RowSecurityHides says whether row-level security on product_orders
// hides every order from this session's role: it is active for the role
// (not a superuser's, BYPASSRLS or the owner's), and no permissive policy
// for reading applies to it, so every list is empty with no word of why.
// A policy that shows some orders and not others is the shop's choice,
// which README's grants ask to let zwatch see all; it is not told here.
// Where it cannot be read, it is taken not to hide.
func (s *Store) RowSecurityHides(ctx context.Context) bool {
	var hides bool
	_ = s.db.GetContext(ctx, &hides, rowSecurityHidesSQL)
	return hides
}

// rowSecurityHidesSQL: row-level security active, and no permissive
// SELECT or ALL policy for the role, a role it is a member of, or PUBLIC
// (polroles {0}).
const rowSecurityHidesSQL = `
SELECT COALESCE(row_security_active(to_regclass('product_orders')), false)
   AND NOT EXISTS (
	SELECT 1
	FROM pg_policy p
	WHERE p.polrelid = to_regclass('product_orders') AND p.polpermissive AND p.polcmd IN ('r', '*')
	  AND EXISTS (SELECT 1 FROM unnest(p.polroles) AS r(oid)
	              WHERE r.oid = 0 OR pg_has_role(current_user, r.oid, 'USAGE')))`

// ListOrders lists znet orders in one state, newest problems first, with
// how many matched in all (up to ListCountCap).
func (s *Store) ListOrders(ctx context.Context, f ListFilter) (Listed, error) {
	state, ok := listStates[f.State]
	if !ok {
		return Listed{}, fmt.Errorf("unknown list %q (want one of %s)", f.State, strings.Join(ListStates(), ", "))
	}
	var listed Listed
	if _, final := finalLists[f.State]; final && f.Order.OrderNo == nil && f.Order.IDFrom == "" {
		err := s.readShop(ctx, func(tx *sqlx.Tx) error {
			if err := tx.SelectContext(ctx, &listed.Orders, finalListSQL, f.State, f.TenantID, f.IntegrationID, f.Limit, ListCountCap); err != nil {
				return err
			}
			return tx.GetContext(ctx, &listed.ReadSince, finalListReachSQL, f.State, ListCountCap)
		})
		if err != nil {
			return Listed{}, fmt.Errorf("listing %s orders: %w", f.State, err)
		}
		return listed, nil
	}
	rows := &listed.Orders
	// The first ListCountCap matching orders in the list's
	// order, counted, of which the first Limit are returned. A NULL order
	// number or id range matches nothing, and both NULL filter nothing;
	// PostgreSQL plans with the values, so the halves not asked for cost
	// nothing.
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, rows, `
		WITH matching AS (
			SELECT `+listedOrderSQL+`,
			       -- No age can be told of an infinite "sentAt".
			       CASE WHEN isfinite(`+sentAtSQL+`) THEN `+sentAtSQL+` END AS sent_at,
			       -- None for an order zwatch will not ask about: done,
			       -- given up, or paused with its integration.
			       CASE WHEN c.given_up_at IS NULL AND c.finished_at IS NULL AND i.enabled THEN c.next_check_at END AS next_check_at,
			       -- An order the next run takes up (listedSQL reads them),
			       -- as registering and reviving have it due (enlistSQL):
			       -- one not asked yet, or sent again since zwatch finished
			       -- or gave up on it, is a new order, sent then; one staff
			       -- reopened is due at once.
			       CASE WHEN c.order_id IS NULL OR `+resentSQL+` THEN `+sentAtSQL+` END AS first_sent,
			       $8::float8 AS first_delay_s,
			       c.finished_at IS NOT NULL AND NOT `+resentSQL+` AS reopened,
			       CASE WHEN c.finished_at IS NULL AND c.claim_expires_at > now() THEN c.claim_expires_at END AS claimed_until,
			       `+state.key+` AS sort_key
			FROM product_orders o
			`+joinZnetSQL+`
			LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
			WHERE `+state.where+`
			  AND ($1 = '' OR o."tenantId"::text = $1)
			  AND ($2 = '' OR i.id::text = $2)
			  AND ($5::bigint IS NULL AND $6::uuid IS NULL
			       OR o."orderNo" = $5::bigint
			       OR o.id BETWEEN $6::uuid AND $7::uuid)
			ORDER BY sort_key `+state.direction+`
			LIMIT $4
		)
		`+listedSQL+`
		ORDER BY sort_key `+state.direction+`
		LIMIT $3`, f.TenantID, f.IntegrationID, f.Limit, ListCountCap, f.Order.OrderNo, nullIfEmpty(f.Order.IDFrom),
			nullIfEmpty(f.Order.IDTo), f.FirstDelay.Seconds())
	})
	if err != nil {
		return Listed{}, fmt.Errorf("listing %s orders: %w", f.State, err)
	}
	return listed, nil
}

// listedOrderSQL is a ListedOrder's columns of an order o, its integration
// i and zwatch's row c, the same in both lists; sent_at and next_check_at
// are each list's own.
var listedOrderSQL = `o.id::text AS id,
	o."orderNo" AS order_no,
	o."tenantId"::text AS tenant_id,
	i.id::text AS integration_id,
	i.name AS integration,
	i.enabled AS integration_enabled,
	COALESCE(` + orderPollableSQL + `, false) AS waiting,
	COALESCE(CASE WHEN ` + awaitingZnetSQL + ` THEN ` + orderNotPollableSQL + ` END, '') AS not_asked,
	o."externalStatus" AS external_status,
	-- Sent again and waiting, the order is shown as the next run starts
	-- it over.
	CASE WHEN ` + resentWaitingSQL + ` THEN 0 ELSE COALESCE(c.attempts, 0) END AS attempts,
	CASE WHEN NOT ` + resentWaitingSQL + ` THEN c.last_error END AS last_error,
	-- The note zwatch left the shop's row for a person ("zwatch: ...": a
	-- PIN of the order's own kept beside znet's, a cancelled order that
	-- holds a PIN): a finished order has no error of zwatch's, and listed
	-- as plainly completed, it was not looked at (helper-361). Until the
	-- shop writes its own message over it.
	CASE WHEN NOT ` + resentWaitingSQL + ` AND o."lastMessage" LIKE ` + zwatchNotePrefixSQL + ` THEN o."lastMessage" END AS zwatch_note,
	CASE WHEN NOT ` + revivedSQL + ` THEN c.given_up_at END AS given_up_at,
	o."completedAt" AS completed_at,
	o."pinCode" AS pin`

// listedSQL reads a list's rows from its matching orders, with how many
// matched and the database's clock. An order the next run takes up has
// its next check when the run would have it asked: one not asked yet, or
// sent again since zwatch finished or gave up on it (first_sent), as
// registering has it (firstDueSQL, the panel's learned first check as a
// run that learns reads it), one staff reopened at once. Blank, as a
// stuck or paused one's is, such an order read as never to be asked when
// cron had stopped. An infinite time is none, or now if long past. Told from
// columns matching reads anyway (a second test of pollability for each of
// the up to ListCountCap orders matched made a long list slower by a
// half), the panel's first check looked up for such orders alone.
var listedSQL = `SELECT id, order_no, tenant_id, integration_id, integration, integration_enabled, waiting, not_asked, external_status, sent_at,
	attempts,
	CASE
		WHEN NOT waiting OR NOT integration_enabled THEN next_check_at
		WHEN first_sent IS NOT NULL THEN (
			SELECT ` + finiteDueSQL("due.at") + `
			FROM (SELECT ` + firstDueSQL("first_sent", "pf.first_check_s", "first_delay_s") + ` AS at
			      FROM (SELECT) one
			      LEFT JOIN zwatch_panel_fits pf ON pf.integration_id = matching.integration_id::uuid) due)
		WHEN reopened THEN now()
		ELSE ` + finiteDueSQL("next_check_at") + `
	END AS next_check_at,
	claimed_until, last_error, zwatch_note, given_up_at, completed_at, pin,
	count(*) OVER ()::int AS matching, now() AS read_at
FROM matching`

// resentWaitingSQL is an order sent again (resentSQL) that waits for znet,
// which the next run starts over; one staff decided since keeps what
// zwatch last knew of it.
var resentWaitingSQL = `(` + resentSQL + ` AND COALESCE(` + orderPollableSQL + `, false))`

// revivedSQL is an order the next run revives (enlistSQL): waiting for
// znet after zwatch finished with it, or gave up on it and the shop sent
// it again. It is no longer given up on, whatever its row says.
var revivedSQL = `((` + resentSQL + ` OR c.finished_at IS NOT NULL) AND COALESCE(` + orderPollableSQL + `, false))`

// finiteDueSQL is due as a person reads it: none if infinitely far, now
// if infinitely past.
func finiteDueSQL(due string) string {
	return `CASE WHEN isfinite(` + due + `) THEN ` + due + ` WHEN ` + due + ` < now() THEN now() END`
}

// finalLists are the lists of orders znet ended, which grow with the shop's
// whole history: ListOrders reads them from zwatch's log of transitions,
// not from product_orders, which has no index to find them by.
var finalLists = map[string]bool{"completed": true, "failed": true}

// finalListSQL lists the orders whose newest final answers zwatch saved
// were $1 (completed or failed), newest answer first, and that are still
// so: of the newest ListCountCap such answers ($5), along the partial
// index zwatch_order_events_final, with one primary key lookup each. Its
// cost is bounded by the cap, whatever the shop's history. An order the
// shop finished without zwatch, or whose answer is older than the log
// keeps (EventsKeptFor), is not in it; `list --order` finds any order.
// $2 tenant id, $3 integration id (empty: all), $4 the rows returned.
var finalListSQL = `
WITH answers AS MATERIALIZED (
	SELECT ev.order_id, ev.at
	FROM zwatch_order_events ev
	WHERE ev.kind = 'status' AND ev.to_status = $1
	  AND ev.to_status IN ('completed', 'failed') -- the index's predicate, for the planner
	ORDER BY ev.at DESC
	LIMIT $5
),
newest AS (
	-- An order sent again and ended twice is listed once, by its last answer.
	SELECT DISTINCT ON (order_id) order_id, at FROM answers ORDER BY order_id, at DESC
),
matching AS (
	SELECT ` + listedOrderSQL + `,
	       CASE WHEN isfinite(o.sent_at) THEN o.sent_at END AS sent_at,
	       NULL::timestamptz AS next_check_at,
	       NULL::timestamptz AS first_sent,
	       NULL::float8 AS first_delay_s,
	       false AS reopened,
	       NULL::timestamptz AS claimed_until,
	       newest.at AS answered_at
	FROM newest
	-- One primary key lookup per answer (see statsSQL for why LIMIT).
	JOIN LATERAL (
		SELECT o.*, ` + sentAtSQL + ` AS sent_at
		FROM product_orders o
		WHERE o.id = newest.order_id
		LIMIT 1
	) o ON true
	` + joinZnetSQL + `
	LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
	WHERE o."externalStatus" = $1
	  AND ($2 = '' OR o."tenantId"::text = $2)
	  AND ($3 = '' OR i.id::text = $3)
)
` + listedSQL + `
-- A run saves a batch of answers at one moment: the id keeps the order
-- of those the same whichever rows --limit cuts.
ORDER BY answered_at DESC, id
LIMIT $4`

// finalListReachSQL is how far back finalListSQL's answers reach when
// there were more than the ListCountCap ($2) it read, NULL when it read
// them all: along the same index, the entries alone.
const finalListReachSQL = `
SELECT CASE WHEN count(*) > $2 THEN min(at) FILTER (WHERE nth <= $2) END
FROM (
	SELECT ev.at, row_number() OVER (ORDER BY ev.at DESC) AS nth
	FROM zwatch_order_events ev
	WHERE ev.kind = 'status' AND ev.to_status = $1
	  AND ev.to_status IN ('completed', 'failed')
	ORDER BY ev.at DESC
	LIMIT $2 + 1
) answers`
