package watch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
)

// A panel's slow orders, seen waiting, stay in its fit whatever else waits
// beside them in numbers: read along the index of due orders, the orders
// due first (a backlog not yet asked, helper-313) or last (placeholders
// never due, orders waiting for hours the fit's cohort leaves out,
// helper-314) filled the panel's share of the waiting orders read, and the
// fit took a panel where 40 % of the orders wait past 5 minutes for one
// with a p95 of 20 s, its plan asking those orders at 18 minutes.
func TestOrdersThatSayNothingHideNoneOfAPanelsSlowOrdersFromItsFit(t *testing.T) {
	t.Parallel()
	for name, crowd := range map[string]func(db *storetest.DB, panel string, waiting waitingOrders){
		"a backlog not yet asked (a --rate spent, a promotion)": func(_ *storetest.DB, _ string, waiting waitingOrders) {
			waiting(1000, "1 minute", nil, "-30 seconds")
		},
		"orders with a placeholder sentAt, never due": func(db *storetest.DB, panel string, _ waitingOrders) {
			db.Exec(`
			WITH s AS (SELECT gen_random_uuid() AS id, g FROM generate_series(1, 1000) g),
			o AS (
				INSERT INTO product_orders (id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
				SELECT id, gen_random_uuid(), 'pending', $1, 'placeholder-' || g, 'processing', 'infinity', now() - interval '1 hour'
				FROM s RETURNING id)
			INSERT INTO zwatch_order_checks (order_id, attempts, next_check_at, integration_id)
			SELECT id, 0, 'infinity', $1::uuid FROM o`, panel)
		},
		"orders waiting for 20 hours, asked every 30 minutes": func(_ *storetest.DB, _ string, waiting waitingOrders) {
			waiting(1000, "20 hours", "19 hours", "25 minutes")
		},
		"orders waiting for 20 hours, given up on, put back by retry --stuck and asked again": func(db *storetest.DB, panel string, waiting waitingOrders) {
			waiting(1000, "20 hours", "19 hours", "25 minutes")
			db.Exec(`UPDATE zwatch_order_checks SET given_up_at = now() - interval '1 hour', next_check_at = 'infinity'
				WHERE waiting_seen_at < now() - interval '1 hour'`)
			if retried, _, err := db.Store.RetryStuck(context.Background(), store.RetryStuckParams{IntegrationID: panel}); err != nil || len(retried) != 1000 {
				t.Fatalf("retry --stuck: %d orders, %v", len(retried), err)
			}
			// Asked again, still waiting, as the apply books it.
			db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now(), last_checked_at = now(), waiting_seen_at = now()
				WHERE first_checked_at IS NULL`)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			ctx := context.Background()
			slow := db.AddIntegration(storetest.Integration{Name: "slow"})
			// 20 panels: each panel's share of the waiting orders read is 952.
			for i := range 19 {
				db.AddIntegration(storetest.Integration{Name: fmt.Sprintf("other-%d", i)})
			}
			// The cohort keeps a panel's newest 2,000 orders by sentAt: as
			// many answers, 20 s after they were sent, within 3 hours.
			finished := make([]storetest.Finished, 2000)
			for i := range finished {
				finished[i] = storetest.Finished{WaitingAt: 15 * time.Second, FinalAt: 20 * time.Second, Ago: 10*time.Minute + time.Duration(i)*5*time.Second}
			}
			db.AddFinishHistory(slow, finished)
			batch := 0
			waiting := func(n int, sentAgo string, seenAfter any, dueIn string) {
				batch++
				db.Exec(`
				WITH s AS (
					SELECT gen_random_uuid() AS id, g, now() - $3::interval - make_interval(secs => g) AS sent_at
					FROM generate_series(1, $2::int) g),
				o AS (
					INSERT INTO product_orders (id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
					SELECT id, gen_random_uuid(), 'pending', $1, $6 || '-' || g, 'processing', sent_at, sent_at FROM s RETURNING id)
				INSERT INTO zwatch_order_checks (order_id, attempts, first_checked_at, last_checked_at, waiting_seen_at, next_check_at, integration_id, created_at)
				SELECT s.id, 1, CASE WHEN $4::interval IS NOT NULL THEN s.sent_at + interval '15 s' END, now() - interval '1 minute',
				       s.sent_at + $4::interval, now() + $5::interval, $1::uuid, s.sent_at + interval '1 s'
				FROM s JOIN o USING (id)`, slow, n, sentAgo, seenAfter, dueIn, fmt.Sprint(batch))
			}
			// The panel's slow orders: 200 sent 6 minutes ago or so, seen
			// waiting at 5 minutes, due again in 5.
			waiting(200, "6 minutes", "5 minutes", "5 minutes")

			cfg := watch.DefaultConfig()
			finishP95 := func() float64 { // seconds
				t.Helper()
				db.Exec(`DELETE FROM zwatch_panel_fits`)
				if err := watch.Refit(ctx, db.Store, cfg.Schedule, cfg.FirstDelay, cfg.GiveUpAfter, 1); err != nil {
					t.Fatal(err)
				}
				panels, err := watch.ReportPanels(ctx, db.Store, cfg, []string{slow})
				if err != nil {
					t.Fatal(err)
				}
				return float64(panels[0].FinishP95)
			}
			without := finishP95()
			if without < 600 {
				t.Fatalf("the fit's p95 is %.0f s alone: the test's slow orders do not show", without)
			}
			crowd(db, slow, waiting)
			if with := finishP95(); with != without {
				t.Errorf("the panel's fit: p95 %.0f s beside them, %.0f s alone", with, without)
			}
		})
	}
}

// waitingOrders adds n orders of the test's panel sent sentAgo, seen
// waiting seenAfter they were sent (nil: never asked), due dueIn from now.
type waitingOrders func(n int, sentAgo string, seenAfter any, dueIn string)
