package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that completes an order as a top-up (no PIN) and names the
// customer's code in its words: zwatch approved the order with no PIN and
// masked the code out of providerMessage, so the customer's PIN was lost
// and nobody was told. The order is left as it was, and every run says so,
// for a person to deliver the code from the dealer panel; the code is
// written nowhere.
func TestATopUpNamingACodeInItsWordsIsLeftForAPerson(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const code = "QWPO-ZXMN-8821-7765"
	id := s.order("7003")
	s.znet.Script("7003", znettest.Done("", "Kodunuz: "+code))
	before := s.db.ReadOrder(id)

	r := zwatch(t, s.db, "check-pending")
	if r.code != 3 || !strings.Contains(r.stdout, "znet's answer could not be used") || !strings.Contains(r.stdout, "may be the customer's PIN") {
		t.Errorf("exit %d, want 3 and the order named for a person:\n%s", r.code, r.all())
	}
	after := s.db.ReadOrder(id)
	if after.Status != before.Status || after.ExternalStatus != before.ExternalStatus || after.PINCode != nil || after.ApprovedAt != nil {
		t.Errorf("the order was changed: %s/%s, approved at %v, PIN set %v; want it as it was (%s/%s)",
			after.Status, after.ExternalStatus, after.ApprovedAt, after.PINCode != nil, before.Status, before.ExternalStatus)
	}
	if n := s.db.ZwatchRowsMentioning(code); n != 0 || strings.Contains(r.all(), code) {
		t.Errorf("the code was written to %d rows of zwatch's tables, or printed:\n%s", n, r.all())
	}
}
