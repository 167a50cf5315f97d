package watch_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A code written in dotted groups and followed at once by a time, a date
// or a word: read to the first dot it was one group, too short to be a
// code; read past the dotted groups, the code and the time made no code;
// withheld by neither, it showed. Every group's end is now a cut.
func TestADottedCodeFollowedByATimeIsMasked(t *testing.T) {
	for _, body := range []string{
		"OK|3| |Kod: 1234.5678.9012.3456,10:00 itibariyla iptal edildi",
		"OK|1| |KODUNUZ: AB12.CD34.EF56.GH78,02.12.2026 TARIHINDE VERILECEK",
	} {
		ps, err := znet.ParsePinStatus([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		kept := watch.HidePINs(ps.Description, ps.PINsToHide())
		// The mask shows the last group, as MaskPIN does for any PIN.
		for _, group := range []string{"1234", "5678", "9012", "AB12", "CD34", "EF56"} {
			if strings.Contains(kept, group) {
				t.Errorf("%q: group %s of the code shows in %q (withheld %q)", body, group, kept, ps.Withheld)
			}
		}
	}
}

// The same in a refusal's words, which only the withheld codes mask.
func TestARefusalLosesADottedCodeFollowedByATimeOrWord(t *testing.T) {
	for _, body := range []string{
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
