package cmd_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// checkWhileTheShopChangesTheOrder runs `check --order id` and, while its
// claim waits (another run registering the order holds its row in
// zwatch's table), lets change alter the shop's order: the few round trips
// between check's lookup and its claim, held open.
func checkWhileTheShopChangesTheOrder(t *testing.T, s *shop, id string, change func(), args ...string) (int, string) {
	t.Helper()
	return checkWhileTheShopChangesTheOrderUntil(t, context.Background(), s, id, change, args...)
}

// checkWhileTheShopChangesTheOrderUntil is checkWhileTheShopChangesTheOrder
// stopped as by a signal when ctx is done.
func checkWhileTheShopChangesTheOrderUntil(t *testing.T, ctx context.Context, s *shop, id string, change func(), args ...string) (int, string) {
	t.Helper()
	registering := s.db.BeginHolding(`INSERT INTO zwatch_order_checks (order_id, next_check_at) VALUES ($1, now())`, id)
	var out bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- cmd.Main(ctx, append([]string{"check", "--order", id, "--database-url", s.db.URL}, args...),
			cmd.IOStreams{Out: &out, ErrOut: &out})
	}()
	s.db.WaitForLockWaiters(1)
	change()
	if err := registering.Rollback(); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		return code, out.String()
	case <-time.After(30 * time.Second):
		t.Fatal("check did not end")
	}
	return 0, ""
}

// An order the shop moves to another panel, under a new referans, as an
// operator checks it is asked at the panel it is on now: asked at the old
// one, that panel's PIN for the new referans, another customer's, would be
// saved on it.
func TestCheckAsksThePanelAnOrderMovedToMeanwhile(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	panelB, panelBID := s.panel("znet-B", "sifre-B")
	id := s.order("4300")
	s.znet.Script("7700", znettest.Done("AAAA-BBBB-CCCC-DDDD", "another customer's order at panel A"))
	panelB.Script("7700", znettest.Done("WXYZ-2345-6789-QRST", "tamamlandi"))

	code, out := checkWhileTheShopChangesTheOrder(t, s, id, func() {
		s.db.Exec(`UPDATE product_orders SET "providerId" = $2, provider_referans = '7700' WHERE id = $1`, id, panelBID)
	})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("the panel the order left was asked %d times", n)
	}
	row := s.db.ReadOrder(id)
	if row.PINCode == nil || *row.PINCode != "WXYZ-2345-6789-QRST" || row.ExternalStatus != "completed" {
		t.Errorf("order after the check: %+v, want panel B's PIN\n%s", row, out)
	}
	if !strings.Contains(out, "znet-B") || !strings.Contains(out, "7700") {
		t.Errorf("the check does not name the panel and referans it asked:\n%s", out)
	}
}

// An order staff decide as an operator checks it is said to be decided,
// not to be asked by another run that does not exist.
func TestCheckOfAnOrderDecidedMeanwhileSaysSo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("4301")

	code, out := checkWhileTheShopChangesTheOrder(t, s, id, func() {
		s.db.Exec(`UPDATE product_orders SET status = 'approved' WHERE id = $1`, id)
	})
	if code != 4 || !strings.Contains(out, "handled by staff") || strings.Contains(out, "another zwatch run") {
		t.Errorf("exit %d, want 4 and the order's own reason:\n%s", code, out)
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("znet asked %d times", n)
	}
}

// An order another run completes as an operator checks it is shown as a
// check started after would show it: completed, with its PIN masked, not
// the order as it was before (helper-314).
func TestCheckOfAnOrderCompletedMeanwhileShowsItCompleted(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("4302")
	code, out := checkWhileTheShopChangesTheOrder(t, s, id, func() {
		s.db.Exec(`UPDATE product_orders SET "externalStatus" = 'completed', "pinCode" = 'WXYZ-2345-6789-QRST' WHERE id = $1`, id)
	}, "-o", "json")
	after := zwatch(t, s.db, "check", "--order", id, "-o", "json")
	if code != after.code || out != after.all() || !strings.Contains(out, `"completed"`) {
		t.Errorf("exit %d:\n%s\nwant what a check after says, exit %d:\n%s", code, out, after.code, after.all())
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("znet asked %d times", n)
	}
}

// A check stopped by a signal as it hands back its claim on an order the
// shop moved meanwhile still hands it back: it says nothing was recorded,
// and a claim left held would turn the operator's next check away as
// "another run is asking" (helper-320).
func TestCheckStoppedWhileHandingBackAMovedOrderHandsItBack(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	_, panelBID := s.panel("znet-B", "sifre-B")
	id := s.order("4300")
	// The hand-back, held for a moment by a trigger of the test's, so that
	// the signal comes while it is under way.
	s.db.Exec(`CREATE FUNCTION slow_hand_back() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$`)
	s.db.Exec(`CREATE TRIGGER slow_hand_back BEFORE UPDATE ON zwatch_order_checks FOR EACH ROW
		WHEN (OLD.claimed_by IS NOT NULL AND NEW.claimed_by IS NULL) EXECUTE FUNCTION slow_hand_back()`)
	ctx, signal := context.WithCancel(context.Background())
	defer signal()
	go func() {
		for ctx.Err() == nil {
			var sleeping int
			s.db.Get(&sleeping, `SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()`)
			if sleeping > 0 {
				signal()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	code, out := checkWhileTheShopChangesTheOrderUntil(t, ctx, s, id, func() {
		s.db.Exec(`UPDATE product_orders SET "providerId" = $2, provider_referans = '7700' WHERE id = $1`, id, panelBID)
	})
	if ctx.Err() == nil {
		t.Fatalf("the hand-back was never under way (exit %d):\n%s", code, out)
	}
	if c := s.db.ReadCheck(id); c.ClaimedBy != nil {
		t.Errorf("the stopped check left its claim (%s) on the order (exit %d):\n%s", *c.ClaimedBy, code, out)
	}
	if code != 3 || !strings.Contains(out, "stopped by a signal") {
		t.Errorf("exit %d, want 3 and a line saying a signal stopped it:\n%s", code, out)
	}
}
