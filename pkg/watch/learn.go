package watch

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// How zwatch learns the panels (issue 11): at most every refitEvery, one
// run reads the switched-on panels' orders sent since a point in time
// (final, given up or still waiting; the newest historyPerPanel per panel,
// within the ends of historyScan orders in all and historyWithin), fits
// each panel's finishing times and saves them in zwatch_panel_fits; every
// run reads those fits, a few rows.
const (
	refitEvery      = 5 * time.Minute
	historyPerPanel = 2000
	historyScan     = 20000
	historyWithin   = 7 * 24 * time.Hour
)

// LearnPanels returns each panel's finishing times, by integration id, as
// the saved fits say. When it is this run's turn to refit and refit allows
// (a dry run writes nothing), it refits them: at once when there are none
// yet, so that a panel's first run already plans from its history;
// otherwise it returns the refit as later, for the caller to run beside
// its own work. Those fits are minutes old, and the refit (a read of the
// history, the fit, a plan per panel) must not hold up the PINs of the run
// that happens to make it. schedule and firstDelay are the fixed schedule
// every plan is compared with (see Refit). scale compresses time for
// benchmarks (ages are kept in the plans' seconds); 1 otherwise.
func LearnPanels(ctx context.Context, st *store.Store, refit bool, schedule Schedule, firstDelay, giveUp time.Duration, scale float64, log *slog.Logger) (panels map[string]*Finishing, later func() error, err error) {
	if scale <= 0 {
		scale = 1
	}
	turn := false
	if refit {
		if turn, err = st.TakeRefitTurn(ctx, time.Duration(float64(refitEvery)/scale)); err != nil {
			return nil, nil, err
		}
	}
	fits, err := st.PanelFits(ctx)
	if err != nil {
		return nil, nil, err
	}
	refitNow := func() error {
		if err := Refit(ctx, st, schedule, firstDelay, giveUp, scale); err != nil {
			return err
		}
		log.Debug("refitted the panels' finishing times")
		return nil
	}
	switch {
	case turn && len(fits) == 0:
		if err := refitNow(); err != nil {
			return nil, nil, err
		}
		if fits, err = st.PanelFits(ctx); err != nil {
			return nil, nil, err
		}
	case turn:
		later = refitNow
	}
	return panelsFromFits(fits, scale), later, nil
}

// panelsFromFits is the saved fits by integration id, on the plans' clock;
// a fit kept on another grid is left out, to be refitted.
func panelsFromFits(fits []store.PanelFit, scale float64) map[string]*Finishing {
	panels := make(map[string]*Finishing, len(fits))
	for _, fit := range fits {
		if f := finishingFromFit(fit, scale); f != nil {
			panels[fit.IntegrationID] = f
		}
	}
	return panels
}

// Refit learns every panel's finishing times from the history and saves
// them, with the first check of each panel's plan, chosen as the run's
// scheduler chooses its plan: among the fixed schedule (first asked
// firstDelay after sentAt) and the planned ones, all given up on at giveUp.
// firstDelay and giveUp are on the run's clock, which a benchmark divides
// by scale; plans are made on the panel's, so both are multiplied back.
func Refit(ctx context.Context, st *store.Store, schedule Schedule, firstDelay, giveUp time.Duration, scale float64) error {
	samples, err := st.FinishHistory(ctx, store.HistoryParams{
		Scan: historyScan, PerPanel: historyPerPanel, Within: time.Duration(float64(historyWithin) / scale),
	})
	if err != nil {
		return err
	}
	byPanel := make(map[string][]FinishObservation)
	var order []string
	for _, s := range samples {
		if _, ok := byPanel[s.IntegrationID]; !ok {
			order = append(order, s.IntegrationID)
		}
		byPanel[s.IntegrationID] = append(byPanel[s.IntegrationID], FinishObservation{
			WaitingAge: s.WaitingAge * scale, FinalAge: s.FinalAge * scale, GaveUp: s.GaveUp, Completed: s.Completed,
			Open: s.Open,
		})
	}
	saved, err := st.PanelFits(ctx)
	if err != nil {
		return err
	}
	savedByID := make(map[string]store.PanelFit, len(saved))
	for _, fit := range saved {
		savedByID[fit.IntegrationID] = fit
	}
	prior := PINProfile()
	fits := make([]store.PanelFit, 0, len(order))
	for _, id := range order {
		f := FitFinishing(byPanel[id], prior)
		if old, ok := savedByID[id]; ok && keepsFullerFit(old, f, time.Duration(float64(historyWithin)/scale)) {
			continue
		}
		fit := store.PanelFit{
			IntegrationID: id, Finals: f.Finals, Completions: f.Completions, GaveUp: f.Censored, OwnWeight: f.Weight,
			Ages: GridAges(), Survival: f.Surv,
		}
		inPlans := func(d time.Duration) time.Duration { return time.Duration(float64(d) * scale) }
		planned := prior // where the panel's own history is still too short, as Scheduler.Finishing
		if f.Weight > 0 {
			f.FirstCheck = learnFirstCheck(f, schedule, inPlans(firstDelay), inPlans(giveUp))
			fit.FirstCheck = f.FirstCheck / scale
			planned = f
		}
		// The plan every run would otherwise make afresh, before it could
		// save its first answers (Scheduler.Plan).
		plan, _ := panelPlan(planned, schedule, inPlans(firstDelay), inPlans(giveUp))
		fit.PlanKey, fit.PlanNext = planKey(schedule, inPlans(firstDelay), inPlans(giveUp), planned), encodeNext(plan.next)
		fit.PlanCost, fit.PlanFixed = plan.Cost, plan.Fixed
		fits = append(fits, fit)
	}
	return st.SavePanelFits(ctx, fits)
}

// keepsFullerFit says whether a panel's saved fit is kept rather than
// replaced by fresh, which the panel's own answers do not yet make
// trusted: the saved one rests on more of them, from within the history's
// window. The history reads the newest final answers of all panels
// together (historyScan): in a busy shop they span hours, and a quiet
// panel finds few of its own there, though it has hundreds within the
// week; each refit would otherwise trade its fit for the PIN profile. Its
// age is on the database's clock, which dated it, not this host's. A fit
// dated ahead of that clock was saved while it ran fast, and is not kept:
// it would have been for as long as the clock had run ahead (helper-300:
// a month).
func keepsFullerFit(saved store.PanelFit, fresh *Finishing, within time.Duration) bool {
	age := saved.Age()
	return fresh.Weight < 1 && saved.Finals > fresh.Finals && age < within && age > -fitDatedAhead && readableFit(saved)
}

// fitDatedAhead is how far ahead of the database's clock a saved fit may
// be dated and still be kept: a moment, for the statement's own time.
const fitDatedAhead = time.Minute

// finishingFromFit reads a saved fit back onto the grid; nil if it was
// saved on another grid (an older zwatch) or holds what no refit writes
// (readableFit), and is then refitted.
func finishingFromFit(fit store.PanelFit, scale float64) *Finishing {
	if !readableFit(fit) {
		return nil
	}
	f := &Finishing{Surv: fit.Survival, Finals: fit.Finals, Completions: fit.Completions, Censored: fit.GaveUp,
		Weight: fit.OwnWeight, FirstCheck: fit.FirstCheck * scale}
	if next := decodeNext(fit.PlanNext); fit.PlanKey != "" && next != nil {
		f.saved = &savedPlan{key: fit.PlanKey, next: next, cost: fit.PlanCost, fixed: fit.PlanFixed}
	}
	return f
}

// readableFit says whether a saved fit is on this zwatch's grid and is
// one a refit writes: shares not final that never rise, a weight between
// 0 and 1, a first check that is an age. A row edited by hand or damaged
// is refitted like one an older zwatch saved; read, its quantiles and
// plans would be no panel's (helper-373: stats died on one).
func readableFit(fit store.PanelFit) bool {
	if len(fit.Ages) != gridPoints || len(fit.Survival) != gridPoints {
		return false
	}
	for k, a := range fit.Ages {
		// Within a millionth of the grid's own age: of the saved one, an
		// infinite age was within infinity of it (helper-385).
		if d := a - gridAges[k]; !(d <= 1e-6*max(gridAges[k], 1) && d >= -1e-6*max(gridAges[k], 1)) {
			return false
		}
	}
	prev := 1.0
	for _, s := range fit.Survival {
		if !(s >= 0 && s <= prev) {
			return false
		}
		prev = s
	}
	return fit.OwnWeight >= 0 && fit.OwnWeight <= 1 && fit.FirstCheck >= 0 && !math.IsInf(fit.FirstCheck, 0)
}

// minFirstCheck is the earliest a learned panel's orders are first asked
// about: znet needs a moment to know an order at all.
const minFirstCheck = 3 * time.Second

// learnFirstCheck is when a learned panel's plan asks first, in the
// plans' seconds: the plan is free to choose it, and the claim then
// registers the panel's orders then. The fixed schedule, first asked at
// firstDelay (plans' seconds), is among the choices, as it is when the
// run's scheduler plans (Scheduler.Plan): were it left out here, a panel
// that finishes like the PIN profile, for which only the schedule keeps
// the promise, would have its first check put where a plan that misses
// the promise wants it, and then no plan could keep it from there.
func learnFirstCheck(f *Finishing, schedule Schedule, firstDelay, giveUp time.Duration) float64 {
	lim := PlanLimits{MinFirst: minFirstCheck, FreeFirst: true, MaxGap: MaxCheckWait, GiveUp: giveUp}
	plan, _ := PlanFor(f, schedule, firstDelay, lim, math.Inf(1))
	return plan.First()
}

// newScheduler is the run's scheduler. Learning that fails (the history
// cannot be read) must not stop the run: it plans from the PIN profile. A
// stale fit is refitted beside the run (r.refits); each panel's plan is
// made when it is first needed.
func (r *run) newScheduler() *Scheduler {
	if !r.cfg.Learn {
		return NewFixedScheduler(r.cfg.Schedule, r.cfg.GiveUpAfter)
	}
	start := time.Now()
	panels, later, err := LearnPanels(r.db, r.store, !r.cfg.DryRun, r.cfg.Schedule, r.cfg.FirstDelay, r.cfg.GiveUpAfter, r.cfg.TimeScale, r.log)
	r.timeDB(start)
	if err != nil {
		r.log.Warn("could not learn the panels' finishing times; planning from the PIN profile", "err", err)
	}
	if later != nil {
		r.refits.Go(func() {
			start := time.Now()
			if err := later(); err != nil {
				r.log.Warn("could not refit the panels' finishing times; runs plan from the fits they have until the next refit, in 5 minutes", "err", err)
			}
			r.timeDB(start)
		})
	}
	return NewLearningScheduler(PINProfile(), panels, r.cfg.Schedule, r.cfg.FirstDelay, r.cfg.GiveUpAfter, r.cfg.TimeScale)
}

// PanelReport is what zwatch learned of one panel, and what the plan made
// from it promises, for `zwatch stats`. Times in seconds.
type PanelReport struct {
	IntegrationID string `json:"id"`
	// Finals is how many final answers the fit rests on, Completions how
	// many of them were done, GaveUp how many orders zwatch gave up on;
	// OwnWeight the share of the panel's own history in the fit (0: the
	// PIN profile alone, 1: the panel alone).
	Finals      int     `json:"finals"`
	Completions int     `json:"completions"`
	GaveUp      int     `json:"gave_up"`
	OwnWeight   float64 `json:"own_weight"`
	// FinishMedian and FinishP95 are the fitted finishing times of the
	// orders that finish, none when the fit finds none finishing; Never
	// the share that never does.
	FinishMedian Figure  `json:"finish_median_seconds"`
	FinishP95    Figure  `json:"finish_p95_seconds"`
	Never        float64 `json:"never_share"`
	// FirstCheck is when the panel's orders are first asked about.
	FirstCheck float64 `json:"first_check_seconds"`
	// Checks is when the plan asks about an order that stays waiting, in
	// seconds after sentAt, up to the last before zwatch gives up: what an
	// operator reads to know when an order will be asked next.
	Checks []float64 `json:"checks_seconds"`
	// ToPIN is the plan's promise: the wait from znet finishing an order
	// to zwatch asking, and the requests an order costs.
	ToPIN PlannedToPIN `json:"to_pin"`
	// Histogram is the share of PINs by that wait, in ToPINBins; nil when
	// no order finishes within the plan.
	Histogram []float64 `json:"to_pin_histogram"`
}

// PlannedToPIN is a plan's Predicted as stats shows it. Where the fit
// finds no order finishing before zwatch gives up (a panel whose answers
// all came days after sentAt), there is no wait to promise: the times are
// none, not the 0 s a share of nothing would give.
type PlannedToPIN struct {
	Median           Figure `json:"median_seconds"`
	P95              Figure `json:"p95_seconds"`
	P99              Figure `json:"p99_seconds"`
	RequestsPerOrder Figure `json:"requests_per_order"`
	PerFinishing     Figure `json:"requests_per_finishing_order"`
}

// Figure is a number stats shows that may be none (NaN or infinite). JSON
// shows none as null, as stats' other figures do: encoding/json refuses
// NaN, and one panel's would fail the whole output.
type Figure float64

// None says the figure is none.
func (v Figure) None() bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) }

func (v Figure) MarshalJSON() ([]byte, error) {
	if v.None() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(v))
}

// ToPINBins are the upper ends, in seconds, of the histogram's bins; the
// last bin holds the rest.
var ToPINBins = []float64{5, 10, 20, 30, 60, 120, 300, 1800}

// ReportPanels is what zwatch learned of the panels integrationIDs, as
// the last fits say (nothing is refitted), with cfg's first delay,
// give-up and schedule. A panel without a fit shows the PIN profile.
func ReportPanels(ctx context.Context, st *store.Store, cfg Config, integrationIDs []string) ([]PanelReport, error) {
	sched, fits, err := savedScheduler(ctx, st, cfg)
	if err != nil {
		return nil, err
	}
	out := make([]PanelReport, 0, len(integrationIDs))
	for _, id := range integrationIDs {
		f := sched.Finishing(id)
		plan, pred := sched.Plan(id)
		fit := fits[id]
		r := PanelReport{
			IntegrationID: id, Finals: fit.Finals, Completions: fit.Completions, GaveUp: fit.GaveUp, OwnWeight: fit.OwnWeight,
			FinishMedian: Figure(f.Quantile(0.5)), FinishP95: Figure(f.Quantile(0.95)), Never: 1 - f.FinishedShare(),
			FirstCheck: plan.First(), Checks: tenthsOfSeconds(plan.path()),
			ToPIN: PlannedToPIN{Median: Figure(pred.Median), P95: Figure(pred.P95), P99: Figure(pred.P99),
				RequestsPerOrder: Figure(pred.RequestsPerOrder), PerFinishing: Figure(pred.PerFinishing)},
		}
		if plan.finishedWithin(f) <= 0 {
			none := Figure(math.NaN())
			r.ToPIN.Median, r.ToPIN.P95, r.ToPIN.P99, r.ToPIN.PerFinishing = none, none, none, none
			out = append(out, r)
			continue
		}
		below := 0.0
		for _, upto := range ToPINBins {
			share := 1 - plan.shareLonger(f, upto)
			r.Histogram = append(r.Histogram, max(share-below, 0))
			below = share
		}
		r.Histogram = append(r.Histogram, max(1-below, 0))
		out = append(out, r)
	}
	return out, nil
}

// SavedScheduler is the scheduler a learning run with cfg plans by when it
// starts from the last saved fits and refits nothing: each panel's plan
// as the refit saved it, or made afresh where cfg's settings differ.
func SavedScheduler(ctx context.Context, st *store.Store, cfg Config) (*Scheduler, error) {
	sched, _, err := savedScheduler(ctx, st, cfg)
	return sched, err
}

func savedScheduler(ctx context.Context, st *store.Store, cfg Config) (*Scheduler, map[string]store.PanelFit, error) {
	fits, err := st.PanelFits(ctx)
	if err != nil {
		return nil, nil, err
	}
	scale := cfg.TimeScale
	if scale <= 0 {
		scale = 1 // as LearnPanels and NewLearningScheduler take it
	}
	byID := make(map[string]store.PanelFit, len(fits))
	for _, fit := range fits {
		if readableFit(fit) {
			byID[fit.IntegrationID] = fit
		}
	}
	return NewLearningScheduler(PINProfile(), panelsFromFits(fits, scale), cfg.Schedule, cfg.FirstDelay, cfg.GiveUpAfter, scale), byID, nil
}

// tenthsOfSeconds is ages as stats shows them: a plan followed on a
// compressed clock has ages that are not whole seconds, and their last
// digits tell a reader nothing.
func tenthsOfSeconds(ages []float64) []float64 {
	out := make([]float64, len(ages))
	for i, a := range ages {
		out[i] = math.Round(a*10) / 10
	}
	return out
}
