package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A statement_timeout the shop's DBA set for zwatch's role, shorter than
// zwatch's own waits, cut a run's claim short while another run's
// registering held the order: the line gave the server's words alone
// ("canceling statement due to statement timeout"), which do not say
// whose setting it is or what to set instead (helper-323).
func TestAStatementTimeoutOfTheRolesSaysWhatToSet(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	role, asRole := runtimeRole(t, s.db)
	id := s.order("8801")
	s.znet.Script("8801", znettest.Done("STMT-T1ME-0UT0-8801", "tamam"))
	s.db.Exec(`ALTER ROLE "` + role + `" SET statement_timeout = '300ms'`)
	registering := s.db.BeginHolding(`INSERT INTO zwatch_order_checks (order_id, next_check_at) VALUES ($1, now())`, id)
	defer registering.Rollback()

	r := zwatchAt(t, asRole, "check", "--order", id)

	if r.code != 1 || !strings.Contains(r.stderr, "statement_timeout set for the role zwatch connects as") ||
		!strings.Contains(r.stderr, "ALTER ROLE ... SET statement_timeout = '30s', or RESET it") {
		t.Errorf("exit %d, want 1 and a line saying the role's statement_timeout cut it short and what to set:\n%s", r.code, r.all())
	}
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines != 0 {
		t.Errorf("%d lines on stderr, want one:\n%s", lines+1, r.stderr)
	}
}
