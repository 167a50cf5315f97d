//go:build bench

package bench

import (
	"context"
	"fmt"
	"slices"
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

func benchTableSize(t *testing.T, h *harness) {
	sizes := []int{10_000, 2_000_000}
	claims := 20
	if h.quick {
		sizes = []int{10_000, 100_000}
		claims = 5
	}
	for _, finished := range sizes {
		t.Run(fmt.Sprintf("finished=%d", finished), func(t *testing.T) {
			row := measureClaims(t, finished, claims)
			t.Logf("claim of %d with %d finished orders (%d MiB): median %s, min %s, max %s; pollable index used: %v",
				row.Batch, finished, row.TableBytes>>20, row.Median.Round(time.Microsecond),
				row.Min.Round(time.Microsecond), row.Max.Round(time.Microsecond), row.UsesPollableIndex())
			h.report.tableSize = append(h.report.tableSize, row)
		})
	}
}

// measureClaims times claims of claimBatch orders out of pendingRows due
// ones, with finished orders behind them. Every claim is released again,
// so each one finds the same due orders: the steady state of a shop where
// zwatch has registered what the shop sent and polls it.
func measureClaims(t *testing.T, finished, claims int) tableSizeRow {
	ctx := context.Background()
	db := storetest.New(t)
	// The panel is never asked: claims only.
	integ := db.AddIntegration(storetest.Integration{Name: "znet-bench", BaseURL: "http://127.0.0.1:9", Kod: dealerCode, Sifre: password})
	seedStart := time.Now()
	db.AddFinishedOrders(integ, finished)
	db.AddSentOrders(storetest.SentOrders{
		IntegrationID: integ, Count: pendingRows, FirstReferans: firstReferans,
		SentAgo: 10 * time.Minute, Registered: true,
	})
	db.VacuumAnalyze()
	t.Logf("seeded %d finished and %d pending orders in %s", finished, pendingRows, time.Since(seedStart).Round(time.Second))

	params := store.ClaimParams{
		RunID:      "bench-tablesize",
		Limit:      claimBatch,
		Register:   claimBatch, // a run's first chunk: retire, register, claim
		FirstDelay: 30 * time.Second,
		Lease:      5 * time.Minute,
	}
	row := tableSizeRow{Finished: finished, Pending: pendingRows, Batch: claimBatch, Claims: claims,
		TableBytes: db.TableSize("product_orders")}
	var times []time.Duration
	for i := range warmClaims + claims {
		start := time.Now()
		orders, err := db.Store.Claim(ctx, params)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if len(orders) != claimBatch {
			t.Fatalf("claim %d took %d orders, want %d", i, len(orders), claimBatch)
		}
		ids := make([]string, len(orders))
		for k, o := range orders {
			ids[k] = o.ID
		}
		if err := db.Store.Release(ctx, params.RunID, ids); err != nil {
			t.Fatal(err)
		}
		if i >= warmClaims {
			times = append(times, took)
		}
	}
	slices.Sort(times)
	row.Median = times[len(times)/2]
	if len(times)%2 == 0 {
		row.Median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	row.Min, row.Max = times[0], times[len(times)-1]

	plan, err := db.Store.ExplainClaim(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	row.Plan = plan
	return row
}
