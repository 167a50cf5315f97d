package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order that kept a PIN of its own beside the one znet completed it
// with waits for a person to compare the two. Once the run's mail is read,
// list is where a person looks: the order is listed with zwatch's note,
// naming neither PIN, not as plainly completed (helper-361).
func TestListShowsAnOrderThatKeptItsOwnPINForAPerson(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "70001", OrderNo: 7001, PINCode: "OWNP-1111-2222-3333"})
	s.znet.Script("70001", znettest.Done("ZNET-4444-5555-6666", "tamam"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 3 {
		t.Fatalf("check-pending: exit %d, want 3 for the PIN kept\n%s", r.code, r.all())
	}
	for _, args := range [][]string{{"list", "--completed"}, {"list", "--order", id}} {
		r := zwatch(t, s.db, args...)
		if !strings.Contains(r.stdout, "zwatch: PIN kept, znet gave another") {
			t.Errorf("%s does not say the order kept a PIN of its own:\n%s", strings.Join(args, " "), r.all())
		}
		if strings.Contains(r.stdout, "1111") || strings.Contains(r.stdout, "4444") {
			t.Errorf("%s shows a PIN without --show-pin:\n%s", strings.Join(args, " "), r.all())
		}
	}
	// The shop's own message, once it writes one, is the order's again.
	s.db.Exec(`UPDATE product_orders SET "lastMessage" = 'compared by staff' WHERE id = $1`, id)
	if r := zwatch(t, s.db, "list", "--order", id); strings.Contains(r.stdout, "PIN kept") {
		t.Errorf("list still shows zwatch's note after the shop wrote its own message:\n%s", r.all())
	}
}

// A "lastMessage" that begins as zwatch's notes do, but names a code in
// the shop's words after it, shows no code without --show-pin
// (helper-366).
func TestListMasksCodesInANoteOfZwatchs(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "70003", OrderNo: 7003, PINCode: "OWNP-1111-2222-3333", Status: "completed", ExternalStatus: "completed"})
	s.db.Exec(`UPDATE product_orders SET "lastMessage" = 'zwatch: eski kod QWER-7788-ZXCV-9911 iptal, yeni kod verildi' WHERE id = $1`, id)
	for _, args := range [][]string{{"list", "--order", id}, {"list", "--order", id, "-o", "json"}} {
		if r := zwatch(t, s.db, args...); strings.Contains(r.stdout, "7788") || strings.Contains(r.stdout, "1111") || !strings.Contains(r.stdout, "zwatch: eski kod") {
			t.Errorf("%s: a code shown without --show-pin, or the note not shown:\n%s", strings.Join(args, " "), r.all())
		}
	}
}
