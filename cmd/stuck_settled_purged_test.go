package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// The row of an order zwatch gave up on is deleted 7 days on once the shop
// has settled the order (refunded it, or deleted it), as a finished one's
// is; until now nothing ever deleted it, and zwatch_order_checks grew by
// every stuck order the shop settled by hand (helper-374). One the shop
// still has waiting stays stuck, in list --stuck.
func TestTheRowOfAStuckOrderTheShopSettledIsDeleted(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	refunded := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "77001", OrderNo: 77001})
	deleted := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "77002", OrderNo: 77002})
	stuck := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "77003", OrderNo: 77003})
	for _, ref := range []string{"77001", "77002", "77003"} {
		s.znet.Script(ref, znettest.Waiting("bekliyor"))
	}
	run := func() result {
		s.db.ExpireClaims()
		s.db.MakeAllDue()
		s.db.MakeSweepDue()
		return zwatch(t, s.db, "check-pending", "-q", "--give-up-after", "1s")
	}
	run()
	s.db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - interval '1 hour'`)
	if r := run(); r.code != 3 {
		t.Fatalf("the run giving up: exit %d\n%s", r.code, r.all())
	}
	s.db.Exec(`UPDATE product_orders SET "externalStatus" = 'failed', status = 'rejected' WHERE id = $1`, refunded)
	s.db.DeleteOrder(deleted)
	run()
	for _, id := range []string{refunded, deleted, stuck} {
		if !s.db.HasCheck(id) {
			t.Fatalf("order %s's row is deleted within 7 days of the give-up", id)
		}
	}
	s.db.Exec(`UPDATE zwatch_order_checks SET given_up_at = given_up_at - interval '8 days'`)
	s.db.Exec(`UPDATE product_orders SET "sentAt" = "sentAt" - interval '8 days', "createdAt" = "createdAt" - interval '8 days'`)
	run()
	for name, id := range map[string]string{"refunded": refunded, "deleted": deleted} {
		if s.db.HasCheck(id) {
			t.Errorf("the %s stuck order's row is kept 8 days after the give-up", name)
		}
	}
	if !s.db.HasCheck(stuck) {
		t.Error("the row of the order still waiting, stuck, is deleted")
	}
	if r := zwatch(t, s.db, "list", "--stuck"); !strings.Contains(r.stdout, "77003") {
		t.Errorf("list --stuck does not show the order still stuck:\n%s", r.all())
	}
}
