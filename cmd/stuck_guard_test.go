package cmd_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// The row of an order zwatch gave up on stays while the shop has not sent
// it again or a person retried it: it is what keeps a held order held,
// and the guard of the order whose PIN it would get. These are what two
// tries at ending such rows once the shop settled the order broke.

// sweepingRun is a run of check-pending -q with every order due and no
// claim held, which is also the sweep's.
func sweepingRun(t *testing.T, s *shop, args ...string) result {
	t.Helper()
	s.db.ExpireClaims()
	s.db.MakeAllDue()
	s.db.MakeSweepDue()
	return zwatch(t, s.db, append([]string{"check-pending", "-q"}, args...)...)
}

// heldCopy is an order completed with pin, and a copy of it (its referans)
// that the next run holds for a person.
func heldCopy(t *testing.T, s *shop, referans, pin string) (original, copied string) {
	t.Helper()
	original = s.order(referans)
	s.znet.Script(referans, znettest.Done(pin, "tamam"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("the original: exit %d\n%s", r.code, r.all())
	}
	copied = s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: referans, OrderNo: 3001})
	if r := zwatch(t, s.db, "check-pending"); r.code != 3 {
		t.Fatalf("the copy: exit %d, want 3 (held for a person)\n%s", r.code, r.all())
	}
	if c := s.db.ReadCheck(copied); c.GivenUpAt == nil {
		t.Fatalf("the copy is not held: %+v", c)
	}
	return original, copied
}

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
	sweep = func(args ...string) result { return sweepingRun(t, s, args...) }
	sweep()
	s.db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - interval '1 hour'`)
	if r := sweep("--give-up-after", "1s"); r.code != 3 {
		t.Fatalf("the run giving up: exit %d\n%s", r.code, r.all())
	}
	s.db.Exec(`UPDATE zwatch_order_checks SET given_up_at = given_up_at - interval '8 days', first_checked_at = first_checked_at - interval '8 days'`)
	s.db.Exec(`UPDATE product_orders SET "sentAt" = "sentAt" - interval '8 days', "createdAt" = "createdAt" - interval '8 days'`)
	return s, ids, sweep
}

// A stuck order the shop settles and then reopens, at once or days later,
// is still stuck and not asked, not a new order with a give-up clock of
// its own. Ending the row of a settled stuck order made it one (helper-376,
// helper-377).
func TestAStuckOrderSettledAndReopenedIsStillStuck(t *testing.T) {
	for name, later := range map[string]string{"at once": "0", "8 days later": "8 days"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, ids, sweep := settledShop(t, "66001")
			s.db.Decide(ids[0], "rejected", "")
			sweep()
			s.db.Exec(`UPDATE zwatch_order_checks SET finished_at = finished_at - $1::interval, given_up_at = given_up_at - $1::interval,
				first_checked_at = first_checked_at - $1::interval`, later)
			s.db.Exec(`UPDATE product_orders SET "sentAt" = "sentAt" - $1::interval, "createdAt" = "createdAt" - $1::interval`, later)
			sweep()
			asked := s.znet.Requests("66001")
			s.db.Decide(ids[0], "pending", "")
			for range 2 {
				sweep()
			}
			if r := zwatch(t, s.db, "list", "--stuck"); !strings.Contains(r.stdout, "66001") || s.znet.Requests("66001") != asked {
				t.Errorf("the order reopened is asked %d times more, and list --stuck says:\n%s", s.znet.Requests("66001")-asked, r.all())
			}
		})
	}
}

// A copy held for a person keeps the guard of the order whose PIN it would
// get, however the shop decides it and for how long: staff rejected the
// copy, and set it back to pending later (helper-376).
func TestAHeldCopyRejectedAndReopenedIsNotGivenTheOriginalsPIN(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const pin = "HELD-PIN-9100-QW7R"
	original, copied := heldCopy(t, s, "9100", pin)
	s.db.Decide(copied, "rejected", "")
	for range 2 {
		s.db.Exec(`UPDATE zwatch_order_checks SET finished_at = finished_at - interval '8 days', given_up_at = given_up_at - interval '8 days',
			first_checked_at = first_checked_at - interval '8 days'`)
		s.db.Exec(`UPDATE product_orders SET "sentAt" = "sentAt" - interval '8 days', "createdAt" = "createdAt" - interval '8 days'`)
		sweepingRun(t, s)
	}
	if !s.db.HasCheck(original) {
		t.Error("the original's row is deleted while its held copy's is kept")
	}
	s.db.Decide(copied, "pending", "")
	for range 2 {
		sweepingRun(t, s)
	}
	if row := s.db.ReadOrder(copied); row.PINCode != nil && *row.PINCode == pin {
		t.Errorf("the copy, reopened, was given the PIN of order %s: %s/%s", original, row.Status, row.ExternalStatus)
	}
}

// A PIN staff typed into a stuck order, read off the dealer panel, is
// guarded from a copy (helper-376).
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

// An order held because znet gave it a PIN another order holds keeps that
// PIN from it, however the shop decides it: staff rejected it, the other
// order finished long ago, and staff set it back to pending (helper-377).
func TestAnOrderHeldForAnotherOrdersPINIsNotGivenItWhenReopened(t *testing.T) {
	t.Parallel()
	const pin = "DUP-PIN-5100-AB12"
	s := newShop(t)
	first := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "51001", OrderNo: 51001})
	s.znet.Script("51001", znettest.Done(pin, "tamam"))
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 {
		t.Fatalf("the first order: exit %d\n%s", r.code, r.all())
	}
	second := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "51002", OrderNo: 51002})
	s.znet.Script("51002", znettest.Done(pin, "tamam"), znettest.Done(pin, "tamam"), znettest.Done(pin, "tamam"))
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 3 {
		t.Fatalf("the second order: exit %d, want 3 and the order held\n%s", r.code, r.all())
	}
	s.db.Decide(second, "rejected", "")
	sweepingRun(t, s)
	s.db.Exec(`UPDATE zwatch_order_checks SET finished_at = finished_at - interval '8 days' WHERE order_id = $1`, first)
	sweepingRun(t, s)
	s.db.Decide(second, "pending", "")
	for range 2 {
		sweepingRun(t, s)
	}
	if row := s.db.ReadOrder(second); row.PINCode != nil && *row.PINCode == pin {
		t.Errorf("the order held for order %s's PIN was given it once reopened: %s/%s", first, row.Status, row.ExternalStatus)
	}
}
