package watch_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A cancelled answer whose PIN field holds the old code and whose words
// name both the old code and the new one ("Eski kod: <old>, yeni kod:
// <new>"): every code the words name must be masked in what zwatch keeps
// ("providerMessage", the event log), the new one too.
func TestACancelledAnswerNamingTheFieldsCodeAndANewOneMasksBoth(t *testing.T) {
	const old, pin = "ZX8C-1VBN-MLKJ-7HGF", "QW7R-9TZK-ABCD-8HJD"
	ps, err := znet.ParsePinStatus([]byte("OK|3|" + old + "|İptal edildi. Eski kod: " + old + ", yeni kod: " + pin))
	if err != nil {
		t.Fatal(err)
	}
	if kept := watch.HideAnswerPINs(ps.Description, ps); strings.Contains(kept, "9TZK") || strings.Contains(kept, "1VBN") {
		t.Errorf("withheld %q; the description kept as %q", ps.Withheld, kept)
	}
}
