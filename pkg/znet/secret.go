package znet

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

const redacted = "REDACTED"

// scrubber finds the dealer password in text, in every form a PHP panel may
// echo it back: znet wants the password in the query string, and panels
// repeat the request in their answers ("you asked kod=...&sifre=..."), in a
// PHP warning, or in a description built from $_GET or $_SERVER.
//
// Each character of the password may appear
//   - as typed, in either letter case (strtoupper, a case-insensitive log);
//   - in Turkish letter case, where "ı" and "I", "İ" and "i" pair up;
//   - percent-escaped, with upper- or lower-case hex, from its UTF-8 or
//     Windows-1254, Windows-1252 or ISO-8859-1 byte, also escaped twice
//     (%2541), and a space as "+" (urlencode, rawurlencode, a raw
//     REQUEST_URI or QUERY_STRING);
//   - as Go's %q shows that one-byte charset's byte, \xe2;
//   - as UTF-8 read as Windows-1254, when a Windows-1254 panel echoes the
//     UTF-8 it was sent, as MySQL's latin1 (Windows-1252) or as ISO-8859-1
//     (utf8_encode);
//   - as an HTML entity, named, decimal or hex (htmlspecialchars,
//     htmlentities);
//   - JSON-escaped, \u00e7 or \/ (json_encode);
//   - behind a backslash (addslashes, magic quotes).
//
// The forms may mix within one echo, as query escaping itself mixes them, so
// the password is matched as one pattern with an alternative per character.
// The zero scrubber (no password) finds nothing, and so does a nil one.
type scrubber struct {
	pattern  *regexp.Regexp
	password string // as typed, to tell the password itself from its other forms
}

func newScrubber(password string) *scrubber {
	if password == "" {
		return &scrubber{}
	}
	var b strings.Builder
	b.WriteString("(?i)")
	for _, r := range password {
		b.WriteString("(?:")
		b.WriteString(strings.Join(charForms(r), "|"))
		b.WriteString(")")
	}
	return &scrubber{pattern: regexp.MustCompile(b.String()), password: password}
}

// charForms is the regexp alternatives for one character of the password.
func charForms(r rune) []string {
	forms := []string{regexp.QuoteMeta(string(r))}
	if strings.ContainsRune(`'"\`, r) {
		forms = append(forms, `\\`+regexp.QuoteMeta(string(r)))
	}
	if r == ' ' {
		forms = append(forms, `\+`, `%2b`) // "+", and "+" escaped again
	}
	for _, other := range turkishCase[r] {
		forms = append(forms, regexp.QuoteMeta(other))
	}
	// Percent escapes, once or twice (%41 or %2541).
	var utf8Bytes [utf8.UTFMax]byte
	n := utf8.EncodeRune(utf8Bytes[:], r)
	forms = append(forms, percentEscaped(utf8Bytes[:n]))
	if r >= utf8.RuneSelf {
		// The one byte a Windows-1254, Windows-1252 or ISO-8859-1 panel
		// holds the character in, percent-escaped, or as Go's %q shows a
		// byte that is not UTF-8 (net/http quoting a header line it cannot
		// parse).
		for _, b := range legacyBytes(r) {
			forms = append(forms, percentEscaped([]byte{b}), fmt.Sprintf(`\\x%02x`, b))
		}
		// UTF-8 read byte by byte in a one-byte charset: by zwatch itself,
		// when a Windows-1254 panel echoes the UTF-8 it was sent among its
		// own text; by MySQL, when the panel stores UTF-8 in a latin1
		// column; by PHP's utf8_encode.
		for _, mojibake := range dedupe(misread(utf8Bytes[:n])) {
			forms = append(forms, regexp.QuoteMeta(mojibake))
		}
	}
	// HTML entities: numeric, decimal or hex, with or without leading zeros.
	forms = append(forms, fmt.Sprintf(`&#0*%d;`, r), fmt.Sprintf(`&#x0*%x;`, r))
	if name, ok := htmlNames[r]; ok {
		forms = append(forms, "&(?:"+name+");")
	}
	// JSON: \u00e7, a surrogate pair beyond the BMP, and \/.
	if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
		forms = append(forms, fmt.Sprintf(`\\u%04x\\u%04x`, r1, r2))
	} else {
		forms = append(forms, fmt.Sprintf(`\\u%04x`, r))
	}
	if r == '/' {
		forms = append(forms, `\\/`)
	}
	return forms
}

// legacyBytes is r encoded in each one-byte charset a panel may use, where
// it has r: Windows-1254, Windows-1252 and ISO-8859-1.
func legacyBytes(r rune) []byte {
	var out []byte
	for _, cm := range []*charmap.Charmap{charmap.Windows1254, charmap.Windows1252, charmap.ISO8859_1} {
		if b, ok := cm.EncodeRune(r); ok && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// misread is UTF-8 bytes decoded, one character per byte, as Windows-1254,
// as MySQL's latin1 (Windows-1252, whose five unassigned bytes MySQL maps to
// the C1 controls of the same number) and as ISO-8859-1.
func misread(utf8Bytes []byte) []string {
	var win1254, latin1, iso strings.Builder
	for _, c := range utf8Bytes {
		win1254.WriteRune(charmap.Windows1254.DecodeByte(c))
		r := charmap.Windows1252.DecodeByte(c)
		if r == utf8.RuneError {
			r = rune(c)
		}
		latin1.WriteRune(r)
		iso.WriteRune(charmap.ISO8859_1.DecodeByte(c))
	}
	return []string{win1254.String(), latin1.String(), iso.String()}
}

// dedupe drops repeated strings, keeping the first of each.
func dedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// turkishCase is how Turkish i's change case outside Unicode's simple
// folding, which (?i) follows: mb_strtoupper makes "ı" an "I", mb_strtolower
// makes "İ" an "i" with a combining dot, and a Turkish locale makes "i" an
// "İ" and "I" an "ı".
var turkishCase = map[rune][]string{
	'ı': {"I"}, 'İ': {"i\u0307", "i"}, 'i': {"İ"}, 'I': {"ı"},
}

// percentEscaped matches bytes escaped as %XX each, or escaped twice as %25XX.
func percentEscaped(bytes []byte) string {
	var b strings.Builder
	for _, c := range bytes {
		fmt.Fprintf(&b, `%%(?:25)?%02x`, c)
	}
	return b.String()
}

// htmlNames are the named entities PHP's htmlspecialchars and htmlentities
// write for the characters a password is likely to hold; the pattern is
// case-insensitive, so Ccedil also covers ccedil.
var htmlNames = map[rune]string{
	'&': "amp", '<': "lt", '>': "gt", '"': "quot", '\'': "apos",
	'ç': "ccedil", 'Ç': "ccedil", 'ö': "ouml", 'Ö': "ouml", 'ü': "uuml", 'Ü': "uuml",
	'ğ': "gbreve", 'Ğ': "gbreve", 'ş': "scedil", 'Ş': "scedil", 'ı': "imath|inodot|dotless_i", 'İ': "idot",
	'!': "excl", '#': "num", '$': "dollar", '%': "percnt", '(': "lpar", ')': "rpar", '*': "ast|midast",
	'+': "plus", ',': "comma", '.': "period", '/': "sol", ':': "colon", ';': "semi", '=': "equals",
	'?': "quest", '@': "commat", '[': "lsqb|lbrack", '\\': "bsol", ']': "rsqb|rbrack", '^': "hat",
	'_': "lowbar|underbar", '`': "grave|diacriticalgrave", '{': "lcub|lbrace", '|': "verbar|vert|verticalline",
	'}': "rcub|rbrace", '~': "tilde",
}

// scrub replaces every occurrence of the password in s with REDACTED.
func (s *scrubber) scrub(text string) string {
	if !s.knows() {
		return text
	}
	return s.pattern.ReplaceAllLiteralString(text, redacted)
}

// echoMark stands, in text marked by mark, for one echo of the password. The
// answer parser removes every NUL byte before it marks an answer (PostgreSQL
// refuses them, so no field keeps one anyway), so a panel cannot forge a
// mark, and a mark holds no '|' to split an answer at.
const echoMark = "\x00"

// mark replaces every occurrence of the password in text, which must hold no
// NUL byte, with "\x00i\x00", where i indexes the returned echoes: the text
// each occurrence had. Unlike scrub it loses nothing, so that a field can be
// judged by what stood in it (see answer.value) and still be scrubbed.
func (s *scrubber) mark(text string) (marked string, echoes []string) {
	if !s.knows() {
		return text, nil
	}
	marked = s.pattern.ReplaceAllStringFunc(text, func(echo string) string {
		echoes = append(echoes, echo)
		return echoMark + strconv.Itoa(len(echoes)-1) + echoMark
	})
	return marked, echoes
}

// finds reports whether the password occurs in text, in any of its forms.
func (s *scrubber) finds(text string) bool {
	return s.knows() && s.pattern.MatchString(text)
}

// knows reports whether there is a password to find at all.
func (s *scrubber) knows() bool { return s != nil && s.pattern != nil }
