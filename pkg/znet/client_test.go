package znet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

const (
	dealer = "D1001"
	// Characters that get escaped in a query, so that leaks of the escaped
	// form are caught as well.
	secret = "s3cr3t/P@ss wörd&x=1"
)

func newFake(t *testing.T) (*znettest.Server, *Client) {
	t.Helper()
	return newFakeOf(t, dealer)
}

// newFakeOf is newFake for a dealer whose code is dealerCode.
func newFakeOf(t *testing.T, dealerCode string) (*znettest.Server, *Client) {
	t.Helper()
	s := znettest.NewServer(dealerCode, secret)
	t.Cleanup(s.Close)
	c, err := NewClient(s.URL, dealerCode, secret, nil)
	if err != nil {
		t.Fatalf("NewClient(%q): %v", s.URL, err)
	}
	return s, c
}

func newTestClient(t *testing.T, baseURL, password string) *Client {
	t.Helper()
	c, err := NewClient(baseURL, dealer, password, nil)
	if err != nil {
		t.Fatalf("NewClient(%q): %v", baseURL, err)
	}
	return c
}

func TestNewClient(t *testing.T) {
	good := []string{"http://bayi.example.com.tr", "https://bayi.example.com.tr/", " http://127.0.0.1:8080/panel/ "}
	for _, u := range good {
		if _, err := NewClient(u, dealer, secret, nil); err != nil {
			t.Errorf("NewClient(%q): %v", u, err)
		}
	}
	bad := []struct{ baseURL, dealer, password, want string }{
		{"", dealer, secret, "base URL is empty"}, // NULL in the shop's row
		{" \t", dealer, secret, "base URL is empty"},
		{"bayi.example.com.tr", dealer, secret, "must start with http:// or https://"},
		{"ftp://bayi.example.com.tr", dealer, secret, "must start with http://"},
		{"http://", dealer, secret, "has no host name"},
		{"http://bayi.example.com.tr/?kod=1", dealer, secret, "must not have a query string"},
		{"http://bayi.example.com.tr/#x", dealer, secret, "must not have a query string or fragment"},
		{"http://" + dealer + ":" + url.QueryEscape(secret) + "@bayi.example.com.tr", dealer, secret, "must not contain a user name or password"},
		{"http://bayi.example.com.tr\x7f" + secret, dealer, secret, "is not a valid URL"},
		{"http://bayi.example.com.tr", " ", secret, "dealer code is empty"},
		{"http://bayi.example.com.tr", dealer, "", "password is empty"},
	}
	for _, tt := range bad {
		c, err := NewClient(tt.baseURL, tt.dealer, tt.password, nil)
		if err == nil || c != nil {
			t.Errorf("NewClient(%q, %q): got a client, want an error", tt.baseURL, tt.dealer)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewClient(%q): error %q, want it to say %q", tt.baseURL, err, tt.want)
		}
		assertNoSecret(t, err, secret)
	}
}

// A password pasted into the base URL whose "#" or "?" splits it leaves
// a part of it before them, which is no whole password to scrub: the
// refusal shows no part of the URL after its host.
func TestABaseURLHoldingAPasswordThatSplitsItShowsNoPartOfIt(t *testing.T) {
	for _, password := range []string{"Xy7#pass-Word2026", "Zq9!sEcReT&x#y", "abcdefgh?ij"} {
		for _, baseURL := range []string{
			"http://bayi.example.com.tr/" + password + "/",
			"http://" + dealer + ":pw@bayi.example.com.tr/" + password,
		} {
			_, err := NewClient(baseURL, dealer, password, nil)
			if err == nil {
				t.Errorf("NewClient(%q): no error", baseURL)
				continue
			}
			cut := password[:strings.IndexAny(password, "#?")]
			if strings.Contains(err.Error(), cut) {
				t.Errorf("NewClient with the password %q in its base URL: %q shows %q", password, err, cut)
			}
		}
	}
}

func TestNewClientUsesItsOwnHTTPClient(t *testing.T) {
	c := newTestClient(t, "http://bayi.example.com.tr", secret)
	if c.http == http.DefaultClient || c.http.Timeout == 0 {
		t.Errorf("nil httpClient gave %+v, want a private client with a timeout", c.http)
	}
	mine := &http.Client{Transport: &http.Transport{}, Timeout: 3 * time.Second}
	c, _ = NewClient("http://bayi.example.com.tr", dealer, secret, mine)
	if got, ok := c.http.Transport.(noLocation); !ok || got.next != mine.Transport || c.http.Timeout != mine.Timeout {
		t.Error("the given httpClient's transport and timeout were not used")
	}
}

func TestCheckPinAnswers(t *testing.T) {
	tests := []struct {
		name   string
		answer znettest.Answer
		want   PinStatus
	}{
		{"done", znettest.Done("AB12-CD34-EF56-GH78", "İşlem tamamlandı"), PinStatus{Status: StatusDone, PIN: "AB12-CD34-EF56-GH78", Description: "İşlem tamamlandı"}},
		{"waiting, blank PIN", znettest.Waiting("Bekliyor"), PinStatus{Status: StatusWaiting, PIN: "", Description: "Bekliyor"}},
		{"waiting, dash PIN", znettest.Raw(200, []byte("OK|1| - |Bekliyor")), PinStatus{Status: StatusWaiting, PIN: "", Description: "Bekliyor"}},
		{"cancelled", znettest.Cancelled("İşlem iptal edildi"), PinStatus{Status: StatusCancelled, PIN: "", Description: "İşlem iptal edildi"}},
		{"windows-1254", znettest.Raw(200, []byte("OK|2|X7Q2|\xdd\xfelem tamamland\xfd")), PinStatus{Status: StatusDone, PIN: "X7Q2", Description: "İşlem tamamlandı"}},
		{"CRLF and stray whitespace", znettest.Raw(200, []byte("\r\n OK|2| AB12 |İşlem tamamlandı \r\n")), PinStatus{Status: StatusDone, PIN: "AB12", Description: "İşlem tamamlandı"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newFake(t)
			s.Script("1001", tt.answer)
			got, err := c.CheckPin(context.Background(), "1001")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if n := s.Requests("1001"); n != 1 {
				t.Errorf("the fake saw %d requests for the referans, want 1 (credentials and referans sent right)", n)
			}
		})
	}
}

// A panel that prints the request's own values where its row is missing
// hands back the referans or the dealer code in the PIN field: saved, it
// would be the customer's PIN (a hostile-panel adversary's find).
func TestAPINThatIsTheRequestsOwnValueIsRefused(t *testing.T) {
	for _, pin := range []string{"1001", "10-01", dealer, strings.ToUpper(dealer), dealer + " 1234", dealer + ":1001", "kod=" + dealer + " id=1001",
		"AB12-CD34-EF56-GH78 1001", "1001 AB12-CD34-EF56-GH78"} {
		s, c := newFake(t)
		s.Script("1001", znettest.Done(pin, "tamam"))
		got, err := c.CheckPin(context.Background(), "1001")
		var zerr *Error
		if !errors.As(err, &zerr) || zerr.Kind != KindUnusable || !strings.Contains(err.Error(), "the request's own values") {
			t.Errorf("PIN field %q: got %+v, %v; want it refused as the request's own values", pin, got, err)
		}
	}
	s, c := newFake(t)
	s.Script("1001", znettest.Done("AB12-1001-CD34", "tamam"))
	if got, err := c.CheckPin(context.Background(), "1001"); err != nil || got.PIN != "AB12-1001-CD34" {
		t.Errorf("a PIN holding the referans's digits as one group: got %+v, %v; want it saved", got, err)
	}
	// The referans as long as the code's groups is one of them by chance;
	// one under four digits may be a product's amount.
	for ref, pin := range map[string]string{"1001": "1001 2345 6789 0123", "60": "60 UC ABCD-1234-EFGH"} {
		s.Script(ref, znettest.Done(pin, "tamam"))
		if got, err := c.CheckPin(context.Background(), ref); err != nil || got.PIN != pin {
			t.Errorf("referans %s, PIN field %q: got %+v, %v; want it saved", ref, pin, got, err)
		}
	}
	s.Script("04300", znettest.Done("AB12-CD34-EF56 4300", "tamam"))
	if got, err := c.CheckPin(context.Background(), "04300"); err == nil {
		t.Errorf("referans 04300 after the code as 4300: got %+v; want it refused as the request's own values", got)
	}
	// A dealer code of digits alone is a PIN's group by chance.
	numeric, c := newFakeOf(t, "4821")
	numeric.Script("1001", znettest.Done("4821 5678 9012 3456", "tamam"))
	if got, err := c.CheckPin(context.Background(), "1001"); err != nil || got.PIN != "4821 5678 9012 3456" {
		t.Errorf("a PIN with the numeric dealer code as a group: got %+v, %v; want it saved", got, err)
	}
	numeric.Script("1002", znettest.Done("4821 1002", "tamam"))
	if got, err := c.CheckPin(context.Background(), "1002"); err == nil {
		t.Errorf("the numeric dealer code and the referans: got %+v; want it refused as the request's own values", got)
	}
	// A dealer code that is a word labels the code after it.
	word, c := newFakeOf(t, "EPIN")
	word.Script("1001", znettest.Done("EPIN AB12-CD34-EF56", "tamam"))
	if got, err := c.CheckPin(context.Background(), "1001"); err != nil || got.PIN != "EPIN AB12-CD34-EF56" {
		t.Errorf("a PIN behind a dealer code that is a word: got %+v, %v; want it saved", got, err)
	}
}

// A short password is a PIN's group by chance, and stays in it; but a
// field whose every word is the request's, the password among them, is
// the request printed back, and the customer would be given the
// dealer's password (helper-352).
func TestAPINFieldOfTheRequestWithItsPasswordIsRefused(t *testing.T) {
	for _, tc := range []struct{ kod, password, referans, pin string }{
		{"4471", "5678", "1001", "4471 5678 1001"},
		{"4471", "5678", "1001", "4471-5678-1001"},
		{"4471", "5678", "1001", "4471_5678"},
		{"4471", "5678", "1001", "4471 5678"},
		{"4471", "5678", "1001", "5678 1001"},
		{"bayi", "90210", "1733829183", "bayi 1733829183 90210"},
		{"4471", "12345678", "1733829183", "kod 4471 sifre 12345678 id 1733829183"},
		// With other words around (helper-356).
		{"4471", "5678", "1001", "HATA 4471 5678 1001"},
		{"4471", "5678", "1001", "4471 5678 1001 bulunamadi"},
		{"4471", "5678", "1001", "4471 5678 1001 14:32:05"},
		{"4471", "5678", "1001", "sorgu: 4471 5678 1001"},
		{"bayi", "90210", "1733829183", "bayi 90210 yok"},
		// Short values, and a password with punctuation (helper-359).
		{"4471", "Xy9", "1001", "HATA 4471 Xy9 1001"},
		{"bayi", "Xy9", "1001", "bayi Xy9 yok"},
		{"42", "5678", "1001", "HATA 42 5678"},
		{"4471", "ab-12", "1001", "HATA 4471 ab-12 1001"},
		// As a panel reads the request: upper-cased in a Turkish locale
		// (PHP's strtoupper makes i an İ), the referans as the number it
		// looked up (helper-362).
		{"bayi7", "3829", "1001", "BAYİ7 3829"},
		{"bayi7", "3829", "1001", "HATA BAYİ7 3829"},
		{"bayi7", "XK42", "1001", "BAYİ7 XK42"},
		{"bayi1234", "Gizli-99", "1001", "BAYİ1234"},
		{"bayi7", "3829", "04300", "4300 3829"},
		{"bayi7", "3829", "04300", "3829 4300"},
		{"bayi7", "3829", "04300", "HATA 4300 3829"},
		{"bayi7", "3829", "1733829183-2", "1733829183 3829"},
		{"bayi7", "Gizli-99", "04300", "4300"},
		{"bayi7", "Gizli-99", "1733829183-2", "1733829183"},
		// The number cut of its suffix among words, and the dealer code
		// with a label's marks (helper-366).
		{"bayi7", "3829", "1001-2", "HATA 1001 3829"},
		{"bayi7", "3829", "1001-2", "1001 3829 HATA"},
		{"bayi7", "3829", "12345-2", "HATA 12345 3829"},
		{"bayi7", "Gizli-99", "1001-2", "4TZR-9QXM-8HJD 1001"},
		{"bayi-7", "Gizli-99", "1001", "BAYİ-7: 4TZR-9QXM-8HJD-K2P9"},
		{"bayi-7", "Gizli-99", "1001", "(bayi-7) 4TZR-9QXM-8HJD-K2P9"},
		{"bayi-7", "Gizli-99", "1001", "bayi-7, 4TZR-9QXM-8HJD-K2P9"},
		// ... also among numbers (helper-367); and so, as with the referans
		// as sent, a PIN with both as groups side by side by chance.
		{"bayi7", "Gizli-99", "1733829183-2", "1207 1733829183 Gizli-99 2026"},
		{"bayi7", "Gizli-99", "1733829183-2", "20261207 1733829183 Gizli-99 143205"},
		{"bayi7", "Gizli-99", "04300", "4300 Gizli-99 5678 9012"},
		{"bayi7", "3829", "04300", "4300 3829 20261207 143205"},
		{"bayi7", "3829", "1001-2", "4471 5678 1001 3829"},
		{"bayi7", "3829", "1001-2", "1001 3829 5678 9012"},
		{"bayi7", "3829", "0012", "12 3829 5678 9012"},
		// The referans as sent with its suffix, a dealer code with a dash,
		// the password glued on, a word of one character between
		// (helper-368).
		{"bayi7", "Gizli-99", "1733829183-2", "1207 1733829183-2 Gizli-99 2026"},
		{"bayi7", "3829", "1733829183-2", "HATA 1733829183-2 3829"},
		{"bayi7", "3829", "1001-2", "1001-2 3829 14 32 05"},
		{"bayi7", "3829", "1001-2", "20261207 1001-2 3829"},
		{"4471-5", "3829", "1001", "4471-5 3829 20261207"},
		{"bayi7", "3829", "1001", "10013829"},
		{"bayi7", "3829", "1733829183", "17338291833829"},
		{"bayi7", "Gizli-99", "1001", "1001Gizli-99"},
		{"bayi7", "Gizli-99", "1001", "bayi7Gizli-99"},
		{"bayi7", "3829", "1001", "HATA 1001 x 3829"},
		// A password of many words, its marks printed as spaces
		// (helper-370).
		{"bayi7", "Q!w@e#r$t%y^u&i", "1001", "HATA 1001 Q w e r t y u i x"},
		{"bayi7", "Q!w@e#r$t%y^u&i", "1001", "HATA q-w-e-r-t-y-u-i 1001 x"},
		{"bayi7", "my cat is called tom and he is 7", "1001", "HATA 1001 my_cat_is_called_tom_and_he_is_7 zz"},
		{"bayi7", "1.2.3.4.5.6.7.8", "1001", "HATA 1001 1 2 3 4 5 6 7 8 ok"},
	} {
		got, err := checkPinOfPanel(t, tc.kod, tc.password, tc.referans, tc.pin)
		var zerr *Error
		if !errors.As(err, &zerr) || zerr.Kind != KindUnusable || got.PIN != "" {
			t.Errorf("kod %s, password %s, referans %s, PIN field %q: got %+v, %v; want it refused as the request's own values",
				tc.kod, tc.password, tc.referans, tc.pin, got, err)
		}
	}
	s := znettest.NewServer("4471", "5678")
	t.Cleanup(s.Close)
	c, err := NewClient(s.URL, "4471", "5678", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Script("1001", znettest.Done("4821 5678 9012 3456", "tamam"))
	if got, err := c.CheckPin(context.Background(), "1001"); err != nil || got.PIN != "4821 5678 9012 3456" {
		t.Errorf("a PIN holding the short password as a group: got %+v, %v; want it saved", got, err)
	}
	// A dealer code that is its own password, a group of a PIN: one word,
	// not the request's two (helper-358).
	same := znettest.NewServer("4471", "4471")
	t.Cleanup(same.Close)
	c, err = NewClient(same.URL, "4471", "4471", nil)
	if err != nil {
		t.Fatal(err)
	}
	same.Script("5301", znettest.Done("1234-4471-5678-9012", "tamam"))
	if got, err := c.CheckPin(context.Background(), "5301"); err != nil || got.PIN != "1234-4471-5678-9012" {
		t.Errorf("a PIN holding the dealer code, which is its password too, as a group: got %+v, %v; want it saved", got, err)
	}
}

// Real PINs with a group that is one of the request's values by chance go
// through: the referans as sent, as read, cut of its suffix (1001 of
// "1001-2"), not beside the password, or the dealer code without its
// marks (X7K2 of "x7-k2"; helper-365), or letters a Turkish locale writes
// otherwise.
func TestAPINWithAGroupLikeTheRequestsIsDelivered(t *testing.T) {
	for _, tc := range []struct{ kod, password, referans, pin string }{
		{"bayi7", "3829", "04300", "4300-1234-5678-9012"},
		{"bayi7", "3829", "1001", "İSTANBUL-7K2P-9QXM"},
		{"bayi7", "Gizli-99", "1733829183-2", "1733 8291 8300 1234"},
		{"bayi7", "3829", "1001-2", "1001 5678 3829 9012"},
		{"x7-k2", "Gizli-99", "1001", "9QXM 4TZR X7K2 8HJD"},
		{"ab.cd", "Gizli-99", "1001", "ABCD EFGH 1234 5678"},
		{"k-7", "Gizli-99", "1001", "K7 4TZR 9QXM 8HJD"},
		{"bayi-7", "Gizli-99", "1001", "BAYI7 K2P9 QXM4 AB12"},
		// A short value and the password meeting across a PIN's groups
		// (helper-369).
		{"4471", "5678", "12", "3630 8309 6312 5678"},
		{"bayi7", "3829", "12", "6214-2122-3829-6745"},
		{"4471", "4471", "12", "1663 1985 1012 4471"},
		{"4471", "91", "1733829183", "6244 7199 1483 1449"},
		{"bayi7", "123", "12", "8131 2312 2985 9694"},
		// ... or split inside a group (helper-370).
		{"1234", "1234", "12", "134-666-123-412-527"},
		{"bayi7", "3456", "12", "ABC-123-456-XYZ-Q7R"},
		{"bayi7", "45678", "123", "9012 1234 5678 3456"},
	} {
		if got, err := checkPinOfPanel(t, tc.kod, tc.password, tc.referans, tc.pin); err != nil || got.PIN != tc.pin {
			t.Errorf("dealer code %q, referans %q, PIN field %q: got %q, %v; want the PIN", tc.kod, tc.referans, tc.pin, got.PIN, err)
		}
	}
}

// checkPinOfPanel asks a fake panel of dealer code kod and password about
// referans, which it answers done with pin.
func checkPinOfPanel(t *testing.T, kod, password, referans, pin string) (PinStatus, error) {
	t.Helper()
	s := znettest.NewServer(kod, password)
	t.Cleanup(s.Close)
	c, err := NewClient(s.URL, kod, password, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Script(referans, znettest.Done(pin, "tamam"))
	return c.CheckPin(context.Background(), referans)
}

func TestCheckPinFaults(t *testing.T) {
	tests := []struct {
		name    string
		answer  znettest.Answer
		kind    Kind
		status  int
		message string // in Error()
	}{
		{"rejected", znettest.Rejected("3", "Kayıt bulunamadı"), KindRejected, 200, "znet rejected the request: 3|Kayıt bulunamadı"},
		{"empty body", znettest.Empty(), KindUnauthorized, 200, "empty body"},
		{"HTML with 200", znettest.HTMLPage(200), KindWrongBaseURL, 200, "HTML page (HTTP 200): the base URL is probably wrong"},
		{"HTML with 404", znettest.HTMLPage(404), KindWrongBaseURL, 404, "(HTTP 404): the base URL is probably wrong"},
		{"403", znettest.Raw(403, []byte("Forbidden")), KindWrongBaseURL, 403, "(HTTP 403)"},
		{"500", znettest.ServerError(500), KindTransient, 500, "server error (HTTP 500): try again later"},
		{"503 HTML", znettest.HTMLPage(503), KindTransient, 503, "try again later"},
		{"429", znettest.Raw(429, []byte("slow down")), KindTransient, 429, "slow down"},
		{"garbage", znettest.Garbage("Warning: mysql_connect(): Too many connections"), KindUnintelligible, 200, "not a znet answer"},
		{"over-long", znettest.Raw(200, []byte("OK|1| |"+strings.Repeat("a", 2*MaxBodyBytes))), KindUnintelligible, 200, "more than 64 KiB"},
		{"unknown status", znettest.Raw(200, []byte("OK|7| |x")), KindUnusable, 200, "other than 1, 2 or 3"},
		{"hang-up", znettest.HangUp(), KindTransient, 0, "connection to znet broke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newFake(t)
			s.Script("1001", tt.answer)
			ps, err := c.CheckPin(context.Background(), "1001")
			e := asError(t, err)
			if e.Kind != tt.kind || e.Status != tt.status || e.Op != OpCheckPin {
				t.Errorf("got kind %v status %d op %q, want %v %d %q (%v)", e.Kind, e.Status, e.Op, tt.kind, tt.status, OpCheckPin, err)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("Error() = %q, want it to contain %q", err, tt.message)
			}
			if !reflect.DeepEqual(ps, PinStatus{}) {
				t.Errorf("got %+v with an error", ps)
			}
		})
	}
}

// A panel that reads a request on a kept-alive connection and hangs up is
// not asked again behind zwatch's back: Go's transport would repeat the GET
// on a new connection, a request the panel's budget never counted. The
// order's request fails instead, and the request on the wire is a plain GET
// all the same.
func TestAPanelThatHangsUpOnAKeptAliveConnectionIsNotAskedAgain(t *testing.T) {
	s, c := newFake(t)
	s.Script("1000", znettest.Waiting(""))
	if _, err := c.CheckPin(context.Background(), "1000"); err != nil {
		t.Fatal(err)
	}
	s.Script("1001", znettest.HangUp(), znettest.Waiting(""))
	_, err := c.CheckPin(context.Background(), "1001")
	if e := asError(t, err); e.Kind != KindTransient {
		t.Errorf("got %v, want a transient error", err)
	}
	if n := s.Requests("1001"); n != 1 {
		t.Errorf("the panel was asked %d times about the order that hung up, want 1", n)
	}

	var got *http.Request
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		fmt.Fprint(w, "OK|1| |")
	}))
	defer plain.Close()
	if _, err := newTestClient(t, plain.URL, secret).CheckPin(context.Background(), "1"); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodGet || got.ContentLength != 0 || len(got.TransferEncoding) != 0 || got.Header.Get("Content-Length") != "" {
		t.Errorf("the panel got %s with length %d, transfer encoding %q, Content-Length %q; want a GET without a body",
			got.Method, got.ContentLength, got.TransferEncoding, got.Header.Get("Content-Length"))
	}
}

func TestCheckPinEmptyReferans(t *testing.T) {
	s, c := newFake(t)
	if _, err := c.CheckPin(context.Background(), "  "); err == nil {
		t.Error("want an error for an empty referans")
	}
	if n := s.TotalRequests(); n != 0 {
		t.Errorf("sent %d requests for an empty referans", n)
	}
}

// A referans a PHP panel reads as no number ("abc", "N/A", "\u00a04300",
// Arabic-Indic digits) is znet order 0 for every one of them: znet's one
// answer, one PIN, went to each such order (an operator adversary's find).
// So is one PHP reads as the number 0 ("000", "-0", "0x1F") or below
// ("-7"), which no order sent to znet has: "-0" escaped the guard against
// two orders sharing a referans too, and took order 0's PIN (an operator
// adversary's find). It is not asked about; "+4300" and "\v4300" are
// numbers to PHP.
func TestAReferansPHPReadsAsNoNumberIsNotAsked(t *testing.T) {
	s, c := newFake(t)
	for _, ref := range []string{"abc", "N/A", "\u00a04300", "\u0661\u0662\u0663", "+", "-x1",
		"0", "000", "+0", "-0", " -00 ", "0x1F", "00abc", "0.5", "0-4300", "-7", "-04300", "\t-1"} {
		_, err := c.CheckPin(context.Background(), ref)
		if err == nil || !strings.Contains(err.Error(), "order 0") {
			t.Errorf("referans %q: %v; want it refused as znet's order 0", ref, err)
		}
	}
	if n := s.TotalRequests(); n != 0 {
		t.Errorf("sent %d requests for referanses that are no number", n)
	}
	for _, ref := range []string{"+4300", "\v4300", "04300", "4300-2", "10", "100", "+07"} {
		if _, err := c.CheckPin(context.Background(), ref); err != nil && strings.Contains(err.Error(), "order 0") {
			t.Errorf("referans %q refused: %v", ref, err)
		}
	}
}

func TestWrongCredentialsAreUnauthorized(t *testing.T) {
	s, _ := newFake(t)
	s.Script("1001", znettest.Done("P7Q2", "x"))
	c := newTestClient(t, s.URL, "wrong")
	_, err := c.CheckPin(context.Background(), "1001")
	if k, _ := KindOf(err); k != KindUnauthorized || !IsIntegrationFault(err) {
		t.Errorf("got %v, want an unauthorized integration fault", err)
	}
}

func TestWrongBasePathIs404(t *testing.T) {
	s, _ := newFake(t)
	c := newTestClient(t, s.URL+"/eski-panel/", secret)
	_, err := c.CheckPin(context.Background(), "1001")
	e := asError(t, err)
	if e.Kind != KindWrongBaseURL || e.Status != 404 {
		t.Errorf("got %v, want a wrong base URL with status 404", err)
	}
}

func TestTimeoutAndCancellation(t *testing.T) {
	s, c := newFake(t)
	s.SetDefault(znettest.Done("P7Q2", "late").After(time.Minute))
	s.SetBalanceAnswer(znettest.Raw(200, []byte("OK|1.00")).After(time.Minute))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// The panel answers after a minute: only a call that honours the
	// deadline comes back with DeadlineExceeded rather than the answer.
	_, err := c.CheckPin(ctx, "1001")
	if k, _ := KindOf(err); k != KindTransient || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: got %v, want transient wrapping context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("deadline: Error() = %q", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = c.Balance(ctx)
	if k, _ := KindOf(err); k != KindTransient || !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: got %v, want transient wrapping context.Canceled", err)
	}
}

// A deadline that passes while the body is being read is still reported as
// the caller's deadline.
func TestDeadlineWhileReadingTheBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("OK|1| "))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, secret)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CheckPin(ctx, "1001")
	if k, _ := KindOf(err); k != KindTransient || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want transient wrapping context.DeadlineExceeded", err)
	}
}

func TestUnreachable(t *testing.T) {
	tlsSrv := untrustedTLSServer(t)
	tests := map[string]string{
		"connection refused": "http://" + closedPort(t),
		"unknown host":       "http://bayi.zwatch-test.invalid",
		"untrusted TLS":      tlsSrv.URL,
	}
	for name, base := range tests {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, base, secret)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := c.CheckPin(ctx, "1001")
			if k, _ := KindOf(err); k != KindUnreachable || !IsIntegrationFault(err) {
				t.Fatalf("got %v, want an unreachable integration fault", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "cannot connect to the znet panel") || !strings.Contains(msg, "/servis/pin_kontrol.php") {
				t.Errorf("Error() = %q, want the sentence and the endpoint", msg)
			}
			if strings.Contains(msg, "sifre") || strings.Contains(msg, "kod=") {
				t.Errorf("Error() = %q still has the query string", msg)
			}
		})
	}
}

func TestHTTPSAgainstPlainHTTP(t *testing.T) {
	s, _ := newFake(t)
	c := newTestClient(t, strings.Replace(s.URL, "http://", "https://", 1), secret)
	_, err := c.Balance(context.Background())
	if k, _ := KindOf(err); k != KindWrongBaseURL {
		t.Errorf("got %v, want a wrong base URL", err)
	}
}

func TestRedirectLoop(t *testing.T) {
	srv := httptest.NewServer(echoRedirect())
	defer srv.Close()
	c := newTestClient(t, srv.URL, secret)
	_, err := c.Balance(context.Background())
	if k, _ := KindOf(err); k != KindWrongBaseURL {
		t.Errorf("got %v, want a wrong base URL", err)
	}
}

// A redirect would carry the password in the query string to whatever host
// the panel names. The client follows none, even with an http.Client of the
// caller's that would, and reads the redirect as a wrong base URL.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, "OK|2|X|y")
	}))
	defer other.Close()
	panel := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusMovedPermanently)
	}))
	defer panel.Close()

	for name, hc := range map[string]*http.Client{"default client": nil, "caller's client": http.DefaultClient} {
		c, err := NewClient(panel.URL, "bayi", secret, hc)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CheckPin(context.Background(), "123")
		if k, _ := KindOf(err); k != KindWrongBaseURL || !strings.Contains(err.Error(), "redirected") {
			t.Errorf("%s: got %v, want a wrong base URL that says it redirected", name, err)
		}
		assertNoSecret(t, err, secret)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, with the password in them", n)
	}
	if http.DefaultClient.CheckRedirect != nil {
		t.Error("NewClient changed the caller's http.Client")
	}
}

// echoRedirect sends every request back to itself, query string included,
// which puts the password into the redirect target too.
func echoRedirect() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.String(), http.StatusFound)
	})
}

func TestBalance(t *testing.T) {
	s, c := newFake(t)
	got, err := c.Balance(context.Background())
	if err != nil || got != "12755.23" {
		t.Errorf("Balance() = %q, %v; want 12755.23", got, err)
	}
	s.SetDown(znettest.Empty())
	_, err = c.Balance(context.Background())
	if e := asError(t, err); e.Kind != KindUnauthorized || e.Op != OpBalance {
		t.Errorf("IP not whitelisted: got %v (op %q), want unauthorized", err, e.Op)
	}
}

// TestErrorsNeverHoldThePassword drives every Kind through the real HTTP
// client, with a panel that echoes the password wherever it can, and checks
// every way an error can be printed or unwrapped.
func TestErrorsNeverHoldThePassword(t *testing.T) {
	tlsSrv := untrustedTLSServer(t)
	loop := httptest.NewServer(echoRedirect())
	defer loop.Close()
	echo := "sifre=" + secret + " " + url.QueryEscape(secret) + " " + url.PathEscape(secret)

	tests := []struct {
		name   string
		answer znettest.Answer
		base   string // instead of the fake
		ctx    time.Duration
		kind   Kind
	}{
		{name: "empty body", answer: znettest.Empty(), kind: KindUnauthorized},
		{name: "HTML echoing the password", answer: znettest.Raw(200, []byte("<html>"+echo)), kind: KindWrongBaseURL},
		{name: "404", answer: znettest.Raw(404, []byte(echo)), kind: KindWrongBaseURL},
		{name: "redirect loop", base: loop.URL, kind: KindWrongBaseURL},
		{name: "connection refused", base: "http://" + closedPort(t), kind: KindUnreachable},
		{name: "unknown host", base: "http://bayi.zwatch-test.invalid", kind: KindUnreachable},
		{name: "untrusted TLS", base: tlsSrv.URL, kind: KindUnreachable},
		{name: "rejection echoing the password", answer: znettest.Rejected("3", "hatalı "+echo), kind: KindRejected},
		{name: "timeout", answer: znettest.Waiting("x").After(time.Minute), ctx: 100 * time.Millisecond, kind: KindTransient},
		{name: "hang-up", answer: znettest.HangUp(), kind: KindTransient},
		{name: "500 echoing the password", answer: znettest.Raw(500, []byte(echo)), kind: KindTransient},
		{name: "garbage echoing the password", answer: znettest.Garbage(echo), kind: KindUnintelligible},
		{name: "a PIN field echoing the password", answer: znettest.Done(echo, "tamam"), kind: KindUnusable},
	}
	seen := map[Kind]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newFake(t)
			s.Script("1001", tt.answer)
			if tt.base != "" {
				c = newTestClient(t, tt.base, secret)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if tt.ctx != 0 {
				ctx, cancel = context.WithTimeout(context.Background(), tt.ctx)
			}
			defer cancel()
			_, err := c.CheckPin(ctx, "1001")
			if k, _ := KindOf(err); k != tt.kind {
				t.Fatalf("got %v, want kind %v", err, tt.kind)
			}
			seen[tt.kind] = true
			assertNoSecret(t, err, secret)
		})
	}
	for k := KindUnauthorized; k <= KindUnusable; k++ {
		if !seen[k] {
			t.Errorf("kind %v was not checked", k)
		}
	}
}

// assertNoSecret checks err and every error below it, however printed.
func assertNoSecret(t *testing.T, err error, password string) {
	t.Helper()
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		for _, s := range []string{e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%+v", reflectFields(e))} {
			if containsSecret(s, password) {
				t.Errorf("%T leaks the password: %s", e, s)
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		}
	}
	walk(err)
}

// reflectFields dereferences an error pointer, so that %+v shows its string
// fields (such as url.Error.URL) rather than an address.
func reflectFields(e error) any {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return v.Elem().Interface()
	}
	return e
}

// untrustedTLSServer has a certificate the client does not trust.
func untrustedTLSServer(t *testing.T) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestTransportErrorKinds covers failures that are hard to provoke for real.
func TestTransportErrorKinds(t *testing.T) {
	get := func(err error) error {
		return &url.Error{Op: "Get", URL: "http://h.tr/servis/x.php?sifre=" + secret, Err: err}
	}
	tests := []struct {
		name string
		err  error
		kind Kind
		// trouble: a request that got no answer (IsPanelTrouble), where
		// the panel or the way to it is down; a timeout the caller judges
		// by its own clock, and an integration fault is one already.
		trouble bool
	}{
		{"host not found", get(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "h.tr", IsNotFound: true}}), KindUnreachable, false},
		{"resolver timeout", get(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "i/o timeout", Name: "h.tr", IsTimeout: true}}), KindTransient, false},
		{"resolver failure", get(&net.DNSError{Err: "server misbehaving", Name: "h.tr", IsTemporary: true}), KindTransient, true},
		{"refused", get(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), KindUnreachable, false},
		{"dial timeout", get(&net.OpError{Op: "dial", Err: timeoutErr{}}), KindTransient, false},
		{"reset while reading", get(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), KindTransient, true},
		{"client timeout", get(timeoutErr{}), KindTransient, false},
		{"bad certificate", get(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), KindUnreachable, false},
		{"TLS alert", get(tls.AlertError(40)), KindUnreachable, false},
		{"https to http", get(http.ErrSchemeMismatch), KindWrongBaseURL, false},
		{"unexpected EOF", io.ErrUnexpectedEOF, KindTransient, true},
	}
	c := newTestClient(t, "http://h.tr", secret)
	for _, tt := range tests {
		e := c.transportError(context.Background(), OpCheckPin, 0, tt.err, true)
		if e.Kind != tt.kind {
			t.Errorf("%s: got %v (%v), want %v", tt.name, e.Kind, e, tt.kind)
		}
		if IsPanelTrouble(e) != tt.trouble {
			t.Errorf("%s: IsPanelTrouble = %v, want %v", tt.name, !tt.trouble, tt.trouble)
		}
		assertNoSecret(t, e, secret)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// An operator may paste the password into the base URL's path as well as
// give the URL a user name, a query or a fragment it must not have: the
// error that refuses the URL shows its scheme and host only, not the path
// the password is in, in any form.
func TestNewClientRefusalHidesAPasswordInThePath(t *testing.T) {
	const pw = "pâss1234"
	for _, base := range []string{
		"http://u@bayi.example.com.tr/pâss1234/",
		"http://u:x@bayi.example.com.tr/p%C3%A2ss1234/",
		"http://bayi.example.com.tr/pâss1234/?kod=1",
		"http://bayi.example.com.tr/sifre=pâss1234#x",
		"http://bayi.example.com.tr/pâss1234?",
	} {
		_, err := NewClient(base, dealer, pw, nil)
		if err == nil {
			t.Errorf("NewClient(%q): got a client, want an error", base)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, pw) || strings.Contains(strings.ToLower(msg), "p%c3%a2ss1234") || !strings.Contains(msg, "bayi.example.com.tr") {
			t.Errorf("NewClient(%q): error %q shows the password", base, msg)
		}
		assertNoSecret(t, err, pw)
	}
}

// A base URL refused for any reason showed all of itself but the whole
// password, scrubbed: a piece of the password pasted into it, cut from
// the rest by a control character, a '#', a '?', a '/' or a space, was
// printed where the URL was no valid one, had no scheme or no host. Only
// a plain host name is quoted now, and where there is none, nothing.
func TestEveryBaseURLRefusalHidesWhatFollowsTheHost(t *testing.T) {
	for _, tt := range []struct{ base, password, piece, shown string }{
		{"http://127.0.0.1/\x01Gizli-Sifre", "Gizli-Sifre#2026", "Gizli-Sifre", `"http://127.0.0.1/..."`},
		{"http://127.0.0.1\x01Gizli-Sifre", "Gizli-Sifre#2026", "Gizli-Sifre", "not quoted"},
		{"http://127.0.0.1/%zzGizli-Sifre", "Gizli-Sifre#2026", "Gizli-Sifre", `"http://127.0.0.1/..."`},
		{"bayi.example.com.tr/Gizli-Sifre", "Gizli-Sifre#2026", "Gizli-Sifre", `"bayi.example.com.tr/..."`},
		{"ftp://bayi.example.com.tr/Gizli-Sifre", "Gizli-Sifre#2026", "Gizli-Sifre", `"ftp://bayi.example.com.tr/..."`},
		{"http:///Gizli-Sifre", "Gizli-Sifre#2026", "Gizli-Sifre", "not quoted"},
		{"http://Gizli-Sifre@bayi.example.com.tr", "Gizli-Sifre#2026", "Gizli-Sifre", `"http://...@bayi.example.com.tr"`},
		// A review's (the password split by what ends a URL's parts,
		// where it stands in the user's place, or pasted as the URL).
		{"https://bayi:Gizli#12@panel.example.com/api", "Gizli#12", "Gizli", `"https://...@panel.example.com/..."`},
		{"https://bayi:Gizli/12@panel.example.com/api", "Gizli/12", "Gizli", "not quoted"},
		{"https://bayi:Gizli 12@panel.example.com/api", "Gizli 12", "Gizli", `"https://...@panel.example.com/..."`},
		{"https://Gizli?12@panel.example.com", "Gizli?12", "Gizli", `"https://...@panel.example.com"`},
		{"https://panel.example.com:Gizli#12", "Gizli#12", "Gizli", "not quoted"},
		{"https://[::1]:Gizli#12/", "Gizli#12", "Gizli", "not quoted"},
		{"P@ssw0rd!", "P@ssw0rd!", "ssw0rd", "not quoted"},
		{"Gizli 123", "Gizli 123", "Gizli", "not quoted"},
		{"Gizli/2024", "Gizli/2024", "Gizli", "not quoted"},
		{"abc123.x ", "abc123.x ", "abc123", "not quoted"},
		{"panel.example.com/api?sifre=Gizli#12&r=https://x", "Gizli#12", "Gizli", `"panel.example.com/..."`},
		{"https://panel.example.com:8443/api/?x", "Gizli#12", "Gizli", `"https://panel.example.com:8443/..."`},
		{"https://[2001:db8::7]:8443/?x", "Gizli#12", "Gizli", `"https://[2001:db8::7]:8443/..."`},
		{"https://Gizli@ev.com/?x", "Gizli@ev.com#1", "ev.com", "not quoted"}, // a host name the password holds
		// A second review's: the password before the scheme, a piece of
		// it joined to the host; and a query right after the host, which
		// hid a host that could be quoted.
		{"Gizli2024https://panel.example.com", "Gizli2024", "Gizli", "not quoted"},
		{"https://bayi:Sifre@2024panel.example.com", "Sifre@2024", "2024", "not quoted"},
		{"https://panel.example.com?x=1", "Gizli#12", "Gizli", `"https://panel.example.com?..."`},
		{"http://localhost:8080#top", "Gizli#12", "Gizli", `"http://localhost:8080#..."`},
		// A third review's: a port or a scheme the password holds.
		{"ftp://panel.example.com:2024/api", "Sifre2024", "2024", "not quoted"},
		{"HTTPS://panel.example.com/?", "xHTTPSy", "HTTPS", "not quoted"},
	} {
		_, err := NewClient(tt.base, dealer, tt.password, nil)
		if err == nil {
			t.Errorf("NewClient(%q): got a client, want an error", tt.base)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tt.shown) || strings.Contains(msg, tt.piece) {
			t.Errorf("NewClient(%q): %q; want it to show %s and no piece of the password", tt.base, msg, tt.shown)
		}
	}
}

// net/http quotes a status or header line it cannot parse, or a bad
// Content-Length, with Go's %q: the password in a one-byte charset,
// invalid UTF-8, is shown as \xe2 escapes, a form as plain as the password
// itself, and a base64 of the request is a form of its own. What the panel
// sent is not quoted at all; and where other text quotes such bytes, the
// scrubber finds the escapes.
func TestTransportErrorsQuoteNothingThePanelSent(t *testing.T) {
	for _, tt := range []struct{ charset, password, bytes, quoted string }{
		{"Windows-1254", "pâss1234", "p\xe2ss1234", `p\xe2ss1234`},
		{"Windows-1254", "Şifre-ğı9", "\xdeifre-\xf0\xfd9", `\xdeifre-\xf0\xfd9`},
		{"ISO-8859-1", "ýðþ-12345", "\xfd\xf0\xfe-12345", `\xfd\xf0\xfe-12345`},
		{"Windows-1252", "Žaba-12345", "\x8eaba-12345", `\x8eaba-12345`},
	} {
		if got := newScrubber(tt.password).scrub(fmt.Sprintf("%q", "sifre="+tt.bytes)); strings.Contains(got, tt.quoted) {
			t.Errorf("%s: %%q of the password's bytes scrubbed to %s", tt.charset, got)
		}
		back := base64.StdEncoding.EncodeToString([]byte("/servis/bakiye_kontrol.php?sifre=" + tt.bytes))
		for _, resp := range []string{
			"HTTP/1.1 200 OK\r\nX-Debug sifre=" + tt.bytes + "\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Length: sifre=" + tt.bytes + "\r\n\r\n",
			"HTTP/1.1 2OO r=" + back + "\r\n\r\n",
			"HTTP/1.x 200 r=" + back + "\r\n\r\n",
			"r=" + back + "\r\n\r\n",
		} {
			panel := znettest.NewServer(dealer, tt.password)
			t.Cleanup(panel.Close)
			panel.SetDown(znettest.RawResponse([]byte(resp)))
			c := newTestClient(t, panel.URL, tt.password)
			_, err := c.Balance(context.Background())
			if err == nil {
				t.Fatalf("%s: %q read as an answer", tt.charset, resp)
			}
			if msg := fmt.Sprintf("%+v", err); strings.Contains(strings.ToLower(msg), strings.ToLower(tt.quoted)) ||
				strings.Contains(msg, back[:24]) || strings.Contains(msg, "sifre=") {
				t.Errorf("%s: %q quotes what the panel sent", tt.charset, msg)
			}
			assertNoSecret(t, err, tt.password)
		}
	}
}

// A Location that does not parse came back from the http.Client as an
// error quoting it whole: a login page that sends the request back with its
// address in base64 ("?r=..."), a form of the password no scrubber knows,
// reached the run's error and the terminal. It is a redirect like any
// other, and the error says no more than that.
func TestARedirectsLocationIsNeverQuoted(t *testing.T) {
	var sentBack atomic.Value
	panel := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		back := base64.StdEncoding.EncodeToString([]byte(r.URL.RequestURI()))
		sentBack.Store(back)
		w.Header().Set("Location", "http://panel.example/%zz/giris.php?r="+back)
		w.WriteHeader(http.StatusFound)
	}))
	defer panel.Close()

	for name, hc := range map[string]*http.Client{"default client": nil, "caller's client": {}} {
		c, err := NewClient(panel.URL, dealer, secret, hc)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CheckPin(context.Background(), "123")
		if k, _ := KindOf(err); k != KindWrongBaseURL || !strings.Contains(err.Error(), "redirected") {
			t.Errorf("%s: got %v, want a wrong base URL that says it redirected", name, err)
		}
		if back, _ := sentBack.Load().(string); back == "" || strings.Contains(fmt.Sprintf("%+v", err), back[:20]) ||
			strings.Contains(err.Error(), "giris.php") {
			t.Errorf("%s: the error quotes the redirect's Location: %v", name, err)
		}
	}
}

// A panel's headers are bounded as its body is: Go's default of 10 MB
// let a hostile panel's answers take 57 MB each (helper-178).
func TestHeadersOverTheBoundAreRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Junk", strings.Repeat("a", MaxHeaderBytes)+r.URL.RawQuery)
		w.Write([]byte("OK|2|AB12-CD34|tamam"))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, secret)
	_, err := c.CheckPin(context.Background(), "1001")
	if k, _ := KindOf(err); k != KindTransient || !strings.Contains(err.Error(), "headers over 64 KiB") {
		t.Errorf("got %v, want transient: headers over 64 KiB", err)
	}
	assertNoSecret(t, err, secret)
}

// Go's words for headers over the bound, inside a header line it quotes,
// are not its refusal of them: the line stays unquoted (a review's find:
// matched anywhere in the error, they let the line, and a password in
// base32 in it, through).
func TestAHeaderLineSayingHeadersAreTooLongIsNeverQuoted(t *testing.T) {
	s, c := newFake(t)
	back := base32.StdEncoding.EncodeToString([]byte("sifre=" + url.QueryEscape(secret)))
	s.SetDown(znettest.RawResponse([]byte("HTTP/1.1 302 Found\r\nLocation: http://panel.example/giris.php?r=" + back +
		" net/http: server response headers exceeded\x01\r\nContent-Length: 0\r\n\r\n")))
	_, err := c.CheckPin(context.Background(), "123")
	if err == nil || strings.Contains(fmt.Sprintf("%+v", err), "giris.php") || strings.Contains(err.Error(), "headers over") {
		t.Errorf("got %v, want an error that quotes no header line and says nothing of headers too long", err)
	}
	assertNoSecret(t, err, secret)
}

// A header line Go cannot parse (a control byte in it) came back quoted
// whole in the error, before any redirect was looked at: a login page's
// Location with the request in base64, say. Which line it was is not said.
func TestAMalformedHeaderLineIsNeverQuoted(t *testing.T) {
	s, c := newFake(t)
	back := base64.StdEncoding.EncodeToString([]byte("/servis/pin_kontrol.php?sifre=" + url.QueryEscape(secret)))
	s.SetDown(znettest.RawResponse([]byte("HTTP/1.1 302 Found\r\nLocation: http://panel.example/giris.php?r=" + back + "\x01\r\nContent-Length: 0\r\n\r\n")))
	_, err := c.CheckPin(context.Background(), "123")
	if err == nil || strings.Contains(fmt.Sprintf("%+v", err), "giris.php") {
		t.Errorf("got %v, want an error that quotes no header line", err)
	}
	assertNoSecret(t, err, secret)
}

// What fails before the request is written cannot repeat it, and is shown
// as Go says it: a proxy's refusal names the proxy's trouble, where "the
// panel's answer could not be read" would send the operator to the panel.
func TestAProxysRefusalIsShown(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}, Timeout: 10 * time.Second}
	c, err := NewClient("https://bayi.example.com.tr", dealer, secret, hc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CheckPin(context.Background(), "123")
	if err == nil || !strings.Contains(err.Error(), "Proxy Authentication Required") {
		t.Errorf("got %v, want the proxy's refusal", err)
	}
	assertNoSecret(t, err, secret)
}

// A referans names the znet order a PHP panel reads from it, as
// store.referansKeySQL reads it for the shared-referans guard.
func TestReferansNumber(t *testing.T) {
	for referans, want := range map[string]string{
		"4300": "4300", "04300": "4300", "+4300": "4300", "4300-2": "4300", " \t4300 ": "4300",
		"000": "0", "-5": "-5", "abc": "abc", "": "",
	} {
		if got := ReferansNumber(referans); got != want {
			t.Errorf("ReferansNumber(%q) = %q, want %q", referans, got, want)
		}
	}
}

// A password pasted into the base URL's host with a letter outside ASCII
// reaches the resolver's error in the host's ASCII form, which keeps its
// ASCII letters and digits together: "GizliŞifre99" as
// "xn--gizliifre99-vgc" (helper-311).
func TestAPasswordInAnInternationalHostNameIsNotInTheError(t *testing.T) {
	const password = "GizliŞifre99"
	c := newTestClient(t, "http://"+password+".zwatch-test.invalid", password)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.CheckPin(ctx, "1001")
	if k, _ := KindOf(err); k != KindUnreachable {
		t.Fatalf("got %v, want the panel unreachable", err)
	}
	if msg := strings.ToLower(err.Error()); strings.Contains(msg, "gizliifre99") || strings.Contains(msg, "gizli") {
		t.Errorf("Error() = %q holds the password's letters", err.Error())
	}
}

// Left out of the error's text, the host's ASCII labels take nothing else
// with them: a resolver's timeout is still one, which tells a panel that
// did not answer from this process stalling (helper-314).
func TestAnInternationalHostsTimeoutIsStillATimeout(t *testing.T) {
	c := newTestClient(t, "http://bayiişlem.example", secret)
	err := c.transportError(context.Background(), "CheckPin", 0, &url.Error{Op: "Get", URL: "http://bayiişlem.example/servis/pin_kontrol.php",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "xn--bayiilem-9ya.example", IsTimeout: true}}}, false)
	var netErr net.Error
	if strings.Contains(err.Error(), "xn--bayi") || !errors.As(err, &netErr) || !netErr.Timeout() || IsPanelTrouble(err) {
		t.Errorf("got %q (a net.Error timing out: %v; panel trouble: %v), want the label left out and a timeout kept",
			err, errors.As(err, &netErr) && netErr.Timeout(), IsPanelTrouble(err))
	}
}
