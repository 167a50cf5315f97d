package znettest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

const (
	dealer = "D123"
	secret = "p@ss wörd/&"
)

type reply struct {
	status int
	body   string
}

func get(t *testing.T, ctx context.Context, rawURL string) (reply, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(body)}, err
}

func pinURL(s *Server, ref, kod, sifre string) string {
	q := url.Values{"kod": {kod}, "sifre": {sifre}, "tahsilat_api_islem_id": {ref}}
	return s.URL + pinPath + "?" + q.Encode()
}

func balanceURL(s *Server, kod, sifre string) string {
	return s.URL + balancePath + "?" + url.Values{"kod": {kod}, "sifre": {sifre}}.Encode()
}

func mustGet(t *testing.T, rawURL string) reply {
	t.Helper()
	r, err := get(t, context.Background(), rawURL)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	return r
}

func pin(t *testing.T, s *Server, ref string) reply {
	t.Helper()
	return mustGet(t, pinURL(s, ref, dealer, secret))
}

func newServer(t *testing.T) *Server {
	s := NewServer(dealer, secret)
	t.Cleanup(s.Close)
	return s
}

func TestAnswersSendTheDocumentedBodies(t *testing.T) {
	tests := []struct {
		name string
		a    Answer
		want reply
	}{
		{"waiting", Waiting("Bekliyor"), reply{200, "OK|1| |Bekliyor"}},
		{"done", Done("AB12-CD34", "İşlem tamamlandı"), reply{200, "OK|2|AB12-CD34|İşlem tamamlandı"}},
		{"cancelled", Cancelled("İptal"), reply{200, "OK|3| |İptal"}},
		{"rejected", Rejected("3", "Hata"), reply{200, "3|Hata"}},
		{"empty", Empty(), reply{200, ""}},
		{"server error", ServerError(503), reply{503, "503 Service Unavailable"}},
		{"garbage", Garbage("Warning: mysql"), reply{200, "Warning: mysql"}},
		{"raw windows-1254", Raw(200, []byte("OK|2|X|\xdd\xfelem\r\n")), reply{200, "OK|2|X|\xdd\xfelem\r\n"}},
		{"raw status 0 means 200", Raw(0, []byte("x")), reply{200, "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			s.Script("1", tt.a)
			if got := pin(t, s, "1"); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHTMLPage(t *testing.T) {
	s := newServer(t)
	s.Script("1", HTMLPage(200))
	got := pin(t, s, "1")
	if got.status != 200 || !bytes.HasPrefix([]byte(got.body), []byte("<!DOCTYPE html>")) {
		t.Errorf("got %+v, want an HTML page with status 200", got)
	}
}

func TestRawCopiesItsInput(t *testing.T) {
	b := []byte("OK|1| |a")
	a := Raw(200, b)
	b[0] = 'X'
	if string(a.Body) != "OK|1| |a" {
		t.Errorf("Raw kept the caller's slice: %q", a.Body)
	}
}

func TestRawResponseIsWrittenAsItStands(t *testing.T) {
	s := newServer(t)
	s.Script("7", RawResponse([]byte("HTTP/1.1 203 Gayri Resmi\r\nX-Panel: \xdd\r\nContent-Length: 8\r\n\r\nOK|1| |a")))
	got := pin(t, s, "7")
	if got.status != 203 || got.body != "OK|1| |a" {
		t.Errorf("got %+v, want status 203 and the raw body", got)
	}
}

func TestScriptServesInOrderThenRepeatsTheLast(t *testing.T) {
	s := newServer(t)
	s.Script("42", Waiting("a"), Waiting("b"), Done("PIN", "c"))
	want := []string{"OK|1| |a", "OK|1| |b", "OK|2|PIN|c", "OK|2|PIN|c", "OK|2|PIN|c"}
	for i, w := range want {
		if got := pin(t, s, "42"); got.body != w {
			t.Errorf("call %d: got %q, want %q", i+1, got.body, w)
		}
	}
	s.Script("42", Cancelled("again"))
	if got := pin(t, s, "42"); got.body != "OK|3| |again" {
		t.Errorf("after a new script: got %q", got.body)
	}
	s.Script("42") // no answers: back to the default
	if got := pin(t, s, "42"); got.body != "3|Kayıt bulunamadı" {
		t.Errorf("after removing the script: got %q", got.body)
	}
}

func TestDefaultAnswer(t *testing.T) {
	s := newServer(t)
	if got := pin(t, s, "7"); got.body != "3|Kayıt bulunamadı" {
		t.Errorf("default: got %q", got.body)
	}
	s.SetDefault(Waiting("x"))
	if got := pin(t, s, "7"); got.body != "OK|1| |x" {
		t.Errorf("after SetDefault: got %q", got.body)
	}
}

func TestResponderCountsCallsAndYieldsToScripts(t *testing.T) {
	s := newServer(t)
	s.Script("scripted", Done("S", "script"))
	s.SetResponder(func(ref string, call int) Answer {
		// Calling back into the server must not deadlock.
		if n := s.Requests(ref); n != call {
			return Garbage("requests " + strconv.Itoa(n) + " != call " + strconv.Itoa(call))
		}
		return Waiting(ref + "#" + strconv.Itoa(call))
	})
	for _, w := range []string{"OK|1| |a#1", "OK|1| |a#2"} {
		if got := pin(t, s, "a"); got.body != w {
			t.Errorf("got %q, want %q", got.body, w)
		}
	}
	if got := pin(t, s, "b"); got.body != "OK|1| |b#1" {
		t.Errorf("other referans: got %q", got.body)
	}
	if got := pin(t, s, "scripted"); got.body != "OK|2|S|script" {
		t.Errorf("script must win over the responder: got %q", got.body)
	}
	s.Reset()
	if got := pin(t, s, "a"); got.body != "OK|1| |a#1" {
		t.Errorf("after Reset: got %q, want the count to restart", got.body)
	}
	s.SetResponder(nil)
	if got := pin(t, s, "a"); got.body != "3|Kayıt bulunamadı" {
		t.Errorf("after removing the responder: got %q", got.body)
	}
}

func TestWrongCredentialsGetAnEmptyBody(t *testing.T) {
	s := newServer(t)
	s.Script("1", Done("PIN", "x"))
	for name, u := range map[string]string{
		"wrong kod":         pinURL(s, "1", "other", secret),
		"wrong sifre":       pinURL(s, "1", dealer, "wrong"),
		"no credentials":    s.URL + pinPath + "?tahsilat_api_islem_id=1",
		"balance, wrong pw": balanceURL(s, dealer, "wrong"),
	} {
		if got := mustGet(t, u); got != (reply{200, ""}) {
			t.Errorf("%s: got %+v, want 200 with an empty body", name, got)
		}
	}
	if n := s.Requests("1"); n != 3 {
		t.Errorf("Requests = %d, want refused requests counted too (3)", n)
	}
}

func TestUnknownPathIs404Page(t *testing.T) {
	s := newServer(t)
	got := mustGet(t, s.URL+"/servis/nope.php?kod="+dealer)
	if got.status != 404 || !bytes.Contains([]byte(got.body), []byte("<html>")) {
		t.Errorf("got %+v, want a 404 HTML page", got)
	}
}

func TestBalance(t *testing.T) {
	s := newServer(t)
	if got := mustGet(t, balanceURL(s, dealer, secret)); got.body != "OK|12755.23" {
		t.Errorf("default balance: got %q", got.body)
	}
	s.SetBalance("0.50")
	if got := mustGet(t, balanceURL(s, dealer, secret)); got.body != "OK|0.50" {
		t.Errorf("after SetBalance: got %q", got.body)
	}
	s.SetBalanceAnswer(Rejected("3", "Yetkisiz"))
	if got := mustGet(t, balanceURL(s, dealer, secret)); got.body != "3|Yetkisiz" {
		t.Errorf("after SetBalanceAnswer: got %q", got.body)
	}
}

func TestSetDown(t *testing.T) {
	s := newServer(t)
	s.Script("1", Waiting("up"))
	check := func(what, wantPin, wantBalance string) {
		t.Helper()
		if got := pin(t, s, "1"); got.body != wantPin {
			t.Errorf("%s: pin got %q, want %q", what, got.body, wantPin)
		}
		if got := mustGet(t, balanceURL(s, dealer, secret)); got.body != wantBalance {
			t.Errorf("%s: balance got %q, want %q", what, got.body, wantBalance)
		}
	}
	s.SetDown(Empty())
	check("down with Empty()", "", "")
	maint := ServerError(503)
	s.SetDown(&maint)
	check("down with *Answer", "503 Service Unavailable", "503 Service Unavailable")
	s.SetDown(nil)
	check("up after nil", "OK|1| |up", "OK|12755.23")
	s.SetDown(Empty())
	s.SetDown((*Answer)(nil))
	check("up after a nil *Answer", "OK|1| |up", "OK|12755.23")
}

func TestCountersAndReset(t *testing.T) {
	s := newServer(t)
	// The clock stands still, so that the three pin requests share one
	// second however slowly a busy machine sends them.
	s.mu.Lock()
	s.now = func() time.Time { return time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC) }
	s.mu.Unlock()
	pin(t, s, "1")
	pin(t, s, "1")
	pin(t, s, "2")
	mustGet(t, balanceURL(s, dealer, secret))
	mustGet(t, s.URL+"/elsewhere")
	if got := s.Requests("1"); got != 2 {
		t.Errorf("Requests(1) = %d, want 2", got)
	}
	if got := s.Requests("never"); got != 0 {
		t.Errorf("Requests(never) = %d, want 0", got)
	}
	if got := s.TotalRequests(); got != 5 {
		t.Errorf("TotalRequests = %d, want 5", got)
	}
	if got := s.MaxInFlight(); got != 1 {
		t.Errorf("MaxInFlight = %d, want 1 for sequential requests", got)
	}
	if got := s.MaxConcurrentFor("1"); got != 1 {
		t.Errorf("MaxConcurrentFor(1) = %d, want 1", got)
	}
	if got := s.MaxRequestsPerSecond(); got != 3 {
		t.Errorf("MaxRequestsPerSecond = %d, want 3 (pin requests only)", got)
	}
	s.Reset()
	if s.Requests("1") != 0 || s.TotalRequests() != 0 || s.MaxInFlight() != 0 ||
		s.MaxConcurrentFor("1") != 0 || s.MaxRequestsPerSecond() != 0 {
		t.Error("Reset left a counter non-zero")
	}
}

// TestConcurrencyCounters holds every request in the responder until all of
// them have arrived, so the maxima are exact rather than timing-dependent.
func TestConcurrencyCounters(t *testing.T) {
	s := newServer(t)
	refs := []string{"A", "A", "A", "B", "B"}
	var arrived sync.WaitGroup
	arrived.Add(len(refs))
	s.SetResponder(func(ref string, _ int) Answer {
		arrived.Done()
		arrived.Wait()
		return Waiting(ref)
	})
	var wg sync.WaitGroup
	for _, ref := range refs {
		wg.Go(func() {
			if _, err := get(t, context.Background(), pinURL(s, ref, dealer, secret)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := s.MaxInFlight(); got != 5 {
		t.Errorf("MaxInFlight = %d, want 5", got)
	}
	if got := s.MaxConcurrentFor("A"); got != 3 {
		t.Errorf("MaxConcurrentFor(A) = %d, want 3", got)
	}
	if got := s.MaxConcurrentFor("B"); got != 2 {
		t.Errorf("MaxConcurrentFor(B) = %d, want 2", got)
	}
	waitIdle(t, s)
	s.SetResponder(nil)
	s.Reset()
	pin(t, s, "A")
	if got := s.MaxConcurrentFor("A"); got != 1 {
		t.Errorf("after Reset, MaxConcurrentFor(A) = %d, want 1", got)
	}
}

func TestMaxRequestsPerSecondIsASlidingWindow(t *testing.T) {
	s := newServer(t)
	clock := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	s.mu.Lock()
	s.now = func() time.Time { return clock }
	s.mu.Unlock()
	at := func(offset time.Duration) {
		s.mu.Lock()
		clock = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC).Add(offset)
		s.mu.Unlock()
		pin(t, s, "1")
	}
	// 3 in the first second, then 3 more straddling it: the window from
	// 0.6s to 1.5s holds 4, which no fixed one-second bucket would show.
	for _, ms := range []int{0, 100, 600, 1100, 1200, 1500, 3000} {
		at(time.Duration(ms) * time.Millisecond)
	}
	if got := s.MaxRequestsPerSecond(); got != 4 {
		t.Errorf("MaxRequestsPerSecond = %d, want 4", got)
	}
	mustGet(t, balanceURL(s, dealer, secret)) // not a pin request
	if got := s.MaxRequestsPerSecond(); got != 4 {
		t.Errorf("balance requests changed MaxRequestsPerSecond to %d", got)
	}
}

func TestHangUp(t *testing.T) {
	s := newServer(t)
	s.Script("1", HangUp())
	got, err := get(t, context.Background(), pinURL(s, "1", dealer, secret))
	if err == nil {
		t.Fatalf("got %+v, want the connection closed without an answer", got)
	}
}

func TestSlowAnswerStopsWhenTheClientGivesUp(t *testing.T) {
	s := newServer(t)
	s.Script("1", Done("P", "late").After(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := get(t, ctx, pinURL(s, "1", dealer, secret))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the client's deadline", err)
	}
	waitIdle(t, s) // the handler must have stopped waiting too
}

func TestLatencyIsAddedToEveryAnswer(t *testing.T) {
	s := newServer(t)
	s.SetLatency(150 * time.Millisecond)
	s.Script("1", Waiting("x").After(50*time.Millisecond))
	start := time.Now()
	pin(t, s, "1")
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("answered after %v, want at least 200ms", d)
	}
}

func TestCloseDoesNotWaitForSlowAnswers(t *testing.T) {
	s := NewServer(dealer, secret)
	s.SetDefault(Waiting("x").After(time.Minute))
	errc := make(chan error, 1)
	go func() {
		_, err := get(t, context.Background(), pinURL(s, "1", dealer, secret))
		errc <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); s.TotalRequests() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the request never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a slow answer")
	}
	<-errc
	s.Close() // a second Close is harmless
}

// waitIdle waits until no request is in flight, i.e. every handler returned.
func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		n := s.stats.inFlight
		s.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests still in flight", n)
		}
	}
}
