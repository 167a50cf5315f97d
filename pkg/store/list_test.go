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
// read zwatch's log of answers, not the shop's history: on 4 million orders
// reading product_orders through took 12-17 s and sorted 400 MB on disk.
func TestTheFinalListsReadZwatchsAnswers(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
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
	// Enough of the shop's history that reading it through would show in
	// the plan rather than be the planner's cheapest way.
	db.Exec(`INSERT INTO product_orders (id, "tenantId", "orderNo", status, "providerId", "externalStatus", "createdAt", "completedAt")
		SELECT gen_random_uuid(), gen_random_uuid(), 100000 + g, 'approved', $1, 'completed', now() - g * interval '1 minute', now()
		FROM generate_series(1, 20000) g`, integ)
	// and zwatch's log of every other step such orders took
	db.Exec(`INSERT INTO zwatch_order_events (order_id, at, kind, from_status, to_status, run_id)
		SELECT id, "createdAt", 'status', 'sent', 'processing', 'storetest' FROM product_orders WHERE "orderNo" > 100000`)
	db.Exec(`ANALYZE product_orders`)
	db.Exec(`ANALYZE zwatch_order_events`)

	for _, c := range []struct {
		state string
		want  []string
	}{
		{"completed", []string{newer, twice, older}},
		{"failed", []string{reopened}},
	} {
		rows, err := db.Store.ListOrders(ctx, store.ListFilter{State: c.state, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.ID)
			if r.Matching != len(c.want) {
				t.Errorf("%s: %d matching, want %d", c.state, r.Matching, len(c.want))
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s list: %v, want %v (newest answer first, each once)", c.state, got, c.want)
		}
		plan, err := db.Store.ExplainFinalList(ctx, c.state)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "Seq Scan on product_orders") || !strings.Contains(plan, "zwatch_order_events_final") {
			t.Errorf("the %s list does not read zwatch's answers by their index, or reads product_orders through:\n%s", c.state, plan)
		}
	}
}
