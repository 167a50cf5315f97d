package watch_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A cancelled answer naming several codes written in groups of four
// digits, as e-pins often are ("Kod 1: 1234 5678 9012 3456, Kod 2: ..."):
// joined into one withheld string of more than 64 letters and digits, the
// codes were looked for only as that string and as groups of four, which
// are too short to be masked, and every code was kept in the description.
func TestManyLabelledCodesInGroupsOfFourAreMasked(t *testing.T) {
	codes := []string{"1111 2222 3333 4441", "5555 6666 7777 8882", "9999 1212 3434 5653", "7878 9090 1313 2424", "5757 6868 7979 8085"}
	desc := "İptal edildi."
	for k, c := range codes {
		desc += " Kod " + string(rune('1'+k)) + ": " + c + ","
	}
	ps, err := znet.ParsePinStatus([]byte("OK|3| |" + desc))
	if err != nil {
		t.Fatal(err)
	}
	kept := watch.HideAnswerPINs(ps.Description, ps)
	for _, c := range codes {
		if strings.Contains(kept, c) || strings.Contains(kept, c[5:]) {
			t.Errorf("code %q kept in %q (withheld %q)", c, kept, ps.Withheld)
		}
	}
}

// An answer naming more codes than a PIN field of a real order holds (an
// order of hundreds of e-pins, cancelled) masks every one: each is quoted
// where its label names it.
func TestHundredsOfLabelledCodesAreMasked(t *testing.T) {
	var desc strings.Builder
	desc.WriteString("İptal edildi.")
	var codes []string
	for k := range 300 {
		code := fmt.Sprintf("QW%02dR-9T%03dK-AB%02dD", k%100, k, k%97)
		codes = append(codes, code)
		fmt.Fprintf(&desc, " PIN %d: %s,", k%100, code)
	}
	ps, err := znet.ParsePinStatus([]byte("OK|3| |" + desc.String()))
	if err != nil {
		t.Fatal(err)
	}
	kept := watch.HideAnswerPINs(ps.Description, ps)
	for _, c := range codes {
		if strings.Contains(kept, c) || strings.Contains(kept, c[:11]) {
			t.Fatalf("code %q kept in the description (%d codes withheld)", c, len(ps.Withheld))
		}
	}
}
