package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// A switched-off integration whose name holds a terminal escape, named by
// the beginning of its id as stats shows it: beside JSON, list's note on
// stderr wrote the escape as it was, retitling and clearing the
// operator's terminal, where every other line zwatch writes escapes it
// (helper-340).
func TestListsNotesBesideJSONEscapeANamesControls(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddIntegration(storetest.Integration{Name: "evil\x1b]0;pwned\x07\x1b[2J", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password, Disabled: true})
	s.db.AddOrder(storetest.Order{IntegrationID: id, Referans: "7001", OrderNo: 7001})
	for _, args := range [][]string{
		{"list", "--integration", id[:8], "-o", "json"},
		{"list", "--stuck", "--integration", id[:8], "-o", "json"},
		{"list", "--integration", id[:8]},
	} {
		r := zwatch(t, s.db, args...)
		if r.code != 0 || strings.ContainsAny(r.all(), "\x1b\x07") || !strings.Contains(r.all(), `evil\u001b]0;pwned\u0007\u001b[2J is disabled`) {
			t.Errorf("%q: exit %d, want 0 and the name's escapes written as such:\nstdout %q\nstderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}
