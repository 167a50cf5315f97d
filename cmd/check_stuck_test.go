package cmd_test

import (
	"encoding/json"
	"fmt"
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
// would stay processing and exited 0 (an operator adversary's find). Not
// so an order the shop sent again since, which starts over, nor one whose
// panel was failing for part of that time, which does not count (a
// review's find); and an unusable answer given up on is listed once, as
// the reason it became stuck.
func TestTheDryRunSaysWhichOrdersTheRunWouldGiveUpOn(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var orders []string
	for _, ref := range []string{"7401", "7402", "7404", "7405"} {
		id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, OrderNo: 7000 + len(orders), SentAgo: 26 * time.Hour})
		s.db.AddCheck(id, storetest.Check{Attempts: 70, NextCheckIn: -time.Second})
		s.db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - interval '25 hours' WHERE order_id = $1`, id)
		orders = append(orders, id)
	}
	resent, failing := orders[1], orders[2]
	s.db.ResendGivenUp(resent, "7403", time.Minute)
	s.db.Exec(`UPDATE zwatch_order_checks SET panel_failing_since = now() - interval '10 hours' WHERE order_id = $1`, failing)
	s.znet.SetDefault(znettest.Waiting(""))
	s.znet.Script("7405", znettest.Garbage("OK|2|'QUOT-1234-ABCD-0005'|tamam"))

	type run struct {
		Total struct {
			Asked int `json:"asked"`
			Stuck int `json:"stuck"`
		} `json:"total"`
		StuckUnusable []struct{} `json:"stuck_unusable_answers"`
		Unusable      []struct{} `json:"unusable_answers"`
	}
	var runs []run
	for _, args := range [][]string{{"check-pending", "--dry-run", "-o", "json"}, {"check-pending", "-o", "json"}} {
		r := zwatch(t, s.db, args...)
		var got run
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 3 {
			t.Fatalf("%q: exit %d (%v), want 3: orders became stuck\n%s", args, r.code, err, r.all())
		}
		runs = append(runs, got)
	}
	for k, what := range []string{"the dry run", "the run"} {
		got := runs[k]
		if got.Total.Asked != 4 || got.Total.Stuck != 2 || len(got.StuckUnusable) != 1 || len(got.Unusable) != 0 {
			t.Errorf("%s: %+v, %d stuck for unusable answers, %d unusable; want 4 asked, 2 given up on, one of them for its unusable answer, listed once",
				what, got.Total, len(got.StuckUnusable), len(got.Unusable))
		}
	}
	for _, id := range []string{resent, failing} {
		if c := s.db.ReadCheck(id); c.GivenUpAt != nil {
			t.Errorf("order %s was given up on: %+v", id, c)
		}
	}
}

// check --order leaves giving up to the cron line's --give-up-after,
// which it cannot know: an order a 72h line still polls, first asked 30
// hours ago, was given up on by check's own 24h when a person looked at
// it, and exit 0 hid that its PIN now waited for retry --stuck (helper-301).
// Past the longest --give-up-after, 30 days, check gives up as any run
// would, and its dry run says so: one zwatch gave up on and staff reopened
// keeps its attempts and its clock.
func TestACheckByHandLeavesGivingUpToTheRuns(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Waiting("bekliyor"))
	polled := s.order("7500")
	if r := zwatch(t, s.db, "check-pending", "--give-up-after", "72h"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	s.db.FirstCheckedAgo(polled, 30*time.Hour)
	for _, args := range [][]string{{"check", "--order", polled, "--dry-run"}, {"check", "--order", polled}} {
		if r := zwatch(t, s.db, args...); r.code != 0 || strings.Contains(r.stdout, "given up") || strings.Contains(r.stdout, "stuck") {
			t.Errorf("%q of an order a 72h cron line polls: exit %d, want 0 and the order left pending\n%s", args, r.code, r.all())
		}
	}
	if c := s.db.ReadCheck(polled); c.GivenUpAt != nil {
		t.Errorf("check gave up an order the cron line still polls: %+v", c)
	}
	if r := zwatch(t, s.db, "list", "--pending", "-o", "json"); !strings.Contains(r.stdout, polled) {
		t.Errorf("list --pending left out the order checked by hand:\n%s", r.all())
	}
	s.db.MakeAllDue()
	if r := zwatch(t, s.db, "check-pending", "--give-up-after", "72h", "-o", "json"); r.code != 0 || !strings.Contains(r.stdout, `"stuck": 0`) {
		t.Errorf("the 72h line's next run: exit %d, want the order asked and not given up on\n%s", r.code, r.all())
	}

	reopened := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7501", OrderNo: 7501, SentAgo: 32 * 24 * time.Hour})
	s.db.AddCheck(reopened, storetest.Check{Attempts: 70, GivenUp: true, FinishedAgo: time.Minute})
	s.db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - interval '31 days' WHERE order_id = $1`, reopened)
	s.znet.Script("7501", znettest.Waiting(""))

	for _, args := range [][]string{{"check", "--order", reopened, "--dry-run"}, {"check", "--order", reopened}} {
		if r := zwatch(t, s.db, args...); r.code != 0 || !strings.Contains(r.stdout, "given up on this order") {
			t.Errorf("%q: exit %d, want 0 and the order said given up on\n%s", args, r.code, r.all())
		}
	}
	if c := s.db.ReadCheck(reopened); c.GivenUpAt == nil {
		t.Errorf("the real check did not give the order up: %+v", c)
	}

	// Its panel failing for 20 of those 31 days, the clock has run 11:
	// neither check gives it up.
	failed := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7502", OrderNo: 7502, SentAgo: 32 * 24 * time.Hour})
	s.db.AddCheck(failed, storetest.Check{Attempts: 70, GivenUp: true, FinishedAgo: time.Minute})
	s.db.Exec(`UPDATE zwatch_order_checks SET first_checked_at = now() - interval '31 days',
		panel_failing_since = now() - interval '20 days' WHERE order_id = $1`, failed)
	s.znet.Script("7502", znettest.Waiting(""))
	for _, args := range [][]string{{"check", "--order", failed, "--dry-run"}, {"check", "--order", failed}} {
		if r := zwatch(t, s.db, args...); r.code != 0 || strings.Contains(r.stdout, "given up") {
			t.Errorf("%q of an order whose panel was failing most of the time: exit %d, want it not given up\n%s", args, r.code, r.all())
		}
	}
	if c := s.db.ReadCheck(failed); c.GivenUpAt != nil {
		t.Errorf("the real check gave up an order whose clock ran 11 days: %+v", c)
	}
}

// A panel that said "waiting" for a day makes many orders stuck in one run:
// the mail names the first twenty, a line each, and counts the rest in one
// line that says where to find them; -o json names every one (helper-250:
// 1,000 stuck orders were 1,011 lines).
func TestManyStuckOrdersAreCountedNotListed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Waiting("bekliyor"))
	var ids []string
	for i := range 23 {
		ids = append(ids, s.order(fmt.Sprint(6100+i)))
	}
	if r := zwatch(t, s.db, "check-pending", "--give-up-after", "2h"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	for _, id := range ids {
		s.db.FirstCheckedAgo(id, 3*time.Hour)
	}
	s.db.MakeAllDue()
	r := zwatch(t, s.db, "check-pending", "--give-up-after", "2h")
	if r.code != 3 || strings.Count(r.stdout, " is stuck: ") != 20 || !strings.Contains(r.stdout, "3 more orders became stuck in this run: zwatch list --stuck lists them all") {
		t.Fatalf("23 orders given up on: exit %d, want 3, twenty named and three counted:\n%s", r.code, r.all())
	}
	s.db.MakeAllDue()
	for _, id := range ids {
		s.db.Exec(`UPDATE zwatch_order_checks SET given_up_at = NULL WHERE order_id = $1`, id)
	}
	js := zwatch(t, s.db, "check-pending", "--give-up-after", "2h", "-o", "json")
	var out struct {
		Stuck []string `json:"stuck_orders"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &out); err != nil || len(out.Stuck) != 23 {
		t.Errorf("-o json of 23 orders given up on: %v, %d named, want all 23:\n%s", err, len(out.Stuck), js.all())
	}
}
