//go:build bench

package bench

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// report collects every section's figures and writes them as BENCHMARKS.md.
type report struct {
	machine  machine
	quick    bool
	finished time.Time
	failed   []string // sections that did not finish cleanly

	throughput  []throughputRow
	tableSize   []tableSizeRow
	scaleOut    *scaleOutRow
	pin         []pinRow
	pinWorkload *pinWorkload
	pinOrders   int
	budget      *budgetSection
	dbLoad      []dbLoadRow
	sched       []schedRow
}

// The targets of issues 5 and 6.
const (
	targetRatio       = 1.10 // wall / ideal at N = 10,000, C = 64
	targetClaimRatio  = 1.5  // claim with 2,000,000 finished / with 10,000
	targetRSSMiB      = 100
	targetMedian      = 10 // seconds from znet finished to PIN saved
	targetP95         = 60
	targetRequestsPer = 6
)

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	w("# zwatch benchmarks\n\n")
	w("Written by `make bench` (package `pkg/bench`); run it again rather than editing this file.\n")
	w("Each figure comes from the zwatch binary that make built, started as a child process the way cron starts it\n")
	w("(section 2's claims alone are the store's own code, called in the benchmark's process), against a throwaway\n")
	w("PostgreSQL (pg_virtualenv) and fake znet panels (`pkg/znet/znettest`) served by the benchmark's own process on the\n")
	w("same machine. The benchmarks measure; they never fail on timing.\n\n")
	if r.quick {
		w("**A -quick run: small sizes and a fast clock, to try the harness. These figures mean little.**\n\n")
	}
	if len(r.failed) > 0 {
		w("**Sections that did not finish cleanly (see the test log): %s.** Their figures below are partial or\n", strings.Join(r.failed, ", "))
		w("show a problem the test log names (an order asked twice, orders left unasked, a run that failed).\n\n")
	}

	w("## How to reproduce\n\n")
	w("```sh\nmake bench\n```\n\n")
	w("It installs Debian's PostgreSQL if missing, builds `bin/zwatch`, starts a throwaway cluster with the settings below\n")
	w("(`BENCH_PGOPTIONS` in the Makefile) and runs\n")
	w("`go test -tags bench -run Bench -count=1 -timeout 120m -v ./pkg/bench`, which prints this report and writes it here.\n")
	w("One section alone: `make bench BENCH_ARGS='-only pin'` (sections: %s); a partial run writes no file unless\n", strings.Join(sectionNames(), ", "))
	w("`-out FILE` is given. `BENCH_ARGS=-quick` tries the harness in a few minutes.\n\n")

	m := r.machine
	w("## Machine\n\n")
	w("| | |\n|---|---|\n")
	w("| CPU | %d × %s |\n", m.CPUs, m.CPUModel)
	w("| Memory | %.1f GiB |\n", m.MemoryGiB)
	w("| Kernel | Linux %s |\n", m.Kernel)
	w("| Load average at the start | %s |\n", m.LoadAvg)
	w("| Go | %s |\n", m.GoVersion)
	w("| zwatch | %s |\n", m.Revision)
	w("| PostgreSQL | %s on the same machine |\n", m.Postgres)
	w("| PostgreSQL settings | %s |\n", m.settings())
	w("| Date | %s UTC, the run took %s |\n\n", m.Started.UTC().Format("2006-01-02 15:04"), r.finished.Sub(m.Started).Round(time.Second))
	w("On a shared or small machine the figures move from run to run by several percent; the load average above says\n")
	w("how busy the machine was when the run began.\n\n")

	r.writeThroughput(w)
	r.writeTableSize(w)
	r.writeScaleOut(w)
	r.writePIN(w)
	r.writeBudget(w)
	r.writeDBLoad(w)
	r.writeSched(w)
	return b.String()
}

type writer func(format string, a ...any)

func (r *report) writeThroughput(w writer) {
	w("## 1. Throughput (issue 5)\n\n")
	if len(r.throughput) == 0 {
		w("Not run.\n\n")
		return
	}
	w("One `zwatch check-pending -o json --loop 0 --rate 0 --max-duration 10m --concurrency C --per-integration C --batch N`\n")
	w("(no loop, no pace, a bound it does not reach) over N due orders on one panel that\n")
	w("answers \"done\" after L = 50 ms. The database is fresh (the migrated template, N sent orders, ANALYZE). *Wall* is\n")
	w("the process from start to exit (start-up, connecting and recording the run included), *run* is the run as its\n")
	w("summary times it, *ideal* is ceil(N/C)·L, *db* is the summary's `db_seconds` (claiming, applying, releasing) per order,\n")
	w("*RSS* the child's peak resident set (getrusage).\n\n")
	w("| N | C | wall | run | ideal | wall / ideal | db per order | peak RSS | requests per order | most in flight |\n")
	w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range r.throughput {
		w("| %d | %d | %s | %s | %s | %.2f | %s | %.1f MiB | %.2f | %d |\n",
			row.N, row.C, seconds(row.Wall), seconds(row.Engine), seconds(row.Ideal()), row.Ratio(),
			millis(row.DBPerOrder()), float64(row.MaxRSSKiB)/1024, row.RequestsPerOrder(), row.MaxInFlight)
	}
	w("\n")
	for _, row := range r.throughput {
		if row.N == 10_000 && row.C == 64 {
			w("Targets at N = 10,000, C = 64: wall / ideal ≤ %.2f: **%.2f, %s**; peak RSS < %d MB: **%.1f MiB, %s**;\n",
				targetRatio, row.Ratio(), met(row.Ratio() <= targetRatio),
				targetRSSMiB, float64(row.MaxRSSKiB)/1024, met(float64(row.MaxRSSKiB)*1024 < targetRSSMiB*1e6))
			w("requests per order exactly 1.00: **%.2f, %s**.\n\n", row.RequestsPerOrder(), met(row.Requests == row.N))
		}
	}
}

func (r *report) writeTableSize(w writer) {
	w("## 2. Table size (issue 5)\n\n")
	if len(r.tableSize) == 0 {
		w("Not run.\n\n")
		return
	}
	first := r.tableSize[0]
	w("`store.ClaimBatch` of a batch of %d (register, sweep when due, claim: a run's claim, which takes at most 256 at a time) out of %d due orders that zwatch\n",
		first.Batch, first.Pending)
	w("has registered, with finished orders behind them in `product_orders` (each with the finished bookkeeping row zwatch\n")
	w("left). The tables are seeded with generate_series and then VACUUM ANALYZEd, as autovacuum keeps a shop's. Each claim\n")
	w("is released again, so every one finds the same orders. Both databases exist side by side and take turns, after a\n")
	w("CHECKPOINT, so that the machine's other work and the fill's writes weigh on both alike; %d warm-up claims each,\n", warmClaims)
	w("then the median of %d.\n\n", first.Claims)
	w("| finished orders | product_orders on disk | claim, median | fastest | slowest | reads the pollable index (zwatch_product_orders_pollable_sent) | one claim under EXPLAIN ANALYZE |\n")
	w("|---:|---:|---:|---:|---:|---|---|\n")
	for _, row := range r.tableSize {
		w("| %d | %d MiB | %s | %s | %s | %s | %s |\n", row.Finished, row.TableBytes>>20,
			millis(row.Median), millis(row.Min), millis(row.Max), yesNo(row.UsesPollableIndex()), row.StatementTimes())
	}
	w("\n")
	for _, row := range r.tableSize {
		if n := row.MaxJoinFilterRemoved(); n > row.Pending*row.Pending/4 {
			w("**With %d finished orders a join filter threw away %d rows for %d pending orders**: a nested loop compares\n", row.Finished, n, row.Pending)
			w("every pending order with every other, so that statement grows with the square of the pending orders. The plan\n")
			w("below shows where; the planner's estimate of the rows the pollable index yields is the usual cause.\n\n")
		}
	}
	if len(r.tableSize) >= 2 {
		small, large := r.tableSize[0], r.tableSize[len(r.tableSize)-1]
		ratio := large.Median.Seconds() / small.Median.Seconds()
		w("Claim time with %d finished orders / with %d: **%.3f**; target ≤ %.1f: **%s**.\n\n",
			large.Finished, small.Finished, ratio, targetClaimRatio, met(ratio <= targetClaimRatio))
		w("The plans of one claim with %d finished orders (`store.ExplainClaim`: EXPLAIN (ANALYZE, BUFFERS) of each\n", large.Finished)
		w("statement, in a transaction that is rolled back):\n\n```\n%s```\n\n", large.Plan)
		for _, row := range r.tableSize[:len(r.tableSize)-1] {
			if row.MaxJoinFilterRemoved() > row.Pending*row.Pending/4 {
				w("And with %d finished orders:\n\n```\n%s```\n\n", row.Finished, row.Plan)
			}
		}
	}
}

func (r *report) writeScaleOut(w writer) {
	w("## 3. Scale-out (issue 5)\n\n")
	s := r.scaleOut
	if s == nil {
		w("Not run.\n\n")
		return
	}
	w("%d `zwatch check-pending --loop 0 --rate 0 --max-duration 10m --concurrency %d --per-integration %d --batch %d` started together over N = %d due orders\n",
		s.Instances, s.C, s.C, s.Batch, s.N)
	w("on one panel answering after L = %s, as cron on %d hosts would start them. Each holds at most --batch orders, and 32\n", s.Latency, s.Instances)
	w("per --concurrency slot, and claims more as they are answered. *Ideal* is ceil(N / (%d·C))·L. *Wall* is first start to last exit.\n\n", s.Instances)
	w("| instances | N | wall | ideal | wall / ideal | asked, per instance | requests per order | asked twice | asked by two at once | peak RSS (largest) |\n")
	w("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n")
	asked := make([]string, len(s.Asked))
	for i, a := range s.Asked {
		asked[i] = fmt.Sprint(a)
	}
	w("| %d | %d | %s | %s | %.2f | %s | %.2f | %d | %d | %.1f MiB |\n\n", s.Instances, s.N, seconds(s.Wall), seconds(s.Ideal()),
		s.Ratio(), strings.Join(asked, " + "), s.RequestsPerOrder(), s.Doubled, s.Concurrent, float64(s.MaxRSSKiB)/1024)
	w("Requests per order exactly 1.00: **%.2f, %s**.\n\n", s.RequestsPerOrder(), met(s.Requests == s.N))
	if s.Completed < s.N {
		w("**%d of the %d orders were not asked at all**: the instances that found nothing to claim exited at once, and\n", s.N-s.Completed, s.N)
		w("those orders wait for the next cron run. The wall time above is therefore not the time to work through all N.\n\n")
	}
}

func (r *report) writePIN(w writer) {
	w("## 4. PIN latency (issue 6)\n\n")
	wl := r.pinWorkload
	if wl == nil || len(r.pin) == 0 {
		w("Not run.\n\n")
		return
	}
	w("The shop sends %d orders over the first %s (Poisson, %g a second), spread over %d dealer panels. znet finishes each\n",
		r.pinOrders, shortDuration(wl.Window), wl.ArrivalRate, wl.Panels)
	w("at a random time after it was sent: log-normal with a median of %s and a 95th percentile of %s; %.0f%% instead wait\n",
		shortDuration(finishMedian), shortDuration(finishP95), longShare*100)
	w("about %s (%s × lognormal(0, %g)); %.0f%% are cancelled, at a log-normal time. A panel answers in %s. Every scenario\n",
		shortDuration(longWait), shortDuration(longWait), longSigma, cancelShare*100, wl.PanelLatency)
	w("meets the same orders (seed %d). zwatch runs as its crontab would: the built binary, `check-pending` started every\n", wl.Seed)
	w("cron interval whether or not the last one has ended, until every order is final or %s have passed.\n\n", shortDuration(wl.Horizon))
	w("**Time is scaled by %g**: every duration (arrivals, znet's finishing times, the cron interval, and every duration\n", wl.Scale)
	w("on zwatch's command line: --schedule, --first-delay, --loop, --tick, --timeout, --max-duration, --give-up-after)\n")
	w("is divided by %g, and --rate multiplied by it; the binary runs its ordinary code paths with smaller numbers (it takes\n", wl.Scale)
	w("Go durations such as 250ms). %s of simulated time take %s. Delays are measured on the real clock, PIN saved\n",
		shortDuration(wl.Horizon), wl.real(wl.Horizon).Round(time.Second))
	w("(`product_orders.\"completedAt\"`, written by zwatch) minus the moment the fake began answering \"done\", and multiplied\n")
	w("by %g. What does not scale (process start-up, database round trips, HTTP on localhost)\n", wl.Scale)
	w("is magnified %g times, so these delays err on the long side. A PIN still not saved when the run ends counts as\n", wl.Scale)
	w("infinitely late. *Most per second* is the most requests one panel received within any one simulated second.\n\n")

	w("| scenario | time ÷ | PIN delay, median | PIN delay, p95 | requests per order | most per second, one panel | PINs saved | cancelled seen | invocations | targets |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, row := range r.pin {
		rate := ""
		if row.Scenario.Rate > 0 {
			rate = fmt.Sprintf(" (--rate %g)", row.Scenario.Rate)
		}
		w("| %s | %g | %s | %s | %.2f | %d%s | %d / %d | %d / %d | %d | %s |\n", row.Scenario.Name, row.Scale,
			formatDelay(row.Median), formatDelay(row.P95), row.RequestsPerOrder, row.MaxPerSecond, rate,
			row.Delivered, row.Delivered+row.Undelivered, row.Cancelled, row.CancelledAtZnet, row.Invocations, pinTargets(row))
	}
	w("\nTargets (issue 6, for the recommended setup): median ≤ %d s, p95 ≤ %d s, mean requests per order ≤ %d, and with\n",
		targetMedian, targetP95, targetRequestsPer)
	w("--rate, never more requests in a second on one panel than --rate.\n\n")
	r.writeScaleEffect(w)
	w("The scenarios:\n\n")
	for _, row := range r.pin {
		sc := row.Scenario
		w("- **%s**: %s; `--schedule %s`\n", sc.Name, sc.Setup(), sc.Schedule)
	}
	w("\n")
}

// pinTargets says which of issue 6's targets a row meets.
func pinTargets(row pinRow) string {
	var missed []string
	if !(row.Median <= targetMedian) {
		missed = append(missed, "median")
	}
	if !(row.P95 <= targetP95) {
		missed = append(missed, "p95")
	}
	if row.RequestsPerOrder > targetRequestsPer {
		missed = append(missed, "requests")
	}
	if row.Scenario.Rate > 0 && float64(row.MaxPerSecond) > row.Scenario.Rate {
		missed = append(missed, "rate")
	}
	if len(missed) == 0 {
		return "all met"
	}
	return "missed: " + strings.Join(missed, ", ")
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.1f ms", math.Round(ms*10)/10)
}

// writeScaleEffect compares a setup measured at two time scales. What the
// harness adds without scaling it (start-up, round trips, HTTP on localhost)
// grows with the scale, so the difference estimates it; a straight line
// through the two points says roughly what scale 1, real time, would show.
func (r *report) writeScaleEffect(w writer) {
	var a, b *pinRow
	for i := range r.pin {
		row := &r.pin[i]
		if row.Scenario.Scale > 0 {
			b = row
		}
	}
	if b == nil {
		return
	}
	for i := range r.pin {
		row := &r.pin[i]
		if row.Scenario.Scale == 0 && row.Scenario.Schedule == b.Scenario.Schedule && row.Scenario.Setup() == b.Scenario.Setup() {
			a = row
		}
	}
	if a == nil || a.Scale == b.Scale {
		return
	}
	line := func(da, db float64) float64 {
		k := (da - db) / (a.Scale - b.Scale)
		return da - k*(a.Scale-1)
	}
	w("**Time scale.** The recommended setup at time ÷ %g and ÷ %g: median %s and %s, p95 %s and %s, most per second\n",
		a.Scale, b.Scale, formatDelay(a.Median), formatDelay(b.Median), formatDelay(a.P95), formatDelay(b.P95))
	w("%d and %d. ", a.MaxPerSecond, b.MaxPerSecond)
	switch {
	case math.IsInf(a.Median, 0) || math.IsInf(b.Median, 0):
	case b.Median < a.Median:
		w("A straight line through the two medians (rough: the schedule's jitter and the machine's load move both)\n")
		w("puts real time, ÷ 1, at a median of about %s. ", formatDelay(max(0, line(a.Median, b.Median))))
	default:
		w("The smaller scale did not give a shorter median: the harness's own overhead is lost in the noise (the\n")
		w("schedule's jitter, the machine's load) at these scales. ")
	}
	w("Requests within one simulated second are counted in windows of\n")
	w("1 s ÷ scale on the real clock, so a few milliseconds of scheduling jitter on this machine can put an extra request\n")
	w("or two into a window at a large scale; zwatch spaces a panel's requests at 1/(0.9·rate), across runs (section 5).\n\n")
}
