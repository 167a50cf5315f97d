package watch_test

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Each panel has its own budget. One panel's backlog (after an outage, or
// under more orders than its --rate asks about), its orders the oldest due,
// filled every claim, and another tenant's new orders waited behind it for
// as long as the backlog lasted, their own panel idle: 300 orders at
// --rate 5, a minute. Now the claims pass over a panel that has more than
// it can ask, and the other tenant's orders are asked in the same run. An
// operator adversary's find.
func TestAPanelsBacklogDoesNotHoldUpAnotherTenantsOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting("bekliyor"))
	e.db.AddSentOrders(storetest.SentOrders{IntegrationID: e.integ, Count: 300, FirstReferans: 510000, SentAgo: 10 * time.Minute, Registered: true})

	other := znettest.NewServer(dealerCode, password)
	t.Cleanup(other.Close)
	other.SetDefault(znettest.Done("PIN-OTHER-TENANT", "tamam"))
	otherInteg := e.db.AddIntegration(storetest.Integration{Name: "znet-D", BaseURL: other.URL, Kod: dealerCode, Sifre: password})
	otherOrders := e.db.SendOrdersAt(otherInteg, time.Now().Add(-time.Minute), "520001", "520002", "520003")

	cfg := e.config()
	cfg.Rate = 5
	cfg.Loop, cfg.MaxDuration = 4*time.Second, 4*time.Second
	e.run(cfg)

	for id, d := range e.db.ReadDeliveries(otherOrders) {
		if d.ExternalStatus != "completed" {
			t.Errorf("the other tenant's order %s is %q after the run, want completed: it waited behind the backlog", id, d.ExternalStatus)
		}
	}
	if n := e.znet.TotalRequests(); n == 0 || n > 4*5+1 {
		t.Errorf("the panel with the backlog got %d requests in a 4-second run at --rate 5", n)
	}
}
