package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A dry run says and exits as the run it foresees: it read no earlier
// run, so a panel still failing with none of its orders due gave 0 where
// the run after it exits 3, and a panel answering again went unsaid
// (helper-351).
func TestADryRunForeseesWhatEarlierRunsFound(t *testing.T) {
	t.Parallel()
	for _, answersAgain := range []bool{false, true} {
		s := newShop(t)
		var ids []string
		for _, ref := range []string{"7001", "7002", "7003"} {
			ids = append(ids, s.order(ref))
		}
		s.znet.SetDown(znettest.Empty())
		s.db.MakeAllDue()
		if r := zwatch(t, s.db, "check-pending", "--loop", "0"); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
			t.Fatalf("the first run: exit %d, want 3 and the panel failing\n%s", r.code, r.all())
		}
		s.db.ExpireClaims()
		if answersAgain {
			s.znet.SetDown(nil)
			s.znet.SetDefault(znettest.Waiting("bekliyor"))
			for _, id := range ids {
				s.db.MakeDue(id)
			}
		}
		dry := zwatch(t, s.db, "check-pending", "--dry-run")
		run := zwatch(t, s.db, "check-pending", "--loop", "0")
		if dry.code != run.code {
			t.Errorf("answers again %v: the dry run exits %d, the run after it %d\ndry run:\n%s\nrun:\n%s", answersAgain, dry.code, run.code, dry.all(), run.all())
		}
		for _, says := range []string{"is still failing", "answers again"} {
			if strings.Contains(run.stdout, says) && !strings.Contains(dry.stdout, says) {
				t.Errorf("answers again %v: the run says %q, the dry run before it does not\ndry run:\n%s\nrun:\n%s", answersAgain, says, dry.all(), run.all())
			}
		}
	}
}

// A cron line whose --tick the run refuses is refused with --dry-run too,
// though a dry run asks once (helper-351).
func TestADryRunRefusesATickTheRunRefuses(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var runErr, dryErr strings.Builder
	// As cron gives it: not through zwatch(), which adds --loop 0.
	run := runMain([]string{"check-pending", "--tick", "1h", "--database-url", s.db.URL}, &runErr)
	dry := runMain([]string{"check-pending", "--tick", "1h", "--dry-run", "--database-url", s.db.URL}, &dryErr)
	if run.code != 2 || dry.code != 2 {
		t.Errorf("--tick 1h: the run exits %d, with --dry-run %d; want 2 for both\n%s\n%s", run.code, dry.code, run.all(), dry.all())
	}
	oneLine(t, dry.stderr, "--tick 1h0m0s must be at most --loop")
}
