package watch

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

func TestMaskPINShowsAtMostAThird(t *testing.T) {
	for pin, want := range map[string]string{
		"AB12-CD34-EF56-GH78":  "••••-GH78",
		"QQ77-1234-ZZ99":       "••••-ZZ99",
		"ABCD-EFGH":            "••••GH", // not half of it
		"ZQ7K9":                "••••9",
		"AB12":                 "••••2",
		"AAAA-1111  BBBB-2222": "••••-2222",
		"123456789012":         "••••9012",
		"AB12-CD34-EF56-GH78 ": "••••-GH78", // as the shop may have written it
		"1234 5678 9012 3456":  "•••• 3456", // its own separator, no dash it lacks
		"AB CD EF":             "•••• EF",
	} {
		if got := MaskPIN(pin); got != want {
			t.Errorf("MaskPIN(%q) = %q, want %q", pin, got, want)
		}
	}
}

func TestHidePINFindsTheShapesPanelsRepeatItIn(t *testing.T) {
	for _, c := range []struct{ pin, text, want string }{
		{"AB12-CD34-EF56-GH78", "Kod: AB12-CD34-EF56-GH78", "Kod: ••••-GH78"},
		{"AB12-CD34-EF56-GH78", "Kod: AB12CD34EF56GH78", "Kod: ••••-GH78"},
		{"AB12-CD34-EF56-GH78", "kod: ab12-cd34-ef56-gh78.", "kod: ••••-GH78."},
		{"AB12-CD34-EF56-GH78", "Kod: AB12 CD34 EF56 GH78", "Kod: ••••-GH78"},
		{"AAAA-1111  BBBB-2222", "Kodlar: AAAA-1111<br>BBBB-2222", "Kodlar: ••••-2222"},
		{"4821", "Bakiye 48213, kod 4821", "Bakiye ••••13, kod ••••1"}, // a short PIN only as it is
		{"AB12-CD34-EF56-GH78", "Siparis 1234 tamam", "Siparis 1234 tamam"},
		{"AB12 ", "PIN AB12. a  b", "PIN ••••2. a  b"}, // a shop-written PIN, trailing space and all
		{" ", "PIN AB12. a  b", "PIN AB12. a  b"},
		// Part of a PIN, as a shop trigger's left(pin, 9) quotes it: six
		// letters and digits or more, masked showing nothing.
		{"AB12-CD34-EF56-GH78", "pin AB12-CD34 too long", "pin •••• too long"},
		{"AB12-CD34-EF56-GH78", "pin starts cd34EF56, order 1010", "pin starts ••••, order 1010"},
		{"AB12-CD34-EF56-GH78", "pin ab12cd, ends GH78, AB12C", "pin ••••, ends GH78, AB12C"},
		{"AAAA-1111  BBBB-2222", "second code BBBB-22 refused", "second code •••• refused"},
		{"AAAA-1111  BBBB-2222", "across the codes 1111  BBBB-2 refused", "across the codes •••• refused"},
		// Groups of four are codes too short to look for parts of; the
		// whole PIN's parts are still found.
		{"1234 5678 9012 3456", "refused pin 1234 5678 9", "refused pin ••••"},
		{"1234 5678 9012 3456", "pin 123456789012", "pin ••••"},
		// A code found whole, and the quote running on past it into the
		// next code: the mask's shown end and the rest are part of it.
		{"AB12CD34 EF56GH78", "trigger refused pin AB12CD34 EF56 (left 13)", "trigger refused pin •••• (left 13)"},
		// A panel that writes its descriptions as HTML: tags and character
		// references between groups.
		{"1234 5678 9012 3456", "Kodunuz: 1234&nbsp;5678&nbsp;9012&nbsp;3456", "Kodunuz: •••• 3456"},
		{"1234-5678-9012-3456", "Kod: 1234&nbsp;-&nbsp;5678&nbsp;-&nbsp;9012&nbsp;-&nbsp;3456.", "Kod: ••••-3456."},
		{"1234 5678 9012 3456", "Kodunuz:<br />\n1234<br />\n5678<br />\n9012<br />\n3456", "Kodunuz:<br />\n•••• 3456"},
		{"ABCD EFGH JKLM NPQR", "Kod: ABCD &#8211; EFGH &#x2013; JKLM &ndash; NPQR", "Kod: •••• NPQR"},
		{"1234 5678 9012 3456", "left 1234&nbsp;5678&nbsp;9", "left ••••"},
		// A PIN inside a tag's attribute, or in a reference-like shape, is
		// found there; text read both ways masks a PIN made of a
		// reference's letters too, which shows less, not more.
		{"NBSP-1234", "tutar&nbsp;1234 TL", "tutar&••••34 TL"},
		{"AB12-CD34-EF56-GH78", `Kodunuz: <button data-pin="AB12CD34EF56GH78">Kopyala</button>`, `Kodunuz: <button data-pin="••••-GH78">Kopyala</button>`},
		{"AB12-CD34-EF56-GH78", "Kodunuz <AB12 CD34 EF56 GH78>", "Kodunuz <••••-GH78>"},
		{"ABCDEFGH JKLMNPQR", "kodlar <abcdefgh> <jklmnpqr>", "kodlar <••••NPQR>"},
		// Tags with attributes between the groups are markup all the same.
		{"1234 5678 9012 3456", `PIN: 1234<br class="x">5678<br class="x">9012<br class="x">3456`, `PIN: •••• 3456`},
		{"AB12-CD34", `kod <span class="pin">AB12</span>-<span class="pin">CD34</span>`, `kod <span class="pin">••••34</span>`},
		{"ABCD1234EFGH IJKL5678MNOP", "kod abcd1234efgh&ijkl5678mnop; tamam", "kod ••••MNOP; tamam"},
		// Each group in tags of its own, and a separator between them:
		// groups of four are too short for parts to be looked for, so the
		// whole code must be found across them.
		{"QW7R-9TZK-4MNB-8HJD", "Kodunuz: <span>QW7R</span> - <span>9TZK</span> - <span>4MNB</span> - <span>8HJD</span>", "Kodunuz: <span>••••-8HJD</span>"},
		{"QW7R-9TZK-4MNB-8HJD", "Kod: <b>QW7R</b> / <b>9TZK</b> / <b>4MNB</b> / <b>8HJD</b>", "Kod: <b>••••-8HJD</b>"},
		{"QW7R-9TZK-4MNB-8HJD", `<td class="pin">QW7R</td><td class="pin">9TZK</td><td class="pin">4MNB</td><td class="pin">8HJD</td>`, `<td class="pin">••••-8HJD</td>`},
		{"QW7R-9TZK-4MNB-8HJD", "Kod:   QW7R     9TZK     4MNB     8HJD", "Kod:   ••••-8HJD"},
		{"QW7R-9TZK-4MNB-8HJD", "<td><div><span>QW7R</span></div>\n</td>\n<td>\n<div><span>9TZK</span></div>\n</td>\n<td>\n<div><span>4MNB</span></div>\n</td>\n<td>\n<div><span>8HJD</span></div></td>",
			"<td><div><span>••••-8HJD</span></div></td>"},
		{"1234-5678-9012-3456", "<li><span>1234</span></li>\n<li class=\"sep\">-</li>\n<li><span>5678</span></li>\n<li class=\"sep\">-</li>\n<li><span>9012</span></li>\n<li class=\"sep\">-</li>\n<li><span>3456</span></li>",
			"<li><span>••••-3456</span></li>"},
		{"XKCD7-QWER2-ZXCV3", "Kod: XKCD7" + strings.Repeat("&nbsp;", 10) + "QWER2" + strings.Repeat("&#160;", 10) + "ZXCV3", "Kod: ••••XCV3"},
		// JSON's escapes (json_encode of a description), tags escaped as
		// text, and "&nbsp" without its semicolon.
		{"QW7R-9TZK-4MNB-8HJD", `{"aciklama":"Kod: QW7R\u00a09TZK\u00a04MNB\u00a08HJD"}`, `{"aciklama":"Kod: ••••-8HJD"}`},
		{"QW7R-9TZK-4MNB-8HJD", `"Kodunuz:\r\nQW7R\r\n9TZK\r\n4MNB\r\n8HJD"`, `"Kodunuz:\r\n••••-8HJD"`},
		{"QW7R-9TZK-4MNB-8HJD", "Kod: QW7R&lt;br /&gt;9TZK&lt;br /&gt;4MNB&lt;br /&gt;8HJD", "Kod: ••••-8HJD"},
		{"QW7R-9TZK-4MNB-8HJD", "Kod: QW7R&nbsp-&nbsp9TZK&nbsp-&nbsp4MNB&nbsp-&nbsp8HJD", "Kod: ••••-8HJD"},
		// A short code's tags count with what is seen: a PIN of six digits
		// is not found across a table's rows of other numbers.
		{"500100", `<tr><td>500</td></tr><tr><td class="x"><span>&nbsp;</span></td></tr><tr><td>100</td></tr>`, `<tr><td>500</td></tr><tr><td class="x"><span>&nbsp;</span></td></tr><tr><td>100</td></tr>`},
		{"500100", `<td>500</td><td>100</td>`, `<td>••••00</td>`},
		{"1234-5678", `<tr><td><font color=red><b><span>1234</span></b></font></td></tr><tr><td><font color=red><b><span>5678</span></b></font></td></tr>`,
			`<tr><td><font color=red><b><span>••••78</span></b></font></td></tr>`},
		{"QW7R-9TZK-4MNB-8HJD", "<tr>\n  <td class=\"pin-cell\" data-label=\"Kod\">QW7R</td>\n  <td class=\"pin-cell\" data-label=\"Kod\">9TZK</td>\n  <td class=\"pin-cell\" data-label=\"Kod\">4MNB</td>\n  <td class=\"pin-cell\" data-label=\"Kod\">8HJD</td>\n</tr>",
			"<tr>\n  <td class=\"pin-cell\" data-label=\"Kod\">••••-8HJD</td>\n</tr>"},
		{"QW7R-9TZK-4MNB-8HJD", `<span style="font-family:'Courier New',monospace;font-size:14px;letter-spacing:2px;color:#1a1a1a;background:#f4f4f4">QW7R</span>&nbsp;&mdash;&nbsp;<span style="font-family:'Courier New',monospace;font-size:14px;letter-spacing:2px;color:#1a1a1a;background:#f4f4f4">9TZK</span>&nbsp;&mdash;&nbsp;<span style="font-family:'Courier New',monospace;font-size:14px;letter-spacing:2px;color:#1a1a1a;background:#f4f4f4">4MNB</span>&nbsp;&mdash;&nbsp;<span style="font-family:'Courier New',monospace;font-size:14px;letter-spacing:2px;color:#1a1a1a;background:#f4f4f4">8HJD</span>`,
			`<span style="font-family:'Courier New',monospace;font-size:14px;letter-spacing:2px;color:#1a1a1a;background:#f4f4f4">••••-8HJD</span>`},
		// A description built from a query string, percent escapes and all.
		{"HJKL-1357-MNBV", "kod HJKL%2D1357%2DMNBV", "kod ••••-MNBV"},
		{"MNOP-QRST-7777", "kod MNOP%20QRST%207777", "kod ••••-7777"},
		{"HJKL-1357-MNBV", "kod HJKL%252D1357%25252dMNBV", "kod ••••-MNBV"},
		{"HJKL-1357-MNBV", "kod HJKL&amp;#45;1357&amp;amp;#x2D;MNBV", "kod ••••-MNBV"},
		// Full-width letters and digits, and Turkish lower case.
		{"GHJK-LMNP-4321", "kod ＧＨＪＫ-ＬＭＮＰ-４３２１", "kod ••••-4321"},
		{"LIFE-1234-KIT1", "kod lıfe-1234-kıt1", "kod ••••-KIT1"},
	} {
		if got := HidePIN(c.text, c.pin); got != c.want {
			t.Errorf("HidePIN(%q, %q) = %q, want %q", c.text, c.pin, got, c.want)
		}
	}
}

// A PIN of more letters and digits than real ones have (72) still fits
// "pinCode" and is saved: znet's words that repeat it in another case, or
// split, are masked as a shorter PIN's are (a security adversary's find:
// the lower-case repetition was kept in providerMessage and the events).
func TestALongSavedPINIsMaskedInEveryShape(t *testing.T) {
	pin := "K7Q9M3X8P5Z2W4R6T1Y0U8I7O6P5A4S3D2F1G0H9J8K7L6Z5X4C3V2B1N0M9Q8W7E6R5T4Y3"
	for _, desc := range []string{
		"Teslim edildi " + strings.ToLower(pin),
		"Kodunuz: " + pin[:35] + " " + pin[35:],
		"Kod: " + strings.Join(regroup(pin, 4), "-"),
	} {
		ps := znet.PinStatus{Status: znet.StatusDone, PIN: pin, Description: desc}
		for name, got := range map[string]string{
			"HideAnswerPINs":    HideAnswerPINs(desc, ps),
			"HideStoredMessage": HideStoredMessage(desc, pin),
			"HideHeldPIN":       HideHeldPIN(desc, pin),
		} {
			if strings.Contains(strings.ToUpper(got), pin[20:32]) {
				t.Errorf("%s(%q) = %q: holds the PIN", name, desc, got)
			}
		}
	}
}

// regroup is s cut into groups of n.
func regroup(s string, n int) []string {
	var groups []string
	for len(s) > n {
		groups, s = append(groups, s[:n]), s[n:]
	}
	return append(groups, s)
}

// The loose pattern is made of the panel's data: a PIN field of tens of
// thousands of characters once made it too large to compile, a panic that
// printed the PIN and ended the run.
func TestHidePINTakesAHugePIN(t *testing.T) {
	pin := strings.Repeat("Q7", 12000)
	if got := HidePIN("Kod: "+pin, pin); got != "Kod: ••••Q7Q7" {
		t.Errorf("the huge PIN is not masked: %.40q", got)
	}
	// Thousands of codes in the field (a panel's garbage) against a long
	// description: the field as it is is masked, and the answer is not
	// held up looking for each code in every shape (it once took minutes).
	many := strings.TrimSpace(strings.Repeat("AB12CD34 ", 7000))
	text := strings.Repeat("x", 64<<10) + many
	done := make(chan string, 1)
	go func() { done <- HidePIN(text, many) }()
	select {
	case got := <-done:
		if strings.Contains(got, many) {
			t.Error("the field of many codes is not masked")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("masking a field of 7,000 codes still runs after 30 s")
	}
}

// A batch's refusal, kept for every answer of the batch when the database
// then stops answering, may quote any of their PINs: the line about one
// answer shows none of them.
func TestAnUnsavedLineShowsNoPINOfItsBatch(t *testing.T) {
	a := store.Outcome{Order: store.Order{ID: "order-a"}, PIN: "AAAA-1111-BBBB-2222"}
	b := store.Outcome{Order: store.Order{ID: "order-b"}, PIN: "CCCC-3333-DDDD-4444"}
	refusal := fmt.Errorf("saving 2 answers: %w", errors.New("pq: PIN AAAA-1111-BBBB-2222 of order-a refused by a trigger"))
	batchErr := hidePINs(refusal, []store.Outcome{a, b})

	reason := unsavedReason(&pendingAnswer{answer: answer{order: b.Order}, outcome: b, lastErr: batchErr}, map[string]string{})

	for _, pin := range []string{a.PIN, b.PIN, "1111", "2222"} {
		if strings.Contains(reason, pin) {
			t.Errorf("the line about order-b shows %q: %s", pin, reason)
		}
	}
	if want := "pq: PIN <pin> of order-a refused by a trigger"; reason != want {
		t.Errorf("reason %q, want %q", reason, want)
	}

	// Two PINs of the batch that share a code, quoted across both: masked
	// one after the other, the first one's mask left the second's quote in
	// pieces too short to be found.
	c := store.Outcome{Order: store.Order{ID: "order-c"}, PIN: "AAAAAA-BBBBBB"}
	d := store.Outcome{Order: store.Order{ID: "order-d"}, PIN: "BBBBBB-CCCCCXYZ"}
	refusal = fmt.Errorf("saving 2 answers: %w", errors.New("pq: refused AAAAAA-BBBBBB-CCCCC"))
	batchErr = hidePINs(refusal, []store.Outcome{c, d})
	reason = unsavedReason(&pendingAnswer{answer: answer{order: d.Order}, outcome: d, lastErr: batchErr}, map[string]string{})
	if strings.Contains(reason, "CCCCC") || strings.Contains(reason, "BBBBBB") {
		t.Errorf("the line about order-d shows part of a PIN: %s", reason)
	}
}

// A refusal quoting one PIN of a batch whose other PIN shares codes with it
// shows neither: masked one PIN after the other, the first one's masks
// broke the second up into pieces too short to be found ("••••-5F-••••").
func TestAnErrorQuotingOnePINOfTwoThatShareCodesShowsNoPartOfIt(t *testing.T) {
	pinA := "UC7Q2M-81K4ZZ-QP9RTW"
	pinB := "UC7Q2M-5F-QP9RTW"
	for _, pins := range [][]string{{pinA, pinB}, {pinB, pinA}} {
		err := errors.New("shop guard refuses order 1 pin " + pinB + " (order 2 had " + pinA + "), left(pin, 9) UC7Q2M-5F")
		var outcomes []store.Outcome
		for _, pin := range pins {
			outcomes = append(outcomes, store.Outcome{Result: store.ResultDone, PIN: pin})
		}
		got := hidePINs(err, outcomes).Error()
		for _, part := range []string{"5F", "UC7Q2M", "81K4ZZ", "QP9RTW"} {
			if strings.Contains(got, part) {
				t.Errorf("PINs in the order %q: %q in the error line %q", pins, part, got)
			}
		}
	}
	// A quote of one PIN running on into the code another shares.
	got := hidePINs(errors.New("refused AAAAAA-BBBBBB-CCCCC"),
		[]store.Outcome{{Result: store.ResultDone, PIN: "AAAAAA-BBBBBB"}, {Result: store.ResultDone, PIN: "BBBBBB-CCCCCXYZ"}}).Error()
	if strings.Contains(got, "BBB") || strings.Contains(got, "CCC") {
		t.Errorf("the error line %q shows part of a PIN", got)
	}
	got = hidePINs(errors.New("refused AAAAAA-BBBBBB-CCCCC"),
		[]store.Outcome{{Result: store.ResultDone, PIN: "AAAAAA-BBBBBB"}, {Result: store.ResultDone, PIN: "BBBBBB-CCCCC"}}).Error()
	if strings.Contains(got, "BBB") || strings.Contains(got, "CCC") {
		t.Errorf("the error line %q shows part of a PIN", got)
	}
}

// BenchmarkHidePINsOfManyGroupedCodes measures the worst the withheld codes
// of one answer cost the goroutine that saves every answer of the run:
// maxLooseCodes codes of as many groups each, each group a code of its
// own to look for, against a description as long as the store keeps that
// holds the start of every one of them.
func BenchmarkHidePINsOfManyGroupedCodes(b *testing.B) {
	var pins []string
	for k := range maxLooseCodes {
		var groups []string
		for g := range maxLooseCodes {
			groups = append(groups, fmt.Sprintf("QWERTY%02d%02d", k, g))
		}
		pins = append(pins, strings.Join(groups, " "))
	}
	text := strings.Repeat("QWERTY0 ", 2200/8)
	for b.Loop() {
		HidePINs(text, pins)
	}
}
