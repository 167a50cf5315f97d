package znettest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

const (
	pinPath     = "/servis/pin_kontrol.php"
	balancePath = "/servis/bakiye_kontrol.php"
)

// Server is a fake znet panel on 127.0.0.1. All methods are safe for
// concurrent use.
type Server struct {
	URL string // base URL to give the client, without a trailing slash

	dealerCode, password string
	http                 *httptest.Server
	closing              chan struct{}
	closeOnce            sync.Once
	now                  func() time.Time // replaced by tests

	mu        sync.Mutex
	scripts   map[string]*script
	fallback  Answer
	responder func(referans string, call int) Answer
	latency   time.Duration
	balance   Answer
	down      *Answer
	stats     stats
}

type script struct {
	answers []Answer
	served  int
}

type stats struct {
	requests     map[string]int // pin requests per referans
	total        int            // every request, whatever the path
	inFlight     int
	maxInFlight  int
	inFlightFor  map[string]int
	maxFor       map[string]int
	recent       []time.Time // pin request arrivals within the last second
	maxPerSecond int
}

// NewServer starts a panel for one dealer. Requests with another kod or
// sifre get an empty body, as from the real panel. Unknown referans values
// get Rejected("3", "Kayıt bulunamadı") until SetDefault says otherwise.
func NewServer(dealerCode, password string) *Server {
	s := &Server{
		dealerCode: dealerCode,
		password:   password,
		closing:    make(chan struct{}),
		now:        time.Now,
		scripts:    map[string]*script{},
		fallback:   Rejected("3", "Kayıt bulunamadı"),
		balance:    text("OK|12755.23"),
	}
	s.resetStats()
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.http.URL
	return s
}

// Close stops the server. Answers still waiting out a delay are abandoned.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.http.Close()
	})
}

// Script sets the answers for one referans, served in order; the last one
// repeats forever. It restarts the sequence if referans had a script.
func (s *Server) Script(referans string, answers ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(answers) == 0 {
		delete(s.scripts, referans)
		return
	}
	s.scripts[referans] = &script{answers: append([]Answer(nil), answers...)}
}

// SetDefault sets the answer for a referans with no script.
func (s *Server) SetDefault(a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = a
}

// SetResponder answers every referans that has no script, in place of the
// default. call counts that referans's pin requests from 1 (and restarts
// with Reset). f runs outside the server's lock, so it may call the
// server's methods or block; nil removes it.
func (s *Server) SetResponder(f func(referans string, call int) Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responder = f
}

// SetLatency adds d to the delay of every answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetBalance makes bakiye_kontrol answer "OK|b".
func (s *Server) SetBalance(b string) { s.SetBalanceAnswer(text("OK|" + b)) }

// SetBalanceAnswer makes bakiye_kontrol answer a.
func (s *Server) SetBalanceAnswer(a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.balance = a
}

// SetDown makes every request, whatever its path or credentials, get a: for
// instance Empty() for a caller that lost its whitelisted IP, or
// HTMLPage(503) for a host in maintenance. It takes an Answer, a *Answer,
// or nil to bring the panel back.
func (s *Server) SetDown(a interface{ answer() Answer }) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = nil
	if p, isPtr := a.(*Answer); a != nil && (!isPtr || p != nil) {
		d := a.answer()
		s.down = &d
	}
}

// Requests is the number of pin requests for referans, including those with
// wrong credentials.
func (s *Server) Requests(referans string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.requests[referans]
}

// TotalRequests counts every request, balance and unknown paths included.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.total
}

// MaxInFlight is the largest number of requests the server handled at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.maxInFlight
}

// Answered is how many requests the server has finished answering.
func (s *Server) Answered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.total - s.stats.inFlight
}

// MaxConcurrentFor is the largest number of pin requests for referans that
// were in flight at once: more than 1 means two callers asked about the same
// order at the same time.
func (s *Server) MaxConcurrentFor(referans string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.maxFor[referans]
}

// MaxRequestsPerSecond is the largest number of pin requests that arrived
// within any one-second window: what the panel's operator would see.
func (s *Server) MaxRequestsPerSecond() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.maxPerSecond
}

// Reset zeroes the counters. Scripts, settings and the requests in flight
// are kept; the maxima restart from what is in flight now.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetStats()
}

func (s *Server) resetStats() {
	st := stats{
		requests:    map[string]int{},
		inFlight:    s.stats.inFlight,
		maxInFlight: s.stats.inFlight,
		inFlightFor: map[string]int{},
		maxFor:      map[string]int{},
	}
	for ref, n := range s.stats.inFlightFor {
		if n > 0 {
			st.inFlightFor[ref] = n
			st.maxFor[ref] = n
		}
	}
	s.stats = st
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	isPin := r.URL.Path == pinPath
	ref := q.Get("tahsilat_api_islem_id")

	s.mu.Lock()
	s.arrive(isPin, ref)
	a, responder, call := s.choose(r.URL.Path, q, ref)
	latency := s.latency
	s.mu.Unlock()
	defer s.leave(isPin, ref)

	if responder != nil {
		a = responder(ref, call)
	}
	a = a.forReferans(ref)
	s.reply(w, r, a, a.Delay+latency)
}

// arrive counts a request; s.mu must be held.
func (s *Server) arrive(isPin bool, ref string) {
	st := &s.stats
	st.total++
	st.inFlight++
	st.maxInFlight = max(st.maxInFlight, st.inFlight)
	if !isPin {
		return
	}
	st.requests[ref]++
	st.inFlightFor[ref]++
	st.maxFor[ref] = max(st.maxFor[ref], st.inFlightFor[ref])

	now := s.now()
	drop := 0
	for drop < len(st.recent) && now.Sub(st.recent[drop]) >= time.Second {
		drop++
	}
	st.recent = append(st.recent[drop:], now)
	st.maxPerSecond = max(st.maxPerSecond, len(st.recent))
}

func (s *Server) leave(isPin bool, ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.inFlight--
	if isPin {
		s.stats.inFlightFor[ref]--
	}
}

// choose picks the answer, or the responder to ask for it once the lock is
// released; s.mu must be held.
func (s *Server) choose(path string, q url.Values, ref string) (Answer, func(string, int) Answer, int) {
	switch {
	case s.down != nil:
		return *s.down, nil, 0
	case path != pinPath && path != balancePath:
		return HTMLPage(http.StatusNotFound), nil, 0
	case q.Get("kod") != s.dealerCode || q.Get("sifre") != s.password:
		return Empty(), nil, 0
	case path == balancePath:
		return s.balance, nil, 0
	}
	if sc := s.scripts[ref]; sc != nil {
		a := sc.answers[min(sc.served, len(sc.answers)-1)]
		sc.served++
		return a, nil, 0
	}
	if s.responder != nil {
		return Answer{}, s.responder, s.stats.requests[ref]
	}
	return s.fallback, nil, 0
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request, a Answer, delay time.Duration) {
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
	if a.hangUp || a.rawResponse != nil {
		hangUp(w, a.rawResponse)
		return
	}
	ct := a.contentType
	if ct == "" {
		ct = "text/html" // PHP's default, and no charset: panels rarely send one
	}
	w.Header().Set("Content-Type", ct)
	status := a.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(a.Body) // an error means the client left; nothing to do about it
}

// hangUp takes the connection from net/http, writes last to it as it
// stands (nothing, for a hang-up) and closes it.
func hangUp(w http.ResponseWriter, last []byte) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Write(last) // an error means the client left; nothing to do about it
			conn.Close()
			return
		}
	}
	// net/http closes the connection without a response for this value.
	panic(http.ErrAbortHandler)
}
