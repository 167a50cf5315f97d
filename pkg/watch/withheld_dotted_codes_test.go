package watch_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A code a label names, written in groups with dots or commas between them
// ("Kod: 1234.5678.9012.3456"), as the PIN field's dotted groups are: the
// label's clause ended at the first dot, which left a group of four, too
// short to be a code, and the whole code stayed in clear; in lower case
// it still was. A dot or comma that ends a sentence still ends the code.
func TestALabelledCodeInDottedGroupsIsMasked(t *testing.T) {
	for _, tc := range []struct{ answer, code, kept string }{
		{"OK|3| |İptal edildi. Kod: 1234.5678.9012.3456 iade edildi", "1234.5678.9012.3456", "iade edildi"},
		{"OK|1| |Kodunuz: AB12.CD34.EF56.GH78, hazırlanıyor", "AB12.CD34.EF56.GH78", "hazırlanıyor"},
		{"OK|3| |PIN: 1234,5678,9012,3456; tutar 1.050,00 TL", "1234,5678,9012,3456", "tutar 1.050,00 TL"},
		{"OK|3| |Seri No.: QW7R.9TZK.8HJD. Teşekkürler", "QW7R.9TZK.8HJD", "Teşekkürler"},
		{"OK|3| |Kod: ABCD1234EFGH.Tesekkurler", "ABCD1234EFGH", "Tesekkurler"},
		// Lower-case groups were cut at the first dot.
		{"OK|3| |İptal edildi. Kod: ab12.cd34.ef56.gh78 iade edildi", "ab12.cd34.ef56.gh78", "iade edildi"},
		{"OK|3| |Kod: 1234.5678.9012.3456.iade edildi", "1234.5678.9012.3456", "iade edildi"},
	} {
		ps, err := znet.ParsePinStatus([]byte(tc.answer))
		if err != nil {
			t.Fatal(err)
		}
		kept := watch.HideAnswerPINs(ps.Description, ps)
		// The mask shows the last group, as MaskPIN does for any PIN.
		groups := strings.FieldsFunc(tc.code, func(r rune) bool { return r == '.' || r == ',' })
		for _, group := range groups[:len(groups)-1] {
			if strings.Contains(kept, group) {
				t.Errorf("%q: group %q of the code kept in %q (withheld %q)", tc.answer, group, kept, ps.Withheld)
			}
		}
		if !strings.Contains(kept, tc.kept) {
			t.Errorf("%q: the words %q after the code lost: %q (withheld %q)", tc.answer, tc.kept, kept, ps.Withheld)
		}
	}
}
