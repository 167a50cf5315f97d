package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A name typed with a character the shop's database cannot hold (an
// "İ" in a LATIN1 one) names no integration and no role there: bad input,
// one line and exit 2 as any unknown name, not the driver's conversion
// error and exit 1, which a monitor reads as the database being down (an
// operator adversary's find).
func TestANameTheDatabaseCannotHoldIsNoSuchName(t *testing.T) {
	t.Parallel()
	db := storetest.NewEncoded(t, "LATIN1")
	fake := znettest.NewServer(dealerCode, password)
	t.Cleanup(fake.Close)
	db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	for _, args := range [][]string{
		{"list", "--integration", "İstanbul"},
		{"retry", "--stuck", "--integration", "İstanbul"},
		{"balance", "--integration", "😀"},
		{"check-pending", "--integration", "İstanbul"},
		{"migrate", "--print-grants", "İ"},
	} {
		r := zwatch(t, db, args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || strings.Contains(r.stderr, "pq:") {
			t.Errorf("%q: exit %d, want 2 and one line saying no such name\n%s", args, r.code, r.all())
		}
	}
}
