package znet

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzParsePinStatus(f *testing.F) {
	for _, seed := range []string{
		// Every answer in the API notes.
		"OK|2|AB12-CD34-EF56-GH78|Açıklama",
		"OK|1| |Açıklama",
		"OK|1| - |Açıklama",
		"OK|3| |Açıklama",
		"3|Açıklama",
		"OK|12755.23",
		"OK|35.00|12720.23",
		"",
		"<!DOCTYPE html><html></html>",
		"OK|2|AB12|İşlem tamamlandı\r\n",
		"OK|3| |İşlem iptal edildi",
		"OK|2|X|\xdd\xfelem tamamland\xfd",
		"\xef\xbb\xbfOK|1| |x",
		"OK|2|P|a|b",
		"OK|2",
		"OK|1",
		"OK|2|AB\x00CD|\x00",
		"\xff\xfe\x00O\x00K",
		" 12 |msg",
		// Labelled codes whose clause reads past dots and back.
		"OK|3| |Kod: 1234.5678.9012.3456,10:00 iptal",
		"3|PIN: AB12.CD34.EF56.GH78,KULLANILDI. AB12.CD34.EF56.GH78",
		// Codes before a word of "kod": glued, listed, after a break.
		"3|<td>Kod</td><td>AB12-CD34-EF56-GH78</td> kullanildi",
		"3|Toplam 250 250 500<br>Kodunuz iptal edildi",
		"3|7KQ2MX9PZ3LD ya da P4TN8W2QJ6RX, Q1W2E3R4T5Y6–kodlu",
		"OK|3| |K7Q9M3X8P5Z2,A8B7C6D5E4F3 seri numaralı pin kodu",
		// PINs whose groups spaces or colons part, beside rows of theirs.
		"OK|2|1234 5678 9012 3456|Kod 1: 1234 5678 9012 3456 Kod 2: 9876 5432 1098 7654 2 adet",
		"OK|2|AB12:CD34:EF56|Kod1:AB12:CD34:EF56 (XY98:ZW76:QR54) TR12 0006 1005",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ps, err := ParsePinStatus(body)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T, want *Error", err)
			}
			if e.Kind.String() == "" || strings.HasPrefix(e.Kind.String(), "Kind(") {
				t.Fatalf("unknown kind %d", e.Kind)
			}
			if !reflect.DeepEqual(ps, PinStatus{}) {
				t.Fatalf("non-zero PinStatus %+v with an error", ps)
			}
			for _, s := range []string{e.Code, e.Message, err.Error()} {
				if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
					t.Fatalf("error text %q is not clean UTF-8", s)
				}
			}
			return
		}
		if ps.Status < StatusWaiting || ps.Status > StatusCancelled {
			t.Fatalf("status %d out of range", ps.Status)
		}
		for _, s := range []string{ps.PIN, ps.Description} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) || s != strings.TrimSpace(s) {
				t.Fatalf("field %q is not trimmed UTF-8 free of NUL and control characters", s)
			}
		}
		if ps.Status == StatusDone && ps.PIN == "-" {
			t.Fatal("a dash PIN must read as blank")
		}
	})
}

// FuzzShortPasswordNeverEchoed: with a short numeric password, whatever the
// panel sends, no PIN, balance, description or error carries an echo of it.
// A PIN may hold the password only as typed, among PIN characters and
// beside characters of its own; a description only inside a repetition of
// that PIN.
func FuzzShortPasswordNeverEchoed(f *testing.F) {
	const password = "1234"
	for _, seed := range []string{
		"OK|2|AB12-34CD-1234|sifre=1234",
		"OK|2|sifre=1234|x",
		"OK|2|1234|x",
		"OK|2|%31%32%33%34|x",
		"OK|2|AB-1234|Kodunuz: AB-1234 sifre=1234",
		"OK|11234.00",
		"3|hatalı şifre 1234",
		"OK|1| |12\x0034",
		"OK|1|00012340000000000\xc2\xa00", // a no-break space once stayed in a PIN beside the password
	} {
		f.Add([]byte(seed))
	}
	sc := newScrubber(password)
	f.Fuzz(func(t *testing.T, body []byte) {
		ps, err := parsePinStatus(body, sc)
		balance, balanceErr := parseBalance(body, sc)
		for _, e := range []error{err, balanceErr} {
			if e != nil && (sc.finds(e.Error()) || strings.Contains(e.Error(), password)) {
				t.Fatalf("error %q echoes the password", e)
			}
		}
		for _, value := range []string{ps.PIN, balance} {
			if !sc.finds(value) {
				continue
			}
			if strings.Trim(strings.ReplaceAll(value, password, ""), " -") == "" ||
				strings.ContainsFunc(value, func(r rune) bool { return !isPINFieldRune(r) }) {
				t.Fatalf("value %q carries an echo of the password", value)
			}
			for _, echo := range sc.pattern.FindAllString(value, -1) {
				if echo != password {
					t.Fatalf("value %q carries the password as %q", value, echo)
				}
			}
		}
		desc := ps.Description
		if ps.PIN != "" {
			// Not inside the scrubber's own REDACTED ("sifre=REDACTED" of
			// a PIN "A"), which would then read as a value cut short.
			// A PIN ending in a letter or digit is replaced by one: "A"
			// in "Asifre=0" is what keeps "sifre=" from being the
			// password's parameter, which "\x00sifre=0" is.
			stand := "\x00"
			if last, _ := utf8.DecodeLastRuneInString(ps.PIN); isLetterOrDigit(last) {
				stand = "X"
			}
			parts := strings.Split(desc, redacted)
			for i := range parts {
				parts[i] = strings.ReplaceAll(parts[i], ps.PIN, stand)
			}
			desc = strings.Join(parts, redacted)
		}
		if sc.finds(desc) {
			t.Fatalf("description %q (PIN %q) echoes the password", ps.Description, ps.PIN)
		}
	})
}
