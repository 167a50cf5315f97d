package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ClaimParams bounds one claim.
type ClaimParams struct {
	RunID string // written into claimed_by; releases and applies name it
	Limit int    // orders at most
	// Register is how many newly sent orders to enter into zwatch's table
	// first, and lets this claim sweep if a sweep is due. A run claiming a
	// large batch in chunks registers once, with the first chunk; zero skips
	// registering and sweeping.
	Register int
	// FirstDelay is how long after sentAt an order zwatch has never seen
	// becomes due: znet rarely finishes in the first seconds.
	FirstDelay time.Duration
	// LearnedFirstChecks lets a panel's learned first check stand in for
	// FirstDelay (see enlistSQL): a run planning from what it learned. A
	// run following a fixed --schedule asks FirstDelay after sentAt, as it
	// always did, whatever an earlier learning run saved.
	LearnedFirstChecks bool
	// Lease is how long the claim holds if this run dies without releasing
	// it. It must outlast the run, or a second run would ask again.
	Lease time.Duration
	// Ahead takes, besides the orders due now, those due within Ahead, each
	// with its Order.DueAt: a run that claims once a tick asks them when
	// they fall due, not up to a tick late.
	Ahead time.Duration
	// PassOver are the integrations whose orders this claim leaves alone:
	// their panels have all they can ask for now (a backlog their --rate
	// paces, a panel hanging). The claim takes the other panels' due
	// orders, oldest due first, however much older a passed-over panel's
	// are: each panel has its own budget, and one panel's backlog must not
	// keep every other tenant's orders waiting behind it.
	PassOver []string
	// PerPanel bounds the orders a claim that passes over panels gives any
	// other one (0: Limit).
	PerPanel int
	// Held are the orders the run holds: asked or to be asked, their
	// claims not yet let go of. The claim leaves them alone, whatever their
	// rows say (see claimableSQL). They are at most twice the run's batch,
	// and those whose answers wait for a row the shop holds: with the
	// defaults, up to 400 ids (15 KB) a claim, while the shop holds none.
	Held []string
}

// Claimed is what one claim took.
type Claimed struct {
	Orders []Order
	// MoreDue says that due orders may be left even though the claim took
	// fewer than it asked for: registering stopped at its limit, or the
	// claim met orders that were no longer pollable and retired them in
	// place of taking them.
	MoreDue bool
	// DBNow is the database's clock as the claim read its orders (zero if
	// it met none, to take or to retire): the clock their SentAt is on,
	// which a host's own may be minutes off. DBBegan is the database's
	// clock as the statement that read DBNow began, and ReadSent and
	// ReadBack this host's as it left and as its answer came: whatever the
	// claim waited for before (the registering cursor), the database reads
	// its clock within the trip, as a reservation does (store.SendTimes).
	// A wait for a table's lock as the statement is parsed comes before
	// DBBegan, and widens the trip.
	DBNow, DBBegan     time.Time
	ReadSent, ReadBack time.Time
	// TookOver counts, by the run that held them, the orders the claim
	// met whose claim had lapsed (lapsedClaimOfSQL): those it took and
	// those it retired. Nil when it met none.
	TookOver map[string]int
}

// How finding work stays proportional to the work.
//
// A claim reads zwatch's due index and looks each order it takes up by the
// shop's primary key; registering reads what the shop sent since the last
// registration. Neither reads the orders that merely wait. What only a look
// at every waiting order can find (an order staff put back into the
// pollable set, an order whose sending transaction committed more than
// RegisterLookBack late) is left to the sweep, which one run of all those
// running does every SweepEvery, a slice of SweepSlice orders at a time.
const (
	// RegisterLookBack is how far behind the newest order registered the
	// next registration starts again, for shop transactions that set
	// "sentAt" but committed later.
	RegisterLookBack = 10 * time.Second
	// SweepEvery is how often, across every run and host, a claim sweeps.
	SweepEvery = 15 * time.Second
	// SweepSlice bounds the orders one sweep reads: a waiting set of W
	// orders is swept through every W/SweepSlice sweeps. What a sweep finds
	// is rare and can wait minutes; what it costs is not: most orders it
	// reads were changed lately, nearly all by zwatch's own answers, and
	// each is compared with its row in zwatch's table. A small slice
	// often keeps that a steady trickle, 1,000 orders a minute, instead of
	// a burst of 50-90 ms that a run may or may not meet; at 2,000 waiting
	// it is a tenth of zwatch's cost on the shop's database.
	SweepSlice = 250
	// disabledWait is how long an order of a switched-off integration is
	// left before a claim looks at it again; it is not retired, so that it
	// is polled again soon after the integration is switched back on. The
	// longer it was not asked, the longer it is left, up to
	// disabledWaitMost: looked at every minute, an integration switched off
	// with 20,000 orders waiting cost the shop's database 20,000 row
	// updates and 6 MB of WAL a minute for as long as it stayed off.
	disabledWait     = time.Minute
	disabledWaitMost = 10 * time.Minute
	// purgeLimit bounds the long-finished rows one sweep deletes.
	purgeLimit = 1000
	// claimLockTimeout bounds any wait of a claim on a lock, the shop's
	// above all: none of its statements locks a shop row, but DDL on the
	// shop's tables would still hold every reader up.
	claimLockTimeout = "1s"
	// registerLockTimeout bounds a claim's wait for the register cursor,
	// which another run holds for as long as its own claim takes: on a
	// loaded host, registering a thousand new orders can take more than
	// claimLockTimeout, and the run that waited would fail (or, looping,
	// claim nothing for a tick). The cursor is the claim's first lock: it
	// holds nothing of the shop's while it waits.
	registerLockTimeout = "10s"
)

// ClaimBatch takes up to p.Limit due orders, oldest due first, for this run
// alone, and says whether more may be due.
//
// It is one short transaction and holds no lock once it returns: the claim
// is a lease written into zwatch_order_checks, so znet can be asked with no
// transaction open. Runs overlapping on one host or on many never claim the
// same order, because claiming locks zwatch's bookkeeping rows with FOR
// UPDATE SKIP LOCKED and skips rows whose lease still runs. It never locks
// a shop row: it reads them.
func (s *Store) ClaimBatch(ctx context.Context, p ClaimParams) (Claimed, error) {
	var claimed Claimed
	if p.Limit <= 0 {
		return claimed, nil
	}
	lockTimeout := claimLockTimeout
	if p.Register > 0 {
		lockTimeout = registerLockTimeout // until the cursors are taken
	}
	err := s.inTxWaiting(ctx, lockTimeout, func(tx *sqlx.Tx) error {
		if p.Register > 0 {
			if err := enlistNewAndSwept(ctx, tx, p, &claimed); err != nil {
				return err
			}
		}
		var met []claimedOrder
		claim, args := claimDue(p)
		claimed.ReadSent = time.Now()
		if err := tx.SelectContext(ctx, &met, claim.text, claim.args(args)...); err != nil {
			return fmt.Errorf("claiming due orders: %w", err)
		}
		claimed.ReadBack = time.Now()
		for _, m := range met {
			if m.ReadAt.After(claimed.DBNow) {
				claimed.DBNow, claimed.DBBegan = m.ReadAt, m.BeganAt
			}
			if m.LapsedClaimOf != "" {
				if claimed.TookOver == nil {
					claimed.TookOver = map[string]int{}
				}
				claimed.TookOver[m.LapsedClaimOf]++
			}
			// The others claimDueSQL retired, or left for later when their
			// integration is switched off.
			if m.NotPollable == "" {
				m.Order.dueIn = m.DueIn
				claimed.Orders = append(claimed.Orders, m.Order)
			}
		}
		if len(met) == p.Limit {
			claimed.MoreDue = true
		}
		return nil
	})
	if err != nil {
		return Claimed{}, lockWaitGivenUp(err)
	}
	// On the host's clock, which the database's may be minutes off,
	// counted from now: later than the database read its clock, by the
	// commit's round trip, so that no order is asked before its time.
	// Never more than Ahead, whatever that clock did meanwhile.
	now := time.Now()
	for k, o := range claimed.Orders {
		if o.dueIn > 0 {
			claimed.Orders[k].DueAt = now.Add(time.Duration(min(o.dueIn, p.Ahead.Seconds()) * float64(time.Second)))
		}
	}
	return claimed, nil
}

// claimDue is the statement that claims p's due orders, and its
// parameters: claimDuePassingOverSQL when p passes over a panel.
func claimDue(p ClaimParams) (namedSQL, params) {
	if passOver := integrationIDs(p.PassOver); len(passOver) > 0 {
		args := claimDueParams(p)
		args["pass_over"] = pq.Array(passOver)
		args["per_panel"] = p.Limit
		if p.PerPanel > 0 {
			args["per_panel"] = min(p.PerPanel, p.Limit)
		}
		return claimDuePassingOverSQL, args
	}
	return claimDueSQL, claimDueParams(p)
}

// claimDueParams are claimDueSQL's parameters for p.
func claimDueParams(p ClaimParams) params {
	return params{
		"run_id":                     p.RunID,
		"claim_limit":                p.Limit,
		"lease_seconds":              p.Lease.Seconds(),
		"ahead_seconds":              p.Ahead.Seconds(),
		"held":                       pq.Array(append([]string{}, p.Held...)), // never NULL, which no id is unequal to
		"disabled_wait_seconds":      disabledWait.Seconds(),
		"disabled_wait_most_seconds": disabledWaitMost.Seconds(),
	}
}

// integrationIDs are the ids that are integration ids (uuids), as the
// database writes them; an order naming no integration has a lane of its
// own, whose id is none.
func integrationIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if u, err := uuid.Parse(id); err == nil {
			out = append(out, u.String())
		}
	}
	return out
}

// claimedOrder is one due order a claim met: taken when NotPollable is
// empty, else retired or (NotPollableDisabled) left for later.
type claimedOrder struct {
	Order
	NotPollable   NotPollable `db:"not_pollable"`
	LapsedClaimOf string      `db:"lapsed_claim_of"`
	ReadAt        time.Time   `db:"read_at"`
	BeganAt       time.Time   `db:"statement_began_at"`
	DueIn         float64     `db:"due_in_seconds"`
}

// claimDueSQL leases the due orders. It reads only zwatch's due index, and
// looks each order it took up by the shop's primary key, to check that it
// is still pollable: an order staff decided a second ago is not asked
// about. An order that is no longer pollable is retired as the claim meets
// it (it leaves the due index), and one of a switched-off integration is
// looked at again later. The give-up clock of an order whose panel was
// failing (StopGiveUpClocks) or whose integration was switched off starts
// again as the order is claimed, in the same statement.
//
// Every step is a lookup per row the LIMIT let through (MATERIALIZED, and
// LATERAL with LIMIT 1, which the planner cannot turn into joins over whole
// tables), so the plan stays the same whatever the statistics say about
// the tables' sizes.
var claimDueSQL = named(`
-- claim due orders
WITH due AS MATERIALIZED (
	SELECT c.order_id, ` + lapsedClaimOfSQL + ` AS lapsed_claim_of
	FROM zwatch_order_checks c
	WHERE ` + claimableSQL + `
	ORDER BY c.next_check_at
	LIMIT @claim_limit
	FOR UPDATE SKIP LOCKED
),` + claimDueRestSQL)

// claimableSQL is a row of zwatch_order_checks c a claim may take: waiting,
// due (or due within ahead_seconds), and not claimed by a run whose lease
// still runs; the due indexes' condition. Nor one the claiming run holds
// (held): saving an answer or handing a claim back ends the claim in the
// database a moment before the run lets go of the order, and an order due
// again at once (its next check came while the answer waited for the
// database) was taken in that moment by the run's own next claim, which
// the run took for the claim it was ending: the order was asked again
// only once the new claim lapsed, ClaimLease later. The run claims it
// after letting go of it, a tick later.
const claimableSQL = `c.finished_at IS NULL
	  AND c.given_up_at IS NULL
	  AND c.next_check_at <= now() + make_interval(secs => @ahead_seconds)
	  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
	  AND c.order_id <> ALL (@held::uuid[])`

// lapsedClaimOfSQL is, of a row of zwatch_order_checks c that a claim
// takes (claimableSQL), the run whose claim on it lapsed: a run lets go of
// every order it ends with, so one that did not was killed, lost its host
// or its connection, or was held up past its lease.
const lapsedClaimOfSQL = `NULLIF(c.claimed_by, @run_id)`

// claimDuePassingOverSQL is claimDueSQL leaving alone the orders of the
// integrations in pass_over (ClaimParams.PassOver). The one due index,
// read oldest due first, would have to pass over every due order of those
// panels, a backlog of thousands, on every claim: instead it reads, along
// the index by panel, each other znet integration's oldest due orders, up
// to per_panel of them (one index probe a panel, for the integrations
// table's handful of rows), and as many of orders whose panel zwatch does
// not know (their order names none, or an older zwatch, still running
// beside this one, registered them: migration 00025 filled in those
// before it), and takes the oldest due of them all. per_panel keeps one
// claim from handing a second panel with a backlog as many orders as the
// run may hold, which would leave no room for a third. Only the orders
// taken are locked: the candidates are read without a lock, and each is
// checked again as it is locked. It is the statement only while a panel
// has a backlog; the orders of a panel that is no znet one any more are
// retired by claimDueSQL once it is over.
var claimDuePassingOverSQL = named(`
-- claim due orders, passing over panels that have all they can ask
WITH by_panel AS MATERIALIZED (
	SELECT d.order_id, d.next_check_at
	FROM integrations i
	CROSS JOIN LATERAL (
		SELECT c.order_id, c.next_check_at
		FROM zwatch_order_checks c
		WHERE c.integration_id = i.id
		  AND ` + claimableSQL + `
		ORDER BY c.next_check_at
		LIMIT @per_panel
	) d
	WHERE i.provider = ` + providerSQL + `
	  AND i.id <> ALL (@pass_over::uuid[])
),
panel_unknown AS MATERIALIZED (
	SELECT c.order_id, c.next_check_at
	FROM zwatch_order_checks c
	WHERE c.integration_id IS NULL
	  AND ` + claimableSQL + `
	-- integration_id first, as the index by panel has it: by next_check_at
	-- alone the planner walked every panel's due orders to find the few
	-- that name none, in every claim of a backlog.
	ORDER BY c.integration_id, c.next_check_at
	LIMIT @per_panel
),
candidates AS MATERIALIZED (
	SELECT d.order_id
	FROM (SELECT * FROM by_panel UNION ALL SELECT * FROM panel_unknown) d
	ORDER BY d.next_check_at
	LIMIT @claim_limit
),
due AS MATERIALIZED (
	SELECT c.order_id, ` + lapsedClaimOfSQL + ` AS lapsed_claim_of
	FROM zwatch_order_checks c
	WHERE c.order_id = ANY (ARRAY(SELECT order_id FROM candidates))
	  AND ` + claimableSQL + `
	FOR UPDATE SKIP LOCKED
),` + claimDueRestSQL)

// claimDueRestSQL is what claimDueSQL and claimDuePassingOverSQL do with
// the orders due took.
const claimDueRestSQL = `
met AS MATERIALIZED (
	SELECT due.order_id, due.lapsed_claim_of,
	       ` + orderFieldsSQL + `,
	       ` + notPollableSQL + ` AS not_pollable
	FROM due
	LEFT JOIN LATERAL (
		SELECT o.* FROM product_orders o WHERE o.id = due.order_id LIMIT 1
	) o ON true
	` + integrationOfOrderSQL + `
),
settled AS (
	UPDATE zwatch_order_checks c
	SET claimed_by = CASE WHEN met.not_pollable IS NULL THEN @run_id END,
		claim_expires_at = CASE WHEN met.not_pollable IS NULL
			THEN now() + make_interval(secs => @lease_seconds) END,
		-- Left a sixth of the time it has not been asked, a minute to ten.
		next_check_at = CASE WHEN met.not_pollable = '` + string(NotPollableDisabled) + `'
			THEN now() + LEAST(make_interval(secs => @disabled_wait_most_seconds),
				GREATEST(make_interval(secs => @disabled_wait_seconds),
					(now() - COALESCE(c.last_checked_at, c.created_at)) / 6))
			ELSE c.next_check_at END,
		finished_at = CASE WHEN met.not_pollable <> '` + string(NotPollableDisabled) + `' THEN now() END,
		-- The give-up clock of an order whose panel was failing when it was
		-- last tried starts again: that time is not counted. Should the
		-- panel still be failing, the run stops the clock again. An order
		-- never asked has no clock yet, and keeps none.
		first_checked_at = CASE WHEN met.not_pollable IS NULL
			THEN ` + restartedClockSQL + `
			ELSE c.first_checked_at END,
		-- Of another znet order, once the shop changed the referans or
		-- the integration: the last request was not about this one.
		-- (Registering and the sweep forget it as they see an order move,
		-- and check --order as it sees the referans change.)
		last_result = CASE WHEN met.not_pollable IS NULL
			AND (c.referans IS DISTINCT FROM met.referans OR c.integration_id IS DISTINCT FROM met.integration_id::uuid)
			THEN NULL ELSE c.last_result END,
		-- Nor is what the panel it left said a sample of the new one's
		-- finishing times (as registering and the sweep forget it). A row
		-- that named no panel yet (an older zwatch's) has not moved.
		waiting_seen_at = CASE WHEN met.not_pollable IS NULL
			AND c.integration_id IS DISTINCT FROM met.integration_id::uuid AND c.integration_id IS NOT NULL
			THEN NULL ELSE c.waiting_seen_at END,
		-- The referans about to be asked, for the look-up of orders that
		-- share one (holdSharedReferans): also for rows an older zwatch
		-- registered without it, and after the shop changed it.
		referans = CASE WHEN met.not_pollable IS NULL THEN met.referans ELSE c.referans END,
		-- Its panel, for claims that pass over a panel with a backlog: also
		-- for rows registered before zwatch kept it, and after the shop
		-- moved the order to another integration.
		integration_id = CASE WHEN met.not_pollable IS NULL THEN met.integration_id::uuid ELSE c.integration_id END,
		-- A switched-off integration stops the clock as a failing panel
		-- does: staff who switch it off for a weekend must not find its
		-- orders given up on at their first check after it.
		panel_failing_since = CASE
			WHEN met.not_pollable IS NULL THEN NULL
			WHEN met.not_pollable = '` + string(NotPollableDisabled) + `'
			THEN COALESCE(c.panel_failing_since, now())
			ELSE c.panel_failing_since END
	FROM met
	WHERE c.order_id = met.order_id
	  -- An index condition the planner takes whatever it believes of met's
	  -- size, so that it never reads the whole table to join the two.
	  AND c.order_id = ANY (ARRAY(SELECT order_id FROM due))
	RETURNING c.order_id, c.attempts, c.first_checked_at, c.next_check_at, c.last_result
)
SELECT met.order_id::text AS id,
       met.order_no,
       met.tenant_id,
       COALESCE(met.integration_id, '') AS integration_id,
       met.referans,
       COALESCE(met.external_status, '') AS external_status,
       met.sent_at,
       COALESCE(met.held_pin, '') AS held_pin,
       COALESCE(met.user_identifier, '') AS user_identifier,
       settled.attempts,
       settled.first_checked_at,
       COALESCE(settled.last_result, '') AS last_result,
       COALESCE(met.not_pollable, '') AS not_pollable,
       COALESCE(met.lapsed_claim_of, '') AS lapsed_claim_of,
       clock_timestamp() AS read_at,
       statement_timestamp() AS statement_began_at,
       -- Claimed ahead (ClaimParams.Ahead): how long after this reading of
       -- the clock it falls due. (-infinity, an order sent then, is due: no
       -- difference can be taken of it.)
       CASE WHEN settled.next_check_at > clock_timestamp()
            THEN EXTRACT(epoch FROM settled.next_check_at - clock_timestamp())::float8
            ELSE 0 END AS due_in_seconds
FROM met
JOIN settled ON settled.order_id = met.order_id
-- Due longest first, as due took them: a lane asks the first due in its
-- queue first. The join's order is the plan's, which guarantees none.
ORDER BY settled.next_check_at, met.order_id`

// enlistNewAndSwept registers what the shop sent since the last
// registration and, when it is this claim's turn, sweeps a slice of the
// waiting orders. Each works from its row in zwatch_state (see
// takeCursorsSQL), so that two runs never register or sweep at once.
func enlistNewAndSwept(ctx context.Context, tx *sqlx.Tx, p ClaimParams, claimed *Claimed) error {
	var cursors []stateCursor
	if err := tx.SelectContext(ctx, &cursors, takeCursorsSQL.text, takeCursorsSQL.args(params{
		"look_back_seconds":   RegisterLookBack.Seconds(),
		"sweep_every_seconds": SweepEvery.Seconds(),
	})...); err != nil {
		return fmt.Errorf("reading where registering stopped: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '`+claimLockTimeout+`'`); err != nil {
		return fmt.Errorf("bounding the claim's wait for locks: %w", err)
	}
	for _, cur := range cursors {
		limit := p.Register
		if cur.Name == sweepCursor {
			limit = SweepSlice
		}
		e, err := enlist(ctx, tx, enlistFrom{SentAt: cur.FromSentAt, OrderID: cur.FromOrderID, ChangedWithin: cur.ChangedWithin,
			UpToNow: cur.Name == registerCursor, SeenUpTo: cur.SeenUpTo}, limit, p.FirstDelay, p.LearnedFirstChecks)
		if err != nil {
			return err
		}
		full := e.Scanned == limit
		switch {
		case cur.Name == sweepCursor:
			if err := moveSweep(ctx, tx, e, full); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, purgeSQL.text, purgeSQL.args(purgeParams())...); err != nil {
				return fmt.Errorf("deleting the bookkeeping of long-finished orders: %w", err)
			}
		case full:
			// More was sent than one registration takes: carry on exactly
			// where this one stopped, at once.
			claimed.MoreDue = true
			fallthrough
		case e.Scanned > 0 || !cur.CaughtUp:
			// Only a pass that read from the look-back to the end read
			// every row the next look-back will meet: only its snapshot
			// can tell the next one what it has seen.
			var seenUpTo *string
			if cur.CaughtUp && !full {
				seenUpTo = &e.Horizon
			}
			if _, err := tx.ExecContext(ctx, moveRegisterSQL.text, moveRegisterSQL.args(params{
				"last_sent_at":  e.LastSentAt,
				"last_order_id": e.LastOrderID,
				"caught_up":     !full,
				"horizon":       seenUpTo,
			})...); err != nil {
				return fmt.Errorf("recording how far registering got: %w", err)
			}
		}
	}
	return nil
}

const (
	registerCursor = "register"
	sweepCursor    = "sweep"
)

// stateCursor is where registering or sweeping starts this time.
// Positions travel as text: lib/pq reads no '-infinity' into a time.Time.
type stateCursor struct {
	Name        string `db:"name"`
	FromSentAt  string `db:"from_sent_at"`
	FromOrderID string `db:"from_order_id"`
	CaughtUp    bool   `db:"caught_up"`
	// SeenUpTo is registering's position once caught up: an order sent
	// after it was not read, whenever it last changed (enlistFrom.SeenUpTo).
	SeenUpTo *string `db:"seen_up_to"`
	// ChangedWithin is how many transactions ago a row must have changed
	// to need looking at again (see enlistSQL); nil: every row. For a
	// sweep, since the pass before last began; for registering, since the
	// last registration that read from its look-back to the end.
	ChangedWithin *int64 `db:"changed_within"`
}

// clockSteppedBack is how far in the future a turn's recorded time must lie
// to say the database's clock was set back since it was taken (NTP, a DBA
// correcting a fast clock): the turn is due then, or nobody would take it
// for as long as the step. Turns taken at once by two transactions are
// never that far apart.
const clockSteppedBack = `interval '1 minute'`

// takeCursorsSQL locks the register cursor, and the sweep cursor when the
// last sweep is SweepEvery old. A run waits (milliseconds, and never more
// than the lock timeout) for another run's registration to commit, so that
// it then claims what that one registered and registers what is left; it
// does not wait for a sweep, which is done by whoever got to it.
//
// Registering that has caught up starts again RegisterLookBack before the
// newest order it registered (never after now, should a shop host's clock
// run ahead), for orders whose shop transaction committed late; enlistSQL
// passes over what is registered already. Registering that is catching up,
// and sweeping, continue exactly where they stopped.
var takeCursorsSQL = named(`
-- take the register and sweep cursors
WITH register AS (
	SELECT * FROM zwatch_state WHERE name = '` + registerCursor + `' FOR UPDATE
),
sweep AS (
	SELECT * FROM zwatch_state
	WHERE name = '` + sweepCursor + `'
	  AND (moved_at <= now() - make_interval(secs => @sweep_every_seconds)
	       OR moved_at > now() + ` + clockSteppedBack + `)
	FOR UPDATE SKIP LOCKED
)
SELECT name,
       CASE WHEN caught_up
            THEN LEAST(sent_at, now()) - make_interval(secs => @look_back_seconds)
            ELSE sent_at END::text AS from_sent_at,
       CASE WHEN caught_up
            THEN '` + uuidZero + `'::uuid
            ELSE order_id END::text AS from_order_id,
       caught_up,
       CASE WHEN name = '` + registerCursor + `' AND caught_up THEN sent_at END::text AS seen_up_to,
       -- age() counts from this transaction's id, which this assigns.
       pg_current_xact_id()::text::bigint - CASE WHEN name = '` + registerCursor + `'
            THEN horizon ELSE previous_horizon END::text::bigint AS changed_within
FROM (SELECT * FROM register UNION ALL SELECT * FROM sweep) cursors
ORDER BY name`)

// moveRegisterSQL records how far registering got. Once caught up, the
// position only moves forward: the look-back may read orders before it.
// Registering reads no order sent after now (enlistFrom.UpToNow), and the
// position does not pass now either, whatever a clock says.
// horizon is the oldest transaction still running when the registration
// read the shop's orders, when it read from its look-back to the end: a
// row no transaction since changed was read by it, and the next
// look-back has nothing to find in it. NULL makes the next one look at
// every row it reads.
var moveRegisterSQL = named(`
-- move the register cursor
UPDATE zwatch_state
SET sent_at = CASE WHEN @caught_up::boolean
                   THEN LEAST(GREATEST(sent_at, COALESCE(@last_sent_at::timestamptz, sent_at)), now())
                   ELSE @last_sent_at::timestamptz END,
    order_id = COALESCE(@last_order_id::uuid, order_id),
    caught_up = @caught_up::boolean,
    horizon = @horizon::xid8,
    moved_at = now()
WHERE name = '` + registerCursor + `'`)

// moveSweepSQL records where the next sweep starts, and that one ran: after
// the last waiting order it starts over from the first.
var moveSweepSQL = named(`
-- move the sweep cursor
UPDATE zwatch_state
SET sent_at = CASE WHEN @wrap::boolean THEN '-infinity' ELSE @last_sent_at::timestamptz END,
    order_id = CASE WHEN @wrap::boolean
                    THEN '` + uuidZero + `'::uuid
                    ELSE @last_order_id::uuid END,
    previous_horizon = CASE WHEN @wrap::boolean THEN horizon ELSE previous_horizon END,
    horizon = CASE WHEN @wrap::boolean THEN pg_snapshot_xmin(pg_current_snapshot()) ELSE horizon END,
    moved_at = now()
WHERE name = '` + sweepCursor + `'`)

func moveSweep(ctx context.Context, tx *sqlx.Tx, e enlisted, full bool) error {
	_, err := tx.ExecContext(ctx, moveSweepSQL.text, moveSweepSQL.args(params{
		"wrap":          !full,
		"last_sent_at":  e.LastSentAt,
		"last_order_id": e.LastOrderID,
	})...)
	if err != nil {
		return fmt.Errorf("recording where the next sweep starts: %w", err)
	}
	return nil
}

// enlisted is what one enlistSQL did.
type enlisted struct {
	Scanned     int     `db:"scanned"`
	LastSentAt  *string `db:"last_sent_at"` // as text, like stateCursor's
	LastOrderID *string `db:"last_order_id"`
	// Horizon is the oldest transaction running when the statement took
	// its snapshot: every row an older one changed, it saw.
	Horizon string `db:"horizon"`
}

// enlistFrom is where enlistSQL starts reading waiting orders.
type enlistFrom struct {
	SentAt, OrderID string  // after this position, by ("sentAt", id)
	OnlyOrderID     *string // this order alone
	ChangedWithin   *int64  // only rows changed within this many transactions
	// UpToNow leaves out orders sent after now ('infinity', a shop host's
	// clock ahead): registering reads them once their time has come, or
	// the sweep does. Read, they would carry registering's position past
	// now, and orders sent meanwhile would be left to the sweep.
	UpToNow bool
	// SeenUpTo: an order sent after this was not read by the registration
	// that ChangedWithin counts from, though it did not change since: it
	// was sent after now then. It is looked at.
	SeenUpTo *string
}

// enlist runs enlistSQL over up to limit waiting orders.
func enlist(ctx context.Context, tx *sqlx.Tx, from enlistFrom, limit int, firstDelay time.Duration, learnedFirstChecks bool) (enlisted, error) {
	var e enlisted
	err := tx.GetContext(ctx, &e, enlistSQL.text, enlistSQL.args(enlistParams(from, limit, firstDelay, learnedFirstChecks))...)
	if err != nil {
		return e, fmt.Errorf("registering newly sent orders: %w", err)
	}
	return e, nil
}

// enlistParams are enlistSQL's parameters; ExplainClaim (the benchmarks')
// takes them from here too, so that it runs the statement a run does.
func enlistParams(from enlistFrom, limit int, firstDelay time.Duration, learnedFirstChecks bool) params {
	return params{
		"from_sent_at":         from.SentAt,
		"from_order_id":        from.OrderID,
		"only_order_id":        from.OnlyOrderID,
		"changed_within":       from.ChangedWithin,
		"up_to_now":            from.UpToNow,
		"seen_up_to":           from.SeenUpTo,
		"scan_limit":           limit,
		"first_delay_seconds":  firstDelay.Seconds(),
		"learned_first_checks": learnedFirstChecks,
	}
}

// enlistSQL reads waiting orders in the order the shop sent them, from a
// position on, and gives each pollable one zwatch does not know a
// bookkeeping row, due FirstDelay after it was sent. It also brings back
// orders zwatch had finished with that are pollable again: staff undid a
// decision, or the shop sent the order again. A re-sent order (sentAt after
// zwatch finished or gave up) starts over, due when a new one would be;
// one that merely came back is due at once and keeps its attempts and
// its give-up clock. An order zwatch gave up on stays given up until the
// shop sends it again. Rows another run or an operator's check holds are
// left alone.
//
// A panel zwatch has learned (zwatch_panel_fits.first_check_s, issue 11)
// has its new and re-sent orders first asked when its plan says, not
// FirstDelay after they were sent: one primary key lookup per order, like
// the others. It is read up to firstCheckMost; none, zero or less, or NaN
// is FirstDelay. A run following a fixed schedule (not
// learned_first_checks) does not look it up.
//
// Orders of a switched-off integration are registered too: the claim
// leaves them alone while it is off, and asks once it is on again, which
// changes no order row for a sweep to notice.
//
// A sweep passes over rows that no transaction changed since the pass
// before the last began (changed_within transactions ago): such a row
// was read, as it is now, by that pass, so there is nothing new to find in
// it; nor over rows whose last change was zwatch's own answer (see
// to_look). That leaves a sweep reading the index, the shop's rows and
// zwatch's rows of orders changed lately, and looking further only at
// what someone else changed. Registering's look-back does the same with the
// last registration that read to the end: of the orders sent in the last
// seconds, it looks up only those whose sending committed since.
//
// It reads the shop's rows and locks none of them. New rows are inserted in
// id order, so that two runs inserting at once cannot deadlock.
var enlistSQL = named(`
-- register and revive waiting orders
-- Integrations staff created, fixed or switched to znet since (a handful
-- of rows, read whole): an order naming one is looked at again although
-- its own row did not change.
WITH changed_integrations AS MATERIALIZED (
	SELECT i.id::text AS id
	FROM integrations i
	WHERE @changed_within::bigint IS NULL OR age(i.xmin) <= @changed_within::bigint
),
scanned AS MATERIALIZED (
	SELECT o.id, o.status, o."externalStatus", o."providerId", o.provider_referans, o."externalOrderId",
	       ` + sentAtSQL + ` AS sent_at,
	       o.xmin AS row_xmin,
	       @changed_within::bigint IS NULL OR age(o.xmin) <= @changed_within::bigint
	           -- Sent after registering's position: it was sent after now
	           -- when registering last read to the end, which left it out.
	           OR COALESCE(` + sentAtSQL + ` > @seen_up_to::timestamptz, false) AS changed,
	       lower(btrim(o."providerId")) IN (SELECT id FROM changed_integrations) AS integration_changed
	FROM product_orders o
	WHERE ` + waitingSQL + `
	  AND (` + sentAtSQL + `, o.id) > (@from_sent_at::timestamptz, @from_order_id::uuid)
	  AND (@only_order_id::uuid IS NULL OR o.id = @only_order_id::uuid)
	  AND (NOT @up_to_now::boolean OR ` + sentAtSQL + ` <= now())
	ORDER BY ` + sentAtSQL + `, o.id
	LIMIT @scan_limit
),
-- Only these are looked at further; the others are passed over by
-- comparing text, without resolving each one's integration or looking up
-- its row in zwatch's table. A change that was zwatch's own answer is
-- passed over too: the answer wrote the shop's row and zwatch's in one
-- transaction, and booked the order as the row it wrote left it (a row
-- zwatch wrote last has its xmin on both).
to_look AS MATERIALIZED (
	SELECT o.*,
	       c.order_id IS NOT NULL AS booked,
	       c.finished_at,
	       c.given_up_at
	FROM scanned o
	LEFT JOIN LATERAL (
		SELECT c.order_id, c.finished_at, c.given_up_at, c.xmin AS row_xmin
		FROM zwatch_order_checks c
		WHERE (o.changed OR o.integration_changed)
		  AND c.order_id = o.id
		LIMIT 1
	) c ON true
	WHERE o.integration_changed
	   OR o.changed AND c.row_xmin IS DISTINCT FROM o.row_xmin
),
known AS MATERIALIZED (
	SELECT o.id,
	       i.id AS integration_id,
	       o.sent_at,
	       ` + referansSQL + ` AS referans,
	       COALESCE(` + notPollableSQL + `, '') IN ('', '` + string(NotPollableDisabled) + `') AS enlistable,
	       o.booked,
	       o.finished_at IS NOT NULL OR o.given_up_at < o.sent_at AS finished_with,
	       o.sent_at > COALESCE(o.given_up_at, o.finished_at) AS resent,
	       -- NaN sorts above every number; LEAST and GREATEST pass over a
	       -- NULL, so none of them may stand for "not learned".
	       ` + firstDueSQL("o.sent_at", "pf.first_check_s", "@first_delay_seconds") + ` AS first_due
	FROM to_look o
	` + integrationOfOrderSQL + `
	LEFT JOIN LATERAL (
		SELECT pf.first_check_s FROM zwatch_panel_fits pf
		WHERE @learned_first_checks::boolean AND pf.integration_id = i.id LIMIT 1
	) pf ON true
),
registered AS (
	INSERT INTO zwatch_order_checks (order_id, next_check_at, referans, integration_id)
	SELECT id, first_due, referans, integration_id
	FROM known
	WHERE enlistable AND NOT booked
	ORDER BY id
	ON CONFLICT (order_id) DO NOTHING
	RETURNING order_id
),
back AS MATERIALIZED (
	SELECT k.id, k.integration_id, k.resent, k.first_due
	FROM known k
	CROSS JOIN LATERAL (
		SELECT 1
		FROM zwatch_order_checks c
		WHERE c.order_id = k.id
		  AND (c.finished_at IS NOT NULL OR c.given_up_at < k.sent_at)
		  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
		FOR UPDATE SKIP LOCKED
	) unclaimed
	WHERE k.enlistable AND k.booked AND k.finished_with
),
revived AS (
	UPDATE zwatch_order_checks c
	SET finished_at = NULL,
		given_up_at = NULL,
		-- A hold of the shop's met before it finished is over.
		shop_held_since = NULL,
		-- Sent again, it starts over as a new order does.
		next_check_at = CASE WHEN back.resent THEN back.first_due ELSE now() END,
		integration_id = back.integration_id,
		attempts = CASE WHEN back.resent THEN 0 ELSE c.attempts END,
		first_checked_at = CASE WHEN back.resent THEN NULL ELSE c.first_checked_at END,
		-- Sent again, it is a new sending to the learning too, which reads
		-- the orders seen waiting newest registered first (history.go,
		-- migration 00031): what znet said of the earlier sending is no
		-- sample of this one, and kept, it put the row among the orders
		-- seen waiting, days old or at the head of the index.
		waiting_seen_at = CASE WHEN back.resent
			OR c.integration_id IS DISTINCT FROM back.integration_id AND c.integration_id IS NOT NULL
			THEN NULL ELSE c.waiting_seen_at END,
		created_at = CASE WHEN back.resent THEN now() ELSE c.created_at END,
		-- Of another znet order once it moved to another integration, as
		-- the claim forgets it.
		last_result = CASE WHEN back.resent OR c.integration_id IS DISTINCT FROM back.integration_id
			THEN NULL ELSE c.last_result END,
		last_error = CASE WHEN back.resent THEN NULL ELSE c.last_error END
	FROM back
	WHERE c.order_id = back.id
	  AND c.order_id = ANY (ARRAY(SELECT id FROM back))
	RETURNING c.order_id
),
-- A waiting order whose booking the shop's row has left behind:
-- - booked while its "sentAt" was a placeholder until it was sent
--   ('infinity', 9999-12-31) or a host's clock ran far ahead, due then, and
--   the shop has written its "sentAt" since: due as it now says. Only a due
--   time more than an hour away moves: a nearer one may be a run's on
--   purpose (orders released from a panel cut off wait a minute).
-- - moved to another integration: booked with it, for claims that pass
--   over a panel with a backlog, which find orders by their booked panel
--   and would leave one moved off such a panel waiting behind its backlog.
moved AS MATERIALIZED (
	SELECT k.id, k.integration_id, unclaimed.far_off, k.first_due
	FROM known k
	CROSS JOIN LATERAL (
		SELECT c.attempts = 0 -- not asked since it was sent, or sent again
		       AND c.next_check_at > GREATEST(k.first_due, now()) + interval '1 hour' AS far_off
		FROM zwatch_order_checks c
		WHERE c.order_id = k.id
		  AND c.finished_at IS NULL
		  AND c.given_up_at IS NULL
		  AND (c.attempts = 0 AND c.next_check_at > GREATEST(k.first_due, now()) + interval '1 hour'
		       OR c.integration_id IS DISTINCT FROM k.integration_id)
		  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
		FOR UPDATE SKIP LOCKED
	) unclaimed
	WHERE k.enlistable AND k.booked AND k.finished_with IS NOT TRUE -- NULL when neither finished nor given up
),
rescheduled AS (
	UPDATE zwatch_order_checks c
	SET next_check_at = CASE WHEN moved.far_off THEN moved.first_due ELSE c.next_check_at END,
		-- Of another znet order once it moved, as the claim forgets it,
		-- and no sample of the new panel's finishing times.
		last_result = CASE WHEN c.integration_id IS DISTINCT FROM moved.integration_id
			THEN NULL ELSE c.last_result END,
		waiting_seen_at = CASE WHEN c.integration_id IS DISTINCT FROM moved.integration_id AND c.integration_id IS NOT NULL
			THEN NULL ELSE c.waiting_seen_at END,
		integration_id = moved.integration_id
	FROM moved
	WHERE c.order_id = moved.id
	  AND c.order_id = ANY (ARRAY(SELECT id FROM moved))
	RETURNING c.order_id
)
-- registered, revived and rescheduled are not read: PostgreSQL runs every
-- data-modifying statement of a WITH to its end all the same.
SELECT (SELECT count(*) FROM scanned) AS scanned,
       last.sent_at::text AS last_sent_at,
       last.id::text AS last_order_id,
       pg_snapshot_xmin(pg_current_snapshot())::text AS horizon
FROM (SELECT 1) one
LEFT JOIN LATERAL (
	SELECT sent_at, id FROM scanned ORDER BY sent_at DESC, id DESC LIMIT 1
) last ON true`)

// firstCheckMost bounds a learned panel's first check as registering reads
// it. No plan asks first later than the 30-minute floor every waiting
// order is asked at (watch.MaxCheckWait); a value past it, or past what
// an interval holds ('Infinity', 1e300), can only be a hand edit of
// the row, and must not fail the registering, and with it the claim, of
// every panel's orders.
const firstCheckMost = 30 * time.Minute

// firstDueSQL is when registering has an order sent at sentAt first asked:
// its panel's learned first check (firstCheck, a column that may be NULL)
// up to firstCheckMost, or firstDelay (seconds) after it was sent.
func firstDueSQL(sentAt, firstCheck, firstDelay string) string {
	return afterSentSQL(sentAt, `CASE WHEN `+firstCheck+` > 0 AND `+firstCheck+` <> 'NaN'
		THEN LEAST(`+firstCheck+`, `+strconv.FormatFloat(firstCheckMost.Seconds(), 'f', -1, 64)+`)
		ELSE `+firstDelay+` END`)
}

// FinishedKeptFor is how long zwatch keeps an order's bookkeeping row after
// it finished with the order. Within it, an order staff reopen carries on
// with its attempts and give-up clock; after it, such an order starts over.
// Deleting the rows keeps zwatch_order_checks the size of the work, not of
// the shop's history, and so keeps every claim's lookups in it cheap.
const FinishedKeptFor = 7 * 24 * time.Hour

// EventsKeptFor is how long the log of transitions keeps an event. What
// reads it reads recent events only (stats a day, the learning the last
// finished orders of each panel, walking the index on at backwards); kept
// for ever, it grew by gigabytes a year of a busy shop's database, and
// with it the shop's backups.
const EventsKeptFor = 90 * 24 * time.Hour

// purgeParams are purgeSQL's.
func purgeParams() params {
	return params{
		"kept_for_seconds":        FinishedKeptFor.Seconds(),
		"events_kept_for_seconds": EventsKeptFor.Seconds(),
		"purge_limit":             purgeLimit,
	}
}

// purgeSQL deletes a bounded number of long-finished rows per sweep, so
// that no claim ever does a large delete; rows another run holds are
// skipped. Of an order the shop has deleted, the events go too: with no
// foreign key, nothing else would delete them. So do, as many at most,
// events older than EventsKeptFor, oldest first along the index on at.
var purgeSQL = named(`
-- purge long-finished bookkeeping
WITH old_events AS (
	DELETE FROM zwatch_order_events ev
	WHERE ev.id = ANY (ARRAY(
		SELECT id
		FROM zwatch_order_events
		WHERE at < now() - make_interval(secs => @events_kept_for_seconds)
		ORDER BY at
		LIMIT @purge_limit))
),
purged AS (
	DELETE FROM zwatch_order_checks c
	WHERE c.order_id = ANY (ARRAY(
		SELECT f.order_id
		FROM zwatch_order_checks f
		WHERE f.finished_at < now() - make_interval(secs => @kept_for_seconds)
		  -- Kept while another order carrying its referans is not
		  -- finished (a copy held for a person, stuck): the apply finds
		  -- the order znet's PIN went to by this row, and a retry of the
		  -- copy must still find it.
		  AND NOT EXISTS (
			SELECT 1 FROM zwatch_order_checks w
			WHERE ` + referansKeySQL("w.referans") + ` = ` + referansKeySQL("f.referans") + ` AND w.referans <> ''
			  AND w.order_id <> f.order_id
			  AND w.finished_at IS NULL)
		ORDER BY f.finished_at
		LIMIT @purge_limit
		FOR UPDATE OF f SKIP LOCKED))
	RETURNING c.order_id
)
DELETE FROM zwatch_order_events ev
WHERE ev.order_id = ANY (ARRAY(
	SELECT p.order_id
	FROM purged p
	LEFT JOIN LATERAL (
		SELECT o.id FROM product_orders o WHERE o.id = p.order_id LIMIT 1
	) o ON true
	WHERE o.id IS NULL))`)

// Release hands back claims this run took but did not use, without counting
// an attempt: the orders are due again at once for the next run. It is
// ReleaseClaims (lease.go) for the plain case, which `check --order` needs.
func (s *Store) Release(ctx context.Context, runID string, orderIDs []string) error {
	held, err := s.ReleaseClaims(ctx, ReleaseParams{RunID: runID, OrderIDs: orderIDs})
	if err == nil {
		err = RowsHeldError(held)
	}
	return err
}

// RowsHeldError is the error of a hand-back of claims whose rows of
// zwatch_order_checks another transaction held (held, as the release
// returned them), for a caller that cannot leave them to lapse unsaid;
// nil when none was.
func RowsHeldError(held []string) error {
	if len(held) == 0 {
		return nil
	}
	rows := "the orders' rows"
	if len(held) == 1 {
		rows = "the order's row"
	}
	return fmt.Errorf("releasing %s: another transaction holds %s in zwatch_order_checks "+
		"(a person's transaction left open on zwatch's table?)", counted(len(held), "claim"), rows)
}

// Due lists what a claim would take now, without writing anything: the
// dry run's view. Orders zwatch has never seen, or had finished with and
// that are pollable again, count as registering and reviving would count
// them. It reads every waiting order: a dry run is a person's question,
// not the cron line's. dbNow is the database's clock once it read them,
// by which their give-up clocks run.
func (s *Store) Due(ctx context.Context, firstDelay time.Duration, learnedFirstChecks bool, limit int) (orders []Order, dbNow time.Time, err error) {
	err = s.readShop(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &orders, dueSQL.text, dueSQL.args(params{
			"first_delay_seconds":  firstDelay.Seconds(),
			"learned_first_checks": learnedFirstChecks,
			"due_limit":            limit,
		})...); err != nil {
			return err
		}
		// Read last, as near as can be to the moment the caller pairs
		// with its own clock (now() is when the transaction began).
		return tx.GetContext(ctx, &dbNow, `SELECT clock_timestamp()`)
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("listing due orders: %w", err)
	}
	return orders, dbNow, nil
}

// afterSentSQL is the time secs seconds (at most the half hour a step or a
// first delay may be) after sentAt, a "sentAt" of the shop's: infinity for
// one so near the end of PostgreSQL's range that adding to it would fail
// ("timestamp out of range"), and with it the statement for every other
// order. Such a placeholder is a "never", as infinity is.
func afterSentSQL(sentAt, secs string) string {
	return `CASE WHEN ` + sentAt + ` < '100000-01-01'::timestamptz OR NOT isfinite(` + sentAt + `)
		THEN ` + sentAt + ` + make_interval(secs => ` + secs + `)
		ELSE 'infinity'::timestamptz END`
}

var dueSQL = named(`
-- list due orders (dry run)
SELECT ` + orderColumnsSQL + `
FROM product_orders o
` + joinZnetSQL + `
-- An order sent again is a new one, as reviving has it: no attempts, no
-- first check to give up from, nothing it last answered. The give-up
-- clock of another moves past the time its panel was failing, as the
-- claim moves it.
LEFT JOIN LATERAL (
	SELECT c.order_id, c.next_check_at, c.finished_at, c.given_up_at, c.claim_expires_at,
	       c.referans, c.integration_id,
	       CASE WHEN ` + resentSQL + ` THEN 0 ELSE c.attempts END AS attempts,
	       CASE WHEN NOT ` + resentSQL + `
	           THEN ` + restartedClockSQL + ` END AS first_checked_at,
	       CASE WHEN NOT ` + resentSQL + ` THEN c.last_result END AS last_result
	FROM zwatch_order_checks c
	WHERE c.order_id = o.id
) c ON true
CROSS JOIN LATERAL (
	SELECT ` + firstDueSQL(sentAtSQL, "pf.first_check_s", "@first_delay_seconds") + ` AS at
	FROM (SELECT) one
	LEFT JOIN zwatch_panel_fits pf ON @learned_first_checks::boolean AND pf.integration_id = i.id
) first_due
CROSS JOIN LATERAL (
	SELECT CASE
		WHEN c.order_id IS NULL OR ` + resentSQL + ` THEN first_due.at
		WHEN c.finished_at IS NULL AND c.given_up_at IS NULL THEN c.next_check_at
		-- Staff took a decision back: due at once. (Given up and not
		-- sent again: stuck, none.)
		WHEN c.finished_at IS NOT NULL THEN now()
	END AS at
) due
WHERE ` + pollableSQL + `
  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
  AND due.at <= now()
ORDER BY due.at
LIMIT @due_limit`)
