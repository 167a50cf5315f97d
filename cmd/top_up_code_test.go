package cmd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that completes an order as a top-up (no PIN) and names a code
// in its words: zwatch masked it out of providerMessage too, so a PIN the
// panel gave there, and not in its field, was lost. The shop's row keeps
// the words whole; zwatch's own copies (lastMessage, its events, its
// output) mask the code, which check shows only with --show-pin.
func TestATopUpsCodeIsKeptInTheShopsRowAlone(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const code = "QWPO-ZXMN-8821-7765"
	id := s.order("7003")
	s.znet.Script("7003", znettest.Done("", "Kodunuz: "+code))

	r := zwatch(t, s.db, "check-pending")
	row := s.db.ReadOrder(id)
	if r.code != 0 || row.ExternalStatus != "completed" || row.Status != "approved" || row.PINCode != nil {
		t.Errorf("exit %d, order %s/%s, PIN set %v; want 0 and the top-up completed and approved with no PIN:\n%s",
			r.code, row.Status, row.ExternalStatus, row.PINCode != nil, r.all())
	}
	if row.ProviderMessage == nil || !strings.Contains(*row.ProviderMessage, code) {
		t.Errorf("providerMessage %v: want znet's words whole, the code in them", row.ProviderMessage)
	}
	if row.LastMessage != nil && strings.Contains(*row.LastMessage, code) {
		t.Errorf("lastMessage, zwatch's note, holds the code: %q", *row.LastMessage)
	}
	if n := s.db.ZwatchRowsMentioning(code); n != 0 || strings.Contains(r.all(), code) {
		t.Errorf("the code is in %d rows of zwatch's tables, or printed:\n%s", n, r.all())
	}
	if r := zwatch(t, s.db, "check", "--order", id); strings.Contains(r.all(), code) {
		t.Errorf("check without --show-pin shows the code:\n%s", r.all())
	}
	if r := zwatch(t, s.db, "check", "--order", id, "--show-pin"); !strings.Contains(r.stdout, code) {
		t.Errorf("check --show-pin does not show the code:\n%s", r.all())
	}
}

// A trigger of the shop's refusing the update in words that quote the new
// providerMessage quoted the top-up's code in the cron mail, last_error,
// list and check: the code is masked there as a PIN is.
func TestATriggerQuotingATopUpsWordsShowsNoCode(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const code = "QWPO-ZXMN-8821-7765"
	id := s.order("7103")
	s.znet.Script("7103", znettest.Done("", "Kodunuz: "+code))
	s.db.Exec(`CREATE FUNCTION refuse_topup() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'shop refuses order %: providerMessage %', NEW.id, NEW."providerMessage"; END $$`)
	s.db.Exec(`CREATE TRIGGER refuse_topup BEFORE UPDATE ON product_orders FOR EACH ROW WHEN (OLD.id = '` + id + `') EXECUTE FUNCTION refuse_topup()`)

	r := zwatch(t, s.db, "check-pending", "-q")
	if r.code == 0 || !strings.Contains(r.all(), "shop refuses order") || strings.Contains(r.all(), code) {
		t.Errorf("check-pending -q: exit %d, want the refusal said and the code masked:\n%s", r.code, r.all())
	}
	if n := s.db.ZwatchRowsMentioning(code); n != 0 {
		t.Errorf("the code is in %d rows of zwatch's tables", n)
	}
	if r := zwatch(t, s.db, "list", "--pending", "-o", "json"); strings.Contains(r.all(), code) {
		t.Errorf("list shows the code:\n%s", r.all())
	}
	s.db.ExpireClaims()
	if r := zwatch(t, s.db, "check", "--order", id); strings.Contains(r.all(), code) {
		t.Errorf("check --order shows the code:\n%s", r.all())
	}
}

// Staff deliver the code by hand while znet's answer is on its way: the
// order holds it as its PIN when the answer is saved, and providerMessage
// keeps the words masked, not a second copy of the PIN.
func TestATopUpsWordsStayMaskedOnAnOrderHoldingAPIN(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const code = "QWPO-ZXMN-8821-7765"
	id := s.order("7104")
	s.znet.Script("7104", znettest.Done("", "Kodunuz: "+code).After(1500*time.Millisecond))
	done := make(chan result, 1)
	go func() { done <- zwatch(t, s.db, "check", "--order", id) }()
	for s.znet.TotalRequests() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	s.db.Exec(`UPDATE product_orders SET "pinCode" = $1 WHERE id = $2`, code, id)
	r := <-done
	if row := s.db.ReadOrder(id); row.ProviderMessage != nil && strings.Contains(*row.ProviderMessage, code) {
		t.Errorf("providerMessage holds the order's PIN in clear: %q\n%s", *row.ProviderMessage, r.all())
	}
}

// Words longer than providerMessage keep the codes they name whole: cut
// in the middle of one, the code was lost in part and its piece shown by
// check, where nothing masked it.
func TestATopUpsCodePastTheColumnIsKeptWhole(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const code = "QWPO-ZXMN-8821-7765"
	id := s.order("7202")
	const other = "AB12CD34EF" // of another size: both must be found again to be masked
	s.znet.Script("7202", znettest.Done("", strings.Repeat("a", 1985)+" Kodunuz: "+code+", yedek kod: "+other))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	if row := s.db.ReadOrder(id); row.ProviderMessage == nil || !strings.Contains(*row.ProviderMessage, code) || !strings.Contains(*row.ProviderMessage, other) {
		t.Errorf("providerMessage %v: want both codes whole", row.ProviderMessage)
	}
	if r := zwatch(t, s.db, "check", "--order", id); strings.Contains(r.all(), "QWPO") || strings.Contains(r.all(), "AB12") {
		t.Errorf("check shows a code, or a piece of one:\n%s", r.all())
	}
}
