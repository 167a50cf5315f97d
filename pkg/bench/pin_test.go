//go:build bench

package bench

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// The PIN-latency benchmark (issue 6): how long after znet finished an
// order does its PIN reach the shop's row, with zwatch run as its crontab
// runs it, and how many requests does that cost the dealer panel.
//
// Time is scaled: every duration of the simulation (arrivals, znet's
// finishing times, the cron interval, and every duration flag given to
// zwatch) is divided by the workload's Scale, and every measured delay is
// multiplied by it. zwatch runs its ordinary code paths; only the numbers
// on its command line are smaller. What does not scale (process start-up,
// database round trips, HTTP on localhost) is magnified by the factor, so
// the delays measured here err on the long side.

// pinScenario is one way of running zwatch from cron. Its durations are
// simulated ones, as an operator would write them.
type pinScenario struct {
	Name        string
	Schedule    string // as --schedule takes it
	FirstDelay  time.Duration
	Interval    time.Duration // cron starts an invocation this often
	Loop        time.Duration // --loop; 0: each invocation claims once
	Tick        time.Duration // --tick, with Loop
	Rate        float64       // --rate, requests per second per panel; 0 is unlimited
	MaxDuration time.Duration // --max-duration; 0 is zwatch's default
	// Extra flags that take no duration, e.g. --concurrency 16.
	Extra []string
	// Scale replaces the workload's time scale. The same setup at two
	// scales shows how much of a delay is the harness's own overhead,
	// which the scale magnifies.
	Scale float64
	// Learn leaves --schedule out, so that zwatch learns each panel
	// (issue 11), and tells it the time scale.
	Learn bool
	// Hosts is how many invocations cron starts at each interval, as the
	// same crontab on that many hosts would; 0 is one.
	Hosts int
}

const (
	issue6Schedule = "10s,10s,15s,20s,30s,45s,60s,2m,5m,10m,30m"
	candidateA     = "10s,12s,15s,20s,25s,35s,50s,70s,90s,2m,2m,2m,5m,5m,5m,1m,1m,1m,1m,1m,1m,1m,1m,1m,1m,1m,2m,5m,10m,30m"
	candidateB     = "10s,10s,15s,20s,30s,45s,60s,90s,2m,3m,4m,4m,4m,4m,1m,1m,1m,1m,1m,1m,1m,1m,1m,1m,1m,1m,1m,2m,5m,10m,30m"
)

// pinScenarios are the rows of the PIN-latency table. To try another
// schedule or setup, add a row. The schedules of the other rows run in the
// recommended setup's cron line, so that only the schedule differs.
func pinScenarios(t *testing.T, wl pinWorkload) []pinScenario {
	recommended := recommendedSetup(t)
	like := func(name, schedule string, firstDelay time.Duration) pinScenario {
		sc := recommended
		sc.Name, sc.Schedule, sc.FirstDelay, sc.Rate = name, schedule, firstDelay, 0
		return sc
	}
	const seed = "60s,2m,4m,8m,15m,30m" // zwatch's first schedule, a plain doubling
	slower := recommended
	slower.Name, slower.Scale = "the same, time scaled half as much", wl.Scale/2
	return []pinScenario{
		// The seed's setup: a once-a-minute cron, one claim per run.
		{Name: "seed schedule, no loop", Schedule: seed, FirstDelay: 30 * time.Second, Interval: time.Minute},
		like("seed schedule, --loop", seed, 30*time.Second),
		// The shop's Celery version: every 10 seconds.
		like("fixed 10s", "10s", 10*time.Second),
		like("issue 6 example", issue6Schedule, recommended.FirstDelay),
		like("candidate A", candidateA, recommended.FirstDelay),
		like("candidate B", candidateB, recommended.FirstDelay),
		recommended,
		slower,
	}
}

// recommendedSetup is the setup crontab.example recommends: its first
// check-pending line that is not commented out, with zwatch's defaults for
// what the line does not say. Reading it from the file keeps the benchmark
// measuring what operators are told to install.
func recommendedSetup(t *testing.T) pinScenario {
	t.Helper()
	path := filepath.Join(repoRoot(t), "crontab.example")
	d := watch.DefaultConfig()
	for _, line := range strings.Split(readFile(path), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 7 || strings.HasPrefix(fields[0], "#") || !slices.Contains(fields, "check-pending") {
			continue
		}
		sc := pinScenario{Name: "crontab.example, PIN schedule given", Schedule: d.Schedule.String(),
			FirstDelay: d.FirstDelay, Tick: d.Tick, Loop: d.Loop, Rate: d.Rate, MaxDuration: d.MaxDuration}
		var err error
		switch minute := fields[0]; {
		case minute == "*":
			sc.Interval = time.Minute
		case strings.HasPrefix(minute, "*/"):
			var n int
			n, err = strconv.Atoi(minute[2:])
			sc.Interval = time.Duration(n) * time.Minute
		default:
			err = fmt.Errorf("minute field %q is neither * nor */N", minute)
		}
		for i := 5; i < len(fields) && err == nil; i++ {
			name, value, inline := strings.Cut(fields[i], "=")
			arg := func() string {
				if !inline && i+1 < len(fields) {
					i++
					value = fields[i]
				}
				return value
			}
			switch name {
			case "--loop":
				sc.Loop, err = time.ParseDuration(arg())
			case "--tick":
				sc.Tick, err = time.ParseDuration(arg())
			case "--first-delay":
				sc.FirstDelay, err = time.ParseDuration(arg())
			case "--max-duration":
				sc.MaxDuration, err = time.ParseDuration(arg())
			case "--rate":
				sc.Rate, err = strconv.ParseFloat(arg(), 64)
			case "--schedule":
				sc.Schedule = arg()
			case "--concurrency", "--per-integration", "--batch":
				sc.Extra = append(sc.Extra, name, arg())
			}
		}
		if err != nil {
			t.Fatalf("%s: the recommended line %q: %v", path, strings.TrimSpace(line), err)
		}
		return sc
	}
	t.Fatalf("%s has no check-pending line that is not commented out: nothing to measure as the recommended setup", path)
	return pinScenario{}
}

// Setup is the scenario's crontab line, in words.
func (s pinScenario) Setup() string {
	parts := []string{"cron every " + shortDuration(s.Interval)}
	if s.Loop > 0 {
		parts = append(parts, "--loop "+shortDuration(s.Loop), "--tick "+shortDuration(s.Tick))
	}
	parts = append(parts, "--first-delay "+shortDuration(s.FirstDelay))
	if s.Rate > 0 {
		parts = append(parts, "--rate "+strconv.FormatFloat(s.Rate, 'f', -1, 64))
	}
	if s.MaxDuration > 0 {
		parts = append(parts, "--max-duration "+shortDuration(s.MaxDuration))
	}
	for i := 0; i+1 < len(s.Extra); i += 2 {
		parts = append(parts, s.Extra[i]+" "+s.Extra[i+1])
	}
	return strings.Join(parts, ", ")
}

// pinWorkload is the simulated shop and znet.
type pinWorkload struct {
	Scale        float64       // every duration is divided by this
	Panels       int           // dealer panels (znet integrations), orders spread evenly
	ArrivalRate  float64       // orders sent per simulated second, Poisson
	Window       time.Duration // orders are sent during this, from the start
	Horizon      time.Duration // the run ends here at the latest
	PanelLatency time.Duration // time a panel takes to answer
	Seed         uint64
	// Finishing, when set, replaces the PIN profile (issue 11's panels):
	// how long znet takes with one order, and whether it ends cancelled.
	Finishing func(r *rand.Rand) (takes time.Duration, cancelled bool)
	// Burst orders are sent at once at the start, before the steady ones.
	Burst int
	// History, when set, is how many orders each panel finished before the
	// run, as zwatch's checks on the PIN schedule saw them (zwatch learns
	// from them).
	History int
}

// never is how long an order that never finishes takes.
const never = 1000 * time.Hour

// real is a simulated duration on the real clock.
func (w pinWorkload) real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / w.Scale)
}

func defaultPINWorkload(quick bool) pinWorkload {
	w := pinWorkload{
		Scale: 40, Panels: 3, ArrivalRate: 1, Window: 10 * time.Minute, Horizon: time.Hour,
		PanelLatency: 200 * time.Millisecond, Seed: 6,
	}
	if quick {
		w.Scale, w.ArrivalRate, w.Window, w.Horizon = 120, 0.5, 3*time.Minute, 15*time.Minute
	}
	if *pinScaleFlag > 0 {
		w.Scale = *pinScaleFlag
	}
	return w
}

// How znet finishes orders (issue 6): most log-normally, with a median of
// 40 s and a 95th percentile of 5 min; 10% wait about 30 min; 5% are
// cancelled, at a log-normal time.
const (
	finishMedian = 40 * time.Second
	finishP95    = 5 * time.Minute
	longShare    = 0.10
	longWait     = 30 * time.Minute
	longSigma    = 0.1
	cancelShare  = 0.05
	z95          = 1.6448536269514722 // the standard normal's 95th percentile
)

// pinOrder is one order of the workload.
type pinOrder struct {
	Ref       string
	Panel     int
	Arrive    time.Duration // simulated, from the start
	Takes     time.Duration // simulated, from sent to final at znet
	Cancelled bool
}

// orders draws the workload. The seed is fixed, so that every scenario
// meets the same orders at the same times.
func (w pinWorkload) orders() []pinOrder {
	r := rand.New(rand.NewPCG(w.Seed, 0x2e6))
	sigma := math.Log(float64(finishP95)/float64(finishMedian)) / z95
	logNormal := func(median time.Duration, sigma float64) time.Duration {
		return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
	}
	var out []pinOrder
	at := time.Duration(0)
	for i := 0; ; i++ {
		if i >= w.Burst {
			at += time.Duration(r.ExpFloat64() / w.ArrivalRate * float64(time.Second))
		}
		if at >= w.Window {
			return out
		}
		o := pinOrder{Ref: strconv.Itoa(firstReferans + i), Panel: i % w.Panels, Arrive: at}
		if w.Finishing != nil {
			o.Takes, o.Cancelled = w.Finishing(r)
			out = append(out, o)
			continue
		}
		switch u := r.Float64(); {
		case u < cancelShare:
			o.Cancelled, o.Takes = true, logNormal(finishMedian, sigma)
		case u < cancelShare+longShare:
			o.Takes = logNormal(longWait, longSigma)
		default:
			o.Takes = logNormal(finishMedian, sigma)
		}
		out = append(out, o)
	}
}

// pinWorld is the fake znet side of one run: it knows when each order
// finishes and counts what the panels were asked.
type pinWorld struct {
	mu       sync.Mutex
	byRef    map[string]*pinLive
	arrivals [][]time.Time // per panel, on the real clock
}

// pinLive is an order once the shop has sent it.
type pinLive struct {
	order    pinOrder
	id       string
	sentAt   time.Time // real
	finishAt time.Time // real: from then on znet answers final
	requests int
}

func (w *pinWorld) answer(ref string, _ int) znettest.Answer {
	now := time.Now()
	w.mu.Lock()
	o, ok := w.byRef[ref]
	if ok {
		o.requests++
		w.arrivals[o.order.Panel] = append(w.arrivals[o.order.Panel], now)
	}
	w.mu.Unlock()
	switch {
	case !ok:
		return znettest.Rejected("3", "Kayıt bulunamadı")
	case now.Before(o.finishAt):
		return znettest.Waiting("Sipariş işleniyor")
	case o.order.Cancelled:
		return znettest.Cancelled("İşlem iptal edildi")
	}
	return znettest.Done("PIN-"+ref, "İşlem tamamlandı")
}

// pinRow is one scenario's figures. Delays are in simulated seconds.
type pinRow struct {
	Scenario pinScenario
	Scale    float64 // time was divided by this
	Orders   int
	// Delivered PINs, cancellations seen by the shop, PINs znet finished
	// that had not reached the shop when the run ended, and orders znet
	// had not finished by then.
	Delivered, Cancelled, Undelivered, Unfinished int
	// CancelledAtZnet counts the orders znet had cancelled by the end.
	CancelledAtZnet int
	// Median, P95, P99 and Max of PIN saved − znet finished, undelivered
	// PINs counted as infinitely late.
	Median, P95, P99, Max float64
	RequestsPerOrder      float64
	// MaxPerSecond is the most requests one panel saw within one simulated
	// second. MaxPerSecondSent counts the same by the moments zwatch's
	// workers started them (asked_at): what arrives later than that at the
	// fake panel was held up on the way, by scheduling on a busy host or
	// localhost HTTP, which time compression multiplies by the scale.
	MaxPerSecond, MaxPerSecondSent int
	Invocations                    int
	Wall                           time.Duration // real
	// MaxOverlap is the most invocations running at once; Asked and
	// DBSeconds add up their summaries. BudgetWrites counts reservations on
	// the panels' shared budgets, and BudgetServer is the server's mean
	// time for one, when pg_stat_statements is loaded.
	MaxOverlap        int
	Asked             int
	DBSeconds         float64
	BudgetWrites      int
	BudgetServer      time.Duration
	BudgetServerKnown bool
	// Stolen is the share of the host's CPU time the hypervisor stole
	// during the run (-1: not known); ZwatchCPU is the CPU time all the
	// invocations used, which a learning run and a FIFO run compare by.
	Stolen    float64
	ZwatchCPU time.Duration
	// Plan is, for a learning run, the plan its panel's last saved fit
	// gives, scored on that fit and on the true finishing times; nil for
	// a run given --schedule.
	Plan *planScore
}

// DBPerRequest is the database time of every invocation per request sent,
// in seconds.
func (r pinRow) DBPerRequest() float64 {
	if r.Asked == 0 {
		return 0
	}
	return r.DBSeconds / float64(r.Asked)
}

func benchPINLatency(t *testing.T, h *harness) {
	wl := defaultPINWorkload(h.quick)
	orders := wl.orders()
	h.report.pinWorkload = &wl
	h.report.pinOrders = len(orders)
	t.Logf("%d orders over %s on %d panels, time divided by %g", len(orders), wl.Window, wl.Panels, wl.Scale)
	for _, sc := range pinScenarios(t, wl) {
		t.Run(sc.Name, func(t *testing.T) {
			row := runPINScenario(t, h.bin, sc, wl, orders)
			t.Logf("%s: median %s, p95 %s, %.2f requests/order, at most %d requests/s on one panel, %d of %d PINs delivered (%s real)",
				sc.Schedule, formatDelay(row.Median), formatDelay(row.P95), row.RequestsPerOrder, row.MaxPerSecond,
				row.Delivered, row.Delivered+row.Undelivered, row.Wall.Round(time.Second))
			h.report.pin = append(h.report.pin, row)
		})
	}
}

// runPINScenario plays the shop (sending orders as the workload says), cron
// (starting zwatch every interval) and znet (finishing orders when their
// time has come), until every order is final or the horizon is reached.
func runPINScenario(t *testing.T, bin string, sc pinScenario, wl pinWorkload, orders []pinOrder) pinRow {
	ctx := context.Background()
	if sc.Scale > 0 {
		wl.Scale = sc.Scale
	}
	db := storetest.New(t)
	world := &pinWorld{byRef: make(map[string]*pinLive, len(orders)), arrivals: make([][]time.Time, wl.Panels)}
	integrations := make([]string, wl.Panels)
	fakes := make([]*znettest.Server, wl.Panels)
	for p := range integrations {
		fakes[p] = znettest.NewServer(dealerCode, password)
		defer fakes[p].Close()
		fakes[p].SetResponder(world.answer)
		fakes[p].SetLatency(wl.real(wl.PanelLatency))
		integrations[p] = db.AddIntegration(storetest.Integration{
			Name: fmt.Sprintf("znet-%d", p+1), BaseURL: fakes[p].URL, Kod: dealerCode, Sifre: password})
	}
	if wl.History > 0 {
		for p := range integrations {
			db.AddFinishHistory(integrations[p], wl.history(p))
		}
	}
	args, err := sc.args(wl)
	if err != nil {
		t.Fatal(err)
	}

	var (
		invs    []*invocation
		running sync.WaitGroup
		ids     []string
		next    int // the next order to send
	)
	cpu := readCPUTimes()
	start := time.Now()
	horizon := start.Add(wl.real(wl.Horizon))
	nextCron := start
	for {
		now := time.Now()
		if next < len(orders) && !now.Before(start.Add(wl.real(orders[next].Arrive))) {
			ids = append(ids, sendDue(db, world, wl, integrations, orders, &next, start)...)
			continue
		}
		if !now.Before(nextCron) {
			if !now.Before(horizon) || next == len(orders) && openOrders(t, ctx, db) == 0 {
				break
			}
			for range max(1, sc.Hosts) {
				inv := startZwatch(bin, db.URL, args...)
				invs = append(invs, inv)
				running.Go(inv.wait)
			}
			nextCron = nextCron.Add(wl.real(sc.Interval))
			continue
		}
		wake := nextCron
		if next < len(orders) {
			wake = minTime(wake, start.Add(wl.real(orders[next].Arrive)))
		}
		time.Sleep(time.Until(wake))
	}
	running.Wait()
	end := time.Now()

	row := pinRow{Scenario: sc, Scale: wl.Scale, Orders: len(orders), Invocations: len(invs), Wall: end.Sub(start),
		Stolen: cpu.stolenSince()}
	sent := make(map[string][]time.Time) // per panel, all invocations
	for _, inv := range invs {
		if inv.err != nil {
			t.Errorf("an invocation failed: %v", inv.err)
		}
		times, err := inv.sendTimes()
		if err != nil {
			t.Error(err)
		}
		for panel, ts := range times {
			sent[panel] = append(sent[panel], ts...)
		}
		row.Asked += inv.summary.Total.Asked
		row.DBSeconds += inv.summary.DBSeconds
		row.ZwatchCPU += inv.cpu
		overlap := 0
		for _, other := range invs {
			if !other.started.After(inv.started) && other.started.Add(other.wall).After(inv.started) {
				overlap++
			}
		}
		row.MaxOverlap = max(row.MaxOverlap, overlap)
	}
	row.BudgetWrites = db.BudgetWrites()
	row.BudgetServer, _, row.BudgetServerKnown = db.BudgetStatementTime()
	deliveries := db.ReadDeliveries(ids)
	var delays []float64
	requests := 0
	for _, live := range world.byRef {
		requests += live.requests
		d := deliveries[live.id]
		switch {
		case live.order.Cancelled:
			if live.finishAt.Before(end) {
				row.CancelledAtZnet++
			}
			if d.ExternalStatus == "failed" {
				row.Cancelled++
			}
		case d.CompletedAt != nil:
			row.Delivered++
			delays = append(delays, d.CompletedAt.Sub(live.finishAt).Seconds()*wl.Scale)
		case live.finishAt.Before(end):
			row.Undelivered++
			delays = append(delays, math.Inf(1))
		default:
			row.Unfinished++
		}
	}
	slices.Sort(delays)
	row.Median, row.P95 = percentile(delays, 0.50), percentile(delays, 0.95)
	row.P99, row.Max = percentile(delays, 0.99), percentile(delays, 1)
	row.RequestsPerOrder = float64(requests) / float64(len(orders))
	for _, arrivals := range world.arrivals {
		row.MaxPerSecond = max(row.MaxPerSecond, maxWithin(arrivals, wl.real(time.Second)))
	}
	for _, times := range sent {
		row.MaxPerSecondSent = max(row.MaxPerSecondSent, maxWithin(times, wl.real(time.Second)))
	}
	concurrent := 0
	for _, o := range orders {
		if fakes[o.Panel].MaxConcurrentFor(o.Ref) > 1 {
			concurrent++
		}
	}
	if concurrent > 0 {
		t.Errorf("%d orders were asked about by two invocations at the same time", concurrent)
	}
	if sc.Learn {
		row.Plan = scoreLearnedPlan(t, ctx, db, sc, wl, integrations[0])
	}
	return row
}

// sendDue sends every order whose time has come, as the shop does: one
// insert per panel, sentAt now. Each order's finishing time is set before
// its row exists, so that zwatch can never ask about an order znet does
// not know yet.
func sendDue(db *storetest.DB, world *pinWorld, wl pinWorkload, integrations []string, orders []pinOrder, next *int, start time.Time) []string {
	sentAt := time.Now()
	refs := make([][]string, len(integrations))
	world.mu.Lock()
	for *next < len(orders) && !sentAt.Before(start.Add(wl.real(orders[*next].Arrive))) {
		o := orders[*next]
		live := &pinLive{order: o, sentAt: sentAt, finishAt: sentAt.Add(wl.real(o.Takes))}
		world.byRef[o.Ref] = live
		refs[o.Panel] = append(refs[o.Panel], o.Ref)
		*next++
	}
	world.mu.Unlock()
	var ids []string
	for p, rs := range refs {
		if len(rs) == 0 {
			continue
		}
		got := db.SendOrdersAt(integrations[p], sentAt, rs...)
		world.mu.Lock()
		for k, ref := range rs {
			world.byRef[ref].id = got[k]
		}
		world.mu.Unlock()
		ids = append(ids, got...)
	}
	return ids
}

// openOrders is how many orders zwatch still has to ask about.
func openOrders(t *testing.T, ctx context.Context, db *storetest.DB) int {
	p, err := db.Store.CountDemoProgress(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p.Open()
}

// args is check-pending's command line for the scenario, every duration
// divided by the workload's scale.
func (s pinScenario) args(wl pinWorkload) ([]string, error) {
	d := watch.DefaultConfig()
	schedule, err := watch.ParseSchedule(s.Schedule)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", s.Name, err)
	}
	for i := range schedule {
		schedule[i] = wl.real(schedule[i])
	}
	// --time-scale for both: it compresses zwatch's own waits (the apply's
	// linger), which a scenario with a fixed schedule must not pay in real
	// time either.
	// Debug logs for the moment each request was started (sendTimes).
	args := []string{"check-pending", "-o", "json", "--log-level", "debug", "--log-format", "json",
		"--time-scale", strconv.FormatFloat(wl.Scale, 'f', -1, 64)}
	if !s.Learn {
		args = append(args, "--schedule", schedule.String())
	}
	args = append(args,
		"--first-delay", wl.real(s.FirstDelay).String(),
		"--timeout", wl.real(d.Timeout).String(),
		"--max-duration", wl.real(cmp.Or(s.MaxDuration, d.MaxDuration)).String(),
		"--give-up-after", wl.real(d.GiveUpAfter).String(),
	)
	// --loop and --rate are always given: zwatch's defaults loop and pace,
	// and a scenario without them means a single claim at full speed.
	args = append(args, "--loop", wl.real(s.Loop).String(),
		"--rate", strconv.FormatFloat(s.Rate*wl.Scale, 'f', -1, 64))
	if s.Loop > 0 {
		args = append(args, "--tick", wl.real(s.Tick).String())
	}
	return append(args, s.Extra...), nil
}

// percentile is the nearest-rank percentile of sorted values; NaN for none.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	k := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

// maxWithin is the most of times that fall within any window of length w.
func maxWithin(times []time.Time, w time.Duration) int {
	times = slices.Clone(times)
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// formatDelay writes a delay in simulated seconds for the table.
func formatDelay(s float64) string {
	switch {
	case math.IsNaN(s):
		return "n/a"
	case math.IsInf(s, 1):
		return "not saved by the end"
	case s < 100:
		return fmt.Sprintf("%.1f s", s)
	}
	return fmt.Sprintf("%.0f s", s)
}

// shortDuration writes 1m rather than 1m0s.
func shortDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return watch.Schedule{d}.String()
}
