package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order whose "sentAt" a shop host's clock set ahead (or to infinity)
// may be asked by check --order before that time, and held (a PIN too
// long for the column). The shop sending it again from a host whose clock
// is right, "sentAt" earlier than the first, is still a new sending: the
// runs ask it, and it leaves list --stuck (helper-364).
func TestAnOrderHeldAheadOfItsSentAtIsAskedWhenSentAgain(t *testing.T) {
	t.Parallel()
	for _, sent := range []string{"now() + interval '2 hours'", "'infinity'"} {
		t.Run(sent, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "40001", OrderNo: 4001})
			s.db.Exec(`UPDATE product_orders SET "sentAt" = `+sent+` WHERE id = $1`, id)
			s.znet.Script("40001", znettest.Done(strings.Repeat("ABCD-1234-", 20)+"EF", "tamam"))
			if r := zwatch(t, s.db, "check", "--order", id); r.code != 3 || !strings.Contains(r.stdout, "marked stuck") {
				t.Fatalf("check: exit %d, want 3 and the order held\n%s", r.code, r.all())
			}
			s.db.Resend(id, "40002")
			s.znet.Script("40002", znettest.Done("NEW-PIN-77", "tamam"))
			s.db.MakeAllDue()
			zwatch(t, s.db, "check-pending") // registers the sending again
			s.db.MakeAllDue()
			zwatch(t, s.db, "check-pending")
			if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" {
				t.Errorf("the order sent again (referans 40002) is %s, asked %d times", row.ExternalStatus, s.znet.Requests("40002"))
			}
			if r := zwatch(t, s.db, "list", "--stuck"); strings.Contains(r.stdout, "4001") {
				t.Errorf("list --stuck lists the order sent again:\n%s", r.all())
			}
		})
	}
}
