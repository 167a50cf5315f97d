package znet

import (
	"bytes"
	"fmt"
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
	// PIN is "" when znet sends it blank (" " or " - "). It is only
	// meaningful when Status is StatusDone; it is passed on as sent otherwise.
	PIN         string
	Description string
}

// ParsePinStatus parses a pin_kontrol answer, "OK|{DURUM}|{PIN}|{AÇIKLAMA}".
//
// It is lenient where that cannot mislead: whitespace, CR/LF and a BOM around
// the body and the fields are ignored, the description may contain '|', and
// "OK|1" or "OK|3" without the trailing fields are accepted because waiting
// and cancelled orders carry no PIN anyway. "OK|2" without a PIN field is
// refused: a done order with no PIN field is not something to deliver on.
//
// Returned fields are trimmed, valid UTF-8 (Windows-1254 is assumed when the
// body is not UTF-8), free of NUL bytes and with other control characters
// turned into spaces. Errors are *Error.
func ParsePinStatus(body []byte) (PinStatus, error) { return parsePinStatus(body, &scrubber{}) }

// parsePinStatus is ParsePinStatus for a client that knows the password: it
// never returns it, in any field or error. A PIN field that holds the
// password is no PIN to deliver, and its answer is refused.
func parsePinStatus(body []byte, password *scrubber) (PinStatus, error) {
	fields, err := splitAnswer(OpCheckPin, body, 4, password)
	if err != nil {
		return PinStatus{}, err
	}
	if len(fields) < 2 {
		return PinStatus{}, unintelligible(OpCheckPin, "znet answered OK without an order status")
	}
	var ps PinStatus
	switch fields[1] {
	case "1":
		ps.Status = StatusWaiting
	case "2":
		ps.Status = StatusDone
	case "3":
		ps.Status = StatusCancelled
	default:
		return PinStatus{}, unintelligible(OpCheckPin, "znet answered an order status other than 1, 2 or 3")
	}
	if len(fields) < 3 && ps.Status == StatusDone {
		return PinStatus{}, unintelligible(OpCheckPin, "znet answered that the order is done but sent no PIN field")
	}
	if len(fields) >= 3 && fields[2] != "-" {
		ps.PIN = fields[2]
	}
	// The body was scrubbed: a PIN field that held the password now holds
	// the mark that replaced it.
	if password.knows() && strings.Contains(ps.PIN, redacted) {
		return PinStatus{}, unintelligible(OpCheckPin, "znet's PIN field repeats the dealer password; the answer is not used")
	}
	if len(fields) == 4 {
		ps.Description = fields[3]
	}
	return ps, nil
}

// ParseBalance parses a bakiye_kontrol answer, "OK|12755.23", and returns the
// balance as znet wrote it, after checking that it is a decimal number.
func ParseBalance(body []byte) (string, error) { return parseBalance(body, &scrubber{}) }

func parseBalance(body []byte, password *scrubber) (string, error) {
	fields, err := splitAnswer(OpBalance, body, 2, password)
	if err != nil {
		return "", err
	}
	if len(fields) < 2 || !isDecimal(fields[1]) {
		return "", unintelligible(OpBalance, "znet answered OK without a balance zwatch can read")
	}
	return fields[1], nil
}

// splitAnswer turns a body into at most n cleaned fields whose first one is
// "OK", or into the *Error the body amounts to. The password is scrubbed
// from the whole text first, before anything is split, cut or echoed, so
// that no field holds it, nor a piece of it.
func splitAnswer(op string, body []byte, n int, password *scrubber) ([]string, error) {
	if len(body) > MaxBodyBytes {
		return nil, unintelligible(op, fmt.Sprintf("znet answered more than %d KiB, which no znet answer is", MaxBodyBytes>>10))
	}
	s := strings.TrimSpace(password.scrub(decode(body)))
	switch {
	case s == "":
		return nil, &Error{Kind: KindUnauthorized, Op: op, Message: "znet answered with an empty body"}
	case isHTMLPage(s):
		return nil, &Error{Kind: KindWrongBaseURL, Op: op, Message: "znet answered with an HTML page"}
	case !isAnswerLine(s):
		// Old PHP panels print warnings and notices before the answer
		// ("<br />\n<b>Deprecated</b>: ... on line 12<br />\nOK|2|..."). The
		// answer is still there, on the last line that looks like one; a
		// panel that warns is not a wrong base URL.
		if line, ok := lastAnswerLine(s); ok {
			s = line
		}
	}
	fields := strings.SplitN(s, "|", n)
	for i, f := range fields {
		fields[i] = clean(f)
	}
	if strings.EqualFold(fields[0], "OK") {
		return fields, nil
	}
	// "3|Açıklama": an error about the request. Not to be confused with
	// "OK|3|...", a cancelled order.
	if code, msg, ok := strings.Cut(s, "|"); ok && isDigits(clean(code)) {
		return nil, &Error{Kind: KindRejected, Op: op, Code: clean(code), Message: truncate(clean(msg), maxMessageRunes)}
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

// isAnswerLine says whether s starts the way every znet answer does: "OK|"
// or a numeric error code and "|".
func isAnswerLine(s string) bool {
	code, _, ok := strings.Cut(s, "|")
	if !ok {
		return false
	}
	code = strings.TrimSpace(code)
	return strings.EqualFold(code, "OK") || isDigits(code)
}

func lastAnswerLine(s string) (string, bool) {
	lines := strings.Split(s, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if line := strings.TrimSpace(lines[i]); isAnswerLine(line) {
			return line, true
		}
	}
	return "", false
}

func unintelligible(op, msg string) *Error {
	return &Error{Kind: KindUnintelligible, Op: op, Message: msg}
}

var utf8BOM = []byte("\xef\xbb\xbf")

// decode returns the body as UTF-8. Old PHP panels send Windows-1254 and
// rarely say so, and a body that is valid UTF-8 is practically never meant
// as Windows-1254 (Turkish letters would form invalid sequences), so the
// bytes themselves decide, for the body as a whole.
func decode(body []byte) string {
	body = bytes.TrimPrefix(body, utf8BOM)
	if utf8.Valid(body) {
		return string(body)
	}
	s, err := charmap.Windows1254.NewDecoder().Bytes(body)
	if err != nil {
		// Not expected from a single-byte charset; still never return invalid UTF-8.
		return strings.ToValidUTF8(string(body), string(utf8.RuneError))
	}
	return string(s)
}

// clean makes a field safe for a varchar column and a terminal: NUL bytes go
// (PostgreSQL refuses them), other control characters become spaces (no
// escape sequences, no multi-line log entries), and the ends are trimmed.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == 0:
			return -1
		case unicode.IsControl(r):
			return ' '
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
