package watch

import (
	"context"
	"encoding/hex"
	"errors"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// MaskPIN hides a PIN but for its end, the way a card number is shown:
// "AB12-CD34-EF56-GH78" becomes "••••-GH78". Enough for an operator to
// match it against what the customer reads out, useless to anyone else.
// It shows at most the last group, four characters, and a third of the
// PIN's letters and digits: a short PIN does not give half of itself
// away ("ABCD-EFGH" becomes "••••GH").
func MaskPIN(pin string) string {
	pin = strings.TrimSpace(pin)
	if pin == "" {
		return ""
	}
	show := min(4, len(alnums(pin))/3)
	tail := pin
	if i := strings.LastIndexAny(pin, "- "); i >= 0 {
		tail = pin[i+1:]
	}
	if tail != pin && tail != "" && utf8.RuneCountInString(tail) <= show {
		return "••••" + pin[len(pin)-len(tail)-1:] // with the PIN's own separator
	}
	runes := []rune(pin)
	return "••••" + string(runes[len(runes)-show:])
}

// HidePIN masks the PIN wherever znet repeated it in a text, such as the
// description of a done order ("PIN: AB12-..."), so that the text can go
// where the PIN must not: the event log, "lastMessage", logs and output.
// Panels repeat a PIN in other shapes than the field's: without its dashes,
// in lower case, or one code of several per line ("AAAA-1111<br>BBBB-2222"
// where the field says "AAAA-1111  BBBB-2222"). Each code of six letters
// and digits or more is found in any case with other characters and markup
// between its own, up to maxLooseGap of what a reader sees and
// maxLooseTags tags between two of them (a code of fewer than
// minTagsApartPIN counts the tags that set text apart as seen); shorter
// ones only as they are.
func HidePIN(text, pin string) string { return hideAllPINs(text, []string{pin}, MaskPIN) }

// HideStoredMessage is HidePIN for a message of znet's that the shop's
// row holds (providerMessage), with every code the message names masked
// too (znet.CodesIn): the order's PIN may have been replaced since, by
// staff or another answer, and the message still names the old one. The
// order's PIN is looked for as HidePIN looks for it, also in part: it is
// the order's final PIN, znet's or staff's, which a message may quote in
// every shape a done answer's may.
func HideStoredMessage(text, pin string) string {
	return hideAllPINs(text, append([]string{pin}, znet.CodesIn(text)...), MaskPIN)
}

// HideAnswerPINs is znet's description in answer ps with the answer's
// codes masked: a waiting or cancelled answer's withheld ones, and a done
// answer's PIN, in any shape and in part (HidePINs); an old code a done
// answer's words name beside its PIN (znet.PinStatus.Withheld) whole
// only, in any shape, showing nothing (hideCodes): it is withheld for its
// likeness to the PIN, and a reference taken for one, looked for in part,
// cut pieces out of dates.
func HideAnswerPINs(text string, ps znet.PinStatus) string {
	if ps.Status != znet.StatusDone {
		return HidePINs(text, ps.PINsToHide())
	}
	var pins []string
	if ps.PIN != "" {
		pins = []string{ps.PIN}
	}
	return hideCodes(text, pins, ps.Withheld, MaskPIN)
}

// HideHeldPIN is HidePIN for the PIN an order holds already (staff
// delivered one by hand), in znet's words about the order or an error
// that quotes them. A PIN with a letter and minLoosePIN letters and digits
// or more is looked for as HidePIN looks for it, in any shape; a number,
// or a shorter PIN, only where it stands as a word of its own, its letters
// and digits in any case and separators (wordStretches): looked for in
// part, "123456" or "1234" would cut pieces out of every order number and
// date the words quote. A PIN of fewer than four letters and digits is not
// looked for ("-", a placeholder staff typed).
func HideHeldPIN(text, pin string) string {
	pin = strings.ToValidUTF8(store.TrimPIN(pin), "") // a SQL_ASCII shop's bytes
	switch n := len(alnums(pin)); {
	case n < minHeldPIN:
		return text
	case n >= minLoosePIN && strings.ContainsFunc(pin, unicode.IsLetter):
		return HidePIN(text, pin)
	}
	codes := slices.Compact(slices.Sorted(slices.Values(codesOf(pin))))
	if len(codes) == 0 { // too many codes to look for each
		codes = []string{pin}
	}
	have := alnums(text)
	var found []stretch
	work := 0
	for _, code := range codes {
		found = append(found, wordStretches(have, code, &work)...)
	}
	return writeStretches(text, found)
}

// minHeldPIN is the fewest letters and digits a PIN an order holds has
// for HideHeldPIN to look for it.
const minHeldPIN = 4

// wordStretches are the stretches of a text, whose letters and digits are
// have, that quote code's letters and digits, folded as a PIN's are
// (foldPINRune), with at most maxWordSeparator bytes of anything else
// between two of them, and no letter or digit right before or after:
// "4829-1037-5561" for 482910375561, not the end of 20261205123456. work
// counts the letters and digits compared, across calls, up to
// maxLooseWork.
func wordStretches(have []alnum, code string, work *int) []stretch {
	want := alnums(code)
	adjacent := func(k int) bool { return have[k].end == have[k+1].start }
	mask := MaskPIN(code)
	var found []stretch
	for i := 0; len(want) > 0 && i+len(want) <= len(have); i++ {
		if i > 0 && adjacent(i-1) || have[i].r != want[0].r {
			continue
		}
		last := i + len(want) - 1
		if last+1 < len(have) && adjacent(last) {
			continue
		}
		matched := true
		for k := 1; k < len(want) && matched; k++ {
			*work++
			matched = have[i+k].r == want[k].r && have[i+k].start-have[i+k-1].end <= maxWordSeparator
		}
		if *work > maxLooseWork {
			return found
		}
		if matched {
			found = append(found, stretch{start: have[i].start, end: have[last].end, mask: mask})
			*work += len(want) // and the stretch written
			i = last
		}
	}
	return found
}

// maxWordSeparator is the most bytes wordStretches takes between two of a
// code's letters and digits: " - ", or a no-break space and a dash.
const maxWordSeparator = 4

// HidePINs is HidePIN for each of pins, all masked in one pass: the codes
// a waiting or cancelled answer withheld (znet.PinStatus.PINsToHide).
func HidePINs(text string, pins []string) string { return hideAllPINs(text, pins, MaskPIN) }

// codesOf are the codes of pin to look for in other shapes and in part:
// each code, and the whole PIN when it has several.
func codesOf(pin string) []string {
	codes := strings.Fields(pin)
	if len(codes) > maxLooseCodes {
		// No PIN field of a real order holds this many codes; looking
		// for each in every shape would hold up every answer of the run
		// for minutes.
		return nil
	}
	if len(codes) > 1 {
		codes = append(codes, strings.TrimSpace(pin))
	}
	return codes
}

// stretch is text[start:end], to be written as mask.
type stretch struct {
	start, end int
	mask       string
}

// writeStretches writes text with each stretch masked; overlapping ones
// are masked as one, by the mask of one that holds all of them, else by
// fragmentMask, which shows nothing.
func writeStretches(text string, found []stretch) string {
	if len(found) == 0 {
		return text
	}
	slices.SortStableFunc(found, func(x, y stretch) int {
		if x.start != y.start {
			return x.start - y.start
		}
		return y.end - x.end // the longest of those starting together first
	})
	var merged []stretch
	for _, st := range found {
		if n := len(merged); n > 0 && st.start < merged[n-1].end {
			if st.end > merged[n-1].end {
				merged[n-1].end, merged[n-1].mask = st.end, fragmentMask
			}
			continue
		}
		merged = append(merged, st)
	}
	var b strings.Builder
	copied := 0
	for _, st := range merged {
		b.WriteString(text[copied:st.start])
		b.WriteString(st.mask)
		copied = st.end
	}
	b.WriteString(text[copied:])
	return b.String()
}

// maxLooseCodes is the most codes a PIN field may hold for them to be
// looked for in other shapes and in part; past it, only the field as it
// is. An order of many PINs has tens.
const maxLooseCodes = 64

// fragmentMask stands for part of a PIN a text quoted. It shows nothing:
// the mask of the whole code would show its end, which the text may not
// have quoted.
const fragmentMask = "••••"

// fragmentStretches are the stretches of at least minLoosePIN of code's
// letters and digits that text quotes in the shapes looseStretches finds:
// a shop trigger's refusal may quote the start of a PIN (left(pin, 8)), and
// half a PIN is more than MaskPIN would ever show.
func fragmentStretches(readings [][]alnum, code string) []stretch {
	want := alnums(code)
	if len(want) < minLoosePIN || len(want) > maxLoosePIN {
		return nil
	}
	tagsApart := len(want) >= minTagsApartPIN
	return runs(readings, fragmentMask, func(have []alnum, i int) int {
		longest := 0
		for j := range want {
			longest = max(longest, looseRun(have[i:], want[j:], tagsApart))
		}
		if longest < minLoosePIN {
			return 0
		}
		return longest
	})
}

// A code is looked for in other shapes when it has from minLoosePIN to
// maxLoosePIN letters and digits: fewer would mask ordinary numbers, and
// more are no PIN the shop saves (store.LongestPIN, whatever "pinCode"
// takes; a longer one is held for a person, and a PIN field may hold 64
// KiB of a panel's making). Real PINs have 8 to 24; at 64, a PIN of 72
// that the shop saved was masked in znet's words only as the field wrote
// it, and its lower-case repetition was kept in providerMessage and the
// events.
const (
	minLoosePIN = 6
	maxLoosePIN = store.LongestPIN
	// maxLooseGap is how much a reader sees between two of the code's
	// letters and digits (gapCount.seen): "-", " ", "&nbsp;-&nbsp;", a
	// separator between tags ("</span> - <span class=pin>" shows " - ").
	// maxLooseTags is how many tags may stand there besides, counted apart
	// because they show nothing and a panel that writes its descriptions
	// as HTML may put many around each group of a PIN: a cell's closing
	// and the next one's opening tags, and those of the spans within.
	maxLooseGap  = 8
	maxLooseTags = 16
)

// alnum is one letter or digit of a text, folded (foldPINRune), where it
// stands, and what stands between it and the one before.
type alnum struct {
	r          rune
	start, end int
	gap        gapCount
}

// gapCount is what stands between two letters or digits of a text: what a
// reader sees (seen), each character one, and a run of white space one, as
// HTML shows it (also a run of "&nbsp;" or "%20", which a browser would
// show wider: a panel pads with them as with spaces); where markup is
// passed over, a character reference or an escape one; and the tags passed
// over, which show nothing.
type gapCount struct {
	seen, tags int
	// blockTags are the tags that set text apart (a cell, a row, a
	// paragraph), where the others only dress it (inlineTags).
	blockTags int
}

// within says whether the gap is small enough for the letters and digits
// on either side to be one code's: with tags counted apart from what is
// seen (tagsApart), or, a short code's (minTagsApartPIN), with the tags
// that set text apart counted with what is seen.
func (g gapCount) within(tagsApart bool) bool {
	if tagsApart {
		return g.seen <= maxLooseGap && g.tags <= maxLooseTags
	}
	return g.seen+g.blockTags <= maxLooseGap && g.tags <= maxLooseTags
}

// inlineTags only dress text (a font, a colour, bold): between a PIN's
// groups they say nothing of whether the groups are one code's.
var inlineTags = map[string]bool{
	"a": true, "b": true, "big": true, "code": true, "em": true, "font": true, "i": true,
	"mark": true, "s": true, "small": true, "span": true, "strong": true, "tt": true, "u": true,
}

// tagName is a tag's name, escaped or not, in lower case: "span" for
// "</SPAN>" and for "&lt;span class=x&gt;".
func tagName(tag string) string {
	if at := strings.Index(tag, "lt;"); tag[0] == '&' && at >= 0 {
		tag = tag[at+len("lt;"):]
	} else {
		tag = tag[1:]
	}
	tag = strings.TrimPrefix(tag, "/")
	if end := strings.IndexFunc(tag, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); end >= 0 {
		tag = tag[:end]
	}
	return strings.ToLower(tag)
}

// minTagsApartPIN is the fewest letters and digits a code has for its
// gaps' tags to be counted apart: a shorter one, a PIN of six digits say,
// is found too easily across a table's cells of other numbers.
const minTagsApartPIN = 10

// alnums are a code's letters and digits, in order.
func alnums(code string) []alnum { return alnumsOf(code, nil) }

// readText reads a text's letters and digits twice, for the PIN to be
// looked for in both: as they stand, and with markup passed over, each
// tag, character reference or percent escape part of a gap. A panel that
// writes its descriptions as HTML puts "&nbsp;" or "<br class=x>" between
// a PIN's groups, whose letters are none of the PIN's; but a PIN may stand
// inside a tag's attribute (data-pin="...") or look like a reference's
// name, and must be found there too. Read once per text, not per code.
func readText(text string) [][]alnum {
	return [][]alnum{alnumsOf(text, nil), alnumsOf(text, markupToken)}
}

// alnumsOf are text's letters and digits, in order, but for those inside
// what skip matches (nil: none).
func alnumsOf(text string, skip *regexp.Regexp) []alnum {
	var out []alnum
	var markup [][]int
	if skip != nil {
		markup = skip.FindAllStringIndex(text, -1)
	}
	var gap gapCount
	inSpace := false // a tag, showing nothing, ends no run of white space
	seen := func(space bool) {
		if !space || !inSpace {
			gap.seen++
		}
		inSpace = space
	}
	for i, r := range text {
		for len(markup) > 0 && markup[0][1] <= i {
			markup = markup[1:]
		}
		if len(markup) > 0 && markup[0][0] <= i {
			if token := text[markup[0][0]:markup[0][1]]; markup[0][0] == i {
				if isTag.MatchString(token) {
					gap.tags++
					if !inlineTags[tagName(token)] {
						gap.blockTags++
					}
				} else {
					seen(standsForSpace(token))
				}
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, alnum{foldPINRune(r), i, i + utf8.RuneLen(r), gap})
			gap, inSpace = gapCount{}, false
			continue
		}
		seen(unicode.IsSpace(r))
	}
	return out
}

// standsForSpace says whether a character reference, a percent escape or a
// JSON escape, escaped again or not, stands for white space: "&nbsp;",
// "&#160;", "%20", "\n", "\u00a0".
func standsForSpace(token string) bool {
	var text string
	switch token[0] {
	case '%':
		b, err := hex.DecodeString(token[len(token)-2:])
		if err != nil {
			return false
		}
		text = string(b)
	case '\\':
		if token[1] != 'u' {
			return true // \n, \r, \t
		}
		v, err := strconv.ParseUint(token[2:], 16, 32)
		if err != nil {
			return false
		}
		text = string(rune(v))
	default:
		text = token
		for range 4 { // &amp;amp;nbsp; and the like
			unescaped := html.UnescapeString(text)
			if unescaped == text {
				break
			}
			text = unescaped
		}
	}
	r, size := utf8.DecodeRuneInString(text)
	return size > 0 && size == len(text) && unicode.IsSpace(r)
}

// foldPINRune is a PIN's letter or digit as it is compared: in lower case,
// Turkish's dotless ı as i (a Turkish strtolower makes "LIFE" "lıfe"), and
// a full-width form (ＡＢ１２, an East Asian input method's) as the ASCII
// one.
func foldPINRune(r rune) rune {
	if r < utf8.RuneSelf { // most of every text: no table to look in
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	if narrow := width.LookupRune(r).Narrow(); narrow != 0 {
		r = narrow
	}
	r = unicode.ToLower(r)
	if r == 'ı' {
		r = 'i'
	}
	return r
}

// markupToken is a tag, with or without attributes, an HTML character
// reference (also "&nbsp" without its semicolon), a percent escape (%2D,
// %20: a description built from a query string), each also escaped again
// (&amp;#45;, %252D, &lt;br /&gt;), or a JSON string's escape (\n,
// \u00a0: json_encode of a description); passed over, its letters and
// digits are none of a PIN's. A tag may be long: a style attribute alone
// runs to a hundred characters. (A bound on its length, {1,512}, made the
// pattern's program a thousand steps long, which Go's matcher runs on
// every text slower than a small one: the applier, masking each answer's
// PINs in a refusal's text while the database was down, fell behind.)
var markupToken = regexp.MustCompile(`<[^<>]+>|` + escapedTag + `|&(?:amp;)*(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});|&(?:amp;)*nbsp|%(?:25)*[0-9a-fA-F]{2}|\\(?:[nrt]|u[0-9a-fA-F]{4})`)

// escapedTag is a tag escaped as text (htmlspecialchars of nl2br's
// output: "&lt;br /&gt;"), which shows as the tag, not as a PIN's.
const escapedTag = `&(?:amp;)*lt;[^<>&]+?&(?:amp;)*gt;`

// isTag says whether a markupToken is a tag, escaped or not: what shows
// nothing where a panel's HTML is shown.
var isTag = regexp.MustCompile(`^(?:<|` + escapedTag + `$)`)

// looseStretches are where code's letters and digits appear in text
// in order, in any case, at most maxLooseGap and maxLooseTags apart. It scans
// rather than building a pattern: a pattern of the panel's data costs
// milliseconds to compile for each answer, on the goroutine that saves
// every run's answers.
func looseStretches(readings [][]alnum, code, mask string) []stretch {
	want := alnums(code)
	if len(want) < minLoosePIN || len(want) > maxLoosePIN {
		return nil
	}
	tagsApart := len(want) >= minTagsApartPIN
	return runs(readings, mask, func(have []alnum, i int) int {
		if looseRun(have[i:], want, tagsApart) < len(want) {
			return 0
		}
		return len(want)
	})
}

// runs are the stretches of a text's letters and digits that runAt finds,
// in each of its readings: how many of them, from the i-th, the stretch
// takes (0: none starts there), each to be written as mask. Within one
// reading they do not overlap.
func runs(readings [][]alnum, mask string, runAt func(have []alnum, i int) int) []stretch {
	var out []stretch
	for _, have := range readings {
		for i := 0; i < len(have); i++ {
			n := runAt(have, i)
			if n == 0 {
				continue
			}
			out = append(out, stretch{have[i].start, have[i+n-1].end, mask})
			i += n - 1
		}
	}
	return out
}

// looseRun is how many of want's letters and digits have spells from its
// start, in order, with gaps within what gapCount.within allows.
func looseRun(have, want []alnum, tagsApart bool) int {
	n := 0
	for n < len(have) && n < len(want) && have[n].r == want[n].r &&
		(n == 0 || have[n].gap.within(tagsApart)) {
		n++
	}
	return n
}

// hideAllPINs writes mask(code) where text quotes any code of pins, whole
// or in other shapes, and fragmentMask where it quotes part of one, all found on
// one reading of the text and written in one pass: masked one PIN after
// another, where two PINs share codes ("AAAAAA-BBBBBB", "BBBBBB-CCCCC"),
// the first one's mask broke the second one's quote into pieces too short
// to be found, which showed.
//
// A code is looked for in other shapes and in part only where the text
// holds minLoosePIN of its letters and digits in a row (textWindows), as
// every shape and part found does: a database error's one line is read
// for the one or two codes it may quote, not for every code of a batch's
// 200 PINs. Past maxLooseWork, a text quoting hundreds of codes (a
// cancelled order of many e-pins, a panel's garbage) has the rest masked
// where it quotes them as they are, instead of holding up every answer of
// the run for a second or more.
func hideAllPINs(text string, pins []string, mask func(code string) string) string {
	return hideCodes(text, pins, nil, mask)
}

// hideCodes is hideAllPINs of pins and of whole, in one pass: the codes
// of whole only whole, not in part, and masked as fragments, showing
// nothing: their mask would show their end, which may be the PIN's ("Eski
// kod ZZ99-XX88-YY77-EF56" beside the PIN AB12-CD34-EF56-GH78).
func hideCodes(text string, pins, whole []string, mask func(code string) string) string {
	if len(pins)+len(whole) == 0 {
		return text
	}
	showNothing := func(string) string { return fragmentMask }
	readings := readText(text)
	found := append(quoted(text, pins, mask), quoted(text, whole, showNothing)...)
	windows := textWindows(readings)
	perCode := max(len(readings[0])+len(readings[1]), 1)
	work := 0
	for k, pin := range slices.Concat(pins, whole) {
		for _, code := range codesOf(strings.TrimSpace(pin)) {
			if !windows.mayQuote(code) {
				continue
			}
			if work += perCode; work > maxLooseWork {
				return writeStretches(text, found)
			}
			if k < len(pins) {
				found = append(found, looseStretches(readings, code, mask(code))...)
				found = append(found, fragmentStretches(readings, code)...)
			} else {
				found = append(found, looseStretches(readings, code, fragmentMask)...)
			}
		}
	}
	return writeStretches(text, found)
}

// maxLooseWork bounds how many letters and digits of a text, counted once
// for each code looked for in other shapes, one masking reads: some 0.1 s
// of the goroutine that saves the run's answers
// (BenchmarkHidePINsOfManyGroupedCodes), about 230 codes the text quotes
// in a description as long as the store keeps.
const maxLooseWork = 1 << 20

// windows are the runs of minLoosePIN letters and digits of a text's
// readings, folded.
type windows map[string]bool

func textWindows(readings [][]alnum) windows {
	w := make(windows)
	for _, have := range readings {
		for i := 0; i+minLoosePIN <= len(have); i++ {
			w[windowAt(have[i:])] = true
		}
	}
	return w
}

// mayQuote says whether the text may quote code, or minLoosePIN of its
// letters and digits, in any shape: it holds a run of them. A code the
// loose search passes over (minLoosePIN to maxLoosePIN) is not read.
func (w windows) mayQuote(code string) bool {
	want := alnums(code)
	if len(want) > maxLoosePIN {
		return false
	}
	for i := 0; i+minLoosePIN <= len(want); i++ {
		if w[windowAt(want[i:])] {
			return true
		}
	}
	return false
}

func windowAt(from []alnum) string {
	var b [minLoosePIN * utf8.UTFMax]byte
	n := 0
	for _, a := range from[:minLoosePIN] {
		n += utf8.EncodeRune(b[n:], a.r)
	}
	return string(b[:n])
}

// quoted are the stretches where text quotes any of pins as it is.
func quoted(text string, pins []string, mask func(code string) string) []stretch {
	var found []stretch
	for _, pin := range pins {
		pin = strings.TrimSpace(pin) // as the shop may have written it
		for from := 0; pin != ""; {
			at := strings.Index(text[from:], pin)
			if at < 0 {
				break
			}
			found = append(found, stretch{from + at, from + at + len(pin), mask(pin)})
			from += at + len(pin)
		}
	}
	return found
}

// hidePINs is the error the database gave for saving outcomes, with their
// PINs masked in its text, and the PINs held, those the shop's orders
// already hold: a refusal may quote them (a shop trigger's message), and
// the error reaches the log, the run's error and the operator's terminal,
// whether or not --show-pin was given.
func hidePINs(err error, outcomes []store.Outcome, held ...string) error {
	var pins []string
	for _, o := range outcomes {
		if o.PIN != "" {
			pins = append(pins, o.PIN)
		}
		pins = append(pins, o.ShopCodes...)
	}
	for _, pin := range held {
		if !slices.Contains(pins, pin) {
			pins = append(pins, pin)
		}
	}
	if err == nil || len(pins) == 0 {
		return err
	}
	return pinsHiddenError{err: err, pins: pins}
}

// hideSavePINs is hidePINs for an error saving outcomes, with the PINs the
// orders hold read from the shop where its database refused in words of
// its own (store.ShopRefused): a trigger guarding a delivered order quotes
// OLD."pinCode", a PIN no answer of znet's carries, staff's or an
// earlier answer's. Where they cannot be read, the refusal's words are
// not shown (refusalWithheld).
func hideSavePINs(ctx context.Context, st *store.Store, err error, outcomes []store.Outcome) error {
	if err == nil || !store.ShopRefused(err) {
		return hidePINs(err, outcomes)
	}
	ids := make([]string, len(outcomes))
	for k, o := range outcomes {
		ids[k] = o.Order.ID
	}
	// The save's own context may be the one that just ran out.
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shopPINsReadTimeout)
	defer cancel()
	held, readErr := st.ShopPINs(readCtx, ids)
	if readErr != nil {
		return refusalWithheld{readErr: readErr, rowRefused: store.RefusedTheRow(err)}
	}
	return hidePINs(err, outcomes, held...)
}

// shopPINsReadTimeout bounds reading the PINs a refused save's orders hold.
const shopPINsReadTimeout = 5 * time.Second

// refusalWithheld stands for a refusal of the shop's database whose words
// may quote a PIN that could not be read to mask it. It unwraps to nothing:
// the words must not be reached through it; rowRefused keeps whether they
// refused the row for what it holds (refusedTheRow).
type refusalWithheld struct {
	readErr    error
	rowRefused bool
}

// refusedTheRow is store.RefusedTheRow for a save's error as the applier
// keeps it, the refusal's words withheld or not.
func refusedTheRow(err error) bool {
	var withheld refusalWithheld
	if errors.As(err, &withheld) {
		return withheld.rowRefused
	}
	return store.RefusedTheRow(err)
}

func (e refusalWithheld) Error() string {
	return "the shop's database refused to save znet's answer; its words are not shown, since they may quote a PIN the order holds, which could not be read to mask it (" +
		e.readErr.Error() + ")"
}

type pinsHiddenError struct {
	err  error
	pins []string
}

func (e pinsHiddenError) Error() string { return hideAllPINs(e.err.Error(), e.pins, MaskPIN) }

func (e pinsHiddenError) Unwrap() error { return e.err }
