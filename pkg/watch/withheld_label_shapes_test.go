package watch_test

import (
	"testing"
)

// Shapes in which a waiting or cancelled answer's description, or a
// refusal (3|...), names a code after a label, and the code reached
// "providerMessage", the logs and last_error in clear. Each case names a
// group of the code that must not survive masking.
func TestCodesInTheShapesPanelsLabelThemAreMasked(t *testing.T) {
	for _, tc := range []struct{ name, answer, group, kept string }{
		// A list of codes after one label, comma and space between them:
		// the clause ended at ", ", and only the first was read.
		{"list-comma-space", "OK|3| |Kodlarınız: AB12-CD34-EF56, GH78-JK90-LM12 iade edildi", "JK90", "iade edildi"},
		{"list-comma-space-refusal", "3|Kodlar: AB12-CD34-EF56, GH78-JK90-LM12 zaten kullanıldı", "JK90", "zaten kullanıldı"},
		// HTML descriptions: an entity right after the label, or between
		// groups. the clause ended at '&' (meant for an echoed query), so
		// nothing was read.
		{"nbsp-after-label", "OK|1| |Kodunuz:&nbsp;AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"nbsp-between-groups", "OK|1| |Kodunuz: AB12&nbsp;CD34&nbsp;EF56&nbsp;GH78", "CD34", "Kodunuz"},
		{"entity-dash-between-groups", "OK|1| |Kod: AB12&#45;CD34&#45;EF56&#45;GH78", "CD34", "Kod"},
		{"nbsp-refusal", "3|Kodunuz:&nbsp;AB12-CD34-EF56-GH78 zaten kullanıldı", "CD34", "zaten kullanıldı"},
		// Turkish writes a suffix after an abbreviation with an apostrophe:
		// "PIN'iniz" (your PIN). The label wanted a space, ':' or ','
		// right after "PIN".
		{"pin-apostrophe-suffix", "OK|1| |E-PIN'iniz: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"pin-apostrophe-suffix-no-colon", "OK|1| |PIN'iniz AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"pin-apostrophe-suffix-refusal", "3|PIN'iniz AB12-CD34-EF56-GH78 zaten teslim edildi", "CD34", "zaten teslim edildi"},
		// Dotted groups in lower case (hex-like codes): the clause ended
		// at the first dot and left a group of four.
		{"lowercase-dotted", "OK|1| |Kodunuz: ab12.cd34.ef56.gh78 hazırlanıyor", "cd34", "hazırlanıyor"},
		{"pin-typographic-apostrophe", "OK|1| |PIN’iniz: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		{"epin-kodu", "OK|1| |EpinKodu: AB12-CD34-EF56-GH78 hazırlanıyor", "CD34", "hazırlanıyor"},
		// A list ends where an item starts with no code: the words after
		// it are the shop's to read.
		{"list-then-words", "OK|3| |Kodlar: AB12-CD34-EF56-GH78; GH78-JK90-LM12-NP34; iade 1.050,00 TL", "JK90", "iade 1.050,00 TL"},
		{"list-on-lines", "OK|3| |Kodlarınız:\nAB12-CD34-EF56-GH78\nGH78-JK90-LM12-NP34\niade edildi", "JK90", "iade edildi"},
		{"lowercase-dotted-refusal", "3|Kod: ab12.cd34.ef56.gh78 zaten kullanıldı", "cd34", "zaten kullanıldı"},
	} {
		t.Run(tc.name, func(t *testing.T) { assertCodeMasked(t, tc.answer, tc.group, tc.kept) })
	}
}
