// Package znettest is an in-process fake znet panel. Tests use it, and so
// does zwatch's demo mode, which is why it does not import "testing".
package znettest

import (
	"bytes"
	"fmt"
	"net/http"
	"time"
)

// Answer is one scripted reply of the fake panel.
type Answer struct {
	Status int           // HTTP status; 0 means 200
	Body   []byte        // sent as is
	Delay  time.Duration // waited before answering, or before hanging up

	contentType string
	hangUp      bool
	// rawResponse, when set, is written to the connection as it stands,
	// status line and headers included, instead of an HTTP response.
	rawResponse []byte
	// pinOfEach, when set, is the PIN a DoneEach answer gives, "-" and
	// the referans asked about following it.
	pinOfEach string
}

// answer lets SetDown take an Answer, a *Answer or nil.
func (a Answer) answer() Answer { return a }

// text is how a panel answers: status 200, and PHP's default content type
// with no charset, so clients cannot lean on the header.
func text(body string) Answer {
	return Answer{Status: http.StatusOK, Body: []byte(body)}
}

// Waiting is "OK|1| |desc": the order is being processed.
func Waiting(desc string) Answer { return text("OK|1| |" + desc) }

// Done is "OK|2|pin|desc": the PIN was delivered.
func Done(pin, desc string) Answer { return text("OK|2|" + pin + "|" + desc) }

// DoneEach is Done with a PIN of each order's own, "pin-REFERANS", as a
// panel delivers: for SetDefault, where Done would give every order one
// customer's PIN, which a run holds for a person after the first.
func DoneEach(pin, desc string) Answer {
	a := Done(pin, desc)
	a.pinOfEach = pin
	return a
}

// forReferans is a as it answers about ref.
func (a Answer) forReferans(ref string) Answer {
	if a.pinOfEach == "" {
		return a
	}
	a.Body = bytes.Replace(a.Body, []byte("OK|2|"+a.pinOfEach+"|"), []byte("OK|2|"+a.pinOfEach+"-"+ref+"|"), 1)
	return a
}

// Cancelled is "OK|3| |desc".
func Cancelled(desc string) Answer { return text("OK|3| |" + desc) }

// Rejected is "code|msg": znet refused the request itself.
func Rejected(code, msg string) Answer { return text(code + "|" + msg) }

// Empty is what znet sends to an unknown dealer, a dealer without API access
// or a caller outside the whitelisted IP: 200 and nothing.
func Empty() Answer { return text("") }

// HTMLPage is a web server or CMS page, as a wrong base URL gets.
func HTMLPage(status int) Answer {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	body := "<!DOCTYPE html>\n<html><head><title>" + title + "</title></head>\n<body><h1>" + title + "</h1></body></html>\n"
	return Answer{Status: status, Body: []byte(body), contentType: "text/html; charset=UTF-8"}
}

// ServerError is a 5xx with a short plain text body.
func ServerError(status int) Answer {
	return Answer{Status: status, Body: fmt.Appendf(nil, "%d %s", status, http.StatusText(status))}
}

// Garbage is a 200 with whatever body, e.g. a PHP warning.
func Garbage(body string) Answer { return text(body) }

// Raw is any status and bytes, e.g. Windows-1254 text or "\r\n" endings.
func Raw(status int, body []byte) Answer {
	return Answer{Status: status, Body: bytes.Clone(body)}
}

// HangUp closes the connection without answering.
func HangUp() Answer { return Answer{hangUp: true} }

// RawResponse writes resp to the connection as it stands, status line and
// headers included, and closes it: bytes no net/http server would send,
// such as a header line in Windows-1254, which a PHP panel's own header()
// calls can write.
func RawResponse(resp []byte) Answer { return Answer{rawResponse: bytes.Clone(resp)} }

// After returns a with its delay set to d. The fake stops waiting as soon as
// the client gives up, so a slow answer never outlives its request.
func (a Answer) After(d time.Duration) Answer {
	a.Delay = d
	return a
}
