package store

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

func TestTextsAreFittedToTheServersEncoding(t *testing.T) {
	latin5 := holdsOf("LATIN5")
	for _, c := range []struct{ in, want string }{
		{"İşlem tamamlandı: ğüşöçı", "İşlem tamamlandı: ğüşöçı"},
		{"“onaylandı” – teşekkürler… ••••-GH78", `"onaylandı" - teşekkürler... ****-GH78`},
		{"5 € ✓", "5 EUR ?"},
	} {
		if got := fitEncoding(c.in, latin5); got != c.want {
			t.Errorf("fitEncoding(%q, LATIN5) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := fitEncoding("“x” •", nil); got != "“x” •" {
		t.Errorf("without a charmap the text changed: %q", got)
	}
	// A multi-byte encoding but UTF-8's (EUC_KR) is taken to hold ASCII
	// alone; so is one zwatch does not know.
	for _, name := range []string{"EUC_KR", "euc_jis_2004", "MULE_INTERNAL"} {
		if got, want := fitEncoding("İşlem tamamlandı: ğüşöçı “x” •", holdsOf(name)), `Islem tamamlandi: gusoci "x" *`; got != want {
			t.Errorf("fitEncoding(..., %s) = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"UTF8", "SQL_ASCII", "sql_ascii"} {
		if holdsOf(name) != nil {
			t.Errorf("%s is taken to hold less than any text", name)
		}
	}
	if charmapOf["WIN1254"] != charmap.Windows1254 {
		t.Error("WIN1254 is not Windows-1254")
	}
}

// A PIN the encoding cannot hold is not written near it, which would be a
// wrong PIN: the order is left for a person, as one too long is.
func TestAPINTheEncodingCannotHoldIsLeftForAPerson(t *testing.T) {
	row := newApplyRow(Outcome{Result: ResultDone, PIN: "AB12-€€-CD34", Message: "tamam"}, textFitter{holds: holdsOf("LATIN5")})
	if row.PIN != "" || row.ToStatus != nil || row.HoldNote == "" {
		t.Errorf("row %+v: want no PIN, no status, a note for a person", row)
	}
	row = newApplyRow(Outcome{Result: ResultDone, PIN: "ŞĞ12-CD34", Message: "İşlem tamamlandı"}, textFitter{holds: holdsOf("EUC_KR")})
	if row.PIN != "" || row.ToStatus != nil || row.HoldNote == "" || row.Message != "Islem tamamlandi" {
		t.Errorf("row %+v: want no PIN, no status, a note for a person, the message in ASCII", row)
	}
	row = newApplyRow(Outcome{Result: ResultDone, PIN: "AB12-CD34"}, textFitter{holds: holdsOf("LATIN5")})
	if row.PIN != "AB12-CD34" || row.ToStatus == nil || row.HoldNote != "" {
		t.Errorf("row %+v: want the PIN saved", row)
	}
}

// A top-up's words for the shop's row keep every code they name whole, in
// the column's own unit and after the encoding lengthened them; else the
// codes come first, each labelled, and where not even they fit, nothing
// is written but a hold for a person (a review's finds: SQL_ASCII cut the
// words by bytes, LATIN5 grew them past the column, and codes of several
// sizes joined in one list were not all found again to be masked).
func TestATopUpsWordsKeepTheirCodesWhole(t *testing.T) {
	const code = "QWPO-ZXMN-8821-7765"
	utf8Fitter, sqlASCII, latin5 := textFitter{}, textFitter{bytes: true}, textFitter{holds: holdsOf("LATIN5")}
	for _, c := range []struct {
		name  string
		f     textFitter
		words string
	}{
		{"short", utf8Fitter, "Kodunuz: " + code},
		{"past the column", utf8Fitter, strings.Repeat("a", 1985) + " Kodunuz: " + code},
		{"past the column's bytes in SQL_ASCII", sqlASCII, strings.Repeat("ş", 990) + " Kodunuz: " + code},
		{"grown past the column in LATIN5", latin5, strings.Repeat("…", 30) + strings.Repeat("a", 1940) + " Kodunuz: " + code},
	} {
		o := Outcome{Result: ResultDone, ShopMessage: c.words, ShopCodes: []string{code, "AB12CD34EF"}, Message: "Kodunuz: ••••"}
		o.ShopMessage += " ve AB12CD34EF"
		got, ok := shopMessage(o, c.f)
		if !ok || !strings.Contains(got, code) || !strings.Contains(got, "AB12CD34EF") || len(got) > 4*ProviderMessageLen ||
			c.f.bytes && len(got) > ProviderMessageLen || utf8.RuneCountInString(got) > ProviderMessageLen {
			t.Errorf("%s: %q, %v; want both codes whole within the column", c.name, got, ok)
		}
	}
	var many []string
	for k := range 200 {
		many = append(many, fmt.Sprintf("QW%03d-ZXMN-8821-7765", k))
	}
	o := Outcome{Result: ResultDone, ShopMessage: "Kodlar: " + strings.Join(many, " "), ShopCodes: append([]string{strings.Join(many, " ")}, many...)}
	if _, ok := shopMessage(o, utf8Fitter); ok {
		t.Error("200 codes, more than the column holds whole: want none written")
	}
	if row := newApplyRow(o, utf8Fitter); row.HoldNote == "" || row.ToStatus != nil {
		t.Errorf("200 codes: %+v; want the order held for a person, not approved", row)
	}
}
