package store

import (
	"testing"

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
