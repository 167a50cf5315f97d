package watch

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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
	show := min(4, pinChars(pin)/3)
	tail := pin
	if i := strings.LastIndexAny(pin, "- "); i >= 0 {
		tail = pin[i+1:]
	}
	if tail != pin && tail != "" && utf8.RuneCountInString(tail) <= show {
		return "••••-" + tail
	}
	runes := []rune(pin)
	return "••••" + string(runes[len(runes)-show:])
}

// pinChars counts a PIN's letters and digits.
func pinChars(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// HidePIN masks the PIN wherever znet repeated it in a text, such as the
// description of a done order ("PIN: AB12-..."), so that the text can go
// where the PIN must not: the event log, "lastMessage", logs and output.
// Panels repeat a PIN in other shapes than the field's: without its dashes,
// in lower case, or one code of several per line ("AAAA-1111<br>BBBB-2222"
// where the field says "AAAA-1111  BBBB-2222"). Each code of six letters
// and digits or more is found in any case with anything but letters and
// digits, up to four characters, between its own; shorter ones only as
// they are.
func HidePIN(text, pin string) string {
	if pin == "" {
		return text
	}
	text = strings.ReplaceAll(text, pin, MaskPIN(pin))
	codes := strings.Fields(pin)
	if len(codes) > 1 {
		codes = append(codes, pin)
	}
	for _, code := range codes {
		if pattern := loosePIN(code); pattern != nil {
			masked := MaskPIN(code)
			text = pattern.ReplaceAllLiteralString(text, masked)
		}
	}
	return text
}

// A code is looked for in other shapes when it has from minLoosePIN to
// maxLoosePIN letters and digits: fewer would mask ordinary numbers, and
// the pattern is made of the panel's data, which must not make it too
// large to compile or slow to run (a PIN field may hold 64 KiB). Real
// PINs have 8 to 24.
const (
	minLoosePIN = 6
	maxLoosePIN = 64
)

// loosePIN matches code's letters and digits in order, in any case, with up
// to four other characters between each two; nil for a code too short or
// too long.
func loosePIN(code string) *regexp.Regexp {
	var parts []string
	for _, r := range code {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			parts = append(parts, regexp.QuoteMeta(string(r)))
		}
	}
	if len(parts) < minLoosePIN || len(parts) > maxLoosePIN {
		return nil
	}
	pattern, err := regexp.Compile(`(?i)` + strings.Join(parts, `[^\pL\pN]{0,4}`))
	if err != nil {
		return nil // the exact match still masks it
	}
	return pattern
}
