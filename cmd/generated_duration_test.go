package cmd_test

import "testing"

// A shop whose table computes "durationMs" itself (GENERATED ALWAYS AS)
// has its orders saved all the same, as a role with exactly the printed
// grants: PostgreSQL refuses any value for such a column but DEFAULT, and
// every save of every answer failed (helper-315).
func TestAShopThatGeneratesTheDurationHasItsAnswersSaved(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.Exec(`ALTER TABLE product_orders DROP COLUMN "durationMs"`)
	s.db.Exec(`ALTER TABLE product_orders ADD COLUMN "durationMs" integer
		GENERATED ALWAYS AS ((extract(epoch FROM "completedAt" - "sentAt") * 1000)::integer) STORED`)
	_, asRole := runtimeRole(t, s.db)
	done, waiting, cancelled := threeAnsweredOrders(s)

	if r := zwatchAt(t, asRole, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	if row := s.db.ReadOrder(done); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != "AB12-CD34-EF56-GH78" ||
		row.DurationMs == nil || *row.DurationMs < 0 {
		t.Errorf("the completed order: %+v, want its PIN and the table's duration", row)
	}
	if row := s.db.ReadOrder(cancelled); row.ExternalStatus != "failed" {
		t.Errorf("the cancelled order: %+v", row)
	}
	if c := s.db.ReadCheck(waiting); c.LastResult == nil || *c.LastResult != "waiting" {
		t.Errorf("the waiting order's bookkeeping: %+v", c)
	}
}
