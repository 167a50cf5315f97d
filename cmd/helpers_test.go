package cmd_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

const (
	dealerCode = "bayi-7"
	password   = "Gizli-Sifre-99"
)

type shop struct {
	t     *testing.T
	db    *storetest.DB
	znet  *znettest.Server
	integ string
}

func newShop(t *testing.T) *shop {
	t.Helper()
	db := storetest.New(t)
	fake := znettest.NewServer(dealerCode, password)
	t.Cleanup(fake.Close)
	integ := db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	return &shop{t: t, db: db, znet: fake, integ: integ}
}

// panel adds a fake panel that knows the dealer password pw, and the
// shop's integration named name for it.
func (s *shop) panel(name, pw string) (*znettest.Server, string) {
	s.t.Helper()
	fake := znettest.NewServer(dealerCode, pw)
	s.t.Cleanup(fake.Close)
	return fake, s.db.AddIntegration(storetest.Integration{Name: name, BaseURL: fake.URL, Kod: dealerCode, Sifre: pw})
}

func (s *shop) order(ref string) string {
	s.t.Helper()
	return s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, OrderNo: 1000 + len(ref)})
}

// resentAfterGiveUp adds an order sent three hours ago under ref, asked
// nine times and given up on, that the shop has since sent again, sentAgo
// ago, under resentRef: a new order to zwatch's next run.
func (s *shop) resentAfterGiveUp(ref string, orderNo int, resentRef string, sentAgo time.Duration) string {
	s.t.Helper()
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, OrderNo: orderNo, SentAgo: 3 * time.Hour})
	s.db.AddCheck(id, storetest.Check{GivenUp: true, Attempts: 9})
	s.db.ResendGivenUp(id, resentRef, sentAgo)
	return id
}

// quietRuns returns run, which runs check-pending -q once as cron does,
// with the orders given due and args added, and up, which reads znet-A's
// zwatch_integration_up from the metrics file the runs write.
func (s *shop) quietRuns(args ...string) (run func(due ...string) result, up func() float64) {
	metricsFile := filepath.Join(s.t.TempDir(), "zwatch.prom")
	run = func(due ...string) result {
		s.t.Helper()
		s.db.ExpireClaims()
		for _, id := range due {
			s.db.MakeDue(id)
		}
		return zwatch(s.t, s.db, append([]string{"check-pending", "-q", "--loop", "0", "--metrics-file", metricsFile}, args...)...)
	}
	up = func() float64 {
		return readMetrics(s.t, metricsFile).value(s.t, "zwatch_integration_up", labels{"integration": "znet-A"})
	}
	return run, up
}

// refusedOrder adds an order znet answers done with pin, whose every
// update a shop trigger refuses with a message quoting that PIN.
func (s *shop) refusedOrder(ref, pin string) string {
	s.t.Helper()
	id := s.order(ref)
	s.znet.Script(ref, znettest.Done(pin, "tamam"))
	s.db.RefuseWrites(id)
	return id
}

type result struct {
	stdout, stderr string
	code           int
}

// zwatch runs the command line in-process against the test's database.
// check-pending claims once unless the test gives --loop: its default loop
// of 58 seconds is for cron, and a test looks at one run.
func zwatch(t *testing.T, db *storetest.DB, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(onceUnlessLooping(args), "--database-url", db.URL)
	code := cmd.Main(context.Background(), args, cmd.IOStreams{Out: &out, ErrOut: &errOut})
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

func (r result) all() string { return r.stdout + r.stderr }

// zwatchInBackground runs args in-process on a goroutine of its own. The
// function it returns waits for the exit status, and ends the test if the
// command has not ended within limit: one that waits for ever.
func zwatchInBackground(t *testing.T, ctx context.Context, streams cmd.IOStreams, args ...string) (exitWithin func(limit time.Duration) int) {
	ended := make(chan int, 1)
	go func() { ended <- cmd.Main(ctx, args, streams) }()
	return func(limit time.Duration) int {
		t.Helper()
		select {
		case code := <-ended:
			return code
		case <-time.After(limit):
			t.Fatalf("zwatch %s has not ended within %s", strings.Join(args, " "), limit)
			return 0
		}
	}
}

func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range append([]string{password}, secrets...) {
		if strings.Contains(text, s) {
			t.Errorf("%s contains the secret %q:\n%s", what, s, text)
		}
	}
}

// assertNoPINInZwatchTables asserts that no row of zwatch's own tables
// holds the PIN, in any of its shapes.
func assertNoPINInZwatchTables(t *testing.T, s *shop, pin string) {
	t.Helper()
	if n := s.db.ZwatchRowsMentioningLoosely(pin); n != 0 {
		t.Errorf("%d rows of zwatch's own tables hold the PIN %s", n, pin)
	}
}

// oneLine asserts that stderr is exactly one line holding want.
func oneLine(t *testing.T, stderr, want string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr should be one line saying %q, got:\n%s", want, stderr)
	}
}

// runMain runs the command line with args as given.
func runMain(args []string, errOut *strings.Builder) result {
	var out bytes.Buffer
	code := cmd.Main(context.Background(), args, cmd.IOStreams{Out: &out, ErrOut: errOut})
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// onceUnlessLooping adds --loop 0 to a check-pending command line that does
// not say how long to loop.
func onceUnlessLooping(args []string) []string {
	if len(args) == 0 || args[0] != "check-pending" {
		return args
	}
	for _, a := range args {
		if a == "--loop" || strings.HasPrefix(a, "--loop=") || a == "--dry-run" {
			return args
		}
	}
	return append(slices.Clone(args), "--loop", "0")
}
