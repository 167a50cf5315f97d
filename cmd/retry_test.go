package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Stuck orders come back to polling in bulk, one integration or all, and
// the next run asks about them.
func TestRetryStuckBringsOrdersBack(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	other := znettest.NewServer(dealerCode, password)
	t.Cleanup(other.Close)
	integB := s.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: other.URL, Kod: dealerCode, Sifre: password})
	stuckA := []string{s.order("31"), s.order("32")}
	stuckB := s.db.AddOrder(storetest.Order{IntegrationID: integB, Referans: "33"})
	decided := s.order("34") // stuck, then decided by staff: theirs
	for _, id := range append(stuckA, stuckB, decided) {
		s.db.AddCheck(id, storetest.Check{Attempts: 40, NextCheckIn: -1, GivenUp: true})
	}
	s.db.Decide(decided, "approved", "STAFF-PIN")

	r := zwatch(t, s.db, "retry", "--stuck", "--integration", s.integ, "-o", "json")
	if r.code != 0 {
		t.Fatalf("retry --stuck --integration: exit %d\n%s", r.code, r.all())
	}
	var retried []struct {
		OrderID string `json:"order_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &retried); err != nil || len(retried) != 2 {
		t.Fatalf("retried %s (%v), want the integration's 2 stuck orders", r.stdout, err)
	}
	for _, id := range stuckA {
		c := s.db.ReadCheck(id)
		if c.GivenUpAt != nil || c.Attempts != 40 || c.FirstCheckedAt != nil {
			t.Errorf("order %s after retry: %+v, want not given up, attempts kept, a fresh clock", id, c)
		}
		if ev := s.db.Events(id); len(ev) != 1 || ev[0].Kind != "retried" {
			t.Errorf("order %s events %+v, want one 'retried'", id, ev)
		}
	}
	if c := s.db.ReadCheck(stuckB); c.GivenUpAt == nil {
		t.Error("another integration's stuck order was retried")
	}

	// The next run asks about the retried orders.
	s.znet.SetDefault(znettest.DoneEach("BACK-PIN", "ok"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	for _, id := range stuckA {
		if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" {
			t.Errorf("retried order %s: %+v, want completed", id, row)
		}
	}

	// Without --integration, every stuck order still waiting comes back;
	// the one staff decided does not.
	r = zwatch(t, s.db, "retry", "--stuck")
	if r.code != 0 || !strings.Contains(r.stdout, "1 stuck order is polled again") {
		t.Errorf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	if c := s.db.ReadCheck(decided); c.GivenUpAt == nil {
		t.Error("a stuck order staff decided was put back into polling")
	}
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 || !strings.Contains(r.stdout, "no stuck orders") {
		t.Errorf("retry with nothing stuck: exit %d\n%s", r.code, r.all())
	}
}

func TestRetryRefusesBadInput(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("41")
	s.db.AddCheck(id, storetest.Check{Attempts: 3, GivenUp: true})
	before := s.db.Snapshot()
	for _, args := range [][]string{
		{"retry"},
		{"retry", "--stuck", "--integration", "not-a-uuid"},
		{"retry", "--stuck", "-o", "yaml"},
	} {
		r := zwatch(t, s.db, args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.all())
		}
		if strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: stderr should be one line:\n%s", args, r.stderr)
		}
	}
	if s.db.Snapshot() != before {
		t.Error("a refused retry changed the database")
	}
}

// A disabled integration's orders are paused, not stuck, as list and stats
// count them: retry leaves them, and says why when asked for that
// integration, rather than claim that the next run asks them.
func TestRetryLeavesADisabledIntegrationsOrders(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	off := s.db.AddIntegration(storetest.Integration{Name: "znet-off", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password, Disabled: true})
	paused := s.db.AddOrder(storetest.Order{IntegrationID: off, Referans: "35"})
	s.db.AddCheck(paused, storetest.Check{Attempts: 40, NextCheckIn: -1, GivenUp: true})

	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 || !strings.Contains(r.stdout, "no stuck orders to retry") {
		t.Errorf("retry --stuck: exit %d, want nothing retried\n%s", r.code, r.all())
	}
	r := zwatch(t, s.db, "retry", "--stuck", "--integration", "znet-off")
	if r.code != 0 || !strings.Contains(r.stdout, "znet-off is disabled") {
		t.Errorf("retry --stuck --integration znet-off: exit %d, want it said that the integration is disabled\n%s", r.code, r.all())
	}
	if c := s.db.ReadCheck(paused); c.GivenUpAt == nil {
		t.Error("a disabled integration's order was put back into polling")
	}
}

// The note zwatch left in "lastMessage" when it gave up ("stopped asking,
// check the order on the dealer panel") goes once the retried order is
// answered: staff would look for a problem zwatch no longer has.
func TestARetriedOrderLosesTheGiveUpNote(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	waiting, cancelled := s.order("35"), s.order("36")
	s.znet.Script("35", znettest.Waiting(""))
	s.znet.Script("36", znettest.Cancelled("İptal edildi"))
	for _, id := range []string{waiting, cancelled} {
		s.db.AddCheck(id, storetest.Check{Attempts: 40, NextCheckIn: -1, GivenUp: true})
		s.db.Exec(`UPDATE product_orders SET "lastMessage" = 'zwatch: no final answer from znet after 24h0m0s of polling; stopped asking, check the order on the dealer panel' WHERE id = $1`, id)
	}
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	for id, status := range map[string]string{waiting: "processing", cancelled: "failed"} {
		if row := s.db.ReadOrder(id); row.ExternalStatus != status || row.LastMessage != nil {
			t.Errorf("order %s after znet answered: %s, lastMessage %v; want %s and no note", id, row.ExternalStatus, row.LastMessage, status)
		}
	}
}

// A stuck order a check holds (an operator's check --order, or one killed
// while it asked) is left alone by retry --stuck, and list --stuck shows
// it: "no stuck orders to retry" contradicted the list (an operator
// adversary's find). Retry says how many it left alone, and why.
func TestRetryStuckSaysWhichStuckOrdersACheckHolds(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	held := s.order("35")
	s.db.AddCheck(held, storetest.Check{Attempts: 40, NextCheckIn: -1, GivenUp: true, Claimed: true})

	r := zwatch(t, s.db, "retry", "--stuck")
	if r.code != 0 || strings.Contains(r.stdout, "no stuck orders") || !strings.Contains(r.stdout, "1 stuck order was left alone: a check is asking znet about it now") {
		t.Errorf("retry --stuck of a held stuck order: exit %d, want it said left alone\n%s", r.code, r.all())
	}
	j := zwatch(t, s.db, "retry", "--stuck", "-o", "json")
	if j.code != 0 || strings.TrimSpace(j.stdout) != "[]" || !strings.HasPrefix(j.stderr, "zwatch: 1 stuck order was left alone") {
		t.Errorf("retry --stuck -o json: exit %d, want an empty list and the note on stderr\n%s", j.code, j.all())
	}
	if c := s.db.ReadCheck(held); c.GivenUpAt == nil {
		t.Error("the held order was retried")
	}
	if l := zwatch(t, s.db, "list", "--stuck"); !strings.Contains(l.stdout, "claimed ") {
		t.Errorf("list --stuck does not show until when the check holds the order, as retry says it does:\n%s", l.all())
	}
	s.db.ExpireClaims()
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 || strings.Contains(r.all(), "left alone") || !strings.Contains(r.stdout, "1 stuck order is polled again") {
		t.Errorf("retry --stuck once the claim lapsed: exit %d\n%s", r.code, r.all())
	}
}
