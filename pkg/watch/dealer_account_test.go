package watch_test

import (
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Two integration rows may name one dealer account (base URL and dealer
// code): the README says so of the budget ("the panel hears up to twice
// --rate"). A shop that keeps two such rows (one per tenant, or an old one
// kept when a new one was made) and copies an order from one to the other
// with its referans asks the one znet order twice: the PIN must not be
// saved to both orders.
func TestAPINIsNotSavedToTwoOrdersOfOneDealerAccountInTwoIntegrations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	twin := e.db.AddIntegration(storetest.Integration{Name: "znet-A (copy)", BaseURL: e.znet.URL, Kod: dealerCode, Sifre: password})
	first := e.order("4400")
	copied := e.db.AddOrder(storetest.Order{IntegrationID: twin, Referans: "4400"})
	e.znet.Script("4400", znettest.Done("TWIN-PIN-4400-QW7R", "tamam"))
	// Another dealer's panel has its own order 4400: nothing to hold.
	otherPanel := znettest.NewServer("bayi-99", password)
	t.Cleanup(otherPanel.Close)
	otherPanel.Script("4400", znettest.Done("OTHER-PIN-4400-ZX12", "tamam"))
	otherInteg := e.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: otherPanel.URL, Kod: "bayi-99", Sifre: password})
	otherDealer := e.db.AddOrder(storetest.Order{IntegrationID: otherInteg, Referans: "4400"})

	e.run(e.config())

	var holders []string
	for _, id := range []string{first, copied} {
		if row := e.db.ReadOrder(id); row.PINCode != nil && *row.PINCode == "TWIN-PIN-4400-QW7R" {
			holders = append(holders, id)
		}
	}
	if len(holders) > 1 {
		t.Errorf("znet's one PIN for referans 4400 of dealer %s at %s was saved to both orders %v", dealerCode, e.znet.URL, holders)
	}
	if row := e.db.ReadOrder(otherDealer); row.PINCode == nil || *row.PINCode != "OTHER-PIN-4400-ZX12" {
		t.Errorf("another dealer's order 4400 was held up: %+v", row)
	}
}
