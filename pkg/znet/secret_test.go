package znet

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// containsSecret reports whether s holds the password in any form a panel
// may echo it.
func containsSecret(s, password string) bool { return newScrubber(password).finds(s) }

// phpEchoes is the password the way a PHP panel may print it back: what
// urlencode, rawurlencode, htmlspecialchars, htmlentities, json_encode,
// addslashes and a raw $_SERVER['QUERY_STRING'] make of it.
func phpEchoes(password string) map[string]string {
	lowerHex := regexp.MustCompile(`%[0-9A-F]{2}`)
	lower := func(s string) string { return lowerHex.ReplaceAllStringFunc(s, strings.ToLower) }
	each := func(format string) string {
		var b strings.Builder
		for _, r := range password {
			fmt.Fprintf(&b, format, r)
		}
		return b.String()
	}
	win1254, _ := charmap.Windows1254.NewEncoder().String(password)
	var jsonB strings.Builder
	for _, r := range strings.ReplaceAll(password, "/", `\/`) {
		if r > 127 {
			fmt.Fprintf(&jsonB, `\u%04x`, r)
		} else {
			jsonB.WriteRune(r)
		}
	}
	specialChars := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#039;")
	entities := strings.NewReplacer("&", "&amp;", `"`, "&quot;", "'", "&#039;", "ö", "&ouml;", "ş", "&scedil;", "Ç", "&Ccedil;")
	return map[string]string{
		"raw":                      password,
		"upper case":               strings.ToUpper(password),
		"urlencode":                url.QueryEscape(password),
		"urlencode, lower hex":     lower(url.QueryEscape(password)),
		"rawurlencode":             url.PathEscape(password),
		"rawurlencode, %20":        strings.ReplaceAll(url.PathEscape(password), "+", "%2B"),
		"escaped twice":            url.QueryEscape(url.QueryEscape(password)),
		"windows-1254 escaped":     url.QueryEscape(win1254),
		"htmlspecialchars":         specialChars.Replace(password),
		"htmlentities":             entities.Replace(password),
		"htmlspecialchars(escape)": specialChars.Replace(url.QueryEscape(password)),
		"decimal entities":         each("&#%d;"),
		"hex entities":             each("&#x%X;"),
		"json_encode":              jsonB.String(),
		"addslashes":               strings.NewReplacer(`\`, `\\`, `'`, `\'`, `"`, `\"`).Replace(password),
		"quotemeta":                backslashed(password, `.\+*?[^]$()`),
		"preg_quote":               backslashed(password, `.\+*?[^]$(){}=!<>|:-#/`),
		"urldecode of $_GET":       phpURLDecode(password),
		"Go's %q":                  strings.Trim(strconv.Quote(password), `"`),
	}
}

// backslashed is s with a backslash before each of chars, as PHP's
// quotemeta and preg_quote write it.
func backslashed(s, chars string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(chars, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// phpURLDecode is PHP's urldecode, of a value that is UTF-8 decoded.
func phpURLDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '+':
			b.WriteByte(' ')
		case s[i] == '%' && i+2 < len(s):
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
			b.WriteByte('%')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func TestScrubberFindsEveryEcho(t *testing.T) {
	for _, password := range []string{secret, `Gizli'Şifre"Ç\ 9+`, "plainpassword1", "yüzde100%", "a&b&", "Gizli+2024%21", "Gizli.Sifre(2024)", "gİz li+%ş\t1", "Gizli%7C2024", "ab%21c", "12%2B34"} {
		sc := newScrubber(password)
		for form, echo := range phpEchoes(password) {
			text := "Bekliyor; istek: kod=D1&sifre=" + echo + "&tahsilat_api_islem_id=7 tamam"
			got := sc.scrub(text)
			if strings.Contains(got, echo) || !strings.Contains(got, "sifre="+redacted+"&tahsilat_api_islem_id=7 tamam") {
				t.Errorf("%q, %s: scrubbed to %q", password, form, got)
			}
			if !sc.finds(text) || sc.finds(got) {
				t.Errorf("%q, %s: finds before %v, after %v", password, form, sc.finds(text), sc.finds(got))
			}
		}
	}
	clean := "OK|2|AB12-CD34|İşlem tamamlandı, şifre değil"
	if got := newScrubber(secret).scrub(clean); got != clean {
		t.Errorf("text without the password changed: %q", got)
	}
	if got := (*scrubber)(nil).scrub(clean); got != clean || newScrubber("").finds(clean) {
		t.Error("no password must find and change nothing")
	}
}

// TestAnswersNeverCarryThePassword: a panel that repeats the request in a
// normal answer, in any field, in any form. The status still reads right,
// and no field holds a trace of the password.
func TestAnswersNeverCarryThePassword(t *testing.T) {
	for form, echo := range phpEchoes(secret) {
		repeat := "istek kod=" + dealer + "&sifre=" + echo
		for name, tt := range map[string]struct {
			answer znettest.Answer
			status Status
			pin    string
		}{
			"waiting":   {znettest.Waiting(repeat), StatusWaiting, ""},
			"done":      {znettest.Done("AB12-CD34", repeat), StatusDone, "AB12-CD34"},
			"cancelled": {znettest.Cancelled(repeat), StatusCancelled, ""},
		} {
			s, c := newFake(t)
			s.Script("1001", tt.answer)
			got, err := c.CheckPin(context.Background(), "1001")
			if err != nil {
				t.Fatalf("%s, %s: %v", form, name, err)
			}
			if got.Status != tt.status || got.PIN != tt.pin || got.Description != "istek kod="+dealer+"&sifre="+redacted {
				t.Errorf("%s, %s: got %+v", form, name, got)
			}
		}
	}
}

// A PIN field that is, or carries, an echo of the password is not
// delivered: the answer is refused, and the error does not hold the
// password either. A PIN that merely contains a short password, as typed, is
// a PIN, and is delivered whole; the description is scrubbed all the same.
func TestPINFieldWithThePasswordIsRefused(t *testing.T) {
	for _, password := range []string{secret, "1234", "İzmir9"} {
		s := znettest.NewServer(dealer, password)
		t.Cleanup(s.Close)
		c := newTestClient(t, s.URL, password)
		echoes := phpEchoes(password)
		echoes["Turkish upper"] = strings.ToUpperSpecial(unicode.TurkishCase, password)
		echoes["Turkish lower"] = strings.ToLowerSpecial(unicode.TurkishCase, password)
		echoes["mb_strtolower"] = strings.ToLower(password) // "İ" becomes "i" and a combining dot
		for form, echo := range echoes {
			if strings.Contains(echo, "|") {
				continue
			}
			for _, pin := range []string{echo, "sifre=" + echo, "kod=" + dealer + "&sifre=" + echo + "&tahsilat_api_islem_id=1001", "PIN-" + echo} {
				if pin == "PIN-"+password && password != secret {
					continue // a short password as typed, among PIN characters: see below
				}
				s.Script("1001", znettest.Done(pin, "tamam"))
				got, err := c.CheckPin(context.Background(), "1001")
				if k, _ := KindOf(err); k != KindUnusable || !reflect.DeepEqual(got, PinStatus{}) {
					t.Errorf("%q, %s, PIN field %q: got %+v, %v; want the answer refused as unusable", password, form, pin, got, err)
				}
				if err != nil && (strings.Contains(err.Error(), password) || strings.Contains(err.Error(), echo)) {
					t.Errorf("%q, %s: the error shows the password: %v", password, form, err)
				}
				assertNoSecret(t, err, password)
			}
		}
	}

	s := znettest.NewServer(dealer, "1234")
	t.Cleanup(s.Close)
	c := newTestClient(t, s.URL, "1234")
	for _, pin := range []string{"AB12-34CD-1234", "PIN-1234", "1234 5678 9012"} {
		s.Script("1001", znettest.Done(pin, "istek: kod="+dealer+"&sifre=1234"))
		got, err := c.CheckPin(context.Background(), "1001")
		if err != nil || !reflect.DeepEqual(got, PinStatus{Status: StatusDone, PIN: pin, Description: "istek: kod=" + dealer + "&sifre=REDACTED"}) {
			t.Errorf("PIN %q with password 1234: got %+v, %v; want the PIN whole and the description scrubbed", pin, got, err)
		}
	}
	s.SetBalance("11234.12")
	if got, err := c.Balance(context.Background()); err != nil || got != "11234.12" {
		t.Errorf("balance 11234.12 with password 1234: got %q, %v", got, err)
	}
}

// A rejection, a PHP warning before the answer and a balance answer are
// scrubbed too.
func TestOtherAnswersNeverCarryThePassword(t *testing.T) {
	s, c := newFake(t)
	warning := "<br />\n<b>Warning</b>: file_get_contents(http://x/?sifre=" + url.QueryEscape(secret) + ") on line 12<br />\n"
	s.Script("1001", znettest.Raw(200, []byte(warning+"OK|1| |sifre="+url.PathEscape(secret))))
	s.Script("1002", znettest.Rejected("3", "hatalı şifre: "+strings.Repeat("x", 181)+secret))
	got, err := c.CheckPin(context.Background(), "1001")
	if err != nil || got.Description != "sifre="+redacted {
		t.Errorf("warning: got %+v, %v", got, err)
	}
	_, err = c.CheckPin(context.Background(), "1002")
	assertNoSecret(t, err, secret)
	// Cut after the 200th character, a piece of the password would be left
	// for no pattern to find: the scrub comes before the cut.
	if strings.Contains(err.Error(), secret[:4]) {
		t.Errorf("the rejection holds a piece of the password: %v", err)
	}
	s.SetBalanceAnswer(znettest.Raw(200, []byte("OK|sifre="+secret)))
	_, err = c.Balance(context.Background())
	assertNoSecret(t, err, secret)
}

// A Windows-1254 panel that echoes the request as it received it: its own
// text is Windows-1254, but the password zwatch sent arrives, and is echoed,
// as UTF-8 bytes. The mixed body is read as Windows-1254, which turns the
// password's letters into mojibake ("kapÄ±"): a form as easy to read back as
// the password itself.
func TestMixedEncodingEchoIsScrubbed(t *testing.T) {
	const pw = "Kapı-Şifre-ğü9"
	s := znettest.NewServer(dealer, pw)
	t.Cleanup(s.Close)
	c := newTestClient(t, s.URL, pw)
	desc, err := charmap.Windows1254.NewEncoder().String("İşlem sürüyor")
	if err != nil {
		t.Fatal(err)
	}
	s.Script("1001", znettest.Raw(200, []byte("OK|1| |"+desc+" sifre="+pw)))

	got, err := c.CheckPin(context.Background(), "1001")

	if err != nil || got.Description != "İşlem sürüyor sifre="+redacted {
		t.Errorf("got %+v, %v; want the description with the password REDACTED", got, err)
	}
}

// assertQueryEchoScrubbed checks that an echo of the password inside a query
// string is replaced, and nothing around it.
func assertQueryEchoScrubbed(t *testing.T, sc *scrubber, what, echo string) {
	t.Helper()
	if got := sc.scrub("sifre=" + echo + "&x=1"); got != "sifre="+redacted+"&x=1" {
		t.Errorf("%s: echo %q scrubbed to %q", what, echo, got)
	}
}

// Turkish letters change case in ways Unicode's simple folding does not
// follow: PHP's mb_strtoupper makes "ı" an "I" and mb_strtolower makes "İ"
// an "i" with a combining dot; a Turkish locale makes "i" an "İ".
func TestTurkishCaseEchoIsScrubbed(t *testing.T) {
	const pw = "kapı-İzmir9"
	sc := newScrubber(pw)
	for form, echo := range map[string]string{
		"mb_strtoupper":   "KAPI-İZMIR9",
		"mb_strtolower":   "kapı-i\u0307zmir9",
		"Turkish upper":   strings.ToUpperSpecial(unicode.TurkishCase, pw),
		"Turkish lower":   strings.ToLowerSpecial(unicode.TurkishCase, pw),
		"ASCII-only case": "KAPı-İZMIR9",
	} {
		assertQueryEchoScrubbed(t, sc, form, echo)
	}
	// Upper case the ASCII way, then lower case the Turkish way: every i
	// dotless.
	const ascii = "gizlisifre"
	turned := strings.ToLowerSpecial(unicode.TurkishCase, strings.ToUpper(ascii))
	assertQueryEchoScrubbed(t, newScrubber(ascii), "upper, then Turkish lower", turned)
	assertQueryEchoScrubbed(t, newScrubber(turned), "the dotless password, upper", strings.ToUpper(ascii))
	for form, echo := range map[string]string{
		"upper, then Turkish lower, percent-escaped": "g%C4%B1zl%C4%B1s%C4%B1fre",
		"Turkish upper, percent-escaped":             "G%C4%B0ZL%C4%B0S%C4%B0FRE",
		"Turkish upper, then mb_strtolower":          "gi\u0307zli\u0307si\u0307fre",
	} {
		assertQueryEchoScrubbed(t, newScrubber(ascii), form, echo)
	}
}

// UTF-8 read byte by byte in a Western charset: MySQL's latin1 (Windows-1252,
// its five unassigned bytes kept as C1 controls) or PHP's utf8_encode
// (ISO-8859-1). Windows-1254 has no "ž" for the 0x9E of "Ş", ISO-8859-1 has
// C1 controls where Windows-1252 has "Ÿ" and "Ž".
func TestWesternMojibakeEchoIsScrubbed(t *testing.T) {
	for _, tt := range []struct{ form, password, echo string }{
		{"MySQL latin1", "Şifre2024", "Åžifre2024"},
		{"MySQL latin1", "dağ2024x", "daÄŸ2024x"},
		{"MySQL latin1, unassigned byte", "Ábc-2024", "Ã\u0081bc-2024"},
		{"MySQL latin1, upper case", "Şifre2024", "ÅžIFRE2024"},
		{"utf8_encode", "dağ2024x", "daÄ\u009f2024x"},
		{"utf8_encode", "Şifre2024", "Å\u009eifre2024"},
		{"utf8_encode", "€uro-fiyat", "â\u0082¬uro-fiyat"},
	} {
		assertQueryEchoScrubbed(t, newScrubber(tt.password), tt.form+", password "+tt.password, tt.echo)
	}
}

// A panel in a Western charset escapes the password's ISO-8859-1 or
// Windows-1252 bytes, as it does Windows-1254 ones.
func TestWesternCharsetEscapesAreScrubbed(t *testing.T) {
	for _, tt := range []struct{ password, echo string }{
		{"ýðþ-12345", "%FD%F0%FE-12345"},
		{"ýðþ-12345", "%25fd%25f0%25fe-12345"},
		{"Žaba-12345", "%8Eaba-12345"},
		{"Žaba-12345", `\x8eaba-12345`},
	} {
		assertQueryEchoScrubbed(t, newScrubber(tt.password), "password "+tt.password, tt.echo)
	}
}

// PHP's htmlentities writes a named entity for every character HTML has a
// name for, not only the ones a hand-made list thinks of: "â", "î", "û" (in
// Turkish words), "é", "€" and hundreds more. The echo is replaced where it
// stands; the rest of the text, entities and all, is left as it was.
func TestHTMLNamedEntityEchoIsScrubbed(t *testing.T) {
	for _, tt := range []struct{ form, password, echo string }{
		{"htmlentities", "kâr2024", "k&acirc;r2024"},
		{"htmlentities", "îçûn-2024", "&icirc;&ccedil;&ucirc;n-2024"},
		{"htmlentities", "café-2024", "caf&eacute;-2024"},
		{"htmlentities", "€uro-fiyat", "&euro;uro-fiyat"},
		{"htmlentities, symbols", "½kâr²-2024", "&frac12;k&acirc;r&sup2;-2024"},
		{"htmlentities, then strtoupper", "kâr2024", "K&ACIRC;R2024"},
		{"htmlentities, then ucfirst on the name", "kâr2024", "k&Acirc;r2024"},
		{"htmlentities, space as +", "kâr 2024", "k&acirc;r+2024"},
	} {
		text := "kod=D1&amp;sifre=" + tt.echo + "&amp;x=&eacute;1"
		if got := newScrubber(tt.password).scrub(text); got != "kod=D1&amp;sifre="+redacted+"&amp;x=&eacute;1" {
			t.Errorf("%s: %q echoed as %q scrubbed to %q", tt.form, tt.password, tt.echo, got)
		}
	}
}

// htmlspecialchars applied twice, or three times (a template that escapes
// what the code escaped already) writes "&amp;amp;" for "&".
func TestRepeatedlyEscapedHTMLEchoIsScrubbed(t *testing.T) {
	for _, tt := range []struct{ form, password, echo string }{
		{"htmlspecialchars twice", "a&b12345", "a&amp;amp;b12345"},
		{"htmlspecialchars three times", "a&b12345", "a&amp;amp;amp;b12345"},
		{"htmlentities, then htmlspecialchars", "kâr<2024", "k&amp;acirc;r&amp;lt;2024"},
		{"numeric, then htmlspecialchars", "kâr2024", "k&amp;#226;r2024"},
	} {
		if got := newScrubber(tt.password).scrub("<b>sifre=" + tt.echo + "</b>"); got != "<b>sifre="+redacted+"</b>" {
			t.Errorf("%s: %q echoed as %q scrubbed to %q", tt.form, tt.password, tt.echo, got)
		}
	}
}

// An answer whose PIN field is an entity echo is refused; the description's
// echo is scrubbed where it stands.
func TestEntityEchoInAnAnswer(t *testing.T) {
	const pw = "kâr2024"
	s := znettest.NewServer(dealer, pw)
	t.Cleanup(s.Close)
	c := newTestClient(t, s.URL, pw)
	s.Script("1001", znettest.Done("AB12-CD34", "istek kod="+dealer+"&amp;sifre=k&acirc;r2024 &amp; tamam"))
	got, err := c.CheckPin(context.Background(), "1001")
	if err != nil || got.Description != "istek kod="+dealer+"&amp;sifre="+redacted+" &amp; tamam" {
		t.Errorf("got %+v, %v; want the description with the echo REDACTED", got, err)
	}
	for _, pin := range []string{"k&acirc;r2024", "PIN-k&amp;acirc;r2024"} {
		s.Script("1002", znettest.Done(pin, "tamam"))
		got, err = c.CheckPin(context.Background(), "1002")
		if k, _ := KindOf(err); k != KindUnusable || !reflect.DeepEqual(got, PinStatus{}) || strings.Contains(err.Error(), "acirc") {
			t.Errorf("PIN field %q: got %+v, %v; want the answer refused", pin, got, err)
		}
	}
}

// A panel that trims its input echoes a password with spaces around it
// without them. The trimmed password is a form only when it is longer than
// maxCoincidentPasswordRunes: a shorter one turns up in genuine PINs, which
// would be refused for it.
func TestTrimmedEchoIsScrubbed(t *testing.T) {
	for _, tt := range []struct{ password, echo string }{
		{"  Gizli-Şifre9 ", "Gizli-Şifre9"},
		{"\tGizli-Şifre9", "GIZLI-%C5%9EIFRE9"},
		{"Gizli Şifre 9  ", "Gizli+%c5%9eifre+9"},
		{" 123456789", "123456789"},
	} {
		assertQueryEchoScrubbed(t, newScrubber(tt.password), "password "+tt.password, tt.echo)
	}
	if sc := newScrubber(" 12345678 "); sc.finds("12345678") || sc.scrub("sifre=+12345678+") != "sifre="+redacted {
		t.Error("a password of 8 characters trimmed must be found only with its spaces")
	}
	for _, blank := range []string{" ", " \t "} {
		if sc := newScrubber(blank); sc.finds("x") || sc.scrub("a"+blank+"b") != "a"+redacted+"b" {
			t.Errorf("password %q: the trimmed password, empty, must find nothing", blank)
		}
	}

	s := znettest.NewServer(dealer, " 1234 ")
	t.Cleanup(s.Close)
	c := newTestClient(t, s.URL, " 1234 ")
	s.Script("1001", znettest.Done("AB12-34CD-1234", "tamam"))
	if got, err := c.CheckPin(context.Background(), "1001"); err != nil || got.PIN != "AB12-34CD-1234" {
		t.Errorf("PIN with a short password trimmed in it: got %+v, %v; want it delivered", got, err)
	}
}

// Full case mapping, as PHP's mb_strtoupper does since 7.3, turns one
// character into several: "ß" into "SS", "ﬁ" into "FI".
func TestFullCaseMappingEchoIsScrubbed(t *testing.T) {
	for _, tt := range []struct{ password, echo string }{
		{"Straße-2024", "STRASSE-2024"},
		{"Straße-2024", "strasse-2024"},
		{"ﬁyat-2024", "FIYAT-2024"},
	} {
		assertQueryEchoScrubbed(t, newScrubber(tt.password), "password "+tt.password, tt.echo)
	}
}

// Cleaning turns any white space or control character into a space and
// drops the marks that reorder text: an echo with a line break, a tab, a
// no-break space (0xA0 in Windows-1254) or an ideographic space for the
// password's space, or a reordering mark inside, would come out of
// cleaning as the password itself, in the shop's message columns.
func TestEchoesThatCleaningWouldRebuildAreScrubbed(t *testing.T) {
	for _, tt := range []struct{ password, body string }{
		{"p@ss w0rd!", "OK|2|GOOD-7001-AAAA|Bayi sifre: p@ss\nw0rd! dogrulandi"},
		{"p@ss w0rd!", "OK|2|GOOD-7001-AAAA|Bayi sifre: p@ss\r\nw0rd! dogrulandi"},
		{"p@ss w0rd!", "OK|1| |sifre p@ss\tw0rd! bekliyor"},
		{"p@ss w0rd!", "3|Gecersiz sifre p@ss\xa0w0rd! \xfd"},
		{"p@ss w0rd!", "OK|1| |sifre p@ss\u3000w0rd!"},
		{"gizlisifre9", "OK|1| |sifre gizli\u200esifre9"},
	} {
		ps, err := parsePinStatus([]byte(tt.body), newScrubber(tt.password))
		got := fmt.Sprintf("%+v %v", ps, err)
		if strings.Contains(got, tt.password) || !strings.Contains(got, redacted) {
			t.Errorf("password %q, %q: %s; want the echo REDACTED", tt.password, tt.body, got)
		}
	}
}

// From a review of the scrubber's white space: joining a PIN's codes does
// not rebuild the password; a short password with a space found across a
// line break between codes is a coincidence, as across a space; a password's
// white space at its ends does not take in a line break, which would join
// a warning to the answer after it; a Windows-1254 echo with a no-break
// space is found.
func TestWhiteSpaceEchoesAndCoincidences(t *testing.T) {
	for _, body := range []string{"OK|2|p@ss<br />w0rd!|x", "OK|2|p@ss \r\nw0rd!|x", "OK|2|p@ss\t\tw0rd!|x"} {
		if ps, err := parsePinStatus([]byte(body), newScrubber("p@ss w0rd!")); err == nil || strings.Contains(fmt.Sprint(ps, err), "w0rd") {
			t.Errorf("%q: %+v, %v; want it refused without the password", body, ps, err)
		}
	}
	for _, tt := range []struct{ password, body, pin string }{
		{" 1234 ", "OK|2|AB12\n1234\nCD34|x", "AB12 1234 CD34"},
		{"12 34", "OK|2|XY12\n34ZZ|x", "XY12 34ZZ"},
		{"1234 ", "Warning: bad sifre 1234\nOK|2|AB12-CD34|x", "AB12-CD34"},
	} {
		if ps, err := parsePinStatus([]byte(tt.body), newScrubber(tt.password)); err != nil || ps.PIN != tt.pin {
			t.Errorf("password %q, %q: %+v, %v; want PIN %q", tt.password, tt.body, ps, err, tt.pin)
		}
	}
	ps, err := parsePinStatus([]byte("OK|1| |sifre G\xdc\xc7\xa02024x onayl\xfd"), newScrubber("GÜÇ 2024x"))
	if err != nil || !strings.Contains(ps.Description, redacted) || strings.Contains(ps.Description, "2024x") {
		t.Errorf("a Windows-1254 echo with a no-break space: %+v, %v", ps, err)
	}
	if ps, err := ParsePinStatus([]byte("Warning: x\nOK|2|AB12-CD34|Turkcell on line 5")); err != nil || ps.PIN != "AB12-CD34" {
		t.Errorf("an answer ending like a PHP message: %+v, %v", ps, err)
	}
}

// A password that, decoded once more, is a few characters or holds a "|"
// ("2%7C" is "2|") is not looked for so: it would mark the fields of
// every answer, and no done answer would read.
func TestAShortDecodedPasswordLeavesTheAnswersAlone(t *testing.T) {
	for _, pw := range []string{"2%7C", "OK%7C2", "a%0Ab%0Ac"} {
		ps, err := parsePinStatus([]byte("OK|2|AB12-CD34-EF56|tamam"), newScrubber(pw))
		if err != nil || ps.Status != StatusDone || ps.PIN != "AB12-CD34-EF56" {
			t.Errorf("password %q: %+v, %v; want done with its PIN", pw, ps, err)
		}
	}
}

// A panel's login page sends the request back with its address in base64
// ("?r=..."), and a debug line may print the query string in hex: the
// password is in there whole, at any of a 3-byte group's positions in the
// base64, as typed or as the query string carries it.
func TestWholeEncodingsOfThePasswordAreScrubbed(t *testing.T) {
	for _, password := range []string{secret, "Gizli Şifre%7x", "plainpassword1", "s3cr3t~~pass"} {
		sc := newScrubber(password)
		query := url.Values{"kod": {dealer}, "sifre": {password}}.Encode()
		for _, prefix := range []string{"", "/", "/s", "/servis/pin_kontrol.php?"} {
			for _, plain := range []string{prefix + query, prefix + "sifre=" + password + "&x=1"} {
				for name, encoded := range map[string]string{
					"base64":      base64.StdEncoding.EncodeToString([]byte(plain)),
					"base64url":   base64.RawURLEncoding.EncodeToString([]byte(plain)),
					"hex":         hex.EncodeToString([]byte(plain)),
					"hex, upper":  strings.ToUpper(hex.EncodeToString([]byte(plain))),
					"in the path": "giris.php?r=" + base64.URLEncoding.EncodeToString([]byte(plain)) + "&lang=tr",
					"urlencoded":  "giris.php?r=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(plain))),
				} {
					got := sc.scrub("OK|1| |token " + encoded)
					if !sc.finds(encoded) || !strings.Contains(got, redacted) || sc.finds(got) {
						t.Errorf("%q in %s of %q: scrubbed to %q", password, name, plain, got)
					}
				}
			}
		}
	}
	// A short password's encodings are a few characters, found by chance.
	short := base64.StdEncoding.EncodeToString([]byte("ab12"))
	if newScrubber("ab12").finds("OK|2|X" + short + "|tamam") {
		t.Errorf("a 4-byte password was looked for in base64 (%s)", short)
	}
}

// A panel cuts its message to its column (substr, a varchar(64)) or wraps
// it (wordwrap with $cut), and the request it quotes with it: the password
// was there in part, or in two parts, which no form of the whole password
// matches, and most of it reached last_error, the logs and
// providerMessage. Whatever the password's parameter holds is its.
func TestAPasswordEchoedInPartIsScrubbed(t *testing.T) {
	const password = "gizliSifre2024!"
	sc := newScrubber(password)
	for name, body := range map[string]string{
		"cut at the column's end":   "3|Yetkisiz istek: /servis/pin_kontrol.php?kod=D1&sifre=gizliSifre20",
		"wrapped mid-word":          "3|Yetkisiz istek: /servis/pin_kontrol.php?kod=D1&sifre=gizliSif\nre2024%21&tahsilat_api_islem_id=4300",
		"description cut":           "OK|1| |istek kod=D1&sifre=gizliSifre202",
		"description wrapped":       "OK|1| |istek:\n/servis/pin_kontrol.php?kod=D1&sifre=gizliSif\r\nre2024%21&tahsilat_api_islem_id=4300",
		"inside another URL, cut":   "3|Oturum yok: /giris.php?return=%2Fservis%2Fpin_kontrol.php%3Fkod%3DD1%26sifre%3DgizliSif",
		"$_GET as JSON, cut":        `OK|1| |{"kod":"D1","sifre":"gizliSifre20`,
		"Turkish capitals, cut":     "3|HATALI ŞİFRE=GIZLISIFRE20",
		"between a query's others":  "3|kod=D1&sifre=gizliSifre&tahsilat_api_islem_id=4300 hatalı",
		"escaped twice, cut inside": "3|r=%252Fservis%253Fkod%253DD1%2526sifre%253DgizliSifr%2526x=1",
		// A review's finds: wordwrap with the manual's "<br />\n", and
		// $_GET dumped, cut to a column.
		"wrapped with <br>":       "3|Yetkisiz istek: /servis/pin_kontrol.php?kod=D1&sifre=gizliSif<br>re2024%21&tahsilat_api_islem_id=4300",
		"wrapped with <br />\n":   "OK|1| |istek /servis/pin_kontrol.php?kod=D1&sifre=gizliSif<br />\nre2024%21&tahsilat_api_islem_id=4300",
		"print_r of $_GET, cut":   "3|Yetkisiz: Array ( [kod] => D1 [sifre] => gizliSifre20",
		"print_r, waiting, cut":   "OK|1| |Array ( [kod] => D1 [sifre] => gizliSifre20",
		"var_export, cut":         "3|array ( 'kod' => 'D1', 'sifre' => 'gizliSifre20",
		"single-quoted dict, cut": "3|{'kod':'D1','sifre':'gizliSifre20",
		// A second review's: dumps wrapped, var_dump, JSON inside a JSON
		// string, nl2br's <br /> escaped, and a cut echo after a whole one.
		"print_r, wrapped":           "OK|1| |Array ( [kod] => D1 [sifre] => gizliSif\nre2024! [tahsilat_api_islem_id] => 4300 )",
		"var_export, wrapped":        "OK|1| |array ( 'kod' => 'D1', 'sifre' => 'gizliSif\nre2024!', )",
		"JSON, wrapped":              "OK|1| |{\"kod\":\"D1\",\"sifre\":\"gizliSif\nre2024!\"}",
		"JSON, <br /> wrap":          "OK|1| |{\"kod\":\"D1\",\"sifre\":\"gizliSif<br />\nre2024!\"}",
		"var_dump, cut":              "OK|1| |array(2) { [\"kod\"]=> string(2) \"D1\" [\"sifre\"]=> string(15) \"gizliSifre20",
		"var_dump, cut, refusal":     "3|array(2) { [\"kod\"]=> string(2) \"D1\" [\"sifre\"]=> string(15) \"gizliSifre20",
		"escaped JSON, cut":          `OK|1| |{\"kod\":\"D1\",\"sifre\":\"gizliSifre20`,
		"escaped JSON, cut, refusal": `3|{\"kod\":\"D1\",\"sifre\":\"gizliSifre20`,
		"escaped <br /> wrap":        "OK|1| |istek kod=D1&sifre=gizliSif&lt;br /&gt;re2024%21&tahsilat_api_islem_id=4300",
		"whole, then cut":            "OK|1| |sifre=gizliSifre2024! sifre=gizliSif",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(strings.ToLower(text), "gizlisif") || strings.Contains(text, "re2024") {
				t.Errorf("%s: %q shows the password in part", name, text)
			}
		}
		if !strings.Contains(strings.ToLower(ps.Description+errText(err)), "sifre") && !strings.Contains(errText(err), "ŞİFRE") {
			t.Errorf("%s: the words around the password are lost: %q %q", name, ps.Description, errText(err))
		}
	}
	// print_r writes an empty value as "[sifre] => " and a line break: the
	// next key's name is no part of it.
	ps, err := parsePinStatus([]byte("OK|1| |Array\n(\n    [kod] => D1\n    [sifre] => \n    [tahsilat_api_islem_id] => 4300\n)"), sc)
	if err != nil || !strings.Contains(ps.Description, "[tahsilat_api_islem_id] => 4300") {
		t.Errorf("description %q, %v: want the next key kept", ps.Description, err)
	}
	// The words after the value stay: only the value goes.
	ps, err = parsePinStatus([]byte("OK|1| |kod=D1&sifre=gizliSif&tahsilat_api_islem_id=4300 bekliyor"), sc)
	if err != nil || ps.Description != "kod=D1&sifre=REDACTED&tahsilat_api_islem_id=4300 bekliyor" {
		t.Errorf("description %q, %v", ps.Description, err)
	}
}

// What the last stop left alone: an object's property dumped (var_dump
// and print_r name its visibility), and a wrap whose <br> has attributes
// (wordwrap breaks with whatever string it is given).
func TestAPasswordCutInAnObjectDumpOrATaggedWrapIsScrubbed(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	for name, body := range map[string]string{
		"var_dump, protected":   "3|object(Istek)#1 (2) { [\"kod\"]=> string(2) \"D1\" [\"sifre\":protected]=> string(15) \"gizliSifre20",
		"var_dump, private":     "OK|1| |object(Istek)#1 (2) { [\"sifre\":\"Istek\":private]=>\n  string(15) \"gizliSifre20",
		"print_r, protected":    "3|Istek Object ( [kod] => D1 [sifre:protected] => gizliSifre20",
		"print_r, private":      "OK|1| |Istek Object ( [sifre:Istek:private] => gizliSifre20",
		"<br> with a class":     "3|istek kod=D1&sifre=gizliSif<br class=\"w\">re2024%21&tahsilat_api_islem_id=4300",
		"escaped, with a class": "OK|1| |istek kod=D1&sifre=gizliSif&lt;br class=&quot;w&quot;&gt;re2024%21&tahsilat_api_islem_id=4300",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(strings.ToLower(text), "gizlisif") || strings.Contains(text, "re2024") {
				t.Errorf("%s: %q shows the password in part", name, text)
			}
		}
	}
	// A word beginning with "br" is no line break.
	ps, err := parsePinStatus([]byte("OK|1| |kod=D1&sifre=gizliSif<brand>x</brand>"), sc)
	if err != nil || !strings.Contains(ps.Description, "<brand>x") {
		t.Errorf("description %q, %v: want the next word kept", ps.Description, err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A panel answering in UTF-16 echoes a Turkish password's Ş, ş, ğ, ı or
// İ as a byte of the letter and a 0x01: once the NUL bytes went, the
// scrubber found no form of it, and the rest of the password reached the
// error and the description. Such words are not kept.
func TestAUTF16EchoOfAPasswordWithATurkishLetterIsNotKept(t *testing.T) {
	const password = "gizliŞifre9"
	sc := newScrubber(password)
	utf16LE := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	for name, body := range map[string][]byte{
		"refusal":            append([]byte("3|"), utf16LE("hatali giris: "+password)...),
		"description":        append([]byte("OK|1| |"), utf16LE("bayi "+password+" bekliyor")...),
		"all of it":          utf16LE("OK|3| |bayi " + password + " iptal"),
		"its parameter, too": append([]byte("3|"), utf16LE("hatali giris sifre="+password)...),
	} {
		ps, err := parsePinStatus(body, sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, "gizli") || strings.Contains(text, "ifre9") {
				t.Errorf("%s: %q shows the password but one letter", name, text)
			}
		}
		if name != "its parameter, too" && !strings.Contains(ps.Description+errText(err), wordsWithNUL) {
			t.Errorf("%s: %q %v: want the words withheld, saying why", name, ps.Description, err)
		}
	}
}

// json_encode escapes a Turkish letter (\u015f) and a slash (\/) by
// default: a $_GET dumped as JSON and cut to a column holds the password's
// value with a backslash in it, which ended the value read (for
// \"sifre\":\"...\" inside a JSON string): most of the password reached
// the error and the description.
func TestAJSONEscapedValueCutIsScrubbedWhole(t *testing.T) {
	for _, tc := range []struct{ password, body, rest string }{
		{"gizliŞifre2024!", `3|{"kod":"D1","sifre":"gizli\u015eifre20`, `ifre20`},
		{"gizliŞifre2024!", `OK|1| |{"kod":"D1","sifre":"gizli\u015eifre20`, `ifre20`},
		{"gizli/Sifre2024", `3|{"kod":"D1","sifre":"gizli\/Sifre20`, `Sifre20`},
		{"gizliŞifre2024!", "OK|1| |{\"kod\":\"D1\",\"sifre\":\"gizli\\u015eif\nre2024!\"}", `re2024`},
		// A plain query's "%26" is the password's own '&', not the value's
		// end, as it is in a query escaped inside another URL.
		{"gizli&Sifre2024", "3|kod=D1&sifre=gizli%26Sif", "Sif"},
	} {
		sc := newScrubber(tc.password)
		ps, err := parsePinStatus([]byte(tc.body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, tc.rest) {
				t.Errorf("%q: %q shows the password in part", tc.body, text)
			}
		}
	}
}

// A panel writing its page escapes what it shows (htmlspecialchars, as
// the escaped "&lt;br /&gt;" the scrubber reads): print_r's "=>", JSON's
// and var_dump's quotes, var_export's apostrophes come escaped, and the
// password's parameter was not found there.
func TestAnEscapedDumpCutIsScrubbed(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	for name, body := range map[string]string{
		"print_r":    "3|Yetkisiz: Array ( [kod] =&gt; D1 [sifre] =&gt; gizliSifre20",
		"print_r OK": "OK|1| |Array ( [kod] =&gt; D1 [sifre] =&gt; gizliSifre20",
		"JSON":       "3|{&quot;kod&quot;:&quot;D1&quot;,&quot;sifre&quot;:&quot;gizliSifre20",
		"var_dump":   "3|array(2) { [&quot;kod&quot;]=&gt; string(2) &quot;D1&quot; [&quot;sifre&quot;]=&gt; string(15) &quot;gizliSifre20",
		"var_export": "3|array ( &#039;kod&#039; =&gt; &#039;D1&#039;, &#039;sifre&#039; =&gt; &#039;gizliSifre20",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(strings.ToLower(text), "gizlisif") {
				t.Errorf("%s: %q shows the password in part", name, text)
			}
		}
	}
}

// A dump of $_GET (print_r, JSON, var_export) holds the password's value
// decoded, as typed: a space, an '&', a quote or a '|' in it is the
// password's own, not the end of its value, as it is in a query string.
// Cut to a column, the value read stopped at that character, and the rest
// of the password reached the error and the description.
func TestAPasswordWithAQueryDelimiterDumpedAndCutIsScrubbed(t *testing.T) {
	for _, tc := range []struct{ password, body, rest string }{
		{"Gizli Parola2024", "3|Array ( [kod] => D1 [sifre] => Gizli Parola20", "Parola20"},
		{"Kedi&Kopek2024", `3|{"kod":"D1","sifre":"Kedi&Kopek20`, "Kopek20"},
		{"Kedi'Kopek2024", "3|Array ( [kod] => D1 [sifre] => Kedi'Kopek20", "Kopek20"},
		{`Kedi"Kopek2024`, `3|{"kod":"D1","sifre":"Kedi\"Kopek20`, "Kopek20"},
		{"Kedi|Kopek2024", `OK|1| |{"kod":"D1","sifre":"Kedi|Kopek20`, "Kopek20"},
		{"Kedi<Kopek2024", "OK|1| |array ( 'kod' => 'D1', 'sifre' => 'Kedi<Kopek20", "Kopek20"},
	} {
		ps, err := parsePinStatus([]byte(tc.body), newScrubber(tc.password))
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, tc.rest) {
				t.Errorf("%q: %q shows the password in part", tc.body, text)
			}
		}
	}
}

// The same dump cut short in an answer that is not valid UTF-8 throughout
// (a Windows-1254 panel, or a Turkish letter cut in half anywhere in it),
// which is read as Windows-1254 whole: the echo of a password with a
// Turkish letter came out misread ("GÄ°z li&…"), and its reading stopped
// at the space, leaving the rest in the error and the description.
func TestAPasswordDumpedAndCutInAnAnswerReadAsWindows1254IsScrubbed(t *testing.T) {
	sc := newScrubber("Gİz li&%2B+ş€1")
	// A Windows-1254 "ş" (\xfe) in the panel's own words makes the body
	// Windows-1254; the dump is of the UTF-8 request.
	for _, body := range []string{
		"OK|1| |Sipari\xfe Array ( [kod] => bayi-42 [sifre] => Gİz li&%2B+ş\xe2\x82",
		"OK|1| |Sipari\xfe Array ( [kod] => bayi-42 [sifre] => Gİz li&%\n\xc4",
		"3|Hatal\xfd istek sifre=Gİz li&%2B+ş\xe2",
		`3|{"kod":"bayi-42","sifre":"Gİz li&%2B+ş` + "\xe2\xfe",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, "li&") || strings.Contains(text, "ÅŸ") || strings.Contains(text, "2B+") {
				t.Errorf("%q: %q shows the password in part", body, text)
			}
		}
	}
	// A Windows-1254 answer ending in a letter whose bytes before it read
	// as UTF-8 ("Ş€" is DE 80, a Thaana letter) was read as UTF-8, and
	// the password's echo in it in a form the scrubber does not know.
	_, err := parsePinStatus([]byte("3|Gecersiz sifre: PA\xde\x80123x BAY\xdd"), newScrubber("PAŞ€123x"))
	if text := errText(err); strings.Contains(text, "123x") || !strings.Contains(text, "BAYİ") {
		t.Errorf("a Windows-1254 refusal echoing the password: %q", text)
	}
	// A Windows-1254 answer that is valid UTF-8 throughout ("Ç–", C7 96,
	// reads "ǖ") is read as UTF-8, and the password's echo in it with it:
	// in the words, in clear; in the PIN field, saved as the PIN.
	sc = newScrubber("gÇ–zli1pass")
	for _, body := range []string{"OK|1| |Hatali giris: g\xc7\x96zli1pass TAMAM", "OK|1| |Hatali giris: g\xc7\x96zli1pass TAMAM\xc7"} {
		ps, err := parsePinStatus([]byte(body), sc)
		if strings.Contains(ps.Description, "zli1pass") || err != nil {
			t.Errorf("%q: %q, %v shows the password", body, ps.Description, err)
		}
	}
	if ps, err := parsePinStatus([]byte("OK|2|g\xc7\x96zli1pass|TAMAM"), sc); err == nil {
		t.Errorf("a PIN field echoing the password read as UTF-8 was taken as the PIN %q", ps.PIN)
	}
}

// Dumps the parameter's reading does not know: Xdebug's var_dump, PHP's
// serialize, Symfony's VarDumper (Laravel's dump and dd), an array written
// with "=>" and double quotes, and an HTML form refilled with it. Cut to a
// column, each showed most of the password.
func TestAPasswordDumpedInOtherShapesAndCutIsScrubbed(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	for name, body := range map[string]string{
		"Xdebug var_dump":   "OK|1| |array(2) {\n  'kod' =>\n  string(2) \"D1\"\n  'sifre' =>\n  string(15) \"gizliSifre20",
		"serialize":         `3|a:2:{s:3:"kod";s:2:"D1";s:5:"sifre";s:15:"gizliSifre20`,
		"Symfony VarDumper": "OK|1| |array:2 [\n  \"kod\" => \"D1\"\n  \"sifre\" => \"gizliSifre20",
		"double-quoted =>":  `3|["kod" => "D1", "sifre" => "gizliSifre20`,
		"a form refilled":   `3|<input type="password" name="sifre" value="gizliSifre20`,
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(strings.ToLower(text), "gizlisif") {
				t.Errorf("%s: %q shows the password in part", name, text)
			}
		}
	}
}

// The whole password with a mark inside that a browser shows as nothing
// (a soft hyphen, a zero-width space, <wbr>, as wordwrap writes them with
// a break string of its own) or a line break (wordwrap's own, which the
// description's cleaning makes a space): no form of the password
// matched, and all of it reached the error or the description.
func TestAPasswordBrokenByAnInvisibleMarkOrALineIsScrubbed(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	for _, body := range []string{
		"3|hatali giris: gizliSif<wbr>re2024!",
		"3|hatali giris: gizliSif&shy;re2024!",
		"3|hatali giris: gizliSif&#8203;re2024!",
		"3|hatali giris: gizliSif\u00adre2024!",
		"3|hatali giris: gizliSif\u200bre2024!",
		"OK|1| |hatali giris: gizliSif\nre2024!",
		"OK|1| |hatali giris: gizliSif\r\nre2024! bekliyor",
		"3|istek: kod=D1&sifre=gizliSif<wbr>re2024%21&x=1",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, "gizliSif") || strings.Contains(text, "re2024") {
				t.Errorf("%q: %q shows the password", body, text)
			}
		}
	}
}

// A value of the password's parameter that a whole echo overlaps was
// dropped whole, the rest of it unscrubbed: a panel repeating the value
// ("sifre=<password><password cut>") showed the cut copy.
func TestAValueHoldingAWholeEchoAndAPartOneIsScrubbedWhole(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	for _, body := range []string{
		"3|sifre=gizliSifre2024!gizliSifre20",
		"3|sifre=gizliSifre2024!,gizliSifre20",
	} {
		_, err := parsePinStatus([]byte(body), sc)
		if strings.Contains(errText(err), "gizliSif") {
			t.Errorf("%q: %q shows the password in part", body, errText(err))
		}
	}
	// What follows a whole echo in the value is the text's otherwise.
	_, err := parsePinStatus([]byte("3|hatali istek (sifre=gizliSifre2024!) tekrar deneyin"), sc)
	if !strings.Contains(errText(err), "(sifre=REDACTED) tekrar") {
		t.Errorf("%q: want the bracket after the password kept", errText(err))
	}
}

// In UTF-16, a character whose two bytes are neither 0 nor a control
// ('€' is 0xAC 0x20) leaves no trace that halfCharacters sees once the NUL
// bytes are gone, and the password with it is in a form no scrubbing finds.
func TestAUTF16EchoOfAPasswordWithAEuroSignIsNotKept(t *testing.T) {
	const password = "gizli€Sifre2024"
	utf16LE := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	for _, body := range [][]byte{
		append([]byte("3|"), utf16LE("hatali giris: "+password)...),
		append([]byte("OK|1| |"), utf16LE("bayi "+password+" bekliyor")...),
	} {
		ps, err := parsePinStatus(body, newScrubber(password))
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, "Sifre2024") {
				t.Errorf("%q shows the password but one letter", text)
			}
		}
	}
}

// A value of the password's parameter now goes whole with the whole echo
// in it, and a value ending at a line break shorter than the password
// query-escaped ("gizliSifre2024!" is 15 runes, "gizliSifre2024%21" 17)
// takes the next line's first word with it. A done answer whose
// description echoes the request at its end, followed by PHP's notice
// that the script read an undefined PIN, lost the notice's line into the
// mark: the blank PIN was taken for a top-up's, the order approved with
// no PIN delivered.
func TestANoticeAfterADoneAnswerEchoingThePasswordStillWithholdsItsBlankPIN(t *testing.T) {
	for _, tc := range []struct{ password, body string }{
		{"gizliSifre2024!", "OK|2| |Yukleme tamamlandi kod=D1&sifre=gizliSifre2024!\nNotice: Undefined variable: pin in /var/www/servis/pin_kontrol.php on line 41"},
		{"gizliSifre2024!", "OK|2| |Yukleme tamamlandi (kod=D1&sifre=gizliSifre2024!)\r\nPHP Notice:  Undefined index: epin in /a.php on line 41"},
		{"gizliŞifre2024", "OK|2| |Yukleme tamamlandi kod=D1&sifre=gizliŞifre2024\nNotice: Undefined variable: pin in /a.php on line 41"},
	} {
		ps, err := parsePinStatus([]byte(tc.body), newScrubber(tc.password))
		if err == nil {
			t.Errorf("%q: done, PIN %q, description %q; want it refused: PHP said the PIN was undefined", tc.body, ps.PIN, ps.Description)
		}
	}
}

// The same, before the answer: a PHP message ending in the password's
// echo took the answer line's "OK" with it when a space stands before its
// '|' (which the parser otherwise reads), and the done answer was lost.
func TestAMessageEchoingThePasswordKeepsTheAnswerLineAfterIt(t *testing.T) {
	body := "Warning: fopen(): istek kod=D1&sifre=gizliSifre2024!\nOK |2|AB12-CD34-EF56-GH78|tamam"
	ps, err := parsePinStatus([]byte(body), newScrubber("gizliSifre2024!"))
	if err != nil || ps.PIN != "AB12-CD34-EF56-GH78" {
		t.Errorf("%q: %+v, %v; want the done answer read", body, ps, err)
	}
}

// lineBreakLen reads "<br class=\"w\">" (wordwrap breaks with any string)
// and a lone "\r" as a line break cutting the parameter's value, but the
// gap allowed between the whole password's characters does not: the
// password wrapped so outside a parameter reached the error whole, in two
// pieces.
func TestAPasswordWrappedByATaggedBreakIsScrubbed(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	for _, body := range []string{
		"3|hatali giris: gizliSif<br class=\"w\">re2024!",
		"OK|1| |hatali giris: gizliSif<br style=\"clear:both\" />re2024!",
		"OK|1| |hatali giris: gizliSif\rre2024!",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, "gizliSif") || strings.Contains(text, "re2024") {
				t.Errorf("%q: %q shows the password", body, text)
			}
		}
	}
}

// Dumps the parameter's reading still does not know, cut to a column:
// Xdebug's var_dump as HTML (its default where html_errors is on), PHP's
// serialize of an object's protected or private property (its name
// behind NUL bytes, which the parser drops), and a form refilled with a
// boolean attribute between the name and the value.
func TestAPasswordDumpedInStillOtherShapesAndCutIsScrubbed(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	for name, body := range map[string]string{
		"Xdebug var_dump, HTML": "3|<b>array</b> <i>(size=2)</i> 'sifre' <font color='#888a85'>=&gt;</font> <small>string</small> <font color='#cc0000'>'gizliSifre20",
		"serialize, protected":  "3|O:5:\"Istek\":2:{s:6:\"\x00*\x00kod\";s:2:\"D1\";s:8:\"\x00*\x00sifre\";s:15:\"gizliSifre20",
		"serialize, private":    "3|O:5:\"Istek\":1:{s:12:\"\x00Istek\x00sifre\";s:15:\"gizliSifre20",
		"a form, required":      `3|<input type="password" name="sifre" required value="gizliSifre20`,
		"a form, readonly":      `3|<input name="sifre" autocomplete=off readonly value="gizliSifre20`,
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(strings.ToLower(text), "gizlisif") {
				t.Errorf("%s: %q shows the password in part", name, text)
			}
		}
	}
}

// readsAsUTF16 counts the NUL bytes against the whole body: a UTF-16
// echo inside a panel's own text of a few dozen characters holds too few
// to make the body read as UTF-16, and its '€' (0xAC 0x20) leaves no
// control character, so halfCharacters keeps the words and the password
// but one letter.
func TestAUTF16EchoInsideOtherTextIsNotKept(t *testing.T) {
	const password = "gizli€Sifre2024"
	var wide []byte
	for _, u := range utf16.Encode([]rune(password)) {
		wide = append(wide, byte(u), byte(u>>8))
	}
	for _, body := range [][]byte{
		append([]byte("3|Hatali giris, lutfen bilgilerinizi kontrol ediniz: "), wide...),
		append([]byte("OK|1| |Siparisiniz isleniyor, lutfen bekleyiniz. Bayi: "), wide...),
	} {
		ps, err := parsePinStatus(body, newScrubber(password))
		for _, text := range []string{ps.Description, errText(err)} {
			if strings.Contains(text, "Sifre2024") {
				t.Errorf("%q shows the password but one letter", text)
			}
		}
	}
}

// A cut value of the password's parameter at a line's end took the next
// line's first word with it, and its mark joined the two lines: PHP's
// notice that the PIN was undefined became description text, and a done
// answer with a blank PIN was approved; the "OK" of an answer line after
// a warning was swallowed, and the answer read as none (a review's find,
// older than the whole-echo case). A line PHP or znet begins is no part
// of a value.
func TestACutPasswordValueLeavesTheNextLineOfPHPOrZnetAlone(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	body := "OK|2| |Yukleme tamamlandi kod=D1&sifre=gizliSif\nNotice: Undefined variable: pin in /var/www/servis/pin_kontrol.php on line 41"
	if ps, err := parsePinStatus([]byte(body), sc); err == nil {
		t.Errorf("%q: done, PIN %q, description %q; want it refused: PHP said the PIN was undefined", body, ps.PIN, ps.Description)
	}
	for _, body := range []string{
		"Warning: fopen(): istek kod=D1&sifre=gizliSif\nOK |2|AB12-CD34-EF56-GH78|tamam",
		"Warning: fopen(): istek kod=D1&sifre=gizliSif\r\nOK |2|AB12-CD34-EF56-GH78|tamam",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		if err != nil || ps.PIN != "AB12-CD34-EF56-GH78" {
			t.Errorf("%q: %+v, %v; want the done answer read", body, ps, err)
		}
	}
}

// A password cut to a column and wrapped, whose rest begins with a word
// PHP begins a line with ("Notice!"), kept that rest in clear: the line
// is taken for PHP's, though no PHP message is "Notice!" without its colon.
func TestACutPasswordsRestThatBeginsLikePHPsWordIsScrubbed(t *testing.T) {
	sc := newScrubber("Kapi7Notice!x")
	for _, body := range []string{
		"OK|3| |istek kod=D1&sifre=Kapi7\nNotice! alindi",
		"OK|3| |istek kod=D1&sifre=KAPI7\nNOTICE! ALINDI",
		"OK|3| |istek kod=D1&sifre=Kapi7\nNotice%21 alindi",
	} {
		ps, err := parsePinStatus([]byte(body), sc)
		if err != nil || strings.Contains(strings.ToLower(ps.Description), "notice") {
			t.Errorf("%q: description %q, %v; want the password's rest REDACTED", body, ps.Description, err)
		}
	}
}

// A line after a cut password's value that starts an answer with a
// no-break space before its '|' ("OK \u00a0|2|…", which the answer's own
// reading takes) is not znet's line to phpOrZnetLine, whose \s is ASCII:
// its "OK" is joined to the value and the answer is lost.
func TestACutPasswordValueLeavesAnAnswerWithANoBreakSpaceAlone(t *testing.T) {
	sc := newScrubber("gizliSifre2024!")
	body := "Warning: fopen(): istek kod=D1&sifre=gizliSif\nOK \u00a0|2|AB12-CD34-EF56-GH78|tamam"
	if ps, err := parsePinStatus([]byte(body), sc); err != nil || ps.PIN != "AB12-CD34-EF56-GH78" {
		t.Errorf("%q: %+v, %v; want the done answer read", body, ps, err)
	}
}

// A password echoed decomposed (NFD: "S" and a combining cedilla for "Ş",
// as macOS or PHP's Normalizer writes text) reads on a terminal exactly as
// the password; so does one typed decomposed and echoed composed. Both
// are scrubbed from a refusal, which goes to the logs and last_error.
func TestAPasswordEchoedDecomposedOrComposedIsScrubbed(t *testing.T) {
	for _, c := range []struct{ name, password, echo string }{
		{"echoed decomposed", "gizliŞifre2024", norm.NFD.String("gizliŞifre2024")},
		{"echoed decomposed, upper case", "gizliŞifre2024", norm.NFD.String("GİZLİŞİFRE2024")},
		{"echoed decomposed, query-escaped", "gizliŞifre2024", url.QueryEscape(norm.NFD.String("gizliŞifre2024"))},
		{"typed decomposed, echoed composed", norm.NFD.String("gizliŞifre2024"), "gizliŞifre2024"},
		// Each part of a decomposed character in every form a character
		// is looked for in (a review's finds): PHP's json_encode after its
		// Normalizer, and the UTF-8 of the mark read as Windows-1252.
		{"echoed decomposed, JSON-escaped", "gizliŞifre2024", `gizliS\u0327ifre2024`},
		{"echoed decomposed, misread as Windows-1252", "gizliŞifre2024", "gizliS\u00cc\u00a7ifre2024"},
		{"echoed decomposed, an HTML reference", "gizliŞifre2024", "gizliS&#x327;ifre2024"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := znettest.NewServer(dealer, c.password)
			t.Cleanup(fake.Close)
			fake.Script("7001", znettest.Garbage("3|Hatali istek: "+c.echo))
			_, err := newTestClient(t, fake.URL, c.password).CheckPin(context.Background(), "7001")
			shown := norm.NFC.String(errText(err))
			if strings.Contains(strings.ToLower(shown), "ifre2024") || !strings.Contains(shown, redacted) {
				t.Errorf("CheckPin's error %q shows the password", errText(err))
			}
		})
	}
}
