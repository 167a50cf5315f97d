package watch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Staff delivered a PIN by hand and left the order sent, and znet, asked
// about it later, quotes that PIN in its text: in a refusal, a waiting or
// cancelled answer's description, or a done answer's that carries another
// PIN. Codes in shapes no rule of znet's finds (all digits, groups of
// mixed lengths, lower case) stayed in clear in last_error, the order's
// providerMessage, zwatch_order_events and the logs; the order's own PIN
// is masked wherever znet's words about that order go.
func TestThePINAnOrderHoldsIsMaskedInWhatZnetSaysOfIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	held := map[string]string{ // referans: the PIN the order holds
		"78001": "482910375561",
		"78002": "zx9-QW81-k7",
		"78003": "771204558813",
		"78004": "905533118826",
		"78005": "ZX98-YW76-VU54-TS32",
		"78006": "QA55-WS44-ED33-RF22",
		"78007": "PL09-OK87-IJ76-UH65",
		"78008": "AB1-CD23-E4",
	}
	ids := map[string]string{}
	for ref, pin := range held {
		ids[ref] = e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: ref, PINCode: " " + pin + "\n"})
	}
	e.znet.Script("78001", znettest.Rejected("3", "Bu siparis 482910375561 koduyla zaten teslim edildi"))
	e.znet.Script("78002", znettest.Cancelled("Iptal: zx9-QW81-k7 geri alindi"))
	e.znet.Script("78003", znettest.Done("NEW1-PIN2-7788", "Eski kod 771204558813 iptal, yeni kod verildi"))
	e.znet.Script("78004", znettest.Waiting("905533118826 hazirlaniyor"))
	e.znet.Script("78005", znettest.Waiting("teslim edildi ZX98 YW76 VU54 TS32"))
	e.znet.Script("78006", znettest.Waiting("teslim: <b>QA55</b>-<b>WS44</b>-<b>ED33</b>-<b>RF22</b>"))
	e.znet.Script("78007", znettest.Rejected("3", "zaten teslim edildi pl09 ok87 ij76 uh65"))
	e.znet.Script("78008", znettest.Rejected("3", "Zaten teslim edildi AB1-CD23-E4"))

	e.run(e.config())

	texts := []string{e.logs.String()}
	for ref, id := range ids {
		if c := e.db.ReadCheck(id); c.LastError != nil {
			texts = append(texts, *c.LastError)
		}
		row := e.db.ReadOrder(id)
		if row.ProviderMessage != nil {
			texts = append(texts, *row.ProviderMessage)
		}
		if row.PINCode == nil || strings.TrimSpace(*row.PINCode) != held[ref] {
			t.Errorf("order %s holds %v: want its own PIN kept", ref, row.PINCode)
		}
		// Its first eight letters and digits, as znet's words quote them:
		// spaced, in markup, in lower case.
		if n := e.db.ZwatchRowsMentioningLoosely(firstAlnums(held[ref], 8)); n != 0 {
			t.Errorf("%d rows of zwatch's tables hold the PIN order %s holds", n, ref)
		}
	}
	if c := e.db.ReadCheck(ids["78001"]); c.LastError == nil || !strings.Contains(*c.LastError, "zaten teslim edildi") {
		t.Errorf("last_error %v: want znet's refusal, its words but the PIN kept", c.LastError)
	}
	// check --order, and its dry run, tell znet's answer as a run saves it.
	e.db.MakeAllDue()
	for _, dryRun := range []bool{true, false} {
		cfg := e.config()
		cfg.DryRun = dryRun
		for ref, answer := range map[string]string{"78001": "", "78004": "hazirlaniyor"} {
			check, err := watch.CheckOrder(context.Background(), e.db.Store, cfg, ids[ref])
			if err != nil {
				t.Fatalf("check --order %s (dry run %v): %v", ref, dryRun, err)
			}
			if (check.Err != nil) != (ref == "78001") {
				t.Errorf("check --order %s (dry run %v): error %v", ref, dryRun, check.Err)
			}
			if check.Err != nil {
				texts = append(texts, check.Err.Error())
			}
			texts = append(texts, check.Description())
			if answer != "" && !strings.Contains(check.Answer.Description, answer) {
				t.Errorf("check --order %s: description %q, want znet's words", ref, check.Answer.Description)
			}
		}
	}
	for _, text := range texts {
		for _, pin := range held {
			// In any case, with anything between its letters and digits.
			if strings.Contains(lettersAndDigits(text), lettersAndDigits(pin)[:8]) {
				t.Errorf("the PIN an order holds (%s) is in clear:\n%s", pin, text)
			}
		}
	}
}

func lettersAndDigits(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s))
}

// A done answer's description may name a code besides its PIN, the one
// it replaced ("Eski kodunuz ... iptal edildi, yeni kod verildi"): masked
// with the PIN, in lastMessage, providerMessage and the events, where only
// the PIN field's code was.
func TestACodeADoneAnswerNamesBesidesItsPINIsMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("78101")
	e.znet.Script("78101", znettest.Done("QQ11-WW22-EE33-RR44", "Eski kodunuz ZX98-YW76-VU54-TS32 iptal edildi, yeni kod verildi"))

	e.run(e.config())

	row := e.db.ReadOrder(id)
	if row.PINCode == nil || *row.PINCode != "QQ11-WW22-EE33-RR44" {
		t.Fatalf("order %+v: want znet's PIN saved", row)
	}
	for what, text := range map[string]*string{"lastMessage": row.LastMessage, "providerMessage": row.ProviderMessage} {
		if text == nil || !strings.Contains(*text, "iptal edildi") || strings.Contains(*text, "YW76") || strings.Contains(*text, "WW22") {
			t.Errorf("%s %v: want znet's words without either code", what, text)
		}
	}
	if n := e.db.ZwatchRowsMentioning("YW76"); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the old code", n)
	}
	assertNoSecrets(t, "the log", e.logs.String(), "ZX98-YW76", "QQ11-WW22")
}

// A PIN an order holds that is a number, or too short to be looked for in
// other shapes ("1234", "123456"), is masked only where it stands as a
// word of its own: looked for in part, it cut pieces out of every order
// number and date in znet's words (a review's find: "Siparis ••••45678901",
// "2026••••12••••05"). One of fewer than four letters and digits ("-", a
// placeholder staff typed) is not looked for.
func TestAShortOrNumericPINAnOrderHoldsIsMaskedAsAWordAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const words = "Siparis 20261205123456 2026-12-05 tarihinde teslim edildi"
	for ref, pin := range map[string]string{"78201": "1234", "78202": "-", "78203": "12345", "78204": "123456"} {
		id := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: ref, PINCode: pin})
		e.znet.Script(ref, znettest.Rejected("3", words+", kod "+pin))
		e.run(e.config())
		c := e.db.ReadCheck(id)
		if c.LastError == nil || !strings.Contains(*c.LastError, words) {
			t.Errorf("held PIN %q: last_error %v, want znet's words whole", pin, c.LastError)
		} else if len(pin) >= 4 && strings.Contains(*c.LastError, "kod "+pin) {
			t.Errorf("held PIN %q: last_error %q shows it", pin, *c.LastError)
		}
	}
	for text, want := range map[string]string{
		"Kod 1234 zaten teslim":  "Kod ••••4 zaten teslim",
		"kod:1234.":              "kod:••••4.",
		"Siparis 12345678901234": "Siparis 12345678901234",
		"1234 ve 1234":           "••••4 ve ••••4",
	} {
		if got := watch.HideHeldPIN(text, "1234"); got != want {
			t.Errorf("HideHeldPIN(%q, 1234) = %q, want %q", text, got, want)
		}
	}
}

// The shapes in which a PIN an order holds is found in znet's words (a
// review's finds: a PIN of groups quoted joined was left in clear, and
// one that is not UTF-8, a SQL_ASCII shop's, made the run panic).
func TestHideHeldPINFindsThePINInItsShapes(t *testing.T) {
	for _, tc := range []struct{ text, pin, want string }{
		{"teslim edildi: AB12CD34EF56GH78.", "AB12 CD34 EF56 GH78", "teslim edildi: •••• GH78."},
		{"teslim edildi (1234567890123456)", "1234 5678 9012 3456", "teslim edildi (•••• 3456)"},
		{"kod: 4829-1037-5561, siparis 20261205482910375561", "482910375561", "kod: ••••5561, siparis 20261205482910375561"},
		{"kod 48291037 teslim", "48291037\xa0", "kod ••••37 teslim"},
		{"Kod KIT12 ve kıt12", "KIT12", "Kod ••••2 ve ••••2"},
		{"Kod ＡＢ１２", "AB12", "Kod ••••2"},
		{"siparis 20261205, 12026 TL", "2026", "siparis 20261205, 12026 TL"},
	} {
		if got := watch.HideHeldPIN(tc.text, tc.pin); got != tc.want {
			t.Errorf("HideHeldPIN(%q, %q) = %q, want %q", tc.text, tc.pin, got, tc.want)
		}
	}
}

// A done answer's old code is masked whole, not in part: a reference
// taken for one must not cut pieces out of a date beside it.
func TestADoneAnswersOldCodeIsMaskedWholeOnly(t *testing.T) {
	for body, code := range map[string]string{
		"OK|2| - |Siparis kodu: TR20261205001, 2026-12-05 tarihinde":                    "TR202612",
		"OK|2|QQ11-WW22-EE33-RR44|Eski kod zx98 yw76 vu54 ts32 iptal, tarih 2026-12-05": "yw76",
		// Masked with the PIN in one pass: the PIN's part in it, masked
		// first, left the rest of the old code to be found whole by nothing.
		"OK|2|XBOX-12AB-CD34-EF56|Eski kod XBOX-12ZZ-YY99-WW88 iptal, tarih 2026-12-05": "YY99",
		// An old code ending in the PIN's groups: its mask showed them.
		"OK|2|AB12-CD34-EF56-GH78|Eski kod ZZ99-XX88-AB12-CD34 iptal, tarih 2026-12-05": "CD34",
		"OK|2|AB12CD34 EF56GH78|Eski kod QQ11WW22-AB12CD34 iptal, tarih 2026-12-05":     "CD34",
		"OK|2|AB12-CD34-EF56-GH78|Eski kod ZZ99-XX88-YY77-EF56 iptal, tarih 2026-12-05": "EF56",
		// The codes on both sides of a word after a label read as one: the
		// run was unlike the PIN, and left whole.
		"OK|2|AB12-CD34|Eski kod ZZ99-XY12 yeni AB12-CD34, tarih 2026-12-05": "XY12",
		// Past the bound on old codes a run names, the run is withheld
		// whole: seventeen codes before it could not push it into clear.
		// (Not beside the PIN again: a description listing it with
		// another code of its shape is refused, see znet's
		// TestCodesPartedByBars.)
		"OK|2|AB12-CD34|Kod Q0000000 Q0000001 Q0000002 Q0000003 Q0000004 Q0000005 Q0000006 Q0000007 Q0000008 Q0000009 " +
			"Q0000010 Q0000011 Q0000012 Q0000013 Q0000014 Q0000015 Q0000016 ZZ99-XY12, tarih 2026-12-05": "XY12",
	} {
		ps, err := znet.ParsePinStatus([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := watch.HideAnswerPINs(ps.Description, ps); strings.Contains(got, code) || !strings.Contains(got, "2026-12-05") {
			t.Errorf("%q: %q, want the code masked and the date whole", body, got)
		}
	}
}

// BenchmarkHideHeldPINOfManyCodes: a held PIN of many numbers, looked for
// as words in a description as long as a panel may send, on the goroutine
// that saves every panel's answers.
func BenchmarkHideHeldPINOfManyCodes(b *testing.B) {
	var pin, text strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&pin, "%08d ", 10000000+i)
	}
	for text.Len() < 64<<10 {
		text.WriteString("siparis 20261205123456 teslim, kod 10000007 ")
	}
	for b.Loop() {
		watch.HideHeldPIN(text.String(), pin.String())
	}
}

// A final order's stored message is masked of its PIN as a done answer's
// description is, in any shape and in part (a review's find: looked for
// as a held PIN, a number in markup was left in clear).
func TestAStoredMessageIsMaskedOfThePINInEveryShape(t *testing.T) {
	for _, text := range []string{
		"Teslim edildi 1234<br>5678<br>9012<br>3456",
		"<td>1234</td><td>5678</td><td>9012</td><td>3456</td>",
		"1234 – 5678 – 9012 – 3456",
		"Teslim edildi: 12345678…",
	} {
		if got := watch.HideStoredMessage(text, "1234567890123456"); strings.Contains(got, "5678") {
			t.Errorf("HideStoredMessage(%q) = %q", text, got)
		}
	}
}

// firstAlnums is s up to its nth letter or digit.
func firstAlnums(s string, n int) string {
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if n == 0 {
				return s[:i]
			}
			n--
		}
	}
	return s
}
