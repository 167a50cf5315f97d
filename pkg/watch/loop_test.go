package watch_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

func TestLoopKeepsClaimingAsOrdersBecomeDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 20
	for i := range n {
		e.order(referans(10000 + i))
	}
	var (
		mu    sync.Mutex
		asked = map[string][]time.Time{}
	)
	e.znet.SetResponder(func(ref string, call int) znettest.Answer {
		mu.Lock()
		asked[ref] = append(asked[ref], time.Now())
		mu.Unlock()
		if call < 3 {
			return znettest.Waiting("")
		}
		return znettest.Done("PIN-"+ref, "ok")
	})
	e.znet.SetLatency(10 * time.Millisecond)
	cfg := e.config()
	cfg.Schedule = watch.Schedule{watch.MinCheckWait}
	// The loops end when the orders are done, not on a clock: a host busy with
	// other tests may take much longer than three checks a second apart. The
	// loop's own bound only keeps a broken loop from hanging the suite.
	cfg.Loop = 2 * time.Minute
	cfg.MaxDuration = 3 * time.Minute
	cfg.Tick = 100 * time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		for ctx.Err() == nil && e.db.OrdersIn("completed") < n {
			time.Sleep(50 * time.Millisecond)
		}
		stop()
	}()

	// Two looping invocations overlap completely, as two cron entries or two
	// hosts would.
	var wg sync.WaitGroup
	sums := make([]*watch.Summary, 2)
	for k := range sums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, err := watch.Run(ctx, e.db.Store, cfg)
			if err != nil {
				t.Errorf("run %d: %v", k, err)
			}
			sums[k] = sum
		}()
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	defer func() {
		// What the runs warned of: the failure fixed in 69721d1 showed
		// only in full suites, and said nothing of why.
		if t.Failed() {
			for _, line := range strings.Split(e.logs.String(), "\n") {
				if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
					t.Log(line)
				}
			}
		}
	}()
	var gaps []time.Duration
	completed := sums[0].Total.Completed + sums[1].Total.Completed
	if completed != n {
		t.Errorf("the two loops completed %d orders, want %d", completed, n)
	}
	for i := range n {
		ref := referans(10000 + i)
		if got := e.znet.Requests(ref); got != 3 {
			t.Errorf("referans %s asked %d times, want 3 (wait, wait, done)", ref, got)
		}
		if got := e.znet.MaxConcurrentFor(ref); got > 1 {
			t.Errorf("referans %s asked by two loops at the same time", ref)
		}
		for k := 1; k < len(asked[ref]); k++ {
			gap := asked[ref][k].Sub(asked[ref][k-1])
			gaps = append(gaps, gap)
			if gap > watch.MinCheckWait+14*time.Second {
				t.Errorf("referans %s asked again %s after the answer before, due after %s: left unasked",
					ref, gap.Round(time.Millisecond), watch.MinCheckWait)
			}
		}
	}
	// Due a second after each answer, an order is asked on the loops'
	// next tick or so: a loop that claimed only now and then (every 8 s,
	// say) would still get there, but late, every time. The median leaves
	// a busy host's slow claims out, which took a few gaps past 5 s under
	// -race with the cores taken (helper-380); each gap's own bound above
	// still catches an order left until a claim lapsed (45 s, 69721d1).
	slices.Sort(gaps)
	if len(gaps) > 0 && gaps[len(gaps)/2] > watch.MinCheckWait+4*time.Second {
		t.Errorf("orders asked again a median %s after the answer before, due after %s: the loops did not claim them as they fell due",
			gaps[len(gaps)/2].Round(time.Millisecond), watch.MinCheckWait)
	}
}

func TestLoopStopsCleanlyOnCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 10 {
		e.order(referans(11000 + i))
	}
	e.znet.SetDefault(znettest.Waiting("").After(time.Minute)) // every request hangs
	cfg := e.config()
	cfg.Loop = time.Minute
	cfg.MaxDuration = 2 * time.Minute
	cfg.Tick = 100 * time.Millisecond
	cfg.Timeout = time.Minute

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for e.znet.TotalRequests() < cfg.PerIntegration {
			time.Sleep(10 * time.Millisecond)
		}
		cancel() // SIGTERM in the middle of the loop
	}()
	sum, err := watch.Run(ctx, e.db.Store, cfg)
	if err != nil {
		t.Fatal(err)
	}

	// The requests in flight were heard: asked and cut short, the rest
	// released unasked; no attempt counted against any order.
	heard := e.znet.TotalRequests()
	if tot := sum.Total; sum.StoppedBy != "signal" || tot.Asked != heard || tot.CutShort != heard || tot.Skipped != 10-heard {
		t.Errorf("summary %+v stopped by %q: want the %d requests in flight asked and cut short, the rest released unasked", tot, sum.StoppedBy, heard)
	}
	if b := e.db.Bookkeeping(); b.Claimed != 0 || b.Attempts != 0 {
		t.Errorf("%d claims left and %d attempts counted, want none", b.Claimed, b.Attempts)
	}
}

// Runs started together, as cron starts them on several hosts, share the
// due orders between them: none gives up because another registered the
// new orders a moment before it.
func TestRunsStartedTogetherShareTheWork(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.db.AddSentOrders(storetest.SentOrders{IntegrationID: e.integ, Count: 3000, FirstReferans: 500000, SentAgo: 10 * time.Minute})
	e.znet.SetDefault(znettest.DoneEach("AB12-CD34", "ok"))
	e.znet.SetLatency(20 * time.Millisecond)
	cfg := e.config()
	cfg.Batch = 1000
	cfg.Concurrency, cfg.PerIntegration = 32, 32

	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := watch.Run(context.Background(), e.db.Store, cfg); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	if got := e.db.OrdersIn("completed"); got != 3000 {
		t.Errorf("three runs with a batch of 1000 each completed %d of 3000 orders", got)
	}
	if got := e.znet.TotalRequests(); got != 3000 {
		t.Errorf("znet got %d requests for 3000 orders, want exactly one each", got)
	}
}

// A run that starts while another is still registering new orders (on a
// loaded host, a thousand of them can take over a second) waits for it to
// finish, and claims what it registered, instead of failing its claim on
// the one-second bound meant for the shop's locks.
func TestAClaimWaitsForAnotherRunStillRegistering(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.order(referans(11400))
	e.znet.SetDefault(znettest.DoneEach("PIN-11400", "ok"))
	otherRun := e.db.BeginHolding(`SELECT 1 FROM zwatch_state WHERE name = 'register' FOR UPDATE`)
	go func() {
		e.db.WaitForLockWaiters(1)
		time.Sleep(2 * time.Second)
		_ = otherRun.Commit()
	}()

	sum := e.run(e.config())

	if sum.Total.Asked != 1 || e.db.OrdersIn("completed") != 1 {
		t.Errorf("asked %d, %d completed: want the order registered, asked and saved once the other run let go",
			sum.Total.Asked, e.db.OrdersIn("completed"))
	}
}

// A run whose --max-duration passes before its first claim has taken
// anything did not take everything due: it says it was stopped early, not
// done. (Time compressed a thousandfold: --max-duration of a millisecond.)
func TestMaxDurationBeforeTheFirstClaimIsAnEarlyStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.order(referans(11500))
	cfg := e.config()
	cfg.TimeScale, cfg.MaxDuration = 1000, time.Millisecond

	sum := e.run(cfg)

	if sum.EndedBy != watch.EndedByMaxDuration || sum.StoppedBy != "max-duration" || sum.Total.Asked != 0 {
		t.Errorf("ended by %q, stopped by %q, %d asked: want max-duration and nothing asked", sum.EndedBy, sum.StoppedBy, sum.Total.Asked)
	}
}

// However short --loop is, a run makes the claim a run without it makes:
// the loop bounds claiming again, not the first claim.
func TestAShortLoopStillClaimsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.order(referans(11600))
	e.znet.SetDefault(znettest.Waiting(""))
	cfg := e.config()
	cfg.TimeScale, cfg.Loop, cfg.Tick = 1000, 200*time.Microsecond, 200*time.Microsecond

	sum := e.run(cfg)

	if sum.Total.Asked != 1 || sum.EndedBy != watch.EndedByLoop {
		t.Errorf("ended by %q after asking %d, want the one due order asked and the loop run its course", sum.EndedBy, sum.Total.Asked)
	}
}

// A looping run whose every claim failed, the database gone for less than
// the outage a loop rides out, did nothing: it fails, as a run without
// --loop would, rather than end as if the loop had run its course.
func TestALoopThatNeverClaimedFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.order(referans(11700))
	cfg := e.config()
	cfg.Loop, cfg.MaxDuration, cfg.Tick = 2*time.Second, 2*time.Second, 100*time.Millisecond
	end := e.db.Outage()
	defer end()

	_, err := watch.Run(context.Background(), e.db.Store, cfg)

	if err == nil || !strings.Contains(err.Error(), "claiming due orders failed for the whole loop") {
		t.Errorf("a loop that never claimed: err %v, want one saying claiming failed for the whole loop", err)
	}
}

// A looping run asks an order that znet answers unusably several times:
// the summary names it once, and not at all once the run gave up on it,
// which its stuck line says, or once a later answer was one zwatch used (a
// body cut short once, whole the next time).
func TestALoopNamesAnUnusableAnswerOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.order("6901")
	e.order("6902")
	e.znet.SetDefault(znettest.Garbage("OK|2|CUT-SH"))
	cutOnce := e.order("6903")
	e.znet.Script("6903", znettest.Garbage("OK|2|AB12-CD"), znettest.Done("AB12-CD34", "tamam"))
	// Rejected after its unusable answer: nothing usable came since.
	rejectedSince := e.order("6904")
	e.znet.Script("6904", znettest.Garbage("OK|2|CUT-SH"), znettest.Rejected("3", "x"), znettest.Rejected("3", "x"),
		znettest.Rejected("3", "x"), znettest.Rejected("3", "x"), znettest.Rejected("3", "x"), znettest.Rejected("3", "x"))
	cfg := e.config()
	cfg.Schedule = watch.Schedule{watch.MinCheckWait}
	// The loops end on what they did, not on a clock: a first claim 1.5 s
	// late left a 3 s loop one ask of each order (helper-380). Their
	// bounds only keep a broken loop from hanging the suite.
	cfg.Loop, cfg.Tick = 30*time.Second, 100*time.Millisecond

	sum := e.runUntil(cfg, func() bool {
		return e.db.ReadOrder(cutOnce).ExternalStatus == "completed" &&
			e.znet.Requests("6901") >= 3 && e.znet.Requests("6902") >= 3 && e.znet.Requests("6904") >= 3
	})
	named := map[string]int{}
	for _, u := range sum.Unusable {
		named[u.OrderID]++
	}
	if len(sum.Unusable) != 3 || len(named) != 3 || named[rejectedSince] != 1 {
		t.Errorf("after %d requests: unusable answers %+v, want each of the 3 orders once", e.znet.TotalRequests(), sum.Unusable)
	}
	for _, u := range sum.Unusable {
		if u.OrderID == cutOnce {
			t.Errorf("the order cut short once and then completed is named: %+v", sum.Unusable)
		}
	}
	if row := e.db.ReadOrder(cutOnce); row.ExternalStatus != "completed" {
		t.Errorf("the order cut short once: %+v, want completed by its second answer", row)
	}

	// Their give-up time comes within the next loop.
	cfg.GiveUpAfter = 3 * time.Second
	sum = e.runUntil(cfg, func() bool {
		var stuck int
		e.db.Get(&stuck, `SELECT count(*) FROM zwatch_order_checks WHERE given_up_at IS NOT NULL`)
		return stuck == 3
	})
	if sum.Total.Stuck != 3 || len(sum.Unusable) != 0 {
		t.Errorf("%d stuck, unusable answers %+v: want the 3 stuck and not said to be asked again", sum.Total.Stuck, sum.Unusable)
	}
}
