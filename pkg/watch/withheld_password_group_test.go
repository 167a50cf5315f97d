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
// zwatch keeps, not shown in clear around a REDACTED (helper-362,
// helper-365).
func TestACodeHeldBackWithThePasswordAsAGroupIsMasked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, hidden string }{
		{"OK|1|4321-8765-2109-7654|4321-8765-2109-7654 hazirlaniyor", "8765-2109"},
		{"OK|1|1234-3829-5678-9012|1234-3829-5678-9012 hazirlaniyor", "5678-9012"},
		{"OK|1|1234 3829 5678 9012|Siparis hazirlaniyor 1234 3829 5678 9012", "5678 9012"},
		{"OK|3|QW7R-9TZK-HJDX-3829|iptal edildi QW7R-9TZK-HJDX-3829", "QW7R-9TZK"},
		{"OK|1|K7Q9-M3X8-P5Z2-3829|Siparis K7Q9M3X8P5Z23829 hazirlaniyor", "K7Q9M3X8"},
		// Its other groups letters alone.
		{"OK|3|QW7R-3829-HJDX-KMNP|QW7R-3829-HJDX-KMNP iptal edildi", "HJDX"},
		{"OK|1|QW7R 3829 HJDX KMNP|Kodunuz QW7R 3829 HJDX KMNP hazirlaniyor", "HJDX"},
		{"OK|1|ABCD 3829 EFGH 5678|Kodunuz ABCD 3829 EFGH 5678 hazirlaniyor", "ABCD"},
		// A digit of the code's own that withheldCode puts for the password
		// stands for nothing else (helper-366).
		{"OK|1|AB12 \u0660\u0660\u0660\u0660 CD34 EF56|AB12 \u0660\u0660\u0660\u0660 CD34 EF56 hazirlaniyor", "AB12"},
		{"OK|1|QW7R\u06603829HJDX|QW7R\u06603829HJDX hazirlaniyor", "QW7R"},
		{"OK|1|\u0660\u0660\u0660\u0660 1234 5678 9012|\u0660\u0660\u0660\u0660 1234 5678 9012 hazirlaniyor", "\u0660\u0660\u0660\u0660"},
		{"OK|1|ABCD 3829 EFGH 5678 \u0660\u06F0\u0966\u09E6|Kodunuz ABCD 3829 EFGH 5678 \u0660\u06F0\u0966\u09E6 hazirlaniyor", "ABCD"},
	} {
		if shown := wordsKept(t, "3829", "1001", tc.body); strings.Contains(shown, tc.hidden) || strings.Contains(shown, "3829") {
			t.Errorf("%q: the words kept as %q, %q of the code in clear", tc.body, shown, tc.hidden)
		}
	}
	// The request printed in a waiting answer's field is no code: its words
	// stay as they were, the password REDACTED.
	if shown := wordsKept(t, "3829", "1001", "OK|1|3829|sifre 3829 hazirlaniyor"); shown != "sifre REDACTED hazirlaniyor" {
		t.Errorf("a waiting answer echoing the password: words kept as %q", shown)
	}
}

// The request printed in a waiting or cancelled answer's field, the
// password among it, is no code: the panel's words keep the order's own
// number, which staff read (helper-365).
func TestTheRequestPrintedInAWithheldFieldMasksNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ password, referans, body, want string }{
		{"3829", "1733829183", "OK|3|3829 1733829183|1733829183 nolu siparis iptal edildi", "1733829183 nolu siparis iptal edildi"},
		{"Gizli-Sifre-99", "1733829183", "OK|1|bayi7 Gizli-Sifre-99 1733829183|Siparis 1733829183 hazirlaniyor", "Siparis 1733829183 hazirlaniyor"},
		{"3829", "1733829183-2", "OK|1|BAYİ7 3829 1733829183|Siparis 1733829183 hazirlaniyor", "Siparis 1733829183 hazirlaniyor"},
		{"3829", "1733829183", "OK|3|1733829183|1733829183 nolu siparis iptal edildi", "1733829183 nolu siparis iptal edildi"},
	} {
		if shown := wordsKept(t, tc.password, tc.referans, tc.body); shown != tc.want {
			t.Errorf("%q: the words kept as %q, want %q", tc.body, shown, tc.want)
		}
	}
}

// wordsKept is the description zwatch keeps of a panel's answer body about
// referans, the panel's dealer code bayi7.
func wordsKept(t *testing.T, password, referans, body string) string {
	t.Helper()
	s := znettest.NewServer("bayi7", password)
	t.Cleanup(s.Close)
	c, err := znet.NewClient(s.URL, "bayi7", password, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Script(referans, znettest.Garbage(body))
	ps, err := c.CheckPin(context.Background(), referans)
	if err != nil {
		t.Fatal(err)
	}
	return HideAnswerPINs(ps.Description, ps)
}
