package watch_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A labelled code followed at once by a time, a date, an amount or a word
// ("Kod: 1234567890123456,10:00 ..."): read past the ',' as a dotted code
// would be, the code and what follows read as a time and were dropped,
// and the code showed; a code in dotted groups was one group read to its
// first dot, too short to be a code, and showed too. No part of the code
// shows but the last group, which MaskPIN shows of any PIN.
func TestALabelledCodeFollowedByATimeDateOrAmountIsMasked(t *testing.T) {
	for _, body := range []string{
		"OK|3| |Kod: 1234567890123456,10:00 itibariyla iptal edildi",
		"OK|3| |Kod: 1234567890123456,100 TL iade edildi",
		"OK|1| |KODUNUZ: 1234567890123456.02.12.2026 TARIHINDE VERILECEK",
		"OK|3| |Kod: 1234.5678.9012.3456,10:00 itibariyla iptal edildi",
		"OK|1| |KODUNUZ: 1234.5678.9012.3456,02.12.2026 TARIHINDE VERILECEK",
	} {
		ps, err := znet.ParsePinStatus([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		kept := watch.HideAnswerPINs(ps.Description, ps)
		for _, group := range []string{"1234", "5678", "9012"} {
			if strings.Contains(kept, group) {
				t.Errorf("%q: group %s of the code shows in %q (withheld %q)", body, group, kept, ps.Withheld)
			}
		}
	}
}

// The same in a refusal's words, which only the withheld codes mask; and
// a code glued to a word in capitals ("...,KULLANILMIS"), withheld with it
// as one piece, still masked where the refusal repeats it alone.
func TestARefusalLosesACodeFollowedByATimeOrAWord(t *testing.T) {
	for _, body := range []string{
		"3|Kod: 1234567890123456,10:00 itibariyla kullanilamaz",
		"3|PIN: 1234567890123456,KULLANILMIS. 1234567890123456 icin destege yazin",
		"3|Kod: 1234.5678.9012.3456,10:00 itibariyla kullanilamaz",
		"3|PIN: 1234.5678.9012.3456,KULLANILMIS. 1234.5678.9012.3456 icin destege yazin",
	} {
		_, err := znet.ParsePinStatus([]byte(body))
		var e *znet.Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: err = %v, want a *znet.Error", body, err)
		}
		if strings.Contains(e.Message, "1234") || strings.Contains(e.Message, "3456") {
			t.Errorf("%q: the refusal's words keep the code: %q", body, e.Message)
		}
	}
}
