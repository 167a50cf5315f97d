package cmd_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// check-pending's own statements around its run (the check of zwatch's
// migrations and the read of the last runs before it, the run's row after
// it) are outside the run's watch on a hung database. Where a pooler held
// one of them open and silent, the job cron starts every minute waited for
// ever, and one more every minute. Before the run it now gives up after
// 30 s, asks no panel and writes a metrics file saying exit 1; after the
// run, 15 s, the run's work saved and its exit status kept.
func TestCheckPendingGivesUpOnASilentStatementAroundItsRun(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		// token is in the statement that meets the silence, and in none
		// sent before it.
		token    string
		afterRun bool
	}{
		{"checking the migrations", "current_setting('search_path') AS search_path", false},
		{"reading the last runs", "FROM zwatch_runs\n\t\tORDER BY started_at DESC", false},
		{"recording the run", "record a check-pending run", true},
		// The figures for the metrics file, read before the run's row:
		// the row is then not tried, and the warning says why in full.
		{"reading the waiting orders' figures", "WITH waiting AS", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			panel := znettest.NewServer(dealerCode, password)
			t.Cleanup(panel.Close)
			integ := db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: panel.URL, Kod: dealerCode, Sifre: password})
			const pin = "SILENT-PIN-4417"
			order := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "4417", OrderNo: 4417})
			panel.Script("4417", znettest.Done(pin, "tamam"))
			proxy := db.Proxy()
			proxy.HangOn(c.token)
			metricsFile := filepath.Join(t.TempDir(), "zwatch.prom")

			var out, errOut bytes.Buffer
			code := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out, ErrOut: &errOut}, "check-pending", "-q", "--loop", "0",
				"--metrics-file", metricsFile, "--database-url", proxy.URL)(90 * time.Second)
			metrics, err := os.ReadFile(metricsFile)
			if err != nil {
				t.Fatalf("no metrics file after the silence: %v", err)
			}
			all := out.String() + errOut.String()
			assertNoSecret(t, "check-pending's output", all, pin)

			if !c.afterRun {
				if code != cmd.ExitFatal || strings.Count(errOut.String(), "\n") != 1 ||
					!strings.Contains(errOut.String(), "did not answer within 30s: a statement hangs") ||
					!strings.Contains(errOut.String(), "no order was claimed and no panel asked") {
					t.Errorf("check-pending ended with exit %d; want %d and one line saying the database did not answer within 30s and that nothing was asked:\n%s", code, cmd.ExitFatal, all)
				}
				if panel.TotalRequests() != 0 {
					t.Errorf("the panel was asked %d times by a run that gave up before it began", panel.TotalRequests())
				}
				if !strings.Contains(string(metrics), "zwatch_last_run_exit_status 1\n") {
					t.Errorf("the metrics file does not say exit status 1, for the alert to see:\n%s", metrics)
				}
				return
			}
			// The run itself went through: the PIN is saved, the exit status
			// is the run's, and the warning says what was lost.
			if got := db.ReadOrder(order); got.PINCode == nil || *got.PINCode != pin || got.ExternalStatus != "completed" {
				t.Errorf("the order after the run: %+v; want completed holding the panel's PIN", got)
			}
			want := []string{"the run could not be recorded", "did not answer within 15s: a statement hangs"}
			if c.token == "WITH waiting AS" {
				want = append(want, "pending orders are left out of the metrics file", "not tried, as a statement before it met this")
			}
			for _, w := range want {
				if code != cmd.ExitOK || !strings.Contains(errOut.String(), w) {
					t.Errorf("check-pending ended with exit %d; want %d and a warning saying %q:\n%s", code, cmd.ExitOK, w, all)
				}
			}
			if !strings.Contains(string(metrics), "zwatch_last_run_exit_status 0\n") {
				t.Errorf("the metrics file does not say the run's exit status 0:\n%s", metrics)
			}
		})
	}
}

// A signal while check-pending waits for its start-up (the migrations
// check, waiting on a lock a deploy's migrate holds) ends it as a run
// stopped early ends: exit 0 and one line, nothing claimed or asked, not
// an alert's exit 1. The start-up is now awaited on a goroutine of its
// own; the signal must still reach its statement and be told apart.
func TestCheckPendingStoppedAtItsStartUpSaysSo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("5512")
	s.db.BeginHolding("LOCK TABLE zwatch_schema_migrations IN ACCESS EXCLUSIVE MODE")
	ctx, stop := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	exitWithin := zwatchInBackground(t, ctx, cmd.IOStreams{Out: &out, ErrOut: &errOut}, "check-pending", "-q", "--loop", "0", "--database-url", s.db.URL)
	s.db.WaitForLockWaiters(1)
	stop()
	code := exitWithin(time.Minute)
	if code != cmd.ExitOK || out.Len() != 0 {
		t.Errorf("check-pending stopped at its start-up: exit %d; want %d and nothing on stdout:\n%s", code, cmd.ExitOK, out.String()+errOut.String())
	}
	oneLine(t, errOut.String(), "stopped by a signal before the run began")
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("the panel was asked %d times by a run stopped before it began", n)
	}
}

// A database restart while check-pending's start-up waits (its migrations
// check, on a lock a deploy's migrate holds): the awaited start-up hands
// the driver's error back at once, not after the 30 s given to a silence,
// and the run ends in one line saying the database went away, naming it,
// exit 1, with nothing asked and a metrics file saying so. Once the
// database is back, the next run delivers the PIN.
func TestCheckPendingAtItsStartUpOverADatabaseRestart(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const pin = "RESTART-PIN-5513"
	id := s.order("5513")
	s.znet.Script("5513", znettest.Done(pin, "tamam"))
	s.db.BeginHolding("LOCK TABLE zwatch_schema_migrations IN ACCESS EXCLUSIVE MODE")
	metricsFile := filepath.Join(t.TempDir(), "zwatch.prom")
	var out, errOut bytes.Buffer
	exitWithin := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out, ErrOut: &errOut},
		"check-pending", "-q", "--loop", "0", "--metrics-file", metricsFile, "--database-url", s.db.URL)
	s.db.WaitForLockWaiters(1)
	end := s.db.Outage()
	code := exitWithin(time.Minute)
	end()

	if code != cmd.ExitFatal || out.Len() != 0 {
		t.Errorf("check-pending over a restart at its start-up: exit %d, want %d and nothing on stdout:\n%s", code, cmd.ExitFatal, out.String()+errOut.String())
	}
	oneLine(t, errOut.String(), "went away or could not be reached")
	if strings.Contains(errOut.String(), "a statement hangs") {
		t.Errorf("a restart was said as a silent connection:\n%s", errOut.String())
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("the panel was asked %d times by a run that could not start", n)
	}
	if metrics, err := os.ReadFile(metricsFile); err != nil || !strings.Contains(string(metrics), "zwatch_last_run_exit_status 1\n") {
		t.Errorf("the metrics file after the restart (%v) does not say exit status 1:\n%s", err, metrics)
	}
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 {
		t.Fatalf("check-pending once the database is back: exit %d\n%s", r.code, r.all())
	}
	if got := s.db.ReadOrder(id); got.PINCode == nil || *got.PINCode != pin {
		t.Errorf("the order after the next run: %+v; want it completed holding the panel's PIN", got)
	}
}
