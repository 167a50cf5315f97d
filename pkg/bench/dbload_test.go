//go:build bench

package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// dbLoadRow is what zwatch cost the shop's database over one looping run of
// the recommended cron line, with Waiting orders waiting on znet.
type dbLoadRow struct {
	Finished, Waiting int
	Loop              time.Duration
	Ticks             int
	Sent              int // orders the shop sent during the run
	Requests          int // znet requests of the run
	LoadAvg           string
	Statements        []storetest.StatementStat

	Calls   int64
	TotalMs float64
	Buffers int64
}

func (r dbLoadRow) MsPerSecond() float64 { return r.TotalMs / r.Loop.Seconds() }

// MsPerRequest is the DB time per znet request; zero without requests.
func (r dbLoadRow) MsPerRequest() float64 {
	if r.Requests == 0 {
		return 0
	}
	return r.TotalMs / float64(r.Requests)
}

func (r dbLoadRow) CallsPerTick() float64   { return float64(r.Calls) / float64(r.Ticks) }
func (r dbLoadRow) BuffersPerTick() float64 { return float64(r.Buffers) / float64(r.Ticks) }
func (r dbLoadRow) MsPerTick() float64      { return r.TotalMs / float64(r.Ticks) }

// Periodic counts the calls of the statement named by its leading comment
// (e.g. "-- move the sweep cursor") that did something: work one run does
// every so often for all, which a run of 25 s may or may not include.
func (r dbLoadRow) Periodic(name string) int64 {
	var n int64
	for _, s := range r.Statements {
		if strings.Contains(s.Query, name) {
			n += s.Rows
		}
	}
	return n
}

// SlowestCall is the most one call of any statement took.
func (r dbLoadRow) SlowestCall() float64 {
	most := 0.0
	for _, s := range r.Statements {
		most = max(most, s.MaxMs)
	}
	return most
}

// The targets of issue 10.
const (
	targetIdleTickMs      = 1.0
	targetIdleTickBuffers = 50
	targetMsPerRequest    = 0.3
)

const (
	dbLoadPanels      = 40 // tenants, each with its own znet panel and --rate
	dbLoadSendEvery   = 500 * time.Millisecond
	dbLoadLatency     = 20 * time.Millisecond
	dbLoadDueWithin   = 5 * time.Minute
	dbLoadAttempts    = 5 // the next answer schedules the order 50 s ahead
	dbLoadWaitingBase = 5_000_000
)

// benchDBLoad measures zwatch's cost on the shop's database (issue 10): the
// recommended cron line looping over a product_orders of finished orders,
// with a growing set of orders that wait on znet, whose panels answer
// "waiting". The tables are filled in bulk after the planner last saw them
// nearly empty, and autovacuum is off for them, so that every plan runs on
// stale statistics. pg_stat_statements, reset after a warm-up run, counts
// what every statement of the measured run cost.
func benchDBLoad(t *testing.T, h *harness) {
	finished := 2_000_000
	waits := []int{0, 2_000, 10_000, 50_000}
	loop, warmUp := 25*time.Second, 20*time.Second
	if h.quick {
		finished = 100_000
		waits = []int{0, 2_000, 10_000}
		loop, warmUp = 10*time.Second, 5*time.Second
	}
	if *waitingFlag != "" {
		waits = nil
		for _, f := range strings.Split(*waitingFlag, ",") {
			w, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || w < 0 || len(waits) > 0 && w < waits[len(waits)-1] {
				t.Fatalf("-waiting %q: want growing counts of orders, such as 0,2000", *waitingFlag)
			}
			waits = append(waits, w)
		}
	}

	db := storetest.New(t)
	db.EnableStatementStats()
	// The statistics of a fresh install: the tables nearly empty.
	db.Analyze()
	db.KeepStaleStatistics()

	fake := znettest.NewServer(dealerCode, password)
	defer fake.Close()
	fake.SetDefault(znettest.Waiting("İşlem devam ediyor"))
	fake.SetLatency(dbLoadLatency)
	panels := make([]string, dbLoadPanels)
	for k := range panels {
		panels[k] = db.AddIntegration(storetest.Integration{
			Name: fmt.Sprintf("znet-bench-%02d", k), BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	}
	start := time.Now()
	db.AddFinishedOrders(panels[0], finished)
	db.Checkpoint()
	t.Logf("seeded %d finished orders in %s", finished, time.Since(start).Round(time.Second))

	waiting := 0
	for _, w := range waits {
		db.AddWaitingOrders(storetest.WaitingOrders{
			IntegrationIDs: panels, Count: w - waiting, FirstReferans: dbLoadWaitingBase + waiting,
			Attempts: dbLoadAttempts, DueWithin: dbLoadDueWithin,
		})
		waiting = w
		db.Checkpoint()

		warm := startZwatch(h.bin, db.URL, dbLoadArgs(warmUp)...)
		warm.wait()
		if warm.err != nil {
			t.Fatal(warm.err)
		}

		row := dbLoadRow{Finished: finished, Waiting: w, Loop: loop, Ticks: int(loop / time.Second),
			LoadAvg: loadAverage()}
		db.ResetStatementStats()
		before := fake.TotalRequests()
		ctx, stopSending := context.WithCancel(context.Background())
		var sent atomic.Int64
		sending := make(chan error, 1)
		go func() {
			// The shop keeps sending orders while orders wait, except in
			// the row that measures a tick with nothing to do at all.
			if w == 0 {
				sending <- nil
				return
			}
			sending <- sendOrders(ctx, db, panels, &sent)
		}()
		inv := startZwatch(h.bin, db.URL, dbLoadArgs(loop)...)
		inv.wait()
		stopSending()
		if err := <-sending; err != nil {
			t.Fatal(err)
		}
		if inv.err != nil {
			t.Fatal(inv.err)
		}
		row.Requests = fake.TotalRequests() - before
		row.Sent = int(sent.Load())
		row.Statements = db.StatementStats()
		for _, s := range row.Statements {
			row.Calls += s.Calls
			row.TotalMs += s.TotalMs
			row.Buffers += s.Buffers
		}
		t.Logf("%d waiting: %.2f ms DB per s of loop, %.3f ms per znet request (%d requests), %.1f statements and %.0f buffers per tick; load %s",
			w, row.MsPerSecond(), row.MsPerRequest(), row.Requests, row.CallsPerTick(), row.BuffersPerTick(), row.LoadAvg)
		for _, s := range topStatements(row.Statements, 12) {
			t.Logf("  %8.1f ms %6d calls %8.3f ms max %8.0f buffers/call  %s",
				s.TotalMs, s.Calls, s.MaxMs, float64(s.Buffers)/float64(max(s.Calls, 1)), statementName(s.Query))
		}
		h.report.dbLoad = append(h.report.dbLoad, row)
	}
}

// dbLoadArgs is the recommended cron line (crontab.example), looping for d.
func dbLoadArgs(d time.Duration) []string {
	return []string{"check-pending", "-o", "json", "--log-level", "warn",
		"--loop", d.String(), "--tick", "1s", "--first-delay", "15s", "--rate", "5", "--max-duration", d.String()}
}

// sendOrders plays the shop: an order every dbLoadSendEvery, dealt out over
// the panels, until ctx ends.
func sendOrders(ctx context.Context, db *storetest.DB, panels []string, sent *atomic.Int64) error {
	tick := time.NewTicker(dbLoadSendEvery)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		ref := strconv.Itoa(dbLoadWaitingBase*2 + int(time.Now().UnixNano()%1_000_000_000))
		if err := db.SendOrder(ctx, panels[n%len(panels)], ref); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("the shop sending an order: %w", err)
		}
		sent.Add(1)
	}
}

func topStatements(stats []storetest.StatementStat, n int) []storetest.StatementStat {
	return stats[:min(n, len(stats))]
}

// statementName is the first words of a statement's text, or its leading
// comment's name: enough for a person to find it in pkg/store.
func statementName(query string) string {
	q := strings.Join(strings.Fields(query), " ")
	if len(q) > 90 {
		q = q[:90] + "…"
	}
	return q
}

func loadAverage() string {
	load := strings.Fields(readFile("/proc/loadavg"))
	return strings.Join(load[:min(3, len(load))], " ")
}

// dbLoadFigures is one row of the table, as measured before the
// claim was rebuilt, kept so that the report shows old and new side by side.
type dbLoadFigures struct {
	Waiting, Requests            int
	MsPerSecond, MsPerRequest    float64 // MsPerRequest 0: no requests
	CallsPerTick, BuffersPerTick float64
	SlowestCall                  float64
	LoadAvg                      string
}

// dbLoadEarlier is this section as measured at earlier revisions, on the
// same machine with the same harness, on 2026-11-30, newest first, so that
// the report shows old and new side by side.
var dbLoadEarlier = []struct {
	Revision, What string
	Figures        []dbLoadFigures
}{
	{"3c9f80c", "the main submitted at the end of the last session (3034e14 differs only in BENCHMARKS.md; measured again " +
		"today, W = 2,000 alone: 0.357 ms per request, 226 requests): a reservation of send times per request, the " +
		"look-back resolving the integration of every order it reads, and the sweep looking each order up in full",
		[]dbLoadFigures{
			{0, 0, 0.18, 0, 6.4, 12, 0.40, "0.79 1.54 1.33"},
			{2_000, 231, 3.38, 0.365, 21.1, 637, 5.33, "0.37 1.32 1.26"},
			{10_000, 1166, 9.87, 0.212, 55.1, 2403, 5.66, "0.17 1.13 1.20"},
			{50_000, 2881, 23.76, 0.206, 127.4, 6362, 15.37, "0.08 0.97 1.14"},
		}},
	{"39e082b", "the submitted main of the last round, measured again on a quiet machine, W = 0 and 2,000 only: the learned " +
		"scheduler's refit read the history in the measured run, and two sweeps fell in it", []dbLoadFigures{
		{0, 0, 0.12, 0, 6.5, 11, 0.30, "0.35 0.68 0.99"},
		{2_000, 221, 4.32, 0.489, 24.3, 1130, 16.57, "0.22 0.60 0.95"},
	}},
	{"8deb695", "the claim of the last round, before the learned scheduler was merged; a second run of it under a load " +
		"average of 2.8 measured 0.636 / 0.266 / 0.269 ms per request at W = 2,000 / 10,000 / 50,000", []dbLoadFigures{
		{0, 0, 0.13, 0, 6.3, 11, 0.36, "0.80 1.07 1.72"},
		{2_000, 194, 2.80, 0.360, 21.5, 691, 6.61, "0.51 0.96 1.65"},
		{10_000, 1163, 9.96, 0.214, 81.8, 2384, 3.49, "0.42 0.87 1.59"},
		{50_000, 2981, 33.28, 0.279, 214.2, 7739, 63.90, "0.98 0.91 1.57"},
	}},
	{"c133d78", "the new claim, with what main added to every request since: the apply's JSON rows, SKIP LOCKED and " +
		"NOTIFY, lease renewal, a separate statement restarting give-up clocks after each claim, the shared panel budget", []dbLoadFigures{
		{0, 0, 0.14, 0, 6.3, 11, 0.31, "0.77 2.00 2.68"},
		{2_000, 183, 4.79, 0.654, 22.8, 718, 19.80, "2.02 2.12 2.68"},
		{10_000, 1147, 13.60, 0.297, 86.8, 2717, 10.78, "3.05 2.43 2.77"},
		{50_000, 2919, 68.16, 0.584, 204.9, 8558, 275.78, "4.23 2.82 2.88"},
	}},
	{"c4eb23e", "retire, revive and register each read every waiting order, every tick", []dbLoadFigures{
		{0, 0, 0.14, 0, 7.2, 16, 0.15, "7.48 5.17 4.47"},
		{2_000, 184, 459.65, 62.452, 13.5, 20685, 513.62, "6.49 5.26 4.54"},
		{10_000, 1185, 764.20, 16.122, 55.2, 83584, 1489.23, "8.28 5.86 4.77"},
		{50_000, 704, 944.33, 33.534, 30.0, 162691, 1921.54, "6.06 5.64 4.75"},
	}},
}

func (r *report) writeDBLoad(w writer) {
	w("## 6. Shop database load (issue 10)\n\n")
	if len(r.dbLoad) == 0 {
		w("Not run.\n\n")
		return
	}
	first := r.dbLoad[0]
	w("The recommended cron line (`check-pending --loop %s --tick 1s --first-delay 15s --rate 5`, as crontab.example but\n", first.Loop)
	w("with a %s loop) on a `product_orders` of %d finished orders and W orders waiting on znet, spread over %d\n", first.Loop, first.Finished, dbLoadPanels)
	w("tenants' panels that answer \"waiting\" after %s. The waiting orders were sent within the last hour; their next\n", dbLoadLatency)
	w("checks are spread over the next %s, and an answer puts them 50 s ahead. While W > 0 the shop sends a new order\n", dbLoadDueWithin)
	w("every %s. The tables were ANALYZEd nearly empty, filled in bulk, and autovacuum is off for them: every plan\n", dbLoadSendEvery)
	w("runs on stale statistics. After a warm-up run, pg_stat_statements is reset and counts the measured run.\n")
	w("*DB time* is the statements' execution time in the server (`total_exec_time`), *buffers* their shared blocks hit,\n")
	w("read, dirtied and written; a tick is a second of loop. W = 0 is a tick with nothing due.\n\n")
	w("| W waiting | znet requests | DB time per s of loop | per znet request | statements per tick | buffers per tick | slowest call | load average |\n")
	w("|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, row := range r.dbLoad {
		w("| %d | %d | %.2f ms | %s | %.1f | %.0f | %.2f ms | %s |\n", row.Waiting, row.Requests, row.MsPerSecond(),
			perRequest(row.MsPerRequest()), row.CallsPerTick(), row.BuffersPerTick(), row.SlowestCall(), row.LoadAvg)
	}
	w("\n")
	w("Work done every so often for all runs, and so in some measured runs and not in others (each row's run of %s):", first.Loop)
	for k, row := range r.dbLoad {
		w(" W = %d: %d sweeps, %d refits%s", row.Waiting, row.Periodic("-- move the sweep cursor"),
			row.Periodic("-- take the refit turn"), map[bool]string{true: ".", false: ";"}[k == len(r.dbLoad)-1])
	}
	w(" A sweep runs every %s, a refit every 5 minutes.\n\n", store.SweepEvery)
	for _, earlier := range dbLoadEarlier {
		w("Before, at %s (%s):\n\n", earlier.Revision, earlier.What)
		w("| W waiting | znet requests | DB time per s of loop | per znet request | statements per tick | buffers per tick | slowest call | load average |\n")
		w("|---:|---:|---:|---:|---:|---:|---:|---|\n")
		for _, b := range earlier.Figures {
			w("| %d | %d | %.2f ms | %s | %.1f | %.0f | %.2f ms | %s |\n", b.Waiting, b.Requests, b.MsPerSecond,
				perRequest(b.MsPerRequest), b.CallsPerTick, b.BuffersPerTick, b.SlowestCall, b.LoadAvg)
		}
		w("\n")
	}
	idle, worst := first, 0.0
	for _, row := range r.dbLoad {
		if row.Requests > 0 {
			worst = max(worst, row.MsPerRequest())
		}
	}
	if idle.Waiting == 0 {
		w("Targets: a tick with nothing due ≤ %.1f ms and ≤ %d buffers: **%.3f ms and %.0f buffers, %s**;\n",
			targetIdleTickMs, targetIdleTickBuffers, idle.MsPerTick(), idle.BuffersPerTick(),
			met(idle.MsPerTick() <= targetIdleTickMs && idle.BuffersPerTick() <= targetIdleTickBuffers))
	}
	w("DB time per znet request ≤ %.1f ms at every W: **at most %.3f ms, %s**.\n\n", targetMsPerRequest, worst, met(worst <= targetMsPerRequest))
	last := r.dbLoad[len(r.dbLoad)-1]
	w("The statements of the run with W = %d, most expensive first:\n\n", last.Waiting)
	w("| calls | total | mean | slowest | buffers per call | statement |\n|---:|---:|---:|---:|---:|---|\n")
	for _, s := range topStatements(last.Statements, 8) {
		w("| %d | %.1f ms | %.3f ms | %.2f ms | %.0f | `%s` |\n", s.Calls, s.TotalMs, s.MeanMs, s.MaxMs,
			float64(s.Buffers)/float64(max(s.Calls, 1)), strings.ReplaceAll(statementName(s.Query), "|", "\\|"))
	}
	w("\n")
}

func perRequest(ms float64) string {
	if ms == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f ms", ms)
}
