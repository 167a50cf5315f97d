package watch

import (
	"context"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A code held back whose group is the dealer's short password by chance is
// still the customer's code: its other groups are masked in the words
// zwatch keeps, not shown in clear around a REDACTED (helper-362).
func TestACodeHeldBackWithThePasswordAsAGroupIsMasked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, hidden string }{
		{"OK|1|4321-8765-2109-7654|4321-8765-2109-7654 hazirlaniyor", "8765-2109"},
		{"OK|1|1234-3829-5678-9012|1234-3829-5678-9012 hazirlaniyor", "5678-9012"},
		{"OK|1|1234 3829 5678 9012|Siparis hazirlaniyor 1234 3829 5678 9012", "5678 9012"},
		{"OK|3|QW7R-9TZK-HJDX-3829|iptal edildi QW7R-9TZK-HJDX-3829", "QW7R-9TZK"},
		{"OK|1|K7Q9-M3X8-P5Z2-3829|Siparis K7Q9M3X8P5Z23829 hazirlaniyor", "K7Q9M3X8"},
	} {
		s := znettest.NewServer("bayi7", "3829")
		t.Cleanup(s.Close)
		c, err := znet.NewClient(s.URL, "bayi7", "3829", nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Script("1001", znettest.Garbage(tc.body))
		ps, err := c.CheckPin(context.Background(), "1001")
		if err != nil {
			t.Fatal(err)
		}
		if shown := HideAnswerPINs(ps.Description, ps); strings.Contains(shown, tc.hidden) || strings.Contains(shown, "3829") {
			t.Errorf("%q: the words kept as %q, %q of the code in clear", tc.body, shown, tc.hidden)
		}
	}
	// The request printed in a waiting answer's field is no code: its words
	// stay as they were, the password REDACTED.
	s := znettest.NewServer("bayi7", "3829")
	t.Cleanup(s.Close)
	c, err := znet.NewClient(s.URL, "bayi7", "3829", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Script("1001", znettest.Garbage("OK|1|3829|sifre 3829 hazirlaniyor"))
	ps, err := c.CheckPin(context.Background(), "1001")
	if err != nil {
		t.Fatal(err)
	}
	if shown := HideAnswerPINs(ps.Description, ps); shown != "sifre REDACTED hazirlaniyor" {
		t.Errorf("a waiting answer echoing the password: words kept as %q", shown)
	}
}
