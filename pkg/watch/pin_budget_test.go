package watch

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A batch of maxApplyBatch e-pin orders, each PIN field holding a few tens
// of codes, refused by a shop trigger whose one-line message quotes one
// code of the last order's PIN. A lone code is found by the loose search
// alone, which a bound on the work it does once stopped some 160 PINs in:
// the code showed in the log, the run's error and the operator's terminal.
// The search reads only for the codes the line may quote.
func TestABatchErrorQuotingOneCodeOfItsLastPINMasksIt(t *testing.T) {
	var outcomes []store.Outcome
	var lastCode string
	seed := uint64(88172645463325252)
	code := func() string { // 10 letters and digits, shared with no other code
		const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
		b := make([]byte, 10)
		for i := range b {
			seed ^= seed << 13
			seed ^= seed >> 7
			seed ^= seed << 17
			b[i] = alphabet[seed%32]
		}
		return string(b[:5]) + "-" + string(b[5:])
	}
	for k := range maxApplyBatch {
		var codes []string
		for range 30 {
			codes = append(codes, code())
		}
		lastCode = codes[7]
		outcomes = append(outcomes, store.Outcome{Order: store.Order{ID: fmt.Sprint(k)}, Result: store.ResultDone, PIN: strings.Join(codes, " ")})
	}
	cause := errors.New("ERROR: e-pin " + lastCode + " of order 199 is already sold (SQLSTATE P0001)")
	if got := hidePINs(cause, outcomes).Error(); strings.Contains(got, lastCode[:5]) || strings.Contains(got, lastCode[6:]) {
		t.Errorf("the batch's error shows a code of its last PIN: %q", got)
	}
}

// A cancelled order's description naming some 45 codes in groups of four
// is cut to the stored length (outcome: cutRunes) inside one code. That
// code is no longer quoted whole; only the search for parts of codes
// finds what is left of it, and a bound on that search's work once ran
// out some 30 codes in.
func TestACodeCutByTheStoredLengthIsMasked(t *testing.T) {
	limit := store.ProviderMessageLen + describedPast
	entry := func(k int) (string, string) {
		code := fmt.Sprintf("%04d %04d %04d %04d", 1000+k, 2000+k, 3000+k, 4000+k)
		return code, fmt.Sprintf(" Kod %d: %s (iade edildi, 100 TL),", k, code)
	}
	// Pad the start so that the cut falls 14 characters into a code.
	var body strings.Builder
	var cutCode string
	pad := 0
	for k := 1; ; k++ {
		code, e := entry(k)
		start := body.Len() + strings.Index(e, code) + len("Iptal edildi.")
		if start > limit-14 {
			break
		}
		pad, cutCode = limit-14-start, code
		body.WriteString(e)
	}
	for k := 0; k < 10; k++ { // more after the cut
		_, e := entry(90 + k)
		body.WriteString(e)
	}
	desc := "Iptal edildi." + strings.Repeat("x", pad) + body.String()
	ps, err := znet.ParsePinStatus([]byte("OK|3| |" + desc))
	if err != nil {
		t.Fatal(err)
	}
	kept := HideAnswerPINs(cutRunes(ps.Description, limit), ps)
	if shown := cutCode[:14]; strings.Contains(kept, shown) {
		t.Errorf("%d codes withheld; the one the stored length cuts shows %q: ...%s", len(ps.Withheld), shown, kept[len(kept)-60:])
	}
}
