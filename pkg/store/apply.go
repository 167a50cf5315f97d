package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Result is what znet said about one order, as the store records it.
type Result string

const (
	ResultWaiting   Result = "waiting"
	ResultDone      Result = "done"
	ResultCancelled Result = "cancelled"
	// ResultError means znet could not be asked or gave no usable answer:
	// nothing is written to the shop's row.
	ResultError Result = "error"
)

// Outcome is one asked order, ready to be applied.
type Outcome struct {
	Order       Order // as claimed: the compare-and-set checks its integration and referans
	Result      Result
	PIN         string // with ResultDone; may be empty (top-ups have none)
	Message     string // znet's description, for "providerMessage"
	LastMessage string // with ResultDone, for "lastMessage"
	Error       string // with ResultError; must hold no secret
	// ErrorKind names the kind of error for zwatch's own table, e.g.
	// "unauthorized"; last_result becomes "error:<kind>".
	ErrorKind   string
	NextCheckIn time.Duration // from now, on the database's clock
}

// ApplyParams is what every outcome of one apply shares.
type ApplyParams struct {
	RunID string
	// GiveUpAfter counts from zwatch's first check of an order; an order
	// still not final after it is marked stuck and no longer asked about.
	GiveUpAfter time.Duration
	// GiveUpNote goes into "lastMessage" of an order zwatch gives up on.
	GiveUpNote string
}

// Applied is what the apply did to one order.
type Applied struct {
	OrderID    string `db:"order_id"`
	FromStatus string `db:"from_status"` // "externalStatus" before
	ToStatus   string `db:"to_status"`   // and after
	Written    bool   `db:"written"`     // the shop's row was updated
	PINSaved   bool   `db:"pin_saved"`
	GaveUp     bool   `db:"gave_up"`
	// Overtaken means the shop or a person changed the order after it was
	// claimed (decided it, re-sent it), or another run holds it now: their
	// change wins, and nothing of this answer was written.
	Overtaken bool `db:"overtaken"`
	// PINCut says a PIN longer than the shop's column had to be cut.
	PINCut bool `db:"-"`
}

// The shop's column sizes, in characters (varchar counts characters).
const (
	pinCodeLen         = 120
	lastMessageLen     = 250
	providerMessageLen = 2000 // text in the schema; a bound keeps one odd answer from bloating the row
	lastErrorLen       = 1000
)

// Apply writes a batch of outcomes in one statement, in one transaction.
//
// Each order is still its own compare-and-set: its row is updated only while
// it is pollable, still with the integration and referans that were asked
// about, so a decision the shop or staff made meanwhile wins; a final state
// is never moved back and a PIN already saved is never overwritten. Values
// are fitted to the shop's columns first, so that no answer can make the
// statement, and with it the order, fail forever.
//
// One statement for many orders keeps the database round trips per run
// small when thousands of answers come back within seconds.
func (s *Store) Apply(ctx context.Context, p ApplyParams, outcomes []Outcome) ([]Applied, error) {
	if len(outcomes) == 0 {
		return nil, nil
	}
	n := len(outcomes)
	var (
		ids          = make([]string, n)
		results      = make([]string, n)
		pins         = make([]string, n)
		messages     = make([]string, n)
		lastMessages = make([]string, n)
		errs         = make([]string, n)
		delays       = make([]float64, n)
		referanses   = make([]string, n)
		integrations = make([]string, n)
		cut          = make(map[string]bool)
	)
	for k, o := range outcomes {
		ids[k] = o.Order.ID
		results[k] = string(o.Result)
		if o.Result == ResultError && o.ErrorKind != "" {
			results[k] = "error:" + o.ErrorKind
		}
		pins[k] = FitColumn(o.PIN, pinCodeLen)
		if pins[k] != cleanText(o.PIN) {
			cut[o.Order.ID] = true
		}
		messages[k] = FitColumn(o.Message, providerMessageLen)
		lastMessages[k] = FitColumn(o.LastMessage, lastMessageLen)
		errs[k] = FitColumn(o.Error, lastErrorLen)
		delays[k] = o.NextCheckIn.Seconds()
		referanses[k] = o.Order.Referans
		integrations[k] = o.Order.IntegrationID
	}
	var applied []Applied
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// A shop transaction that holds one order's row must not hold up a
		// whole batch of answers, PINs among them: after a few seconds the
		// batch fails, and the run saves its orders one by one.
		if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &applied, applySQL,
			pq.Array(ids), pq.Array(results), pq.Array(pins), pq.Array(messages),
			pq.Array(lastMessages), pq.Array(errs), pq.Array(delays),
			pq.Array(referanses), pq.Array(integrations),
			p.RunID, p.GiveUpAfter.Seconds(), FitColumn(p.GiveUpNote, lastMessageLen))
	})
	if err != nil {
		return nil, fmt.Errorf("saving %d answers: %w", n, err)
	}
	for k := range applied {
		applied[k].PINCut = cut[applied[k].OrderID] && applied[k].PINSaved
	}
	return applied, nil
}

// applySQL is the whole of applying answers, as data-modifying CTEs so that
// each step sees exactly which orders the step before it changed.
//
//	input   the outcomes, one row per order
//	checks  decides give-up on the database's clock
//	prev    locks the shop's rows and evaluates the compare-and-set
//	changed the shop's columns zwatch owns, only where the CAS holds
//	events  the transition log (never the PIN itself)
//	booked  zwatch's scheduling row: attempt counted, claim cleared
const applySQL = `
WITH input AS (
	SELECT *
	FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
	            $7::float8[], $8::text[], $9::text[])
	     AS t(order_id, result, pin, message, last_message, error, next_delay, referans, integration_id)
),
checks AS (
	-- Not locked: these rows are this run's by its claim, and booked below
	-- updates them in the same statement. A claim that lapsed and was taken
	-- by another run is no longer ours: that run asks and writes, not this.
	SELECT c.order_id,
	       c.claimed_by IS NOT DISTINCT FROM $10 AS ours,
	       input.result NOT IN ('done', 'cancelled')
	       AND COALESCE(c.first_checked_at, now()) <= now() - make_interval(secs => $11) AS give_up
	FROM zwatch_order_checks c
	JOIN input ON input.order_id = c.order_id
),
prev AS (
	SELECT o.id,
	       o."externalStatus" AS from_status,
	       (` + orderPollableSQL + `) AS still_pollable,
	       (` + orderPollableSQL + `
	        AND lower(btrim(o."providerId")) = input.integration_id
	        AND ` + referansSQL + ` = input.referans) AS cas_holds
	FROM product_orders o
	JOIN input ON input.order_id = o.id
	-- Locked as read, so that the compare-and-set below cannot act on a row
	-- the shop changed since; in one order, so that no two writers deadlock.
	ORDER BY o.id
	FOR NO KEY UPDATE OF o
),
changed AS (
	UPDATE product_orders o
	SET "externalStatus" = CASE input.result
			WHEN 'done' THEN 'completed'
			WHEN 'waiting' THEN 'processing'
			WHEN 'cancelled' THEN 'failed'
			ELSE o."externalStatus" END,
		"pinCode" = CASE WHEN input.result = 'done'
			THEN COALESCE(NULLIF(o."pinCode", ''), NULLIF(input.pin, ''))
			ELSE o."pinCode" END,
		"completedAt" = CASE WHEN input.result = 'done'
			THEN COALESCE(o."completedAt", now())
			ELSE o."completedAt" END,
		-- durationMs is an integer: an order sent weeks ago must not
		-- overflow it and fail the whole batch.
		"durationMs" = CASE WHEN input.result = 'done' AND o."sentAt" IS NOT NULL
			THEN LEAST(2147483647, GREATEST(0, round(1000 * extract(epoch FROM
				COALESCE(o."completedAt", now()) - o."sentAt"))))::integer
			ELSE o."durationMs" END,
		status = CASE WHEN input.result = 'done' THEN 'approved' ELSE o.status END,
		"approvedAt" = CASE WHEN input.result = 'done'
			THEN COALESCE(o."approvedAt", now())
			ELSE o."approvedAt" END,
		"providerMessage" = CASE WHEN input.result IN ('done', 'waiting', 'cancelled')
			THEN input.message
			ELSE o."providerMessage" END,
		"lastMessage" = CASE
			WHEN input.result = 'done' THEN COALESCE(NULLIF(input.last_message, ''), o."lastMessage")
			WHEN checks.give_up THEN $12
			ELSE o."lastMessage" END,
		"lastSyncAt" = CASE WHEN input.result IN ('done', 'waiting', 'cancelled')
			THEN now()
			ELSE o."lastSyncAt" END
	FROM prev
	JOIN input ON input.order_id = prev.id
	JOIN checks ON checks.order_id = prev.id
	WHERE o.id = prev.id
	  AND prev.cas_holds
	  AND checks.ours
	  AND (input.result IN ('done', 'waiting', 'cancelled') OR checks.give_up)
	RETURNING o.id,
	          prev.from_status,
	          o."externalStatus" AS to_status,
	          input.result = 'done' AND COALESCE(o."pinCode", '') <> '' AS pin_saved,
	          checks.give_up,
	          input.message
),
events AS (
	INSERT INTO zwatch_order_events (order_id, kind, from_status, to_status, pin_delivered, provider_message, run_id)
	SELECT id, 'status', from_status, to_status, pin_saved, message, $10
	FROM changed
	WHERE from_status IS DISTINCT FROM to_status OR pin_saved
	UNION ALL
	SELECT id, 'gave_up', from_status, to_status, false, $12, $10
	FROM changed
	WHERE give_up
),
booked AS (
	UPDATE zwatch_order_checks c
	SET attempts = c.attempts + 1,
		first_checked_at = COALESCE(c.first_checked_at, now()),
		last_checked_at = now(),
		-- When the order finished lies between this and the final answer
		-- (issue 11: learning each panel's finishing times).
		waiting_seen_at = CASE WHEN input.result = 'waiting' THEN now() ELSE c.waiting_seen_at END,
		next_check_at = now() + make_interval(secs => input.next_delay),
		claimed_by = NULL,
		claim_expires_at = NULL,
		last_result = input.result,
		last_error = NULLIF(input.error, ''),
		given_up_at = CASE WHEN checks.give_up AND changed.id IS NOT NULL THEN now() END,
		finished_at = CASE
			WHEN changed.to_status IN ('completed', 'failed') THEN now()
			WHEN prev.id IS NULL OR NOT prev.still_pollable THEN now()
			END
	FROM input
	JOIN checks ON checks.order_id = input.order_id
	LEFT JOIN prev ON prev.id = input.order_id
	LEFT JOIN changed ON changed.id = input.order_id
	WHERE c.order_id = input.order_id
	  AND checks.ours
	RETURNING c.order_id
)
SELECT input.order_id::text AS order_id,
       COALESCE(changed.from_status, prev.from_status, '') AS from_status,
       COALESCE(changed.to_status, prev.from_status, '') AS to_status,
       changed.id IS NOT NULL AS written,
       COALESCE(changed.pin_saved, false) AS pin_saved,
       COALESCE(changed.give_up, false) AS gave_up,
       NOT (COALESCE(prev.cas_holds, false) AND COALESCE(checks.ours, false)) AS overtaken
FROM input
LEFT JOIN prev ON prev.id = input.order_id
LEFT JOIN checks ON checks.order_id = input.order_id
LEFT JOIN changed ON changed.id = input.order_id`

// FitColumn makes s safe for a varchar(max) column of the shop: valid UTF-8,
// no NUL bytes (PostgreSQL rejects both) and at most max characters, cut on
// a character boundary.
func FitColumn(s string, max int) string {
	s = cleanText(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	return string(runes[:max])
}

func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
