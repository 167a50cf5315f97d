package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// FinishSample is one order as zwatch saw it, ages in seconds from its
// sentAt: znet said it was still waiting at WaitingAge (0 when no check
// did) and final at FinalAge; or zwatch gave up on it at FinalAge; or,
// Open, it is still waiting, last seen so at WaitingAge.
type FinishSample struct {
	IntegrationID string  `db:"integration_id"`
	WaitingAge    float64 `db:"waiting_age"`
	FinalAge      float64 `db:"final_age"`
	GaveUp        bool    `db:"gave_up"`
	Completed     bool    `db:"completed"`
	Open          bool    `db:"open"`
}

// HistoryParams bounds what FinishHistory reads.
type HistoryParams struct {
	// Scan is how many of the newest final answers and give-ups, over all
	// panels, are read at most, and how many of the orders still waiting,
	// shared among the switched-on panels (at least 100 each): the query's
	// cost, whatever the size of the shop's history and of its backlog.
	Scan int
	// PerPanel keeps each panel's newest this many orders, by sentAt.
	PerPanel int
	// Within leaves out orders sent longer ago than this.
	Within time.Duration
}

// FinishHistory returns, per panel, the orders sent since a point in time,
// whatever became of them: final (with when znet last said waiting), given
// up, or still waiting. A sample of whole sendings, not only of the ones
// that already ended, so that a fit made while slow orders are still
// waiting does not take the panel for faster than it is.
//
// Its cost is bounded by p.Scan and the number of panels, not by the
// shop's history nor by the orders waiting: it walks the index on
// zwatch_order_events.at backwards from now, reads a share of p.Scan
// waiting orders of each panel through zwatch_order_checks' partial index
// of the orders seen waiting, and looks each order up by primary key. When
// the scan is cut short, the sample starts at the oldest final answer it
// read, so that every order sent since is in it.
func (s *Store) FinishHistory(ctx context.Context, p HistoryParams) ([]FinishSample, error) {
	var samples []FinishSample
	if err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &samples, finishHistorySQL, p.Scan, p.PerPanel, p.Within.Seconds())
	}); err != nil {
		return nil, fmt.Errorf("reading the history of finished orders: %w", err)
	}
	return samples, nil
}

// finishHistorySQL: an order's lower bound is when znet last said it was
// waiting, if that lies between its sentAt and its final answer (an order
// the shop sent again has an older one); otherwise its sentAt. Events
// from before the order's current sentAt belong to an earlier sending.
const finishHistorySQL = `
WITH recent AS (
	SELECT ev.order_id, ev.at, ev.kind, ev.to_status, ev.integration_id,
	       -- When znet was asked for the final answer, if known (migration
	       -- 00026), rather than when it was saved.
	       COALESCE(ev.asked_at, ev.at) AS final_at,
	       ` + heldFinalSQL + ` AS held_final
	FROM zwatch_order_events ev
	WHERE ev.at > now() - make_interval(secs => $3)
	  AND (ev.kind = 'gave_up' OR ev.kind = 'status' AND ev.to_status IN ('completed', 'failed'))
	ORDER BY ev.at DESC
	LIMIT $1
),
since AS (
	-- Every order sent since this ended within what was read, or is
	-- still waiting.
	SELECT CASE WHEN count(*) >= $1 THEN min(at) ELSE now() - make_interval(secs => $3) END AS t0
	FROM recent
),
ended AS (
	-- One sample per sending and panel: an order given up on, put back by
	-- retry --stuck and then final has both events, and one staff set back
	-- to sent and zwatch found final again has two final ones. znet's
	-- answer wins over a give-up, and the first answer over a later one; a
	-- give-up of an order put back and waiting again is no sample, the
	-- order's waiting one is. An answer or a give-up is the sample of the
	-- panel it was of (migration 00032; an older event, of the panel the
	-- order names now): an order one panel cancelled, which the shop
	-- moved to another without sending it anew, is a cancellation of the
	-- first and a completion of the second, not the second's cancellation.
	-- A switched-off panel's answers are left out (cohort), as its waiting
	-- orders are: a fit of the ones that finished alone would take it for
	-- faster than it is, and it keeps the fit it had until it is switched
	-- on again.
	SELECT DISTINCT ON (r.order_id, COALESCE(r.integration_id, o.integration_id))
	       r.order_id, COALESCE(r.integration_id, o.integration_id)::text AS integration_id, o.sent_at,
	       CASE WHEN c.waiting_seen_at > o.sent_at AND c.waiting_seen_at < r.final_at
	            THEN extract(epoch FROM c.waiting_seen_at - o.sent_at)::float8
	            ELSE 0 END AS waiting_age,
	       extract(epoch FROM r.final_at - o.sent_at)::float8 AS final_age,
	       r.kind = 'gave_up' AND NOT r.held_final AS gave_up,
	       r.kind = 'status' AND r.to_status = 'completed' OR r.held_final AS completed,
	       false AS open
	FROM recent r
	-- One primary key lookup per event (see statsSQL for why LIMIT).
	JOIN LATERAL (
		SELECT ` + integrationIDSQL + ` AS integration_id, ` + sentAtSQL + ` AS sent_at
		FROM product_orders o
		WHERE o.id = r.order_id
		LIMIT 1
	) o ON true
	LEFT JOIN zwatch_order_checks c ON c.order_id = r.order_id
	-- An infinite sentAt says nothing of how long the panel took, and
	-- PostgreSQL refuses to subtract it: such an order is left out.
	WHERE r.final_at >= o.sent_at AND isfinite(o.sent_at)
	  -- Put back and waiting again at the panel that gave it up; not a
	  -- hold, which was znet's answer, as a status event is.
	  AND NOT (r.kind = 'gave_up' AND NOT r.held_final AND c.given_up_at IS NULL AND c.finished_at IS NULL
	           AND COALESCE(r.integration_id, o.integration_id) IS NOT DISTINCT FROM o.integration_id)
	-- znet's first answer, a hold's among them (a check by hand holding
	-- it again, or its completion saved once staff resolved the hold,
	-- came later); of give-ups alone (put back by retry --stuck and given
	-- up on again), the last, which knows the order longest.
	ORDER BY r.order_id, COALESCE(r.integration_id, o.integration_id),
	         r.kind = 'gave_up' AND NOT r.held_final,
	         CASE WHEN r.kind = 'gave_up' AND NOT r.held_final THEN r.final_at END DESC,
	         r.final_at
),
panels AS MATERIALIZED (
	SELECT i.id FROM integrations i WHERE i.provider = ` + providerSQL + ` AND i.enabled
),
scan_share AS (
	SELECT GREATEST(100, $1 / (count(*) + 1)) AS n FROM panels
),
waiting_checks AS MATERIALIZED (
	-- Of each switched-on znet panel, and of the orders whose panel
	-- zwatch does not know yet, the newest orders znet said are still
	-- waiting, by when zwatch registered them (the cohort below keeps
	-- each panel's newest by sentAt, which that follows: registering
	-- dates an order the shop sent again anew), a share
	-- of the scan each (at least 100), along their own partial index
	-- (migration 00031): a backlog of tens of thousands costs no more
	-- than the history does, and a switched-off panel's does not push the
	-- others' out. Along the index of due orders, whichever end was read
	-- first, orders that say nothing filled the share (a backlog not yet
	-- asked, placeholders never due, orders waiting for hours the cohort
	-- leaves out), and the panel was fitted from its fast answers alone.
	SELECT d.order_id, d.waiting_seen_at
	FROM panels p
	CROSS JOIN LATERAL (
		SELECT c.order_id, c.waiting_seen_at
		FROM zwatch_order_checks c
		WHERE c.integration_id = p.id
		  AND c.finished_at IS NULL
		  AND c.given_up_at IS NULL
		  AND c.waiting_seen_at IS NOT NULL
		ORDER BY c.created_at DESC
		LIMIT (SELECT n FROM scan_share)
	) d
	UNION ALL
	(SELECT c.order_id, c.waiting_seen_at
	FROM zwatch_order_checks c
	WHERE c.integration_id IS NULL
	  AND c.finished_at IS NULL
	  AND c.given_up_at IS NULL
	  AND c.waiting_seen_at IS NOT NULL
	-- integration_id first, as the index has it: by created_at alone the
	-- planner may read every panel's orders to find the few that name
	-- none.
	ORDER BY c.integration_id DESC, c.created_at DESC
	LIMIT (SELECT n FROM scan_share))
),
waiting AS (
	SELECT c.order_id, o.integration_id::text AS integration_id, o.sent_at,
	       extract(epoch FROM c.waiting_seen_at - o.sent_at)::float8 AS waiting_age,
	       0::float8 AS final_age, false AS gave_up, false AS completed, true AS open
	FROM waiting_checks c
	JOIN LATERAL (
		SELECT ` + integrationIDSQL + ` AS integration_id, ` + sentAtSQL + ` AS sent_at
		FROM product_orders o
		WHERE o.id = c.order_id
		LIMIT 1
	) o ON true
	-- Set back to sent by staff after its panel's final answer, in the
	-- same sending, or put back after a hold at one: that answer is its
	-- sample (ended's test of the sending). Another panel's answer is that panel's: the order moved
	-- and waits at this one. A probe of the events' index by order each,
	-- LIMIT keeping it one: as NOT EXISTS the planner may read every final
	-- event kept instead.
	LEFT JOIN LATERAL (
		SELECT true AS answered
		FROM zwatch_order_events ev
		WHERE ev.order_id = c.order_id
		  AND COALESCE(ev.asked_at, ev.at) >= o.sent_at
		  AND (ev.kind = 'status' AND ev.to_status IN ('completed', 'failed') OR ` + heldFinalSQL + `)
		  AND (ev.integration_id IS NULL OR ev.integration_id IS NOT DISTINCT FROM o.integration_id)
		LIMIT 1
	) answer ON true
	WHERE c.waiting_seen_at > o.sent_at AND isfinite(o.sent_at)
	  AND answer.answered IS NULL
),
cohort AS (
	SELECT all_.*,
	       row_number() OVER (PARTITION BY all_.integration_id ORDER BY all_.sent_at DESC) AS nth
	FROM (SELECT * FROM ended UNION ALL SELECT * FROM waiting) all_, since
	WHERE all_.sent_at >= since.t0
	  AND all_.integration_id::uuid IN (SELECT id FROM panels)
)
SELECT integration_id, waiting_age, final_age, gave_up, completed, open
FROM cohort
WHERE nth <= $2`

// heldFinalSQL says that the give-up event ev was at znet's completion:
// zwatch held the order for a person (its PIN too long, or another
// order's; its referans shared), where a give-up for want of a final
// answer follows a waiting one or an error. znet completed that order when
// it answered, and the sample says so, dated by the request as an answer
// is: as a give-up, it was an order that never finishes, and a panel
// handing PINs out twice seemed to leave orders unfinished. Such a
// give-up's event keeps when znet was asked (apply.go); one for want of
// an answer has none. Told by the event alone: the order's row says what
// its latest answer was, which a later check or panel may have changed.
// (A hold's event from before this keeps none, and reads as a give-up.)
const heldFinalSQL = `(ev.kind = 'gave_up' AND ev.asked_at IS NOT NULL)`

// PanelFit is what zwatch learned of one panel's finishing times.
type PanelFit struct {
	IntegrationID string `db:"integration_id" json:"integration_id"`
	// AgeSeconds is how long ago it was fitted, on the database's clock,
	// which stamped it: a host's may differ by hours. Negative: stamped
	// while that clock ran ahead.
	AgeSeconds  float64 `db:"age_s" json:"-"`
	Finals      int     `db:"finals" json:"finals"`
	Completions int     `db:"completions" json:"completions"`
	GaveUp      int     `db:"gave_up" json:"gave_up"`
	// OwnWeight is the share of the panel's own history in the fit, the
	// rest being the prior: 0 below enough history, 1 from plenty on.
	OwnWeight float64 `db:"own_weight" json:"own_weight"`
	// FirstCheck is how many seconds after sentAt the claim registers the
	// panel's orders, as its plan chose; 0 for --first-delay.
	FirstCheck float64 `db:"first_check_s" json:"first_check_seconds,omitempty"`
	// Survival[k] is the share of orders not final at Ages[k] seconds.
	Ages     pq.Float64Array `db:"ages" json:"-"`
	Survival pq.Float64Array `db:"survival" json:"-"`
	// The plan the panel's orders follow, made with the fit: PlanKey names
	// the planner and the settings it was made for ("" none), PlanNext the
	// age to ask next at for each of the planner's ages (-1: never),
	// PlanCost and PlanFixed what it was made of.
	PlanKey   string          `db:"plan_key" json:"-"`
	PlanNext  pq.Float64Array `db:"plan_next" json:"-"`
	PlanCost  float64         `db:"plan_cost" json:"-"`
	PlanFixed bool            `db:"plan_fixed" json:"-"`
}

// Age is how long ago the fit was made, on the database's clock.
func (f PanelFit) Age() time.Duration { return time.Duration(f.AgeSeconds * float64(time.Second)) }

// PanelFits returns every panel's fit.
func (s *Store) PanelFits(ctx context.Context) ([]PanelFit, error) {
	var fits []PanelFit
	err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &fits, `
		SELECT integration_id::text AS integration_id, extract(epoch FROM now() - fitted_at)::float8 AS age_s,
		       finals, completions, gave_up, own_weight,
		       COALESCE(first_check_s, 0) AS first_check_s, ages, survival,
		       COALESCE(plan_key, '') AS plan_key, plan_next, COALESCE(plan_cost, 0) AS plan_cost,
		       COALESCE(plan_fixed, false) AS plan_fixed
		FROM zwatch_panel_fits
		ORDER BY integration_id`)
	})
	if err != nil {
		return nil, fmt.Errorf("reading what zwatch learned of the panels: %w", err)
	}
	return fits, nil
}

// SavePanelFits replaces the fits of the panels given, stamped now.
func (s *Store) SavePanelFits(ctx context.Context, fits []PanelFit) error {
	err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		for _, f := range fits {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO zwatch_panel_fits (integration_id, fitted_at, finals, completions, gave_up, own_weight,
				                               first_check_s, ages, survival, plan_key, plan_next, plan_cost, plan_fixed)
				VALUES ($1::uuid, now(), $2, $3, $4, $5, NULLIF($6::float8, 0), $7, $8,
				        NULLIF($9, ''), $10, $11, $12)
				ON CONFLICT (integration_id) DO UPDATE
				SET fitted_at = now(), finals = EXCLUDED.finals, completions = EXCLUDED.completions,
					gave_up = EXCLUDED.gave_up, own_weight = EXCLUDED.own_weight,
					first_check_s = EXCLUDED.first_check_s, ages = EXCLUDED.ages, survival = EXCLUDED.survival,
					plan_key = EXCLUDED.plan_key, plan_next = EXCLUDED.plan_next,
					plan_cost = EXCLUDED.plan_cost, plan_fixed = EXCLUDED.plan_fixed`,
				f.IntegrationID, f.Finals, f.Completions, f.GaveUp, f.OwnWeight, f.FirstCheck, f.Ages, f.Survival,
				f.PlanKey, f.PlanNext, f.PlanCost, f.PlanFixed)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("saving what zwatch learned of %s: %w", counted(len(fits), "panel"), err)
	}
	return nil
}

// TakeRefitTurn says whether this run refits the panels now: no run on
// any host took the turn within every. Taking it is recorded at once, so
// that of runs starting together one reads the history, and a refit that
// finds nothing to save (panels with no history yet) is not tried again on
// every run.
func (s *Store) TakeRefitTurn(ctx context.Context, every time.Duration) (bool, error) {
	var taken []bool
	err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &taken, takeRefitTurnSQL.text, takeRefitTurnSQL.args(params{
			"every_seconds": every.Seconds(),
		})...)
	})
	if err != nil {
		return false, fmt.Errorf("taking the turn to refit the panels: %w", err)
	}
	return len(taken) == 1, nil
}

// takeRefitTurnSQL: a second run updating at the same moment waits for the
// first to commit, then finds the turn taken.
var takeRefitTurnSQL = named(`
-- take the refit turn
UPDATE zwatch_state
SET moved_at = now()
WHERE name = '` + refitTurn + `'
  AND (moved_at <= now() - make_interval(secs => @every_seconds)
       OR moved_at > now() + ` + clockSteppedBack + `)
RETURNING true`)

const refitTurn = "refit"
