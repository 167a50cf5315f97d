package cmd_test

import (
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A shop database in SQL_ASCII holds whatever bytes the shop's old PHP
// code wrote: a Windows-1254 "Ödeme" in an integration's name, a no-break
// space (0xA0) pasted after a referans, a PIN staff typed in Windows-1254.
// The server refused to send such a value to a UTF-8 client, and the one
// statement that read it (the claim, the integrations, the list) failed
// for every tenant: one such row stopped every PIN. An operator
// adversary's find.
func TestOneNonUTF8RowInASQLASCIIShopStopsNoOtherOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		bad  func(db *storetest.DB, badOrder, otherInteg string)
	}{
		{"referans", func(db *storetest.DB, badOrder, _ string) {
			db.Exec(`UPDATE product_orders SET provider_referans = E'9302\xa0' WHERE id = $1`, badOrder)
		}},
		{"PIN staff typed", func(db *storetest.DB, badOrder, _ string) {
			db.Exec(`UPDATE product_orders SET "pinCode" = E'\xdeAHIN-PIN' WHERE id = $1`, badOrder)
		}},
		{"another integration's name", func(db *storetest.DB, _, otherInteg string) {
			db.Exec(`UPDATE integrations SET name = E'znet-\xd6deme' WHERE id = $1`, otherInteg)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.NewEncoded(t, "SQL_ASCII")
			fake := znettest.NewServer(dealerCode, password)
			t.Cleanup(fake.Close)
			fake.SetDefault(znettest.DoneEach("ASCII-PIN-9301-OK", "tamam"))
			integ := db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
			other := db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
			good := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "9301", OrderNo: 9301})
			bad := db.AddOrder(storetest.Order{IntegrationID: other, Referans: "9302", OrderNo: 9302})
			db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "9303", OrderNo: 9303})
			fake.Script("9303", znettest.Waiting("bekliyor"))
			fake.Script("9302", znettest.Waiting("bekliyor"))
			tc.bad(db, bad, other)

			r := zwatch(t, db, "check-pending")
			if row := db.ReadOrder(good); r.code != 0 || row.ExternalStatus != "completed" {
				t.Errorf("the other order: %+v, want completed; check-pending exit %d\n%s", row, r.code, r.all())
			}
			for _, args := range [][]string{{"list"}, {"stats"}, {"check", "--order", bad}} {
				// check: 0, or 4 for an order the run has made final.
				if r := zwatch(t, db, args...); r.code != 0 && r.code != 4 {
					t.Errorf("%v: exit %d, want 0 (or 4, final)\n%s", args, r.code, r.all())
				}
			}
		})
	}
}
