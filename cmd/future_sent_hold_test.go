package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order whose "sentAt" a shop host's clock set ahead (up to a day
// counts) may be asked by check --order before that time. A hold it makes
// there (a PIN too long for the column) stays a hold: the order was not
// sent again since, and list --stuck, stats and retry --stuck show it
// (helper-361).
func TestAHoldOfCheckAheadOfSentAtStaysStuck(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "40001", OrderNo: 4001})
	s.db.Exec(`UPDATE product_orders SET "sentAt" = now() + interval '2 hours' WHERE id = $1`, id)
	s.znet.Script("40001", znettest.Done(strings.Repeat("ABCD-1234-", 20)+"EF", "tamam"))
	if r := zwatch(t, s.db, "check", "--order", id); r.code != 3 || !strings.Contains(r.stdout, "marked stuck") {
		t.Fatalf("check: exit %d, want 3 and the order marked stuck\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "list", "--stuck"); !strings.Contains(r.stdout, "4001") {
		t.Errorf("list --stuck does not list the order check held:\n%s", r.all())
	}
	if st := stats(t, s.db); st.Total.Stuck != 1 {
		t.Errorf("stats counts %d stuck, want 1", st.Total.Stuck)
	}
	// Nor does a run take it for sent again once its "sentAt" has come.
	s.db.Exec(`UPDATE product_orders SET "sentAt" = now() - interval '1 minute' WHERE id = $1`, id)
	s.db.MakeAllDue()
	s.znet.Reset()
	zwatch(t, s.db, "check-pending")
	if n := s.znet.Requests("40001"); n != 0 {
		t.Errorf("a run asked the held order %d times", n)
	}
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 || !strings.Contains(r.all(), "1 ") {
		t.Errorf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
}
