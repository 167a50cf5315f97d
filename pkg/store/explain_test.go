//go:build bench || demo

package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The benchmarks read the claim's plans from ExplainClaim: it must run the
// statements a claim runs, with every parameter they take (a learned
// panel's first check among them), and leave nothing behind.
func TestExplainClaimRunsTheClaimsStatements(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	learnFirstCheck(db, integ, "20")
	order := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", SentAgo: time.Hour})

	plans, err := db.Store.ExplainClaim(context.Background(), learningChunk)
	if err != nil {
		t.Fatal(err)
	}

	for _, step := range []string{"-- enlist", "-- purge", "-- claim"} {
		if !strings.Contains(plans, step) {
			t.Errorf("no plan of the claim's %q statement in:\n%s", strings.TrimPrefix(step, "-- "), plans)
		}
	}
	if db.HasCheck(order) {
		t.Error("explaining the claim registered an order: its transaction must be rolled back")
	}
}

// On 4 million orders, reading product_orders through for `list
// --completed` took 12-17 s and sorted 400 MB on disk. The final lists walk
// zwatch's index of its answers and look each order up by primary key.
func TestTheFinalListsPlansReadZwatchsIndex(t *testing.T) {
	t.Parallel()
	db, lists := finalListsShop(t)
	for state := range lists {
		plan, err := db.Store.ExplainFinalList(context.Background(), state)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "Seq Scan on product_orders") || !strings.Contains(plan, "zwatch_order_events_final") {
			t.Errorf("the %s list does not read zwatch's answers by their index, or reads product_orders through:\n%s", state, plan)
		}
	}
}
