package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// OrderStats are the figures of one znet integration, or of all of them
// together, as `zwatch stats` and the metrics file show them.
//
// Waiting orders are those zwatch still asks about; stuck ones are counted
// apart and left out of the ages, and so are paused ones: the orders of a
// disabled integration, which zwatch does not ask about until it is enabled
// again. So no figure of what waits grows forever for an integration
// someone switched off. Completed and failed count the orders zwatch saw
// reach those statuses (zwatch_order_events), not what the shop did by
// other means: each sending once, for the panel that answered.
// Ages and times are in seconds; nil when there is nothing to measure.
type OrderStats struct {
	IntegrationID string `db:"integration_id" json:"id,omitempty"` // empty for the total
	Name          string `db:"name" json:"name"`
	Enabled       bool   `db:"enabled" json:"enabled"`

	Sent       int      `db:"sent" json:"sent"` // waiting, by "externalStatus"
	Pending    int      `db:"pending" json:"pending"`
	Processing int      `db:"processing" json:"processing"`
	Due        int      `db:"due" json:"due"` // waiting and to be asked by the next run
	AgeMedian  *float64 `db:"age_median" json:"age_median_seconds"`
	AgeP95     *float64 `db:"age_p95" json:"age_p95_seconds"`
	AgeOldest  *float64 `db:"age_oldest" json:"age_oldest_seconds"`
	Stuck      int      `db:"stuck" json:"stuck"`
	Paused     int      `db:"paused" json:"paused"` // waiting, of a disabled integration

	Completed1h  int `db:"completed_1h" json:"completed_1h"`
	Completed24h int `db:"completed_24h" json:"completed_24h"`
	Failed1h     int `db:"failed_1h" json:"failed_1h"`
	Failed24h    int `db:"failed_24h" json:"failed_24h"`
	// ToComplete is the median time from sentAt to the saved completion,
	// over the completions of the last 24 hours.
	ToComplete *float64 `db:"to_complete_median" json:"to_complete_median_seconds"`
}

// Waiting is the number of orders zwatch still asks about.
func (s OrderStats) Waiting() int { return s.Sent + s.Pending + s.Processing }

// StatsParams says what OrderStats counts.
type StatsParams struct {
	// FirstDelay is check-pending's: an order zwatch has not registered yet
	// is due this long after it was sent, or, with LearnedFirstChecks, when
	// its panel's plan first asks, as registering has it (enlistSQL).
	FirstDelay         time.Duration
	LearnedFirstChecks bool
	// Finished adds the last day's completed and failed orders, read from
	// zwatch_order_events. The metrics file does without them.
	Finished bool
}

// OrderStats returns the figures of every znet integration, by name, and
// their total.
//
// Both halves stay cheap however many finished orders the shop has: waiting
// orders are read through the partial index zwatch_product_orders_pollable_sent,
// whose predicate orderPollableSQL repeats, and finished ones through the
// index on zwatch_order_events.at, one day's worth.
func (s *Store) OrderStats(ctx context.Context, p StatsParams) ([]OrderStats, OrderStats, error) {
	var rows []OrderStats
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, statsSQL, p.FirstDelay.Seconds(), p.Finished, p.LearnedFirstChecks)
	})
	if err != nil {
		return nil, OrderStats{}, fmt.Errorf("reading order statistics: %w", err)
	}
	// The total is the last row (see the ORDER BY).
	if len(rows) == 0 {
		return nil, OrderStats{}, errors.New("reading order statistics: the database returned no total row, which the query always asks for (a zwatch bug)")
	}
	return rows[:len(rows)-1], rows[len(rows)-1], nil
}

// statsSQL aggregates per integration and in total in one pass, with
// GROUPING SETS: percentiles of the total cannot be made from those of the
// parts.
var statsSQL = `
WITH waiting AS (
	SELECT i.id AS integration_id,
	       o."externalStatus" AS external_status,
	       ` + stuckSQL + ` AS stuck,
	       NOT i.enabled AS paused,
	       i.enabled
	       AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
	       AND CASE WHEN c.order_id IS NULL OR ` + resentSQL + `
	                THEN (SELECT ` + firstDueSQL(sentAtSQL, "pf.first_check_s", "$1") + `
	                      FROM (SELECT) one
	                      LEFT JOIN zwatch_panel_fits pf ON $3::boolean AND pf.integration_id = i.id) <= now()
	                -- Reopened by staff: the run revives it due at once.
	                WHEN c.finished_at IS NOT NULL THEN true
	                ELSE c.next_check_at <= now() END AS due,
	       -- An infinite sentAt has no age (PostgreSQL refuses to subtract
	       -- it), and is left out of the ages rather than failing them all;
	       -- so is a placeholder such as 9999-12-31 (ageCountsSQL).
	       CASE WHEN ` + sentAtSQL + ageCountsSQL + ` THEN extract(epoch FROM now() - ` + sentAtSQL + `)::float8 END AS age
	FROM product_orders o
	` + joinZnetSQL + `
	LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
	WHERE ` + orderPollableSQL + `
),
finished AS (
	-- An answer counts for the panel that gave it (migration 00032; an
	-- older event, for the integration the order names now), and once for
	-- its order's sending: staff who set a completed order back to sent,
	-- and zwatch finding it completed again, did not complete a second
	-- order (the learning takes the first answer too). Which of the
	-- answers from before the order's sentAt were one sending is not
	-- known: those of one panel count once for each status.
	SELECT i.id AS integration_id,
	       ev.to_status,
	       ev.at > now() - interval '1 hour' AS last_hour,
	       -- An answer from before the order's sentAt belongs to an earlier
	       -- sending (the shop sent it again), as the learning reads it.
	       CASE WHEN o.sent_at` + ageCountsSQL + ` AND ev.at >= o.sent_at
	            THEN extract(epoch FROM ev.at - o.sent_at)::float8 END AS took
	FROM zwatch_order_events ev
	-- One primary key lookup per event. As a plain join, the planner may
	-- prefer hashing all of product_orders once a day holds enough events,
	-- and that scan grows with every order the shop ever had; LIMIT keeps the
	-- subquery from being flattened into such a join.
	JOIN LATERAL (
		SELECT ` + integrationIDSQL + ` AS integration_id, ` + sentAtSQL + ` AS sent_at
		FROM product_orders o
		WHERE o.id = ev.order_id
		LIMIT 1
	) o ON true
	JOIN integrations i ON i.id = COALESCE(ev.integration_id, o.integration_id) AND i.provider = ` + providerSQL + `
	-- The same answer earlier in the same sending, along the events' index
	-- by order: one probe per answer, LIMIT keeping it one. A sentAt that
	-- is no time the order was sent (a placeholder, infinite, after the
	-- answer) bounds no sending.
	LEFT JOIN LATERAL (
		SELECT true AS twice
		FROM zwatch_order_events e
		WHERE e.order_id = ev.order_id
		  AND e.at < ev.at
		  AND e.at >= CASE WHEN o.sent_at` + ageCountsSQL + ` AND o.sent_at <= ev.at THEN o.sent_at ELSE '-infinity' END
		  AND e.kind = 'status' AND e.to_status = ev.to_status
		  -- An event from before migration 00032 names no panel: any.
		  AND (e.integration_id = ev.integration_id OR e.integration_id IS NULL OR ev.integration_id IS NULL)
		LIMIT 1
	) earlier ON true
	WHERE $2::boolean
	  AND ev.at > now() - interval '1 day'
	  AND ev.kind = 'status'
	  AND ev.to_status IN ('completed', 'failed')
	  AND earlier.twice IS NULL
),
w AS (
	SELECT integration_id,
	       count(*) FILTER (WHERE NOT stuck AND NOT paused AND external_status = 'sent') AS sent,
	       count(*) FILTER (WHERE NOT stuck AND NOT paused AND external_status = 'pending') AS pending,
	       count(*) FILTER (WHERE NOT stuck AND NOT paused AND external_status = 'processing') AS processing,
	       count(*) FILTER (WHERE NOT stuck AND due) AS due,
	       percentile_cont(0.5) WITHIN GROUP (ORDER BY age) FILTER (WHERE NOT stuck AND NOT paused) AS age_median,
	       percentile_cont(0.95) WITHIN GROUP (ORDER BY age) FILTER (WHERE NOT stuck AND NOT paused) AS age_p95,
	       max(age) FILTER (WHERE NOT stuck AND NOT paused) AS age_oldest,
	       count(*) FILTER (WHERE stuck AND NOT paused) AS stuck,
	       count(*) FILTER (WHERE paused) AS paused
	FROM waiting
	GROUP BY GROUPING SETS ((integration_id), ())
),
f AS (
	SELECT integration_id,
	       count(*) FILTER (WHERE to_status = 'completed' AND last_hour) AS completed_1h,
	       count(*) FILTER (WHERE to_status = 'completed') AS completed_24h,
	       count(*) FILTER (WHERE to_status = 'failed' AND last_hour) AS failed_1h,
	       count(*) FILTER (WHERE to_status = 'failed') AS failed_24h,
	       percentile_cont(0.5) WITHIN GROUP (ORDER BY took) FILTER (WHERE to_status = 'completed') AS to_complete_median
	FROM finished
	GROUP BY GROUPING SETS ((integration_id), ())
),
lines AS (
	SELECT i.id, i.name, i.enabled FROM integrations i WHERE i.provider = ` + providerSQL + `
	UNION ALL
	SELECT NULL, 'total', true
)
SELECT COALESCE(l.id::text, '') AS integration_id, l.name, l.enabled,
       COALESCE(w.sent, 0) AS sent,
       COALESCE(w.pending, 0) AS pending,
       COALESCE(w.processing, 0) AS processing,
       COALESCE(w.due, 0) AS due,
       w.age_median, w.age_p95, w.age_oldest,
       COALESCE(w.stuck, 0) AS stuck,
       COALESCE(w.paused, 0) AS paused,
       COALESCE(f.completed_1h, 0) AS completed_1h,
       COALESCE(f.completed_24h, 0) AS completed_24h,
       COALESCE(f.failed_1h, 0) AS failed_1h,
       COALESCE(f.failed_24h, 0) AS failed_24h,
       f.to_complete_median
FROM lines l
LEFT JOIN w ON w.integration_id IS NOT DISTINCT FROM l.id
LEFT JOIN f ON f.integration_id IS NOT DISTINCT FROM l.id
ORDER BY l.id IS NULL, l.name, l.id`

// A "sentAt" more than a day after now or 50 years before it is a
// placeholder (9999-12-31, 0001-01-01, ±infinity), not a time an order
// was sent: its age is no wait, and is left out of the ages. Ahead by a
// day still counts, for a shop host whose clock runs ahead.
const (
	sentAtAhead  = 24 * time.Hour
	sentAtBehind = 50 * 365 * 24 * time.Hour
	// ageCountsSQL follows a timestamp expression: SentAtCounts in SQL.
	ageCountsSQL = ` BETWEEN now() - interval '18250 days' AND now() + interval '1 day'`
)

// SentAtCounts says whether an order sent at sentAt has an age.
func SentAtCounts(sentAt, now time.Time) bool {
	return !sentAt.After(now.Add(sentAtAhead)) && !sentAt.Before(now.Add(-sentAtBehind))
}
