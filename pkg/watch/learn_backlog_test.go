package watch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
)

// A panel with a backlog of orders due and not yet asked (its --rate
// spent, a promotion, an outage) is still fitted with the orders znet said
// are waiting: read in their place, the backlog left the fit only the fast
// finishes, a p95 of 20 s for a panel where 40 % of the orders wait past 5
// minutes, and a plan that asked those at 18 minutes (helper-313).
func TestABacklogNotYetAskedHidesNoneOfAPanelsSlowOrdersFromItsFit(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	slow := db.AddIntegration(storetest.Integration{Name: "slow"})
	// 20 panels: each panel's share of the waiting orders read is 952.
	for i := range 19 {
		db.AddIntegration(storetest.Integration{Name: fmt.Sprintf("other-%d", i)})
	}
	finished := make([]storetest.Finished, 300)
	for i := range finished {
		finished[i] = storetest.Finished{WaitingAt: 15 * time.Second, FinalAt: 20 * time.Second, Ago: 10*time.Minute + time.Duration(i)*10*time.Second}
	}
	db.AddFinishHistory(slow, finished)
	// waiting adds n orders of the panel sent sentAgo, seen waiting seenAt
	// after they were sent (NULL: never asked), due dueIn from now.
	waiting := func(n int, sentAgo string, seenAt any, dueIn, prefix string) {
		db.Exec(`
		WITH s AS (
			SELECT gen_random_uuid() AS id, g, now() - $3::interval - make_interval(secs => g) AS sent_at
			FROM generate_series(1, $2::int) g),
		o AS (
			INSERT INTO product_orders (id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
			SELECT id, gen_random_uuid(), 'pending', $1, $6 || g, 'processing', sent_at, sent_at FROM s RETURNING id)
		INSERT INTO zwatch_order_checks (order_id, attempts, first_checked_at, last_checked_at, waiting_seen_at, next_check_at, integration_id)
		SELECT s.id, 1, s.sent_at + interval '15 s', now() - interval '1 minute',
		       s.sent_at + $4::interval, now() + $5::interval, $1::uuid
		FROM s JOIN o USING (id)`, slow, n, sentAgo, seenAt, dueIn, prefix)
	}
	waiting(200, "6 minutes", "5 minutes", "10 minutes", "slow-")

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
		t.Fatalf("without a backlog the fit's p95 is %.0f s: the test's slow orders do not show", without)
	}
	waiting(1000, "1 minute", nil, "-30 seconds", "new-")
	if with := finishP95(); with != without {
		t.Errorf("the panel's fit: p95 %.0f s with a backlog not yet asked, %.0f s without", with, without)
	}
}
