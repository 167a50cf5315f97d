package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Run is one check-pending run as zwatch_runs keeps it.
type Run struct {
	ID         string    `db:"run_id" json:"run_id"`
	Host       string    `db:"host" json:"host"`
	StartedAt  time.Time `db:"started_at" json:"started_at"`
	FinishedAt time.Time `db:"finished_at" json:"finished_at"`
	Asked      int       `db:"asked" json:"asked"`
	Completed  int       `db:"completed" json:"completed"`
	Processing int       `db:"processing" json:"processing"`
	Failed     int       `db:"failed" json:"failed"`
	Errors     int       `db:"errors" json:"errors"`
	Skipped    int       `db:"skipped" json:"skipped"`
	Stuck      int       `db:"stuck" json:"stuck"`
	Failing    int       `db:"failing" json:"failing_integrations"`
	ExitStatus int       `db:"exit_status" json:"exit_status"`
	StoppedBy  string    `db:"stopped_by" json:"stopped_by,omitempty"`
	Error      string    `db:"error" json:"error,omitempty"`
	// Panels is what the run found of each panel it heard of, by
	// integration id: PanelFailing, PanelAnswered, PanelFaulted (FaultedOn),
	// PanelRefused (RefusedOn), PanelStillFailing, StillFailingFaultedOn
	// or PanelLetGo.
	// A panel it asked without an answer or a verdict is not in it. Nil
	// for a run recorded before zwatch kept it.
	Panels map[string]string `db:"-" json:"-"`
	// TookOver are the runs whose orders this run took over, their
	// claims lapsed (Claimed.TookOver), by run id. Nil when there were
	// none.
	TookOver []TakenOver `db:"-" json:"took_over,omitempty"`
}

// TakenOver is how many orders a run took over from another run whose
// claims on them had lapsed: that run was killed (OOM, a timeout's
// SIGKILL), lost its host or its database, or was stopped or held up past
// its lease. RecordedItself, as LastRuns reads it, says that the run
// recorded itself later: it was held up, not killed.
type TakenOver struct {
	RunID          string `json:"run_id"`
	Orders         int    `json:"orders"`
	RecordedItself bool   `json:"recorded_itself,omitempty"`
}

// TakenOverList is counts by run id as TakenOver, by run id.
func TakenOverList(counts map[string]int) []TakenOver {
	var list []TakenOver
	for id, n := range counts {
		list = append(list, TakenOver{RunID: id, Orders: n})
	}
	slices.SortFunc(list, func(a, b TakenOver) int { return strings.Compare(a.RunID, b.RunID) })
	return list
}

// What a run found of a panel (Run.Panels).
const (
	PanelFailing  = "failing"  // cut off, or reported failing, in this run
	PanelAnswered = "answered" // it answered in this run
	// PanelFaulted: asked in this run, with no usable answer, and too few
	// faults to call it failing by this run alone: one order's request
	// failed, and the verdict is written FaultedOn that order. A later run
	// that finds it so too, no answer between, reports it failing: with
	// another order, or a fault no order can cause.
	PanelFaulted = "faulted"
	// PanelStillFailing: failing in an earlier run, and not asked in this
	// one: what the run believed, not what it found. One that asked it and
	// heard nothing but one order's fault writes StillFailingFaultedOn.
	PanelStillFailing = "still failing"
	// PanelLetGo: failing in an earlier run, and no order of it waits any
	// more (staff decided them): not failing until it is asked again.
	PanelLetGo = "let go"
	// PanelRefused: asked in this run, and znet refused the requests
	// ("3|...") and answered nothing else, about too few orders to call it
	// failing: written RefusedOn the orders it refused that it had not
	// refused before, by their referans as znet reads it. A refusal is
	// znet's answer, so the panel is reachable (the one-fault rule reads
	// it as an answer), but it is no answer about an order: a later run
	// that counts enough such orders, no answer between, reports the panel
	// failing.
	PanelRefused = "refused"
)

// RefusedOn is the verdict of a panel PanelRefused, naming the orders it
// refused that it had not refused before (none, when all had been) by
// their referans numbers (znet.ReferansNumber): copies of one order are
// one.
func RefusedOn(referanses []string) string {
	return PanelRefused + ":" + strings.Join(referanses, ",")
}

// RefusedOrders are the referanses a PanelRefused verdict names; ok is
// false for any other verdict.
func RefusedOrders(verdict string) (referanses []string, ok bool) {
	list, ok := strings.CutPrefix(verdict, PanelRefused+":")
	if !ok {
		return nil, false
	}
	if list == "" {
		return nil, true
	}
	return strings.Split(list, ","), true
}

// FaultedOn is the verdict of a panel PanelFaulted by one order's failed
// request.
func FaultedOn(orderID string) string { return PanelFaulted + ":" + orderID }

// StillFailingFaultedOn is the verdict of a panel failing in an earlier
// run, which this one asked and heard nothing from but orderID's failed
// request: still failing, since a fault is no answer, and faulted on that
// order, for the next run's one-fault rule (PanelFaulted). Both must last:
// written as PanelFaulted, a panel failing with one order faulting every
// run read as up once the run that found it failing was older than the
// runs the next one reads.
func StillFailingFaultedOn(orderID string) string {
	return stillFailingFaulted + orderID
}

const stillFailingFaulted = PanelStillFailing + ", " + PanelFaulted + ":"

// FaultedOrder is the order a PanelFaulted or StillFailingFaultedOn
// verdict names; ok is false for any other verdict.
func FaultedOrder(verdict string) (orderID string, ok bool) {
	if orderID, ok = strings.CutPrefix(verdict, stillFailingFaulted); ok {
		return orderID, true
	}
	if orderID, ok = strings.CutPrefix(verdict, PanelFaulted+":"); !ok {
		return "", false
	}
	return orderID, true
}

// StillFailing says whether verdict is a run's belief that the panel is
// still failing: PanelStillFailing or StillFailingFaultedOn.
func StillFailing(verdict string) bool {
	return verdict == PanelStillFailing || strings.HasPrefix(verdict, stillFailingFaulted)
}

// PanelVerdict is what one run found of one panel (Run.Panels).
type PanelVerdict struct {
	IntegrationID string    `db:"integration_id"`
	Verdict       string    `db:"verdict"`
	StartedAt     time.Time `db:"started_at"`
	FinishedAt    time.Time `db:"finished_at"`
}

// PanelVerdictsSince reads what the runs started within the last d found
// of each panel, by time rather than by a count of runs: a panel with one
// order waiting is asked every half hour at the least, however many runs
// go by meanwhile (several hosts, runs by hand).
func (s *Store) PanelVerdictsSince(ctx context.Context, d time.Duration) ([]PanelVerdict, error) {
	var verdicts []PanelVerdict
	err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		// Along the started_at index. A row whose panels are no object,
		// or a verdict that is no text (a hand's edit), tells of none, as
		// LastRuns reads it: one odd row must not fail every run.
		return tx.SelectContext(ctx, &verdicts, `
		SELECT p.key AS integration_id, p.value #>> '{}' AS verdict, r.started_at, r.finished_at
		FROM zwatch_runs r
		CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(r.panels) = 'object' THEN r.panels END) p
		WHERE r.started_at > now() - make_interval(secs => $1)
		  AND jsonb_typeof(p.value) = 'string'`, d.Seconds())
	})
	if err != nil {
		return nil, fmt.Errorf("reading what the last runs found of the panels: %w", err)
	}
	return verdicts, nil
}

// Runs are kept for RunsKeptFor, and never more than RunsKept of them: a
// month of history from a cron job every 2 minutes (17 days from the
// recommended one every minute), and a bound on the table should someone
// run check-pending in a tight loop.
const (
	RunsKeptFor = 30 * 24 * time.Hour
	RunsKept    = 25000
)

// runErrorLen bounds the error kept with a failed run; the whole message is
// in the run's logs.
const runErrorLen = 1000

// RecordRun adds a finished run and, in the same statement, deletes the runs
// past what is kept. Its times, on this host's clock, are recorded on the
// database's. Pruning a row or two per run through the started_at
// index costs next to nothing and needs no separate cleanup job.
func (s *Store) RecordRun(ctx context.Context, r Run) error {
	var panels, tookOver []byte
	if r.Panels != nil {
		var err error
		if panels, err = json.Marshal(r.Panels); err != nil {
			return fmt.Errorf("recording run %s in zwatch_runs: %w", r.ID, err)
		}
	}
	if len(r.TookOver) > 0 {
		counts := map[string]int{}
		for _, t := range r.TookOver {
			counts[t.RunID] += t.Orders
		}
		var err error
		if tookOver, err = json.Marshal(counts); err != nil {
			return fmt.Errorf("recording run %s in zwatch_runs: %w", r.ID, err)
		}
	}
	err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, recordRunSQL.text, recordRunSQL.args(params{
			"run_id": r.ID, "host": r.Host, "started_at": r.StartedAt, "finished_at": r.FinishedAt, "host_now": s.hostClock(),
			"asked": r.Asked, "completed": r.Completed, "processing": r.Processing, "failed": r.Failed,
			"errors": r.Errors, "skipped": r.Skipped, "stuck": r.Stuck, "failing": r.Failing,
			"exit_status": r.ExitStatus, "stopped_by": r.StoppedBy, "error": s.encodingFitter(ctx).fit(r.Error, runErrorLen),
			"panels": panelsParam(panels), "took_over": panelsParam(tookOver),
			"kept_seconds": RunsKeptFor.Seconds(), "kept_rows": RunsKept,
		})...)
		return err
	})
	if err != nil {
		return fmt.Errorf("recording run %s in zwatch_runs: %w", r.ID, err)
	}
	return nil
}

// recordRunSQL adds a run's row and, in the same statement, deletes the
// rows older than @kept_seconds or beyond the newest @kept_rows, so that the
// table stays small without a job of its own.
var recordRunSQL = named(`
-- record a check-pending run, pruning old ones
WITH pruned AS (
	DELETE FROM zwatch_runs
	WHERE started_at <= GREATEST(
		now() - make_interval(secs => @kept_seconds),
		(SELECT started_at FROM zwatch_runs ORDER BY started_at DESC OFFSET @kept_rows - 1 LIMIT 1))
)
INSERT INTO zwatch_runs (run_id, host, started_at, finished_at, asked, completed, processing,
                         failed, errors, skipped, stuck, failing, exit_status, stopped_by, error,
                         panels, took_over)
-- The run's times are the host's: moved onto the database's clock, by how
-- far the host's reads from it now, so that the newest row is the run that
-- ended last, whichever host's clock runs ahead (and after an NTP step).
SELECT @run_id AS run_id, @host AS host,
       @started_at::timestamptz + (now() - @host_now::timestamptz) AS started_at,
       @finished_at::timestamptz + (now() - @host_now::timestamptz) AS finished_at, @asked::integer AS asked,
       @completed::integer AS completed, @processing::integer AS processing,
       @failed::integer AS failed, @errors::integer AS errors, @skipped::integer AS skipped,
       @stuck::integer AS stuck, @failing::integer AS failing,
       @exit_status::smallint AS exit_status, NULLIF(@stopped_by, '') AS stopped_by,
       NULLIF(@error, '') AS error, @panels::jsonb AS panels, @took_over::jsonb AS took_over`)

// hostClock is this host's time now.
func (s *Store) hostClock() time.Time {
	if s.hostNow != nil {
		return s.hostNow()
	}
	return time.Now()
}

// panelsParam is a run's panels (or what it took over) as JSON text, or
// NULL.
func panelsParam(panels []byte) *string {
	if panels == nil {
		return nil
	}
	text := string(panels)
	return &text
}

// LastRuns returns the newest runs, newest first.
func (s *Store) LastRuns(ctx context.Context, limit int) ([]Run, error) {
	var rows []struct {
		Run
		Panels   *string `db:"panels"`
		TookOver *string `db:"took_over"`
	}
	err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `
		SELECT run_id, host, started_at, finished_at, asked, completed, processing, failed,
		       errors, skipped, stuck, failing, exit_status,
		       COALESCE(stopped_by, '') AS stopped_by, COALESCE(error, '') AS error,
		       panels::text AS panels, took_over::text AS took_over
		FROM zwatch_runs
		ORDER BY started_at DESC
		LIMIT $1`, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the last runs: %w", err)
	}
	runs := make([]Run, len(rows))
	var tookOverFrom []string
	for i, row := range rows {
		runs[i] = row.Run
		if row.TookOver != nil {
			runs[i].TookOver = readTookOver(*row.TookOver)
			for _, t := range runs[i].TookOver {
				tookOverFrom = append(tookOverFrom, t.RunID)
			}
		}
		if row.Panels == nil {
			continue
		}
		runs[i].Panels = readVerdicts(*row.Panels)
	}
	if len(tookOverFrom) == 0 {
		return runs, nil
	}
	// Whether each run whose orders were taken over recorded itself later,
	// by the primary key: one that did was stopped or held up past its
	// lease, not killed.
	var recorded []string
	err = s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &recorded, `SELECT run_id FROM zwatch_runs WHERE run_id = ANY ($1)`, pq.Array(tookOverFrom))
	})
	if err != nil {
		return nil, fmt.Errorf("reading the last runs: %w", err)
	}
	for i := range runs {
		for k, t := range runs[i].TookOver {
			runs[i].TookOver[k].RecordedItself = slices.Contains(recorded, t.RunID)
		}
	}
	return runs, nil
}

// readVerdicts is a run's panels as this zwatch reads them. What it cannot
// read (a newer zwatch's shape, after a rollback; a hand's edit) tells
// nothing of the panel it is written for, as PanelVerdictsSince reads it:
// one odd row must not fail stats, or have every quiet run warn, and must
// not read as a run of a zwatch that kept no panels (Panels nil), which
// would tell of every panel that it was not failing.
func readVerdicts(panels string) map[string]string {
	var raw map[string]json.RawMessage
	if json.Unmarshal([]byte(panels), &raw) != nil {
		return map[string]string{}
	}
	verdicts := make(map[string]string, len(raw))
	for id, value := range raw {
		var verdict string
		if json.Unmarshal(value, &verdict) == nil {
			verdicts[id] = verdict
		}
	}
	return verdicts
}

// readTookOver is a run's took_over as this zwatch reads it: a count that
// is no whole number (a hand's edit) tells of nothing.
func readTookOver(text string) []TakenOver {
	var raw map[string]json.RawMessage
	if json.Unmarshal([]byte(text), &raw) != nil {
		return nil
	}
	counts := make(map[string]int, len(raw))
	for id, value := range raw {
		var n int
		if json.Unmarshal(value, &n) == nil && n > 0 {
			counts[id] = n
		}
	}
	return TakenOverList(counts)
}

// RunReportTurn is one run's turn to say what it found that the runs
// before it had not, and to record it (Store.TakeRunReportTurn).
type RunReportTurn struct {
	// until is when the turn's lease ends, as the database's clock
	// recorded it: it tells this run's turn from a later one's.
	until time.Time
}

// reportTurnPoll is how often TakeRunReportTurn tries again while another
// run has the turn: a run holds it for its report's few statements.
const reportTurnPoll = 50 * time.Millisecond

// TakeRunReportTurn waits up to wait for the turn to report a run, held
// for at most held, until GiveUpRunReportTurn: two runs that ended
// together (two hosts' runs of one cron minute) each read the runs before
// them, neither saw the other's, and each mailed the same panel as newly
// failing. A run that has the turn reads the runs recorded before it and
// records its own; the next one reads it. Each try is a statement of its
// own, so that no transaction stays open while a run waits or reports
// (migration 00036). ok is false when another run kept the turn for all
// of wait, or ctx ended first.
func (s *Store) TakeRunReportTurn(ctx context.Context, wait, held time.Duration) (turn *RunReportTurn, ok bool, err error) {
	deadline := time.Now().Add(wait)
	for {
		var took struct {
			Until  *time.Time `db:"until"`
			RowSet bool       `db:"row_set"`
		}
		err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
			return tx.GetContext(ctx, &took, takeReportTurnSQL.text, takeReportTurnSQL.args(params{
				"held_seconds": held.Seconds(),
			})...)
		})
		switch {
		case err == nil && took.Until != nil:
			return &RunReportTurn{until: *took.Until}, true, nil
		case err != nil && ctx.Err() != nil:
			return nil, false, nil
		case err != nil:
			return nil, false, fmt.Errorf("taking the turn to report the run: %w", err)
		case !took.RowSet:
			// Not for want of waiting: a person deleted the row, or a
			// restore left it out.
			return nil, false, ErrNoReportTurn
		case !time.Now().Before(deadline):
			return nil, false, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, nil
		case <-time.After(reportTurnPoll):
		}
	}
}

// takeReportTurnSQL: a second run updating at the same moment waits for the
// first to commit, then finds the turn taken. row_set tells a turn another
// run has from a row that is not there.
var takeReportTurnSQL = named(`
-- take the turn to report a run
WITH taken AS (
	UPDATE zwatch_state
	SET moved_at = now() + make_interval(secs => @held_seconds)
	WHERE name = '` + reportTurn + `'
	  AND (moved_at <= now()
	       OR moved_at > now() + make_interval(secs => @held_seconds) + ` + clockSteppedBack + `)
	RETURNING moved_at
)
SELECT (SELECT moved_at FROM taken) AS until,
       EXISTS (SELECT FROM zwatch_state WHERE name = '` + reportTurn + `') AS row_set`)

// ErrNoReportTurn is TakeRunReportTurn's error when zwatch_state has no
// row for the turn.
var ErrNoReportTurn = errors.New(`zwatch_state has no 'report' row, which migration 00036 adds: insert it (INSERT INTO zwatch_state (name) VALUES ('report')), and until then every run reports as if it were alone`)

// giveUpReportTurnSQL ends the turn whose lease ends at $1, if it is still
// that one: a run whose lease ran out meanwhile leaves the next run's alone.
const giveUpReportTurnSQL = `
-- give up the turn to report a run
UPDATE zwatch_state SET moved_at = '-infinity' WHERE name = '` + reportTurn + `' AND moved_at = $1`

const reportTurn = "report"

// GiveUpRunReportTurn ends turn, once its run is recorded; nil is no turn.
func (s *Store) GiveUpRunReportTurn(ctx context.Context, turn *RunReportTurn) error {
	if turn == nil {
		return nil
	}
	err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, giveUpReportTurnSQL, turn.until)
		return err
	})
	if err != nil {
		return fmt.Errorf("giving up the turn to report the run: %w", err)
	}
	return nil
}
