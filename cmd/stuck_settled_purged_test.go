package cmd_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// settledShop is a shop whose orders of refs zwatch gave up on 8 days ago,
// and a run of check-pending that is also the sweep's.
func settledShop(t *testing.T, refs ...string) (s *shop, ids []string, sweep func(args ...string) result) {
	t.Helper()
	s = newShop(t)
	for _, ref := range refs {
		orderNo, _ := strconv.Atoi(ref) // list shows the order number
		ids = append(ids, s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, OrderNo: orderNo}))
		s.znet.Script(ref, znettest.Waiting("bekliyor"))
	}
	sweep = func(args ...string) result {
		s.db.ExpireClaims()
		s.db.MakeAllDue()
		s.db.MakeSweepDue()
		return zwatch(t, s.db, append([]string{"check-pending", "-q"}, args...)...)
	}
	sweep()
	s.db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - interval '1 hour'`)
	if r := sweep("--give-up-after", "1s"); r.code != 3 {
		t.Fatalf("the run giving up: exit %d\n%s", r.code, r.all())
	}
	s.db.Exec(`UPDATE zwatch_order_checks SET given_up_at = given_up_at - interval '8 days', first_checked_at = first_checked_at - interval '8 days'`)
	s.db.Exec(`UPDATE product_orders SET "sentAt" = "sentAt" - interval '8 days', "createdAt" = "createdAt" - interval '8 days'`)
	return s, ids, sweep
}

// The row of an order zwatch gave up on is finished once the shop has
// settled the order (refunded it, or deleted it), and deleted 7 days on,
// as any finished one is; until now nothing ever ended it, and
// zwatch_order_checks grew by every stuck order the shop settled by hand
// (helper-374). One the shop still has waiting stays stuck, in list --stuck.
func TestTheRowOfAStuckOrderTheShopSettledIsDeleted(t *testing.T) {
	t.Parallel()
	s, ids, sweep := settledShop(t, "77001", "77002", "77003")
	refunded, deleted, stuck := ids[0], ids[1], ids[2]
	s.db.Decide(refunded, "rejected", "")
	s.db.DeleteOrder(deleted)
	sweep()
	for _, id := range ids {
		if !s.db.HasCheck(id) {
			t.Fatalf("order %s's row is deleted at once", id)
		}
	}
	if c := s.db.ReadCheck(refunded); c.FinishedAt == nil {
		t.Errorf("the refunded order's row is not finished: %+v", c)
	}
	s.db.Exec(`UPDATE zwatch_order_checks SET finished_at = finished_at - interval '8 days'`)
	sweep()
	for name, id := range map[string]string{"refunded": refunded, "deleted": deleted} {
		if s.db.HasCheck(id) {
			t.Errorf("the %s stuck order's row is kept 8 days after it was settled", name)
		}
	}
	if !s.db.HasCheck(stuck) {
		t.Error("the row of the order still waiting, stuck, is deleted")
	}
	if r := zwatch(t, s.db, "list", "--stuck"); !strings.Contains(r.stdout, "77003") {
		t.Errorf("list --stuck does not show the order still stuck:\n%s", r.all())
	}
}

// A stuck order the shop settles and then reopens is stuck again, as one
// staff put back is, not a new order with a give-up clock of its own
// (helper-376).
func TestAStuckOrderSettledAndReopenedIsStuckAgain(t *testing.T) {
	t.Parallel()
	s, ids, sweep := settledShop(t, "66001")
	s.db.Decide(ids[0], "rejected", "")
	sweep()
	s.db.Decide(ids[0], "pending", "")
	sweep()
	if r := zwatch(t, s.db, "list", "--stuck"); !strings.Contains(r.stdout, "66001") {
		t.Errorf("the order reopened is not stuck:\n%s", r.all())
	}
}

// A copy held for a person keeps the guard of the order whose PIN it would
// get, however the shop decides it and for how long: staff rejected the
// copy, and set it back to pending later, and the copy's row, finished as
// settled, let the original's go; the copy was given the original's PIN
// (helper-376).
func TestAHeldCopyRejectedAndReopenedIsNotGivenTheOriginalsPIN(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const pin = "HELD-PIN-9100-QW7R"
	original := s.order("9100")
	s.znet.Script("9100", znettest.Done(pin, "tamam"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("the original: exit %d\n%s", r.code, r.all())
	}
	copied := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "9100", OrderNo: 3001})
	if r := zwatch(t, s.db, "check-pending"); r.code != 3 {
		t.Fatalf("the copy: exit %d, want 3\n%s", r.code, r.all())
	}
	sweep := func() {
		s.db.ExpireClaims()
		s.db.MakeAllDue()
		s.db.MakeSweepDue()
		zwatch(t, s.db, "check-pending", "-q")
	}
	s.db.Decide(copied, "rejected", "")
	for range 2 {
		s.db.Exec(`UPDATE zwatch_order_checks SET finished_at = finished_at - interval '8 days', given_up_at = given_up_at - interval '8 days',
			first_checked_at = first_checked_at - interval '8 days'`)
		s.db.Exec(`UPDATE product_orders SET "sentAt" = "sentAt" - interval '8 days', "createdAt" = "createdAt" - interval '8 days'`)
		sweep()
	}
	if !s.db.HasCheck(original) {
		t.Error("the original's row is deleted while its held copy's is kept")
	}
	s.db.Decide(copied, "pending", "")
	for range 2 {
		sweep()
	}
	if row := s.db.ReadOrder(copied); row.PINCode != nil && *row.PINCode == pin {
		t.Errorf("the copy, reopened, was given the PIN of order %s: %s/%s", original, row.Status, row.ExternalStatus)
	}
}

// A PIN staff typed into a stuck order, read off the dealer panel, is
// guarded from a copy for the 7 days its row is kept: the row, deleted at
// once when the shop settled the order, let the copy have it (helper-376).
func TestAPINTypedIntoAStuckOrderIsNotGivenToACopy(t *testing.T) {
	t.Parallel()
	const pin = "HAND-PIN-9200-ZX8K"
	s, ids, sweep := settledShop(t, "9200")
	s.db.Exec(`UPDATE product_orders SET status = 'approved', "externalStatus" = 'completed', "pinCode" = $2 WHERE id = $1`, ids[0], pin)
	sweep()
	copied := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "9200", OrderNo: 3002})
	s.znet.Script("9200", znettest.Done(pin, "tamam"))
	for range 2 {
		sweep()
	}
	if row := s.db.ReadOrder(copied); row.PINCode != nil && *row.PINCode == pin {
		t.Errorf("the copy was given the PIN staff delivered on order %s", ids[0])
	}
}
