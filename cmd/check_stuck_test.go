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
	id := s.order("603")
	s.znet.SetDefault(znettest.Waiting("bekliyor"))
	if r := zwatch(t, s.db, "check-pending", "--give-up-after", "2h"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	s.db.FirstCheckedAgo(id, 3*time.Hour)
	s.db.MakeAllDue()
	if r := zwatch(t, s.db, "check-pending", "--give-up-after", "2h"); r.code != 3 || !strings.Contains(r.stdout, "is stuck") {
		t.Fatalf("the second run should give up on the order: exit %d\n%s", r.code, r.all())
	}
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
