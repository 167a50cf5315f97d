package cmd_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

func TestCheckPendingRecordsEachRun(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("41")
	waiting := s.order("42")
	s.znet.Script("41", znettest.Done("PIN-41", ""))
	s.znet.Script("42", znettest.Waiting(""), znettest.Rejected("3", "Geçersiz istek"))
	old := store.Run{ID: "last-month", Host: "old-host", StartedAt: time.Now().Add(-31 * 24 * time.Hour), ExitStatus: 0}
	old.FinishedAt = old.StartedAt.Add(time.Second)
	if err := s.db.Store.RecordRun(context.Background(), old); err != nil {
		t.Fatal(err)
	}

	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	s.db.MakeDue(waiting)
	if r := zwatch(t, s.db, "check-pending", "--dry-run"); r.code != 0 {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.all())
	}

	runs := stats(t, s.db).Runs
	if len(runs) != 2 {
		t.Fatalf("runs %+v, want the two real ones: no dry run, nothing older than 30 days", runs)
	}
	host, _ := os.Hostname()
	second, first := runs[0], runs[1]
	if first.Asked != 2 || first.Completed != 1 || first.ExitStatus != 0 || first.Host != host ||
		!strings.HasPrefix(first.RunID, host+"/") || first.Seconds <= 0 {
		t.Errorf("first run %+v", first)
	}
	if second.Asked != 1 || second.Errors != 1 || second.ExitStatus != 0 || !second.StartedAt.After(first.StartedAt) {
		t.Errorf("second run %+v", second)
	}
}

func TestCheckPendingWritesMetrics(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("31")
	s.order("32")
	s.znet.Script("31", znettest.Done("PIN-31", ""))
	s.znet.Script("32", znettest.Waiting(""))
	stuck := s.order("33")
	s.db.AddCheck(stuck, storetest.Check{GivenUp: true})
	down := znettest.NewServer(dealerCode, password)
	t.Cleanup(down.Close)
	down.SetDown(znettest.HTMLPage(200))
	b := s.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: down.URL, Kod: dealerCode, Sifre: password})
	for _, ref := range []string{"34", "35", "36", "37"} {
		s.db.AddOrder(storetest.Order{IntegrationID: b, Referans: ref})
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "zwatch.prom")
	before := time.Now()

	r := zwatch(t, s.db, "check-pending", "-q", "--per-integration", "1", "--metrics-file", path)

	if r.code != 3 {
		t.Fatalf("exit %d, want 3 with a panel failing\n%s", r.code, r.all())
	}
	m := readMetrics(t, path)
	at := m.value(t, "zwatch_last_run_timestamp_seconds", nil)
	if at < float64(before.Unix()) || at > float64(time.Now().Unix()+1) {
		t.Errorf("last run timestamp %v, want between the start of the test and now", at)
	}
	if d := m.value(t, "zwatch_last_run_duration_seconds", nil); d <= 0 || d > time.Since(before).Seconds() {
		t.Errorf("duration %v", d)
	}
	if got := m.value(t, "zwatch_last_run_exit_status", nil); got != 3 {
		t.Errorf("exit status metric %v, want 3", got)
	}
	for result, want := range map[string]float64{
		"completed": 1, "processing": 1, "failed": 0, "error": 3, "skipped": 1, "stuck": 0, "overtaken": 0,
	} {
		if got := m.value(t, "zwatch_last_run_orders", labels{"result": result}); got != want {
			t.Errorf("orders with result %s: %v, want %v", result, got, want)
		}
	}
	for name, want := range map[string]float64{"znet-A": 1, "znet-B": 0} {
		if got := m.value(t, "zwatch_integration_up", labels{"integration": name}); got != want {
			t.Errorf("%s up = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string][2]float64{"znet-A": {1, 1}, "znet-B": {4, 0}} {
		if got := m.value(t, "zwatch_pending_orders", labels{"integration": name}); got != want[0] {
			t.Errorf("%s pending = %v, want %v", name, got, want[0])
		}
		if got := m.value(t, "zwatch_stuck_orders", labels{"integration": name}); got != want[1] {
			t.Errorf("%s stuck = %v, want %v", name, got, want[1])
		}
		// storetest orders were sent 10 minutes ago.
		if got := m.value(t, "zwatch_oldest_pending_order_age_seconds", labels{"integration": name}); got < 600 || got > 700 {
			t.Errorf("%s oldest pending age %vs, want about 600", name, got)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the metrics directory holds %d files, want only zwatch.prom (no temporary file left)", len(entries))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o044 != 0o044 {
		t.Errorf("metrics file mode %v: node_exporter, another user, must be able to read it", fi.Mode())
	}
	if runs := stats(t, s.db).Runs; len(runs) != 1 || runs[0].ExitStatus != 3 || runs[0].Errors != 3 {
		t.Errorf("recorded runs %+v, want one with exit status 3", runs)
	}
}

func TestMetricsFileSaysWhenTheRunFailed(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t) // never migrated: check-pending cannot run
	path := filepath.Join(t.TempDir(), "zwatch.prom")
	if err := os.WriteFile(path, []byte("zwatch_integration_up{integration=\"stale\"} 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	r := zwatch(t, db, "check-pending", "-q", "--metrics-file", path)

	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.all())
	}
	m := readMetrics(t, path)
	if got := m.value(t, "zwatch_last_run_exit_status", nil); got != 1 {
		t.Errorf("exit status metric %v, want 1", got)
	}
	m.value(t, "zwatch_last_run_timestamp_seconds", nil)
	for _, absent := range []string{"zwatch_integration_up", "zwatch_pending_orders", "zwatch_last_run_orders"} {
		if _, ok := m[absent]; ok {
			t.Errorf("%s is in the metrics of a run that never started", absent)
		}
	}
}

func TestCheckPendingShowsProgressOnATerminal(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("51")
	s.order("52")
	s.order("53")
	s.znet.Script("51", znettest.Done("PIN-51", ""))
	s.znet.Script("52", znettest.Waiting(""))
	s.znet.Script("53", znettest.Rejected("3", "Geçersiz istek"))
	dumb := false
	terminal := func(args ...string) string {
		var out bytes.Buffer
		errOut := &lockedBuffer{}
		args = append(args, "--loop", "0", "--database-url", s.db.URL)
		code := cmd.Main(context.Background(), args, cmd.IOStreams{Out: &out, ErrOut: errOut, Terminal: true, DumbTerminal: dumb})
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out.String(), errOut.String())
		}
		return errOut.String()
	}

	got := terminal("check-pending", "--log-level", "debug")
	// The whole is the orders due at the start, and the line counts what
	// a person waits for.
	if !strings.Contains(got, "asked 3/3: 1 completed, 1 error") {
		t.Errorf("stderr on a terminal shows no progress of a fixed whole with its counts:\n%q", got)
	}
	if strings.Contains(got, "asked 1/1") || strings.Contains(got, "asked 2/2") {
		t.Errorf("the progress line's whole changed during the run:\n%q", got)
	}
	// Each log line starts on a line of its own: the progress line is
	// erased before it and drawn again after it.
	for i := 0; ; {
		j := strings.Index(got[i:], "time=")
		if j < 0 {
			break
		}
		at := i + j
		if at > 0 && got[at-1] != '\n' && !strings.HasSuffix(got[:at], "\r\033[K") {
			t.Errorf("a log line collides with the progress line: %q", got[max(0, at-40):at+5])
		}
		i = at + 1
	}
	if end := strings.LastIndex(got, "\r\033[K"); end < 0 || strings.Contains(got[end:], "  asked ") {
		t.Errorf("the progress line is not erased at the end:\n%q", got)
	}

	s.db.MakeAllDue()
	if got := terminal("check-pending", "-q"); got != "" {
		t.Errorf("-q on a terminal printed %q", got)
	}
	s.db.MakeAllDue()
	if r := zwatch(t, s.db, "check-pending"); strings.Contains(r.stderr, "\r") {
		t.Errorf("progress shown where no person watches:\n%q", r.stderr)
	}
	// TERM=dumb: a terminal that cannot move its cursor shows the logs as
	// text, and no line drawn over itself.
	s.db.MakeAllDue()
	dumb = true
	if got := terminal("check-pending", "--log-level", "debug"); strings.Contains(got, "\r") || !strings.Contains(got, "time=") {
		t.Errorf("on TERM=dumb, want text logs and no progress line:\n%q", got)
	}
}

// The progress line's whole is what this run will ask: orders sent within
// --first-delay are not due yet, and are not in it.
func TestProgressCountsOnlyTheOrdersDueForThisRun(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, ref := range []string{"161", "162", "163"} {
		s.order(ref) // sent ten minutes ago: due
	}
	for _, ref := range []string{"164", "165"} {
		s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, SentAgo: 2 * time.Second})
	}
	s.znet.SetDefault(znettest.Waiting(""))
	var out bytes.Buffer
	errOut := &lockedBuffer{}
	args := []string{"check-pending", "--loop", "0", "--first-delay", "15s", "--database-url", s.db.URL}
	if code := cmd.Main(context.Background(), args, cmd.IOStreams{Out: &out, ErrOut: errOut, Terminal: true}); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	got := errOut.String()
	// "/5:", not "/5": the run id in the log line ("vm/29662/5104d8bb")
	// may hold "/5" too.
	if !strings.Contains(got, "asked 3/3:") || strings.Contains(got, "/5:") {
		t.Errorf("the progress line should count the 3 due orders, not the 2 sent within --first-delay:\n%q", got)
	}
	if n := s.znet.TotalRequests(); n != 3 {
		t.Errorf("znet was asked %d times, want 3", n)
	}
}

func TestOperatorCommandsBadInput(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("61")
	dir := t.TempDir()
	before := s.db.Snapshot()
	for _, args := range [][]string{
		{"stats", "--runs", "-1"},
		{"stats", "-o", "yaml"},
		{"stats", "--first-delay", "-1s"},
		{"stats", "--first-delay", "1000h"}, // check-pending refuses it
		{"stats", "extra-arg"},
		{"balance", "--integration", "acme"},
		{"balance", "--integration", uuid.NewString(), "--save"},
		{"balance", "--timeout", "0s", "--save"},
		{"balance", "--timeout", "1000h", "--save"},
		{"balance", "--concurrency", "0", "--save"},
		{"balance", "--concurrency", "100000", "--save"}, // check-pending refuses it
		{"balance", "-o", "xml", "--save"},
		{"check-pending", "--metrics-file", filepath.Join(dir, "missing", "zwatch.prom")},
		{"check-pending", "--dry-run", "--metrics-file", filepath.Join(dir, "zwatch.prom")},
		// A name of 250 bytes, under the file system's limit of 255: the
		// file written beside it first has up to ten characters more.
		{"check-pending", "--metrics-file", filepath.Join(dir, strings.Repeat("z", 245)+".prom")},
		// node_exporter would never read it.
		{"check-pending", "--metrics-file", filepath.Join(dir, "zwatch.txt")},
		{"check-pending", "--metrics-file", filepath.Join(dir, "zwatch")},
	} {
		r := zwatch(t, s.db, args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.all())
		}
		if strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: want one line on stderr and nothing on stdout, got\nstdout: %s\nstderr: %s", args, r.stdout, r.stderr)
		}
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("bad input reached znet %d times", n)
	}
	if after := s.db.Snapshot(); after != before {
		t.Errorf("bad input changed the database:\nbefore %s\nafter  %s", before, after)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad input wrote %d files", len(entries))
	}
}

func TestOperatorCommandsRefuseToRunBeforeMigrate(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	for _, args := range [][]string{{"stats"}, {"balance"}, {"balance", "--save"}} {
		r := zwatch(t, db, args...)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1", args, r.code)
		}
		oneLine(t, r.stderr, "run zwatch migrate")
	}
}

type labels map[string]string

type metricFamilies map[string]*dto.MetricFamily

func readMetrics(t *testing.T, path string) metricFamilies {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("the metrics file is not Prometheus text: %v", err)
	}
	return families
}

// value is the gauge named name whose labels include want.
func (m metricFamilies) value(t *testing.T, name string, want labels) float64 {
	t.Helper()
	family, ok := m[name]
	if !ok {
		t.Fatalf("no metric %s in the file", name)
	}
next:
	for _, metric := range family.GetMetric() {
		have := labels{}
		for _, l := range metric.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return metric.GetGauge().GetValue()
	}
	t.Fatalf("no %s with labels %v", name, want)
	return 0
}

// lockedBuffer is stderr shared by the logger and the progress line.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
