package watch_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A run that cannot get the panel's budget (here: someone holds the budget
// table locked, as a stuck session might) sends the panel nothing, and at
// --max-duration releases every order it claimed, unasked and without
// counting an attempt, for a later run to take.
func TestRunWithoutBudgetSendsNothingAndReleasesItsClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.DoneEach("PIN-NEVER-SENT", ""))
	for i := range 6 {
		e.order(referans(9700 + i))
	}
	blocker, err := e.db.SQL.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	if _, err := blocker.Exec(`LOCK TABLE zwatch_panel_budgets IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	cfg := e.config()
	cfg.Rate = 5
	cfg.MaxDuration = 2 * time.Second

	sum := e.run(cfg)

	if n := e.znet.TotalRequests(); n != 0 {
		t.Errorf("the panel got %d requests without budget", n)
	}
	if sum.Total.Skipped != 6 || sum.Total.Asked != 0 {
		t.Errorf("summary %+v, want all 6 skipped and none asked", sum.Total)
	}
	if b := e.db.Bookkeeping(); b.Claimed != 0 || b.Attempts != 0 {
		t.Errorf("%d claims left and %d attempts counted, want none", b.Claimed, b.Attempts)
	}
}

// A run that ends gives back the send times it reserved and did not use:
// afterwards the panel's budget is held for no more than the spacing after
// its last request, and the next run is not kept waiting for a run that has
// gone.
func TestEndedRunGivesBackItsBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	for i := range 10 {
		e.order(referans(9800 + i))
	}
	cfg := e.config()
	// 3 workers use up what they reserve, so reservations grow (3, 6, 12
	// send times) and the last one is mostly unused when the orders run out.
	cfg.Rate, cfg.PerIntegration = 20, 3
	spacing := time.Second * 10 / (20 * 9) // 1/(0.9·rate)

	if sum := e.run(cfg); sum.Total.Asked != 10 {
		t.Fatalf("asked %d, want 10", sum.Total.Asked)
	}
	if ahead := e.db.BudgetReservedAhead(e.integ); ahead > spacing {
		t.Errorf("a finished run still holds %s of the panel's budget, more than the %s after its last request", ahead, spacing)
	}
}

// The budget's table out of reach for a moment (here renamed away, as a
// restarting database or a failing connection would make it) costs no
// order its turn: the panel's requests wait and go out once the budget can
// be reserved again, still at --rate.
func TestShortBudgetOutageCostsNoOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	for i := range 6 {
		e.order(referans(9900 + i))
	}
	e.db.Exec(`ALTER TABLE zwatch_panel_budgets RENAME TO zwatch_panel_budgets_away`)
	back := make(chan struct{})
	go func() {
		defer close(back)
		time.Sleep(time.Second)
		e.db.Exec(`ALTER TABLE zwatch_panel_budgets_away RENAME TO zwatch_panel_budgets`)
	}()
	cfg := e.config()
	cfg.Rate = 5
	cfg.MaxDuration = 30 * time.Second
	sent := recordSends(&cfg)

	sum := e.run(cfg)
	<-back

	if sum.Total.Asked != 6 || sum.Total.Skipped != 0 {
		t.Errorf("summary %+v, want all 6 asked once the budget was back", sum.Total)
	}
	if got := sent.maxPerSecond(); got > 5 {
		t.Errorf("%d requests were sent to the panel within one second after the outage, --rate is 5", got)
	}
	if !strings.Contains(e.logs.String(), "cannot be reserved") {
		t.Errorf("the outage was not logged:\n%s", e.logs.String())
	}
}

// A budget that cannot be reserved at all (the database refusing it for
// the whole run) releases the orders unasked after a few seconds, for the
// next run, and the run says why: not that --max-duration cut it short.
func TestBudgetOutageIsNotCalledMaxDuration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	for i := range 6 {
		e.order(referans(9950 + i))
	}
	e.db.Exec(`ALTER TABLE zwatch_panel_budgets RENAME TO zwatch_panel_budgets_away`)
	cfg := e.config()
	cfg.Rate = 5
	cfg.MaxDuration = 30 * time.Second

	sum := e.run(cfg)

	if sum.Total.Asked != 0 || sum.Total.Skipped != 6 || e.znet.TotalRequests() != 0 {
		t.Errorf("summary %+v, want all 6 released unasked and the panel left alone", sum.Total)
	}
	if sum.EndedBy == watch.EndedByMaxDuration || sum.StoppedBy != "" {
		t.Errorf("run ended by %q, stopped by %q after %s: want neither max-duration nor a signal named",
			sum.EndedBy, sum.StoppedBy, sum.Duration.Round(time.Second))
	}
	if b := e.db.Bookkeeping(); b.Claimed != 0 {
		t.Errorf("%d claims left, want none", b.Claimed)
	}
}

// A budget that keeps failing (the table renamed away, as a missing grant
// or a read-only server would fail it) releases each order once, to wait
// as a failing panel's do: released to be due at once, they were claimed
// and released again as fast as the database answered, 58,600 times in
// 10 s for 300 orders.
func TestAFailingBudgetReleasesEachOrderOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	for i := range 30 {
		e.order(referans(9960 + i))
	}
	e.db.Exec(`ALTER TABLE zwatch_panel_budgets RENAME TO zwatch_panel_budgets_away`)
	cfg := e.config()
	cfg.Rate = 5
	cfg.Batch = 10
	// The run ends once every order is released to wait, not on a clock:
	// on a busy host the third claim came too late for an 8 s loop
	// (helper-380). The loop's bound only keeps a broken run from hanging.
	cfg.Loop, cfg.MaxDuration = time.Minute, time.Minute

	sum := e.runUntil(cfg, func() bool {
		var waiting int
		e.db.Get(&waiting, `SELECT count(*) FROM zwatch_order_checks
			WHERE claimed_by IS NULL AND next_check_at > now() + interval '30 seconds'`)
		return waiting == 30
	})

	if sum.Total.Asked != 0 || sum.Total.Skipped != 30 || sum.Integrations[0].NoBudget != 30 {
		t.Errorf("summary %+v, %d released without budget: want each of the 30 orders released once", sum.Total, sum.Integrations[0].NoBudget)
	}
	var due int
	if err := e.db.SQL.QueryRow(`SELECT count(*) FROM zwatch_order_checks WHERE next_check_at < now() + interval '30 seconds'`).Scan(&due); err != nil || due != 0 {
		t.Errorf("%d orders due again within 30 s (%v), want them to wait a minute", due, err)
	}
}

// The database's clock set back in the middle of a run (NTP stepping it, a
// failover to a server whose clock differs), while the reservations' round
// trips have grown a little slower than the one the run read the database's
// clock from. The run follows the step with its next reservation: the panel
// still hears no more than --rate in any second, and the panel's clock is
// not left ahead, so the next run asks its orders as usual. Before, the run
// kept its reading: a step of under a second put its send times that much
// early, 6 or 7 requests in a second at --rate 5, and a larger one made
// every send time late, dropped, and reserved again at once, pushing the
// panel's clock as far ahead as the step and starving the next run.
func TestADatabaseClockSteppedBackKeepsThePanelsRate(t *testing.T) {
	t.Parallel()
	for _, step := range []time.Duration{700 * time.Millisecond, 10 * time.Second} {
		t.Run(step.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.znet.SetDefault(znettest.Waiting(""))
			e.orders(200, 40000)
			stepBack := e.db.SteppableClock()
			proxy := e.db.Proxy()
			st, err := store.Open(context.Background(), proxy.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var sends *sendTimes
			run := func(loop time.Duration) *watch.Summary {
				cfg := e.config()
				cfg.Rate = 5
				cfg.Loop, cfg.Tick, cfg.MaxDuration = loop, 200*time.Millisecond, loop+5*time.Second
				cfg.Concurrency, cfg.PerIntegration = 8, 8
				sends = recordSends(&cfg)
				sum, err := watch.Run(context.Background(), st, cfg)
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				return sum
			}

			hostClockMoved := watchHostClock(t)
			stepped := time.AfterFunc(2*time.Second, func() {
				proxy.Delay(2 * time.Millisecond)
				stepBack(step)
			})
			defer stepped.Stop()
			run(6 * time.Second)

			// Counted where the run sends: a busy host may bring requests
			// sent a second apart to the panel a moment closer.
			if n := sends.maxPerSecond(); n > 5 {
				t.Errorf("the run sent %d requests within one second at --rate 5", n)
			}
			// Each of the 8 workers may end holding a send time it was
			// handed, up to 8 spacings (1.8 s) of the budget.
			if ahead := e.db.BudgetReservedAhead(e.integ); ahead > 3*time.Second {
				t.Errorf("the run left the panel's clock %s ahead of the database's", ahead.Round(time.Millisecond))
			}
			if next := run(3 * time.Second); next.Total.Asked < 5 {
				t.Errorf("the next run asked %d orders in 3 s at --rate 5", next.Total.Asked)
			}
			said := 0
			for _, line := range strings.Split(e.logs.String(), "\n") {
				if strings.Contains(line, "clock was stepped") {
					said++
					if !strings.Contains(line, `"level":"INFO"`) {
						t.Errorf("the step was said as %s, want at Info", line)
					}
				}
			}
			// The database's clock is this host's: a step of the host's own
			// (a virtual machine's clock set by its host) is one too, which
			// either run may say instead of or besides the test's.
			if moved := hostClockMoved(); moved > time.Millisecond {
				t.Logf("this host's clock moved by up to %s against its monotonic clock during the test", moved)
				if said < 1 || said > 2 {
					t.Errorf("the step was said %d times, want once a run at most", said)
				}
			} else if said != 1 {
				t.Errorf("the step was said %d times, want once", said)
			}
		})
	}
}

// The database's clock stepped forward (NTP correcting a slow clock, a
// failover to a server whose clock runs ahead) while a looping run holds
// claims it has not asked yet: on that clock every lease looks lapsed, and
// cron's next run takes the orders and asks them. The first run's next
// reservation sees the step and checks each claim before it asks; it
// leaves the orders the other run took. Before, it asked them all, 9 of 12
// after the other run had taken them, every answer one nobody could save.
func TestADatabaseClockSteppedForwardStopsARunAskingWhatAnotherTook(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	e.znet.SetLatency(1500 * time.Millisecond)
	const n = 12
	e.orders(n, 70000)
	stepBack := e.db.SteppableClock()
	// now() too, as a real step moves every clock of the server: the
	// claims' leases are on it.
	e.db.Exec(`CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql STABLE AS
		$$ SELECT pg_catalog.now() - (SELECT back FROM public.storetest_clock_step) $$`)
	open := func() *store.Store {
		st, err := store.Open(context.Background(), e.db.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	config := func(loop time.Duration) watch.Config {
		cfg := e.config()
		cfg.Rate = 2
		cfg.Loop, cfg.Tick, cfg.MaxDuration = loop, 500*time.Millisecond, 14*time.Second
		cfg.Concurrency, cfg.PerIntegration = 4, 4
		return cfg
	}
	first, next := open(), open()
	done := make(chan *watch.Summary, 1)
	go func() {
		sum, err := watch.Run(context.Background(), first, config(12*time.Second))
		if err != nil {
			t.Errorf("the first run: %v", err)
		}
		done <- sum
	}()
	// The step comes once the first run holds its claims: a second and a
	// half in on a quiet host, later on a busy one.
	var claimed int
	for deadline := time.Now().Add(10 * time.Second); claimed != n && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		e.db.Get(&claimed, `SELECT count(*) FROM zwatch_order_checks WHERE claimed_by IS NOT NULL`)
	}
	if claimed != n {
		t.Fatalf("the first run holds %d claims before the step, want %d", claimed, n)
	}
	stepBack(-90 * time.Second)
	// Counted once the step is made: a request the first run sent just
	// before it may reach the fake panel a moment after, on a busy host
	// (seen once under make test beside another suite).
	askedBefore := e.znet.TotalRequests()
	if _, err := watch.Run(context.Background(), next, config(0)); err != nil {
		t.Errorf("the next run: %v", err)
	}
	sum := <-done
	if sum == nil {
		return
	}
	// The orders the first run asked before the step the next one asks
	// again, its claims lapsed on the stepped clock; and send times the
	// first run reserved before the step, a second's worth at --rate 2,
	// may still be used before its next reservation sees it. Any other
	// order asked by both was asked by the first run after the other took
	// it. (The first run may also renew a claim on the new clock before
	// the next run takes it, and ask that order alone.)
	twice := 0
	for i := range n {
		if e.znet.Requests(referans(70000+i)) > 1 {
			twice++
		}
	}
	if twice > askedBefore+2 {
		t.Errorf("%d orders were asked by both runs; the first run asked %d before the step (%d in all)", twice, askedBefore, sum.Total.Asked)
	}
}

// watchHostClock follows this host's wall clock against its monotonic one
// until the function it returns is called, which tells how far apart they
// moved at most.
func watchHostClock(t *testing.T) (moved func() time.Duration) {
	began := time.Now()
	apart := func() time.Duration { return time.Now().Round(0).Sub(began.Round(0)) - time.Since(began) }
	stop, done := make(chan struct{}), make(chan time.Duration, 1)
	go func() {
		most := time.Duration(0)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			most = max(most, apart().Abs())
			select {
			case <-tick.C:
			case <-stop:
				done <- most
				return
			}
		}
	}()
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(stop) }) })
	return func() time.Duration {
		once.Do(func() { close(stop) })
		return <-done
	}
}
