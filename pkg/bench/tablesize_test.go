//go:build bench

package bench

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// tableSizeRow is the claim of one batch with Finished orders behind the
// pending ones.
type tableSizeRow struct {
	Finished, Pending, Batch int
	TableBytes               int64 // product_orders with its indexes
	Claims                   int   // measured, after warmClaims
	Median, Min, Max         time.Duration
	Plan                     string // EXPLAIN (ANALYZE, BUFFERS) of one claim
}

// StatementTimes is each statement's execution time in the plan, e.g.
// "retire 12.6 ms, register 25.4 ms, claim 37.5 ms".
func (r tableSizeRow) StatementTimes() string {
	var parts []string
	name := ""
	for _, line := range strings.Split(r.Plan, "\n") {
		if n, ok := strings.CutPrefix(line, "-- "); ok {
			name = n
		}
		if m := executionTime.FindStringSubmatch(line); m != nil {
			parts = append(parts, name+" "+m[1]+" ms")
		}
	}
	return strings.Join(parts, ", ")
}

// MaxJoinFilterRemoved is the most rows one join filter of the plan threw
// away: in the millions for a claim of thousands, a nested loop is
// comparing every pending order with every other.
func (r tableSizeRow) MaxJoinFilterRemoved() int {
	most := 0
	for _, m := range joinFilterRemoved.FindAllStringSubmatch(r.Plan, -1) {
		n, _ := strconv.Atoi(m[1])
		most = max(most, n)
	}
	return most
}

var (
	executionTime     = regexp.MustCompile(`^Execution Time: ([0-9.]+) ms`)
	joinFilterRemoved = regexp.MustCompile(`Rows Removed by Join Filter: ([0-9]+)`)
)

// UsesPollableIndex says whether the plan reads the partial index, as the
// claim must to stay cheap at any table size.
func (r tableSizeRow) UsesPollableIndex() bool {
	return strings.Contains(r.Plan, "zwatch_product_orders_pollable")
}

const (
	warmClaims  = 3
	claimBatch  = 500
	pendingRows = 2_000
)

// claimParams is a run's claim, in one statement of a whole batch:
// register, sweep when due, claim.
var claimParams = store.ClaimParams{
	RunID:      "bench-tablesize",
	Limit:      claimBatch,
	Register:   claimBatch,
	FirstDelay: 30 * time.Second,
	// A run learns by default, and then looks up each panel's first check.
	LearnedFirstChecks: true,
	Lease:              5 * time.Minute,
}

// benchTableSize times claims of claimBatch orders out of pendingRows due
// ones, with few and with many finished orders behind them. Both databases
// exist side by side and their claims take turns, so that whatever else
// the machine does meanwhile weighs on both alike. Every claim is released
// again, so each one finds the same due orders: the steady state of a shop
// where zwatch has registered what the shop sent and polls it.
func benchTableSize(t *testing.T, h *harness) {
	// The size between shows a plan the planner picks for a middling table,
	// which neither end may show.
	sizes := []int{10_000, 100_000, 2_000_000}
	claims := 20
	if h.quick {
		sizes = []int{10_000, 100_000}
		claims = 5
	}
	dbs := make([]*storetest.DB, len(sizes))
	rows := make([]tableSizeRow, len(sizes))
	for i, finished := range sizes {
		dbs[i] = seedClaimDB(t, finished)
		rows[i] = tableSizeRow{Finished: finished, Pending: pendingRows, Batch: claimBatch, Claims: claims,
			TableBytes: dbs[i].TableSize("product_orders")}
	}
	// The fill leaves a gigabyte of dirty pages that the server would
	// write out while the claims are timed.
	dbs[0].Checkpoint()

	times := make([][]time.Duration, len(sizes))
	for k := range warmClaims + claims {
		for i, db := range dbs {
			took := claimAndRelease(t, db)
			if k >= warmClaims {
				times[i] = append(times[i], took)
			}
		}
	}
	for i, db := range dbs {
		row := &rows[i]
		row.Median, row.Min, row.Max = median(times[i]), slices.Min(times[i]), slices.Max(times[i])
		plan, err := db.Store.ExplainClaim(context.Background(), claimParams)
		if err != nil {
			t.Fatal(err)
		}
		row.Plan = plan
		t.Logf("claim of %d with %d finished orders (%d MiB): median %s, min %s, max %s; pollable index used: %v",
			row.Batch, row.Finished, row.TableBytes>>20, row.Median.Round(time.Microsecond),
			row.Min.Round(time.Microsecond), row.Max.Round(time.Microsecond), row.UsesPollableIndex())
	}
	h.report.tableSize = rows
}

// seedClaimDB is a shop with finished orders and pendingRows orders zwatch
// has registered and that are due.
func seedClaimDB(t *testing.T, finished int) *storetest.DB {
	db := storetest.New(t)
	// The panel is never asked: claims only.
	integ := db.AddIntegration(storetest.Integration{Name: "znet-bench", BaseURL: "http://127.0.0.1:9", Kod: dealerCode, Sifre: password})
	start := time.Now()
	db.AddFinishedOrders(integ, finished)
	db.AddSentOrders(storetest.SentOrders{
		IntegrationID: integ, Count: pendingRows, FirstReferans: firstReferans,
		SentAgo: 10 * time.Minute, Registered: true,
	})
	db.VacuumAnalyze()
	t.Logf("seeded %d finished and %d pending orders in %s", finished, pendingRows, time.Since(start).Round(time.Second))
	return db
}

// claimAndRelease times one claim and hands the orders back.
func claimAndRelease(t *testing.T, db *storetest.DB) time.Duration {
	ctx := context.Background()
	start := time.Now()
	claimed, err := db.Store.ClaimBatch(ctx, claimParams)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	orders := claimed.Orders
	if len(orders) != claimBatch {
		t.Fatalf("a claim took %d orders, want %d", len(orders), claimBatch)
	}
	ids := make([]string, len(orders))
	for k, o := range orders {
		ids[k] = o.ID
	}
	if err := db.Store.Release(ctx, claimParams.RunID, ids); err != nil {
		t.Fatal(err)
	}
	return took
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}
