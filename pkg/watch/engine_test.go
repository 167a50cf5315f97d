package watch_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Panels that accept the connection and never answer must not keep the
// other tenants' orders from being asked: with 50 panels of 20 due orders,
// 10 of them hanging and holding the oldest orders, the first run with
// check-pending's defaults serves (nearly) every healthy order.
func TestHangingPanelsDoNotStarveOtherTenants(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	const panels, hanging, perPanel = 50, 10, 20
	var healthyIDs []string
	for p := range panels {
		fake := znettest.NewServer(dealerCode, password)
		t.Cleanup(fake.Close)
		if p < hanging {
			fake.SetDefault(znettest.Waiting("").After(time.Hour)) // accepts, never answers
		} else {
			fake.SetDefault(znettest.DoneEach("PIN-OK", "ok"))
		}
		integ := db.AddIntegration(storetest.Integration{BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
		// The hanging panels' orders are the oldest: a claim, oldest due
		// first, reaches them before any healthy panel's.
		ids := db.AddSentOrders(storetest.SentOrders{
			IntegrationID: integ, Count: perPanel, FirstReferans: 100000 * (p + 1),
			SentAgo: time.Hour - time.Duration(p)*time.Minute,
		})
		if p >= hanging {
			healthyIDs = append(healthyIDs, ids...)
		}
	}
	cfg := watch.DefaultConfig()

	// While the run waits for the hanging panels, the claims it holds stay
	// renewed: none may lapse for another run to take.
	var lapsedWhileRunning atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if at := db.ClaimsLapseAt(); !at.IsZero() && at.Before(time.Now()) {
				lapsedWhileRunning.Store(true)
			}
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
		}
	}()
	sum, err := watch.Run(context.Background(), db.Store, cfg)
	cancel()
	if err != nil {
		t.Fatal(err)
	}

	served := db.ReadDeliveries(healthyIDs)
	completed := 0
	var last time.Time
	for _, d := range served {
		if d.ExternalStatus == "completed" {
			completed++
			if d.CompletedAt.After(last) {
				last = *d.CompletedAt
			}
		}
	}
	t.Logf("%d healthy orders completed, the last %s after the run started; the run took %s",
		completed, last.Sub(sum.StartedAt).Round(time.Second), sum.Duration.Round(time.Second))
	if want := len(healthyIDs) * 95 / 100; completed < want {
		t.Errorf("the first run completed %d of the %d healthy orders, want at least %d", completed, len(healthyIDs), want)
	}
	// A 58-second run cannot wait out three 20-second timeouts of each of
	// ten panels on the half of the slots they may hold: some are cut off,
	// the others are reported failing because they never answered. Either
	// way the operator is told about every hanging panel, and no other.
	failing := sum.FailingIntegrations()
	if len(failing) != hanging {
		t.Errorf("%d integrations reported failing, want the %d hanging ones", len(failing), hanging)
	}
	for _, in := range failing {
		if !strings.Contains(in.Reason, "no answer within") && !strings.Contains(in.Reason, "no usable answer") {
			t.Errorf("integration %s failing for %q, want the timeouts named", in.Name, in.Reason)
		}
	}
	if lapsedWhileRunning.Load() {
		t.Error("a claim of the running run lapsed: the heartbeat did not renew it")
	}
	if b := db.Bookkeeping(); b.Claimed != 0 {
		t.Errorf("%d claims left after the run, want none", b.Claimed)
	}
}

// Timeouts on different orders cut a panel off as refused connections do,
// and its remaining orders are released unasked.
func TestTimeoutsOnDistinctOrdersCutThePanelOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting("").After(time.Hour))
	for i := range 10 {
		e.order(referans(12000 + i))
	}
	cfg := e.config()
	cfg.Timeout = watch.MinTimeout
	cfg.PerIntegration = 1

	sum := e.run(cfg)

	in := sum.Integrations[0]
	if !in.Failing || in.Errors != 3 || in.Skipped != 7 || !sum.NeedsAttention() {
		t.Errorf("integration summary %+v: want failing after 3 timeouts, 7 skipped", in)
	}
	if e.znet.TotalRequests() != 3 {
		t.Errorf("znet got %d requests, want the panel left alone after it was cut off", e.znet.TotalRequests())
	}
	if b := e.db.Bookkeeping(); b.Claimed != 0 {
		t.Errorf("%d claims left, want none", b.Claimed)
	}
}

// A panel broken over a weekend does not cost the orders it holds: the time
// their panel was failing does not count toward giving up. Broken as a
// panel whose IP whitelist lost the host is (an empty body), and as one
// whose PHP or host is down, or whose firewall blocks the shop: a server
// error, a request to slow down, a page that is not znet's.
func TestBrokenPanelStopsTheGiveUpClock(t *testing.T) {
	t.Parallel()
	for name, broken := range map[string]znettest.Answer{
		"empty body":    znettest.Empty(),
		"server error":  znettest.ServerError(503),
		"slow down":     znettest.ServerError(429),
		"firewall page": znettest.Garbage("Forbidden: your IP is blocked"),
		"PHP fatal":     znettest.Garbage("<br />\n<b>Fatal error</b>: Uncaught mysqli_sql_exception"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			brokenPanelStopsTheGiveUpClock(t, broken)
		})
	}
}

func brokenPanelStopsTheGiveUpClock(t *testing.T, broken znettest.Answer) {
	e := newEnv(t)
	ids := e.orders(6, 13000)
	// Every order was polled for 20 hours while the panel worked.
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	for _, id := range ids {
		e.db.FirstCheckedAgo(id, 20*time.Hour)
	}

	// Then the panel breaks, and runs go on for a weekend.
	e.znet.SetDown(broken)
	cfg := e.config()
	cfg.PerIntegration = 1
	for range 3 {
		e.db.MakeAllDue()
		if sum := e.run(cfg); sum.Total.Stuck != 0 {
			t.Fatalf("orders given up on while their panel was failing: %+v", sum.Total)
		}
		e.db.Age(20 * time.Hour)
	}
	for _, id := range ids {
		if e.db.PanelFailingSince(id) == nil {
			t.Errorf("order %s: its give-up clock still runs while its panel is failing", id)
		}
	}

	// On Monday the panel is fixed: the orders are asked, and none is stuck.
	e.znet.SetDown(nil)
	e.db.MakeAllDue()
	sum := e.run(e.config())
	if sum.Total.Asked != len(ids) || sum.Total.Stuck != 0 || sum.Total.Processing != len(ids) {
		t.Errorf("after the panel came back: %+v, want all %d asked and none stuck", sum.Total, len(ids))
	}
	for _, id := range ids {
		if c := e.db.ReadCheck(id); c.GivenUpAt != nil || e.db.PanelFailingSince(id) != nil {
			t.Errorf("order %s: given up %v, clock stopped %v", id, c.GivenUpAt, e.db.PanelFailingSince(id))
		}
	}

	// The clock runs again: four more hours of polling make 24.
	e.db.Age(5 * time.Hour)
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Stuck != len(ids) {
		t.Errorf("%d orders given up on after 25 hours of a working panel, want %d", sum.Total.Stuck, len(ids))
	}
}

// ordersAnsweredInAnOutage adds n orders whose panel answers them with pin
// only once all n were asked and the database then went down, as in a
// restart with requests in flight. outage hands over the end of the outage
// once it began.
func (e *env) ordersAnsweredInAnOutage(n, firstRef int, pin string) (ids []string, outage <-chan func()) {
	e.t.Helper()
	ids = e.orders(n, firstRef)
	down := make(chan struct{})
	e.znet.SetResponder(func(string, int) znettest.Answer {
		<-down
		return znettest.DoneEach(pin, "ok")
	})
	began := make(chan func(), 1)
	go func() {
		for e.znet.TotalRequests() < n {
			time.Sleep(10 * time.Millisecond)
		}
		began <- e.db.Outage()
		close(down)
	}()
	return ids, began
}

// A database restart during a looping run loses no answer: what znet said
// while the database was down is saved once it is back, within the run,
// and no claim is left behind. Each answer keeps when it was asked, before
// the outage, for the panel's history: not when it was saved, after it.
func TestDatabaseRestartDuringALoopKeepsAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 10
	ids, outage := e.ordersAnsweredInAnOutage(n, 14000, "RESTART-PIN")
	cfg := e.config()
	cfg.Concurrency, cfg.PerIntegration = n, n
	cfg.Loop, cfg.MaxDuration, cfg.Tick = 12*time.Second, 12*time.Second, 100*time.Millisecond

	go func() {
		end := <-outage
		time.Sleep(3 * time.Second)
		end()
	}()
	sum, err := watch.Run(context.Background(), e.db.Store, cfg)
	if err != nil {
		t.Fatalf("the run failed over a restart it outlived: %v", err)
	}

	if sum.Total.Completed != n {
		t.Errorf("summary %+v, want all %d answers saved", sum.Total, n)
	}
	for _, id := range ids {
		if row := e.db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil {
			t.Errorf("order %s after the restart: %+v", id, row)
		}
	}
	if b := e.db.Bookkeeping(); b.Claimed != 0 || b.Attempts != n {
		t.Errorf("%d claims left and %d attempts counted, want none and %d", b.Claimed, b.Attempts, n)
	}
	if got := e.znet.TotalRequests(); got != n {
		t.Errorf("znet was asked %d times, want each order once", got)
	}
	var askedBeforeTheOutage int
	e.db.Get(&askedBeforeTheOutage, `SELECT count(*) FROM zwatch_order_events
		WHERE to_status = 'completed' AND at - asked_at >= interval '2900 milliseconds'`)
	if askedBeforeTheOutage != n {
		t.Errorf("%d of %d completions dated by their request, 3 s of outage before their save; want all", askedBeforeTheOutage, n)
	}
}

// A database that goes away while more answers wait than one statement
// saves, and stays away past the run's end: the run fails with one line,
// no PIN reaches the log, and once the database is back the next run asks
// again and saves every PIN. (The answers past the first statement were
// never tried; the run once crashed on them.)
func TestAnOutageOutlastingTheRunLosesNoPIN(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 250 // more than one statement's 200 answers
	ids, outage := e.ordersAnsweredInAnOutage(n, 14500, "OUTAGE-PIN")
	cfg := e.config()
	cfg.Batch, cfg.Concurrency, cfg.PerIntegration = n, n, n
	cfg.MaxDuration = 5 * time.Second

	sum, err := watch.Run(context.Background(), e.db.Store, cfg)
	var end func()
	select {
	case began := <-outage:
		end = sync.OnceFunc(began)
		defer end()
	default:
		t.Fatalf("the run ended before it had asked about all %d orders: %v", n, err)
	}
	if err == nil || !strings.Contains(err.Error(), "250 could not be saved") {
		t.Fatalf("a run whose answers could not be saved at all: err %v, want one naming the 250 answers", err)
	}
	if sum == nil {
		t.Fatal("a run that failed at its end returned no summary")
	}
	if sum.ClaimsLeft != n {
		t.Errorf("the summary counts %d claims left to lapse, want all %d", sum.ClaimsLeft, n)
	}
	if _, _, broke := store.ConnectionBroke(err); !broke {
		t.Errorf("the run's error %q is not known for the database going away, so the operator's line cannot say so", err)
	}
	logs := e.logs.String()
	assertNoSecrets(t, "the run's log", logs, "OUTAGE-PIN")
	if !strings.Contains(logs, "not tried: the database did not answer") {
		t.Errorf("the answers never tried are not said to be so:\n%s", logs)
	}

	// The database is back. The claims could not be handed back; once they
	// lapse, the next run finds the orders due.
	end()
	for _, id := range ids {
		if row := e.db.ReadOrder(id); row.ExternalStatus == "completed" || row.PINCode != nil {
			t.Fatalf("order %s changed while the database was down: %+v", id, row)
		}
	}
	if b := e.db.Bookkeeping(); b.Claimed != n || b.Attempts != 0 {
		t.Errorf("%d claims held and %d attempts counted after the outage, want the %d claims, lapsing, and none", b.Claimed, b.Attempts, n)
	}
	e.db.ExpireClaims()
	e.znet.SetDefault(znettest.DoneEach("OUTAGE-PIN", "ok"))
	e.znet.SetResponder(nil)
	next := e.config()
	next.Batch, next.Concurrency, next.PerIntegration = n, 16, 16
	sum = e.run(next)
	if sum.Total.Completed != n {
		t.Errorf("the next run saved %d PINs, want all %d", sum.Total.Completed, n)
	}
	for _, id := range ids {
		if row := e.db.ReadOrder(id); row.PINCode == nil || !strings.HasPrefix(*row.PINCode, "OUTAGE-PIN-") {
			t.Fatalf("order %s after the outage: %+v", id, row)
		}
	}
}

// An answer the database will not take is released when the run ends, not
// left claimed until the lease lapses, and the others are saved. znet was
// asked: the attempt counts, and last_error says why the answer was not
// saved, for list to show.
func TestUnsavedAnswerReleasesItsClaim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	refused := e.order("15000")
	fine := e.order("15001")
	e.db.RefuseWrites(refused)
	e.znet.SetDefault(znettest.DoneEach("PIN-15", "ok"))

	sum, err := watch.Run(context.Background(), e.db.Store, e.config())
	if err != nil {
		t.Fatalf("one refused order failed the run: %v", err)
	}

	if sum.Total.Completed != 1 || sum.Total.Errors != 1 {
		t.Errorf("summary %+v, want 1 completed and 1 not saved", sum.Total)
	}
	if row := e.db.ReadOrder(fine); row.ExternalStatus != "completed" {
		t.Errorf("the other order was not saved: %+v", row)
	}
	c := e.db.ReadCheck(refused)
	if c.ClaimedBy != nil || c.Attempts != 1 || c.NextCheckAt.After(time.Now()) {
		t.Errorf("bookkeeping of the refused order %+v: want released, due again, the attempt counted", c)
	}
	if c.LastError == nil || !strings.Contains(*c.LastError, "the shop refuses to change order") || strings.Contains(*c.LastError, "PIN-15") {
		t.Errorf("last_error of the refused order %v: want the shop's refusal, its PIN masked", c.LastError)
	}
	// The shop's refusal quotes the PIN; its error line must not.
	assertNoSecrets(t, "the run's log", e.logs.String(), "PIN-15")
}

// Orders whose answers the shop refuses go back behind the orders already
// due, not at their old place at the head of every claim: a trigger that
// refuses a whole class of orders must not spend the panel's requests on
// them before the others, run after run. (Until this, they kept their due
// time, and a batch of them was all a run took.)
func TestRefusedOrdersDoNotCrowdOutTheOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	refused := map[string]bool{}
	for i := range 3 {
		ref := referans(16600 + i)
		e.db.RefuseWrites(e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: ref, SentAgo: 30 * time.Minute}))
		refused[ref] = true
	}
	for i := range 3 {
		e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: referans(16700 + i), SentAgo: 10 * time.Minute})
	}
	var (
		mu    sync.Mutex
		asked []string
	)
	e.znet.SetResponder(func(ref string, _ int) znettest.Answer {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, ref)
		if refused[ref] {
			return znettest.Done("QX7R-9TZK-8HJD-"+ref, "tamam")
		}
		return znettest.Waiting("bekliyor")
	})
	cfg := e.config()
	// Three orders claimed at a time, asked one by one; a run whose every
	// answer was refused would retry their saves until its max-duration.
	cfg.Batch, cfg.Concurrency, cfg.PerIntegration, cfg.MaxDuration = 3, 1, 1, 2*time.Second

	for range 2 { // the first takes the oldest due: the refused orders
		if _, err := watch.Run(context.Background(), e.db.Store, cfg); err != nil {
			t.Logf("run: %v", err)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if len(asked) < 6 || slices.ContainsFunc(asked[3:6], func(ref string) bool { return refused[ref] }) {
		t.Errorf("asked in this order: %v; want the second run to begin with the orders due before the refused ones were handed back", asked)
	}
}

// A shop trigger that refuses one order's row, alone in its run (a loop
// asks it again and again), is that order's fault, not the run's: the run
// succeeds, with the answer unsaved for a person to see (exit 3), and does
// not fail as one whose every answer the database turned away (exit 1).
func TestOneRowRefusedAloneDoesNotFailTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	refused := e.order("15050")
	e.db.RefuseWrites(refused)
	e.znet.SetDefault(znettest.DoneEach("PIN-1505", "ok"))

	sum, err := watch.Run(context.Background(), e.db.Store, e.config())
	if err != nil {
		t.Fatalf("one order's refused row failed the run: %v", err)
	}
	if len(sum.Unsaved) != 1 || sum.Unsaved[0] != refused || !sum.NeedsAttention() {
		t.Errorf("summary: unsaved %v, needs attention %v; want the order named for a person", sum.Unsaved, sum.NeedsAttention())
	}
}

// A shop trigger that refuses several orders, quoting each one's id and
// PIN, is one reason: one line names them all, with neither PIN in it.
func TestRefusalsQuotingTheirOrderAreOneLine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pins := map[string]string{"15100": "PIN-AAAA-1111", "15101": "PIN-BBBB-2222", "15102": "PIN-CCCC-3333"}
	var ids []string
	for ref, pin := range pins {
		id := e.order(ref)
		e.db.RefuseWrites(id)
		e.znet.Script(ref, znettest.Done(pin, "ok"))
		ids = append(ids, id)
	}

	if _, err := watch.Run(context.Background(), e.db.Store, e.config()); err == nil {
		t.Fatal("a run that saved no answer succeeded")
	}

	logs := e.logs.String()
	var lines []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "could not save znet's answer") {
			lines = append(lines, line)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], `"orders":3`) || !strings.Contains(lines[0], "<id>") {
		t.Errorf("lines saying answers could not be saved: want one for the 3 orders, the trigger's message with <id>; got\n%s",
			strings.Join(lines, "\n"))
	}
	for _, id := range ids {
		if !strings.Contains(strings.Join(lines, ""), id) {
			t.Errorf("the line does not name order %s:\n%s", id, strings.Join(lines, "\n"))
		}
	}
	for _, pin := range pins {
		assertNoSecrets(t, "the run's log", logs, pin, strings.TrimPrefix(pin, "PIN-"))
	}
}

// A loop that runs its course was not stopped early, even when --loop
// equals --max-duration as in the recommended cron line; a run that
// max-duration cuts short says so.
func TestALoopThatRunsItsCourseIsNotStoppedEarly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	for i := range 5 {
		e.order(referans(16000 + i))
	}
	cfg := e.config()
	cfg.Loop, cfg.MaxDuration, cfg.Tick = 2*time.Second, 2*time.Second, 100*time.Millisecond

	sum := e.run(cfg)
	if sum.StoppedBy != "" || sum.EndedBy != watch.EndedByLoop {
		t.Errorf("a healthy loop ended by %q, stopped by %q: want the loop, not stopped", sum.EndedBy, sum.StoppedBy)
	}
	if rec := sum.Record(0, nil); rec.StoppedBy != "" {
		t.Errorf("zwatch_runs would say stopped by %q", rec.StoppedBy)
	}

	// With --loop equal to --max-duration, what the loop claimed last and
	// could not start is handed to the next run, as planned.
	paced := newEnv(t)
	paced.znet.SetDefault(znettest.Waiting(""))
	for i := range 30 {
		paced.order(referans(16200 + i))
	}
	cfg = paced.config()
	cfg.Rate = 5
	cfg.Loop, cfg.MaxDuration, cfg.Tick = time.Second, time.Second, 100*time.Millisecond
	sum = paced.run(cfg)
	if sum.StoppedBy != "" || sum.Total.Skipped == 0 {
		t.Errorf("a paced loop that ran its course: stopped by %q with %d skipped, want not stopped and the rest handed on",
			sum.StoppedBy, sum.Total.Skipped)
	}
	if b := paced.db.Bookkeeping(); b.Claimed != 0 {
		t.Errorf("%d claims left, want none", b.Claimed)
	}

	// Orders that cannot all be asked before max-duration.
	slow := newEnv(t)
	slow.znet.SetDefault(znettest.Waiting("").After(300 * time.Millisecond))
	for i := range 20 {
		slow.order(referans(16100 + i))
	}
	cfg = slow.config()
	cfg.Concurrency, cfg.PerIntegration = 1, 1
	cfg.MaxDuration = time.Second
	sum = slow.run(cfg)
	if sum.StoppedBy != "max-duration" || sum.Total.Skipped == 0 {
		t.Errorf("a run cut short: stopped by %q, %d skipped; want max-duration and orders released", sum.StoppedBy, sum.Total.Skipped)
	}
	if b := slow.db.Bookkeeping(); b.Claimed != 0 {
		t.Errorf("%d claims left, want none", b.Claimed)
	}
}
