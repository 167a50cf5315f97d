package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel's refusal, or a cancellation's words, may quote the code of an
// order it delivered already with no label and in no groups ("zaten
// teslim edildi: 7QKDNBM4XHX2LZ5T"): in clear it reached the order's last
// error, cron's mail under -q, check's output and zwatch's log of events
// (a hostile panel adversary's find). The order numbers beside it stay
// for the operator to read.
func TestACodeQuotedUngroupedIsMaskedWherePeopleRead(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	codes := map[string]string{
		"8101": "7QKDNBM4XHX2LZ5T",
		"8102": "STRF12345678TYUI",
		"8103": "QWER1234TYUI5678",
	}
	orders := map[string]string{}
	for ref := range codes {
		orders[ref] = s.order(ref)
	}
	s.znet.Script("8101", znettest.Rejected("3", "Bu siparis zaten teslim edildi: 7QKDNBM4XHX2LZ5T, siparis SIP20260312001TR"))
	s.znet.Script("8102", znettest.Cancelled("Iptal edildi, STRF12345678TYUI geri alindi"))
	s.znet.Script("8103", znettest.Waiting("Hazirlaniyor: QWER1234TYUI5678"))

	run := zwatch(t, s.db, "check-pending", "-q")
	check := zwatch(t, s.db, "check", "--order", orders["8101"])
	for ref, code := range codes {
		for _, out := range []result{run, check} {
			if strings.Contains(out.all(), code) {
				t.Errorf("order %s's code %s shown:\n%s", ref, code, out.all())
			}
		}
		if n := s.db.ZwatchRowsMentioning(code); n != 0 {
			t.Errorf("order %s's code %s is in %d of zwatch's rows", ref, code, n)
		}
	}
	if !strings.Contains(check.all(), "SIP20260312001TR") {
		t.Errorf("check --order lost the order number the refusal names:\n%s", check.all())
	}
}
