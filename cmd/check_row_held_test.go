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

	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "12s")
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
	r = zwatch(t, s.db, "check-pending", "-q", "--loop", "12s", "-o", "json")
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

// A row held FOR KEY SHARE (a person's SELECT ... FOR KEY SHARE, or a
// table of theirs with a foreign key to zwatch_order_checks) stops every
// claim as an UPDATE does; the look tried a lock such a row does not
// stop, and found it free (helper-336).
func TestADueOrderWhoseRowIsHeldForKeyShareIsNamed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	held := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "8801", OrderNo: 8801, SentAgo: 3 * time.Hour})
	s.db.AddCheck(held, storetest.Check{Attempts: 9, NextCheckIn: -35 * time.Minute})
	s.znet.Script("8801", znettest.Done("HELD-ROW-PIN-8801", "tamam"))
	s.db.BeginHolding(`SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR KEY SHARE`, held)

	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "12s")
	if r.code != 3 || !strings.Contains(r.stdout, "order 8801 ("+held) || s.znet.Requests("8801") != 0 {
		t.Errorf("exit %d, asked %d times; want 3, naming order 8801, unasked:\n%s", r.code, s.znet.Requests("8801"), r.all())
	}
}

// Another panel's backlog, due an hour and paced by its --rate, filled the
// look with its own orders, due longer than the held one, run after run
// (helper-336). Each panel's longest due are looked at.
func TestAHeldRowBehindAnotherPanelsBacklogIsNamed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	slow, slowID := s.panel("znet-slow", "pw-slow-1")
	slow.SetDefault(znettest.Waiting("işleniyor"))
	s.db.AddSentOrders(storetest.SentOrders{IntegrationID: slowID, Count: 300, FirstReferans: 700000, SentAgo: 2 * time.Hour, Registered: true})
	s.db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 hour' WHERE integration_id = $1`, slowID)

	held := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "8801", OrderNo: 8801, SentAgo: 3 * time.Hour})
	s.db.AddCheck(held, storetest.Check{Attempts: 9, NextCheckIn: -35 * time.Minute})
	s.znet.Script("8801", znettest.Done("HELD-ROW-PIN-8801", "tamam"))
	s.db.BeginHolding(`UPDATE zwatch_order_checks SET next_check_at = now() WHERE order_id = $1`, held)

	r := zwatch(t, s.db, "check-pending", "-q", "--rate", "2", "--loop", "12s", "--max-duration", "14s")
	if r.code != 3 || !strings.Contains(r.stdout, "order 8801 ("+held) {
		t.Errorf("exit %d; want 3 and order 8801, whose row a transaction held all run, named:\n%s", r.code, r.all())
	}
	if slow.TotalRequests() == 0 {
		t.Errorf("the slow panel's backlog was not asked")
	}
}

// A held row keeps the integration it named as the hold began: one the
// shop deleted since, moving the order to another, was looked for among
// no panel's orders (helper-338).
func TestAHeldRowNamingADeletedIntegrationIsNamed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	old := s.db.AddIntegration(storetest.Integration{Name: "znet-old", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password})
	held := s.db.AddOrder(storetest.Order{IntegrationID: old, Referans: "8801", OrderNo: 8801, SentAgo: 3 * time.Hour})
	s.db.AddCheck(held, storetest.Check{Attempts: 9, NextCheckIn: -35 * time.Minute})
	s.db.Exec(`UPDATE zwatch_order_checks SET integration_id = $2 WHERE order_id = $1`, held, old)
	s.znet.Script("8801", znettest.Done("HELD-ROW-PIN-8801", "tamam"))
	s.db.BeginHolding(`UPDATE zwatch_order_checks SET next_check_at = now() WHERE order_id = $1`, held)
	s.db.Exec(`UPDATE product_orders SET "providerId" = $2 WHERE id = $1`, held, s.integ)
	s.db.Exec(`DELETE FROM integrations WHERE id = $1`, old)

	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "12s")
	if r.code != 3 || !strings.Contains(r.stdout, "order 8801 ("+held) {
		t.Errorf("exit %d; want 3 and order 8801 named:\n%s", r.code, r.all())
	}
}

// Two runs of one cron minute, on two hosts, may look at the same moments
// run after run, each finding the rows the other's look locked, unchanged:
// a person was called for orders nobody held (helper-339). One look at a
// time: a run meeting another's look lets its own be.
func TestAnotherRunsLookIsNotTakenForAPersonsHold(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	due := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "8801", OrderNo: 8801, SentAgo: 3 * time.Hour})
	s.db.AddCheck(due, storetest.Check{Attempts: 9, NextCheckIn: -35 * time.Minute})
	// The other run's look, as it holds the row it found free, for the
	// whole of this run.
	look := s.db.BeginHolding(`SELECT pg_advisory_xact_lock(2054638667, 0)`)
	if _, err := look.Exec(`SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, due); err != nil {
		t.Fatal(err)
	}
	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "12s")
	if r.code != 0 || r.all() != "" {
		t.Errorf("exit %d, want 0 and nothing said: the row was another run's look's:\n%s", r.code, r.all())
	}
}
