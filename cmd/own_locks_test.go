package cmd_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A person's transaction left open on zwatch's own tables (a psql session
// in manual-commit mode, a LOCK TABLE) is waited on no longer than one on
// the shop's. A lock on the refit's turn or the panels' fits held every
// cron run for 108 s, past --max-duration, so that no order was asked and
// the run exited 0: no PIN delivered for as long as the lock stayed, and
// no alert. A lock on the runs or the migrations' record was given up as
// a silent connection, after 30 s or 2 minutes, sending the operator to
// the pooler. Now the run delivers its PINs with a warning naming a lock,
// and a command that cannot do without the table fails, saying so.
func TestALockOnZwatchsOwnTablesIsNoHang(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, lock string
		args       []string
		// delivers: a check-pending that completes its order and warns;
		// else the command exits 1 with a line naming the lock (its only
		// line, but for check-pending's warnings).
		delivers bool
	}{
		{"the refit's turn", `SELECT 1 FROM zwatch_state WHERE name = 'refit' FOR UPDATE`, []string{"check-pending", "-q", "--loop", "0"}, true},
		// The claim reads the fits too, and gives a lock up after 1 s: the
		// run fails, and says why, as for a lock on the shop's table.
		{"the panels' fits", `LOCK TABLE zwatch_panel_fits IN ACCESS EXCLUSIVE MODE`, []string{"check-pending", "-q", "--loop", "0"}, false},
		{"the runs, for check-pending", `LOCK TABLE zwatch_runs IN ACCESS EXCLUSIVE MODE`, []string{"check-pending", "-q", "--loop", "0"}, true},
		{"the runs, for stats", `LOCK TABLE zwatch_runs IN ACCESS EXCLUSIVE MODE`, []string{"stats"}, false},
		{"the migrations' record", `LOCK TABLE zwatch_schema_migrations IN ACCESS EXCLUSIVE MODE`, []string{"list", "--pending"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			const pin = "OWN-LOCK-PIN-7781"
			id := s.order("7781")
			s.znet.Script("7781", znettest.Done(pin, "tamam"))
			s.db.BeginHolding(c.lock)

			var out, errOut bytes.Buffer
			code := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out, ErrOut: &errOut}, append(c.args, "--database-url", s.db.URL)...)(time.Minute)
			all := out.String() + errOut.String()
			assertNoSecret(t, "the output", all, pin)
			const says = "another transaction holds a lock on the rows or tables zwatch reads"
			if strings.Contains(all, "a statement hangs") {
				t.Errorf("a lock was said as a silent connection:\n%s", all)
			}
			if !c.delivers {
				if code != cmd.ExitFatal || !strings.Contains(errOut.String(), says) {
					t.Errorf("%s under the lock: exit %d, want %d and a line saying %q:\n%s", strings.Join(c.args, " "), code, cmd.ExitFatal, says, all)
				}
				if c.args[0] != "check-pending" { // whose warnings come first
					oneLine(t, errOut.String(), says)
				}
				// Naming the step that waited ("registering newly sent
				// orders"), where a lock on zwatch's own table otherwise
				// read as the shop's (helper-353).
				if strings.Contains(errOut.String(), "zwatch: "+says) {
					t.Errorf("the line names no step that waited for the lock:\n%s", errOut.String())
				}
				return
			}
			if got := s.db.ReadOrder(id); got.PINCode == nil || *got.PINCode != pin {
				t.Errorf("the order after the run under the lock: %+v; want it completed holding the panel's PIN", got)
			}
			if code != cmd.ExitOK || !strings.Contains(errOut.String(), says) {
				t.Errorf("check-pending under the lock: exit %d; want %d and a warning saying %q:\n%s", code, cmd.ExitOK, says, all)
			}
		})
	}
}

// A person's transaction left open on a row of zwatch_order_checks that a
// run had claimed held the run up: handing the claims back waited on it,
// so the other orders' answers waited too, the run went on past
// --max-duration and failed at its deadline (exit 1). Now the held order
// alone is left, its claim to lapse, and the line says whose lock it is.
func TestARowOfZwatchsTableHeldAfterTheClaimHoldsNoOtherOrder(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	refs := []string{"7791", "7792", "7793"}
	ids := make([]string, len(refs))
	for k, ref := range refs {
		ids[k] = s.order(ref)
	}
	// The panel answers once the row is held, however long that takes the
	// test on a busy host.
	held := make(chan struct{})
	var release sync.Once
	t.Cleanup(func() { release.Do(func() { close(held) }) }) // before the panel's Close, which waits for its answers
	s.znet.SetResponder(func(ref string, _ int) znettest.Answer {
		<-held
		return znettest.Done("ROW-HELD-PIN-"+ref, "tamam")
	})
	var out, errOut bytes.Buffer
	wait := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out, ErrOut: &errOut},
		"check-pending", "--loop", "0", "--max-duration", "10s", "--database-url", s.db.URL)
	waitFor(t, "the run's claim", func() bool {
		var claimed int
		s.db.Get(&claimed, `SELECT count(*) FROM zwatch_order_checks WHERE order_id = $1 AND claimed_by IS NOT NULL`, ids[0])
		return claimed > 0
	})
	s.db.BeginHolding(`SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, ids[0])
	release.Do(func() { close(held) })

	code := wait(time.Minute)

	all := out.String() + errOut.String()
	for k, id := range ids[1:] {
		if got := s.db.ReadOrder(id); got.PINCode == nil || *got.PINCode != "ROW-HELD-PIN-"+refs[k+1] {
			t.Errorf("order %s beside the held row: %+v; want it completed holding its PIN", refs[k+1], got)
		}
	}
	if code != cmd.ExitAttention || !strings.Contains(errOut.String(), "zwatch_order_checks") {
		t.Errorf("check-pending with one claimed row held: exit %d, want %d and lines naming zwatch_order_checks:\n%s", code, cmd.ExitAttention, all)
	}
	assertNoSecret(t, "the output", all, "ROW-HELD-PIN-7791")
}

// A person's transaction holding one panel's row of zwatch_panel_budgets
// stopped every panel's asking: the reservation, one statement for all the
// panels of a run, waited on the row as long as the run could start
// requests, and the run exited 0 having asked nothing, without a word
// (helper-177). Now the held panel's orders are released unasked after
// BudgetGiveUp, with a line naming the table, the other panel's are
// asked, and the run exits 3.
func TestAPanelsBudgetRowHeldStopsNoOtherPanel(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	held := s.order("7801")
	s.znet.Script("7801", znettest.Done("HELD-BUDGET-PIN-7801", "tamam"))
	// Free panels, whose first reservations share the held one's
	// statement: none of them may be blamed for its row.
	free := map[string]string{}
	for k, name := range []string{"znet-B", "znet-C", "znet-D", "znet-E"} {
		panel, integ := s.panel(name, password)
		ref := strconv.Itoa(7802 + k)
		free[s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: ref, OrderNo: 7802 + k})] = "FREE-BUDGET-PIN-" + ref
		panel.Script(ref, znettest.Done("FREE-BUDGET-PIN-"+ref, "tamam"))
	}
	s.db.Exec(`INSERT INTO zwatch_panel_budgets (integration_id, next_free_at, reserved_by, reserved_at) VALUES ($1, now(), 'a person', now())`, s.integ)
	s.db.BeginHolding(`SELECT 1 FROM zwatch_panel_budgets WHERE integration_id = $1 FOR UPDATE`, s.integ)

	var out, errOut bytes.Buffer
	code := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out, ErrOut: &errOut},
		"check-pending", "--loop", "0", "--database-url", s.db.URL)(time.Minute)

	all := out.String() + errOut.String()
	for id, pin := range free {
		if got := s.db.ReadOrder(id); got.PINCode == nil || *got.PINCode != pin {
			t.Errorf("a free panel's order: %+v; want it completed holding its PIN", got)
		}
	}
	if got := s.db.ReadOrder(held); got.ExternalStatus != "sent" {
		t.Errorf("the held panel's order: %+v; want it still sent, asked by a later run", got)
	}
	if code != cmd.ExitAttention || !strings.Contains(all, "zwatch_panel_budgets") {
		t.Errorf("check-pending with a panel's budget row held: exit %d, want %d and a line naming zwatch_panel_budgets:\n%s", code, cmd.ExitAttention, all)
	}
	// The free panels' budgets are not said to fail: the held row's
	// statement is not blamed on them (a review's find).
	for _, line := range strings.Split(all, "\n") {
		if !strings.Contains(line, "znet-A") && strings.Contains(line, "cannot be reserved") {
			t.Errorf("a free panel's budget was said to fail:\n%s", line)
		}
	}
}
