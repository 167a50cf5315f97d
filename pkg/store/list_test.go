package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// `list --completed` and `--failed` show the orders zwatch found done or
// cancelled, newest answer first, each once, and only those still so. They
// read zwatch's log of answers, not the shop's history (see
// TestTheFinalListsPlansReadZwatchsIndex).
func TestTheFinalListsReadZwatchsAnswers(t *testing.T) {
	t.Parallel()
	db, lists := finalListsShop(t)
	for state, want := range lists {
		rows, err := db.Store.ListOrders(context.Background(), store.ListFilter{State: state, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.ID)
			if r.Matching != len(want) {
				t.Errorf("%s: %d matching, want %d", state, r.Matching, len(want))
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s list: %v, want %v (newest answer first, each once)", state, got, want)
		}
	}
}

// finalListsShop is a shop whose history zwatch saw part of, and the
// orders `list --completed` and `--failed` show, in their order.
func finalListsShop(t *testing.T) (*storetest.DB, map[string][]string) {
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	order := func(status string) string {
		return db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "r", ExternalStatus: status, Status: "approved"})
	}
	older, newer, twice := order("completed"), order("completed"), order("completed")
	db.AddEvent(older, "completed", 3*time.Hour)
	db.AddEvent(newer, "completed", time.Minute)
	db.AddEvent(twice, "completed", 5*time.Hour) // sent again, and done again
	db.AddEvent(twice, "completed", time.Hour)
	reopened := order("failed") // done by zwatch, cancelled since
	db.AddEvent(reopened, "completed", 2*time.Hour)
	db.AddEvent(reopened, "failed", 30*time.Minute)
	order("completed") // the shop's own history, zwatch never asked about it
	// Enough of the shop's history, and of zwatch's log of the other steps
	// such orders took, that reading either through would show in a plan
	// rather than be the planner's cheapest way.
	db.Exec(`INSERT INTO product_orders (id, "tenantId", "orderNo", status, "providerId", "externalStatus", "createdAt", "completedAt")
		SELECT gen_random_uuid(), gen_random_uuid(), 100000 + g, 'approved', $1, 'completed', now() - g * interval '1 minute', now()
		FROM generate_series(1, 20000) g`, integ)
	db.Exec(`INSERT INTO zwatch_order_events (order_id, at, kind, from_status, to_status, run_id)
		SELECT id, "createdAt", 'status', 'sent', 'processing', 'storetest' FROM product_orders WHERE "orderNo" > 100000`)
	db.Exec(`ANALYZE product_orders`)
	db.Exec(`ANALYZE zwatch_order_events`)
	return db, map[string][]string{"completed": {newer, twice, older}, "failed": {reopened}}
}
