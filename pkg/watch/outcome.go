package watch

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// answer is one order znet was asked about.
type answer struct {
	order  store.Order
	lane   *lane
	status znet.PinStatus
	err    error
	took   time.Duration
	// askedAt is when the request left: the order was waiting then, as far
	// as a waiting answer goes.
	askedAt time.Time
	// claim: when not claimOurs, no request left, since the order's claim
	// is another run's or may be (run.claimOf).
	claim claimState
	// onItsWay: its request counts in run.asking until the applier takes
	// the answer.
	onItsWay bool
}

// heard is znet's answer about order o, its error told without the PIN
// the order holds already (heldPINHidden).
func heard(o store.Order, status znet.PinStatus, err error, start time.Time) answer {
	return answer{order: o, status: status, err: heldPINHidden(err, o.HeldPIN), took: time.Since(start), askedAt: start}
}

// pinsMasked is znet's text about the order with the answer's PINs masked
// (HideAnswerPINs), and the one the order holds already, which
// a panel may quote in a shape no rule of znet's finds (all digits, say)
// when it answers about an order staff delivered by hand (HideHeldPIN).
func (a answer) pinsMasked(text string) string {
	return HideHeldPIN(HideAnswerPINs(text, a.status), a.order.HeldPIN)
}

// pinHiddenError is an error whose text quoted a PIN, told with it masked.
// It unwraps to the error as it was, for its kind.
type pinHiddenError struct {
	err  error
	text string
}

func (e *pinHiddenError) Error() string { return e.text }
func (e *pinHiddenError) Unwrap() error { return e.err }

// heldPINHidden is err with pin masked wherever its text quotes it
// (HideHeldPIN): a refusal ("3|...") or an unusable answer quotes znet's
// own words, which may name the PIN an order holds already. Said so, the
// error may go to last_error, a log line and check's output.
func heldPINHidden(err error, pin string) error {
	if err == nil {
		return err
	}
	if text, hidden := err.Error(), HideHeldPIN(err.Error(), pin); hidden != text {
		return &pinHiddenError{err: err, text: hidden}
	}
	return err
}

// describedPast is how far past what an order keeps of znet's description
// (store.ProviderMessageLen) the PIN is looked for in it, so that a PIN
// quoted across the cut is masked whole before the store cuts it: further
// than the longest PIN the store saves (store.LongestPIN), which lies whole
// within it wherever it begins. Not much further: a panel's 64 KiB of
// description, looked through for each of a PIN's codes, held up the
// goroutine that saves every panel's answers for seconds.
const describedPast = 200

// cutRunes is s cut to at most n characters.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// outcome turns znet's answer into what the store applies.
func (a answer) outcome(sched *Scheduler) store.Outcome {
	now := time.Now()
	o := store.Outcome{
		Order:       a.order,
		NextCheckIn: sched.Next(a.order, a.askedAt, now),
		DecidedAt:   now,
		AskedAt:     a.askedAt,
	}
	if a.err != nil {
		o.Result = store.ResultError
		o.Error = a.err.Error()
		if kind, ok := znet.KindOf(a.err); ok {
			o.ErrorKind = kind.String()
		}
		return o
	}
	words := cutRunes(a.status.Description, store.ProviderMessageLen+describedPast)
	o.Message = a.pinsMasked(words)
	if words != a.status.Description {
		// A code the cut went through is found by nothing, and its piece
		// stays in clear; masks shorter than the codes before it pull it
		// inside what the column keeps. The look past the column, where
		// such a piece lies, is dropped.
		o.Message = cutRunes(o.Message, max(0, utf8.RuneCountInString(o.Message)-describedPast))
	}
	switch a.status.Status {
	case znet.StatusDone:
		o.Result = store.ResultDone
		o.PIN = a.status.PIN
		o.LastMessage = lastMessageDone(o.Message, o.PIN != "")
		if o.PIN == "" && len(a.status.Withheld) > 0 {
			// A top-up's words that name a code: it may be the PIN, which
			// the panel gave there and not in its field, and the shop's
			// row is to keep it, or it is lost; only the shop's row, and
			// never with the PIN the order holds of its own.
			o.ShopMessage = HideHeldPIN(cutRunes(a.status.Description, store.ProviderMessageLen+describedPast), a.order.HeldPIN)
			o.ShopCodes = a.status.Withheld
		}
	case znet.StatusWaiting:
		o.Result = store.ResultWaiting
	case znet.StatusCancelled:
		o.Result = store.ResultCancelled
	default:
		// The parser only returns the three statuses; anything else is a
		// bug, and must not be written as if it were an answer.
		o.Result = store.ResultError
		o.Error = fmt.Sprintf("znet answered with unknown status %d", a.status.Status)
	}
	return o
}

// lastMessageDone is the line staff see on a completed order. It says a PIN
// was saved, never which.
func lastMessageDone(description string, pinSaved bool) string {
	msg := "znet: completed"
	if pinSaved {
		msg += ", PIN saved"
	}
	if description != "" {
		msg += " (" + description + ")"
	}
	return msg
}

// externalStatusFor is the "externalStatus" an answer leads to, for dry runs
// and messages, by the store's one definition.
func externalStatusFor(r store.Result, current string) string {
	if status, _, ok := r.ExternalStatus(); ok {
		return status
	}
	return current
}

// giveUpNote goes into "lastMessage" of an order zwatch stops asking about.
func giveUpNote(after time.Duration) string {
	return fmt.Sprintf(store.ZwatchNotePrefix+"no final answer from znet after %s of polling; stopped asking, check the order on the dealer panel", after)
}
