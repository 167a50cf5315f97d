package watch_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that writes the PIN into its description a check before it
// marks the order done ("Kodunuz: ... hazırlanıyor", the PIN assigned and
// the status not yet updated), or that refuses a request quoting it
// ("3|... zaten onaylandı: <PIN>"), hands zwatch the customer's PIN in
// text zwatch keeps: zwatch_order_events is append-only, kept 90 days,
// and "never holds a PIN"; last_error and the logs must not hold it
// either. The PIN field of such answers is masked when it reads as a
// code; the description's code, eight letters and digits with a digit
// among them, is not.
func TestAPINInTheTextOfAnAnswerBeforeTheDoneOneIsNotKept(t *testing.T) {
	t.Parallel()
	// Each order its own PIN: one PIN given to two orders in a run is held.
	const pin, refusedPIN = "QW7R-9TZK-ABCD-8HJD", "ZX4V-7MNB-QRST-2KLP"
	e := newEnv(t)
	waiting := e.order("6100")
	refused := e.order("6101")
	e.znet.Script("6100", znettest.Waiting("Kodunuz: "+pin+" hazirlaniyor"), znettest.Done(pin, "tamam"))
	e.znet.Script("6101", znettest.Rejected("3", "Bu islem zaten onaylandi, kod: "+refusedPIN), znettest.Done(refusedPIN, "tamam"))

	e.run(e.config())
	if c := e.db.ReadCheck(refused); c.LastError != nil && strings.Contains(*c.LastError, refusedPIN) {
		t.Errorf("last_error of order %s holds the PIN: %q", refused, *c.LastError)
	}
	e.db.MakeAllDue()
	e.run(e.config())

	if row := e.db.ReadOrder(waiting); row.PINCode == nil || *row.PINCode != pin {
		t.Fatalf("order %+v: want znet's PIN saved", row)
	}
	for _, ev := range e.db.Events(waiting) {
		if ev.ProviderMessage != nil && strings.Contains(*ev.ProviderMessage, pin) {
			t.Errorf("zwatch_order_events holds the PIN: %q", *ev.ProviderMessage)
		}
	}
	for _, p := range []string{pin, refusedPIN} {
		if n := e.db.ZwatchRowsMentioning(p); n != 0 {
			t.Errorf("%d rows of zwatch's tables hold a PIN", n)
		}
	}
	assertNoSecrets(t, "the log", e.logs.String(), pin, "QW7R9TZKABCD8HJD", refusedPIN)
}
