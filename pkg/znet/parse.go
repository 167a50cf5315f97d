package znet

import (
	"bytes"
	"fmt"
	"html"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// MaxBodyBytes caps what zwatch reads from znet. Real answers are a few
// dozen bytes; anything longer is not a znet answer.
const MaxBodyBytes = 64 << 10

// Endpoint names, used as Error.Op.
const (
	OpCheckPin = "pin_kontrol"
	OpBalance  = "bakiye_kontrol"
)

// A rejection message is echoed into errors and logs; znet's are short, so
// a long one is cut rather than carried around whole.
const maxMessageRunes = 200

// Status is the DURUM field of a pin_kontrol answer.
type Status int

const (
	StatusWaiting   Status = 1 // bekliyor
	StatusDone      Status = 2 // onaylı, PIN delivered (PIN may be "" for top-ups)
	StatusCancelled Status = 3 // iptal
)

func (s Status) String() string {
	switch s {
	case StatusWaiting:
		return "waiting"
	case StatusDone:
		return "done"
	case StatusCancelled:
		return "cancelled"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// PinStatus is one order's state as znet reports it.
type PinStatus struct {
	Status Status
	// PIN is "" when znet sends it blank (" " or " - "), and for a
	// waiting or cancelled order, which has none to deliver.
	PIN string
	// Withheld are the codes an answer holds back, took back or names
	// besides its PIN, which its description may repeat: a waiting or
	// cancelled answer's PIN field where it reads as a code
	// (withheldCode), and each code the words name (withheldCodes); in a
	// done answer, each like its PIN (likePIN: "Eski kodunuz ... iptal
	// edildi, yeni kod verildi", the old code a customer's as much as the
	// new one).
	// None is a PIN to save or show; they are there for the description
	// to be masked with (PINsToHide). Each is kept apart: joined, codes
	// written in groups ("Kod 1: 1111 2222 3333 4444, Kod 2: ...") read
	// as one long code and groups too short to look for, and none was
	// masked.
	Withheld    []string
	Description string
}

// PINsToHide are the codes the description must not show: the delivered
// PIN and those the answer withheld. watch.HideAnswerPINs masks them, a
// done answer's PIN in part and its withheld codes whole: masked all
// alike, an old code's mask would show its end, which may be the PIN's.
func (ps PinStatus) PINsToHide() []string {
	if ps.PIN != "" && !slices.Contains(ps.Withheld, ps.PIN) {
		return append([]string{ps.PIN}, ps.Withheld...)
	}
	return ps.Withheld
}

// ParsePinStatus parses a pin_kontrol answer, "OK|{DURUM}|{PIN}|{AÇIKLAMA}".
//
// It is lenient where that cannot mislead: whitespace, CR/LF and a BOM around
// the body and the fields are ignored, the description may contain '|', and
// "OK|1" or "OK|3" without the trailing fields are accepted because waiting
// and cancelled orders carry no PIN anyway. A done answer must reach the
// description's field, empty or not: "OK|2|AB12-CD" may be a body cut short
// in the middle of its PIN (a panel that closes the connection mid-write,
// with nothing to tell the client the body is incomplete), and a done order
// is final, its PIN delivered to the customer.
//
// Returned fields are trimmed, valid UTF-8 (Windows-1254 is assumed when the
// body is not UTF-8), free of NUL bytes and with other control characters
// turned into spaces. A done answer is refused instead when its PIN field
// holds a control character other than white space or an invisible format
// character, or when the body holds a NUL byte anywhere but at its ends:
// cleaned, its PIN would be a code znet never issued. So is one whose PIN
// field holds what a broken PHP script prints for a PIN (isPHPPlaceholder,
// markup, no letter or digit), and a body of two different answers.
// Errors are *Error;
// KindUnusable for an answer in znet's format about the order that zwatch
// cannot use.
func ParsePinStatus(body []byte) (PinStatus, error) { return parsePinStatus(body, &scrubber{}) }

// parsePinStatus is ParsePinStatus for a client that knows the password: it
// never returns it, in any field or error. The description is scrubbed of
// it; a PIN field that is, or carries, an echo of the password (see
// answer.value) is no PIN to deliver, and its answer is refused.
func parsePinStatus(body []byte, password *scrubber) (PinStatus, error) {
	a, err := splitAnswer(OpCheckPin, body, 4, password)
	if err != nil {
		return PinStatus{}, err
	}
	// "OK" alone, or with an empty status, says nothing of any order: what
	// a wrong base URL that answers every path with "OK" sends.
	if len(a.fields) < 2 || a.word(1) == "" {
		return PinStatus{}, unintelligible(OpCheckPin, "znet answered OK without an order status")
	}
	var ps PinStatus
	switch a.word(1) {
	case "1":
		ps.Status = StatusWaiting
	case "2":
		ps.Status = StatusDone
	case "3":
		ps.Status = StatusCancelled
	default:
		return PinStatus{}, unusable("znet answered an order status other than 1, 2 or 3")
	}
	if len(a.fields) < 3 && ps.Status == StatusDone {
		return PinStatus{}, unusable("znet answered that the order is done but sent no PIN field")
	}
	if len(a.fields) < 4 && ps.Status == StatusDone {
		return PinStatus{}, unusable("znet answered that the order is done but its answer ends in the PIN field, as one cut short would")
	}
	// A waiting or cancelled order has no PIN, and what its field holds (a
	// password's echo, say) refuses nothing: it is read only to be masked
	// where the description repeats it.
	var fieldCode string
	if len(a.fields) >= 3 && ps.Status != StatusDone {
		fieldCode = a.withheldCode(2)
	}
	if len(a.fields) >= 3 && ps.Status == StatusDone {
		// A code pasted from a web page, or the first of a spreadsheet saved
		// with a byte-order mark, carries an invisible character at an end,
		// which is no part of the code the customer types; inside a code it
		// still refuses the answer (controlIn), and so does a field that
		// held nothing else, which would pass for a top-up's.
		if trimmed := strings.TrimFunc(a.fields[2], isSpaceOrZeroWidth); strings.ContainsFunc(trimmed, isLetterOrDigit) {
			a.fields[2] = trimmed
		}
		pin, ok := a.value(2, isPINRune, isPINFieldRune)
		if !ok {
			return PinStatus{}, unusable("znet's PIN field repeats the dealer password; the answer is not used")
		}
		joined, markup := joinedCodes(pin)
		if joined != pin && a.password.finds(joined) {
			return PinStatus{}, unusable("znet's PIN field repeats the dealer password; the answer is not used")
		}
		if markup {
			return PinStatus{}, unusable("znet's PIN field holds markup, which no PIN has; the answer is not used")
		}
		if joined != "-" {
			ps.PIN = joined
		}
		// A PIN cleaned of an escape sequence, a zero-width space or a NUL
		// byte would be a code znet never issued, handed to the customer as
		// theirs; a field that held nothing else would pass for a top-up's.
		// Line breaks and tabs between a PIN's groups or codes become spaces.
		switch {
		case a.controlIn(2):
			return PinStatus{}, unusable("znet's PIN field holds control or invisible characters, which no PIN has; the answer is not used")
		case strings.ContainsFunc(ps.PIN, isCombiningMark):
			return PinStatus{}, unusable("znet's PIN field holds a combining mark (a stroke or an accent laid over the character before it), which no PIN has and no customer can type; the answer is not used")
		case a.hadNUL:
			return PinStatus{}, unusable("znet's done answer holds a NUL byte, which no text answer does, so its PIN field cannot be trusted; the answer is not used")
		case a.legacy && readsAsUTF8Too(ps.PIN):
			return PinStatus{}, unusable("znet's answer is not UTF-8, yet its PIN's letters read as UTF-8 too, so which letters they are cannot be told; the answer is not used")
		// What a broken PHP script prints where a PIN should be: an array
		// or a null as PHP spells them, a placeholder of dashes or dots, or
		// nothing, where it said it read no PIN. Saved, it would be the
		// customer's PIN, or a top-up's none, and the order approved.
		case isPHPPlaceholder(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field holds what PHP prints for a value that is no PIN (Array, NULL, Resource id #5, 0), a mask or the PIN's name; the answer is not used")
		case isErrorMessage(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field holds an error message of PHP's or of the panel's database, not a PIN; the answer is not used")
		case ps.PIN != "" && strings.ContainsAny(ps.PIN, templateSyntax):
			return PinStatus{}, unusable("znet's PIN field holds a script's or a template's syntax ($pin, %s, {pin}, \\N), which no PIN has; the answer is not used")
		// A string a script encoded (json_encode, var_export) comes in
		// quotes: saved, the customer's PIN would carry them, and which
		// characters are the code's cannot be told for sure.
		case quoted(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field is wrapped in quotation marks, as a script writes a string it encoded, which no PIN is; the answer is not used")
		case ps.PIN != "" && !strings.ContainsFunc(ps.PIN, isLetterOrDigit):
			return PinStatus{}, unusable("znet's PIN field holds neither a letter nor a digit, which every PIN has; the answer is not used")
		// What a script makes of a PIN on its way out, and words where a
		// PIN should be (a status column's, a swapped field's): saved, the
		// customer would get a dead code on a final order.
		case shortenedPIN.MatchString(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field ends in an ellipsis, as a PIN shortened for a list is, so part of it is missing; the answer is not used")
		case floatPIN.MatchString(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field holds a number as PHP prints a float (1.2345678901235E+15) or an infinity, whose digits are lost; the answer is not used")
		case ps.PIN != "" && alnums(ps.PIN) < minPINLettersDigits:
			return PinStatus{}, unusable("znet's PIN field holds fewer letters and digits than any PIN has; the answer is not used")
		case readsAsWords(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field holds words, not a code (a status such as \"İşlem tamamlandı\", or the description in the PIN's place); the answer is not used")
		case missingAfterCode(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field ends in what a script prints for a value it did not have (NULL, Array, undefined, a label with nothing after it), so part of the code is missing; the answer is not used")
		case remnantLine(a.rawText(2)):
			return PinStatus{}, unusable("znet's PIN field ends in a line of one to three digits (a refusal's code after the answer, cut off by its bar), which the customer would take for part of the PIN; the answer is not used")
		// Another column's value in the PIN's place (pin_ekle's cost, a
		// row's date) or a dumped one: the customer would get a price.
		case notAPIN(ps.PIN) != "":
			return PinStatus{}, unusable("znet's PIN field holds " + notAPIN(ps.PIN) + ", not a code: another column's value in the PIN's place, or a dumped one; the answer is not used")
		case lookAlikes(ps.PIN):
			return PinStatus{}, unusable("znet's PIN field holds digits other than 0-9 (full-width, Arabic-Indic, superscript), full-width letters or marks, or Cyrillic or Greek letters in a code, which a customer cannot type as shown; the answer is not used")
		case ps.PIN == "" && a.pinUndefined:
			return PinStatus{}, unusable("znet answered that the order is done without a PIN, after PHP said the panel's script read no PIN (an undefined PIN, a row that was not there): " +
				"a PIN it failed to print cannot be told from a top-up's; the answer is not used")
		}
	}
	// "OK|2|AAAA-1111-BBBB|CCCC-2222-DDDD|2 adet": a panel that lists an
	// order's codes parted by bars. Its first alone saved, the order would
	// be approved with part of what the customer bought.
	if ps.Status == StatusDone && len(a.fields) == 4 {
		if a.anotherCodeAfterPIN(ps.PIN) {
			return PinStatus{}, unusable("znet's answer holds another code like the PIN in the field after it, as a panel that parts an order's codes by bars writes them, and the PIN field alone would be part of what was bought; the answer is not used")
		}
	}
	if len(a.fields) == 4 {
		ps.Description = a.textRepeating(3, ps.PIN)
	}
	if len(a.fields) == 4 && ps.Status != StatusDone && a.halfCharacters(a.fields[3]) {
		ps.Description = wordsWithNUL
	}
	// A panel may name the code in a waiting or cancelled answer's words
	// before it hands it over in a done one's PIN field ("Kodunuz: ...
	// hazırlanıyor"): the customer's PIN, to be masked as one withheld.
	// The PIN field's code is kept beside them unless the words name it
	// too: a field's code found inside what they name ("Eski kod: <field>,
	// yeni kod: <PIN>") must not stand for the other codes named. A done
	// answer's words may name an old code beside its PIN, one it replaced,
	// and are masked of it too: of a code like the PIN's (likePIN), not of
	// an order's number or a product's code, which staff read.
	for _, code := range withheldCodes(ps.Description) {
		switch {
		case ps.Status != StatusDone || code != ps.PIN && likePIN(code, ps.PIN):
			ps.Withheld = append(ps.Withheld, code)
		case ps.Status == StatusDone && code != ps.PIN:
			ps.Withheld = append(ps.Withheld, oldCodesAmong(code, ps.PIN)...)
		}
	}
	if ps.Status != StatusDone && fieldCode != "" && !slices.Contains(ps.Withheld, fieldCode) {
		ps.Withheld = append([]string{fieldCode}, ps.Withheld...)
	}
	return ps, nil
}

// wordGrouping is how a PIN's groups are parted where that is how words
// are parted elsewhere, which would cut every code of its shape into
// pieces, none like it: spaces between three or more groups of a code's
// ("1234 5678 9012 3456", "AB12 CD34 EF56"), or a ':' or ')' glued to
// them ("AB12:CD34:EF56", where elsewhere they end a label: "Kod:CCCC",
// "1)CCCC"). Beside such a PIN, rows of groups of its sizes are read as
// codes whose dashes part them (joinGroups).
type wordGrouping struct {
	sizes      []int    // each group's letters and digits
	mixed      bool     // a group mixes letters and digits
	labelMarks bool     // ':' or ')' part the groups, not spaces
	letters    []string // the groups, where none has a digit
}

// parts says whether token is what parts g's groups.
func (g wordGrouping) parts(token string) bool {
	if g.labelMarks {
		return labelMark(token)
	}
	return spaces(token)
}

// groupedAsWords is a PIN's wordGrouping; false where it is not so
// grouped, or its groups are words' ("PUBG 60 UC ABCD-1234",
// "Seri:12345678", "Razer QWRTY PSDFG").
func groupedAsWords(pin string) (wordGrouping, bool) {
	tokens := groupToken.FindAllString(pin, -1)
	if len(tokens) < 3 || len(tokens)%2 == 0 || alnums(pin) < 8 {
		return wordGrouping{}, false
	}
	g := wordGrouping{labelMarks: labelMark(tokens[1])}
	for i, t := range tokens {
		if i%2 == 1 {
			if !g.parts(t) {
				return wordGrouping{}, false
			}
			continue
		}
		n := utf8.RuneCountInString(t)
		word := !strings.ContainsFunc(t, unicode.IsDigit) && (capitalisedWord.MatchString(t) || strings.ToUpper(t) != t)
		if !startsAlnum(t) || word || !g.labelMarks && (n < 3 || n > 8) {
			return wordGrouping{}, false
		}
		g.sizes = append(g.sizes, n)
		g.mixed = g.mixed || lettersAndDigits(t)
	}
	if !g.labelMarks && len(g.sizes) < 3 {
		// Two groups spaces part are a word and a code as often.
		return wordGrouping{}, false
	}
	if len(g.sizes) > maxWordGroups {
		// No code has so many groups; each token of the answer would be
		// read as the start of a row that long (2 s for 64 KB).
		return wordGrouping{}, false
	}
	if !strings.ContainsFunc(pin, unicode.IsDigit) {
		for i := 0; i < len(tokens); i += 2 {
			g.letters = append(g.letters, tokens[i])
		}
	}
	return g, true
}

// maxWordGroups is the most groups a PIN grouped as words is read with.
const maxWordGroups = 12

// isVowel is a vowel of Turkish's or English's alphabet, in either case,
// with a circumflex ("HÂLÂ"), or Ý, ý: İ and ı in Turkish text read as
// Latin-1 ("GÝRÝÞ"), as old PHP sites send it (helper-307).
func isVowel(r rune) bool { return strings.ContainsRune("AEIİOÖUÜÂÎÛÝaeıioöuüâîûý", r) }

// joinGroups is s with the groups of rows of g's sizes, one row after
// another, joined by dashes: beside a PIN "1234 5678 9012 3456", "Kod 2:
// 9876 5432 1098 7654" reads "Kod 2: 9876-5432-1098-7654", and beside
// "AB12:CD34:EF56", "Kod:XY98:ZW76:QR54" reads "Kod:XY98-ZW76-QR54". Not
// joined: a row without a group mixing letters and digits beside a PIN
// with one ("FREE FIRE 1000", a product's name, beside "AB12 CD34
// EF56"), and a row of a longer number, a group with a digit right
// before or after it ("TR12 0006 1005 1978 6457 8413 26", "+90 532 123
// 4567"), but for a list's number ("Kod 2 9876 …", "… 3456 2) 9876 …").
// A line break json_encode escaped ("\n") parts rows.
func joinGroups(s string, g wordGrouping) string {
	tokens := groupToken.FindAllString(escapedBreak.Replace(s), -1)
	at := func(i int, is func(string) bool) bool { return i >= 0 && i < len(tokens) && is(tokens[i]) }
	inRow := 2*len(g.sizes) - 1 // the groups and what parts them
	// Beside a PIN with a group mixing letters and digits, a row with none
	// is a code where its letters' groups and digits' alternate ("KXPQ 4821
	// ZMRT", helper-304), and a product's name where its digits only end
	// it ("FREE FIRE 1000", "XBOX GIFT CARD 1000").
	interleaved := func(i int) bool {
		digitsSeen := false
		for k := range g.sizes {
			hasDigit := strings.ContainsFunc(tokens[i+2*k], unicode.IsDigit)
			if digitsSeen && !hasDigit {
				return true
			}
			digitsSeen = digitsSeen || hasDigit
		}
		return false
	}
	// Beside a PIN of capitals alone, capital words of its groups' sizes
	// may be a sentence ("ABCDE FGHIJ KLMNO OYUNA GIRIS YAPIN") or a second
	// code, which only a person can tell for sure. A row of them is read as
	// a code, and the answer held, but where it reads as a sentence: right
	// after the PIN, past a space, a dash or a sentence's end, with a vowel
	// in each group, as every word of a sentence has and a key generator's
	// groups often lack ("QWRTY PSDFG HJKLZ XCVBN MQWRT YPSDF", as PHP's
	// implode writes two codes, holds the answer); or, beside a
	// PIN whose groups have no vowel, as key generators write them
	// ("QWRTY PSDFG HJKLZ"), wherever its groups have a word's vowels (two
	// in four letters or more). Until 52f9834 every such row was a code;
	// from then until 13ad8be none was, and the second of two codes was
	// delivered as if it were not there; 13ad8be and 813a646 read a row as
	// a code only where they knew a list to put one, and a list in HTML,
	// after dashes or before the PIN was read as none (helper-306).
	group := func(i, k int) string { return tokens[i+2*k] }
	thePIN := func(i int) bool {
		if i+inRow > len(tokens) {
			return false
		}
		for k, pinGroup := range g.letters {
			if !strings.EqualFold(group(i, k), pinGroup) {
				return false
			}
		}
		return true
	}
	wordsVowels := func(w string) bool {
		n := 0
		for _, r := range w {
			if isVowel(r) {
				n++
			}
		}
		return n >= 2 || n == 1 && utf8.RuneCountInString(w) < 4
	}
	words := func(i int) bool {
		for k, pinGroup := range g.letters {
			if strings.ContainsFunc(pinGroup, isVowel) || !wordsVowels(group(i, k)) {
				return false
			}
		}
		return true
	}
	sentenceEnd := func(t string) bool {
		t = strings.TrimFunc(t, isQuoteOrBracket)
		return t != "" && strings.Trim(t, ".!?…-–—") == ""
	}
	afterThePIN := func(i int) bool {
		last := i - 1
		if at(last, spaces) {
			last--
		}
		if at(last, sentenceEnd) {
			last--
			if at(last, spaces) {
				last--
			}
		}
		first := last - (inRow - 1)
		return first >= 0 && at(last, startsAlnum) && thePIN(first)
	}
	vowelInEachGroup := func(i int) bool {
		for k := range g.letters {
			if !strings.ContainsFunc(group(i, k), isVowel) {
				return false
			}
		}
		return true
	}
	sentenceOfLetters := func(i int) bool { return !thePIN(i) && (words(i) || afterThePIN(i) && vowelInEachGroup(i)) }
	hasLower := func(s string) bool { return strings.ContainsFunc(s, unicode.IsLower) }
	rowAt := func(i int) bool {
		if i+inRow > len(tokens) {
			return false
		}
		mixed := false
		for k, size := range g.sizes {
			group := tokens[i+2*k]
			if utf8.RuneCountInString(group) != size || !startsAlnum(group) || k > 0 && !g.parts(tokens[i+2*k-1]) {
				return false
			}
			// A code's label with the list's number glued, of a group's
			// size, begins no row ("Kod1 1234 …", "PIN2 9876 …"); a
			// number's may be a code's group ("SN12", "ID34").
			if k == 0 && numberedLabel(group) && codeLabelWord.MatchString(withoutItemNumber(foldedWord(group))) {
				return false
			}
			// Beside a PIN of capitals (groupedAsWords takes no small
			// letter), a group with a small letter is a word's, unless the
			// row is the PIN again, and one with a digit a number's: a row
			// from either ("QWRT PSDF HJKL Yeni GKLJ FBJT TTCC", "… HJKL 2026
			// KART XCVB MQWR YPSD") began a group too early, and the code
			// after it went unseen (helper-308, helper-309).
			if g.letters != nil && (hasLower(group) && !thePIN(i) || strings.ContainsFunc(group, unicode.IsDigit)) {
				return false
			}
			// Nor does a row run into the PIN again ("Xbox GIFT CARD QWRT
			// PSDF HJKL, XCVB …" is no row GIFT CARD QWRT), which would then
			// not read as repeated (helper-309).
			if g.letters != nil && k > 0 && thePIN(i+2*k) {
				return false
			}
			mixed = mixed || lettersAndDigits(group)
		}
		// Groups the row's mark parts going on past it: the row began a
		// group too early, at a label's word of the groups' size
		// ("Kod1:AB12:CD34:EF56"). Another mark after it ends the row
		// ("(XY98:ZW76:QR54)Teşekkürler").
		sameMark := func(t string) bool { return t == tokens[i+1] }
		if g.labelMarks && at(i+inRow, sameMark) && at(i+inRow+1, startsAlnum) {
			return false
		}
		if g.letters != nil && sentenceOfLetters(i) {
			return false
		}
		return mixed || !g.mixed || interleaved(i)
	}
	// A label's word with the list's number glued ("Kod2", "PIN1") is no
	// group of a longer number.
	withDigit := func(t string) bool {
		return startsAlnum(t) && strings.ContainsFunc(t, unicode.IsDigit) && !numberedLabel(t)
	}
	listNumber := func(t string) bool { return isDigits(t) && len(t) <= 2 }
	word := func(t string) bool { return alnums(t) >= 3 && !strings.ContainsFunc(t, unicode.IsDigit) }
	hash := func(t string) bool { return t == "#" }
	longerBefore := func(first int) bool {
		return at(first-1, spaces) && at(first-2, withDigit) &&
			!(at(first-2, listNumber) && (at(first-3, spaces) && at(first-4, word) || at(first-3, hash)))
	}
	// After a row, a list's number is one before ')' or ':' ("2) ", "2:"),
	// or before '.' and the item ("2.PIN", "2. 9876 …"), not a number's
	// end ("… 8413 26. Teşekkürler").
	itemAfter := func(number int) bool {
		switch {
		case !at(number, listNumber) || number+1 >= len(tokens):
		case strings.HasPrefix(tokens[number+1], ")") || strings.HasPrefix(tokens[number+1], ":"):
			return true
		case tokens[number+1] == ".":
			return at(number+2, startsAlnum) || at(number+2, spaces) && rowAt(number+3)
		case tokens[number+1] == "-":
			// "2- 9876 …"
			return at(number+2, spaces)
		case spaces(tokens[number+1]):
			// "2 - 9876 …"
			return at(number+2, func(t string) bool { return t == "-" }) && at(number+3, spaces)
		}
		return false
	}
	// A currency after a row of thousands makes it an amount ("125 000
	// 000 TL"); after other groups it is a sentence's word ("… 7654 Try
	// again", "… 7654 TL yüklemesi").
	thousands := !g.labelMarks && !slices.ContainsFunc(g.sizes[1:], func(n int) bool { return n != 3 })
	currency := func(t string) bool { return thousands && currencyWord.MatchString(t) }
	// A short number and a word after a row are a sentence's ("… 7654 2
	// adet", "… 7654 50 TL", "… 7654 3 ay geçerlidir", "2 kod
	// gönderildi"), not a longer number's end, which a mark or the text's
	// end follows ("… 8413 26."); so are a count glued to its word ("50TL",
	// "10x") and a share ("2/2"). Until helper-304, only counts and units
	// of a list were, and a second code before any other word was
	// delivered. But for a PIN in thousands, whose amount a currency ends
	// ("125 000 000 TL").
	countAfter := func(number int) bool {
		short := func(t string) bool { return isDigits(t) && len(t) <= 5 }
		sentenceWord := func(t string) bool {
			return startsAlnum(t) && !strings.ContainsFunc(t, unicode.IsDigit) && !(thousands && currencyWord.MatchString(t))
		}
		glued := func(t string) bool {
			word := strings.TrimLeftFunc(t, unicode.IsDigit)
			return word != t && len(t)-len(word) <= 5 && sentenceWord(word)
		}
		mark := func(m string) func(string) bool { return func(t string) bool { return t == m } }
		// "50,00 TL": kuruş after a comma.
		if at(number, short) && at(number+1, mark(",")) && at(number+2, func(t string) bool { return isDigits(t) && len(t) == 2 }) {
			number += 2
		}
		return at(number, glued) || at(number, short) && at(number+1, spaces) && at(number+2, sentenceWord) ||
			at(number, short) && at(number+1, mark("/")) && at(number+2, short)
	}
	// An IBAN's groups, its country's letters and check digits first, end
	// in a short one, whatever word follows ("TR12 0006 … 8413 26 Ziraat").
	ibanBefore := func(first, past int) bool {
		if !at(first, ibanStart.MatchString) || !at(past, spaces) || !at(past+1, isDigits) || itemAfter(past+1) {
			return false
		}
		for k := first + 2; k < past; k += 2 {
			if !isDigits(tokens[k]) {
				return false
			}
		}
		return true
	}
	longerAfter := func(past int) bool {
		return at(past, spaces) && (at(past+1, withDigit) && !itemAfter(past+1) && !countAfter(past+1) || at(past+1, currency))
	}
	// The rows one after another from each token, counted once from the
	// end: counted afresh at each token, a long run of groups that is a
	// longer number took time in the square of its length (17 s for a 60
	// KB answer, helper-298).
	rowsFrom := make([]int, len(tokens)+1)
	for i := len(tokens) - 1; i >= 0; i-- {
		if !rowAt(i) {
			continue
		}
		rowsFrom[i] = 1
		if next := i + inRow + 1; next < len(tokens) && spaces(tokens[i+inRow]) {
			rowsFrom[i] += rowsFrom[next]
		}
	}
	// Only groups with a digit can be part of a longer number. Beside a PIN
	// of capitals, whose rows have none, capitals beside a number are codes
	// still ("Kodlar: QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF 2026"), which were
	// left unjoined, and the second code delivered unseen (helper-307); but
	// a number before a row that another row starts a group into began it
	// a group too early, at a word ("2 STEAM XCVBN MQWRT YPSDF",
	// helper-308).
	leftAlone := func(first, past int) bool {
		if g.letters == nil {
			return longerBefore(first) || longerAfter(past) || ibanBefore(first, past)
		}
		return longerBefore(first) && first+2 < len(rowsFrom) && rowsFrom[first+2] > 0
	}
	var out strings.Builder
	runEnd := -1 // the token past the last run joined
	for i := 0; i < len(tokens); {
		rows := rowsFrom[i]
		past := i + rows*(inRow+1) - 1
		if rows == 0 || leftAlone(i, past) {
			// A mark glued between two rows of capitals parts two codes
			// ("QWRTY PSDFG HJKLZ-XCVBN MQWRT YPSDF", implode('-', ...)):
			// joined, they read as one code of twice the groups, unlike the
			// PIN, and the second was delivered unseen (helper-307).
			if g.letters != nil && i == runEnd && !spaces(tokens[i]) && rowsFrom[i+1] > 0 {
				out.WriteString(" " + tokens[i] + " ")
			} else {
				out.WriteString(tokens[i])
			}
			i++
			continue
		}
		for r := range rows {
			first := i + r*(inRow+1)
			if r > 0 {
				out.WriteString(tokens[first-1])
			}
			for k := range g.sizes {
				if k > 0 {
					out.WriteByte('-')
				}
				out.WriteString(tokens[first+2*k])
			}
		}
		i = past
		runEnd = past
	}
	return out.String()
}

// numberedLabel says whether a word is a label's with a list's number
// glued to it ("Kod2", "PIN1", "KART2", "Seri2"), not a number's group
// as "TR12" is or a code's as "JKL78" is.
func numberedLabel(t string) bool {
	w := foldedWord(t)
	bare := withoutItemNumber(w)
	return bare != w && (codeLabelWord.MatchString(bare) || numberLabelWord.MatchString(bare) || numberName.MatchString(bare) || dateName.MatchString(bare))
}

// ibanStart is an IBAN's first group: its country and check digits.
var ibanStart = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}$`)

// currencyWord is a currency after an amount.
var currencyWord = regexp.MustCompile(`(?i)^(?:₺|tl|try|usd|eur|€)$`)

// escapedBreak makes a line break or tab json_encode escaped a real one.
var escapedBreak = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\r`, "\n", `\t`, "\t")

// spaces and labelMark are what part a PIN's groups (wordGrouping).
func spaces(token string) bool    { return strings.TrimLeft(token, " \t") == "" }
func labelMark(token string) bool { return token == ":" || token == ")" }

// groupToken is a run of letters and digits, of spaces, or of anything
// else.
var groupToken = regexp.MustCompile(`[\p{L}\p{N}]+|[ \t]+|[^\p{L}\p{N} \t]+`)

// isSpaceOrZeroWidth is white space, or a character of no width that web
// pages and spreadsheets leave at a code's ends: a zero-width space, a
// joiner or a byte-order mark.
func isSpaceOrZeroWidth(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("\u200b\u200c\u200d\u2060\ufeff", r)
}

// anotherCodeAfterPIN says whether a field after a done answer's PIN
// field holds another code like pin (anotherCodeLike): a panel that lists
// an order's codes parted by bars, a code to a field ("AAAA|CCCC|2 adet"),
// or a code and its price or serial to a row ("AAAA|50.00|CCCC|50.00").
// The fields read are the first after the PIN with something in it but
// the PIN again, the one after that where the field after it repeats the
// first's shape (a row's), and further on only a code that mixes letters
// and digits in groups, beside a PIN that does; a token or an order's
// number there ("AAAA|Tamamlandı|5f3a9c2b7e1d4086") is the description's. Each is read
// bare of markup, a list's marker or labels naming a code ("2) ",
// "Kod 2: "), of words saying the order is done before it
// (codeAfterWords), and of the items after a comma or a semicolon; whole,
// and by its first word, as a note after a code ("AAAA (1/2)|CCCC (2/2)")
// is no part of it. A field counts where a bar follows it, or where it is
// long enough for a code of a list, three groups or more or sixteen
// letters and digits (implode("|", $kodlar) puts no bar after the last):
// a description of one shorter code alone may be a serial or a product's
// code. Any field that repeats the PIN lists what was bought, and is read
// whole (listsAnotherCode).
func (a *answer) anotherCodeAfterPIN(pin string) bool {
	pin = withoutLabels(pin)
	sameMarks := func(s string) string { return s }
	breaksKept := func(s string) string { return s }
	if g, ok := groupedAsWords(pin); ok {
		sameMarks = func(s string) string { return joinGroups(s, g) }
		if g.letters != nil {
			// A row of capitals is a code where a list puts it (joinGroups),
			// and a line break or a tab, which reading the field makes a
			// space, does.
			breaksKept = func(s string) string { return lineBreaks.ReplaceAllString(s, ", ") }
		}
	}
	pin = sameMarks(pin)
	type field struct {
		code    string
		barNext bool
	}
	// The PIN again, labelled or with a note after it ("1) AAAA", "AAAA
	// (1/2)", "AAAA 50 TL"), takes no field's place.
	pinAgain := func(code string) bool {
		code = withoutLabels(code)
		return ofThePIN(code, pin) || ofThePIN(firstWord(code), pin)
	}
	var read []field
	all := strings.Split(a.fields[3], "|")
	for i, f := range all[:min(len(all), maxFieldsAfterPIN)] {
		code := sameMarks(strings.TrimFunc(withoutMarkup(a.unmarked(breaksKept(f))), isSpaceOrZeroWidth))
		if listsAnotherCode(code, pin) {
			return true
		}
		if code == "" || pinAgain(code) {
			continue
		}
		read = append(read, field{code, i < len(all)-1})
	}
	pins := []string{pin, firstWord(pin)}
	// Past the first field and a row's next, only a code that mixes letters
	// and digits in groups of the PIN's shape counts ("AAAA|Seri: 9|CCCC|
	// Seri: 10"): a token or an order's number there is ungrouped, and a
	// serial of digits.
	mixedGroups := func(s string) bool { return lettersAndDigits(s) && strings.ContainsFunc(s, isCodeMark) }
	for j, f := range read {
		row := j == 0 || j == 1 && len(read) >= 3 && codeMarks(read[2].code) == codeMarks(read[0].code)
		if !row && !mixedGroups(pin) {
			break
		}
		code := withoutLabels(f.code)
		// After a status's words ("Tamam, CCCC", "Onaylandı: CCCC"), the
		// code after them is read as a field further on is: unlabelled,
		// only one mixing letters and digits in groups, as an id there may
		// be of digits ("Tamamlandı, 0001-2345-6789-0123").
		afterWords := false
		if after, labelled, ok := codeAfterWords(code); ok {
			code, afterWords = after, !labelled
		}
		if end := strings.IndexAny(code, ",;"); end >= 0 {
			code = code[:end]
		}
		if namedANumberAfter(strings.Fields(code)) {
			continue
		}
		for k, candidate := range []string{code, firstWord(code)} {
			candidate = bareWord(candidate)
			groups := len(strings.FieldsFunc(candidate, isCodeMark))
			listed := f.barNext || groups >= 3 || alnums(candidate) >= 16
			if (!row || afterWords) && !(mixedGroups(candidate) && mixedGroups(pin)) || ofThePIN(candidate, pin) {
				continue
			}
			if listed && !readsAsWords(candidate) && anotherCodeLike(candidate, bareWord(pins[k])) {
				return true
			}
		}
	}
	return false
}

// listsAnotherCode says whether field, which repeats the PIN, holds
// another code of its shape ("Kodlarınız: AAAA, CCCC", "AAAA<br>CCCC",
// "1) Steam 50 TL - AAAA 2) Steam 50 TL - CCCC", "Kod 1: AAAA Seri: 1001
// Kod 2: CCCC"): a description that repeats the PIN lists what was bought,
// and a half delivery costs the customer more than a person's look. Not
// another code: one named an order's number, a serial or an old code
// before it (namedANumber: "Seri No: CCCC", "Eski PIN: CCCC") or after it
// (namedANumberAfter: "CCCC nolu"), or one in brackets right after the
// PIN, a note on it ("AAAA (CCCC)").
func listsAnotherCode(field, pin string) bool {
	words := wordsOfAList(field, pin)
	pinCodes := append(codesOf(pin), bareWord(pin))
	ofPIN := make(map[string]bool, len(pinCodes))
	// One code of each shape and kind stands for all of them: what
	// anotherCodeLike reads of the PIN is that, so that a PIN field of
	// many codes costs no more than one.
	byShape := make(map[string][]string)
	type kindOfCode struct {
		shape                               string
		letters, digits, lower, mixedLikeIt bool
	}
	kinds := make(map[kindOfCode]bool)
	for _, code := range pinCodes {
		ofPIN[alnumsUpper(code)] = true
		letters, digits := countLettersDigits(code)
		kind := kindOfCode{groupShape(code), letters > 0, digits > 0, strings.ContainsFunc(code, unicode.IsLower), mixedCode(code)}
		if !kinds[kind] {
			kinds[kind] = true
			byShape[groupShape(code)] = append(byShape[groupShape(code)], code)
		}
	}
	// The labels the PIN stands after: another code after the same one is
	// a code as the PIN is, whatever the label says ("Seri: AAAA Seri:
	// CCCC", "Kart No: AAAA, Kart No: CCCC"). Not a label of one word
	// naming a code, nor one naming an old code, which say more in the
	// words before them ("Yeni PIN: AAAA, Eski PIN: CCCC").
	pinLabels := make(map[string]bool)
	for i, raw := range words {
		if l := labelBefore(words[:i]); ofPIN[alnumsUpper(bareWord(raw))] && l != "" && !codeLabelWord.MatchString(l) && !oldWord.MatchString(strings.Fields(l)[0]) {
			pinLabels[l] = true
		}
	}
	// Past a participle, the word before it is a sentence's, unless it
	// says old ("Teşekkürler Verilen No:" beside "tamamlandı. Verilen No:",
	// not "İptal edilen kod:" beside "Teslim edilen kod:").
	participleOn := func(label string) string {
		words := strings.Fields(label)
		if len(words) == 3 && participle.MatchString(words[1]) && !oldWord.MatchString(words[0]) {
			return strings.Join(words[1:], " ")
		}
		return label
	}
	// One label may have taken in a word the other has not, of a
	// sentence before it ("Başarılı Verilen No:" beside "Verilen No:"):
	// the same, but where the word says old ("Eski Seri:" beside
	// "Seri:").
	sameLabelAsPIN := func(before []string) bool {
		label := participleOn(labelBefore(before))
		if label == "" {
			return false
		}
		for pinLabel := range pinLabels {
			long, short := participleOn(pinLabel), label
			if len(long) < len(short) {
				long, short = short, long
			}
			if extra, ok := strings.CutSuffix(long, short); ok && (extra == "" || strings.HasSuffix(extra, " ") && !slices.ContainsFunc(strings.Fields(extra), oldWord.MatchString)) {
				return true
			}
		}
		return false
	}
	sawPIN, sawOther := false, false
	for i, raw := range words {
		w := bareWord(raw)
		noteOnPIN := i > 0 && bracketed(raw) && !bracketed(words[i-1]) && ofPIN[alnumsUpper(bareWord(words[i-1]))]
		switch {
		case w == "":
		case ofPIN[alnumsUpper(w)]:
			sawPIN = true
		case noteOnPIN || alnums(w) < 8 || readsAsWords(w):
		case !slices.ContainsFunc(byShape[groupShape(w)], func(code string) bool { return anotherCodeLike(w, code) }):
		case sameLabelAsPIN(words[:i]), !namedANumber(words[:i]) && !namedANumberAfter(words[i:]):
			sawOther = true
		}
	}
	return sawPIN && sawOther
}

// wordsOfAList is field's words as listsAnotherCode reads them: parted by
// white space, a line break escaped as json_encode leaves one ("\n" as
// two characters), and the marks of lists and dumps (",;|\"{}="), and by
// ':' and '/' where no PIN has them, a label glued to its code
// ("Kod:CCCC", "1)CCCC") parted from it; a web address read as its
// query's values, each after its name as a label ("code: CCCC"), its path
// being a page's; the first maxListWords of them.
func wordsOfAList(field, pin string) []string {
	glued := strings.NewReplacer(":", ": ", ")", ") ", `\n`, " ", `\r`, " ", `\t`, " ").Replace(webAddress.ReplaceAllStringFunc(serialSlash.ReplaceAllString(field, "SN"), linkValues))
	marks := ",;|\\\"{}="
	if !strings.ContainsAny(pin, ":/") {
		marks += "/"
	}
	words := strings.FieldsFunc(glued, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(marks, r) })
	return words[:min(len(words), maxListWords)]
}

// serialSlash is "S/N", a serial's label, which '/' would part.
var serialSlash = regexp.MustCompile(`(?i)\bs/n\b`)

// webAddress is a web address in a description, a link to a page or a
// code's redeeming ("…/redeemwalletcode?code=CCCC"), up to what parts
// words and items.
var webAddress = regexp.MustCompile(`(?i)https?://[^\s,;|"\\<>]+`)

// linkValues is a web address's query as labelled values ("code: CCCC
// id: 5"), without its path.
func linkValues(link string) string {
	_, query, ok := strings.Cut(link, "?")
	if !ok {
		return " "
	}
	var values strings.Builder
	for _, pair := range strings.Split(query, "&") {
		name, value, _ := strings.Cut(pair, "=")
		values.WriteString(" " + name + ": " + value + " ")
	}
	// The link's end is a word of the text, so that its last value labels
	// nothing after it ("…?id=3 CCCC").
	return values.String() + " bağlantı "
}

// labelBefore is the label a code stands after, past marks and a list's
// markers, folded: its last word ("seri" in "Teşekkürler! Seri: 2)
// CCCC"), or its last two where the last names a number or a code alone
// ("pin no", "sipariş no", "ürün anahtarı") or an old one comes before
// it ("eski seri"), and three past a participle ("teslim edilen kod",
// "iptal edilen kod"); "" where there is none.
func labelBefore(before []string) string {
	var label []string
	for i := len(before) - 1; i >= 0 && i >= len(before)-4; i-- {
		w := foldedWord(before[i])
		switch {
		case alnums(w) >= 8 && (looksLikeCode(w) || looksLikeCode(bareWord(before[i])) && !oldWord.MatchString(w) && !numberName.MatchString(w) && !dateName.MatchString(w) && len(label) > 0 && !inCapitals(before[i+1:])):
			// A code before: the label is what came since. In capitals it
			// folds to a word's letters ("QWRTYPSDFGHJ No:"); an old
			// code's or a number's word in capitals is the label's, and
			// so is any where the label is in capitals too ("REZERVASYON
			// NO:"): the words of a text in capitals.
			return strings.Join(label, " ")
		case w != "" && !itemMarker.MatchString(before[i]):
			// The list's number glued to the label's word is the item's,
			// not the label's ("1.PIN No:", "Kod2 No:").
			if letters := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }); letters != "" {
				w = letters
			}
			label = append([]string{w}, label...)
			// An old code's word belongs to the label only right before
			// it, not ending a sentence or a note ("… iade edilmez. Seri:").
			previous := previousWord(before, i)
			oldBefore := oldWord.MatchString(foldedWord(previous)) && strings.TrimRight(previous, ".!?:)") == previous
			more := len(label) == 1 && (numberLabelWord.MatchString(w) || codeLabelWord.MatchString(w) || oldBefore) ||
				participle.MatchString(label[0])
			if len(label) == 3 || !more {
				return strings.Join(label, " ")
			}
		}
	}
	return strings.Join(label, " ")
}

// inCapitals says whether words have letters, all in capitals.
func inCapitals(words []string) bool {
	text := strings.Join(words, " ")
	return strings.ContainsFunc(text, unicode.IsLetter) && !strings.ContainsFunc(text, unicode.IsLower)
}

// maxListWords bounds the words listsAnotherCode reads of a field.
const maxListWords = 1024

// groupShape is a code's groups: each letter or digit an x, each mark
// between groups a dash ("xxxx-xxxx-xxxx"), so that codes parted by
// other marks have one shape (codeMarks keeps the marks, for a row whose
// codes must be written alike).
func groupShape(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case isLetterOrDigit(r):
			return 'x'
		case isCodeMark(r):
			return '-'
		}
		return r
	}, code)
}

// isCodeMark is a mark between a code's groups.
func isCodeMark(r rune) bool { return isGroupMark(r) || isCodeJoiner(r) }

// bracketed says whether a word is wholly in brackets: "(CCCC)".
func bracketed(word string) bool { return strings.HasPrefix(word, "(") && strings.HasSuffix(word, ")") }

// bareWord is word without the marks around it.
func bareWord(word string) string {
	return strings.TrimFunc(word, notLetterOrDigit)
}

// namedANumber says whether the words before a code name it an order's
// number, a transaction's, a serial or an old code, read back from the
// nearest past marks and a list's markers ("2)", "2:"):
//   - a word naming a code ("Kod:", "PIN 2:", "Kart:") names a code, but
//     where a number's name or an old code's comes before it, or before
//     a participle before it ("Sipariş Kodu:", "Stok Kodu:", "Eski PIN:",
//     "iptal edilen kod:");
//   - a word naming a number ("No:", "Numaranız:", "Serial Number") names
//     a number, but after a word naming a PIN ("PIN No:");
//   - a number's name ("Seri:", "Sipariş:", "TxID:") names a number;
//   - any other word or label names a code: where in doubt, a person looks.
func namedANumber(before []string) bool {
	for i := len(before) - 1; i >= 0 && i >= len(before)-4; i-- {
		raw := before[i]
		w := withoutItemNumber(foldedWord(raw))
		// A word before a sentence's end is the sentence's, not the
		// label's ("Not refundable if used. Code 2:").
		earlier := func(n int) string {
			if i-n < 0 || endsASentence(before[i-n]) {
				return ""
			}
			return withoutItemNumber(foldedWord(before[i-n]))
		}
		switch {
		case w == "" || itemMarker.MatchString(raw):
		case codeLabelWord.MatchString(w):
			// Two words back only past a participle ("iptal edilen kod:"),
			// not past a value ("Seri: Yok Kod 2:").
			// "Önce" names an old code only before a participle ("daha önce
			// verilen kod:"); alone it may say first ("önce CCCC, sonra AAAA").
			return namesANumber(earlier(1)) || participle.MatchString(earlier(1)) && oldWord.MatchString(earlier(2))
		case numberLabelWord.MatchString(w):
			return !pinWord.MatchString(earlier(1))
		case participle.MatchString(w):
			// A participle ends the words before a label: "daha önce
			// verilen", "iptal edilen".
			return oldWord.MatchString(earlier(1))
		default:
			return namesANumber(w) || dateName.MatchString(w) && strings.TrimRight(raw, ".!?") == raw
		}
	}
	return false
}

// endsASentence says whether a word of four letters or more ends a
// sentence ("used.", "edildi!"); "No." and "Sip." are a number's label.
func endsASentence(raw string) bool {
	word := strings.TrimRight(raw, ".!?")
	letters, _ := countLettersDigits(word)
	return word != raw && letters >= 4 && !strings.Contains(word, ".")
}

// namedANumberAfter says whether the words after a code name it an
// order's number or a serial ("CCCC nolu sipariş", "CCCC numaralı", "CCCC
// seri numaralı", "CCCC (Seri)"); words[0] is the code. A sentence after
// it ("CCCC. Siparişiniz için teşekkürler") or a label ("CCCC Seri No:
// 1002") names nothing of it.
func namedANumberAfter(words []string) bool {
	if len(words) < 2 {
		return false
	}
	// "… numaralı kodlarınız" numbers codes: what the number names is the
	// word after it.
	// A word of one code ending in ':' is the label of what follows it
	// ("C seri numaralı kodunuz: P"); codes in the plural are the ones
	// numbered ("A, C nolu kodlar: aktif").
	namesCodes := func(k int) bool {
		if k >= len(words) {
			return false
		}
		w := foldedWord(words[k])
		return pluralCodes.MatchString(w) || !strings.HasSuffix(words[k], ":") && pinWordStem.MatchString(w)
	}
	next := foldedWord(words[1])
	switch {
	case numberedWord.MatchString(next):
		return !namesCodes(2)
	case next == "seri" && len(words) > 2:
		return numberedWord.MatchString(foldedWord(words[2])) && !namesCodes(3)
	}
	return bracketed(words[1]) && (numberName.MatchString(next) || dateName.MatchString(next))
}

// itemMarker is a list's marker before an item: "2)", "2.", "2:", "#2",
// "b)", "(2/2)", or a mark alone.
var itemMarker = regexp.MustCompile(`^(?:#?\d{1,2}[.):]?|[a-zA-Z][.)]|\(\d{1,2}/\d{1,2}\)|[-–—•*/])$`)

// codeLabelWord is a label's word naming a code ("Kod 2:", "E-PIN:",
// "Kart:", "Voucher:").
var codeLabelWord = regexp.MustCompile(`^(?:kod\p{L}*|codes?|pin\p{L}*|e-?pin\p{L}*|kart\p{L}*|cards?|vouchers?|keys?|anahtar\p{L}*|sifre\p{L}*)$`)

// pinWord is a word naming a PIN, whose number is the PIN ("PIN No:",
// "Kod no 2:").
var pinWord = regexp.MustCompile(`^(?:kodu?|code|pin|e-?pin|epin)$`)

// pinWordStem is a word naming PINs, with any suffix ("kodlarınız",
// "pinleriniz").
var pinWordStem = regexp.MustCompile(`^(?:kod\p{L}*|codes?|pin\p{L}*|e-?pin\p{L}*|sifre\p{L}*|kartlar\p{L}*|cards|voucher\p{L}*)$`)

// oldWord is a word naming an old code (foldedWord's): "Eski Seri:".
var oldWord = regexp.MustCompile(`^(?:eski|[öo]nce(?:ki)?|dolmu[şs]|dolan|old|previous|iptal|iade|ge[çc]ersiz|hatali|[çc]alismayan|replaced|kullanilmis|used|cancell?ed|expired|invalid|de[ğg]istiril(?:en|mis))$`)

// previousWord is the word before before[i] that is no mark or list
// marker, or "".
func previousWord(before []string, i int) string {
	for j := i - 1; j >= 0; j-- {
		if foldedWord(before[j]) != "" && !itemMarker.MatchString(before[j]) {
			return before[j]
		}
	}
	return ""
}

// pluralCodes is a word naming codes in the plural ("kodlarınız",
// "pinleriniz", "kartlar").
var pluralCodes = regexp.MustCompile(`^(?:kodlar|pinler|e-?pinler|sifreler|kartlar|voucherlar)\p{L}*$|^(?:codes|cards|vouchers)$`)

// participle is a Turkish participle between an old code's word and the
// code's ("iptal edilen kod", "iade edilen", "kullanılmış olan").
var participle = regexp.MustCompile(`^(?:edilen|olan|verilen)$`)

// namesANumber says whether a word (foldedWord's) is a number's name, or
// joins one ("Sip.No", "Sipariş_No", "order_id").
func namesANumber(w string) bool {
	if numberName.MatchString(w) {
		return true
	}
	// Joined, read as the words of a label are (namedANumber): "Sipariş_No",
	// "Stok_Kodu", "Kart_No" name numbers, "pin_no" a PIN's.
	parts := strings.FieldsFunc(w, func(r rune) bool { return strings.ContainsRune("._-", r) })
	if len(parts) < 2 {
		return false
	}
	last, before := parts[len(parts)-1], parts[len(parts)-2]
	switch {
	case numberLabelWord.MatchString(last):
		return !pinWord.MatchString(before)
	case codeLabelWord.MatchString(last):
		return numberName.MatchString(before)
	}
	return slices.ContainsFunc(parts, numberName.MatchString)
}

// numberLabelWord is a label's word naming a number ("Sipariş No:",
// "Numaranız:", "Order Number", "TxID").
var numberLabelWord = regexp.MustCompile(`^(?:no|nr|numara\p{L}*|number|id|txid)$`)

// codeAfterWords is the code words lead to in text: after a label naming
// a code, past a sentence's words ("İşlem başarılı. 2. Kod: CCCC"), bare
// of it (labelled); unlabelled, right after words saying the order is
// done ("Tamam, CCCC", "Tamamlandı: CCCC", "Onaylandı CCCC"). Not where
// the words name what follows an order's number, a serial or an old code
// ("Sipariş: TR12-…", "Eski kod: …").
func codeAfterWords(text string) (code string, labelled, ok bool) {
	words := strings.Fields(text)
	done := false
	for j := 1; j < len(words) && j <= maxWordsBeforeCode; j++ {
		if !readsAsWords(strings.Join(words[:j], " ")) {
			return "", false, false
		}
		if w := foldedWord(words[j-1]); w != "" {
			done = doneWord.MatchString(w)
		}
		rest := strings.Join(words[j:], " ")
		// The label's words are read with those before it ("Game Time
		// Kodu:", "Siparişinize verilen kod:" name codes).
		if bare := withoutLabels(rest); bare != rest {
			return bare, true, !namedANumber(append(words[:j:j], strings.Fields(strings.TrimSuffix(rest, bare))...))
		}
		// A status's word in capitals ("BAŞARILI") reads as a code's
		// word too: it is the sentence's.
		if w := bareWord(words[j]); looksLikeCode(w) && !readsAsWords(w) {
			return rest, false, done
		}
	}
	return "", false, false
}

// doneWord is a word saying an order is done, as a panel writes it right
// before the order's code (foldedWord's).
var doneWord = regexp.MustCompile(`^(?:tamam(?:landi)?|onaylandi|basarili|y[üu]klendi|g[öo]nderildi|teslim|edildi|hazir|success(?:ful)?|done|completed|ready)$`)

// maxWordsBeforeCode bounds the status's words codeAfterWords reads past.
const maxWordsBeforeCode = 6

// foldedWord is a word bare of the marks around it, in lower case, each
// of Turkish's i's an i and each ş an s: "SİPARİŞ", "Sipariş" and
// "SIPARIS" are one word. (ToLower makes İ an i; the dotless ı is mapped.)
func foldedWord(word string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		switch r {
		case 'ı':
			return 'i'
		case 'Ş', 'ş':
			return 's'
		}
		return r
	}, bareWord(word)))
}

// numberName is a word naming an order's number, a transaction's, a
// serial or another number beside a PIN, or an old code, in Turkish and
// English (foldedWord's): a stem with any suffix ("Sipariş numaranız",
// "Siparişinizin", "Seri Numarası"), or a word whole.
var numberName = regexp.MustCompile(`^(?:(?:seri|sipari|islem|numara|referans|m[üu]steri|de[ğg]istiril|fatura|takip|transaction|order)\p{L}*|` +
	`sn|s/n|sip|ref|lot|iban|reference|txn|txid|tx|onay|barkod|barcode|imei|iccid|telefon|tel|gsm|[üu]r[üu]n|product|sku|batch|stok|bayi|fis|satis|dekont|` +
	`invoice|receipt|makbuz|provizyon|sira|[öo]deme|payment|tracking|kimli[ğg]\p{L}*|` +
	`eski|[öo]nceki|dolmu[şs]|dolan|old|previous|iptal|iade|ge[çc]ersiz|hatali|[çc]alismayan|replaced|kullanilmis|used|cancell?ed|expired|invalid)$`)

// dateName is a word naming a date, a time or an expiry (foldedWord's):
// a label of the number right after it ("Tarih 2026 1206 1430", "Son
// kullanma: …"), not a word before a code's label ("One-time PIN:", "Game
// Time Kodu:", "… any time. Code 2:").
var dateName = regexp.MustCompile(`^(?:tarih\p{L}*|date|saat|time|ge[çc]erlilik|kullanma)$`)

// withoutItemNumber is a word (foldedWord's) bare of a list's number
// glued to it ("kod1", "2.kod", "kart-2", "siparis2"), or the word.
func withoutItemNumber(w string) string {
	if m := gluedItemNumber.FindStringSubmatch(w); m != nil {
		return m[1] + m[2]
	}
	return w
}

var gluedItemNumber = regexp.MustCompile(`^(?:\d{1,2}[.-]?)?(\p{L}(?:[\p{L}/_.-]*\p{L})?)[-_]?\d{1,2}$|^\d{1,2}[.-]?(\p{L}(?:[\p{L}/_.-]*\p{L})?)$`)

// numberedWord is a Turkish word saying the number before it names what
// follows ("… nolu sipariş", "… numaralı işlem").
var numberedWord = regexp.MustCompile(`^(?:no[.'’]?lu|numarali|sayili|referansli)$`)

// ofThePIN says whether code is the PIN, or one of the codes a PIN field
// of several holds ("AAAA<br>CCCC"), in any case and marks.
func ofThePIN(code, pin string) bool {
	upper := alnumsUpper(code)
	return upper != "" && (upper == alnumsUpper(pin) || slices.ContainsFunc(codesOf(pin), func(c string) bool { return alnumsUpper(c) == upper }))
}

// codesOf is the codes of a PIN field that holds several, its words of
// eight letters and digits or more, the first maxCodesOfPIN of them; none
// for a PIN of one code in groups parted by spaces.
func codesOf(pin string) []string {
	var codes []string
	for _, w := range strings.FieldsFunc(pin, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(",;", r) }) {
		if w = bareWord(w); alnums(w) >= 8 {
			codes = append(codes, w)
		}
		if len(codes) == maxCodesOfPIN {
			break
		}
	}
	return codes
}

// maxCodesOfPIN bounds the codes of a PIN field each word of a description
// is compared with, so that a field of thousands costs no more than one of
// a few: a description repeating a code past the 64th reads as holding
// another code, and the answer waits for a person.
const maxCodesOfPIN = 64

// capitalisedWord is a word as a sentence or a name writes it: a capital,
// then lower case.
var capitalisedWord = regexp.MustCompile(`^\p{Lu}\p{Ll}+$`)

// maxFieldsAfterPIN bounds the fields anotherCodeAfterPIN reads: a
// description of thousands of bars is read no further.
const maxFieldsAfterPIN = 16

// alnumsUpper is s's letters and digits alone, in capitals: a code as
// typed, whatever its marks and case.
func alnumsUpper(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if isLetterOrDigit(r) {
			return r
		}
		return -1
	}, s))
}

// firstWord is s up to its first white space.
func firstWord(s string) string {
	if end := strings.IndexFunc(s, unicode.IsSpace); end >= 0 {
		return s[:end]
	}
	return s
}

// labelBeforeCode is a list's marker or a label naming a code before one:
// "2) ", "1. ", "#2: ", "(2/2) ", "Kod: ", "Kod 2: ", "PIN #2: ", "PIN
// Kodu: ", "İkinci kod: ". Not "Seri: " or "Sipariş: ": what they name is
// another number beside the PIN.
var labelBeforeCode = regexp.MustCompile(`(?i)^\s*(?:\d{1,2}(?:[):]|\.\s)|#\d{1,2}:?|\(\d{1,2}/\d{1,2}\)|` +
	`(?:(?:e-?p[iİı]n|p[iİı]n|oyun|hed[iİı]ye|b[iİı]r[iİı]nc[iİı]|[iİı]k[iİı]nc[iİı]|üçüncü|dördüncü|beş[iİı]nc[iİı])\s+)?(?:kod\p{L}*|code|e-?p[iİı]n|p[iİı]n)\s*(?:#?\d{1,2})?\s*[:)])\s*`)

// withoutLabels is s bare of the list's markers and labels before its
// code, one after another ("2. Kod: ", "(2/2) PIN: ").
func withoutLabels(s string) string {
	for range 3 {
		bare := labelBeforeCode.ReplaceAllString(s, "")
		if bare == s {
			break
		}
		s = bare
	}
	return s
}

// anotherCodeLike says whether field is a code other than pin of its
// shape: as many letters and digits, eight or more, in groups of the same
// sizes (whichever marks part them), and letters, digits or both as pin
// has them. Ungrouped, both must mix letters and digits as codes do
// (mixedCode): an order's number ("SP20260312") or a product's name
// ("RAZERGLD") beside a lettered PIN is the description's. Not another
// code: pin again (its letters and digits, in any case and marks), a
// mask of it, or, ungrouped, digits beside a PIN of digits, maybe its
// card's serial; grouped as the PIN is, they are another PIN.
func anotherCodeLike(field, pin string) bool {
	fieldLetters, fieldDigits := countLettersDigits(field)
	pinLetters, pinDigits := countLettersDigits(pin)
	// A group of letters alone written as a word, a capital then lower case
	// ("Oyun Kodu 2026 Mart"), or in lower case beside a PIN in capitals,
	// is a word's, not a code's.
	wordGroup := slices.ContainsFunc(strings.FieldsFunc(field, isCodeMark),
		func(g string) bool {
			return !strings.ContainsFunc(g, unicode.IsDigit) &&
				(capitalisedWord.MatchString(g) || !strings.ContainsFunc(pin, unicode.IsLower) && strings.ToUpper(g) != g)
		})
	switch {
	case alnums(pin) < 8 || groupShape(field) != groupShape(pin) || alnumsUpper(field) == alnumsUpper(pin) || isMask(field) || wordGroup:
		return false
	case !strings.ContainsFunc(pin, isCodeMark):
		return mixedCode(field) && mixedCode(pin)
	}
	return (fieldLetters > 0) == (pinLetters > 0) && (fieldDigits > 0) == (pinDigits > 0)
}

// shortenedPIN is a PIN cut for a list view, mb_strimwidth's "..." or
// "…" at its end: no code ends so.
var shortenedPIN = regexp.MustCompile(`(?:\.\.\.|…)\s*$`)

// floatPIN is a long number as PHP prints a float (json_decode of a big
// integer, a DOUBLE column): "1.2345678901235E+15", "1.2345678901234568E15",
// as Excel in Turkish writes it, "1,23457E+15", as var_export writes one
// with no fraction, "1234567890123456.0", or an infinity. The mark after
// one digit is what no code has between its digits and an E.
var floatPIN = regexp.MustCompile(`(?i)^[+-]?(?:\d[.,]\d+e[+-]?\d+|\d{12,}\.0|inf(?:inity)?)$`)

// minPINLettersDigits is the fewest letters and digits a PIN has: real
// ones have 8 to 24; "1", "OK" or "2" is a status in the PIN's place.
const minPINLettersDigits = 4

// readsAsWords says whether a PIN field holds words rather than a code: no
// word of it reads as a code's (looksLikeCode), and one is a status's
// whole word in any case ("TAMAMLANDI", "Hata 404", "COMPLETED") or a word
// as words are written, three lower-case letters or more ("Bekliyor",
// "Stok yok", "Teslim edildi", the description in the PIN's place).
// Punctuation around a word is the sentence's ("Bekliyor.", "Turkcell'e
// yüklendi"). A label or a product's name before a code is no reason:
// "Steam QWRTY-PSDFG-HJKLZ", "Netflix 1234 5678 9012" are codes.
func readsAsWords(pin string) bool {
	words := false
	for _, field := range strings.Fields(pin) {
		w := bareWord(field)
		switch {
		case w == "":
		case statusWord.MatchString(w):
			words = true
		case looksLikeCode(w):
			return false
		case writtenWord.MatchString(w):
			words = true
		}
	}
	return words
}

// missingAfterCode says whether a PIN field ends, after a code, in what a
// script prints for a value it did not have: a word for it ("AB12-CD34
// NULL", "… Array", "… undefined"), the same glued on as JavaScript joins
// it ("AB12-CD34-undefined"), or a label with nothing after it ("Seri:
// 12345678 PIN:", PHP's null printed as nothing). The code's second half,
// a serial, say, is missing, and the customer would get a code that does
// not work. Other words after a code (where to use it, a notice) are
// znet's, and kept as they came.
func missingAfterCode(pin string) bool {
	if gluedMissing.MatchString(pin) {
		return true
	}
	words := strings.Fields(pin)
	if len(words) < 2 {
		return false
	}
	last := bareWord(words[len(words)-1])
	missing := missingValue.MatchString(last) || labelWithNothing.MatchString(words[len(words)-1])
	return missing && slices.ContainsFunc(words[:len(words)-1], func(field string) bool {
		w := bareWord(field)
		return w != "" && looksLikeCode(w) && !statusWord.MatchString(w)
	})
}

var (
	// missingValue is a word PHP, a database or JavaScript prints for a
	// value that is not there, or is not text.
	missingValue = regexp.MustCompile(`(?i)^(?:null|nil|none|nan|array|object|undefined|resource)$`)
	// gluedMissing is such a word as a code's last group, in the case a
	// script writes it: a code's group of capitals ("…-NULL") may be one.
	gluedMissing = regexp.MustCompile(`[-_](?:null|undefined|NaN|Array)$`)
	// labelWithNothing is a PIN's label and its colon, with no value.
	labelWithNothing = regexp.MustCompile(`(?i)^(?:` + pinLabel + `):$`)
)

// remnantLine says whether a PIN field's last line, after a line with a
// code, is a number of one to three digits: a refusal's code whose bar cut
// the field ("OK|2|AB12-CD34", then "3|Sipariş bulunamadı"), which the
// customer would take for the code's last group. Lines break as a text's
// do anywhere ("\r" alone, U+2028) and at PHP's <br>.
func remnantLine(field string) bool {
	lines := anyLineBreak.Split(lineBreakTags.ReplaceAllString(field, "\n"), -1)
	lines = slices.DeleteFunc(lines, func(line string) bool { return strings.TrimSpace(line) == "" })
	if len(lines) < 2 || !refusalCode.MatchString(lines[len(lines)-1]) {
		return false
	}
	return slices.ContainsFunc(lines[:len(lines)-1], func(line string) bool { return alnums(line) >= minPINLettersDigits })
}

var (
	anyLineBreak = regexp.MustCompile(`\r\n|[\r\n\v\f\x{85}\x{2028}\x{2029}]`)
	refusalCode  = regexp.MustCompile(`^\s*\d{1,3}\s*$`)
)

// notAPIN names what a PIN field is where it is another column's value or
// a dumped one, and is "" where it is neither: an amount (35.00, 1.050,00,
// 35 TL, ₺35,00, a DECIMAL's 35.0000), a date, a date and time or a time,
// an IP address, a value as var_dump prints it, or a spreadsheet's error.
func notAPIN(pin string) string {
	if _, err := netip.ParseAddr(pin); err == nil {
		return "an IP address"
	}
	if _, err := netip.ParseAddrPort(pin); err == nil {
		return "an IP address"
	}
	sentence := strings.TrimSuffix(pin, ".")
	switch {
	case amountShape.MatchString(sentence):
		return "an amount (the order's cost, a balance)"
	case dateShape.MatchString(sentence):
		return "a date or a time"
	case varDumpShape.MatchString(pin):
		return "a value as var_dump prints it (int(…), bool(…))"
	case spreadsheetError.MatchString(pin):
		return "a spreadsheet's error (#VALUE!)"
	}
	return ""
}

var (
	// amountShape is an amount with its cents (two, or four as a DECIMAL
	// prints them), its currency before or after it, or both.
	amountShape = regexp.MustCompile(`(?i)^(?:(?:₺|tl|try|usd|eur|€)\s*)?(?:\d{1,3}(?:[ .,]\d{3})*|\d{1,7})[.,]\d{2}(?:00)?(?:\s*(?:₺|tl|try|usd|eur|€))?$|` +
		`^(?:₺|tl|try|usd|eur|€)\s*\d{1,7}$|^\d{1,7}\s*(?:₺|tl|try|usd|eur|€)$`)
	// dateShape is a date of this century or the last, year first or day
	// first, its time after it (ISO's, a DATETIME(6)'s fraction, a zone);
	// or a time alone.
	dateShape = regexp.MustCompile(`(?i)^(?:` +
		`(?:19|20)\d{2}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|` +
		`(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)\d{2})` +
		`(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|\s*[+-]\d{2}:?\d{2})?)?$|` +
		`^\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?$`)
	varDumpShape     = regexp.MustCompile(`(?i)^(?:bool|int|float|double|string)\s*\(`)
	spreadsheetError = regexp.MustCompile(`(?i)^#(?:value!|name\?|div/0!|null!|num!|ref!|spill!|calc!|field!|blocked!|connect!|busy!|unknown!|getting_data|n/a)$`)
)

// lookAlikes says whether a PIN holds what no code issued in ASCII has and a
// customer cannot type as shown: a digit other than 0-9 (full-width,
// Arabic-Indic, a superscript), a full-width letter or mark, or a Cyrillic
// or Greek letter in a code (a Cyrillic А among Latin ones, or a code of
// them alone). A label in those letters before a code ("Ключ AB12-…") is
// no code.
func lookAlikes(pin string) bool {
	for _, word := range strings.Fields(pin) {
		var latin, other bool
		for _, r := range word {
			switch {
			case unicode.IsNumber(r) && (r < '0' || r > '9'), r >= '\uFF01' && r <= '\uFF5E':
				return true
			case unicode.Is(unicode.Cyrillic, r), unicode.Is(unicode.Greek, r):
				other = true
			case unicode.Is(unicode.Latin, r):
				latin = true
			}
		}
		w := bareWord(word)
		if other && (latin || looksLikeCode(w)) {
			return true
		}
	}
	return false
}

// looksLikeCode says whether a word of a PIN field reads as a code's or a
// code's group: letters and digits mixed, a separator inside ("QWRTY-
// PSDFG"), four digits or more, five capitals or more, or letters in a mix
// of cases no word is written in ("KbcdFGHJmnpq").
func looksLikeCode(w string) bool {
	letters, digits := countLettersDigits(w)
	switch {
	case strings.ContainsFunc(w, func(r rune) bool { return !isLetterOrDigit(r) && r != '\'' && r != '’' }):
		return true
	case letters > 0 && digits > 0:
		return true
	case letters == 0:
		return digits >= 4
	case wordShape.MatchString(w):
		return false
	}
	return strings.ToUpper(w) != w || letters >= 5
}

// wordShape is a word written as words are, in lower case or with a
// capital first ("Pin"), a Turkish suffix after an apostrophe too
// ("Turkcell'e"); writtenWord is one of three lower-case letters or more.
var (
	wordShape   = regexp.MustCompile(`^\p{Lu}?\p{Ll}+(?:['’]\p{Ll}+)?$`)
	writtenWord = regexp.MustCompile(`^\p{Lu}?\p{Ll}{3,}(?:['’]\p{Ll}+)?$`)
)

// statusWord is a whole word a panel's status or error column holds, in
// Turkish, with or without its letters' marks, and in English.
var statusWord = regexp.MustCompile(`(?i)^(?:tamam(?:land[iİı])?|onay(?:land[iİı])?|hata(?:l[iİı])?|bekl[iİı]yor|beklemede|[iİ]ptal|iade|bulunamad[iİı]|teslim|[iİ][şs]lem|stok|` +
	`ba[şs]ar[iİı]l[iİı]|y[üu]klend[iİı]|g[öo]nder[iİı]ld[iİı]|reddedild[iİı]|error|success|pending|failed|fail|done|completed|cancell?ed)$`)

// likePIN says whether code, named in a done answer's words, reads as an
// old code of pin's game: as many letters and digits as the whole PIN or
// one of its codes, whatever separates them ("ZX98-YW76-VU54-TS32" for
// "QQ11WW22EE33RR44"), with a letter among them; a number alone is an
// order's or a transaction's, which staff read. A done answer with no PIN
// (" - ", a top-up's) withholds every code with a letter its words name:
// a panel may give the PIN there and not in its field. (Withheld from
// what zwatch keeps and shows of the words, not from the shop's own copy
// of them: see watch's Outcome.ShopMessage.)
func likePIN(code, pin string) bool {
	letters, digits := countLettersDigits(code)
	if letters == 0 {
		return false
	}
	if strings.TrimSpace(pin) == "" {
		return true
	}
	for _, part := range append(strings.Fields(pin), pin) {
		if l, d := countLettersDigits(part); l+d == letters+digits {
			return true
		}
	}
	return false
}

// oldCodesAmong are the old codes of pin's game among the words of code,
// codes a label names read as one: the codes on both sides of a word
// after a label ("Eski kod ZZ99-XY12 yeni AB12-CD34") read as one,
// "ZZ99-XY12 AB12-CD34", and the old code inside it, unlike the PIN as a
// whole, would stay in clear. The PIN's own words taken out, an old code
// is letters and digits mixed, as many as the PIN or one of its codes
// (as likePIN counts them, at least minWithheldAlnums), in:
//   - a word;
//   - up to maxCodeWords words in a row of one length, three letters and
//     digits or more ("ZZ99 XY12", "ZZ99-XY12 QQ77-WW66"), as plainCode
//     reads a code's groups;
//   - as many words in a row as a PIN of spaced groups, each its group's
//     size, however short ("ZZ 99 XY 12" beside "AB 12 CD 34").
//
// Words of other lengths ("12 PUBG 60", "100 STEAM 2026") are a
// product's name or an amount, staff's to read. Every such code is
// withheld, in work bounded by the words times maxCodeWords.
func oldCodesAmong(code, pin string) []string {
	words := strings.Fields(code)
	pinWords := strings.Fields(pin)
	sizes := map[int]bool{}
	var shape []int
	for _, w := range pinWords {
		l, d := countLettersDigits(w)
		shape = append(shape, l+d)
		if l+d >= minWithheldAlnums {
			sizes[l+d] = true
		}
	}
	l, d := countLettersDigits(pin)
	if l+d >= minWithheldAlnums {
		sizes[l+d] = true
	}
	largest := l + d
	if largest < minWithheldAlnums || len(pinWords) == 0 {
		return nil
	}
	// Where the PIN's own words stand in the run.
	ofPIN := make([]bool, len(words))
	for i := 0; i+len(pinWords) <= len(words); i++ {
		if words[i] == pinWords[0] && slices.Equal(words[i:i+len(pinWords)], pinWords) {
			for k := range pinWords {
				ofPIN[i+k] = true
			}
		}
	}
	type count struct{ letters, digits int }
	counts := make([]count, len(words))
	for i, w := range words {
		counts[i].letters, counts[i].digits = countLettersDigits(w)
	}
	var old []string
	seen := map[string]bool{}
	add := func(from, to int, letters, digits int) {
		if letters > 0 && digits > 0 {
			if found := strings.Join(words[from:to], " "); !seen[found] {
				seen[found] = true
				old = append(old, found)
			}
		}
	}
	for i := range words {
		// A word, or words of one length in a row.
		letters, digits := 0, 0
		for j := i; j < len(words) && j-i < maxCodeWords && !ofPIN[j]; j++ {
			c := counts[j]
			size := c.letters + c.digits
			if j > i && (size < minGroupAlnums || size != counts[i].letters+counts[i].digits) {
				break
			}
			letters, digits = letters+c.letters, digits+c.digits
			if letters+digits > largest {
				break
			}
			if sizes[letters+digits] {
				add(i, j+1, letters, digits)
			}
		}
		// As many words as a spaced PIN, each its group's size.
		if len(pinWords) < 2 || len(pinWords) > maxCodeWords || i+len(pinWords) > len(words) {
			continue
		}
		letters, digits = 0, 0
		fits := true
		for k := range pinWords {
			c := counts[i+k]
			fits = fits && !ofPIN[i+k] && c.letters+c.digits == shape[k]
			letters, digits = letters+c.letters, digits+c.digits
		}
		if fits && letters+digits >= minWithheldAlnums {
			add(i, i+len(pinWords), letters, digits)
		}
	}
	return old
}

// minGroupAlnums is the fewest letters and digits of a group of a code
// written in words of one length.
const minGroupAlnums = 3

// countLettersDigits counts s's letters and digits.
func countLettersDigits(s string) (letters, digits int) {
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	return letters, digits
}

// codeLabel is a word by which a panel's text names what follows it a
// code: Turkish "kod" ("Kodunuz:", "kodu"), "PIN" ("EpinKodu"), "şifre",
// "seri no" ("Seri No.:"), "anahtar" and "kupon" before a colon (a
// game's key, a voucher's code: "Lisans anahtarınız:", "Kuponunuz:"), and their
// English, with a Turkish capital İ or a dotless ı where an i is, which
// (?i) does not fold, and a suffix after an apostrophe, as Turkish writes
// one after an abbreviation ("PIN'iniz", "PIN’iniz", and as HTML escapes
// it, once or twice: "PIN&#039;iniz", "PIN&rsquo;iniz",
// "PIN&amp;#039;iniz"). A letter or
// digit before it makes it part of another word. A colon, a comma for one
// ("Kodunuz, ..."), a space or a no-break space (&nbsp;, &#160;, escaped
// or without its ';' alike) follows it, or HTML tags, escaped or not
// ("<b>Kodunuz</b>: ...", "<td>Kod</td><td>...", "Kodunuz<br>..."); not
// an "=": "kod=" and "sifre=" are the query's own parameters, which a
// panel echoing the request repeats (the password in them REDACTED), and
// the dealer code is no PIN. A label may number its codes ("Kod 1: ...",
// "PIN 2) ..."): the number, followed by a colon or a parenthesis, is the
// label's, not the code's first group.
var codeLabel = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(?:kod\p{L}*|codes?|(?:e-?)?p[iİı]n(?:kod\p{L}*)?|[şs][iİı]fre\p{L}*|ser[iİı](?:al)?(?:\s*no\.?)?)(?:(?:['’]|&(?:amp;)*(?:#0*39;|#x0*27;|apos;|rsquo;|#0*8217;|#x0*2019;))\p{L}+)?(?:(?:\s*(?:` + htmlTagPattern + `))+(?:\s*[:,]\s*|\s+)?|\s*\d{1,2}\s*[:)]\s*|\s*[:,]\s*|\s+|&(?:amp;)*(?:nbsp;?|#0*160;|#x0*a0;))` +
	// Words that name other things too ("Undefined array key", "anahtar
	// kelime") label a code only before a colon.
	`|(?i)(?:^|[^\p{L}\p{N}])(?:keys?|anahtar\p{L}*|vouchers?|kupon\p{L}*)(?:\s*(?:` + htmlTagPattern + `))*\s*:\s*`)

// dumpedCodeLabel is a key naming a code in a row a panel dumps: in JSON,
// "\"pin\":\"", print_r, "[pin] => ", var_export, "'pin' => '", var_dump,
// "[\"pin\"]=> string(19) \"" (Xdebug's with xdebugArrow), serialize,
// "s:3:\"pin\";s:19:\"", or a query, "pin=". It names its value alone (dumpedValue): print_r and a
// query put no comma between a row's entries, and the referans and the
// amount after the code are the shop's to read.
var dumpedCodeLabel = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}_])(?:\["` + dumpedCodeKey + `"(?::protected|:"[^"\s]{1,64}":private)\]\s*=>\s*|` +
	`\\?"` + dumpedCodeKey + `\\?"\s*(?::|=>)\s*\\?"?|'` +
	dumpedCodeKey + `'\s*(?::|=>)\s*'?|'` + dumpedCodeKey + `'` + xdebugArrow + `'|\[` + dumpedCodeKey + `\]\s*=>\s*|\["` + dumpedCodeKey + `"\]\s*=>\s*(?:string\(\d+\)\s*"|int\(|array\(\d+\)\s*\{)|` +
	// serialize names a protected property "\0*\0pin", a private one
	// "\0Kart\0pin": a class's capital, the NUL bytes dropped.
	`s:\d+:"(?:\*|(?-i:\p{Lu})[\p{L}\p{N}_\\]{0,63}?)?` + dumpedCodeKey + `";s:\d+:"|` + dumpedCodeKey + `=)`)

// xdebugArrow is what stands between a key and its string's quote in
// Xdebug's var_dump with html_errors on: "'pin' <font color='#888a85'>=&gt;
// </font> <small>string</small> <font color='#cc0000'>'AB12-…".
const xdebugArrow = `(?:\s*<[^<>]{0,80}>)*\s*(?:=>|=&gt;)(?:\s*<[^<>]{0,80}>)*\s*(?:string(?:\(\d+\))?(?:\s*<[^<>]{0,80}>)*\s*)?`

// dumpedValue is the value a dumped row's key names, at the start of s,
// past what a dump writes before it (dumpedValueStart: a nested array's
// "Array ( [0] => ", a JSON array's "[\"", var_dump's "string(19) \""):
// up to a quote, an entry's separator or the line's end, or to a space
// before print_r's next key ("[durum]") or its end (")"); after "pin=",
// its groups of one size. A print_r value
// that is the next key ("[pin] =>  [referans] => …") is none.
func dumpedValue(s string, query bool) string {
	s = s[:min(len(s), maxCodeBytes+maxDumpedValueStart)]
	if printRKey.MatchString(s) {
		return ""
	}
	s = s[len(dumpedValueStart.FindString(s)):]
	s = s[:min(len(s), maxCodeBytes)] // no code is longer
	end := strings.IndexAny(s, "\"'&,;})]|\r\n")
	if end < 0 {
		end = len(s)
	}
	s = s[:end]
	if query {
		// A query's value runs past a space only into groups the size of
		// its first ("pin=1234 5678 9012 3456"): the words after it (a
		// referans, a product's name) are the shop's to read.
		groups := strings.Split(s, " ")
		n := 1
		for n < len(groups) && len(groups[n]) == len(groups[0]) && !strings.Contains(groups[n], "=") {
			n++
		}
		return strings.Join(groups[:n], " ")
	}
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ' ' && (s[i+1] == '[' || s[i+1] == ')') {
			return s[:i]
		}
	}
	return s
}

// dumpedValueStart is what a dump writes between a key and its string:
// a nested array's opening, its first index, var_dump's type and size, and
// the quotes. maxDumpedValueStart bounds what is read for it.
var dumpedValueStart = regexp.MustCompile(`^(?:\[\d+\]\s*=>|\d+\s*=>|"\d+"\s*:|string\(\d+\)|(?i:array)\s*(?:\(\d*\))?\s*[({]?|[\s\[{("'\\])*`)

const maxDumpedValueStart = 64

// printRKey is print_r's next key, where a value is empty.
var printRKey = regexp.MustCompile(`^\s*\[[^\]\s\d][^\]]*\]\s*=>`)

// dumpedCodeKey is a key of a dumped row that names a code: a word of a
// code label, alone or in a key of several ("epin_kodu", "pin_code"). Not
// "kod" alone, the dealer code's parameter, nor "sifre" alone, the
// password's (scrubbed whatever its shape).
const dumpedCodeKey = `(?:[\p{L}\p{N}]+_)*(?:kod\p{L}+|codes?|(?:e[-_]?)?p[iİı]n(?:[_-]?(?:kod\p{L}*|codes?))?|` +
	`[şs][iİı]fre\p{L}+|ser[iİı](?:al)?(?:_?no)?|keys?|anahtar\p{L}*|vouchers?|kupon\p{L}*)(?:_[\p{L}\p{N}]+)*`

// CodesIn are the codes a text in znet's words names, which must not be
// shown: those a label names ("Kodunuz: AB12-CD34") and those that read as
// a code with none. For a text read back later, such as the shop's
// providerMessage of an order whose PIN staff replaced, which still names
// the old one.
func CodesIn(text string) []string { return withheldCodes(text) }

// withheldCodes are the codes in a refusal's words, or a waiting or
// cancelled answer's, that must not be shown: those a label names
// (labelledCodes), and those that read as a code with none (plainCodes).
func withheldCodes(text string) []string {
	codes := labelledCodes(text)
	seen := make(map[string]bool, len(codes))
	for _, code := range codes {
		seen[code] = true
	}
	for _, code := range plainCodes(text) {
		if !seen[code] {
			seen[code] = true
			codes = append(codes, code)
		}
	}
	return codes
}

// plainCodes are the words of text that read as a code with no label
// before them, as a refusal quotes the code of an order it delivered
// already ("Siparis zaten teslim edildi ZX98-YW76-VU54-TS32"): three
// groups or more of letters and digits, of one length, joined by dashes
// (an en or em dash too) or underscores, with a letter and a digit, and
// either twelve of them or a group that mixes them. A word ends at
// anything else, so that a Turkish suffix ("…-TS32'yi"), a glued word
// before ("edildi,ZX98-…", "edildi.ZX98-…") or a link's parameter
// ("?c=ZX98-…") leaves the code whole. Not a reference a panel or shop
// writes in such groups ("ORD-123-456", "ORDR-2026-0042"), nor digits
// alone (a card refunded to, "1234-5678-9012-3456 nolu kartınıza"), nor
// groups joined by dots or slashes: an IP address the panel refuses, a
// date or a list of numbers is what the operator reads the refusal for.
func plainCodes(text string) []string {
	var codes []string
	words := strings.FieldsFunc(blankMarkup(text), func(r rune) bool { return !isLetterOrDigit(r) && !isCodeJoiner(r) })
	for _, word := range words {
		word = strings.TrimFunc(word, isCodeJoiner)
		if len(word) <= maxCodeBytes && plainCode(word) {
			codes = append(codes, word)
		}
	}
	return codes
}

// plainCode says whether word, of letters, digits and joiners, is a code
// by its shape alone (plainCodes). It asks more than plainlyACode, which
// judges a word that a label or a word of "kod" already names a code (any
// groups of one length with a digit, "PUBG 1800 1234" among them), and
// takes Turkish's letters, which a code quoted in a refusal may hold.
func plainCode(word string) bool {
	groups := strings.FieldsFunc(word, isCodeJoiner)
	if len(groups) < 3 || !strings.ContainsFunc(word, unicode.IsLetter) || !strings.ContainsFunc(word, unicode.IsDigit) {
		return false
	}
	size, mixed, letters := utf8.RuneCountInString(groups[0]), false, 0
	for _, g := range groups {
		if utf8.RuneCountInString(g) != size || size < 3 {
			return false
		}
		mixed = mixed || strings.ContainsFunc(g, unicode.IsLetter) && strings.ContainsFunc(g, unicode.IsDigit)
		if strings.ContainsFunc(g, unicode.IsLetter) {
			letters++
		}
	}
	// A reference is a word or two and numbers ("ORDR-2026-0042",
	// "TRY-100-250-500"); a code mixes them ("QWER-7788-ZXCV-9911").
	return mixed || letters >= 2 && size*len(groups) >= 12
}

// isCodeJoiner is what joins a code's groups in a word of its own.
func isCodeJoiner(r rune) bool { return r == '-' || r == '_' || r == '–' || r == '—' }

// labelledCodes are the codes in text that a code label names (codeLabel),
// each once, in the order they come: what follows each label up to the
// end of its clause (an '&' ends one: a request's query echoed, whose
// "kod=" is the dealer code) or the next label, where it reads as a code
// (clauseCodes); and of a list after one label ("Kodlarınız: AB12-CD34,
// EF56-GH78"), each further item (listGoesOn, afterMarker) while it is a
// code of the first one's size from its first word on (leadingCode).
// Only a labelled one is looked for: a description's other numbers (an
// amount, a player id, an order number) are the shop's to read. A clause
// ends at the next label, so that a text of many labels is read once.
func labelledCodes(text string) []string {
	var codes []string
	seen := make(map[string]bool)
	for _, m := range dumpedCodeLabel.FindAllStringIndex(text, -1) {
		for _, code := range clauseCodes(dumpedValue(text[m[1]:], text[m[1]-1] == '=')) {
			if !seen[code] {
				seen[code] = true
				codes = append(codes, code)
			}
		}
	}
	at := codeLabel.FindAllStringIndex(text, -1)
	for k, m := range at {
		rest := text[m[1]:]
		if k+1 < len(at) && at[k+1][0] >= m[1] {
			rest = text[m[1]:at[k+1][0]]
		}
		rest, marked := afterMarker(rest)
		// "Kod 1: X, 2: Y": the label numbered the list's first item.
		marked = marked || labelNumbered.MatchString(text[m[0]:m[1]])
		size := 0 // letters and digits of the list's first code
		for first := true; ; first = false {
			end := clauseEnd(rest)
			nextMark := -1
			if marked {
				end, nextMark = beforeMark(rest, end)
			}
			found := clauseCodes(rest[:end])
			for _, code := range found {
				if !seen[code] {
					seen[code] = true
					codes = append(codes, code)
				}
			}
			// The label's own sentence first ("PIN kodunuz aşağıdadır.
			// AB12-…", "Kodunuz hazır, AB12-… olarak tanımlandı"): the
			// next clause's code, if it starts with one that is plainly a
			// code (plainlyACode); a bare number there ("Kodunuz iptal
			// edildi, 12345678901 nolu sipariş") is an order's.
			if first && len(found) == 0 && end < len(rest) && strings.ContainsRune(".,:", rune(rest[end])) {
				if next, markedToo := afterMarker(rest[end+1:]); plainlyACode(leadingCode(next)) {
					rest, marked = next, markedToo
					continue
				}
			}
			// A list goes on only from an item that held a code, to one
			// of the same size: after "Kod geçersiz, 12345678901 nolu
			// sipariş" or "Kod: AB12-CD34-EF56-GH78, 12345678901 nolu
			// sipariş" the number is an order's, the shop's to read.
			if len(found) == 0 {
				break
			}
			// Items separated by their marks alone ("1. X 2. Y", "1. X.
			// 2. Y."), where the item is the code and nothing else: a
			// full stop after words ("1. X iade edildi. 2. ...") ends a
			// sentence, and what follows is staff's, mark or none.
			var after string
			byMarkAlone := false
			switch {
			case listGoesOn(rest, end):
				after = rest[end+1:]
			case (nextMark >= 0 || marked && end < len(rest) && rest[end] == '.') && onlyTheCode(rest[:end], found):
				after, byMarkAlone = rest[end+1:], true
				if nextMark >= 0 {
					after = rest[nextMark:]
				}
			}
			if after == "" {
				break
			}
			// "Kodlarınız aşağıdadır: 1) X, 2) Y": the first item's
			// marker stands inside the label's clause.
			marked = marked || slices.ContainsFunc(strings.Fields(rest[:end]), listMarker.MatchString)
			if size == 0 {
				// Without the marker a reading may take with it ("1) X"),
				// of the longest reading (a dotted code is read whole and
				// short of its last group).
				for _, code := range found {
					reading, _ := afterMarker(code)
					size = max(size, alnums(reading))
				}
			}
			next, markedToo := afterMarker(after)
			if byMarkAlone && !markedToo {
				break
			}
			// The item read up to its own end, without the next item's
			// mark ("Y 3. Z"), which would read as one more group.
			item := next
			if marked {
				itemEnd, _ := beforeMark(next, clauseEnd(next))
				item = next[:itemEnd]
			}
			if code := leadingCode(item); markedToo && !marked || code == "" || alnums(code) != size {
				break
			}
			rest = next
		}
	}
	for _, code := range codesBeforeKodWord(text) {
		if !seen[code] {
			seen[code] = true
			codes = append(codes, code)
		}
	}
	return codes
}

// onlyTheCode says whether a list item's clause holds nothing but the
// code read from it: as many letters and digits, its markup aside
// ("AB12&nbsp;CD34", "<b>X</b>"), as the longest reading of it (a dotted
// code is read whole and short of its last group).
func onlyTheCode(clause string, found []string) bool {
	longest := 0
	for _, code := range found {
		longest = max(longest, alnums(code))
	}
	return alnums(withoutMarkup(clause)) == longest
}

// labelNumbered is the end of a label that numbers its code ("Kod 1:",
// "PIN 2)"): the first item of a list marked so.
var labelNumbered = regexp.MustCompile(`\d\s*[:)]\s*$`)

// beforeMark is, for a marked list's clause ending at end of text, where
// the clause ends and where the next item's mark starts (-1: none): the
// items of "1. X 2. Y" are separated by their marks alone, and the
// clause ends at the mark's full stop, its number read with the code.
func beforeMark(text string, end int) (int, int) {
	if end+1 >= len(text) || text[end] != '.' || !unicode.IsSpace(rune(text[end+1])) {
		return end, -1
	}
	start := end
	for start > 0 && end-start < 3 && isASCIIAlnum(text[start-1]) {
		start--
	}
	if start == end || end-start > 2 || start == 0 || !unicode.IsSpace(rune(text[start-1])) {
		return end, -1
	}
	return start, start
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// codesBeforeKodWord are the codes written right before a Turkish word of
// "kod" that names them so: "AB12-CD34-EF56-GH78 kodlu sipariş" (the
// order with the code), "AB12-CD34-EF56-GH78 kodunuz hatalı", in quotes,
// brackets or inline markup too. Only a code plainly one (plainlyACode)
// ending right before the word, in its line or table cell, is read, each
// of its words with a digit where it has more than one: "12345678901
// kodlu sipariş" is an order's number, "X nolu kod" a phrase, "Toplam 250
// 250 500. Kodunuz" and "Toplam 250 250 500<br>Kodunuz" amounts. The
// text's markup is blanked once, so that a body of thousands of words of
// "kod" costs no more than a pass over it.
func codesBeforeKodWord(text string) []string {
	plain := text
	if strings.ContainsAny(text, "&<") {
		plain = htmlTagsFirst.ReplaceAllStringFunc(text, func(markup string) string { return strings.Repeat(" ", len(markup)) })
	}
	at := kodWord.FindAllStringSubmatchIndex(plain, -1)
	if at == nil {
		return nil
	}
	breaks := lineBreakingTag.FindAllStringIndex(text, -1)
	var codes []string
	for k, m := range at {
		word := m[0] // the white space or mark before the word of "kod"
		from := max(0, word-maxCodeBytes)
		cut := from > 0
		// Not across a line break or into another cell of a table.
		b := sort.Search(len(breaks), func(i int) bool { return breaks[i][1] > m[2] })
		if b > 0 && breaks[b-1][1] > from {
			// The break's blanked end may be the white space before the word.
			from, cut = min(breaks[b-1][1], word), false
		}
		words, starts := fieldsAt(plain[from:word])
		if cut && len(words) > 0 && !unicode.IsSpace(rune(plain[from-1])) && !unicode.IsSpace(rune(plain[from])) {
			// Cut by the window: but for its last item, where it is a
			// list ("...,X,Y kodlu").
			if i := strings.LastIndexAny(words[0], ",;"); i >= 0 && i+1 < len(words[0]) {
				words[0], starts[0] = words[0][i+1:], starts[0]+i+1
			} else {
				words, starts = words[1:], starts[1:]
			}
		}
		// "X,Y kodlu", "X+Y kodlu": the word's last item, where it reads as
		// a code.
		if n := len(words); n > 0 {
			if i := strings.LastIndexAny(words[n-1], ",;+"); i >= 0 && mixedCode(withoutGroupMarks(strings.TrimFunc(words[n-1][i+1:], isQuoteOrBracket))) {
				words[n-1], starts[n-1] = words[n-1][i+1:], starts[n-1]+i+1
			}
		}
		// A word naming what the code is may stand between ("X numaralı
		// kod", "X pin kodu"), or a dash ("X - kodunuz"); a Turkish suffix
		// follows it after an apostrophe ("X'in kodu"), a colon may end it
		// ("X: kod kullanılmış"), and an invisible character may stand
		// after it.
		// A code set apart so must hold a letter: "Referans 123 456 789
		// numaralı kod", "Toplam 250 500 750 - kodunuz" are numbers.
		// "X-kodlu", "X_kodu", "X/kod": a mark glued to the word sets the
		// code apart too.
		apart := strings.TrimLeftFunc(plain[m[0]:m[2]], unicode.IsSpace) != ""
		for range 3 { // "X seri numaralı pin kodu"
			if n := len(words); n >= 2 && (kodNamingWords[strings.ToLower(strings.TrimFunc(words[n-1], isQuoteOrBracket))] ||
				strings.Trim(words[n-1], "-–—") == "") {
				words, apart = words[:n-1], true
			}
		}
		if n := len(words); n > 0 {
			last := withoutSuffix(strings.TrimRightFunc(words[n-1], isInvisible))
			words[n-1] = strings.TrimSuffix(last, ":")
			apart = apart || words[n-1] != last
		}
		// A sentence's full stop or comma ends the code's place.
		if len(words) == 0 || !endsAlnum(strings.TrimRightFunc(words[len(words)-1], isQuoteOrBracket)) {
			continue
		}
		// The shortest reading that is plainly a code, and from it on
		// each group before it the size of the one after it: a code of
		// four groups is one of three too, and its first group would
		// stay; "PUBG 1800 1234-5678-9012-3456" is the product's and its
		// code.
		lastHasADigit := strings.ContainsFunc(words[len(words)-1], unicode.IsDigit) ||
			capitalsGroup(strings.TrimFunc(words[len(words)-1], isQuoteOrBracket))
		longest := ""
		for k := len(words) - 1; k >= max(0, len(words)-maxCodeWords); k-- {
			// A group of capitals alone, as long as the next, is a
			// group of the code too ("1W22 IBRQ EGXQ 7EO2").
			if k < len(words)-1 && (!lastHasADigit || !strings.ContainsFunc(words[k], unicode.IsDigit) &&
				!(capitalsGroup(words[k]) && len(words[k]) == len(strings.TrimFunc(words[k+1], isQuoteOrBracket)))) {
				break
			}
			if longest != "" && utf8.RuneCountInString(strings.TrimFunc(words[k], isQuoteOrBracket)) !=
				utf8.RuneCountInString(strings.TrimFunc(words[k+1], isQuoteOrBracket)) {
				break
			}
			if code := strings.TrimFunc(strings.Join(words[k:], " "), isQuoteOrBracket); plainlyACode(code) && mixedIfCapitals(code) {
				longest = code
			}
		}
		if longest == "" {
			longest = mixedCodeBefore(words)
		}
		if longest != "" && (!apart || strings.ContainsFunc(longest, unicode.IsLetter)) {
			codes = append(codes, longest)
			n := len(strings.Fields(longest))
			// Not back past the word of "kod" before: a list is read once,
			// however many words of "kod" it holds.
			start, floor := from+starts[len(words)-n], 0
			if k > 0 {
				floor = min(at[k-1][1], start)
			}
			codes = append(codes, codesListedBefore(plain[floor:], start-floor, longest, n)...)
		}
	}
	return codes
}

// fieldsAt is strings.Fields(s), with where each field starts in s.
func fieldsAt(s string) (fields []string, starts []int) {
	start := -1
	for i, r := range s {
		switch {
		case unicode.IsSpace(r) && start >= 0:
			fields, starts = append(fields, s[start:i]), append(starts, start)
			start = -1
		case !unicode.IsSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		fields, starts = append(fields, s[start:]), append(starts, start)
	}
	return fields, starts
}

// codesListedBefore are the codes listed in text before end, where code
// (of n words) starts, each of its kind (sameKindOfCode): "X ve Y kodlu
// pinler", "X, Y ya da Z kodlu", where the word of "kod" names them all.
// The list is read back as far as it goes, past the window a code is
// looked for in: a long list's first codes are what a message cut short
// shows.
func codesListedBefore(text string, end int, code string, n int) []string {
	var listed []string
	for len(listed) < maxListedCodes {
		rest := strings.TrimRightFunc(text[:end], unicode.IsSpace)
		if rest == "" {
			return listed
		}
		if strings.IndexByte(",;+&", rest[len(rest)-1]) >= 0 {
			rest = rest[:len(rest)-1]
		} else {
			w, at := lastField(rest)
			switch w = strings.ToLower(w); {
			case w == "da" || w == "de":
				// "ya da": or.
				if ya, yaAt := lastField(rest[:at]); strings.EqualFold(ya, "ya") {
					at = yaAt
				} else {
					return listed
				}
			case !listWords[w]:
				return listed
			}
			rest = rest[:at]
		}
		// "X, ve Y", "X, , Y": a comma before the word, an empty item.
		rest = strings.TrimRightFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' })
		start := len(rest)
		for range n {
			_, start = lastField(rest[:start])
		}
		if i := strings.LastIndexAny(rest[start:], ",;+"); n == 1 && i >= 0 {
			start += i + 1 // "X,Y,Z kodlu"
		}
		item := strings.TrimFunc(strings.Join(strings.Fields(rest[start:]), " "), isQuoteOrBracket)
		if n == 1 {
			item = wordBeforeKod(item)
		}
		if !sameKindOfCode(item, code) {
			return listed
		}
		listed = append(listed, item)
		end = start
	}
	return listed
}

// maxListedCodes bounds how many codes a list before one word of "kod" is
// read back for; a real refusal names a few.
const maxListedCodes = 1000

// lastField is the last field of s and where it starts ("", 0: none), or
// of a field longer than maxCodeBytes its last maxCodeBytes or so: a list
// read back item by item must not read a long text whole for each.
func lastField(s string) (string, int) {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	from := max(0, len(s)-maxCodeBytes)
	for from > 0 && !utf8.RuneStart(s[from]) {
		from--
	}
	start := from
	if i := strings.LastIndexFunc(s[from:], unicode.IsSpace); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[from+i:])
		start = from + i + size
	}
	return s[start:], start
}

// sameKindOfCode says whether item, listed before code, is a code like
// it: as long, its groups parted the same way, and read as a code on its
// own. Two PINs of a batch are; an order's number beside a PIN seldom
// is ("SIP20260312001 ve K7Q9M3X8P5Z2").
func sameKindOfCode(item, code string) bool {
	return item != "" && codeMarks(item) == codeMarks(code) &&
		(plainlyACode(item) && mixedIfCapitals(item) || mixedCode(withoutGroupMarks(item)))
}

// codeMarks is s with each letter and digit an x: its shape, the marks
// between them kept ("xxxx-xxxx", "xx.xx").
func codeMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if isLetterOrDigit(r) {
			return 'x'
		}
		return r
	}, s)
}

// listWords join the items of a list ("ya da" is read as one; a comma,
// semicolon, "+" or "&" ending the item before is read as a mark).
var listWords = map[string]bool{"ve": true, "veya": true, "yada": true, "ile": true, "and": true, "or": true, "/": true}

// mixedCodeBefore is the code, if any, in the last words before a word of
// "kod" that are no code of three groups or more: the last two words,
// each with letters and digits, of one length, that together make a mixedCode
// ("ABCD1234 EFGH5678 kodlu"), or the last word alone, its dashes and
// dots aside ("XKQZ8842-MNPT5531 kodlu"); "" where none.
func mixedCodeBefore(words []string) string {
	n := len(words)
	last := wordBeforeKod(words[n-1])
	if n >= 2 {
		first := wordBeforeKod(words[n-2])
		if shape(first) == shape(last) && len(last) >= 4 && lettersAndDigits(first) && mixedCode(first+last) {
			return first + " " + last
		}
	}
	if mixedCode(withoutGroupMarks(last)) {
		return last
	}
	return ""
}

// shape is word with each letter an 'a' and each digit a '0': the two
// groups of a code are alike ("ABCD1234 EFGH5678"), an order's number and
// a product's seldom are ("A1234 PB600").
func shape(word string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsDigit(r):
			return '0'
		case unicode.IsLetter(r):
			return 'a'
		}
		return r
	}, word)
}

// lettersAndDigits says whether word holds both: a group of a code, where
// "4521" of "Siparis 4521 PB60 kodlu" is an order's number, masked with
// the code wherever the refusal has it.
func lettersAndDigits(word string) bool {
	return strings.ContainsFunc(word, unicode.IsDigit) && strings.ContainsFunc(word, unicode.IsLetter)
}

// wordBeforeKod is a word before a word of "kod" without its quotes or
// brackets, or a mark before it ("#", "No:").
func wordBeforeKod(word string) string {
	word = strings.TrimFunc(word, isQuoteOrBracket)
	if i := strings.LastIndexAny(word, "#:"); i >= 0 {
		word = strings.TrimLeftFunc(word[i+1:], isQuoteOrBracket)
	}
	return word
}

// withoutSuffix is word without a Turkish suffix after an apostrophe
// ("K7Q9M3X8P5Z2'nin", "GH78’in"), or word.
func withoutSuffix(word string) string {
	if i := strings.LastIndexAny(word, "'’"); i > 0 && !strings.ContainsFunc(word[i:], unicode.IsDigit) {
		return word[:i]
	}
	return word
}

// kodNamingWords may stand between a code and the word of "kod" after it.
var kodNamingWords = map[string]bool{
	"pin": true, "epin": true, "e-pin": true, "seri": true,
	"numaralı": true, "numarali": true, "nolu": true, "no'lu": true,
}

// mixedIfCapitals says whether a code in groups, where one is capitals
// alone, has a group of letters and digits too: "1W22 IBRQ EGXQ 7EO2" is a
// code, "4521 PUBG 1800" an order's number and a product's.
func mixedIfCapitals(code string) bool {
	groups := strings.FieldsFunc(code, isGroupMark)
	return !slices.ContainsFunc(groups, capitalsGroup) || slices.ContainsFunc(groups, lettersAndDigits)
}

// capitalsGroup says whether word is ASCII capitals alone, three or more.
func capitalsGroup(word string) bool {
	return len(word) >= 3 && !strings.ContainsFunc(word, func(r rune) bool { return r < 'A' || r > 'Z' })
}

// mixedCode says whether a single word reads as a code with no label
// before it: ASCII letters and digits, both, mixed otherwise than a
// number is written with a prefix and a short suffix. An order's or a
// player's number ("SIP20260312001", "oyuncu1234567") or a product's
// ("PUBG1800UC") stays the shop's to read; "K7Q9M3X8P5Z2",
// "XKQZ8842MNPT" and "8842XKQZ5531" are codes.
func mixedCode(word string) bool {
	if len(word) < minWithheldAlnums || len(word) > maxCodeBytes || numberWithAffixes.MatchString(word) {
		return false
	}
	letters, digits := 0, 0
	for i := range len(word) {
		switch c := word[i]; {
		case c >= '0' && c <= '9':
			digits++
		case isASCIIAlnum(c):
			letters++
		default:
			return false
		}
	}
	return letters > 0 && digits > 0
}

// numberWithAffixes is a number written with a prefix of letters and a
// suffix of up to three, or a word of small letters ("Zula5000Altin",
// "Windows11Home"): a product's name.
var numberWithAffixes = regexp.MustCompile(`^[A-Za-z]*[0-9]+(?:[A-Za-z]{0,3}|[A-Z]?[a-z]{2,})$`)

// lineBreakingTag is an HTML tag, escaped or not, that ends a line or a
// table's cell: a code before it is no code of what follows it.
var lineBreakingTag = regexp.MustCompile(`(?i)(?:<|&lt;)/?(?:br|p|div|li|td|th|tr|table|h[1-6])\b[^<>&]{0,80}(?:>|&gt;)`)

// isGroupMark says whether r may part the groups of a code:
// "AB12-CD34-EF56-GH78", "AB12_CD34_EF56_GH78", "AB12/CD34/EF56/GH78".
func isGroupMark(r rune) bool { return strings.ContainsRune(" -._/", r) }

func withoutGroupMarks(code string) string {
	return strings.Map(func(r rune) rune {
		if isGroupMark(r) {
			return -1
		}
		return r
	}, code)
}

// isQuoteOrBracket says whether r may wrap a code: a quote of any
// language, a bracket, or the stars or underscores of emphasis
// ("**K7Q9M3X8P5Z2**", "__K7Q9M3X8P5Z2__").
func isQuoteOrBracket(r rune) bool {
	return strings.ContainsRune("\"'`\\()[]{}«»“”‘’„‚‹›*_", r)
}

func endsAlnum(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return isLetterOrDigit(r)
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func notLetterOrDigit(r rune) bool { return !isLetterOrDigit(r) }

// kodWord is a word of "kod" (its first group) after white space, or a
// dash, slash, underscore or colon glued to it (markup blanked; a full
// stop is a sentence's end, "SP12AB34.Kodunuz" an order's number);
// maxCodeBytes and maxCodeWords bound what is read before it for a code.
var kodWord = regexp.MustCompile(`(?i)(?:\s|[_/:-]|–)(kod\p{L}*)(?:[^\p{L}\p{N}]|$)`)

const (
	maxCodeBytes = 96
	maxCodeWords = 8
)

// listGoesOn says whether a clause ending at end of text ends at a list's
// separator: a comma, semicolon, line break or '|', or an '&' between
// spaces ("X & Y"; an echoed query's has none).
func listGoesOn(text string, end int) bool {
	if end >= len(text) {
		return false
	}
	switch text[end] {
	case ',', ';', '\n', '|':
		return true
	case '&':
		return end+1 < len(text) && text[end+1] == ' '
	}
	return false
}

// alnums counts code's letters and digits.
func alnums(code string) int {
	n := 0
	for _, r := range code {
		if isLetterOrDigit(r) {
			n++
		}
	}
	return n
}

// plainlyACode says whether code reads as one even with no label right
// before it: three groups or more of one length, of letters and digits,
// with a digit ("AB12-CD34-EF56-GH78", "1234 5678 9012 3456"). Not a bare
// number or word (an order's "SIP20260312001", a player's
// "oyuncu1234567"), a product's "PUBG 1800", a phone's groups of
// different lengths ("0532 123 45 67"), an IBAN's ("TR12 … 01") or a
// card's starred ones.
func plainlyACode(code string) bool {
	groups := strings.FieldsFunc(code, isGroupMark)
	if len(groups) < 3 || !strings.ContainsFunc(code, unicode.IsDigit) {
		return false
	}
	// Numbers parted by slashes are a list of them ("100/250/500 kodlu
	// paketler", "Bayi 1001/2002/3003"), a code's groups hold a letter.
	if strings.ContainsRune(code, '/') && !strings.ContainsFunc(code, unicode.IsLetter) {
		return false
	}
	for _, g := range groups {
		if len(g) != len(groups[0]) || len(g) < 3 || strings.ContainsFunc(g, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') }) {
			return false
		}
	}
	return true
}

// leadingCode is the code the clause text starts with is from its first
// word on ("ABCD EFGH 1234 5678", "GH78-JK90"), or "": a sentence with a
// number in it ("SIPARIS NO 12345678901") starts with none. Only the
// clause's start is read, so that a long list costs no more than its
// items.
func leadingCode(text string) string {
	if len(text) > 128 {
		text = text[:128]
	}
	words := strings.Fields(withoutMarkup(text[:clauseEnd(text)]))
	if len(words) == 0 {
		return ""
	}
	if code := codeIn(strings.Join(words, " ")); strings.HasPrefix(code, words[0]) {
		return code
	}
	return ""
}

// afterMarker is text after the mark of a list's item ("a)", "2.", "(3)",
// "-", "•") that it starts with, and whether it had one. A list whose
// first item has none is not read on at an item that has one: "X, a)
// 12345678901 nolu sipariş" is the shop's sentence.
func afterMarker(text string) (string, bool) {
	trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
	first, after, ok := strings.Cut(trimmed, " ")
	if !ok || !listMarker.MatchString(first) {
		return text, false
	}
	return after, true
}

// listMarker is an item's mark in a list.
var listMarker = regexp.MustCompile(`^(?:\(?[0-9a-zA-Z]{1,2}[).:]|[-•*–])$`)

// clauseCodes are the codes a label's clause holds: read to its end
// (clauseEnd), and the longest reading short of it, at a '.' or ',', that
// is a code. A code may be written in dotted groups
// ("1234.5678.9012.3456"), and be followed at once by a time, a date or a
// word ("...3456,10:00", "...3456,KULLANILDI"): read with them it is no
// code, or one a refusal repeating the code alone does not quote. Each
// clause is read at most maxGroupCuts times more: a refusal of thousands
// of labels is read within a second.
func clauseCodes(clause string) []string {
	clause = withoutMarkup(clause[:clauseEnd(clause)])
	var codes []string
	if code := codeIn(clause); code != "" {
		codes = append(codes, code)
	}
	for cut, tries := len(clause)-1, 0; cut > 0 && tries < maxGroupCuts; cut-- {
		if clause[cut] != '.' && clause[cut] != ',' {
			continue
		}
		tries++
		if code := codeIn(clause[:cut]); code != "" {
			return append(codes, code)
		}
	}
	return codes
}

// maxGroupCuts is how many of a clause's dots and commas, from its end,
// are tried as where its code ends; real PINs have at most eight groups.
const maxGroupCuts = 16

// clauseEnd is where a label's clause ends: at a ';', '|', '&' or line
// break, or a '.' or ',' that ends a sentence; not at an HTML entity's
// '&' and ';' ("AB12&nbsp;CD34", "Kodunuz:&nbsp;AB12"), as a panel
// writing its descriptions as HTML has them. One between two groups of a
// code ("1234.5678.9012.3456", "AB12,CD34", "ab12.cd34") does not: the
// groups on both sides of it are a code's (codeGroup), and cutting there
// left one group, too short to read as a code, and the code in clear.
func clauseEnd(clause string) int {
	for i := 0; i < len(clause); i++ {
		switch clause[i] {
		case '&':
			if markup := htmlEntity.FindString(clause[i:]); markup != "" {
				i += len(markup) - 1
				continue
			}
			if markup := htmlTag.FindString(clause[i:]); markup != "" { // an escaped tag
				i += len(markup) - 1
				continue
			}
			return i
		case '<':
			// A tag's own ';' ("<span style=\"color:red;\">") ends nothing.
			if markup := htmlTag.FindString(clause[i:]); markup != "" {
				i += len(markup) - 1
			}
		case ';', '|', '\n':
			return i
		case '.', ',':
			start, end := i, i+1
			for start > 0 && isASCIIAlnum(clause[start-1]) {
				start--
			}
			for end < len(clause) && isASCIIAlnum(clause[end]) {
				end++
			}
			standsAlone := end == len(clause) || !startsAlnum(clause[end:])
			if !codeGroup(clause[start:i]) || !codeGroup(clause[i+1:end]) || !standsAlone {
				return i
			}
		}
	}
	return len(clause)
}

// htmlEntity is an HTML character reference at the start of a text, and
// htmlMarkup any of them, or an HTML tag, escaped or not.
var (
	htmlEntity = regexp.MustCompile(`^` + htmlEntityPattern)
	htmlMarkup = regexp.MustCompile(htmlEntityPattern + `|` + htmlTagPattern)
	// htmlTagsFirst is htmlMarkup, tags tried first: an escaped one
	// ("&lt;b&gt;") begins with an entity, and read as one it leaves its
	// name ("b") as a word before a code. Only for reading the words
	// before "kod": blanked whole, an escaped tag's attributes would hide
	// a code they hold from the masking (`&lt;a href="?pin=X"&gt;`).
	htmlTagsFirst = regexp.MustCompile(htmlTagPattern + `|` + htmlEntityPattern)
	htmlTag       = regexp.MustCompile(`^(?:` + htmlTagPattern + `)`)
)

// htmlTagPattern is an HTML tag a panel's text may carry, escaped or not:
// one of the names a description is written with, so that a code in
// angle brackets ("<AB12-CD34-EF56-GH78>") or a '<' of a comparison is
// no tag.
const htmlTagPattern = `</?(?i:` + htmlTagNames + `)\b[^<>]{0,80}>|&lt;/?(?i:` + htmlTagNames + `)\b[^<>&]{0,80}&gt;`

const htmlTagNames = `b|i|u|s|em|strong|span|div|p|br|hr|td|tr|th|tbody|table|font|small|big|a|li|ul|ol|h[1-6]|label|code|pre|sup|sub|mark|center`

// htmlEntityPattern also takes a reference escaped again ("&amp;nbsp;"), as
// a panel escaping its own HTML writes it, and "&nbsp" without its ';',
// which browsers read as one.
const htmlEntityPattern = `&(?:amp;)*(?:(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|nbsp)`

// withoutMarkup is text with each HTML character reference and tag a
// space: a code's groups apart, each masked where the text has it.
func withoutMarkup(text string) string {
	if !strings.ContainsAny(text, "&<") {
		return text
	}
	return htmlMarkup.ReplaceAllString(text, " ")
}

// codeGroup says whether a run of ASCII letters and digits may be one
// group of a dotted code: digits and capitals ("5678", "CD34"), or lower
// case with a digit ("cd34"). A lower-case word without one ("iade",
// "tamam") is a sentence's.
func codeGroup(group string) bool {
	if group == "" {
		return false
	}
	hasLower := strings.ContainsFunc(group, func(r rune) bool { return r >= 'a' && r <= 'z' })
	return !hasLower || strings.ContainsFunc(group, unicode.IsDigit)
}

// startsAlnum says whether s starts with a letter or digit of any script.
func startsAlnum(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isLetterOrDigit(r)
}

// blankMarkup is text with its HTML entities and tags, escaped or not,
// each written as as many spaces: what is left stands where it stood.
func blankMarkup(text string) string {
	if !strings.ContainsAny(text, "&<") {
		return text
	}
	return htmlMarkup.ReplaceAllStringFunc(text, func(markup string) string { return strings.Repeat(" ", len(markup)) })
}

// hideWords marks in hidden each place text has piece as a word of its
// own, with no letter or digit beside it.
func hideWords(text, piece string, hidden []bool) {
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], piece)
		if i < 0 {
			return
		}
		start, end := from+i, from+i+len(piece)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if (start == 0 || !isLetterOrDigit(before)) && (end == len(text) || !isLetterOrDigit(after)) {
			for k := start; k < end; k++ {
				hidden[k] = true
			}
		}
		from = start + 1
	}
}

// hideWithheldCodes is text with each code it names (withheldCodes: those a
// label names, and those plainly a code) written as bullets: for a
// refusal's words, which no PIN masks. Each
// piece of a code is masked wherever it stands as a word of its own, with
// no letter or digit beside it: "1000" of "21000.00" is another number.
// Each piece is looked for once, in a pass over the text; a text naming
// more than maxLabelledScan bytes' worth of passes (some 500 codes in a
// 64 KB refusal) is not shown at all instead (tooManyCodesNote), so that
// a hostile one costs an answer no more than a few milliseconds.
func hideWithheldCodes(text string) string {
	// Pieces are looked for with the text's HTML entities and tags
	// blanked, as they were read: the "p" of "AB12&nbspCD34" is no letter
	// beside "CD34".
	plain := blankMarkup(text)
	hidden := make([]bool, len(text))
	looked := make(map[string]bool)
	scanned := 0
	var runs map[string]bool // the text's runs of letters and digits, made on first use
	for _, code := range withheldCodes(text) {
		pieces := strings.Fields(code)
		// The same code without its dashes, dots or spaces, as a
		// panel's reference repeats it ("ref AB12CD34EF56GH78"): looked
		// for where the text has it as a word of its own, which costs no
		// pass of its own where it has not.
		if joined := strings.Map(func(r rune) rune {
			if isLetterOrDigit(r) {
				return r
			}
			return -1
		}, code); len(joined) >= 8 && joined != code {
			if runs == nil {
				runs = make(map[string]bool)
				for _, run := range strings.FieldsFunc(plain, notLetterOrDigit) {
					runs[run] = true
				}
			}
			if runs[joined] {
				pieces = append(pieces, joined)
			}
		}
		for _, piece := range pieces {
			if looked[piece] {
				continue
			}
			looked[piece] = true
			if scanned += len(text); scanned > maxLabelledScan {
				return tooManyCodesNote
			}
			hideWords(plain, piece, hidden)
			// And inside a tag, which the blanking left out: a link's
			// "href=…?pin=AB12-…", a "data-pin" attribute.
			if len(plain) == len(text) && plain != text {
				if scanned += len(text); scanned > maxLabelledScan {
					return tooManyCodesNote
				}
				hideWords(text, piece, hidden)
			}
		}
	}
	var b strings.Builder
	for k := 0; k < len(text); k++ {
		if !hidden[k] {
			b.WriteByte(text[k])
			continue
		}
		b.WriteString("••••")
		for k+1 < len(text) && hidden[k+1] {
			k++
		}
	}
	return b.String()
}

// maxLabelledScan bounds hideWithheldCodes's passes over a text, in bytes.
const maxLabelledScan = 1 << 25

// tooManyCodesNote stands for a text naming more codes than
// hideWithheldCodes looks for: a code may stand anywhere in it, before its
// first label too, so none of it is shown.
const tooManyCodesNote = "•••• (the panel's words name more codes than zwatch masks one by one, so none of them is shown)"

// lostOKMasked is a refusal's words msg with a code masked where they
// hold more than a refusal's one field ("2|1234567890123456|Tamam": an
// answer that lost its "OK"): the field before the first bar is masked
// whole where it holds a run of a code's words with eight letters and
// digits or more, as real PINs have, and any such run after it, which may
// be the PIN behind a field that stood in the status's place ("2||…",
// "2|-|…", "2|NULL|…") or the PIN repeated grouped otherwise. A refusal's
// own field with a short number in it ("3|Bayi 4471 yetkisiz|…") stays; a
// long one is masked, since a PIN cannot be told from an order's number
// there. So are the code's runs of a done answer cut at its PIN
// ("2|1234 5678 9012 3456", "2|AB12CD34EF56GH78 Turkcell").
func lostOKMasked(code, msg string) string {
	place, rest, ok := strings.Cut(msg, "|")
	if !ok {
		// A refusal's words that are nothing but a code ("1001|AB12CD34EF56":
		// letters, digits and a code's marks, eight or more of them, every
		// word a code's) are no words of a refusal.
		masked, _ := codeRunsMasked(msg)
		if code == "2" || nothingButACode(msg) {
			return masked
		}
		return msg
	}
	fields := strings.Split(rest, "|")
	for i := range fields {
		fields[i], _ = codeRunsMasked(fields[i])
	}
	if _, found := codeRunsMasked(place); found {
		place = "••••"
	}
	return place + "|" + strings.Join(fields, "|")
}

// nothingButACode says whether text is a code and nothing else, in quotes
// or brackets or not: letters, digits and a code's group marks alone,
// eight letters and digits or more, each word reading as a code's.
func nothingButACode(text string) bool {
	text = strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || isQuoteOrBracket(r) })
	words := strings.Fields(text)
	return alnums(text) >= 8 && len(words) > 0 &&
		!strings.ContainsFunc(text, func(r rune) bool { return !isLetterOrDigit(r) && !isGroupMark(r) && !unicode.IsSpace(r) }) &&
		!slices.ContainsFunc(words, func(w string) bool { return !looksLikeCode(w) && !capitalsGroup(w) })
}

// codeRunsMasked is text with each run of a code's words (a code's shape, a
// group of digits or of three capitals or more; no status's word, amount,
// date or address) that has eight letters and digits or more in all
// masked as one, markup blanked and references read; and whether it had
// any.
func codeRunsMasked(text string) (string, bool) {
	words, starts := fieldsAt(blankMarkup(text))
	var b strings.Builder
	done, runStart, runEnd, runAlnums, found := 0, -1, -1, 0, false
	endRun := func() {
		if runStart >= 0 && runAlnums >= 8 {
			b.WriteString(text[done:runStart] + "••••")
			done, found = runEnd, true
		}
		runStart, runAlnums = -1, 0
	}
	for i, field := range words {
		n, code := codeWordAlnums(field)
		if !code {
			endRun()
			continue
		}
		if runStart < 0 {
			runStart = starts[i]
		}
		runEnd, runAlnums = starts[i]+len(field), runAlnums+n
	}
	endRun()
	b.WriteString(text[done:])
	return b.String(), found
}

// codeWordAlnums says whether a word, its references read, is a code's
// word for codeRunsMasked, and how many letters and digits it has.
func codeWordAlnums(field string) (int, bool) {
	n := 0
	for _, part := range strings.Fields(html.UnescapeString(field)) {
		w := bareWord(part)
		if !isDigits(w) && (w == "" || statusWord.MatchString(w) || notACode.MatchString(w) || notAPIN(w) != "" || !looksLikeCode(w) && !capitalsGroup(w)) {
			return 0, false
		}
		n += alnums(w)
	}
	return n, n > 0
}

// ParseBalance parses a bakiye_kontrol answer, "OK|12755.23", and returns the
// balance as znet wrote it, after checking that it is a decimal number.
func ParseBalance(body []byte) (string, error) { return parseBalance(body, &scrubber{}) }

func parseBalance(body []byte, password *scrubber) (string, error) {
	a, err := splitAnswer(OpBalance, body, 2, password)
	if err != nil {
		return "", err
	}
	if len(a.fields) < 2 {
		return "", unintelligible(OpBalance, "znet answered OK without a balance zwatch can read")
	}
	balance, ok := a.value(1, isBalanceRune, isBalanceRune)
	if !ok {
		return "", unintelligible(OpBalance, "znet's balance field repeats the dealer password; the answer is not used")
	}
	if !isDecimal(balance) {
		return "", unintelligible(OpBalance, "znet answered OK without a balance zwatch can read")
	}
	return balance, nil
}

// answer is an OK answer split into its fields, with every occurrence of
// the password marked (scrubber.mark) rather than replaced: free text is read
// with the password scrubbed (text), while a PIN or a balance that merely
// contains a short password's characters is read whole (value).
type answer struct {
	fields   []string // as split: not cleaned, marks in place
	echoes   []string // the text each mark stands for
	password *scrubber
	// hadNUL: the body held a NUL byte, which splitAnswer removed, other
	// than at its ends (a buffer's padding). It is not known in which
	// field: no text answer holds one.
	hadNUL bool
	// wide: the body holds text in UTF-16 (readsAsUTF16).
	wide bool
	// legacy: the body was not UTF-8, and was read as Windows-1254.
	legacy bool
	// pinUndefined: PHP said, around the answer, that the script read no
	// PIN where one comes from (saysNoPINWasRead): a blank PIN field may be
	// a PIN it failed to print.
	pinUndefined bool
}

// controlIn says whether field i holds, inside its trimmed ends, a control
// character other than white space, or one a customer can neither see nor
// type: what clean turns into a space or drops, or what no PIN is made of.
func (a *answer) controlIn(i int) bool {
	text, _ := a.unmark(a.fields[i])
	return strings.ContainsFunc(strings.TrimSpace(text), func(r rune) bool {
		return unicode.IsControl(r) && !unicode.IsSpace(r) || isInvisible(r)
	})
}

// isInvisible is a character that shows as nothing, or as a blank no
// keyboard types: format characters (a zero-width space, a soft hyphen, a
// reordering mark), the others Unicode says to ignore when they cannot be
// shown (a Hangul filler, a grapheme joiner), variation selectors, the
// braille blank, and U+FFFD, which a decoder puts where a byte meant
// nothing.
func isInvisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) ||
		r == '\u2800' || r == utf8.RuneError
}

// isCombiningMark is a mark laid over or under the character before it
// ("AB12\u0336", a stroke through the 2): the code shown is not the one
// typed. Turkish panels write "İ" and "ş" as letters of their own.
func isCombiningMark(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) }

// text is field i as free text: each occurrence of the password, in any
// form, REDACTED, and the field cleaned.
func (a *answer) text(i int) string { return a.scrubbed(a.fields[i], nil) }

// word is field i as sent, cleaned: for the answer's own words ("OK", an
// order status), which zwatch matches and never shows. Scrubbed, a
// password that is one of them ("OK", "2") would leave every answer, or
// every done order, unreadable.
func (a *answer) word(i int) string { return a.unmarked(a.fields[i]) }

// rawText is field i as znet wrote it, its line breaks kept.
func (a *answer) rawText(i int) string {
	text, _ := a.unmark(a.fields[i])
	return text
}

// unmarked is marked with what each mark stands for put back, cleaned.
func (a *answer) unmarked(marked string) string {
	text, _ := a.unmark(marked)
	return clean(text)
}

// joinedCodes is a PIN field's codes as PHP's nl2br writes several: its
// line breaks are spaces, as the others are, and runs of them one. Any
// other markup is no PIN's (markup). Joined so, an echo split by a tag or
// by several spaces would be the password itself: the caller looks at the
// joined field again.
func joinedCodes(field string) (joined string, markup bool) {
	joined = strings.Join(strings.Fields(lineBreakTags.ReplaceAllString(field, " ")), " ")
	return joined, strings.ContainsAny(joined, "<>") || htmlCharRef.MatchString(joined)
}

// withheldCode is field i of a waiting or cancelled answer, its PIN field,
// where it holds what reads as a code held back or taken back; "" where it
// does not. It is read as a done answer's PIN field is (joinedCodes),
// scrubbed as the description is: a code that holds the password by
// chance ("QW7R9TZK3829HJDX") is held back as the description shows it
// ("QW7R9TZKREDACTEDHJDX"), and masked there; left out, the rest of the
// customer's code went out in clear (helper-356). Of its pieces, those
// that read as a code's are kept
// (codePieces): labels, words ("Seri:", "iptal", "SIPARIS") and amounts
// are dropped. What is left is a code if it has eight letters and digits
// or more, as real PINs do, a digit among them, ten digits or more if no
// letter, and is no amount or date. Anything else would mask itself all
// over the description: a balance ("1050.00"), a date, a word, PHP's
// "NULL". A code of letters alone is not masked.
func (a *answer) withheldCode(i int) string {
	field, markup := joinedCodes(a.scrubbed(a.fields[i], nil))
	if markup || a.password.knows() && !a.onlyCoincidences(field, a.password.echoes(field)) {
		return ""
	}
	// A code with a group that is the password by chance
	// ("1234-3829-5678-9012", "QW7R 3829 HJDX KMNP") is held back and
	// masked: what is beside the password reads as a code without it
	// (helper-362). The password alone, or beside what is no code ("D1-
	// hunter7", "AB12 1234"), is none; beside the request's other values
	// ("bayi7 3829 1001") CheckPin drops it (requestOnly).
	if codeIn(strings.ReplaceAll(field, redacted, "")) == "" {
		return ""
	}
	// Read with the password as a group of digits of its own size, as the
	// panel wrote it: REDACTED, a group of eight letters, parted the code
	// from its other groups, which went out in clear (helper-365). The
	// digit stands for nothing else in the field (helper-366).
	digit, ok := digitNotIn(field)
	if !ok {
		return "" // a field of every digit there is: no code
	}
	placeholder := strings.Repeat(string(digit), max(1, utf8.RuneCountInString(a.password.password)))
	return strings.ReplaceAll(codeIn(strings.ReplaceAll(field, redacted, placeholder)), placeholder, redacted)
}

// digitNotIn is the first digit past ASCII (unicode.Nd: Arabic-Indic
// zero first) that text does not hold, which withheldCode puts for each
// character of the password.
func digitNotIn(text string) (rune, bool) {
	for _, r := range unicode.Nd.R16 {
		for d := rune(r.Lo); d <= rune(r.Hi); d += rune(r.Stride) {
			if d > unicode.MaxASCII && !strings.ContainsRune(text, d) {
				return d, true
			}
		}
	}
	return 0, false
}

// onlyCoincidences says whether each of the password's occurrences in
// text is there by chance (coincidence), as the description keeps them.
func (a *answer) onlyCoincidences(text string, echoes []span) bool {
	return !slices.ContainsFunc(echoes, func(echo span) bool { return !a.coincidence(text, echo) })
}

// codeIn is what of text reads as a code (codePieces), where it has the
// letters and digits of one (see withheldCode); "" where nothing does.
func codeIn(text string) string {
	code := strings.Join(codePieces(strings.Fields(text)), " ")
	if notACode.MatchString(code) {
		return ""
	}
	letters, digits := countLettersDigits(code)
	if letters+digits < minWithheldAlnums || digits == 0 || letters == 0 && digits < minWithheldDigits {
		return ""
	}
	return code
}

// codePieces are the pieces of a field that may be a code's: those with a
// digit that are no amount or date on their own ("1050.00" beside "TL"),
// and those without a digit that read as a group of the same code
// (isLetterGroup), standing between two pieces kept ("ABCD" in "QW7R 9TZK
// ABCD 8HJD"), as long as each of several kept ("ABCD 1234 EFGH 5678"), or
// beside one kept as long as itself ("ABCD 1234"). Words around a code
// ("SIPARIS", "IPTAL", "TL") are dropped.
func codePieces(pieces []string) []string {
	hasDigit := func(piece string) bool { return strings.ContainsFunc(piece, unicode.IsDigit) }
	keep := make([]bool, len(pieces))
	first, last, groupLen, kept := -1, -1, -1, 0
	for i, piece := range pieces {
		// A bare group of digits ("123" of "123 456 789 012") is no
		// amount: only a piece with a separator of one, or of a date, is
		// looked at so.
		if !hasDigit(piece) || strings.ContainsAny(piece, ".,:/-") && notACode.MatchString(piece) {
			continue
		}
		keep[i], kept = true, kept+1
		if first < 0 {
			first = i
		}
		last = i
		switch n := utf8.RuneCountInString(piece); groupLen {
		case -1:
			groupLen = n
		case n:
		default:
			groupLen = 0 // groups of different lengths
		}
	}
	for i, piece := range pieces {
		if !keep[i] && isLetterGroup(piece) {
			keep[i] = first < i && i < last || kept >= 2 && len(piece) == groupLen
		}
	}
	// A letter group beside a kept piece as long as it ("ABCD 1234",
	// "ABCD EFGH 1234"), outward from the kept pieces: one sweep each way,
	// where a pass until nothing changed took one per group (2 s for 64 KB
	// of "ABCD ABCD ... 1234").
	besideKept := func(i, j int) {
		if !keep[i] && isLetterGroup(pieces[i]) && keep[j] && utf8.RuneCountInString(pieces[j]) == len(pieces[i]) {
			keep[i] = true
		}
	}
	for i := 1; i < len(pieces); i++ {
		besideKept(i, i-1)
	}
	for i := len(pieces) - 2; i >= 0; i-- {
		besideKept(i, i+1)
	}
	var code []string
	for i, piece := range pieces {
		if keep[i] {
			code = append(code, piece)
		}
	}
	return code
}

// isLetterGroup says whether a piece without a digit may be a group of a
// code: upper-case ASCII letters and a code's separators, no label's colon.
func isLetterGroup(piece string) bool {
	return !strings.ContainsFunc(piece, func(r rune) bool { return unicode.IsDigit(r) || r >= utf8.RuneSelf || unicode.IsLower(r) }) &&
		!strings.HasSuffix(piece, ":")
}

// A withheld code has minWithheldAlnums letters and digits or more, and
// minWithheldDigits digits if it has no letter: shorter numbers are
// amounts, order numbers and times.
const (
	minWithheldAlnums = 8
	minWithheldDigits = 10
)

// notACode is a field that reads as an amount (1050.00, 1.050,00) or holds
// a date or a time of day (2026-12-02, 02.12.2026, 10:00).
var notACode = regexp.MustCompile(`^[0-9]{1,3}(?:[.,][0-9]{3})*(?:[.,][0-9]{1,2})?$|^[0-9]+[.,][0-9]{1,3}$|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}[./][0-9]{2}[./][0-9]{4}|\b[0-9]{1,2}:[0-9]{2}\b`)

// textRepeating is field i as free text, like text, except where it repeats
// value, a PIN delivered whole although a short password turns up in it:
// there the password is kept, as in the PIN itself. Scrubbed, the
// repetition ("Kodunuz: AB12-34CD-REDACTED") would no longer be the PIN that
// the caller masks wherever a description repeats it, and the rest of the
// PIN would reach the logs and the shop's message columns.
func (a *answer) textRepeating(i int, value string) string {
	if value == "" {
		return a.text(i)
	}
	text, echoes := a.unmark(a.fields[i])
	if len(echoes) == 0 {
		return clean(text)
	}
	var repeats []span
	for from := 0; ; {
		at := strings.Index(text[from:], value)
		if at < 0 {
			break
		}
		repeats = append(repeats, span{from + at, from + at + len(value)})
		from += at + len(value)
	}
	// Spelt with other separators too ("Kodunuz: 1234 3829 5678 9012" for
	// 1234-3829-5678-9012): REDACTED inside, the repeat was no longer the
	// PIN, and the caller's mask left its other groups in clear
	// (helper-358).
	if utf8.RuneCountInString(value) <= maxSpelledOut {
		repeats = merged(append(repeats, spelledOut(text, value)...))
	}
	// Echoes are asked about in order, and repeats are in order: one walk
	// over both, not one over the repeats per echo (a short password in a
	// 64 KiB description is thousands of each).
	next := 0
	return a.scrubbed(a.fields[i], func(echo span) bool {
		for next < len(repeats) && repeats[next].end < echo.end {
			next++
		}
		return next < len(repeats) && repeats[next].start <= echo.start && echo.end <= repeats[next].end
	})
}

// spelledOut is where text spells value's letters and digits, in any
// letter case, with at most maxRepeatGap other characters between two of
// them.
func spelledOut(text, value string) []span {
	type letter struct {
		r          rune
		start, end int
	}
	var want []rune
	for _, r := range value {
		if isLetterOrDigit(r) {
			want = append(want, unicode.ToUpper(r))
		}
	}
	var have []letter
	for i, r := range text {
		if isLetterOrDigit(r) {
			have = append(have, letter{unicode.ToUpper(r), i, i + utf8.RuneLen(r)})
		}
	}
	var found []span
	for k := 0; len(want) > 0 && k+len(want) <= len(have); k++ {
		j := 0
		for ; j < len(want); j++ {
			h := have[k+j]
			if h.r != want[j] || j > 0 && utf8.RuneCountInString(text[have[k+j-1].end:h.start]) > maxRepeatGap {
				break
			}
		}
		if j == len(want) {
			found = append(found, span{have[k].start, have[k+j-1].end})
			k += j - 1
		}
	}
	return found
}

// maxSpelledOut is the longest PIN looked for with other separators: the
// look costs the description's letters and digits times the PIN's, and a
// field of thousands of groups took a second of a 64 KiB answer's
// (helper-359). The shop's column takes 120 characters.
const maxSpelledOut = 128

// maxRepeatGap is the most characters between two letters or digits of a
// PIN a description repeats with other separators (a space, a dash, " - ").
const maxRepeatGap = 3

// scrubbed is marked text cleaned, with each occurrence of the password
// REDACTED unless keep says to keep it as it stood, or it is a short
// password of digits inside a longer number by chance (coincidence).
func (a *answer) scrubbed(marked string, keep func(span) bool) string {
	text, echoes := a.unmark(marked)
	var b strings.Builder
	last := 0
	for _, echo := range echoes {
		b.WriteString(text[last:echo.start])
		if keep != nil && keep(echo) || a.coincidence(text, echo) {
			b.WriteString(text[echo.start:echo.end])
		} else {
			b.WriteString(redacted)
		}
		last = echo.end
	}
	b.WriteString(text[last:])
	return clean(b.String())
}

// coincidence says whether echo, in text, is a short password of digits
// inside a longer number by chance ("Siparis 1733829183 isleniyor"
// holding "3829"), not an echo of it: the password as typed, of at most
// maxCoincidentPasswordRunes digits, inside a longer run of digits with no
// letter glued to it, that starts the text or follows a space or
// punctuation that writes no value: not "%", "=", "\\" or "&#", the ends
// of escapes ("\\0753829", "&#613829") and of a parameter's name. Nor with
// a word naming the password before it ("sifre: 38291001"), or close
// before it in its token. REDACTED there, the rest of the number, which
// check prints whole as the order's referans, spelt the password
// (helper-352). Only numbers: in words, escapes that lost their lead
// character ("u0026sifreu003d3829", "u0022sifreu0022: u00223829") and
// Turkish suffixes ("ab12yi") made echoes look like coincidences
// (helper-356, helper-358, helper-359, helper-360). A password glued to
// another number ("38291001": the password and the referans 1001) still
// passes for one.
func (a *answer) coincidence(text string, echo span) bool {
	literal := a.password.password
	if text[echo.start:echo.end] != literal || len(literal) > maxCoincidentPasswordRunes ||
		strings.ContainsFunc(literal, func(r rune) bool { return r < '0' || r > '9' }) {
		return false
	}
	isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
	// The number's ends, looked for no further than maxGluedBytes, so
	// that thousands of occurrences in a long run cost no more than their
	// number (helper-359): a longer number is taken for an echo.
	runStart, runEnd := echo.start, echo.end
	for runStart > 0 && echo.start-runStart < maxGluedBytes && isDigit(text[runStart-1]) {
		runStart--
	}
	for runEnd < len(text) && runEnd-echo.end < maxGluedBytes && isDigit(text[runEnd]) {
		runEnd++
	}
	if runStart == echo.start && runEnd == echo.end {
		return false // a number of its own
	}
	prev, _ := utf8.DecodeLastRuneInString(text[:runStart])
	next, _ := utf8.DecodeRuneInString(text[runEnd:])
	if isLetterOrDigit(prev) || isLetterOrDigit(next) {
		return false // glued to letters, or longer than looked at
	}
	// A combining mark or a format character shows nothing, and parts
	// nothing from what stands before it ("sifre=\u03013829").
	before := strings.TrimRightFunc(text[:runStart], func(r rune) bool { return unicode.In(r, unicode.M, unicode.Cf) })
	entity := strings.HasSuffix(before, "&#") || strings.HasSuffix(before, ";#") // "&amp;#61"
	if entity || strings.HasSuffix(before, "%") || strings.HasSuffix(before, "=") || strings.HasSuffix(before, "\\") {
		return false
	}
	near := text[max(0, echo.start-namedWithin):echo.start]
	if i := strings.LastIndexFunc(near, unicode.IsSpace); i >= 0 {
		_, size := utf8.DecodeRuneInString(near[i:])
		near = near[i+size:]
	}
	return !namedBefore(before) && !passwordNamedIn.MatchString(near)
}

// maxGluedBytes is how far, in bytes, the ends of a number holding a
// short password are looked for on either side: past the longest referans
// or number a panel prints.
const maxGluedBytes = 64

// namedWithin is how far before a short password, in bytes, a word naming
// it makes it an echo: past the escapes of a dumped parameter's quotes and
// colon ("u0022sifreu0022:u0022", 21), short of another parameter's value.
const namedWithin = 24

// span is where something stands in a text, text[start:end].
type span struct{ start, end int }

// unmark puts back what each mark in marked stands for, and says where.
func (a *answer) unmark(marked string) (text string, echoes []span) {
	var b strings.Builder
	for {
		before, rest, found := strings.Cut(marked, echoMark)
		b.WriteString(before)
		if !found {
			return b.String(), echoes
		}
		index, after, _ := strings.Cut(rest, echoMark)
		i, _ := strconv.Atoi(index) // a mark is only ever written by scrubber.mark
		echoes = append(echoes, span{b.Len(), b.Len() + len(a.echoes[i])})
		b.WriteString(a.echoes[i])
		marked = after
	}
}

// maxCoincidentPasswordRunes is the longest password whose literal
// occurrence inside a PIN or balance zwatch takes for a coincidence. A
// 4-digit password turns up in about one random 16-digit PIN in 800; a
// password of 9 characters or more, even all digits, in fewer than one in
// 10^8: such an occurrence is an echo.
const maxCoincidentPasswordRunes = 8

// value is field i as a value, a PIN or a balance, made of the runes
// valueRune accepts, with every occurrence of the password put back as it
// stood; false when the field is, or carries, an echo of the password.
//
// A short password ("1234", "55") is bound to turn up inside genuine PINs
// and balances ("AB12-34CD-1234", "12755.23"); scrubbing or refusing those
// would lose the customer's PIN. An echo, on the other hand, must never be
// delivered: it would reach the shop's pinCode column and the customer.
// The rule that tells them apart: an occurrence is a coincidence, and the
// field is returned whole, only when all of these hold, for the field and
// each occurrence of the password in it:
//   - the occurrence is the password exactly as typed: case-changed
//     (strtoupper, Turkish case), percent-escaped, entity- or JSON-escaped,
//     slashed or mojibake forms are what echoing does, never what a PIN
//     happens to contain;
//   - the password has at most maxCoincidentPasswordRunes runes, and each
//     is one valueRune accepts: a longer password, or one with '=', '&',
//     '/', '@' and the like, found in a PIN is not there by chance;
//   - every other rune of the field is one valueRune accepts (white space
//     is trimmed or becomes a space anyway): echoes come from query strings,
//     URLs, paths, lists and markup ("sifre=1234", "kod=D1&sifre=1234",
//     "sifre%3D1234", "/bayi7/1234/55501", "bayi7:1234", "bayi7,1234"),
//     whose '=', '&', '%', '/', ':', ',' part the password from the other
//     values; or one besideRune accepts (a PIN's label, other marks between
//     its groups: "Kod: 3319.0577.1905.2210"), where each occurrence lies
//     inside a code (insideACode), as no echo's value stands;
//   - some letter or digit of the field lies outside the occurrences: a
//     field that is nothing but the password ("1234", " 1234 - 1234")
//     carries nothing but the password;
//   - no word naming the password, alone or ending a longer one, stands
//     right before an occurrence, with nothing but spaces and punctuation
//     between: a panel that echoes the request in words ("kod bayi7 sifre
//     1234", "Şifre: 1234", "bayiSifre 1234") names it, where a PIN that
//     holds it by chance does not.
//
// Otherwise the field is refused whole; nothing of it is returned, so that
// no piece of the password reaches an error, a log or the database.
func (a *answer) value(i int, valueRune, besideRune func(rune) bool) (string, bool) {
	text, echoes := a.unmark(a.fields[i])
	if len(echoes) == 0 {
		return clean(text), true
	}
	ownRune := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || valueRune(r) }
	literal := a.password.password
	if utf8.RuneCountInString(literal) > maxCoincidentPasswordRunes || strings.ContainsFunc(literal, func(r rune) bool { return !ownRune(r) }) {
		return "", false
	}
	if len(echoes) > maxCoincidences {
		return "", false
	}
	var rest strings.Builder
	last := 0
	for _, echo := range echoes {
		if spacesAsCleaned(text[echo.start:echo.end]) != spacesAsCleaned(literal) || namedBefore(text[:echo.start]) {
			return "", false
		}
		rest.WriteString(text[last:echo.start])
		last = echo.end
	}
	rest.WriteString(text[last:])
	outside := rest.String()
	if !strings.ContainsFunc(outside, isLetterOrDigit) {
		return "", false
	}
	if strings.ContainsFunc(outside, func(r rune) bool { return !ownRune(r) }) {
		beside := func(r rune) bool { return ownRune(r) || besideRune(r) }
		if strings.ContainsFunc(outside, func(r rune) bool { return !beside(r) }) ||
			slices.ContainsFunc(echoes, func(echo span) bool { return !insideACode(text, echo) }) {
			return "", false
		}
	}
	return clean(text), true
}

// insideACode says whether the occurrence at echo lies inside a code: in
// a run of letters and digits that holds two more of them at least
// ("3319057719052210", "5678ABCD9012EF34", "812345"), or in one of three
// groups or more of one size in a row, parted by one kind of mark ("1234
// 5678 9012 3456" after "Kod: ", "3319.0577.1905.2210",
// "A1234-BCDEF-GHIJK").
// Values an echo joins stand apart ("bayi7:1234", "bayi7/1234/55501": a
// path's slashes part no code's groups here) and seldom come in groups of
// one size.
func insideACode(text string, echo span) bool {
	if strings.ContainsFunc(text[echo.start:echo.end], notLetterOrDigit) {
		return false
	}
	runStart, runEnd := alnumRunAround(text, echo.start, echo.end)
	if alnums(text[runStart:runEnd]) >= alnums(text[echo.start:echo.end])+2 {
		return true
	}
	// The mark is the one beside the first group found: a label's space
	// before "1234-5678-…" is none, nor is "Kodu " before "1905-7786-…",
	// whose label is a group's size; so each side is tried first.
	size := utf8.RuneCountInString(text[runStart:runEnd])
	return groupsInARow(text, runStart, runEnd, size, false) >= 3 || groupsInARow(text, runStart, runEnd, size, true) >= 3
}

// groupsInARow counts the groups of size letters and digits in a row
// around text[start:end], one of them, parted by one kind of group mark
// other than a slash: the one beside the first group found, on the left
// first, or on the right where rightFirst.
func groupsInARow(text string, start, end, size int, rightFirst bool) int {
	mark, groups := rune(-1), 1
	groupMark := func(r rune) bool {
		return r == mark || mark < 0 && r != '/' && isGroupMark(r)
	}
	left := func() {
		for at := start; ; groups++ {
			r, n := utf8.DecodeLastRuneInString(text[:at])
			if n == 0 || !groupMark(r) {
				return
			}
			groupStart, _ := alnumRunAround(text, at-n, at-n)
			if groupStart == at-n || utf8.RuneCountInString(text[groupStart:at-n]) != size {
				return
			}
			mark, at = r, groupStart
		}
	}
	right := func() {
		for at := end; ; groups++ {
			r, n := utf8.DecodeRuneInString(text[at:])
			if n == 0 || !groupMark(r) {
				return
			}
			_, groupEnd := alnumRunAround(text, at+n, at+n)
			if groupEnd == at+n || utf8.RuneCountInString(text[at+n:groupEnd]) != size {
				return
			}
			mark, at = r, groupEnd
		}
	}
	if rightFirst {
		right()
		left()
	} else {
		left()
		right()
	}
	return groups
}

// alnumRunAround widens text[start:end] over the letters and digits on
// either side of it.
func alnumRunAround(text string, start, end int) (int, int) {
	for start > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:start])
		if !isLetterOrDigit(r) {
			break
		}
		start -= n
	}
	for end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		if !isLetterOrDigit(r) {
			break
		}
		end += n
	}
	return start, end
}

// namedBefore says whether text ends in a word naming the password, with
// nothing but spaces and punctuation after it (passwordNamed), looking at
// no more than the word: each occurrence looks once, and a field of
// thousands of them must not cost thousands of passes over the field.
func namedBefore(text string) bool {
	head := strings.TrimRightFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.In(r, unicode.Z, unicode.Cc, unicode.Cf, unicode.P, unicode.S, unicode.M)
	})
	return passwordNamed.MatchString(head[max(0, len(head)-maxNameBytes):])
}

// maxNameBytes bounds the text namedBefore reads: a name with its longest
// suffixes ("Şifrenizdir", "dealerPassword") is under 20 bytes.
const maxNameBytes = 64

// maxCoincidences is the most occurrences of a short password a PIN or
// balance field holds by chance: a one-letter password in every code of
// the longest field the shop's column takes, 120 characters, is fewer. A
// field holding more is a panel repeating it, and each one looked at
// costs a pass over its neighbours.
const maxCoincidences = 64

// passwordNamed is a text that ends in a word naming a password, alone or
// ending a longer one ("bayiSifre", "apiPassword"; namedBefore takes the
// spaces and punctuation after it away: any space, a no-break one as
// html_entity_decode leaves it, a colon, an equals sign, a slash):
// Turkish "şifre" ("şifreniz", "sifre" without its cedilla, with a capital
// İ or a dotless ı), "parola", and "password", "passwd", "Passwort",
// "pwd"; not "pass" or "pw", which name products ("Battle Pass 2024-...")
// as often as passwords.
var passwordNamed = regexp.MustCompile(`(?i)(?:[şs][iİı]fre\p{L}*|parola\p{L}*|passw(?:or)?[dt]\p{L}*|pwd)$`)

// passwordNamedIn is a text that holds a word naming a password anywhere.
var passwordNamedIn = regexp.MustCompile(`(?i)[şs][iİı]fre|parola|passw(?:or)?[dt]|pwd`)

// spacesAsCleaned is s with each control or white space character a space,
// as cleaning leaves it: a short password with a space found across a line
// break between a PIN's codes is the same coincidence as across a space.
func spacesAsCleaned(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
}

// isPINRune is what PINs are made of: letters, digits and dashes, with
// spaces between groups.
func isPINRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == ' ' }

// isPINFieldRune is what else a PIN's field holds beside its codes: their
// labels ("Pin:"), other marks between groups ("3319.0577", "ABCD_5678"),
// a list's commas and an expiry ("(SKT 31.12.2026)"); none of them what
// a query string, a URL's query or markup is made of.
func isPINFieldRune(r rune) bool { return isPINRune(r) || strings.ContainsRune(":./_,()#", r) }

// isBalanceRune is what a balance is made of (isDecimal checks the rest).
func isBalanceRune(r rune) bool { return '0' <= r && r <= '9' || r == '.' || r == '-' }

// wordsWithNUL stands for a waiting or cancelled answer's description, or
// a refusal's words, that read as text in UTF-16 does (halfCharacters).
const wordsWithNUL = "(znet's words are not kept: they held NUL bytes, as text in UTF-16 does, and could hide the dealer password)"

// halfCharacters says whether field, of a body that held NUL bytes between
// its characters, may hold what is left of a character outside ASCII in
// UTF-16 once the NUL bytes are gone, and of the password with such a
// letter a form no scrubbing finds: when the body reads as UTF-16 (wide),
// or the field holds a control character besides white space (Ş is 0x5E
// 0x01; € is 0xAC 0x20, which leaves none). A stray NUL in a text
// ("de\x00sc") leaves neither.
func (a *answer) halfCharacters(field string) bool {
	return a.hadNUL && (a.wide || strings.ContainsFunc(field, func(r rune) bool {
		return r > 0 && r < 0x20 && r != '\t' && r != '\n' && r != '\r'
	}))
}

// readsAsUTF16 says whether text holds, anywhere, a run of text in UTF-16:
// minWideNULs characters or more each beside a NUL byte, as ASCII is in
// UTF-16 (a fragment inside ASCII text, the dealer's name echoed wide,
// too). Stray NUL bytes (a C string's ends) and padding make no such run.
func readsAsUTF16(text string) bool {
	run := 0
	for i := 0; i+1 < len(text); i++ {
		if text[i] != 0 && text[i+1] == 0 {
			if run++; run >= minWideNULs {
				return true
			}
			i++ // the pair's NUL
			continue
		}
		run = 0
	}
	return false
}

// minWideNULs is the shortest run of characters beside NUL bytes taken for
// text in UTF-16.
const minWideNULs = 4

// splitAnswer turns a body into the fields of an OK answer, at most n, whose
// first one is "OK", or into the *Error the body amounts to. Every
// occurrence of the password is marked before anything is split, cut or
// echoed: a password holding '|' cannot split a field in two and leave half
// of it unrecognised, and every text that goes into an error is scrubbed.
func splitAnswer(op string, body []byte, n int, password *scrubber) (*answer, error) {
	if len(body) > MaxBodyBytes {
		return nil, unintelligible(op, fmt.Sprintf("znet answered more than %d KiB, which no znet answer is", MaxBodyBytes>>10))
	}
	text, legacy := decode(body)
	if trimAnswer(text) == "" {
		return nil, &Error{Kind: KindUnauthorized, Op: op, Message: "znet answered with an empty body"}
	}
	// NUL bytes go from every field anyway; gone before the password is
	// looked for, they can neither hide it ("12\x0034") nor forge a mark.
	marked, echoes := password.mark(strings.ReplaceAll(text, echoMark, ""))
	a := &answer{echoes: echoes, password: password, hadNUL: strings.Contains(strings.Trim(text, echoMark+" \t\r\n"), echoMark),
		wide: readsAsUTF16(text), legacy: legacy}
	s := trimAnswer(marked)
	switch {
	case isHTMLPage(s):
		return nil, &Error{Kind: KindWrongBaseURL, Op: op, Message: "znet answered with an HTML page"}
	default:
		// Old PHP panels print warnings and notices before the answer
		// ("<br />\n<b>Deprecated</b>: ... on line 12<br />\nOK|2|..."), and
		// after it. The answer is still there; a panel that warns is not a
		// wrong base URL.
		answer, ok := a.answerAfterWarnings(s)
		switch {
		case !ok:
			return nil, unintelligible(op, "znet answered something that is not a znet answer")
		case op == OpCheckPin && a.answersDiffer(op, s):
			return nil, unusable("znet answered twice, differently, in one body (one referans for two orders at the panel?); neither answer is used")
		case a.answersDiffer(op, s):
			return nil, unintelligible(op, "znet answered twice, differently, in one body")
		}
		s = answer
		if op == OpCheckPin {
			s = oneOfGlued(s)
		}
	}
	a.fields = strings.SplitN(s, "|", n)
	if strings.EqualFold(a.word(0), "OK") {
		return a, nil
	}
	// "3|Açıklama": an error about the request. Not to be confused with
	// "OK|3|...", a cancelled order.
	// A refusal's code is a digit or few ("3", a panel's own "1001"); a
	// number of a PIN's length, eight digits or more, before the first bar
	// is an answer that lost "OK|2|", its PIN in the code's place, which an
	// error would quote.
	if code, msg, ok := strings.Cut(s, "|"); ok && isDigits(a.unmarked(code)) && len(a.unmarked(code)) < 8 {
		withheld := a.halfCharacters(msg)
		code, msg = a.scrubbed(code, nil), a.scrubbed(msg, nil)
		if withheld {
			msg = wordsWithNUL
		}
		// A refusal that quotes the order's code ("zaten onaylandı, kod:
		// ...") would put the customer's PIN in an error message.
		msg = hideWithheldCodes(msg)
		// Three fields ("2|1234567890123456|Tamam") are an answer that lost
		// its "OK": what stands in its PIN's place is masked, a number of a
		// PIN's length too, which a refusal's words otherwise keep (an
		// order's number, for staff).
		msg = lostOKMasked(code, msg)
		return nil, &Error{Kind: KindRejected, Op: op, Code: code, Message: truncate(msg, maxMessageRunes)}
	}
	return nil, unintelligible(op, "znet answered something that is not a znet answer")
}

// isHTMLPage tells a whole HTML document (a hosting company's error page, a
// login page, a parked domain) from an answer a PHP warning happens to
// start with a tag.
func isHTMLPage(s string) bool {
	head := strings.ToLower(s[:min(len(s), 64)])
	for _, prefix := range []string{"<!doctype", "<html", "<head", "<body", "<title", "<?xml"} {
		if strings.HasPrefix(head, prefix) {
			return true
		}
	}
	return false
}

// trimAnswer trims white space and invisible format characters from both
// ends: a PHP file saved with a byte order mark prints one before its
// output, after a warning or a second time, where decode does not take it.
func trimAnswer(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
}

// phpMessage is a line PHP prints about itself with html_errors off, before
// or after a script's output.
var phpMessage = regexp.MustCompile(`^(PHP )?(Warning|Notice|Deprecated|Strict Standards|(Parse|Fatal|Catchable fatal|Recoverable fatal) error):`)

// isAnswerLine says whether s starts the way every znet answer does: "OK|"
// or a numeric error code and "|".
func (a *answer) isAnswerLine(s string) bool {
	code, _, ok := strings.Cut(s, "|")
	if !ok {
		return false
	}
	code = a.unmarked(code)
	return strings.EqualFold(code, "OK") || isDigits(code)
}

// answerAfterWarnings is the answer in s, after PHP's messages before it
// and before those after it: from the first line that is neither blank nor
// PHP's own (markup, or a message such as "Warning: ... on line 9", which
// may run over several lines up to that end), which must start like an
// answer ("OK|" or a rejection's code), else there is no answer. An OK
// answer may run over several lines (a PIN field with several codes, one a
// line) up to the next line that is PHP's own or a second OK answer; a
// rejection is its one line. Taken from its last line instead, a PIN's
// second code would read as a rejection, a PIN in the error's message; a
// rejection that ran on would take in an answer after it.
func (a *answer) answerAfterWarnings(s string) (string, bool) {
	lines := strings.Split(s, "\n")
	line := func(i int) string { return trimAnswer(a.unmarked(lines[i])) }
	start := a.skipPHPMessages(lines, 0, line, true)
	if start >= len(lines) {
		return "", false
	}
	isOK := startsOK(line(start))
	if !isOK && !a.isAnswerLine(trimAnswer(lines[start])) {
		return "", false
	}
	end := start + 1
	for isOK && end < len(lines) && !isPHPOwn(line(end)) && !startsOK(line(end)) {
		end++
	}
	// PHP's messages after the answer's first line may tell of an
	// undefined PIN too; one between an answer that ends in its field's
	// bar and the text after it ("OK|2| |\nWarning: ...\nYüklendi") was
	// printed before the answer was done. After a whole answer ("OK|2|
	// |Yüklendi"), a logger's message, and its lines, are the script's
	// business after it.
	lastText := len(lines) - 1
	for lastText >= end && (line(lastText) == "" || isPHPOwn(line(lastText))) {
		lastText--
	}
	open := strings.HasSuffix(line(end-1), "|")
	for i := end; i < len(lines); i++ {
		i = a.skipPHPMessages(lines, i, line, open && i < lastText)
	}
	return trimAnswer(strings.Join(lines[start:end], "\n")), true
}

// answersDiffer says whether the body holds two OK answers that differ in
// what they say of the order (status and PIN; for a balance, the balance):
// two rows at the panel for one referans (a retried pin_ekle), whose
// answers may be a PIN and a cancellation. Taking either would be a guess:
// a good order cancelled, or another order's PIN delivered. Answers are
// told apart wherever a line may break, <br> too (a panel writing its rows
// as HTML); an answer's PIN runs on over the lines after it until its field
// ends (several codes, one a line). They are compared as the password put
// back (a repeated answer that echoes it is the same answer), and with
// HTML's references read.
func (a *answer) answersDiffer(op, body string) bool {
	fields := 3 // OK, the status and the PIN
	if op != OpCheckPin {
		fields = 2 // OK and the balance
	}
	var answers []*strings.Builder
	pipes := 0 // in the last answer: its fields so far, less one
	for _, line := range answerBreaks.Split(body, -1) {
		// Answers glued with nothing between them, on any line: the
		// description's own lines, and those after a PHP message, too.
		// Looked for with the password put back: its mark holds a
		// number ("ok|" and a marked password is no answer).
		line = a.unmarked(line)
		segments := []string{line}
		if op == OpCheckPin {
			segments = splitGlued(line)
		}
		for _, text := range segments {
			switch n := len(answers); {
			case answerStart.MatchString(text):
				answers = append(answers, &strings.Builder{})
				answers[n].WriteString(text)
				pipes = strings.Count(text, "|")
			case n > 0 && pipes < fields && !isPHPOwn(trimAnswer(text)):
				// The field compared runs on: a PIN of several codes.
				answers[n-1].WriteString(" " + text)
				pipes += strings.Count(text, "|")
			}
		}
	}
	var first string
	for i, answer := range answers {
		parts := strings.SplitN(html.UnescapeString(answer.String()), "|", fields+1)
		for k := range parts {
			parts[k] = strings.Join(strings.Fields(parts[k]), " ")
		}
		key := strings.Join(parts[1:min(len(parts), fields)], "|")
		switch {
		case i == 0:
			first = key
		case key != first:
			return true
		}
	}
	return false
}

// answerBreaks are where a line may break in a body: a line ending, or
// HTML's <br>.
var answerBreaks = regexp.MustCompile(`(?i)\r\n|\r|\n|<br\s*/?>`)

// answerStart is a segment that starts an OK answer: "OK", "|" and a
// number (an order's status, or a balance). Between them may stand what
// reading an answer passes over (trimAnswer, clean): any white space, a
// control character, a format character (a bidi mark, a soft hyphen, even
// inside "OK"). Looked for with less, an answer hidden behind a no-break
// space ("OK\u00a0|2|…") would be read all the same, but not compared.
var answerStart = regexp.MustCompile(`(?i)^` + blankRun + `O\p{Cf}*K` + blankRun + `\|` + blankRun + `[0-9]`)

// gluedAnswer is a second answer's start: a panel that printed two rows'
// answers with nothing between them ("OK|3| |iptalOK|2|PIN|teslim"), in
// any letter case, as answerStart reads one.
var gluedAnswer = regexp.MustCompile(`(?i)O\p{Cf}*K` + blankRun + `\|` + blankRun + `[0-9]+` + blankRun + `(\||$)`)

// blankRun is what reading an answer takes for nothing, or for a space:
// every space, format and control character but NUL, which no panel's
// answer holds any more (splitAnswer takes NUL bytes out) but the
// password's mark (echoMark) does, around a number: "ok|" and a marked
// password is no answer, where the text is read marked (oneOfGlued).
const blankRun = `[\p{Z}\p{Cf}\x01-\x1f\x7f-\x9f]*`

// splitGlued is a line of a pin_kontrol body cut before every answer glued
// to what came before it. "OK", a status and its field's end ("OK|2|", in
// any letter case) start an answer anywhere after the line's start: the
// answer before may end in its status, its PIN or its description
// ("OK|3|OK|2|PIN|x", "OK|2|PINOK|2|PIN|x", "iptalok|2|PIN|x"). So does a
// description's "STOK|2|adet": where that second answer differs, the order
// is held for a person, which is the safe side of a guess between a word
// and an answer that may carry another order's PIN. A bare "OK|2" (as a
// waiting answer may be written) starts an answer only at the line's end,
// glued to a word after the answer's three fields ("teslimOK|1"), not in
// a PIN ("ABCD-EFOK|1" is a PIN and a description "1") nor where a
// description says "Kontrol: OK|2". One pass over the line's matches: a
// panel's garbage may be a long line of them.
func splitGlued(line string) []string {
	var out []string
	start := 0 // where the answer being read starts
	for _, m := range gluedAnswer.FindAllStringIndex(line, -1) {
		at, end := m[0], m[1]
		if trimAnswer(line[start:at]) == "" {
			continue // the answer's own start
		}
		glued := line[end-1] == '|'
		if !glued {
			// The letter before, past format characters (a bidi mark)
			// that reading the description will take out.
			before, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(line[:at], func(r rune) bool { return unicode.Is(unicode.Cf, r) }))
			glued = strings.Count(line[start:at], "|") >= 3 && (unicode.IsLetter(before) || unicode.IsDigit(before))
		}
		if glued {
			out = append(out, line[start:at])
			start = at
		}
	}
	return append(out, line[start:])
}

// oneOfGlued is an answer that answersDiffer found glued to the same
// answer again, as one: on one line, the last, which is whole where the
// first may have been cut short by the second ("OK|2|PINOK|2|PIN|x"), but
// a refusal the answer is glued to; over several lines (a PIN of several
// codes), the first, up to the line where the second starts. An answer
// with no glue is itself.
func oneOfGlued(answer string) string {
	lines := answerBreaks.FindAllStringIndex(answer, -1)
	if len(lines) == 0 {
		if glued := splitGlued(answer); len(glued) > 1 {
			if !answerStart.MatchString(trimAnswer(glued[0])) {
				// A refusal with an answer glued after it, as PHP prints
				// "3|..." without exiting ("3|Sipariş bulunamadıOK|2|..."):
				// a refusal, as on a line of its own. Taking the answer
				// after it delivered a PIN for an order the panel did
				// not find, or cancelled one ("3|IP yetkisizOK|3|...").
				return trimAnswer(glued[0])
			}
			return trimAnswer(glued[len(glued)-1])
		}
		return answer
	}
	start := 0
	for _, br := range append(lines, []int{len(answer), len(answer)}) {
		if glued := splitGlued(answer[start:br[0]]); len(glued) > 1 {
			return trimAnswer(answer[:start+len(glued[0])])
		}
		start = br[1]
	}
	return answer
}

// skipPHPMessages is the first line from start that is neither blank nor
// PHP's own message. Of the messages it passes, it notes one that says the
// script read no PIN (saysNoPINWasRead).
func (a *answer) skipPHPMessages(lines []string, start int, line func(int) string, beforeAnswer bool) int {
	for start < len(lines) && (line(start) == "" || isPHPOwn(line(start))) {
		if line(start) == "" {
			start++
			continue
		}
		end := a.endOfPHPMessage(lines, start, line)
		for i := start; i <= end; i++ {
			a.pinUndefined = a.pinUndefined || saysNoPINWasRead(line(i), beforeAnswer)
		}
		start = end + 1
	}
	return start
}

// saysNoPINWasRead says whether a line of PHP's own message says that the
// script read no value where a PIN comes from: a PIN's variable or key
// that was not set ("Undefined variable: pin", "Undefined array key
// "epin"", "kodu"), anywhere around the answer; or, before the answer
// was printed whole, a row that was not there at all (readNothing).
// Other names ("Undefined index: musteri_tel", "HTTP_REFERER", "kod", the
// dealer code's parameter, a number: an explode() short of a part) are a
// script's everyday notices, which a top-up's answer may follow. A row
// not read after the answer was printed is not the row it printed.
func saysNoPINWasRead(line string, beforeAnswer bool) bool {
	if m := undefinedName.FindStringSubmatch(line); m != nil && (isPINName(m[1]) || slices.Contains(codesNames, strings.ToLower(m[1]))) {
		return true
	}
	return beforeAnswer && readNothing.MatchString(line)
}

// codesNames are names of a key that holds the codes ("Undefined index:
// kodu"): not "kod", the dealer code's parameter, nor "code", which many
// an API's answer holds.
var codesNames = []string{"kodu", "kodlar", "codes"}

// undefinedName is PHP's notice of a variable, key or property read that
// was not set, and its name.
var undefinedName = regexp.MustCompile(`(?i)undefined (?:variable|index|offset|array key|property)\W+(?:\w+::)?\$?(\w+)`)

// readNothing is PHP's message of a read from a row that is not there: a
// query that found none or failed leaves a null or false where the row
// should be ("Trying to access array offset on value of type null",
// "Attempt to read property "pin" on null", PHP 5's "Trying to get
// property 'pin' of non-object", "Uninitialized string offset" of a row
// read as a string), and a fetch from a failed query
// ("mysqli_fetch_assoc() expects parameter 1 to be mysqli_result, bool
// given", PHP 5's "supplied argument is not a valid MySQL result
// resource").
var readNothing = regexp.MustCompile(`(?i)\btrying to access array offset on (?:value of type )?\w+|` +
	`\battempt to read property\b.{0,80}?\bon (?:null|bool|false|true|int|float|string|array)\b|\btrying to get property\b.{0,80}?\bof non-object\b|` +
	`\b(?:uninitialized|illegal) string offset\b|` +
	`\b(?:mysqli?|pg|sqlsrv|oci|odbc|pdo)\w*\(\)\s+expects parameter \d+ to be\b.{0,80}?\b(?:bool|boolean|null) given\b|` +
	`\bsupplied argument is not a valid (?:mysql|mysqli|postgresql|ms sql)\b.{0,20}?\bresult\b|` +
	`\b(?:mysqli?|pg|sqlsrv|oci|odbc)_(?:fetch|result)\w*\(\)`)

// isPINName is a variable's or key's name that holds a PIN: one of its
// words ("_" and capitals start one: "PINKodu" is PIN and Kodu) is "pin",
// ends in it, or is it with a Turkish suffix, digits aside: "pin",
// "epin_kodu", "userPin", "PINKodu", "pinler", "pin2"; not "spinner",
// "shipping" or "opinion".
func isPINName(name string) bool {
	runes := []rune(name)
	var words []string
	start := 0
	for i, r := range runes {
		switch {
		case r == '_':
			words, start = append(words, string(runes[start:i])), i+1
		case i > start && unicode.IsUpper(r) && (unicode.IsLower(runes[i-1]) ||
			i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1])):
			words, start = append(words, string(runes[start:i])), i
		}
	}
	words = append(words, string(runes[start:]))
	for _, w := range words {
		w = strings.ToLower(strings.TrimRight(w, "0123456789"))
		if strings.HasSuffix(w, "pin") {
			return true
		}
		if rest, ok := strings.CutPrefix(w, "pin"); ok && slices.Contains(pinSuffixes, rest) {
			return true
		}
	}
	return false
}

// pinSuffixes are what Turkish adds to "pin" in a name: plural,
// possessive, accusative ("pinler", "pinleri", "pini", "pinkodu").
var pinSuffixes = []string{"ler", "leri", "i", "in", "ini", "kod", "kodu", "no", "s"}

// htmlCharRef is an HTML character reference, "&nbsp;" or "&#8211;":
// markup, in a field of a panel that writes its answers as HTML.
var htmlCharRef = regexp.MustCompile(`&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);`)

// isPHPPlaceholder is what PHP prints for a value that is not text: an
// array ("Array", with a notice), a null or a boolean as var_export or
// json_encode write them, an undefined value in JavaScript's words, a
// MySQL result echoed instead of its row ("Resource id #5", the classic
// mysql_query mistake), an integer column's 0 or a function's -1 for
// none, "none" as people and other languages write it ("N/A", "Yok",
// "None", "nil"), a mask, and the PIN's own name.
func isPHPPlaceholder(pin string) bool { return phpPlaceholder.MatchString(pin) || isMask(pin) }

// isMask says whether pin is a mask a template shows where no code is,
// or where it hides one: x's alone for its letters and digits, three or
// more ("xxxx-xxxx-xxxx", "XXXX XXXX"); a group of three or more stars or
// bullets, which no code holds ("****-****-1234", "1234 **** 5678"); half
// its groups or more of x's alone, three or more each
// ("XXXX-XXXX-AB12-CD34", "XXXX-1234"); or a run of them glued to what it
// shows (maskRun: "••••1234", "XXXXXXXXXXXX1234"). A code's group may be
// all x's by chance ("XXXX-7K2Q-M9PL", an Xbox code's "XXXXX"); a code is
// never half so.
func isMask(pin string) bool {
	xs, others := 0, 0
	for _, r := range pin {
		switch {
		case r == 'x' || r == 'X':
			xs++
		case isLetterOrDigit(r):
			others++
		}
	}
	if xs >= 3 && others == 0 || maskRun.MatchString(pin) {
		return true
	}
	groups := strings.FieldsFunc(pin, func(r rune) bool { return !isLetterOrDigit(r) && !isMaskRune(r) })
	xGroups := 0
	for _, g := range groups {
		if utf8.RuneCountInString(g) < 3 || strings.ContainsFunc(g, func(r rune) bool { return !isMaskRune(r) }) {
			continue
		}
		if strings.ContainsAny(g, "*•") {
			return true
		}
		xGroups++
	}
	return xGroups > 0 && 2*xGroups >= len(groups)
}

// maskRun is a run of mask characters no code holds, glued to what it
// leaves shown: stars or bullets alone are some other field masked
// beside the PIN ("Seri: **** PIN: 1234567890123").
var maskRun = regexp.MustCompile(`[*•]{4}[\p{L}\p{N}]|[\p{L}\p{N}][*•]{4}|[xX]{8}`)

// isMaskRune is what a mask hides a code's characters with.
func isMaskRune(r rune) bool { return r == 'x' || r == 'X' || r == '*' || r == '•' }

var phpPlaceholder = regexp.MustCompile(`(?i)^(?:array|null|undefined|object|stdclass|false|true|nan|resource id #\d+|-1|#?n/a|yok|none|nil|` +
	// Zeros alone, an integer column's default ("0", "0000-0000").
	`[0\s-]*0[0\s-]*|` +
	// The PIN's name where its value should be: a column's or a key's,
	// as a query or a template names it (":pin", "@pin"), or a label
	// printed with an empty value or none's word ("PIN:", "Kodunuz: -",
	// "PIN 1: yok"); "İ" and "ı", which (?i) does not fold, too.
	`[:@]?(?:` + pinLabel + `)` + labelsNothing + `)$`)

// pinLabel is a label's words for a PIN or a code: "PIN", "E-PIN", "PIN
// Kodu", "PIN'iniz", "Pin Numarası", "Kodunuz", "Şifre", "Seri No",
// "Voucher".
const pinLabel = `(?:e-?)?p[iİı]n(?:['’]\p{L}+)?(?:[\s_-]*(?:` + codeWord + `|no|numaras[iİı]|number))?|` +
	`(?:` + codeWord + `)(?:[\s_-]*no)?|p[iİı]n[iİı]n[iİı]z|[şs][iİı]fre\p{L}*|ser[iİı](?:al)?(?:[\s_-]*no)?|vouchers?`

// codeWord is "code" as a label's word: Turkish "kod" and its suffixes,
// and English.
const codeWord = `kod(?:u|unuz|lar|lar[iİı]|lar[iİı]n[iİı]z)?|codes?`

// labelsNothing is what may follow a label that labels no value: its
// number ("PIN 1:"), its punctuation, and dashes or a word for none.
const labelsNothing = `[\s:.#()\-–—]*(?:\d[:.)][\s\-–—]*)?(?:yok|null|none|n/a|[-–—]+)?[\s.]*`

// templateSyntax is what a script or a template writes around a value it
// failed to put in: a variable PHP printed in single quotes ("$pin",
// "$row[pin]"), a format's verb ("%s"), a template's braces ("{pin}",
// "{$pin}"), MySQL's null in a dump ("\N"). No PIN has any of them.
const templateSyntax = "$%{}[]\\"

// quoted says whether a PIN field is one a script encoded as quoted
// strings: every letter and digit of it inside a quoted string, but for a
// label before one (pin=, "pin":, PIN Kodu:) and a string's prefix
// (b'PIN', _utf8mb4'PIN'). So json_encode's "PIN", var_export's or a SQL
// dump's 'PIN' and ('PIN', 'PIN'), a CSV's "PIN";"PIN", var_dump's
// string(9) "PIN" and serialize's s:9:"PIN"; are, and prose with quotes
// or apostrophes beside a code is not: "PUBG 60 UC" AB12-CD34 "TR", a
// spreadsheet's leading apostrophe ('0012...), a Turkish suffix
// (Turkcell'e, (TR)'de, B'ye). A string closes at its own mark or its
// pair (“”, «»); a mark doubled inside it is escaped.
func quoted(pin string) bool {
	var outside []rune // what stands outside the strings, labels and prefixes dropped
	since := 0         // len(outside) when the last string ended
	found := false
	// Where each mark that may close a string is last found: a mark
	// opening after it opens none, and the field is not read again for
	// it (a 64 KB field of marks, read so from each, took seconds).
	lastClosing := make(map[rune]int)
	for rest := pin; rest != ""; {
		if n, ok := dumpedString(rest); ok {
			outside = dropLabelOrPrefix(outside, since, false)
			since = len(outside)
			found, rest = true, rest[n:]
			continue
		}
		open, size := utf8.DecodeRuneInString(rest)
		if quotationMark(open) && len(pin)-len(rest) < lastClosingOf(pin, open, lastClosing) {
			n := closingMark(rest[size:], open)
			if n < 0 {
				// None closes after here, whatever mark opens: read once.
				lastClosing[open] = -1
			} else {
				// A string of marks alone ('', '''') is passed over whole,
				// as a string with no letter or digit of its own.
				if inner := rest[size : size+n]; strings.ContainsFunc(inner, isLetterOrDigit) {
					outside = dropLabelOrPrefix(outside, since, !strings.ContainsFunc(inner, unicode.IsSpace))
					since = len(outside)
					found = true
				}
				_, closeSize := utf8.DecodeRuneInString(rest[size+n:])
				rest = rest[size+n+closeSize:]
				continue
			}
		}
		outside = append(outside, open)
		rest = rest[size:]
		// A letter or digit further back than a label and a prefix reach
		// stays outside: the field is no string of a script's.
		if k := len(outside) - labelAndPrefixMost - 1; k >= 0 && isLetterOrDigit(outside[k]) {
			return false
		}
	}
	return found && !slices.ContainsFunc(outside, isLetterOrDigit)
}

// lastClosingOf is where in pin the last mark that closes a string open
// opens stands (-1: none), kept in seen.
func lastClosingOf(pin string, open rune, seen map[rune]int) int {
	if at, ok := seen[open]; ok {
		return at
	}
	at := strings.LastIndex(pin, string(open))
	if pair, ok := closingPair[open]; ok {
		at = max(at, strings.LastIndex(pin, string(pair)))
	}
	seen[open] = at
	return at
}

// dumpedString is the length in bytes of the string PHP dumped at s's
// start, var_dump's string(9) "PIN" or serialize's s:9:"PIN", whose
// length it gives and whose marks inside it escapes not.
//
// The length counts the bytes as PHP printed them; the field comes with
// its white space and line breaks joined and its legacy letters decoded,
// so a length that no longer falls on the mark is read as the string
// running to the mark's last one in s.
func dumpedString(s string) (int, bool) {
	m := phpDumpedString.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1] + m[2])
	end := len(m[0]) + n
	if err != nil || end >= len(s) || s[end:end+1] != m[3] {
		end = strings.LastIndex(s, m[3])
	}
	if end < len(m[0]) || !strings.ContainsFunc(s[len(m[0]):end], isLetterOrDigit) {
		return 0, false
	}
	return end + 1, true
}

// phpDumpedString is what PHP prints before a string it dumps, with its
// length and opening mark: var_dump's string(9) " and serialize's s:9:".
var phpDumpedString = regexp.MustCompile(`^(?:string\((\d{1,4})\)\s*|s:(\d{1,4}):)(["'])`)

// closingMark is where in s the string that open opened closes: at open
// again, or at its pair's closing mark; -1 when it does not. A mark
// doubled is one the string holds, as SQL and CSV escape it.
func closingMark(s string, open rune) int {
	for k := 0; k < len(s); {
		r, size := utf8.DecodeRuneInString(s[k:])
		if r == open || r == closingPair[open] {
			if next, _ := utf8.DecodeRuneInString(s[k+size:]); next == r && r == open {
				k += 2 * size
				continue
			}
			return k
		}
		k += size
	}
	return -1
}

// closingPair is the mark that closes each opening one of a pair.
var closingPair = map[rune]rune{'“': '”', '‘': '’', '«': '»', '‹': '›', '„': '“', '‚': '‘', '「': '」', '『': '』', '〝': '〞'}

// dropLabelOrPrefix is outside, the field before a quoted string, less a
// string's prefix right before it and a label before that, both after
// outside[:since], what stood before the string before: pin=, PIN Kodu:,
// "pin": (its name dropped already as a string), b, rb, _utf8mb4. A
// prefix of letters stands before one word only (oneWord): "B'de AB12
// Gamers'" is a Turkish suffix and prose.
func dropLabelOrPrefix(outside []rune, since int, oneWord bool) []rune {
	// Read the tail only, since the last string (since) and no further
	// back than a label's and a prefix's longest: the whole, for each
	// string of a field of thousands, took seconds. Cut inside a word,
	// the tail starts with a mark no label holds.
	kept := max(since, len(outside)-labelAndPrefixMost)
	text := string(outside[kept:])
	if kept > since {
		text = "\x00" + text
	}
	if m := prefixBeforeString.FindStringSubmatchIndex(text); m != nil && (oneWord || text[m[2]] == '_') {
		text = text[:m[2]]
	}
	if m := labelBeforeString.FindStringIndex(text); m != nil {
		text = text[:m[0]]
	}
	return append(outside[:kept], []rune(strings.TrimPrefix(text, "\x00"))...)
}

// labelAndPrefixMost is more runes than a label and a prefix together
// take (labelBeforeString, prefixBeforeString), white space around them
// included.
const labelAndPrefixMost = 80

// labelBeforeString is a name and an equals sign, an arrow or a colon
// ending text, before a quoted PIN: pin=, epin_kodu:, E-PIN:, PIN Kodu:,
// seri= after another string, => after a quoted name. A name holds no
// digit: "AB12-CD34: "PUBG 60 UC"" is a code and its product's name.
var labelBeforeString = regexp.MustCompile(`(?:^|[^\p{L}_-])[\p{L}_][\p{L}_ -]{0,23}\s*(?:=>|[:=])\s*$|\s*(?:=>|[:=])\s*$`)

// prefixBeforeString is what a language writes before a quoted string's
// opening mark, ending text: Python's bytes, raw and format strings, C's
// wide and UTF-8 ones, SQL's national, escape, hex and quoting ones, and
// MySQL's character set introducers.
var prefixBeforeString = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_])((?:[bBuUrRfFnNeExXqQL]{1,2}|u8|_[A-Za-z0-9]{1,16})\s*)$`)

// quotationMark says whether r is a quotation mark, single or double, in
// code or in print.
func quotationMark(r rune) bool {
	return strings.ContainsRune(singleQuotes, r) || strings.ContainsRune(doubleQuotes, r) || unicode.In(r, unicode.Pi, unicode.Pf)
}

// doubleQuotes are the double quotation marks Unicode does not count as
// opening or closing ones, and the backtick.
const doubleQuotes = "\"`„‟″‶＂「」『』〝〞〟"

// singleQuotes are the single quotation marks Unicode does not count as
// opening or closing ones, or counts so though they stand alone in a
// text as an apostrophe.
const singleQuotes = "'‘’‛‚‹›＇′ʼ´‵"

// isErrorMessage says whether a PIN field is an error message that a
// panel's script printed where the PIN should be, inline, as its error
// handler or a "die(mysqli_error())" writes one: PHP's own ("Warning:
// Undefined variable $pin in /var/www/x.php on line 12", "Call to a member
// function fetch() on bool", "mysql_fetch_array() expects parameter 1 to be
// resource"), or the database driver's ("SQLSTATE[HY000] [2002] Connection
// refused", "Table 'shop.epin' doesn't exist", "ORA-00942: ..."). Saved,
// it was the customer's PIN and the order approved. Every such message
// has words apart, and a phrase of its own; a PIN with a space between its
// codes has none of them. A word alone ("Warning:", "Notice:", a word
// ending in "Exception") is no such phrase: a card's PIN field may begin
// "Warning: tek kullanımlık", and PHP's own warning always ends "in
// <file> on line <n>".
func isErrorMessage(pin string) bool {
	return strings.ContainsFunc(pin, unicode.IsSpace) && errorPhrase.MatchString(pin) || sqlState.MatchString(pin)
}

var (
	// errorPhrase is what PHP and the databases say of a fault, anywhere
	// in their message.
	errorPhrase = regexp.MustCompile(`(?i)(?:` +
		`\.php(?:</b>)?\s+on line\s+(?:<b>)?\d+|\.php:\d+|\bstack trace:|` +
		`\b(?:parse|fatal|catchable fatal|recoverable fatal) error:|\b(?:type|value|argumentcount|arithmetic|divisionbyzero)error:|` +
		`\bundefined (?:variable|index|offset|array key|property|constant|function|method)\b|` +
		`\bcall to (?:a member function|undefined (?:function|method))|\bexpects parameter \d+|\w\(\) expects (?:exactly|at least|at most)\b|` +
		`\buncaught\s+\S*(?:exception|error)\b|\b\w*exception:|\b(?:pdo|mysqli_sql|sql|query)exception\b|` +
		`\btrying to (?:access|get) (?:array offset|property)|\battempt to read property|\bcannot (?:use object|redeclare)|\barray to string conversion\b|` +
		`\b(?:mysqli?|pg|sqlsrv|oci|odbc)_\w+\(|\baccess denied for user\b|\berror in your sql syntax\b|\bsyntax error at or near\b|` +
		`\b(?:table|view|relation|column|database|schema|function)\b.{0,80}?\b(?:doesn't|does not) exist\b|\bunknown (?:column|database|table)\b|\bcan't connect to (?:local )?mysql server|` +
		`\bno database selected\b|\bcannot be null\b|\bpassword authentication failed\b|\bpermission denied for (?:table|relation|schema|sequence|database)\b|` +
		`\bcommands out of sync\b|\bquery was empty\b|` +
		`\blost connection to mysql server|\bduplicate entry\b|\bdeadlock found\b|\block wait timeout exceeded|` +
		`\bcould not find driver\b|\bgetaddrinfo failed|\bphp_network_getaddresses|\[microsoft\]\[odbc|\binvalid object name\b|` +
		`\bora-\d{5}:|\bconnection refused\b|\bno such file or directory\b|\btoo many connections\b|\bserver has gone away\b|` +
		`\ballowed memory size\b|\bmaximum execution time\b)`)
	// sqlState is PDO's code for an error, "SQLSTATE[HY000]" or
	// "SQLSTATE: 42S02", which no PIN holds, with a space or without.
	sqlState = regexp.MustCompile(`(?i)sqlstate\s*(?:\[[0-9a-z]{5}\]|:\s*[0-9a-z]{5}\b)`)
)

// startsOK says whether a line, the password put back, starts like an OK
// answer: "OK|" (white space allowed before the "|"), or "OK" alone.
func startsOK(line string) bool {
	code, _, _ := strings.Cut(line, "|")
	return strings.EqualFold(strings.TrimSpace(code), "OK")
}

// phpMessageEnd is how PHP ends a message about itself: "... on line 12",
// with html_errors "on line <b>12</b><br />", or Xdebug's "<i>12</i>".
var phpMessageEnd = regexp.MustCompile(`on line (<[bi]>)?\d+(</[bi]>)?(<br ?/?>)?$`)

// endOfPHPMessage is the last line of the message of PHP's own that starts
// at line start: PHP writes a message's text as it is, line breaks and all
// (a failed HTTP request's headers, a query), up to its "on line N". A
// message that does not end so before a few lines, another line of PHP's
// own or one that starts like an answer, was a message of one line.
func (a *answer) endOfPHPMessage(lines []string, start int, line func(int) string) int {
	for i := start; i < len(lines) && i < start+maxPHPMessageLines; i++ {
		l := line(i)
		if i > start && startsOK(l) {
			break
		}
		if phpMessageEnd.MatchString(l) { // whatever else it starts like ("12|abc in /a.php on line 4")
			return i
		}
		if i > start && (isPHPOwn(l) || a.isAnswerLine(l)) {
			break
		}
	}
	return start
}

// maxPHPMessageLines bounds how far a message of PHP's own is looked at
// for its end.
const maxPHPMessageLines = 20

// isPHPOwn is a line PHP writes about itself: markup (html_errors on) or a
// message such as "Warning: ... on line 9".
func isPHPOwn(line string) bool { return strings.HasPrefix(line, "<") || phpMessage.MatchString(line) }

func unintelligible(op, msg string) *Error {
	return &Error{Kind: KindUnintelligible, Op: op, Message: msg}
}

// unusable is a pin_kontrol answer in znet's format that says nothing
// zwatch can save about its order.
func unusable(msg string) *Error {
	return &Error{Kind: KindUnusable, Op: OpCheckPin, Message: msg}
}

var lineStartBOMs = regexp.MustCompile("(?m)^(\xef\xbb\xbf)+")

// lineBreakTags are HTML's line breaks, as nl2br writes them and others.
var lineBreakTags = regexp.MustCompile(`(?i)<br\s*/?>`)

// lineBreaks are a text's line breaks and tabs, as they are or escaped by
// json_encode, and HTML's line breaks and the tags that part its blocks,
// lists and tables' cells, as they are or escaped.
var lineBreaks = regexp.MustCompile(`\r\n|[\r\n\t\v\f\x{2028}\x{2029}]|\\r\\n|\\[rnt]|` +
	`(?i:<(?:br|/?(?:p|div|li|ul|ol|tr|td|th|h[1-6]))\b[^<>]*>|&lt;(?:br|/?(?:p|div|li|ul|ol|tr|td|th|h[1-6]))\b.*?&gt;)`)

// decode returns the body as UTF-8, and whether it was read as
// Windows-1254. Old PHP panels send Windows-1254 and rarely say so, and a
// body that is valid UTF-8 is practically never meant as Windows-1254
// (Turkish letters would form invalid sequences), so the
// bytes themselves decide, for the body as a whole. (Character by
// character, a Windows-1254 capital followed by a no-break space or a
// symbol would read as one UTF-8 letter: a PIN changed, a password's echo
// in a form the scrubber does not know.)
func decode(body []byte) (text string, legacy bool) {
	// A PHP file saved with a byte order mark prints it before its output,
	// after a warning or a second time: at the start of a line, where it
	// is never text, whatever the charset of the rest.
	body = lineStartBOMs.ReplaceAll(body, nil)
	if utf8.Valid(body) {
		return string(body), false
	}
	if from, to, ok := characterCutAtTheEnd(body); ok {
		return string(body[:from]) + string(body[to:]), false
	}
	s, err := charmap.Windows1254.NewDecoder().Bytes(body)
	if err != nil {
		// Not expected from a single-byte charset; still never return invalid UTF-8.
		return strings.ToValidUTF8(string(body), string(utf8.RuneError)), true
	}
	return string(s), true
}

// readsAsUTF8Too says whether pin, read from a body as Windows-1254, held
// bytes that UTF-8 reads as a letter of the Turkish or a Western alphabet
// (U+00C0 to U+017F: "Ü", "İ", "ş", "é"): "ÜNİ12", sent in UTF-8 by a
// panel whose description is in Windows-1254 (a PIN from a UTF-8
// database, words from the script's own file), reads as "ÃœNÄ°12". Which
// it was no byte tells, and a PIN read the wrong way is a code znet never
// issued, handed to the customer as theirs. A Windows-1254 PIN is
// practically never so: it would hold "Ã", "Ä" or "Å" followed by one of
// the charset's symbols ("Ãœ"). A capital followed by a dash or a no-break
// space ("İ–", "Ç ") reads in UTF-8 as a letter of another script or of
// Latin's rarer ones: Windows-1254, as the body says.
func readsAsUTF8Too(pin string) bool {
	raw, err := charmap.Windows1254.NewEncoder().Bytes([]byte(pin))
	if err != nil {
		return true // a character Windows-1254 has not: not read from it alone
	}
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		if size > 1 && '\u00c0' <= r && r <= '\u017f' && unicode.IsLetter(r) {
			return true
		}
		raw = raw[size:]
	}
	return false
}

// characterCutAtTheEnd finds, in a body that is not valid UTF-8, a UTF-8
// answer whose last field was cut in the middle of a character: what a
// PHP panel's substr() does to a Turkish description cut to a length in
// bytes. Such a body is UTF-8 throughout but for the first bytes of one
// character, body[from:to], before nothing but white space or NUL padding;
// read as Windows-1254 whole, its description was garbled ("Ä°ÅŸlem") and
// a PIN with a Turkish letter refused on every ask. The part before must
// hold a character of more than one byte, and only characters a Turkish
// text is written in (turkishText): a Windows-1254 capital followed by a
// symbol ("Ş€", DE 80) is valid UTF-8 too, but a character of another
// script, and such a body stays Windows-1254, as does one ending in one
// letter of its own (a lead byte alone, "Borç"). A cut in any other field
// leaves the body invalid, and read as Windows-1254.
func characterCutAtTheEnd(body []byte) (from, to int, ok bool) {
	to = len(bytes.TrimRight(body, " \t\r\n\v\f\x00"))
	from = to
	// Of a character cut short, at most two of its continuation bytes.
	for from > 0 && to-from < 2 && !utf8.RuneStart(body[from-1]) {
		from--
	}
	if from == 0 {
		return 0, 0, false
	}
	from-- // the character's first byte
	if lead := body[from]; lead < 0xc2 || lead > 0xf4 || utf8.FullRune(body[from:to]) {
		return 0, 0, false
	}
	before := body[:from]
	if !utf8.Valid(before) || utf8.RuneCount(before) == len(before) || bytes.ContainsFunc(before, func(r rune) bool { return !turkishText(r) }) {
		return 0, 0, false
	}
	return from, to, true
}

// turkishText says whether r is a character a UTF-8 panel's Turkish text
// is written in: ASCII, Turkish's own letters, punctuation (’, –, …) and
// the lira and euro signs. Any other Latin letter is not: a Windows-1254
// capital that is not Turkish's own (Â … É, C2-C9) followed by a symbol
// (80-BF) reads as one in UTF-8, and "Ç–" (C7 96) as "ǖ". Turkish's
// letters in UTF-8 begin with C3, C4 or C5, Windows-1254's "Ã", "Ä" and
// "Å", which a Turkish text does not hold.
func turkishText(r rune) bool {
	return r < 0x80 || strings.ContainsRune("çÇğĞıİöÖşŞüÜâÂîÎûÛ₺€", r) || r >= 0x2010 && r <= 0x2026
}

// clean makes a field safe for a varchar column and a terminal: NUL bytes go
// (PostgreSQL refuses them), and so do bidirectional controls; other control
// characters and every kind of white space become spaces (no escape
// sequences, no multi-line log entries), and the ends are trimmed.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == 0, unicode.Is(unicode.Bidi_Control, r):
			return -1 // a PIN or message read right to left is no one's
		case unicode.IsControl(r), unicode.IsSpace(r):
			return ' ' // a no-break space too: the shop and the checks see one kind
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func truncate(s string, maxRunes int) string {
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	return string([]rune(s)[:maxRunes-1]) + "…"
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isDecimal accepts "12755", "12755.23" and a leading minus, for a dealer
// account in credit; thousands separators and commas are not znet's format.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(s, ".")
	return isDigits(whole) && (!hasDot || isDigits(frac))
}
