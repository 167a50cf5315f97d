package watch_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

const (
	dealerCode = "bayi-42"
	password   = "s3cret-Sifre!"
)

// env is a shop database with one znet integration pointing at a fake panel.
type env struct {
	t     testing.TB
	db    *storetest.DB
	znet  *znettest.Server
	integ string
	logs  *syncBuffer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return envOn(t, storetest.New(t))
}

// newEncodedEnv is newEnv on a database whose server encoding is encoding.
func newEncodedEnv(t *testing.T, encoding string) *env {
	t.Helper()
	return envOn(t, storetest.NewEncoded(t, encoding))
}

// envOn is an env on db, with one integration and its fake panel.
func envOn(t testing.TB, db *storetest.DB) *env {
	t.Helper()
	fake := znettest.NewServer(dealerCode, password)
	t.Cleanup(fake.Close)
	e := &env{t: t, db: db, znet: fake, logs: &syncBuffer{}}
	e.integ = db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	return e
}

// order adds a sent order with referans ref on the env's integration.
func (e *env) order(ref string) string {
	e.t.Helper()
	return e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: ref})
}

// orders adds n sent orders, with the referanses firstRef, firstRef+1, ...
func (e *env) orders(n, firstRef int) (ids []string) {
	e.t.Helper()
	for i := range n {
		ids = append(ids, e.order(referans(firstRef+i)))
	}
	return ids
}

// seedSchedule is zwatch's first schedule, a plain doubling. Its
// minute-long first step keeps an order asked once from becoming due again
// while a test looks at it.
var seedSchedule, _ = watch.ParseSchedule("60s,2m,4m,8m,15m,30m")

// config is check-pending's defaults for one claim without a pace (tests
// that loop or pace say so), with debug logs captured and the seed schedule,
// followed as given (as with --schedule).
func (e *env) config() watch.Config {
	cfg := watch.DefaultConfig()
	cfg.Loop, cfg.Rate = 0, 0
	cfg.Schedule, cfg.Learn = seedSchedule, false
	cfg.Timeout = 5 * time.Second
	cfg.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return cfg
}

func (e *env) run(cfg watch.Config) *watch.Summary {
	e.t.Helper()
	sum, err := watch.Run(context.Background(), e.db.Store, cfg)
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	return sum
}

// runUntil is run, stopped as a signal stops it once done says that what
// the test waits for has happened: a test bounds its run by what it did,
// not by the wall clock, which a host busy with other tests stretches (a
// first claim registering thousands of orders has taken over 3 s there).
// cfg's Loop and MaxDuration are then only a guard against a run that
// never gets there.
func (e *env) runUntil(cfg watch.Config, done func() bool) *watch.Summary {
	e.t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for ctx.Err() == nil && !done() {
			time.Sleep(20 * time.Millisecond)
		}
		stop()
	}()
	sum, err := watch.Run(ctx, e.db.Store, cfg)
	stop()
	<-polled // done is called no more, and what it saw is the test's to read
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	return sum
}

// assertNoSecrets fails if the password or any of the PINs appear in text.
func assertNoSecrets(t *testing.T, what, text string, pins ...string) {
	t.Helper()
	for _, secret := range append([]string{password}, pins...) {
		if strings.Contains(text, secret) {
			t.Errorf("%s contains the secret %q:\n%s", what, secret, text)
		}
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sendTimes records when each status request leaves zwatch's client, on
// the way to its panel: what --rate governs. The fake panel's own count of
// arrivals adds the loopback's and its goroutines' delays, up to a tenth
// of a second on a host busy with other tests, which the budget's spacing
// leaves as slack at real time; counted there, a test of the rate would
// be one of the host.
type sendTimes struct {
	next  http.RoundTripper
	mu    sync.Mutex
	times []time.Time
}

// recordSends gives cfg a client whose status requests are recorded.
func recordSends(cfg *watch.Config) *sendTimes {
	client := znet.NewHTTPClient(cfg.PerIntegration, cfg.Timeout)
	s := &sendTimes{next: client.Transport}
	client.Transport = s
	cfg.HTTPClient = client
	return s
}

func (s *sendTimes) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, znet.OpCheckPin) {
		s.mu.Lock()
		s.times = append(s.times, time.Now())
		s.mu.Unlock()
	}
	return s.next.RoundTrip(req)
}

// CloseIdleConnections passes on what http.Client asks of its transport.
func (s *sendTimes) CloseIdleConnections() {
	if t, ok := s.next.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// maxPerSecond is the most status requests sent within any one second.
func (s *sendTimes) maxPerSecond() int {
	s.mu.Lock()
	times := slices.Clone(s.times)
	s.mu.Unlock()
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	most, first := 0, 0
	for last := range times {
		for times[last].Sub(times[first]) >= time.Second {
			first++
		}
		most = max(most, last-first+1)
	}
	return most
}

// countingTransport measures requests in flight across every panel.
type countingTransport struct {
	inFlight, max atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := c.inFlight.Add(1)
	for {
		m := c.max.Load()
		if n <= m || c.max.CompareAndSwap(m, n) {
			break
		}
	}
	defer c.inFlight.Add(-1)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		// Count until the body is read, as the client sees it.
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		resp.Body = nopCloser{&buf}
	}
	return resp, err
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }
