package cmd_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An operator looking into why order 8801 has no PIN makes it due at once
// in psql (BEGIN; UPDATE zwatch_order_checks ...) and goes to lunch
// without COMMIT. Every claim skips the held row: the order was not asked,
// nor given up on, run after run, each ending well and -q saying nothing.
// A looping run now finds the row held at two looks, names the order and
// exits 3; once the transaction ends, the next run saves its PIN.
func TestADueOrderWhoseRowATransactionHoldsIsNamed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	held := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "8801", OrderNo: 8801, SentAgo: 3 * time.Hour})
	s.db.AddCheck(held, storetest.Check{Attempts: 9, NextCheckIn: -35 * time.Minute})
	other := s.order("8802")
	s.db.MakeAllDue()
	s.db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '35 minutes' WHERE order_id = $1`, held)
	s.znet.Script("8801", znettest.Done("HELD-ROW-PIN-8801", "tamam"))
	s.znet.Script("8802", znettest.Done("OTHER-PIN-8802", "tamam"))

	person := s.db.BeginHolding(`UPDATE zwatch_order_checks SET next_check_at = now() WHERE order_id = $1`, held)

	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "7s")
	if r.code != 3 {
		t.Errorf("exit %d, want 3 (a person should look): %s", r.code, r.all())
	}
	if !strings.Contains(r.stdout, "order 8801 ("+held+", referans 8801) is due, but another transaction holds its row of zwatch_order_checks") {
		t.Errorf("the run does not name the held order:\n%s", r.all())
	}
	if s.znet.Requests("8801") != 0 {
		t.Fatalf("order 8801 was asked about through a held row")
	}
	if got := s.db.ReadOrder(other); got.PINCode == nil {
		t.Errorf("the other order was not completed: %+v", got)
	}

	// Asked for JSON, the order is listed for a program to act on.
	r = zwatch(t, s.db, "check-pending", "-q", "--loop", "7s", "-o", "json")
	var summary struct {
		RowHeld []string `json:"check_row_held_orders"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil || r.code != 3 || !slices.Equal(summary.RowHeld, []string{held}) {
		t.Errorf("exit %d, want 3 and the order in check_row_held_orders (%v):\n%s", r.code, err, r.all())
	}

	if err := person.Rollback(); err != nil {
		t.Fatal(err)
	}
	r = zwatch(t, s.db, "check-pending", "-q", "--loop", "0")
	if r.code != 0 || r.all() != "" {
		t.Errorf("once the transaction ended: exit %d, want 0 and nothing said:\n%s", r.code, r.all())
	}
	if got := s.db.ReadOrder(held); got.PINCode == nil || *got.PINCode != "HELD-ROW-PIN-8801" {
		t.Errorf("order 8801 was not saved once its row was let go of: %+v", got)
	}
}
