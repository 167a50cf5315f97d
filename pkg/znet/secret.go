package znet

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

const redacted = "REDACTED"

// scrubber finds the dealer password in text, in every form a PHP panel may
// echo it back: znet wants the password in the query string, and panels
// repeat the request in their answers ("you asked kod=...&sifre=..."), in a
// PHP warning, or in a description built from $_GET or $_SERVER.
//
// Each character of the password may appear
//   - as typed, in either letter case (strtoupper, a case-insensitive log);
//   - in Turkish letter case, where "ı" and "I", "İ" and "i" pair up, and
//     in full case mapping, where "ß" is "SS";
//   - percent-escaped, with upper- or lower-case hex, from its UTF-8 or
//     Windows-1254, Windows-1252 or ISO-8859-1 byte, also escaped twice
//     (%2541), and a space as "+" (urlencode, rawurlencode, a raw
//     REQUEST_URI or QUERY_STRING);
//   - as Go's %q shows that one-byte charset's byte, \xe2;
//   - as UTF-8 read as Windows-1254, when a Windows-1254 panel echoes the
//     UTF-8 it was sent, as MySQL's latin1 (Windows-1252) or as ISO-8859-1
//     (utf8_encode);
//   - as an HTML character reference, named (any HTML5 name), decimal or
//     hex (htmlspecialchars, htmlentities), also escaped again, "&amp;amp;";
//   - JSON-escaped, \u00e7 or \/ (json_encode);
//   - behind a backslash (addslashes, magic quotes, quotemeta, preg_quote);
//   - a control character as Go's %q shows it, \t;
//   - the whole password decoded once more (urldecode of $_GET's value).
//
// A password of six bytes or more is also found as a whole in hex and in
// base64, as typed or as the query string carries it (wholeEncodings).
//
// A password with white space around it is also found trimmed, if it is
// still long enough not to turn up by chance.
//
// The forms may mix within one echo, as query escaping itself mixes them, so
// the password is matched as one pattern with an alternative per character.
// The zero scrubber (no password) finds nothing, and so does a nil one.
type scrubber struct {
	pattern  *regexp.Regexp
	password string // as typed, to tell the password itself from its other forms
	// literals are the password as a dump of the request holds it
	// (literalForms), to read a value of its parameter to its end.
	literals []string
}

func newScrubber(password string) *scrubber {
	if password == "" {
		return &scrubber{}
	}
	pattern := "(?i)" + passwordForms(password)
	// A password typed decomposed (charForms finds composed ones typed so)
	// is echoed composed by a panel that normalises its input.
	if composed := norm.NFC.String(password); composed != password {
		pattern += "|" + passwordForms(composed)
	}
	// A panel that trims its input (PHP's trim) echoes the password without
	// the white space around it. Trimmed, it is matched only when it is
	// longer than maxCoincidentPasswordRunes: a shorter one is bound to turn
	// up in genuine PINs, which would be refused as carrying an echo.
	trimmed := strings.TrimFunc(password, func(r rune) bool { return unicode.IsSpace(r) || r == 0 })
	if trimmed != password && utf8.RuneCountInString(trimmed) > maxCoincidentPasswordRunes {
		pattern += "|" + passwordForms(trimmed)
	}
	// A panel that decodes the query string once more than PHP did
	// (urldecode($_GET['sifre']), a well-known mistake) echoes "Gizli+20%21"
	// as "Gizli 20!": several characters of the password make one, which
	// no form of a single character is. Such a form is looked for as long
	// as no PIN may hold it by chance, nor an answer's own structure: a
	// short one with a "|" ("2%7C" is "2|", in every done answer) would
	// mark the answer's fields themselves.
	if decoded := urldecodedAgain(password); decoded != password && decodedLookedFor(decoded) {
		pattern += "|" + passwordForms(decoded)
	}
	if len(password) >= minEncodedPasswordBytes {
		for _, form := range wholeEncodings(password) {
			pattern += "|" + regexp.QuoteMeta(form)
		}
	}
	// A Windows-1254 panel's answer whose every byte above 0x7F stands in
	// a pair UTF-8 reads as one character is valid UTF-8, and read so
	// (decode): its echo of "gÇ–zli" (C7 96) reads "gǖzli".
	if form, ok := windows1254ReadAsUTF8(password); ok {
		pattern += "|" + regexp.QuoteMeta(form)
	}
	// Leftmost-longest: of the forms that fit where an echo ends, the
	// longest. The first that fits would take "%" alone where the panel
	// wrote "%25", and leave "25" behind, telling the password's last
	// character.
	re := regexp.MustCompile(pattern)
	re.Longest()
	return &scrubber{pattern: re, password: password, literals: literalForms(password)}
}

// literalForms are the password as a panel's dump of the request holds
// it: as typed (print_r, var_export, var_dump), query-escaped, as PHP's
// json_encode writes it by default (\u015f, \/) and with its flags that
// leave Unicode and slashes alone, and behind addslashes.
func literalForms(password string) []string {
	jsonEscaped := func(escapeAll bool) string {
		var b strings.Builder
		for _, r := range password {
			switch {
			case r == '"' || r == '\\':
				b.WriteString(`\` + string(r))
			case r == '/' && escapeAll:
				b.WriteString(`\/`)
			case r >= utf8.RuneSelf && escapeAll:
				for _, u := range utf16.Encode([]rune{r}) {
					fmt.Fprintf(&b, `\u%04x`, u)
				}
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	slashed := strings.NewReplacer(`\`, `\\`, `'`, `\'`, `"`, `\"`).Replace(password)
	forms := []string{password, url.QueryEscape(password), jsonEscaped(true), jsonEscaped(false), slashed}
	if form, ok := windows1254ReadAsUTF8(password); ok {
		forms = append(forms, form)
	}
	// Each also as its UTF-8 misread one byte a character: a dump in an
	// answer that is not valid UTF-8 throughout (one byte of a Turkish
	// letter cut in half is enough) is read as Windows-1254 (decode), and
	// the value, "GÄ°z li&…" for "Gİz li&…", would otherwise be read only
	// to the space.
	for _, form := range forms[:len(forms):len(forms)] {
		forms = append(forms, misread([]byte(form))...)
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// continued is how far, in bytes, text goes on as one of the password's
// literal forms does from its start, letter case aside: the password's
// value in a dump, cut short, read past what would end a value in a query
// string (a space, an '&', a quote, which the password itself may hold).
func (s *scrubber) continued(text string) int {
	longest := 0
	for _, form := range s.literals {
		n := 0
		for rest := form; n < len(text) && rest != ""; {
			r, size := utf8.DecodeRuneInString(text[n:])
			f, fsize := utf8.DecodeRuneInString(rest)
			if r != f && !strings.EqualFold(string(r), string(f)) {
				break
			}
			n, rest = n+size, rest[fsize:]
		}
		longest = max(longest, n)
	}
	return longest
}

// minDecodedRunes is the shortest password decoded once more that is
// looked for, minDecodedRunesWithBar the shortest holding a "|" (see
// newScrubber).
const (
	minDecodedRunes        = 4
	minDecodedRunesWithBar = 6
)

// minEncodedPasswordBytes is the shortest password looked for in its whole
// encodings (wholeEncodings): a shorter one's are a few characters, which
// turn up by chance in PINs and descriptions.
const minEncodedPasswordBytes = 6

// wholeEncodings are the password's forms that encode it as a whole rather
// than character by character: hex of its bytes (bin2hex in a debug line),
// and base64 in the standard and the URL alphabet (a login page's "return
// to" parameter, base64 of the request). Inside a longer base64 text the
// password may start at any byte of a 3-byte group, and the characters at
// its ends then carry bits of its neighbours: for each start, only the
// characters made of the password's bits alone, and those query-escaped
// ("%2B" for "+"), as urlencode writes them. Each as typed, and as the
// query string carries it (url.QueryEscape), which is what a panel's
// $_SERVER['REQUEST_URI'] holds.
func wholeEncodings(password string) []string {
	var forms []string
	urlAlphabet := strings.NewReplacer("+", "-", "/", "_")
	// urlencode(base64_encode(...)), the usual way into a query string.
	queryEscaped := strings.NewReplacer("+", "%2B", "/", "%2F")
	for _, plain := range slices.Compact([]string{password, url.QueryEscape(password)}) {
		forms = append(forms, hex.EncodeToString([]byte(plain)))
		for lead := range 3 {
			encoded := base64.RawStdEncoding.EncodeToString(append(make([]byte, lead), plain...))
			// A lead of one byte reaches into the second character, of
			// two into the third; the last character holding a partial
			// 6 bits would hold the next byte's.
			first := [3]int{0, 2, 3}[lead]
			own := encoded[first : (lead+len(plain))*8/6]
			forms = append(forms, own, urlAlphabet.Replace(own), queryEscaped.Replace(own))
		}
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// decodedLookedFor says whether the password decoded once more is looked
// for (see newScrubber).
func decodedLookedFor(decoded string) bool {
	n := utf8.RuneCountInString(decoded)
	return n >= minDecodedRunes && (n >= minDecodedRunesWithBar || !strings.Contains(decoded, "|")) &&
		(n > maxCoincidentPasswordRunes || strings.ContainsFunc(decoded, func(r rune) bool { return !isPINRune(r) }))
}

// urldecodedAgain is password as PHP's urldecode makes it: "+" a space,
// "%" and two hex digits their byte, any other "%" left as it is. Bytes
// that make no UTF-8 are read as Windows-1254, as the parser reads such
// a body.
func urldecodedAgain(password string) string {
	var b []byte
	for i := 0; i < len(password); i++ {
		switch c := password[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(password) && isHex(password[i+1]) && isHex(password[i+2]):
			v, _ := strconv.ParseUint(password[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	decoded, err := charmap.Windows1254.NewDecoder().Bytes(b)
	if err != nil {
		return ""
	}
	return string(decoded)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// passwordForms is the regexp for password in all its forms, one group of
// alternatives per character. Between characters it allows what shows as
// nothing: the marks that reorder text, which the parser drops when it
// cleans a field (an echo with one inside would come out of cleaning as
// the password itself), a soft hyphen or a zero-width space, which a
// browser shows as nothing, and <wbr>, which wordwrap writes when told
// to. Between the characters of a password too long to turn up by chance
// it allows a line break too, as wordwrap cuts a long word: cleaned, the
// description shows the two parts a space apart.
func passwordForms(password string) string {
	var b strings.Builder
	gap := invisibleGap
	if utf8.RuneCountInString(password) > maxCoincidentPasswordRunes {
		gap = invisibleOrLineBreakGap
	}
	last := len(password) - utf8.RuneLen([]rune(password)[utf8.RuneCountInString(password)-1])
	for i, r := range password {
		if i > 0 {
			b.WriteString(gap)
		}
		forms := charForms(r)
		if (i == 0 || i == last) && (unicode.IsSpace(r) || unicode.IsControl(r)) {
			// At the password's ends, not across a line break: the
			// parser reads the body by lines after marking it, and a mark
			// taking in one would join two.
			forms = slices.DeleteFunc(forms, func(f string) bool { return f == cleanedToSpace })
			forms = append(forms, cleanedToSpaceInLine)
		}
		b.WriteString("(?:")
		b.WriteString(strings.Join(forms, "|"))
		b.WriteString(")")
	}
	return b.String()
}

// invisibleGap is what may stand between a password's characters in an
// echo: format characters (Unicode's Cf: the marks that reorder text, a
// soft hyphen, a zero-width space or joiner) and <wbr>.
// invisibleOrLineBreakGap allows line breaks, "<br />" (with attributes
// too, as lineBreakLen reads one) and a lone "\r" too.
const (
	invisibleGap            = `(?:\p{Cf}|<wbr\s*/?>)*`
	invisibleOrLineBreakGap = `(?:\p{Cf}|<wbr\s*/?>|<br(?:\s[^<>]{0,80})?/?>|\r\n?|\n)*`
)

// cleanedToSpace is what the parser's cleaning turns into a space, as a
// regexp: any control character or white space, or a CRLF.
const cleanedToSpace = `\r\n|[\p{Cc}\p{Zs}\p{Zl}\p{Zp}]`

// cleanedToSpaceInLine is cleanedToSpace but for a line break.
const cleanedToSpaceInLine = `[\x00-\x09\x0b-\x1f\x7f-\x9f\p{Zs}\p{Zl}\p{Zp}]`

// charForms is the regexp alternatives for one character of the password.
func charForms(r rune) []string {
	forms := []string{regexp.QuoteMeta(string(r))}
	// Behind a backslash: addslashes escapes quotes and backslashes,
	// quotemeta and preg_quote most other ASCII punctuation.
	if r < utf8.RuneSelf && (unicode.IsPunct(r) || unicode.IsSymbol(r)) {
		forms = append(forms, `\\`+regexp.QuoteMeta(string(r)))
	}
	// A control character as Go's %q shows it (\t, \x1b): net/http
	// quotes a header line it cannot parse, password and all.
	if unicode.IsControl(r) {
		if quoted := strconv.Quote(string(r)); quoted != `"`+string(r)+`"` {
			forms = append(forms, regexp.QuoteMeta(quoted[1:len(quoted)-1]))
		}
	}
	if r == ' ' {
		forms = append(forms, `\+`, `%2b`) // "+", and "+" escaped again
	}
	// White space or a control character echoed as another one (a line
	// break, a tab, a no-break space) becomes a space when the parser
	// cleans the field: it must be found as this one.
	if unicode.IsSpace(r) || unicode.IsControl(r) {
		forms = append(forms, cleanedToSpace)
	}
	for _, other := range turkishCase[r] {
		forms = append(forms, regexp.QuoteMeta(other))
	}
	// Full case mapping (mb_strtoupper since PHP 7.3) makes some characters
	// several: "ß" is "SS", "ﬁ" is "FI". The pattern's case folding, one
	// character for one, does not see those.
	for _, mapped := range []string{cases.Upper(language.Und).String(string(r)), cases.Lower(language.Und).String(string(r))} {
		if utf8.RuneCountInString(mapped) > 1 {
			forms = append(forms, regexp.QuoteMeta(mapped))
		}
	}
	forms = append(forms, encodedForms(r)...)
	// Decomposed (NFD: "S" and a combining cedilla for "Ş"), as macOS and
	// PHP's Normalizer write text: it shows as the character itself. Each
	// part as typed or in any of the escapes a character may be in, each
	// on its own: a query string escapes only the mark ("S%CC%A7"),
	// json_encode writes "S\u0327".
	for _, c := range append([]string{string(r)}, turkishCase[r]...) {
		if decomposed := norm.NFD.String(c); decomposed != c {
			var parts strings.Builder
			for _, part := range decomposed {
				alternatives := append([]string{regexp.QuoteMeta(string(part))}, encodedForms(part)...)
				fmt.Fprintf(&parts, "(?:%s)", strings.Join(alternatives, "|"))
			}
			forms = append(forms, parts.String())
		}
	}
	// Turkish's other i's, escaped as this one may be: "gızlı" reaches a
	// query string as "g%C4%B1zl%C4%B1".
	for _, other := range turkishCase[r] {
		if o, size := utf8.DecodeRuneInString(other); size == len(other) {
			forms = append(forms, encodedForms(o)...)
		} else {
			forms = append(forms, percentEscaped([]byte(other)))
		}
	}
	return forms
}

// encodedForms is r as the escapes a panel may write it in: percent
// escapes of its UTF-8 or one-byte charsets' bytes, UTF-8 misread, HTML
// references and JSON.
func encodedForms(r rune) []string {
	var forms []string
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

// windows1254ReadAsUTF8 is the password's Windows-1254 bytes read as
// UTF-8, where they are valid UTF-8 and read otherwise than it.
func windows1254ReadAsUTF8(password string) (string, bool) {
	b, err := charmap.Windows1254.NewEncoder().String(password)
	if err != nil || b == password || !utf8.ValidString(b) {
		return "", false
	}
	return b, true
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
// "İ" and "I" an "ı". Case changed one way and back the other, any i may
// come back as any of them ("gizli", upper-cased as ASCII, lower-cased as
// Turkish, is "gızlı").
var turkishCase = map[rune][]string{
	'ı': {"I", "i", "İ", "i\u0307"}, 'İ': {"i\u0307", "i", "ı"}, 'i': {"İ", "ı", "i\u0307"}, 'I': {"ı", "İ", "i\u0307"},
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
	var b strings.Builder
	last := 0
	for _, echo := range s.echoes(text) {
		b.WriteString(text[last:echo.start])
		b.WriteString(redacted)
		last = echo.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// echoes is where the password occurs in text, in order and apart. Besides
// the pattern's own forms, it looks in text with its HTML character
// references decoded, up to maxUnescapes times over: htmlentities names
// hundreds of characters ("&acirc;", "&euro;"), more than a pattern should
// list, and htmlspecialchars applied twice writes "&amp;amp;". What is found
// in a decoded text is reported as the span of text it was decoded from, so
// that the echo is replaced where it stands and nothing else is decoded.
func (s *scrubber) echoes(text string) []span {
	var found, values []span
	v := &unescaped{text: text}
	for round := 0; ; round++ {
		for _, m := range s.pattern.FindAllStringIndex(v.text, -1) {
			found = append(found, v.origin(m[0], m[1]))
		}
		// The parameter dumped and then escaped (htmlspecialchars:
		// "[sifre] =&gt; …", "&quot;sifre&quot;:&quot;…") is read where
		// its references are decoded.
		for _, value := range s.parameterValues(v.text) {
			values = append(values, v.origin(value.start, value.end))
		}
		if round == maxUnescapes {
			break
		}
		if v = v.unescape(); v == nil {
			break
		}
	}
	// Leftmost first, and one echo for spans found overlapping in
	// different rounds.
	whole := merged(found)
	// The parameter's value where no form of the whole password is found
	// in it: a value cut short, or wrapped. One that holds a whole echo
	// is read to it, and what follows (the ")" of "(sifre=…)") is the
	// text's, unless the value ends with a start of the password
	// ("sifre=<password>,<password cut>").
	found = whole
	for _, value := range values {
		// The whole echoes ending after the value starts overlap it, from
		// the first, if they start before it ends.
		k := sort.Search(len(whole), func(i int) bool { return whole[i].end > value.start })
		if k == len(whole) || whole[k].start >= value.end {
			found = append(found, value)
			continue
		}
		last := whole[k].end
		for ; k < len(whole) && whole[k].start < value.end; k++ {
			last = max(last, whole[k].end)
		}
		if last >= value.end {
			continue
		}
		if cut := s.endsWithAStart(text[last:value.end]); cut >= 0 {
			found = append(found, span{last + cut, value.end})
		}
	}
	return merged(found)
}

// endsWithAStart is where, in tail, a start of the password that runs to
// tail's end begins, -1 if none does: at least minCutRunes long, or the
// password less its last character if it is shorter.
func (s *scrubber) endsWithAStart(tail string) int {
	least := max(min(minCutRunes, utf8.RuneCountInString(s.password)-1), 1)
	// No literal form is longer than its bytes, letter case aside (a
	// case's other form may take more bytes: up to twice, for ASCII "i"
	// against "İ"): only the tail's end can continue one to its end.
	longest := 0
	for _, form := range s.literals {
		longest = max(longest, 2*len(form))
	}
	for i := range tail[max(0, len(tail)-longest):] {
		i += max(0, len(tail)-longest)
		if rest := tail[i:]; s.continued(rest) == len(rest) && utf8.RuneCountInString(rest) >= least {
			return i
		}
	}
	return -1
}

// minCutRunes is the shortest start of the password, after a whole echo
// in the same value, that is taken for a cut echo of it.
const minCutRunes = 4

// merged is spans sorted by their start, those that overlap made one.
func merged(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	sorted := slices.SortedFunc(slices.Values(spans), func(a, b span) int { return a.start - b.start })
	out := sorted[:1]
	for _, next := range sorted[1:] {
		if last := &out[len(out)-1]; next.start < last.end {
			last.end = max(last.end, next.end)
		} else {
			out = append(out, next)
		}
	}
	return out
}

// passwordParameter is the password's query parameter as a panel echoes
// the request, "sifre=" (also escaped once or twice inside another URL,
// "sifre%3D", after "%26" or "%3F"), or $_GET dumped: as JSON,
// "\"sifre\":\"" (escaped again inside a JSON string, "\\\"sifre\\\":\\\""),
// by var_export, "'sifre' => '", print_r, "[sifre] => ", or var_dump,
// "[\"sifre\"]=> string(15) \"" (an object's property with its
// visibility: "[sifre:protected] => ", "[\"sifre\":\"Istek\":private]=> "),
// Xdebug's var_dump, "'sifre' =>\n  string(15) \"" (with html_errors on,
// xdebugArrow), serialize, "s:5:\"sifre\";s:15:\"" (an object's
// property's name behind its NUL bytes, which the parser drops), Symfony's
// VarDumper (Laravel's dump and dd), "\"sifre\" => \""; or an HTML form
// filled in again with it, "name=\"sifre\" required value=\""; and the
// value after it (group 1), up to
// what ends one (valueEnd). Not "sifre:", which is how a card's own PIN
// is labelled ("Seri: …, Şifre: …"), masked as a code.
var passwordParameter = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}]|%(?:25)?(?:26|3F))(?:` +
	`[sş][iİı]fre(?:=|%(?:25)?3D)|` +
	`\\?"[sş][iİı]fre\\?"\s*(?::|=>)\s*\\?"|'[sş][iİı]fre'[ \t]*(?::|=>)[ \t]*'|` +
	`'[sş][iİı]fre'[ \t]*=>\s*string\(\d+\)[ \t]*"|'[sş][iİı]fre'` + xdebugArrow + `'|s:\d+:"[^"]{0,64}?[sş][iİı]fre";s:\d+:"|` +
	`name\s*=\s*["']?[sş][iİı]fre["']?(?:\s+[\w-]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>]*))?)*?\s+value\s*=\s*["']?|` +
	`\[[sş][iİı]fre(?::protected|:[^\]:\s]{1,64}:private)?\][ \t]*=>[ \t]*|` +
	`\["[sş][iİı]fre"(?::protected|:"[^"\s]{1,64}":private)?\][ \t]*=>\s*string\(\d+\)[ \t]*"` +
	`)((?:[^&|\s"'<>\\\x00]|\\[^"\\\x00])*)`)

// valueEnd is where a value read by passwordParameter ends: in a query
// escaped inside another URL ("sifre%3D…"), at an escaped '&' too ("%26",
// "%2526"), which its characters do not exclude; in a plain one "%26" is
// the value's own '&'.
func valueEnd(value string, escapedQuery bool) int {
	if !escapedQuery {
		return len(value)
	}
	lower := strings.ToLower(value)
	end := len(value)
	for _, amp := range []string{"%26", "%2526"} {
		if i := strings.Index(lower, amp); i >= 0 && i < end {
			end = i
		}
	}
	return end
}

// parameterValues are the values of the password's parameter in text
// (passwordParameter), whatever they hold: a panel that cuts its message
// to a column's size echoes the password in part ("sifre=gizliSif"), one
// that wraps its lines (wordwrap) in two parts, which no form of the whole
// password matches. A value that ends at a line break before it is as
// long as the password takes with it the next line's first word, unless
// that word begins an answer's field ("OK|") or the line is PHP's or
// znet's own (phpOrZnetLine).
func (s *scrubber) parameterValues(text string) []span {
	var found []span
	escaped := utf8.RuneCountInString(url.QueryEscape(s.password))
	for _, m := range passwordParameter.FindAllStringSubmatchIndex(text, -1) {
		start := m[2]
		name := strings.ToUpper(text[m[0]:start])
		escapedQuery := strings.HasSuffix(name, "%3D") || strings.HasSuffix(name, "%253D")
		end := start + valueEnd(text[start:m[3]], escapedQuery)
		if lineBreak := lineBreakLen(text[end:]); lineBreak > 0 && end == m[3] &&
			utf8.RuneCountInString(text[start:end]) < escaped {
			next := text[end+lineBreak:]
			if word := wrappedValue.FindString(next); word != "" && !strings.HasPrefix(next[len(word):], "|") &&
				!phpOrZnetLine.MatchString(next) && utf8.RuneCountInString(word) <= escaped {
				end = len(text) - len(next) + valueEnd(word, escapedQuery)
			}
		}
		// A value that goes on as the password does past what ended it
		// (a dump holds the password as typed: "[sifre] => Gizli Parola20")
		// goes as far as it does; across an answer's field ('|') only
		// where too long to be a coincidence.
		if n := s.continued(text[start:]); start+n > end {
			if !strings.Contains(text[end:start+n], "|") ||
				utf8.RuneCountInString(text[start:start+n]) > maxCoincidentPasswordRunes {
				end = start + n
			}
		}
		// A value scrubbed already (what follows REDACTED is what followed
		// the echo), or marked (echoMark), is none.
		if end > start && !strings.HasPrefix(text[start:end], redacted) {
			found = append(found, span{start, end})
		}
	}
	return found
}

// lineBreakLen is the length of the line break that wraps a text where s
// starts, 0 if none: "\n", "\r\n", or as wordwrap and nl2br write one in
// HTML, "<br>", "<br />", "<br class=\"w\">" (wordwrap breaks with any
// string it is given), escaped or not, and a line break after it.
func lineBreakLen(s string) int {
	n := 0
	for _, tag := range [][2]string{{"<br", ">"}, {"&lt;br", "&gt;"}} {
		if len(s) > len(tag[0]) && strings.EqualFold(s[:len(tag[0])], tag[0]) {
			rest := s[len(tag[0]):min(len(s), len(tag[0])+maxBreakTag)]
			i := strings.Index(strings.ToLower(rest), tag[1])
			// "<br" ends the tag's name where the tag or an attribute
			// begins: "<brand>" is another word.
			if i == 0 || i > 0 && (rest[0] == ' ' || rest[0] == '/') && !strings.ContainsAny(rest[:i], "<>\n") {
				n = len(tag[0]) + i + len(tag[1])
				break
			}
		}
	}
	switch rest := s[n:]; {
	case strings.HasPrefix(rest, "\r\n"):
		n += 2
	case strings.HasPrefix(rest, "\n"), strings.HasPrefix(rest, "\r"):
		n++
	}
	return n
}

// maxBreakTag is how far a line break's tag may run past "<br": far
// enough for a class or a style, escaped.
const maxBreakTag = 80

// phpOrZnetLine is a line PHP begins (a notice, a warning, with its colon)
// or znet does
// (an answer, "OK |2|…", a refusal, "3 |…"): no wrapped value's rest. Its
// mark would join the lines, and the answer, or PHP's word that the PIN
// was undefined, would be lost in the text before it.
var phpOrZnetLine = regexp.MustCompile(`(?i)^[\s\p{Zs}]*(?:ok[\s\p{Zs}]*\||\d+[\s\p{Zs}]*\||(?:php\s+)?(?:notice|warning|deprecated|` +
	`(?:catchable |recoverable )?fatal error|parse error|strict standards)\s*:)`)

// wrappedValue is the rest of a parameter's value that a line break cut:
// the next line's first word.
var wrappedValue = regexp.MustCompile(`^[^&|\s"'<>\\\x00]+`)

// maxUnescapes is how many times over the scrubber decodes character
// references: htmlspecialchars applied three times is as far as it goes.
const maxUnescapes = 3

// charRef is an HTML character reference, named, decimal or hex.
var charRef = regexp.MustCompile(`&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8});`)

// unescaped is a text with character references decoded, which knows where
// each of its bytes came from in the original text: byte i of text stands
// for original[from[i]:to[i]]. nil from and to mean the original itself.
type unescaped struct {
	text     string
	from, to []int
}

// origin is the span of the original text that text[start:end] stands for.
func (v *unescaped) origin(start, end int) span {
	if v.from == nil {
		return span{start, end}
	}
	return span{v.from[start], v.to[end-1]}
}

// unescape decodes v's character references once more; nil when it has
// none that decode.
func (v *unescaped) unescape() *unescaped {
	refs := charRef.FindAllStringIndex(v.text, -1)
	if refs == nil {
		return nil
	}
	next := &unescaped{}
	var b strings.Builder
	copied := 0
	keep := func(end int) {
		for i := copied; i < end; i++ {
			o := v.origin(i, i+1)
			next.from, next.to = append(next.from, o.start), append(next.to, o.end)
		}
		b.WriteString(v.text[copied:end])
		copied = end
	}
	for _, ref := range refs {
		decoded, ok := decodeCharRef(v.text[ref[0]:ref[1]])
		if !ok {
			continue
		}
		keep(ref[0])
		o := v.origin(ref[0], ref[1])
		for range len(decoded) {
			next.from, next.to = append(next.from, o.start), append(next.to, o.end)
		}
		b.WriteString(decoded)
		copied = ref[1]
	}
	if copied == 0 {
		return nil
	}
	keep(len(v.text))
	next.text = b.String()
	return next
}

// decodeCharRef decodes one character reference as a browser would, or
// the same in another letter case, since the pattern ignores case and
// strtoupper turns "&acirc;" into "&ACIRC;".
func decodeCharRef(ref string) (string, bool) {
	lower := strings.ToLower(ref)
	for _, name := range []string{ref, lower, lower[:1] + strings.ToUpper(lower[1:2]) + lower[2:]} {
		if decoded := html.UnescapeString(name); decoded != name {
			return decoded, true
		}
	}
	return "", false
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
	var b strings.Builder
	last := 0
	for i, echo := range s.echoes(text) {
		b.WriteString(text[last:echo.start])
		b.WriteString(echoMark + strconv.Itoa(i) + echoMark)
		echoes = append(echoes, text[echo.start:echo.end])
		last = echo.end
	}
	b.WriteString(text[last:])
	return b.String(), echoes
}

// finds reports whether the password occurs in text, in any of its forms.
func (s *scrubber) finds(text string) bool {
	return s.knows() && s.echoes(text) != nil
}

// knows reports whether there is a password to find at all.
func (s *scrubber) knows() bool { return s != nil && s.pattern != nil }
