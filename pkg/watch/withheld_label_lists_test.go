package watch_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
)

// maskedText is what zwatch keeps of an answer's words: a waiting or
// cancelled answer's description masked of what it withheld, or a
// refusal's message.
func maskedText(t *testing.T, answer string) string {
	t.Helper()
	ps, err := znet.ParsePinStatus([]byte(answer))
	if err != nil {
		if !strings.HasPrefix(answer, "3|") {
			t.Fatal(err)
		}
		return err.Error()
	}
	return watch.HideAnswerPINs(ps.Description, ps)
}

// More shapes of the same kinds (apostrophe suffixes, HTML entities once
// and twice, with and without their ';', lists after one label), as
// HTML-escaping panels and people write them, that still reached
// "providerMessage", the logs and last_error in clear.
func TestCodesInEscapedLabelsAndMarkedListsAreMasked(t *testing.T) {
	for _, tc := range []struct{ name, answer, group, kept string }{
		// PHP's htmlspecialchars (ENT_QUOTES, the default since 8.1)
		// writes the apostrophe of "PIN'iniz" as &#039;: no label is found.
		{"apostrophe-escaped", "OK|1| |PIN&#039;iniz: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"apostrophe-apos", "OK|1| |E-PIN&apos;iniz: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"apostrophe-escaped-refusal", "3|PIN&#039;iniz: AB12-CD34-EF56-GH78 zaten kullanıldı", "CD34", "zaten kullanıldı"},
		// Only "&nbsp;" is a label's space: its numeric form is not.
		{"numeric-nbsp-after-label", "OK|1| |PIN&#160;AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		// Escaped twice, as HidePINs' markupToken expects (&amp;nbsp;):
		// "nbsp;" ended the clause at its ';'.
		{"double-escaped-nbsp-between-groups", "OK|1| |Kodunuz: AB12&amp;nbsp;CD34&amp;nbsp;EF56&amp;nbsp;GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"double-escaped-nbsp-refusal", "3|Kodunuz: AB12&amp;nbsp;CD34&amp;nbsp;EF56&amp;nbsp;GH78 zaten kullanıldı", "CD34", "zaten kullanıldı"},
		// "&nbsp" without its ';' (browsers show it; markupToken reads it).
		{"nbsp-without-semicolon", "OK|1| |Kodunuz: AB12&nbsp CD34&nbsp EF56&nbsp GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		// A lettered list: "b)" is no code piece, and the list stopped there.
		{"lettered-list", "OK|3| |Kodlarınız: a) AB12-CD34-EF56-GH78, b) GH78-JK90-LM12-NP34 iade edildi", "JK90", "iade edildi"},
		{"lettered-list-refusal", "3|Kodlar: a) AB12-CD34-EF56-GH78, b) GH78-JK90-LM12-NP34 zaten kullanıldı", "JK90", "zaten kullanıldı"},
		// A code whose first group is letters only, written in groups.
		{"letter-group-first-item", "OK|3| |Kodlarınız: 1111 2222 3333 4444, ABCD EFGH 1234 5678 iade edildi", "EFGH 1234", "iade edildi"},
		// "&nbsp" without ';' was read between groups, but masking asked
		// for no letter beside a piece: the 'p' of "&nbsp" is one.
		{"nbsp-no-semicolon-glued-refusal", "3|Kodunuz: AB12&nbspCD34&nbspEF56&nbspGH78 zaten kullanıldı", "CD34", "zaten kullanıldı"},
		// PHP's htmlentities (not htmlspecialchars) writes ’ as &rsquo;.
		{"rsquo-suffix", "OK|1| |PIN&rsquo;iniz: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"rsquo-suffix-refusal", "3|PIN&rsquo;iniz: AB12-CD34-EF56-GH78 zaten kullanıldı", "CD34", "zaten kullanıldı"},
		{"numeric-rsquo-suffix", "OK|1| |PIN&#8217;iniz: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		// Escaped twice, as "&amp;nbsp;" between groups is read.
		{"double-escaped-apostrophe", "OK|1| |PIN&amp;#039;iniz: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"double-escaped-nbsp-after-label", "OK|1| |PIN&amp;nbsp;AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		// "&nbsp" without ';' after a label.
		{"nbsp-no-semicolon-after-label", "OK|1| |PIN&nbsp AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertCodeMasked(t, tc.answer, tc.group, tc.kept) })
	}
}

// assertCodeMasked checks that what zwatch keeps of answer (maskedText)
// holds no group of the code and keeps the words kept.
func assertCodeMasked(t *testing.T, answer, group, kept string) {
	t.Helper()
	text := maskedText(t, answer)
	if strings.Contains(text, group) {
		t.Errorf("%q: code group %q kept in clear: %q", answer, group, text)
	}
	if !strings.Contains(text, kept) {
		t.Errorf("%q: the words %q lost: %q", answer, kept, text)
	}
}

// A list goes on only from an item that held a code: read on after a
// clause that named none ("Kodunuz iptal edildi, ..."), an order or phone
// number in the next item was masked, and staff lost what they need to
// find the refund. Past the label's sentence only a code plainly so is
// read: not an order's, a product's, a card's or a player's id.
func TestNoListIsReadAfterALabelThatNamedNoCode(t *testing.T) {
	for _, tc := range []struct{ answer, kept string }{
		{"OK|3| |Kodunuz iptal edildi, 12345678901 nolu sipariş iade edildi", "12345678901 nolu sipariş"},
		{"OK|3| |Kodunuz iptal edildi; 05321234567 numaralı hattınıza iade yapıldı", "05321234567"},
		{"OK|3| |PIN bekleniyor, 5321234567 nolu hat için yükleme iade edildi", "5321234567"},
		{"OK|3| |Kod: yok, 12345678901 nolu sipariş iptal edildi", "12345678901"},
		{"3|Kod geçersiz, 12345678901 nolu sipariş için tekrar deneyin", "12345678901"},
		{"OK|3| |Kodunuz iptal edildi, 0532 123 45 67 numaraya SMS gitti", "0532 123 45 67"},
		{"OK|3| |Kodunuz iptal edildi, TR12 0006 2000 0001 2345 6789 01 IBAN'ınıza iade edildi", "TR12 0006 2000 0001 2345 6789 01"},
		{"OK|3| |Kodunuz iptal edildi, SIP20260312001 nolu sipariş iade edildi", "SIP20260312001"},
		{"OK|3| |Kodunuz geçersiz, ORD12345678 siparişiniz iptal", "ORD12345678"},
		{"OK|3| |Kodunuz iptal edildi, PUBG 1800 UC paketi iade edildi", "PUBG 1800 UC"},
		{"3|Kodunuz iptal edildi, PUBG 1800 UC paketi iade edildi", "PUBG 1800 UC"},
		{"OK|3| |PIN iptal edildi, 4543 60** **** 1234 nolu kartınıza iade yapıldı", "4543 60** **** 1234"},
		{"OK|3| |Kodunuz iptal edildi, oyuncu1234567 kullanıcısına iade edildi", "oyuncu1234567"},
	} {
		if text := maskedText(t, tc.answer); !strings.Contains(text, tc.kept) {
			t.Errorf("%q: %q is masked: %q", tc.answer, tc.kept, text)
		}
	}
}

// A list's next item is a code from its first word on, and has a marker
// only where the list's first item has one: an order number after a code,
// in a panel's capitals ("SIPARIS NO ...") or after "a)", is staff's.
func TestAnOrderNumberAfterACodeIsKept(t *testing.T) {
	for _, tc := range []struct{ answer, kept string }{
		{"OK|3| |KODUNUZ: AB12-CD34-EF56-GH78, SIPARIS NO 12345678901 IADE EDILDI", "12345678901"},
		{"3|KODUNUZ: AB12-CD34-EF56-GH78, SIPARIS NO 12345678901 ZATEN IPTAL", "12345678901"},
		{"OK|3| |Kodunuz: AB12-CD34-EF56-GH78, a) 12345678901 nolu sipariş iade edildi", "12345678901"},
	} {
		text := maskedText(t, tc.answer)
		if !strings.Contains(text, tc.kept) {
			t.Errorf("%q: order number %q masked: %q", tc.answer, tc.kept, text)
		}
		if strings.Contains(text, "CD34") {
			t.Errorf("%q: code in clear: %q", tc.answer, text)
		}
	}
}

// A list goes on only to an item of the first code's size: a bare order,
// phone or IBAN number one comma or semicolon after a code was read as
// the list's next code and masked.
func TestNumbersAfterACodesCommaAreKept(t *testing.T) {
	for _, tc := range []struct{ name, answer, group, kept string }{
		{"order-after-list", "OK|3| |Kodlar: AB12-CD34-EF56-GH78, GH78-JK90-LM12-NP34, 12345678901 nolu sipariş iade edildi", "CD34", "12345678901 nolu"},
		{"order-after-list-refusal", "3|Kodlar: AB12-CD34-EF56-GH78, GH78-JK90-LM12-NP34, 12345678901 nolu sipariş kullanıldı", "CD34", "12345678901 nolu"},
		{"order-after-code-refusal", "3|Kod: AB12-CD34-EF56-GH78, 12345678901 nolu sipariş zaten kullanıldı", "CD34", "12345678901 nolu"},
		{"order-after-semicolon", "OK|3| |Kodlar: AB12-CD34-EF56-GH78; 12345678901 nolu sipariş iade edildi", "CD34", "12345678901 nolu"},
		{"phone-after-code", "OK|3| |Kodlar: AB12-CD34-EF56-GH78, 05321234567 hattına iade edildi", "CD34", "05321234567"},
		{"phone-after-code-refusal", "3|Kod: AB12-CD34-EF56-GH78, 05321234567 numaraya SMS gitti", "CD34", "05321234567"},
		{"grouped-phone-after-code", "OK|3| |Kod: AB12-CD34-EF56-GH78, 0532 123 45 67 numaraya SMS gitti", "CD34", "0532 123 45 67"},
		{"grouped-phone-after-code-refusal", "3|Kod: AB12-CD34-EF56-GH78, 0532 123 45 67 numaraya SMS gitti", "CD34", "0532 123 45 67"},
		{"iban-after-code", "OK|3| |Kod: AB12-CD34-EF56-GH78, TR12 0006 2000 0001 2345 6789 01 IBAN'a iade", "CD34", "TR12 0006 2000 0001 2345 6789 01"},
		{"marked-order-after-marked-list", "OK|3| |Kodlar: 1) AB12-CD34-EF56-GH78, 2) 12345678901 nolu sipariş iade edildi", "CD34", "12345678901 nolu"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertCodeMasked(t, tc.answer, tc.group, tc.kept) })
	}
}

// Codes a list separates by " | " or " & ", and labels in HTML markup
// ("<b>Kodunuz</b>: ...", "<td>Kod</td><td>...", escaped too), as a panel
// writing its descriptions as HTML has them, stayed in clear; so did a
// code in angle brackets once tags were read.
func TestCodesAfterLabelsInMarkupAndOtherSeparatorsAreMasked(t *testing.T) {
	for _, tc := range []struct{ name, answer, group, kept string }{
		{"pipe", "OK|3| |Kodlarınız: AB12-CD34-EF56-GH78 | GH78-JK90-LM12-NP34 iade edildi", "JK90", "iade edildi"},
		{"pipe-refusal", "3|Kodlar: AB12-CD34-EF56-GH78 | GH78-JK90-LM12-NP34 zaten kullanıldı", "JK90", "zaten kullanıldı"},
		{"ampersand", "OK|3| |Kod: AB12-CD34-EF56-GH78 & GH78-JK90-LM12-NP34 iade", "JK90", "iade"},
		{"ampersand-refusal", "3|Kod: AB12-CD34-EF56-GH78 & GH78-JK90-LM12-NP34 kullanıldı", "JK90", "kullanıldı"},
		{"bold-label", "OK|1| |<b>Kodunuz</b>: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"bold-label-refusal", "3|<b>Kodunuz</b>: AB12-CD34-EF56-GH78 zaten kullanıldı", "CD34", "zaten kullanıldı"},
		{"strong-label", "OK|1| |<strong>PIN</strong> AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"table-cells", "3|<td>Kod</td><td>AB12-CD34-EF56-GH78</td> kullanıldı", "CD34", "kullanıldı"},
		{"br-after-label", "OK|1| |Kodunuz<br>AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"escaped-bold-label-refusal", "3|&lt;b&gt;Kodunuz&lt;/b&gt;: AB12-CD34-EF56-GH78 kullanıldı", "CD34", "kullanıldı"},
		// Tags are the ones a description is written with: a code in
		// angle brackets, or after a '<' of a comparison, is no tag; and a
		// tag's own ';' ends no clause.
		{"angle-brackets", "OK|1| |Kodunuz: <AB12-CD34-EF56-GH78> hazırlanıyor", "CD34", "hazırlanıyor"},
		{"angle-brackets-refusal", "3|Kodunuz: <AB12-CD34-EF56-GH78> zaten kullanıldı", "CD34", "zaten kullanıldı"},
		{"pin-angle-brackets-refusal", "3|PIN <AB12-CD34-EF56-GH78> zaten kullanıldı", "CD34", "zaten kullanıldı"},
		{"less-than-in-label-clause", "OK|1| |Kod (hane < 20): AB12-CD34-EF56-GH78 hazır > tekrar", "CD34", "hazır"},
		{"less-than-in-label-clause-refusal", "3|Kod (hane < 20): AB12-CD34-EF56-GH78 kullanıldı > tekrar", "CD34", "kullanıldı"},
		{"less-than-before-label-refusal", "3|Bakiye<10 TL, kod: AB12-CD34-EF56-GH78 -> kullanıldı", "CD34", "kullanıldı"},
		{"styled-span", `OK|1| |Kodunuz: <span style="color:red;">AB12-CD34-EF56-GH78</span> hazırlanıyor`, "CD34", "hazırlanıyor"},
		{"styled-span-refusal", `3|Kodunuz: <span style="color:red;">AB12-CD34-EF56-GH78</span> kullanıldı`, "CD34", "kullanıldı"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertCodeMasked(t, tc.answer, tc.group, tc.kept) })
	}
}

// A code after the label's own sentence ("PIN kodunuz aşağıdadır.
// AB12-…") was read with the sentence, which holds none, and stayed in
// clear. The next clause's code is read where it is plainly one: with
// letters, or in groups of one length.
func TestACodeAfterTheLabelsSentenceIsMasked(t *testing.T) {
	for _, tc := range []struct{ name, answer, group, kept string }{
		{"sentence-then-code", "OK|1| |PIN kodunuz aşağıdadır. AB12-CD34-EF56-GH78", "CD34", "aşağıdadır"},
		{"sentence-then-code-refusal", "3|PIN kodunuz iletilmiştir. AB12-CD34-EF56-GH78 kullanıldı", "CD34", "kullanıldı"},
		{"comma-then-code", "OK|1| |Kodunuz hazır, AB12-CD34-EF56-GH78 olarak tanımlandı", "CD34", "olarak tanımlandı"},
		{"colon-then-grouped-digits", "OK|1| |Kodunuz hazır: 1234 5678 9012 3456 iyi oyunlar", "5678", "iyi oyunlar"},
		// A numbered list after the sentence: its first marker stands in
		// the label's clause.
		{"colon", "OK|1| |Kodlarınız aşağıdadır: 1) AB12-CD34-EF56-GH78, 2) GH78-JK90-LM12-NP34 iyi oyunlar", "JK90", "iyi oyunlar"},
		{"sentence", "OK|1| |Kodlarınız aşağıdadır. 1) AB12-CD34-EF56-GH78, 2) GH78-JK90-LM12-NP34 iyi oyunlar", "JK90", "iyi oyunlar"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertCodeMasked(t, tc.answer, tc.group, tc.kept) })
	}
}

// BenchmarkHideAWaitingAnswersListOfThousandsOfCodes: the description
// path of a 64 KB waiting answer listing codes: ParsePinStatus reads
// every one as withheld (PINsToHide), and HidePINs masks the 2200 runes
// an outcome keeps with all of them (maxLooseWork).
func BenchmarkHideAWaitingAnswersListOfThousandsOfCodes(b *testing.B) {
	for _, item := range []string{"A%07d, ", "QWERTY%04d-%04d, ", "A%07d 1;"} {
		var sb strings.Builder
		sb.WriteString("OK|1| |Kodlar: ")
		for i := 0; sb.Len() < 64<<10-60; i++ {
			if strings.Count(item, "%") == 2 {
				fmt.Fprintf(&sb, item, i, i)
			} else {
				fmt.Fprintf(&sb, item, i)
			}
		}
		body := []byte(sb.String())
		b.Run(item, func(b *testing.B) {
			for b.Loop() {
				ps, err := znet.ParsePinStatus(body)
				if err != nil {
					b.Fatal(err)
				}
				text := []rune(ps.Description)
				watch.HideAnswerPINs(string(text[:2200]), ps)
			}
		})
	}
}

// Lists whose items are separated by their marks alone ("1. X 2. Y"), or
// whose first item the label numbers ("Kod 1: X, 2: Y"), and the labels
// of game keys and vouchers ("Lisans anahtarınız:", "Kupon:", "Key:"),
// kept every code but the first, or all of them, in clear.
func TestCodesInMarkedListsAndKeyLabelsAreMasked(t *testing.T) {
	for _, tc := range []struct{ name, answer, group, kept string }{
		{"numbers-without-commas", "OK|3| |Kodlar: 1. AB12-CD34-EF56-GH78 2. GH78-JK90-LM12-NP34 iade edildi", "JK90", "iade edildi"},
		{"letters-without-commas", "OK|3| |Kodlar: a. AB12-CD34-EF56-GH78 b. GH78-JK90-LM12-NP34 iade edildi", "JK90", "iade edildi"},
		{"items-with-full-stops", "OK|3| |Kodlar: 1. AB12-CD34-EF56-GH78. 2. GH78-JK90-LM12-NP34. İade edildi", "JK90", "İade edildi"},
		{"digits-without-commas", "OK|3| |Kodlar: 1. 1234567890123456 2. 6543210987654321 iade edildi", "54321", "iade edildi"},
		{"numbers-without-commas-refusal", "3|Kodlar: 1. AB12-CD34-EF56-GH78 2. GH78-JK90-LM12-NP34 zaten kullanıldı", "JK90", "zaten kullanıldı"},
		{"label-numbers-first", "OK|3| |Kod 1: AB12-CD34-EF56-GH78, 2: GH78-JK90-LM12-NP34 iade edildi", "JK90", "iade edildi"},
		{"label-numbers-first-paren", "OK|3| |PIN 1) AB12-CD34-EF56-GH78; 2) GH78-JK90-LM12-NP34 iade edildi", "JK90", "iade edildi"},
		{"label-numbers-first-refusal", "3|Kod 1: AB12-CD34-EF56-GH78, 2: GH78-JK90-LM12-NP34 zaten kullanıldı", "JK90", "zaten kullanıldı"},
		{"license-key", "OK|3| |Lisans anahtarınız: AB12-CD34-EF56-GH78 iade edildi", "CD34", "iade edildi"},
		{"steam-key", "OK|1| |Steam Key: ABCDE-FGH12-IJK34 hazırlanıyor", "FGH12", "hazırlanıyor"},
		{"voucher", "OK|3| |Voucher: AB12-CD34-EF56-GH78 refunded", "CD34", "refunded"},
		{"coupon", "OK|3| |Kuponunuz: AB12-CD34-EF56-GH78 iade edildi", "CD34", "iade edildi"},
		{"key-refusal", "3|Key: AB12-CD34-EF56-GH78 already used", "CD34", "already used"},
		// The next item's mark was read as the item's last group ("Y 3"):
		// from the third item on, the codes stayed in clear.
		{"three-items", "OK|3| |Kodlar: 1. AB12-CD34-EF56-GH78 2. GH78-JK90-LM12-NP34 3. QR12-ST34-UV56-WX78 iade edildi", "ST34", "iade edildi"},
		{"three-items-second", "OK|3| |Kodlar: 1. AB12-CD34-EF56-GH78 2. GH78-JK90-LM12-NP34 3. QR12-ST34-UV56-WX78 iade edildi", "JK90", "iade edildi"},
		{"three-digit-items", "OK|3| |Kodlar: 1. 1234567890123456 2. 6543210987654321 3. 1111222233334444 iade edildi", "22223333", "iade edildi"},
		{"three-items-refusal", "3|Kodlar: 1. AB12-CD34-EF56-GH78 2. GH78-JK90-LM12-NP34 3. QR12-ST34-UV56-WX78 zaten kullanıldı", "ST34", "zaten kullanıldı"},
		{"label-numbers-three", "OK|3| |Kod 1: AB12-CD34-EF56-GH78 2. GH78-JK90-LM12-NP34 3. QR12-ST34-UV56-WX78 iade edildi", "ST34", "iade edildi"},
		// A second review's: items with markup, or dotted (read whole and
		// short of a group), were taken for more than the code; the
		// colon-only labels in tags.
		{"nbsp-items", "OK|3| |Kodlar: 1. AB12&nbsp;CD34&nbsp;EF56&nbsp;GH78 2. ZX8C&nbsp;1VBN&nbsp;MLKJ&nbsp;7HGF iade edildi", "1VBN", "iade edildi"},
		{"nbsp-items-refusal", "3|Kodlar: 1. AB12&nbsp;CD34&nbsp;EF56&nbsp;GH78 2. ZX8C&nbsp;1VBN&nbsp;MLKJ&nbsp;7HGF zaten kullanıldı", "1VBN", "zaten kullanıldı"},
		{"tagged-items", "OK|3| |Kodlar: 1. <b>AB12-CD34-EF56-GH78</b> 2. <b>ZX8C-1VBN-MLKJ-7HGF</b> iade edildi", "1VBN", "iade edildi"},
		{"dotted-items", "OK|3| |Kodlar: 1. 1234.5678.9012.3456 2. 2345.6789.0123.4567 iade edildi", "6789", "iade edildi"},
		{"dotted-items-refusal", "3|Kodlar: 1. 1234.5678.9012.3456 2. 2345.6789.0123.4567 zaten kullanıldı", "6789", "zaten kullanıldı"},
		{"tagged-anahtar-colon", "OK|3| |<b>Anahtar</b>: AB12-CD34-EF56-GH78 iade edildi", "CD34", "iade edildi"},
		{"tagged-kupon-colon", "3|<b>Kuponunuz</b>: AB12-CD34-EF56-GH78 zaten kullanıldı", "CD34", "zaten kullanıldı"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertCodeMasked(t, tc.answer, tc.group, tc.kept) })
	}
	// A list's next mark followed by no code, or by an order's number, is
	// the shop's sentence.
	for _, tc := range []struct{ answer, kept string }{
		{"OK|3| |Kodlar: 1. AB12-CD34-EF56-GH78 2. adet iade edildi", "2. adet iade edildi"},
		{"OK|3| |Kodlar: 1. AB12-CD34-EF56-GH78 2. 12345678901 nolu sipariş", "12345678901 nolu"},
		{"OK|3| |Kod 1: AB12-CD34-EF56-GH78, 2: 12345678901 nolu sipariş", "12345678901 nolu"},
		{"3|API key geçersiz, 12345678901 nolu sipariş", "12345678901 nolu"},
		{"OK|3| |Kupon: 50 TL indirim, 12345678901 nolu sipariş iade edildi", "50 TL indirim, 12345678901 nolu"},
		// The new label words in their other senses, and a full stop
		// that ends a sentence rather than a marked item (a review's
		// finds: each was masked).
		{"3|Undefined array key 12345678901 in /home/bayi/servis/pin_kontrol.php on line 12", "12345678901"},
		{"3|Key not found for order 12345678901", "12345678901"},
		{"3|Anahtar 12345678901 nolu sipariş icin bulunamadi", "12345678901"},
		{"OK|3| |Kod 1: AB12-CD34-EF56-GH78. 1234-5678-9012-3456 nolu kartınıza iade edildi", "1234-5678-9012-3456"},
		{"OK|3| |Kod 1: 12345678901. 98765432109 nolu sipariş iade", "98765432109"},
		{"OK|3| |Kodunuz: 1. AB12-CD34-EF56-GH78 iade edildi. 2. 1234-5678-9012-3456 nolu kart", "1234-5678-9012-3456"},
	} {
		if text := maskedText(t, tc.answer); !strings.Contains(text, tc.kept) {
			t.Errorf("%q: %q is masked: %q", tc.answer, tc.kept, text)
		}
	}
}

// Turkish names a thing by a word after it: "<code> kodlu sipariş" (the
// order with the code). A code written before "kodlu" stayed in clear in a
// refusal's error and a waiting answer's words; an order's number there
// is the shop's.
func TestACodeBeforeItsTurkishLabelIsMasked(t *testing.T) {
	for _, tc := range []struct{ name, answer, group, kept string }{
		{"refusal", "3|AB12-CD34-EF56-GH78 kodlu siparis zaten onaylandi", "CD34", "zaten onaylandi"},
		{"waiting", "OK|1| |AB12-CD34-EF56-GH78 kodlu pin hazırlanıyor", "CD34", "hazırlanıyor"},
		{"after words", "OK|3| |Siparişiniz 1234 5678 9012 3456 kodlu kart ile iade edildi", "9012", "iade edildi"},
		{"in brackets", "OK|3| |Sipariş (AB12-CD34-EF56-GH78 kodlu) iade edildi", "CD34", "iade edildi"},
		{"before kodunuz", "3|AB12-CD34-EF56-GH78 kodunuz hatalı", "CD34", "hatalı"},
		{"quoted", `3|"AB12-CD34-EF56-GH78" kodlu sipariş zaten onaylandı`, "CD34", "zaten onaylandı"},
		{"bracketed", "OK|3| |(AB12-CD34-EF56-GH78) kodlu sipariş iade edildi", "CD34", "iade edildi"},
		{"tagged", "OK|3| |<b>AB12-CD34-EF56-GH78</b> kodlu sipariş iade edildi", "CD34", "iade edildi"},
		{"nbsp", "OK|3| |AB12-CD34-EF56-GH78&nbsp;kodlu sipariş iade edildi", "CD34", "iade edildi"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertCodeMasked(t, tc.answer, tc.group, tc.kept) })
	}
	for _, tc := range []struct{ answer, kept string }{
		{"OK|3| |12345678901 kodlu sipariş iade edildi", "12345678901 kodlu"},
		{"3|SIP-2026-0312 kodlu sipariş bulunamadı", "SIP-2026-0312 kodlu"},
		{"OK|1| |PUBG 1800 UC kodunuz hazırlanıyor", "PUBG 1800 UC kodunuz"},
		// Words after the code, and a sentence's amounts, are no part of
		// it (a second review's finds).
		{"3|AB12-CD34-EF56-GH78 nolu kod kullanılmış; 5678 nolu bayi", "5678 nolu bayi"},
		{"OK|3| |AB12-CD34-EF56-GH78 eski kodunuz, eski siparişiniz iade edildi", "eski siparişiniz"},
		{"3|Toplam 250 250 500. Kodunuz iptal edildi, 250 TL iade", "250 TL iade"},
		// A line break or a table's cell ends a line of amounts or an
		// order's number as a full stop does (a third review's finds).
		{"3|Toplam 250 250 500<br>Kodunuz iptal edildi, 250 TL iade", "250 TL iade"},
		{"3|Toplam 250 250 500</td><td>Kodunuz iptal edildi, 250 TL iade", "250 TL iade"},
		{"OK|3| |Tutar: 100 200 300<br />Kod iade edildi", "100 200 300"},
		{"OK|3| |Sipariş 123 456 789<br>Kodunuz iptal edildi", "123 456 789"},
		{"3|Bayi 1234 5678 9012&lt;br /&gt;kodunuz hatalı", "1234 5678 9012"},
	} {
		if text := maskedText(t, tc.answer); !strings.Contains(text, tc.kept) {
			t.Errorf("%q: masked to %q, want the shop's number kept", tc.answer, text)
		}
	}
}
