package cmd_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A cache in front of a panel that leaves the query out of its key answers
// every dealer code asking through it alike, and one panel may be named by
// two addresses: PINs were compared within each dealer account only, so
// two tenants' orders were both completed with one PIN, in one run and in
// two, and the run exited 0 (helper-352). No panel sells one PIN twice:
// the second is held for a person.
func TestOnePINForOrdersOfTwoDealerAccountsIsHeld(t *testing.T) {
	t.Parallel()
	const one = "QW7R-T5YU-8IOP-3ASD"
	cache := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "OK|2|"+one+"|Islem tamamlandi")
	}))
	t.Cleanup(cache.Close)
	otherAddress := strings.Replace(cache.URL, "127.0.0.1", "localhost", 1)
	for _, tc := range []struct {
		name           string
		baseURL, kod   string
		secondRunAlone bool
	}{
		{"another dealer code", cache.URL, "bayi-8", false},
		{"another dealer code, in the next run", cache.URL, "bayi-8", true},
		{"the same account at another address", otherAddress, "bayi-7", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			first := db.AddIntegration(storetest.Integration{Name: "tenant1-znet", BaseURL: cache.URL, Kod: "bayi-7", Sifre: "Gizli-Sifre-99"})
			a := db.AddOrder(storetest.Order{IntegrationID: first, Referans: "4001", OrderNo: 4001})
			if tc.secondRunAlone {
				if r := zwatch(t, db, "check-pending"); r.code != 0 {
					t.Fatalf("the first run: exit %d\n%s", r.code, r.all())
				}
			}
			second := db.AddIntegration(storetest.Integration{Name: "tenant2-znet", BaseURL: tc.baseURL, Kod: tc.kod, Sifre: "Baska-Sifre-42"})
			b := db.AddOrder(storetest.Order{IntegrationID: second, Referans: "4002", OrderNo: 4002})

			r := zwatch(t, db, "check-pending")
			// In one run, either may be answered first; its PIN stands.
			kept, held := a, b
			if o := db.ReadOrder(a); o.PINCode == nil {
				kept, held = b, a
			}
			if o := db.ReadOrder(kept); o.PINCode == nil || *o.PINCode != one {
				t.Fatalf("neither order completed with the PIN (%s)\n%s", o.ExternalStatus, r.all())
			}
			if o := db.ReadOrder(held); o.PINCode != nil || db.ReadCheck(held).GivenUpAt == nil || r.code != 3 {
				t.Errorf("the other order: %s, PIN saved %v, exit %d; want it held for a person and exit 3\n%s", o.ExternalStatus, o.PINCode != nil, r.code, r.all())
			}
			if !strings.Contains(r.stdout, "the PIN it gave order") {
				t.Errorf("the run does not name the order that kept the PIN:\n%s", r.stdout)
			}
		})
	}
}

// Migration 00037 makes the PIN buckets kept anew, as zwatch makes them:
// one made in SQL from the PIN the order's row holds is the one a run
// made of the PIN it saved, whatever its letter case, and a later save
// finds it. A PIN of other letters than ASCII's, which zwatch folds its
// own way (the Turkish İ), keeps none rather than another, in a database
// of any encoding (helper-356, helper-358).
func TestMigration37MakesThePINBucketsARunMakes(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		encoding, pin string
		kept          bool
	}{
		{"UTF8", "MIGR-37AB-CD12-EF34", true},
		{"UTF8", "migr-37ab-cd12-ef35", true},
		{"UTF8", "ABCİ-1234-5678-WXYZ", false},
		{"LATIN5", "ABCD-1234-5678-WXYZ", true},
		{"LATIN5", "ABCİ-1234-5678-WXYZ", false},
		{"WIN1254", "ABCİ-1234-5678-WXYZ", false},
		{"LATIN1", "ABCÉ-1234-5678-WXYZ", false},
		{"SQL_ASCII", "ABCİ-1234-5678-WXYZ", false},
	} {
		db := storetest.NewEncoded(t, tc.encoding)
		panel := znettest.NewServer(dealerCode, password)
		t.Cleanup(panel.Close)
		integ := db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: panel.URL, Kod: dealerCode, Sifre: password})
		ref := fmt.Sprint(4101 + i)
		id := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: ref, OrderNo: 4101 + i})
		panel.Script(ref, znettest.Done(tc.pin, "tamam"))
		if r := zwatch(t, db, "check-pending"); r.code != 0 {
			t.Fatalf("%s, %s: exit %d\n%s", tc.encoding, tc.pin, r.code, r.all())
		}
		var made *int
		db.Get(&made, `SELECT pin_bucket FROM zwatch_order_checks WHERE order_id = $1`, id)
		if made == nil {
			t.Fatalf("%s, %s: the run kept no bucket", tc.encoding, tc.pin)
		}
		db.Exec(`UPDATE zwatch_order_checks SET pin_bucket = -123456789 WHERE order_id = $1`, id) // an older zwatch's
		db.Exec(`DELETE FROM zwatch_schema_migrations WHERE version_id = 37`)
		if r := zwatch(t, db, "migrate"); r.code != 0 {
			t.Fatalf("migrate: exit %d\n%s", r.code, r.all())
		}
		var remade *int
		db.Get(&remade, `SELECT pin_bucket FROM zwatch_order_checks WHERE order_id = $1`, id)
		switch {
		case tc.kept && (remade == nil || *remade != *made):
			t.Errorf("%s, %s: migration 00037 made the bucket %v of the PIN the run kept as %d", tc.encoding, tc.pin, remade, *made)
		case !tc.kept && remade != nil:
			t.Errorf("%s, %s: migration 00037 made a bucket (%d) of a PIN zwatch reads other than SQL; want none", tc.encoding, tc.pin, *remade)
		}
		if !tc.kept {
			continue
		}
		other := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: ref + "9", OrderNo: 9000 + i})
		panel.Script(ref+"9", znettest.Done(tc.pin, "tamam"))
		if r := zwatch(t, db, "check-pending"); db.ReadOrder(other).PINCode != nil || r.code != 3 {
			t.Errorf("%s, %s: after the migration, given to a second order (exit %d)\n%s", tc.encoding, tc.pin, r.code, r.all())
		}
	}
}
