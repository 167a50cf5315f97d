package watch_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// slowHistory is 300 orders a panel finished 4 to 6 minutes after they
// were sent, as zwatch's checks saw them, two hours ago.
func slowHistory() []storetest.Finished {
	var h []storetest.Finished
	for i := range 300 {
		final := 240*time.Second + time.Duration(i)*400*time.Millisecond
		h = append(h, storetest.Finished{WaitingAt: final - 20*time.Second, FinalAt: final, Ago: 2 * time.Hour})
	}
	return h
}

// A learning run learns a panel from its history and plans its orders
// from it: the panel that finishes orders after four minutes has its new
// orders registered due then, not at --first-delay, and an order past the
// time it finishes orders asked rarely; a panel with no history keeps the
// PIN profile's schedule.
func TestLearningRunPlansEachPanelFromItsHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	slow := e.integ
	fresh := e.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: e.znet.URL, Kod: dealerCode, Sifre: password})
	e.db.AddFinishHistory(slow, slowHistory())

	young := e.db.AddOrder(storetest.Order{IntegrationID: slow, Referans: "2001", SentAgo: 30 * time.Second})
	old := e.db.AddOrder(storetest.Order{IntegrationID: slow, Referans: "2002", SentAgo: 10 * time.Minute})
	other := e.db.AddOrder(storetest.Order{IntegrationID: fresh, Referans: "2003", SentAgo: 30 * time.Second})
	for _, ref := range []string{"2001", "2002", "2003"} {
		e.znet.Script(ref, znettest.Waiting(""))
	}
	cfg := e.config()
	cfg.Learn, cfg.Schedule, cfg.FirstDelay = true, watch.DefaultSchedule, 15*time.Second

	before := time.Now()
	e.run(cfg)

	var fit struct {
		Finals     int     `db:"finals"`
		Weight     float64 `db:"own_weight"`
		FirstCheck float64 `db:"first_check_s"`
	}
	e.db.Get(&fit, `SELECT finals, own_weight, COALESCE(first_check_s, 0) AS first_check_s
		FROM zwatch_panel_fits WHERE integration_id = $1`, slow)
	if fit.Finals != 300 || fit.Weight != 1 {
		t.Fatalf("the slow panel's fit rests on %d final answers with weight %v, want 300 and 1", fit.Finals, fit.Weight)
	}
	if fit.FirstCheck < 120 || fit.FirstCheck > 300 {
		t.Errorf("the slow panel's orders are first asked %.0f s after they were sent, want within its 4 to 6 minutes", fit.FirstCheck)
	}
	if n := e.znet.Requests("2001"); n != 0 {
		t.Errorf("the slow panel's order sent 30 s ago was asked %d times, want none before the panel finishes orders", n)
	}
	// Registration takes every new order at once; the slow panel's is due
	// when its plan first asks, not --first-delay after it was sent.
	var dueAfterSent float64
	e.db.Get(&dueAfterSent, `SELECT extract(epoch FROM c.next_check_at - o."sentAt")::float8
		FROM zwatch_order_checks c JOIN product_orders o ON o.id = c.order_id
		WHERE c.order_id = $1`, young)
	if d := dueAfterSent - fit.FirstCheck; d < -0.01 || d > 0.01 {
		t.Errorf("the slow panel's order sent 30 s ago is due %.1f s after it was sent, want its plan's first check, %.1f s",
			dueAfterSent, fit.FirstCheck)
	}
	if n := e.znet.Requests("2002"); n != 1 {
		t.Fatalf("the slow panel's order sent 10 minutes ago was asked %d times, want 1", n)
	}
	if wait := e.db.ReadCheck(old).NextCheckAt.Sub(before); wait < 5*time.Minute || wait > watch.MaxCheckWait+time.Minute {
		t.Errorf("the order past the panel's finishing times is asked again in %s, want rarely but within 30 minutes", wait)
	}
	if n := e.znet.Requests("2003"); n != 1 {
		t.Errorf("the new panel's order sent 30 s ago was asked %d times, want 1 (at --first-delay)", n)
	}
	if wait := e.db.ReadCheck(other).NextCheckAt.Sub(before); wait > 15*time.Second {
		t.Errorf("the new panel's order is asked again in %s, want within the PIN profile's first steps", wait)
	}
}

// A run that finds the fits stale refits them beside its own work, with
// the fits it found meanwhile, and has saved the new ones when it ends.
func TestStaleFitsAreRefittedBesideTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.db.AddFinishHistory(e.integ, slowHistory())
	cfg := e.config()
	cfg.Learn, cfg.Schedule, cfg.FirstDelay = true, watch.DefaultSchedule, 15*time.Second
	e.run(cfg) // no fits yet: learns at once

	e.db.Exec(`UPDATE zwatch_panel_fits SET fitted_at = now() - interval '1 hour', finals = 7`)
	e.db.Exec(`UPDATE zwatch_state SET moved_at = now() - interval '1 hour' WHERE name = 'refit'`)
	e.db.AddFinishHistory(e.integ, slowHistory())
	e.run(cfg)

	var fit struct {
		Finals int     `db:"finals"`
		Age    float64 `db:"age"`
	}
	e.db.Get(&fit, `SELECT finals, extract(epoch FROM now() - fitted_at)::float8 AS age
		FROM zwatch_panel_fits WHERE integration_id = $1`, e.integ)
	if fit.Finals != 600 || fit.Age > 60 {
		t.Errorf("after a run that found the fit an hour old: fit of %d final answers made %.0f s ago, want 600 made by that run", fit.Finals, fit.Age)
	}
}

// spreadHistory is 1,000 orders of a panel with a median of 2 minutes and
// a p95 of 20, at evenly spaced quantiles of a log-normal, as the PIN
// schedule's checks saw them, with time divided by compress. Where a plan
// ends changes when its first check had best be on such a panel.
func spreadHistory(compress float64) []storetest.Finished {
	sigma := math.Log(10) / 1.6448536269514722
	var checks []time.Duration
	at := 15 * time.Second
	for k := 0; at < 24*time.Hour; k++ {
		checks = append(checks, at)
		at += watch.DefaultSchedule[min(k, len(watch.DefaultSchedule)-1)]
	}
	onClock := func(d time.Duration) time.Duration { return time.Duration(float64(d) / compress) }
	var h []storetest.Finished
	for i := range 1000 {
		q := (float64(i) + 0.5) / 1000
		takes := time.Duration(120 * math.Exp(sigma*math.Sqrt2*math.Erfinv(2*q-1)) * float64(time.Second))
		var waiting time.Duration
		for _, c := range checks {
			if c >= takes {
				h = append(h, storetest.Finished{WaitingAt: onClock(waiting), FinalAt: onClock(c), Ago: onClock(2 * time.Hour)})
				break
			}
			waiting = c
		}
	}
	return h
}

// A run whose time is compressed (the benchmarks') learns the same first
// check as one on the real clock: the plan it is chosen for gives up a
// day after it, in the plans' seconds, not the compressed give-up.
func TestCompressedRunLearnsTheSameFirstCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const compress = 40
	compressed := e.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: e.znet.URL, Kod: dealerCode, Sifre: password})
	e.db.AddFinishHistory(e.integ, spreadHistory(1))
	e.db.AddFinishHistory(compressed, spreadHistory(compress))
	firstCheck := func(integrationID string) float64 {
		var s float64
		e.db.Get(&s, `SELECT COALESCE(first_check_s, 0) FROM zwatch_panel_fits WHERE integration_id = $1`, integrationID)
		return s
	}

	cfg := e.config()
	cfg.Learn, cfg.Schedule, cfg.FirstDelay = true, watch.DefaultSchedule, 15*time.Second
	e.run(cfg)
	want := firstCheck(e.integ)

	e.db.Exec(`DELETE FROM zwatch_panel_fits`)
	e.db.Exec(`UPDATE zwatch_state SET moved_at = now() - interval '1 hour' WHERE name = 'refit'`)
	cfg.TimeScale = compress
	cfg.FirstDelay, cfg.GiveUpAfter = cfg.FirstDelay/compress, cfg.GiveUpAfter/compress
	e.run(cfg)
	got := firstCheck(compressed) * compress
	if want == 0 || math.Abs(got-want) > 0.5 {
		t.Errorf("the panel's first check is %.1f s after sentAt with time ÷ %d, %.1f s on the real clock; want the same", got, compress, want)
	}
}

// The refit saves each panel's plan with its fit, and a run follows it
// rather than making it afresh: the same plan, the same promise in
// stats, without the planner's work on every run. A plan saved for other
// settings (here another --first-delay) is not followed.
func TestRunsFollowThePlanTheRefitSaved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.db.AddFinishHistory(e.integ, slowHistory())
	ctx := context.Background()
	cfg := e.config()
	cfg.Learn, cfg.Schedule, cfg.FirstDelay = true, watch.DefaultSchedule, 15*time.Second
	refit := func() {
		t.Helper()
		if err := watch.Refit(ctx, e.db.Store, cfg.Schedule, cfg.FirstDelay, cfg.GiveUpAfter, 1); err != nil {
			t.Fatal(err)
		}
	}
	report := func(cfg watch.Config) watch.PanelReport {
		t.Helper()
		r, err := watch.ReportPanels(ctx, e.db.Store, cfg, []string{e.integ})
		if err != nil || len(r) != 1 {
			t.Fatalf("ReportPanels: %v, %v", r, err)
		}
		return r[0]
	}

	refit()
	saved := report(cfg)
	e.db.Exec(`UPDATE zwatch_panel_fits SET plan_key = NULL`)
	if fresh := report(cfg); !reflect.DeepEqual(saved, fresh) {
		t.Errorf("the saved plan promises %+v (first check %v s), the one made afresh %+v (%v s)",
			saved.ToPIN, saved.FirstCheck, fresh.ToPIN, fresh.FirstCheck)
	}
	if saved.OwnWeight == 0 || saved.FirstCheck < 200 {
		t.Errorf("own weight %v, first check %v s: want the panel learned, first asked after it finishes orders", saved.OwnWeight, saved.FirstCheck)
	}

	// Proof that the saved plan is the one read: one that never asks.
	refit()
	e.db.Exec(`UPDATE zwatch_panel_fits SET plan_next = array_fill(-1::float8, ARRAY[array_length(plan_next, 1)])`)
	if never := report(cfg); !math.IsInf(never.FirstCheck, 1) {
		t.Errorf("first check %v s, want the saved plan's, which never asks", never.FirstCheck)
	}
	other := cfg
	other.FirstDelay = 20 * time.Second
	if r := report(other); math.IsInf(r.FirstCheck, 1) || r.FirstCheck != saved.FirstCheck {
		t.Errorf("with another --first-delay: first check %v s, want a plan made afresh, first asked at %v s", r.FirstCheck, saved.FirstCheck)
	}
	// A zwatch older than saved plans refits and writes the fit alone: the
	// plan beside it was made for the fit before, and is not followed.
	e.db.Exec(`UPDATE zwatch_panel_fits SET survival = (SELECT array_agg(least(1, s * 1.01) ORDER BY k) FROM unnest(survival) WITH ORDINALITY AS u(s, k))`)
	if r := report(cfg); math.IsInf(r.FirstCheck, 1) {
		t.Errorf("after a refit that saved no plan: first check %v s, want a plan made afresh for the new fit", r.FirstCheck)
	}
}

// An order's SentAt is on the database's clock; a host whose clock is
// minutes off it plans every order as a host in step would, once a claim
// has read the database's clock.
func TestAHostClockOffTheDatabasesPlansTheSame(t *testing.T) {
	cfg := watch.DefaultConfig()
	dbNow := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sent := dbNow.Add(-cfg.FirstDelay)
	o := store.Order{ID: "o", IntegrationID: "panel", SentAt: &sent}
	next := func(hostAhead time.Duration) time.Duration {
		sched := watch.NewLearningScheduler(watch.PINProfile(), nil, cfg.Schedule, cfg.FirstDelay, cfg.GiveUpAfter, 1)
		claimedAt := dbNow.Add(-time.Second).Add(hostAhead)
		sched.ReadDatabaseClock(dbNow.Add(-time.Second), claimedAt)
		askedAt := dbNow.Add(hostAhead) // the host's clock as the request left
		return sched.Next(o, askedAt, askedAt.Add(50*time.Millisecond))
	}
	inStep := next(0)
	for _, ahead := range []time.Duration{-10 * time.Minute, -3 * time.Minute, 3 * time.Minute, 10 * time.Minute} {
		if got := next(ahead); got != inStep {
			t.Errorf("host clock %v ahead of the database's: next check in %v, a host in step says %v", ahead, got, inStep)
		}
	}
}

// The history reads the newest final answers of all panels together: in a
// busy shop they span a few hours, and a quiet panel finds few of its own
// there, though it has hundreds within the week. Its fit from fuller
// history is kept while that history is within the week, rather than
// traded for the PIN profile at every refit; older, the thin fit replaces it.
func TestAQuietPanelKeepsItsFitBesideBusyOnes(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	cfg := watch.DefaultConfig()
	refit := func() {
		t.Helper()
		if err := watch.Refit(ctx, db.Store, cfg.Schedule, cfg.FirstDelay, cfg.GiveUpAfter, 1); err != nil {
			t.Fatal(err)
		}
	}
	quiet := db.AddIntegration(storetest.Integration{Name: "quiet", BaseURL: "http://127.0.0.1:1", Kod: "k", Sifre: "s"})
	finishing := func(n int, ago time.Duration) (hist []storetest.Finished) {
		for i := range n {
			f := 20*time.Second + time.Duration(i%50)*time.Second
			hist = append(hist, storetest.Finished{WaitingAt: f - 5*time.Second, FinalAt: f, Ago: ago + time.Duration(i)*8*time.Minute})
		}
		return hist
	}
	db.AddFinishHistory(quiet, finishing(300, 2*time.Hour))
	refit() // before the busy panels' rush: the quiet panel is learned
	for p := range 10 {
		busy := db.AddIntegration(storetest.Integration{Name: fmt.Sprintf("busy%d", p), BaseURL: "http://127.0.0.1:1", Kod: "k", Sifre: "s"})
		var rush []storetest.Finished
		for i := range 2000 {
			rush = append(rush, storetest.Finished{WaitingAt: 10 * time.Second, FinalAt: 20 * time.Second, Ago: time.Minute + time.Duration(i)*time.Second*3/4})
		}
		db.AddFinishHistory(busy, rush)
	}
	// A few of the quiet panel's answers fall within the rush's window.
	var recent []storetest.Finished
	for i := range 40 {
		recent = append(recent, storetest.Finished{WaitingAt: 25 * time.Second, FinalAt: 30 * time.Second, Ago: 2*time.Minute + time.Duration(i)*time.Second})
	}
	db.AddFinishHistory(quiet, recent)

	fitOf := func() (finals int, weight float64) {
		t.Helper()
		db.Get(&finals, `SELECT finals FROM zwatch_panel_fits WHERE integration_id = $1`, quiet)
		db.Get(&weight, `SELECT own_weight FROM zwatch_panel_fits WHERE integration_id = $1`, quiet)
		return finals, weight
	}
	refit()
	if finals, weight := fitOf(); finals != 300 || weight != 1 {
		t.Errorf("the quiet panel's fit rests on %d final answers (its own weight %v): it has 300 within the week", finals, weight)
	}
	db.Exec(`UPDATE zwatch_panel_fits SET fitted_at = now() - interval '8 days' WHERE integration_id = $1`, quiet)
	refit()
	if finals, _ := fitOf(); finals != 40 {
		t.Errorf("a fit older than the history's week was kept: it rests on %d final answers, want the 40 read now", finals)
	}

	// Saved while the database's clock ran a month fast, then set right:
	// it was kept for that month (helper-300). Its age is read on the
	// database's clock, not the host's, which may be hours off it.
	for _, c := range []struct {
		ahead string
		kept  bool
	}{{"1 second", true}, {"30 days", false}} {
		db.Exec(`UPDATE zwatch_panel_fits SET fitted_at = now() + $2::interval, finals = 300 WHERE integration_id = $1`, quiet, c.ahead)
		refit()
		if finals, _ := fitOf(); (finals == 300) != c.kept {
			t.Errorf("a fuller fit dated %s ahead: after a refit it rests on %d final answers, want it kept: %v", c.ahead, finals, c.kept)
		}
	}
}
