package watch_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Each panel has its own budget. One panel's backlog (after an outage, or
// under more orders than its --rate asks about), its orders the oldest due,
// filled every claim, and another tenant's orders waited behind it for as
// long as the backlog lasted, their own panel idle: 300 orders at --rate
// 5, a minute. Now the claims pass over a panel that has more than it can
// ask, and the other tenants' orders, due after every order of the
// backlogs, are asked in the same run. With two panels behind (after an
// outage, every panel has a backlog), the claim that passed over the first
// gave the second as many orders as the run may hold, and left no room
// for a third tenant's. An operator adversary's find, and a reviewer's.
func TestPanelsBacklogsDoNotHoldUpAnotherTenantsOrders(t *testing.T) {
	t.Parallel()
	for _, backlogs := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d backlogs", backlogs), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.znet.SetDefault(znettest.Waiting("bekliyor"))
			panels := []*znettest.Server{e.znet}
			integrations := []string{e.integ}
			for range backlogs - 1 {
				fake := znettest.NewServer(dealerCode, password)
				t.Cleanup(fake.Close)
				fake.SetDefault(znettest.Waiting("bekliyor"))
				panels = append(panels, fake)
				integrations = append(integrations, e.db.AddIntegration(storetest.Integration{BaseURL: fake.URL, Kod: dealerCode, Sifre: password}))
			}
			for k, integ := range integrations {
				e.db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 300, FirstReferans: 510000 + 1000*k, SentAgo: 30 * time.Minute, Registered: true})
			}
			// The backlogs due longest, the first's the oldest.
			for k, integ := range integrations {
				e.db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - make_interval(mins => 20 - $2::int)
					WHERE integration_id = $1::uuid`, integ, k)
			}
			took := anotherTenantIsServedBesidesTheBacklogs(t, e)
			for k, panel := range panels {
				if n := panel.TotalRequests(); n == 0 || float64(n) > 5*took+1 {
					t.Errorf("backlog %d: its panel got %d requests in a %.1f-second run at --rate 5", k+1, n, took)
				}
			}
		})
	}
}

// While a looping run passes over a panel with a backlog it claims once a
// second, as an idle loop does: on the recheck too, it claimed twice a
// second, the second claim finding nothing, and each one a transaction on
// the shop's database; and so it did on every tick of a --tick longer than
// a second. Reviews' finds.
func TestPassingOverABacklogClaimsOnceASecond(t *testing.T) {
	t.Parallel()
	for _, tick := range []time.Duration{time.Second, 2 * time.Second} {
		t.Run("tick "+tick.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.znet.SetDefault(znettest.Waiting("bekliyor"))
			e.db.AddSentOrders(storetest.SentOrders{IntegrationID: e.integ, Count: 1000, FirstReferans: 610000, SentAgo: 30 * time.Minute, Registered: true})
			cfg := e.config()
			cfg.Rate, cfg.Tick = 5, tick
			cfg.Loop, cfg.MaxDuration = 8*time.Second, 8*time.Second
			e.run(cfg)

			claims := strings.Count(e.logs.String(), `"msg":"claim made"`)
			passingOver := strings.Count(e.logs.String(), `"panels_passed_over":1`)
			// One claim a second, and the first at the start: 9. The lane
			// holds 200 orders, 40 seconds of its rate: no claim refills
			// it. (Twice a second on the tick and the recheck: 12.)
			if passingOver == 0 || claims > 10 {
				t.Errorf("an 8-second loop made %d claims, %d of them passing over the panel: want about one a second, and the panel passed over", claims, passingOver)
			}
		})
	}
}

// Rows registered before zwatch kept each order's panel (migration 00023)
// get it in migration 00025, and a claim that passes over panels takes no
// more of the rows without one (an older zwatch, still running beside the
// new, registers them so) than of any panel. A panel's backlog of such
// rows, just after an outage nearly every waiting order, was taken by
// every claim that passed over that very panel, and held up the other
// tenants as before. Reviews' finds.
func TestABacklogRegisteredBeforeZwatchKeptItsPanelIsPassedOver(t *testing.T) {
	t.Parallel()
	for _, migrated := range []bool{true, false} {
		t.Run(fmt.Sprintf("filled in by 00025: %v", migrated), func(t *testing.T) {
			t.Parallel()
			backlogRegisteredBeforeZwatchKeptItsPanel(t, migrated)
		})
	}
}

func backlogRegisteredBeforeZwatchKeptItsPanel(t *testing.T, migrated bool) {
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting("bekliyor"))
	e.db.AddSentOrders(storetest.SentOrders{IntegrationID: e.integ, Count: 2000, FirstReferans: 510000, SentAgo: 30 * time.Minute, Registered: true})
	e.db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '20 minutes', integration_id = NULL`)
	// Registered long ago: registering is past them, as in a shop.
	e.db.Exec(`UPDATE zwatch_state SET sent_at = now() - interval '25 minutes', caught_up = true WHERE name = 'register'`)
	if migrated {
		e.db.RunMigration("00025")
	}
	anotherTenantIsServedBesidesTheBacklogs(t, e)
}

// anotherTenantIsServedBesidesTheBacklogs sends another tenant three
// orders, due after every order of e's backlogs, and checks that a looping
// run at --rate 5 completes them while the backlogs still wait: before the
// first backlog's panel is asked 25 times, five seconds of its rate. The
// run stops when they are done; behind the backlogs they would wait
// minutes, past the run's 20 seconds.
//
// It returns how long the run took, in seconds.
func anotherTenantIsServedBesidesTheBacklogs(t *testing.T, e *env) float64 {
	t.Helper()
	other := znettest.NewServer(dealerCode, password)
	t.Cleanup(other.Close)
	// How many of the backlog's orders its panel was asked about before the
	// other tenant's last: a count of requests, which the pace keeps to
	// the rate however slow the host.
	var backlogAskedBefore atomic.Int64
	other.SetResponder(func(string, int) znettest.Answer {
		backlogAskedBefore.Store(int64(e.znet.TotalRequests()))
		return znettest.DoneEach("PIN-OTHER-TENANT", "tamam")
	})
	otherInteg := e.db.AddIntegration(storetest.Integration{Name: "znet-D", BaseURL: other.URL, Kod: dealerCode, Sifre: password})
	otherOrders := e.db.SendOrdersAt(otherInteg, time.Now().Add(-time.Minute), "520001", "520002", "520003")

	cfg := e.config()
	cfg.Rate = 5
	cfg.Loop, cfg.MaxDuration = 20*time.Second, 20*time.Second
	sum := e.runUntil(cfg, func() bool { return e.db.OrdersIn("completed") >= len(otherOrders) })

	for id, d := range e.db.ReadDeliveries(otherOrders) {
		if d.ExternalStatus != "completed" {
			t.Errorf("the other tenant's order %s is %q after the run, want completed: it waited behind the backlogs", id, d.ExternalStatus)
		}
	}
	// 3 with one backlog, 12 with two; behind the backlogs, or with room
	// for new claims taken by the backlogs' held orders, 45 or more.
	if n := backlogAskedBefore.Load(); n > 25 {
		t.Errorf("the backlog's panel was asked %d times before the other tenant's orders were, five seconds of its rate: they waited behind the backlogs", n)
	}
	return sum.Seconds
}
