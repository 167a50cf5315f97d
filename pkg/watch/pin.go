package watch

import (
	"strings"
	"unicode/utf8"
)

// MaskPIN hides a PIN but for its last group, the way a card number is
// shown: "AB12-CD34-EF56-GH78" becomes "••••-GH78". Enough for an operator
// to match it against what the customer reads out, useless to anyone else.
func MaskPIN(pin string) string {
	if pin == "" {
		return ""
	}
	tail := pin
	if i := strings.LastIndexAny(pin, "- "); i >= 0 {
		tail = pin[i+1:]
	}
	if n := utf8.RuneCountInString(tail); n > 4 || tail == pin {
		runes := []rune(pin)
		if len(runes) <= 4 {
			return "••••"
		}
		return "••••" + string(runes[len(runes)-4:])
	}
	return "••••-" + tail
}

// HidePIN masks the PIN wherever znet repeated it in a text, such as the
// description of a done order ("PIN: AB12-..."), so that the text can go
// where the PIN must not: the event log, "lastMessage", logs and output.
func HidePIN(text, pin string) string {
	if pin == "" || !strings.Contains(text, pin) {
		return text
	}
	return strings.ReplaceAll(text, pin, MaskPIN(pin))
}
