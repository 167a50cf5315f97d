package cmd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order zwatch gave up on under a cron line's shorter --give-up-after
// (2h) stays stuck when a person checks it by hand: check applies with
// its own --give-up-after (24h), and a still-waiting answer cleared the
// give-up in silence. The order left list --stuck and stats with no
// retried event, and the next run gave up on it again, mailing it as
// newly stuck. Only retry --stuck puts an order back; a final answer,
// the PIN, is still saved by a check.
func TestCheckingAStuckOrderByHandLeavesItStuck(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := stuckUnderAShortGiveUp(t, s, "603")
	stuck := func() bool { return strings.Contains(zwatch(t, s.db, "list", "--stuck", "-o", "json").stdout, id) }
	if !stuck() {
		t.Fatal("the order should be stuck before the check")
	}

	check := zwatch(t, s.db, "check", "--order", id)
	if check.code != 0 || !strings.Contains(check.stdout, "given up on this order") || !strings.Contains(check.stdout, "retry --stuck") {
		t.Errorf("check should say the order stays stuck (exit %d):\n%s", check.code, check.all())
	}
	if json := zwatch(t, s.db, "check", "--order", id, "-o", "json"); !strings.Contains(json.stdout, `"gave_up": true`) {
		t.Errorf("check -o json should say gave_up:\n%s", json.all())
	}
	if !stuck() {
		t.Error("check --order took the order off the stuck list")
	}
	gaveUp := 0
	for _, ev := range s.db.Events(id) {
		if ev.Kind == "gave_up" {
			gaveUp++
		}
	}
	if gaveUp != 1 {
		t.Errorf("%d gave_up events, want the run's one: %+v", gaveUp, s.db.Events(id))
	}

	// A refusal recorded for a stuck order is not asked again: the check
	// said it would be, and then that the order is no longer asked about.
	for _, args := range [][]string{{"check", "--order", id, "--dry-run"}, {"check", "--order", id}} {
		s.znet.Script("603", znettest.Rejected("3", "Siparis bulunamadi"))
		refused := zwatch(t, s.db, args...)
		if refused.code != 3 || strings.Contains(refused.stdout, "ask") && strings.Contains(refused.stdout, "again") ||
			!strings.Contains(refused.stdout, "no longer asked about") {
			t.Errorf("%q of a stuck order znet refuses should say it stays stuck, not that it is asked again (exit %d):\n%s", args, refused.code, refused.all())
		}
	}

	s.znet.Script("603", znettest.Done("QW7R-9TZK-8HJD-4MNP", "tamam"))
	if r := zwatch(t, s.db, "check", "--order", id); r.code != 0 || strings.Contains(r.stdout, "given up on this order") {
		t.Errorf("a final answer to a check (exit %d):\n%s", r.code, r.all())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil {
		t.Errorf("the PIN of a stuck order checked by hand was not saved: %+v", row)
	}
	if stuck() {
		t.Error("a completed order is still listed as stuck")
	}
}

// A stuck order checked by hand while a transaction of the shop holds its
// row stays stuck for the reason it was: the shop's hold is not booked
// against it, which retry --stuck would have carried into the next runs
// as a row held for all the while since.
func TestAStuckOrderCheckedWhileTheShopHoldsItsRowKeepsItsState(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := stuckUnderAShortGiveUp(t, s, "604")
	before := s.db.ReadCheck(id)

	release := s.db.HoldOrderLock(id)
	r := zwatch(t, s.db, "check", "--order", id)
	release()
	if !strings.Contains(r.stdout, "holds the order's row, so znet's answer was not saved") {
		t.Errorf("check of a stuck order whose row the shop holds: exit %d, want it said the answer was not saved:\n%s", r.code, r.all())
	}
	after := s.db.ReadCheck(id)
	if after.ShopHeldSince != nil || after.GivenUpAt == nil || (after.LastError == nil) != (before.LastError == nil) ||
		after.LastError != nil && *after.LastError != *before.LastError {
		t.Errorf("the stuck order's state changed: held since %v, given up at %v, last error %v (was %v)",
			after.ShopHeldSince, after.GivenUpAt, after.LastError, before.LastError)
	}
}

// An order whose row the shop has held for long, run after run, is said
// so by check --order too, not "try again in a moment".
func TestCheckOrderSaysARowHeldForLong(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("605")
	s.znet.SetDefault(znettest.Waiting("bekliyor"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	s.db.Exec(`UPDATE zwatch_order_checks SET shop_held_since = now() - interval '1 hour' WHERE order_id = $1`, id)
	release := s.db.HoldOrderLock(id)
	defer release()
	if r := zwatch(t, s.db, "check", "--order", id); !strings.Contains(r.stdout, "has held the order's row for 1h0m0s") ||
		!strings.Contains(r.stdout, "pg_stat_activity") || strings.Contains(r.stdout, "in a moment") {
		t.Errorf("check of an order whose row the shop has held for an hour: exit %d, want it said so:\n%s", r.code, r.all())
	}
}

// stuckUnderAShortGiveUp is a new order, referans ref, that znet keeps
// answering "waiting" about, given up on by a cron line's --give-up-after
// of 2h.
func stuckUnderAShortGiveUp(t *testing.T, s *shop, ref string) string {
	t.Helper()
	id := s.order(ref)
	s.znet.SetDefault(znettest.Waiting("bekliyor"))
	if r := zwatch(t, s.db, "check-pending", "--give-up-after", "2h"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	s.db.FirstCheckedAgo(id, 3*time.Hour)
	s.db.MakeAllDue()
	if r := zwatch(t, s.db, "check-pending", "--give-up-after", "2h"); r.code != 3 || !strings.Contains(r.stdout, "is stuck") {
		t.Fatalf("the second run should give up on the order: exit %d\n%s", r.code, r.all())
	}
	return id
}
