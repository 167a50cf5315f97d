package cmd_test

import (
	"strings"
	"sync"
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
	s, id := topUpOrder(t, "7003")
	const code = topUpCode

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
	s, id := topUpOrder(t, "7103")
	const code = topUpCode
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
	id := s.order("7104")
	const code = topUpCode
	// The answer waits until staff have delivered the code, however long
	// the update takes on a busy host.
	asked, delivered := make(chan struct{}), make(chan struct{})
	var askedOnce sync.Once
	s.znet.SetResponder(func(string, int) znettest.Answer {
		askedOnce.Do(func() { close(asked) })
		<-delivered
		return znettest.Done("", "Kodunuz: "+code)
	})
	done := make(chan result, 1)
	go func() { done <- zwatch(t, s.db, "check", "--order", id) }()
	<-asked
	s.db.Exec(`UPDATE product_orders SET "pinCode" = $1 WHERE id = $2`, code, id)
	close(delivered)
	r := <-done
	if row := s.db.ReadOrder(id); row.PINCode == nil || *row.PINCode != code {
		t.Errorf("the order's PIN is %v, want the code staff delivered\n%s", row.PINCode, r.all())
	}
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

// The database restarting as a top-up's answer comes in: the run keeps
// the answer and saves it once the database is back, or, where it could
// not be sure of its claim meanwhile, leaves the order to be asked again;
// either way the code ends in the shop's row alone, none in what the runs
// printed or in zwatch's tables.
func TestATopUpsCodeAnsweredDuringADatabaseRestartIsKept(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const code = "QWPO-ZXMN-8821-7765"
	id := s.order("7301")
	s.znet.SetResponder(func(_ string, call int) znettest.Answer {
		if call == 1 {
			time.AfterFunc(2*time.Second, s.db.Outage())
		}
		return znettest.Done("", "Kodunuz: "+code)
	})
	r := zwatch(t, s.db, "check-pending")
	out := r.all()
	if row := s.db.ReadOrder(id); row.ExternalStatus == "sent" {
		s.db.ExpireClaims()
		s.db.MakeDue(id)
		r = zwatch(t, s.db, "check-pending")
		out += r.all()
	}
	row := s.db.ReadOrder(id)
	if row.ExternalStatus != "completed" || row.ProviderMessage == nil || !strings.Contains(*row.ProviderMessage, code) {
		t.Errorf("after the restart: %s, providerMessage %v; want the top-up completed and its code kept\n%s", row.ExternalStatus, row.ProviderMessage, out)
	}
	if n := s.db.ZwatchRowsMentioning(code); n != 0 || strings.Contains(out, code) {
		t.Errorf("the code is in %d rows of zwatch's tables, or printed:\n%s", n, out)
	}
}

// topUpCode is the code the top-ups above name in their words.
const topUpCode = "QWPO-ZXMN-8821-7765"

// topUpOrder is an order, with referans ref, of a shop whose panel
// completes it as a top-up (no PIN) whose words name topUpCode.
func topUpOrder(t *testing.T, ref string) (*shop, string) {
	t.Helper()
	s := newShop(t)
	id := s.order(ref)
	s.znet.Script(ref, znettest.Done("", "Kodunuz: "+topUpCode))
	return s, id
}
