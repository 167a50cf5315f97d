package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
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

// The dry run says what a run would do ("what would change"): an order
// first asked longer ago than --give-up-after that znet still works on is
// given up on by the run, which exits 3 for a person; the dry run said it
// would stay processing and exited 0 (an operator adversary's find). An
// order the shop sent again since starts over, and is not given up on.
func TestTheDryRunSaysWhichOrdersTheRunWouldGiveUpOn(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	old := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7401", OrderNo: 7401, SentAgo: 26 * time.Hour})
	s.db.AddCheck(old, storetest.Check{Attempts: 70, NextCheckIn: -time.Second})
	resent := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7402", OrderNo: 7402, SentAgo: 26 * time.Hour})
	s.db.AddCheck(resent, storetest.Check{Attempts: 70, GivenUp: true})
	s.db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - interval '25 hours' WHERE order_id IN ($1, $2)`, old, resent)
	s.db.Exec(`UPDATE zwatch_order_checks SET given_up_at = now() - interval '1 hour' WHERE order_id = $1`, resent)
	s.db.Resend(resent, "7403")
	s.db.Exec(`UPDATE product_orders SET "sentAt" = now() - interval '1 minute' WHERE id = $1`, resent)
	s.znet.SetDefault(znettest.Waiting(""))

	var runs []struct {
		Total struct {
			Asked int `json:"asked"`
			Stuck int `json:"stuck"`
		} `json:"total"`
	}
	for _, args := range [][]string{{"check-pending", "--dry-run", "-o", "json"}, {"check-pending", "-o", "json"}} {
		r := zwatch(t, s.db, args...)
		var run struct {
			Total struct {
				Asked int `json:"asked"`
				Stuck int `json:"stuck"`
			} `json:"total"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &run); err != nil || r.code != 3 {
			t.Fatalf("%q: exit %d (%v), want 3: an order became stuck\n%s", args, r.code, err, r.all())
		}
		runs = append(runs, run)
	}
	if runs[0] != runs[1] || runs[1].Total.Asked != 2 || runs[1].Total.Stuck != 1 {
		t.Errorf("the dry run said %+v and the run did %+v; want both 2 asked, 1 given up on", runs[0].Total, runs[1].Total)
	}
	if c := s.db.ReadCheck(resent); c.GivenUpAt != nil {
		t.Errorf("the order sent again was given up on: %+v", c)
	}
}
