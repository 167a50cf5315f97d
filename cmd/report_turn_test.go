package cmd_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// twoHosts runs check-pending -q twice at once, as the same crontab line on
// two hosts does, each run ending as the other does; it returns what each
// printed, for cron to mail.
func twoHosts(t *testing.T, s *shop) (mails [2]string) {
	t.Helper()
	args := []string{"check-pending", "-q", "--loop", "0", "--batch", "1", "--per-integration", "1", "--database-url", s.db.URL}
	var out, errOut [2]bytes.Buffer
	var ended [2]func(time.Duration) int
	for k := range ended {
		ended[k] = zwatchInBackground(t, t.Context(), cmd.IOStreams{Out: &out[k], ErrOut: &errOut[k]}, args...)
	}
	for k := range ended {
		code := ended[k](time.Minute)
		mails[k] = out[k].String() + errOut[k].String()
		t.Logf("host %d: exit %d\n%s", k+1, code, mails[k])
	}
	return mails
}

// said is how many of the mails hold what.
func said(mails [2]string, what string) int {
	n := 0
	for _, m := range mails {
		if strings.Contains(m, what) {
			n++
		}
	}
	return n
}

// Two hosts' runs of one cron minute, both begun before either recorded
// what it found, each mailed the panel as newly failing (helper-346): each
// read at its start only the runs before them. The run that reports
// second reads again what the first recorded.
func TestTwoHostsMailAPanelThatStartsFailingOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("71")
	s.order("72")
	// Both runs are under way before either answer comes.
	s.znet.SetDown(znettest.Empty().After(2 * time.Second))
	s.db.MakeAllDue()
	if n := said(twoHosts(t, s), "is failing"); n != 1 {
		t.Errorf("the panel's failing was mailed by %d hosts, want 1", n)
	}
}

// The same for a panel that answers again.
func TestTwoHostsMailAPanelThatAnswersAgainOnce(t *testing.T) {
	t.Parallel()
	s, ids, _, _ := shopWithAFailingPanel(t, "81", "82", "83")
	s.znet.SetDown(nil)
	for _, ref := range []string{"81", "82", "83"} {
		s.znet.Script(ref, znettest.Waiting("bekliyor").After(2*time.Second))
	}
	s.db.ExpireClaims()
	for _, id := range ids {
		s.db.MakeDue(id)
	}
	if n := said(twoHosts(t, s), "answers again"); n != 1 {
		t.Errorf("the panel's answering again was mailed by %d hosts, want 1", n)
	}
}

// A signal ends a run's wait for its turn to report: a person who pressed
// Ctrl-C and saw nothing for 5 s pressed it again, and the second signal
// killed the run before it was recorded (helper-348).
func TestASignalEndsTheWaitForTheTurnToReport(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("91")
	s.znet.Script("91", znettest.Waiting("bekliyor").After(time.Second))
	s.db.MakeAllDue()
	// Another run has the turn, and keeps it.
	s.db.Exec(`UPDATE zwatch_state SET moved_at = now() + interval '80 seconds' WHERE name = 'report'`)
	ctx, signal := context.WithCancel(t.Context())
	var out, errOut bytes.Buffer
	ended := zwatchInBackground(t, ctx, cmd.IOStreams{Out: &out, ErrOut: &errOut},
		"check-pending", "-q", "--loop", "0", "--database-url", s.db.URL)
	// The run asks, then waits for the turn.
	for deadline := time.Now().Add(30 * time.Second); ; {
		var waiting int
		// Once its answer is saved.
		s.db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			  AND query LIKE '%take the turn to report a run%'
			  AND EXISTS (SELECT FROM zwatch_order_checks WHERE order_id = $1 AND attempts > 0)`, id)
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not wait for its turn to report within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	signalled := time.Now()
	signal()
	code := ended(time.Minute)
	after := time.Since(signalled)
	t.Logf("exit %d, %s after the signal\n%s%s", code, after.Round(time.Millisecond), out.String(), errOut.String())
	if after >= 4*time.Second {
		t.Errorf("the run ended %s after the signal, waiting out its turn to report", after.Round(time.Millisecond))
	}
	var recorded int
	s.db.Get(&recorded, `SELECT count(*) FROM zwatch_runs`)
	if recorded != 1 {
		t.Errorf("%d runs recorded, want the stopped one", recorded)
	}
}

// A person's transaction left open on the turn's row (freeing a turn by
// hand, say) is said as the other locks on zwatch's own tables are: each
// run reported as if alone, and -q said nothing (helper-350).
func TestALockOnTheTurnToReportIsSaid(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const pin = "OWN-LOCK-PIN-7781"
	id := s.order("7781")
	s.znet.Script("7781", znettest.Done(pin, "tamam"))
	s.db.BeginHolding(`SELECT 1 FROM zwatch_state WHERE name = 'report' FOR UPDATE`)
	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "0")
	if got := s.db.ReadOrder(id); got.PINCode == nil || *got.PINCode != pin {
		t.Errorf("the order's PIN %v, want it saved", got.PINCode)
	}
	const says = "another transaction holds a lock on the rows or tables zwatch reads"
	if r.code != cmd.ExitOK || !strings.Contains(r.stderr, "turn to report") || !strings.Contains(r.stderr, says) {
		t.Errorf("with the turn's row locked: exit %d, want %d and a warning of the turn saying %q\n%s", r.code, cmd.ExitOK, says, r.all())
	}
}

// A turn's row that is not there (deleted by hand, left out of a restore)
// is said at once: each run waited for a turn that never came, and -q said
// nothing (helper-350).
func TestAMissingTurnToReportIsSaid(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("7782")
	s.znet.Script("7782", znettest.Done("MISSING-ROW-PIN-7782", "tamam"))
	s.db.Exec(`DELETE FROM zwatch_state WHERE name = 'report'`)
	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "0")
	if r.code != cmd.ExitOK || !strings.Contains(r.stderr, "no 'report' row") {
		t.Errorf("with the turn's row missing: exit %d, want %d and a warning naming the row\n%s", r.code, cmd.ExitOK, r.all())
	}
}
