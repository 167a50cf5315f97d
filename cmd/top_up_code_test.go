package cmd_test

import (
	"strings"
	"testing"

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
