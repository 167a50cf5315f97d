//go:build bench

package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
)

// The shared panel budget (issue 14): a promotion sends 300 orders at once,
// then one a second, all to one panel, and check-pending --rate 10 runs from
// cron every minute with --loop 58s. A run's requests in flight when its
// loop ends may still be going when the next minute's run starts: before
// the budget was shared, when a run went on until its queue drained, the
// panel saw 19 requests in one second.

// The budget scenario is the cron line, time-compressed like the
// PIN-latency benchmark but less: the panel's second becomes a window of
// 1 s ÷ budgetScale on the real clock, and jitter that does not scale
// (scheduling, localhost HTTP) must fit into the margin of that window.
const (
	budgetScale     = 4
	budgetBurst     = 300
	budgetRate      = 10
	budgetWindow    = 5 * time.Minute  // the promotion: one order a second after the burst
	budgetHorizon   = 10 * time.Minute // simulated, then the runs still going finish
	budgetPanelWait = 200 * time.Millisecond
)

// budgetSection is the section's figures: the promotion on one host, then
// on two, and the cost of one reservation measured apart.
type budgetSection struct {
	Rows            []pinRow
	Burst           int
	Window, Horizon time.Duration // simulated
	// ReserveAlone and ReserveShared are the mean time of one reservation
	// at the client, round trip included: one run reserving, and four at
	// once on the same panel. ServerAlone and ServerShared are the
	// server's own execution time of it, when pg_stat_statements is loaded.
	ReserveAlone, ReserveShared time.Duration
	ServerAlone, ServerShared   time.Duration
	ServerKnown                 bool
}

// BudgetPerRequest is what the shared budget cost the database per request
// a row sent: reservations per request times what a reservation costs.
// That is the server's own time in the row's scenario where it is known,
// else the client's time with four runs reserving at once, an upper bound.
func (b *budgetSection) BudgetPerRequest(row pinRow) time.Duration {
	if row.Asked == 0 {
		return 0
	}
	cost := b.ReserveShared
	if row.BudgetServerKnown {
		cost = row.BudgetServer
	}
	return time.Duration(float64(row.BudgetWrites) / float64(row.Asked) * float64(cost))
}

func benchBudget(t *testing.T, h *harness) {
	wl := pinWorkload{Scale: budgetScale, Panels: 1, ArrivalRate: 1, Window: 4 * (budgetWindow + time.Duration(budgetBurst)*time.Second),
		Horizon: budgetHorizon, PanelLatency: budgetPanelWait, Seed: 14}
	if h.quick {
		wl.Horizon = 5 * time.Minute
	}
	oneHost := pinScenario{Name: "promotion, cron every minute", Schedule: defaultSchedule(),
		FirstDelay: 30 * time.Second, Interval: time.Minute, Loop: 58 * time.Second, Tick: 2 * time.Second, Rate: budgetRate}
	twoHosts := oneHost
	twoHosts.Name, twoHosts.Hosts = "promotion, the same crontab on two hosts", 2

	// The workload's orders lend their finishing times; the promotion sets
	// when they are sent: the burst at once, then one a second.
	orders := wl.orders()
	n := budgetBurst + int(budgetWindow/time.Second)
	if len(orders) < n {
		t.Fatalf("the workload drew %d orders, the promotion needs %d", len(orders), n)
	}
	orders = orders[:n]
	for i := range orders {
		orders[i].Arrive = time.Duration(max(0, i-budgetBurst+1)) * time.Second
	}
	wl.Window = budgetWindow

	b := &budgetSection{Burst: budgetBurst, Window: budgetWindow, Horizon: wl.Horizon}
	for _, sc := range []pinScenario{oneHost, twoHosts} {
		row := runPINScenario(t, h.bin, sc, wl, orders)
		t.Logf("%s: %d invocations, at most %d at once: at most %d requests in one second on the panel (--rate %d), %.3f ms of database time per request",
			sc.Name, row.Invocations, row.MaxOverlap, row.MaxPerSecond, budgetRate, row.DBPerRequest()*1000)
		b.Rows = append(b.Rows, row)
	}
	var aloneKnown, sharedKnown bool
	b.ReserveAlone, b.ServerAlone, aloneKnown = reservationCost(t, 1)
	b.ReserveShared, b.ServerShared, sharedKnown = reservationCost(t, 4)
	b.ServerKnown = aloneKnown && sharedKnown
	for _, row := range b.Rows {
		t.Logf("%s: %d reservations for %d requests, %s per request; one reservation takes %s alone, %s with four runs reserving at once (server: %s, %s, known %v)",
			row.Scenario.Name, row.BudgetWrites, row.Asked, b.BudgetPerRequest(row),
			b.ReserveAlone, b.ReserveShared, b.ServerAlone, b.ServerShared, b.ServerKnown)
	}
	h.report.budget = b
}

// reservationCost is the mean time of one reservation of 4 send times, at
// the client, with runs reserving on one panel at once, each as fast as it
// can: a bound on the database time, which is part of it. With
// pg_stat_statements loaded, it also returns the server's own time.
func reservationCost(t *testing.T, runs int) (client, server time.Duration, serverKnown bool) {
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Name: "znet-budget", BaseURL: "http://127.0.0.1:1", Kod: dealerCode, Sifre: password})
	const each = 1000
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total time.Duration
	)
	for k := range runs {
		wg.Go(func() {
			runID := fmt.Sprintf("bench-%d", k)
			var took time.Duration
			for range each {
				start := time.Now()
				wanted := []store.SendsWanted{{IntegrationID: integ, Count: 4, Interval: 100 * time.Microsecond}}
				if _, err := db.Store.ReserveSendsFor(context.Background(), runID, wanted); err != nil {
					t.Error(err)
					return
				}
				took += time.Since(start)
			}
			mu.Lock()
			total += took
			mu.Unlock()
		})
	}
	wg.Wait()
	server, _, serverKnown = db.BudgetStatementTime()
	return total / time.Duration(runs*each), server, serverKnown
}

func defaultSchedule() string {
	return watch.DefaultConfig().Schedule.String()
}

func (r *report) writeBudget(w writer) {
	w("## 5. Shared panel budget (issue 14)\n\n")
	b := r.budget
	if b == nil || len(b.Rows) == 0 {
		w("Not run.\n\n")
		return
	}
	first := b.Rows[0]
	sc := first.Scenario
	w("A promotion: %d orders sent at once, then one a second for %s, all to one panel that answers in %s; znet finishes\n",
		b.Burst, shortDuration(b.Window), budgetPanelWait)
	w("them as in the PIN-latency benchmark. `zwatch check-pending --loop %s --tick %s --first-delay %s --rate %g` (every other\n",
		shortDuration(sc.Loop), shortDuration(sc.Tick), shortDuration(sc.FirstDelay), sc.Rate)
	w("flag its default) ")
	w("starts every minute, whether or not the last one has ended, for %s. A run's requests in flight when its loop ends\n", shortDuration(b.Horizon))
	w("get up to --timeout to finish, so runs may overlap. **Time is scaled by %g** as in section 4: the panel's second is a\n", first.Scale)
	w("window of %s on the real clock. *DB time per request* is every run's database time (all of zwatch's statements,\n",
		time.Duration(float64(time.Second)/first.Scale))
	w("from their summaries, claims and applies included, round trips and waits included) divided by the requests they\n")
	w("sent; the claim's share of it is issue 10's. *Reservations* counts the budget's writes (pg_stat_user_tables).\n")
	w("*Budget per request* is reservations per request times the time of one reservation: ")
	if first.BudgetServerKnown {
		w("the server's own mean execution\ntime of the scenario's reservations (pg_stat_statements; %s on one host). ", budgetMillis(first.BudgetServer))
	} else {
		w("the server does not load\npg_stat_statements, so it is the client's time with four runs reserving at once (below), an upper bound. ")
	}
	w("Measured apart, four runs reserving on one panel\nas fast as they can take %s a reservation at the client (alone %s), round trip, driver and this machine's\n",
		budgetMillis(b.ReserveShared), budgetMillis(b.ReserveAlone))
	w("scheduling included")
	if b.ServerKnown {
		w("; of that, the server's own time is %s (alone %s)", budgetMillis(b.ServerShared), budgetMillis(b.ServerAlone))
	}
	w(".\n\n")
	w("| hosts | invocations | most running at once | requests | most per second, one panel | --rate | reservations | budget per request | DB time per request, all | PIN delay, median | PIN delay, p95 |\n")
	w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	kept := true
	for _, row := range b.Rows {
		w("| %d | %d | %d | %d | **%d** | %g | %d | %s | %s | %s | %s |\n", max(1, row.Scenario.Hosts), row.Invocations, row.MaxOverlap,
			row.Asked, row.MaxPerSecond, row.Scenario.Rate, row.BudgetWrites, budgetMillis(b.BudgetPerRequest(row)),
			budgetMillis(time.Duration(row.DBPerRequest()*float64(time.Second))), formatDelay(row.Median), formatDelay(row.P95))
		kept = kept && float64(row.MaxPerSecond) <= row.Scenario.Rate
	}
	w("\nThe second row runs the same crontab on two hosts: two runs start every minute, on one panel and one budget.\n")
	w("Target: never more than --rate in any second: **%s**. Before the budget was shared, the one-host cron line sent the\n", met(kept))
	w("panel 19 requests in one second.\n\n")
}

// budgetMillis writes a small time in milliseconds, to the microsecond.
func budgetMillis(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}
