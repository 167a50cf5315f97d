package watch_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A labelled code followed at once by a time, a date or an amount ("Kod:
// 1234567890123456,10:00 ..."): read past the ',' as a dotted code would
// be, the code and what follows read as a time and were dropped, and the
// code showed.
func TestALabelledCodeFollowedByATimeDateOrAmountIsMasked(t *testing.T) {
	for _, body := range []string{
		"OK|3| |Kod: 1234567890123456,10:00 itibariyla iptal edildi",
		"OK|3| |Kod: 1234567890123456,100 TL iade edildi",
		"OK|1| |KODUNUZ: 1234567890123456.02.12.2026 TARIHINDE VERILECEK",
	} {
		ps, err := znet.ParsePinStatus([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if kept := watch.HidePINs(ps.Description, ps.PINsToHide()); strings.Contains(kept, "1234567890123456") {
			t.Errorf("%q: the code shows in %q (withheld %q)", body, kept, ps.Withheld)
		}
	}
}

// The same in a refusal's words; and a code glued to a word in capitals
// ("...,KULLANILMIS"), withheld with it as one piece, still masked where
// the refusal repeats it alone.
func TestARefusalLosesACodeFollowedByATimeOrAWord(t *testing.T) {
	for _, body := range []string{
		"3|Kod: 1234567890123456,10:00 itibariyla kullanilamaz",
		"3|PIN: 1234567890123456,KULLANILMIS. 1234567890123456 icin destege yazin",
	} {
		_, err := znet.ParsePinStatus([]byte(body))
		var e *znet.Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: err = %v, want a *znet.Error", body, err)
		}
		if strings.Contains(e.Message, "1234567890123456") {
			t.Errorf("%q: the refusal's words keep the code: %q", body, e.Message)
		}
	}
}
