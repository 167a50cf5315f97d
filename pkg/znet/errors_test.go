package znet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
)

func TestKindString(t *testing.T) {
	want := map[Kind]string{
		KindUnauthorized:   "unauthorized",
		KindWrongBaseURL:   "wrong_base_url",
		KindUnreachable:    "unreachable",
		KindRejected:       "rejected",
		KindTransient:      "transient",
		KindUnintelligible: "unintelligible",
		KindUnusable:       "unusable",
		0:                  "Kind(0)",
		99:                 "Kind(99)",
	}
	for k, w := range want {
		if got := k.String(); got != w {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, w)
		}
	}
}

func TestKindOfAndIsIntegrationFault(t *testing.T) {
	tests := []struct {
		err   error
		kind  Kind
		ok    bool
		fault bool
	}{
		{&Error{Kind: KindUnauthorized}, KindUnauthorized, true, true},
		{&Error{Kind: KindWrongBaseURL}, KindWrongBaseURL, true, true},
		{&Error{Kind: KindUnreachable}, KindUnreachable, true, true},
		{&Error{Kind: KindRejected}, KindRejected, true, false},
		{&Error{Kind: KindTransient}, KindTransient, true, false},
		{&Error{Kind: KindUnintelligible}, KindUnintelligible, true, false},
		{fmt.Errorf("order 7: %w", &Error{Kind: KindUnreachable}), KindUnreachable, true, true},
		{errors.New("plain"), 0, false, false},
		{nil, 0, false, false},
	}
	for _, tt := range tests {
		k, ok := KindOf(tt.err)
		if k != tt.kind || ok != tt.ok {
			t.Errorf("KindOf(%v) = %v, %v; want %v, %v", tt.err, k, ok, tt.kind, tt.ok)
		}
		if got := IsIntegrationFault(tt.err); got != tt.fault {
			t.Errorf("IsIntegrationFault(%v) = %v, want %v", tt.err, got, tt.fault)
		}
	}
}

func TestIsPanelTrouble(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&Error{Kind: KindTransient, Status: 503}, true},
		{&Error{Kind: KindTransient, Status: 429}, true},
		{fmt.Errorf("order 7: %w", &Error{Kind: KindUnintelligible, Status: 200}), true},
		// Nothing came back in time, or the run was stopped: the caller
		// judges these by its own clock.
		{&Error{Kind: KindTransient, Err: context.DeadlineExceeded}, false},
		{&Error{Kind: KindTransient, Err: fmt.Errorf("read: %w (%w)", io.ErrUnexpectedEOF, context.Canceled)}, false},
		{&Error{Kind: KindTransient, Err: &net.OpError{Op: "read", Err: timeoutErr{}}}, false},
		// Nothing came back at all: the panel hung up, or its host name
		// could not be looked up.
		{&Error{Kind: KindTransient, Err: io.EOF}, true},
		{&Error{Kind: KindTransient, Err: &net.DNSError{Err: "server misbehaving", Name: "bayi.example.com.tr", IsTemporary: true}}, true},
		// znet refused this request, or answered about the order in its
		// own format with nothing zwatch can use: the panel works.
		{&Error{Kind: KindRejected, Status: 200}, false},
		{&Error{Kind: KindUnusable, Status: 200}, false},
		{&Error{Kind: KindUnauthorized, Status: 200}, false},
		{errors.New("plain"), false},
		{nil, false},
	} {
		if got := IsPanelTrouble(tt.err); got != tt.want {
			t.Errorf("IsPanelTrouble(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Kind: KindUnauthorized, Message: "znet answered with an empty body", Status: 200},
			"znet answered with an empty body: dealer code, password or whitelisted IP is wrong, or API access is not enabled for the dealer"},
		{&Error{Kind: KindRejected, Code: "3", Message: "Kayıt bulunamadı", Status: 200},
			"znet rejected the request: 3|Kayıt bulunamadı"},
		{&Error{Kind: KindWrongBaseURL, Message: "znet answered with an HTML page", Status: 200},
			"znet answered with an HTML page (HTTP 200): the base URL is probably wrong"},
		{&Error{Kind: KindTransient, Message: "znet answered with a server error", Status: 503},
			"znet answered with a server error (HTTP 503): try again later"},
		{&Error{Kind: KindTransient, Message: "znet did not answer in time", Err: context.DeadlineExceeded},
			"znet did not answer in time: try again later: context deadline exceeded"},
		{&Error{Kind: KindUnintelligible, Message: "znet answered something that is not a znet answer", Status: 200},
			"znet answered something that is not a znet answer (HTTP 200)"},
		{&Error{}, "znet call failed"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	const pw = "s3cr3t/ş&"
	leaky := "http://bayi.example.com.tr/servis/pin_kontrol.php?kod=D1&sifre=" + url.QueryEscape(pw)

	ue := redact(&url.Error{Op: "Get", URL: leaky, Err: context.DeadlineExceeded}, newScrubber(pw))
	if got, want := ue.Error(), `Get "http://bayi.example.com.tr/servis/pin_kontrol.php": context deadline exceeded`; got != want {
		t.Errorf("url.Error: got %q, want %q", got, want)
	}
	if !errors.Is(ue, context.DeadlineExceeded) {
		t.Error("redacting a url.Error lost its cause")
	}

	wrapped := redact(fmt.Errorf("reading: %w", fmt.Errorf("%s: %w", leaky, context.Canceled)), newScrubber(pw))
	if containsSecret(wrapped.Error(), pw) || !strings.Contains(wrapped.Error(), "sifre="+redacted) {
		t.Errorf("wrapped: got %q", wrapped)
	}
	if !errors.Is(wrapped, context.Canceled) {
		t.Error("flattening lost context.Canceled")
	}

	// A wrapper that hides its cause's text still must not carry it.
	hidden := redact(&quietError{err: errors.New("sifre=" + pw)}, newScrubber(pw))
	for e := error(hidden); e != nil; e = errors.Unwrap(e) {
		if containsSecret(e.Error(), pw) {
			t.Errorf("chain element %q holds the password", e)
		}
	}

	clean := errors.New("connection refused")
	if redact(clean, newScrubber(pw)) != clean {
		t.Error("an error without the password should be kept as is")
	}
	if redact(nil, newScrubber(pw)) != nil {
		t.Error("redact(nil) != nil")
	}
}

type quietError struct{ err error }

func (e *quietError) Error() string { return "something failed" }
func (e *quietError) Unwrap() error { return e.err }

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"http://u:p@h.tr/servis/x.php?kod=1&sifre=2#f": "http://h.tr/servis/x.php",
		"https://h.tr/?":      "https://h.tr/",
		"http://h.tr/%zz?x=1": "(unparsable URL)",
	} {
		if got := redactURL(raw); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
