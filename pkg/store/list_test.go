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
		listed, err := db.Store.ListOrders(context.Background(), store.ListFilter{State: state, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if listed.ReadSince != nil {
			t.Errorf("%s: the list says it read back to %s only, though it read every answer", state, listed.ReadSince)
		}
		var got []string
		for _, r := range listed.Orders {
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

// The final lists read the newest store.ListCountCap answers of all
// panels: a filter then narrows what they hold, not how far back they
// reach. An older order of a quiet panel is not in the list, and the list
// says how far back it read, rather than look complete.
func TestAFinalListSaysHowFarBackItRead(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	busy := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	quiet := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	older := db.AddOrder(storetest.Order{IntegrationID: quiet, Referans: "q", ExternalStatus: "completed", Status: "approved"})
	db.AddEvent(older, "completed", 5*time.Hour)
	db.Exec(`WITH busy AS (
			INSERT INTO product_orders (id, "tenantId", "orderNo", status, "providerId", "externalStatus", "createdAt")
			SELECT gen_random_uuid(), gen_random_uuid(), 200000 + g, 'approved', $1, 'completed', now() - g * interval '1 second'
			FROM generate_series(1, $2) g
			RETURNING id, "createdAt")
		INSERT INTO zwatch_order_events (order_id, at, kind, from_status, to_status, run_id)
		SELECT id, "createdAt", 'status', 'processing', 'completed', 'storetest' FROM busy`, busy, store.ListCountCap)

	listed, err := db.Store.ListOrders(ctx, store.ListFilter{State: "completed", IntegrationID: quiet, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed.Orders) != 0 || listed.ReadSince == nil || time.Since(*listed.ReadSince) > 4*time.Hour {
		t.Errorf("the quiet panel's completed list: %d orders, read since %v; want none, and how far back the newest %d answers reach (under 3 hours)",
			len(listed.Orders), listed.ReadSince, store.ListCountCap)
	}
	if listed, err := db.Store.ListOrders(ctx, store.ListFilter{State: "failed", Limit: 50}); err != nil || listed.ReadSince != nil {
		t.Errorf("the failed list, whose answers were all read: read since %v (%v)", listed.ReadSince, err)
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
