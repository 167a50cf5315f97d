package znet

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Kind sorts failures by what the caller should do about them. The split
// between integration faults (the whole panel is unusable until an operator
// fixes something) and the rest (this call failed, retry later, or look at
// this one order) is what matters most; see IsIntegrationFault.
type Kind int

// Kinds start at one so that a zero Error is not mistaken for a real kind.
const (
	KindUnauthorized   Kind = iota + 1 // empty body: dealer code, password or whitelisted IP is wrong, or API access is off
	KindWrongBaseURL                   // HTML page, 4xx or any redirect: the base URL points somewhere else
	KindUnreachable                    // connection refused, unknown host, TLS failure
	KindRejected                       // "3|message" without the OK prefix: znet refused this request
	KindTransient                      // timeout, cancellation, broken connection, 5xx: try again later
	KindUnintelligible                 // a body that is no znet answer: a firewall's page, a PHP error
	// KindUnusable is a znet answer about the order that zwatch cannot use:
	// an order status it does not know, a done order whose PIN field is
	// missing, cut short, an echo of the password or corrupt. The panel
	// answered as znet does; the fault is in this answer, not the panel.
	KindUnusable
)

var kindNames = [...]string{
	KindUnauthorized:   "unauthorized",
	KindWrongBaseURL:   "wrong_base_url",
	KindUnreachable:    "unreachable",
	KindRejected:       "rejected",
	KindTransient:      "transient",
	KindUnintelligible: "unintelligible",
	KindUnusable:       "unusable",
}

// String returns a stable snake_case name, fit for logs, metrics and the
// database.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// What an operator should do, appended to every message of that kind.
var kindHints = [...]string{
	KindUnauthorized: "dealer code, password or whitelisted IP is wrong, or API access is not enabled for the dealer",
	KindWrongBaseURL: "the base URL is probably wrong",
	KindUnreachable:  "check the base URL's host name and the network",
	KindTransient:    "try again later",
}

// Error is the only error type CheckPin, Balance and the parsers return for
// a failed call. Nothing in it ever holds the dealer password.
type Error struct {
	Kind    Kind
	Op      string // "pin_kontrol" or "bakiye_kontrol"
	Code    string // znet's code for KindRejected ("3")
	Message string // znet's message (rejected) or a short, password-free description
	Status  int    // HTTP status when known
	Err     error  // underlying cause, already redacted
	// Unsent: the request never reached the panel (no connection, a
	// TLS handshake or a host name lookup that failed or timed out): no
	// order can have caused it.
	Unsent bool
}

// Error reads as one sentence: what happened, then what to do, then the
// underlying cause, e.g. "znet answered with an HTML page (HTTP 200): the
// base URL is probably wrong".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Kind == KindRejected {
		b.WriteString("znet rejected the request: ")
		b.WriteString(e.Code)
		b.WriteByte('|')
		b.WriteString(e.Message)
	} else {
		b.WriteString(e.Message)
		if e.Message == "" {
			b.WriteString("znet call failed")
		}
		// An empty body means the same whatever the status, so it is left out.
		if e.Status != 0 && e.Kind != KindUnauthorized {
			b.WriteString(" (HTTP ")
			b.WriteString(strconv.Itoa(e.Status))
			b.WriteByte(')')
		}
		if e.Kind > 0 && int(e.Kind) < len(kindHints) && kindHints[e.Kind] != "" {
			b.WriteString(": ")
			b.WriteString(kindHints[e.Kind])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf reports the Kind of the first *Error in err's chain.
func KindOf(err error) (Kind, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, true
	}
	return 0, false
}

// IsIntegrationFault reports whether err means the whole panel is unusable
// (bad credentials, wrong base URL, unreachable host) rather than something
// about one call or one order. Polling other orders of the same integration
// is pointless until an operator fixes it.
func IsIntegrationFault(err error) bool {
	k, ok := KindOf(err)
	return ok && (k == KindUnauthorized || k == KindWrongBaseURL || k == KindUnreachable)
}

// NeverReached reports whether err is a request that never reached the
// panel (Error.Unsent): the panel's host, not the order asked about.
func NeverReached(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Unsent
}

// IsPanelTrouble reports whether err says the panel answered, but not with
// a znet answer: a server error (5xx), a request to slow down (408, 429), or
// a page that is none of znet's (a firewall's "Forbidden", a PHP fatal
// error). Each may be about one request only; several in a row, on
// different orders, are a panel that is down or blocking the shop, which a
// caller treats as a fault of the panel, as it does requests that time out.
// So is a request that got no answer at all: a connection the panel reset
// or closed, bytes that are not HTTP, a host name the resolver could not
// look up. A panel that hangs up on every request is down, not answering.
// (A timeout or a cancellation is not counted here: the caller judges it
// by its own clock.) An answer in znet's own format that zwatch cannot use
// (KindUnusable) is no trouble: the panel works, and the answer is about
// its order.
func IsPanelTrouble(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Kind == KindUnintelligible:
		return true
	case e.Kind != KindTransient:
		return false
	case e.Status != 0:
		return true
	}
	var netErr net.Error
	timedOut := errors.Is(e, context.DeadlineExceeded) || errors.As(e, &netErr) && netErr.Timeout()
	return !timedOut && !errors.Is(e, context.Canceled)
}

// redactURL keeps scheme, host and path: enough to tell which panel and which
// endpoint failed, while the query (kod, sifre) and any user info go.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}

// redact returns err with the password removed from every message in its
// chain. net/http's *url.Error is rebuilt without the query string, so its
// cause stays inspectable. Any other error that still mentions the password
// is flattened into text, keeping only the context sentinels that callers
// test with errors.Is.
func redact(err error, password *scrubber) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: password.scrub(redactURL(ue.URL)), Err: redact(ue.Err, password)}
	}
	if !chainLeaks(err, password) {
		return err
	}
	return flattened(err, password.scrub(err.Error()))
}

// flattened is err as the text msg, keeping only what callers test: the
// context sentinels, with errors.Is, and whether it is a network timeout
// (net.Error), which tells a panel that did not answer in time from a
// process that stalled.
func flattened(err error, msg string) error {
	r := &redactedError{msg: msg}
	for _, sentinel := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, sentinel) {
			r.sentinel = sentinel
			break
		}
	}
	var netErr net.Error
	r.timeout = errors.As(err, &netErr) && netErr.Timeout()
	return r
}

// chainLeaks walks err's whole tree, because a wrapper may print less than
// the errors it wraps.
func chainLeaks(err error, password *scrubber) bool {
	if err == nil {
		return false
	}
	if password.finds(err.Error()) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return chainLeaks(u.Unwrap(), password)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if chainLeaks(e, password) {
				return true
			}
		}
	}
	return false
}

type redactedError struct {
	msg      string
	sentinel error
	timeout  bool
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() error   { return e.sentinel }
func (e *redactedError) Timeout() bool   { return e.timeout }
func (e *redactedError) Temporary() bool { return e.timeout } // as net's own errors say it
