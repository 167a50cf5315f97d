package cmd_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A transaction of the shop that holds product_orders whole (an ALTER
// TABLE that rewrites it, a VACUUM FULL, a LOCK TABLE) makes no command
// wait for it: each says so in one line within seconds, exits 1 and
// changes nothing, so that cron does not stack a process and a connection
// a minute behind the lock, and a person is not left looking at nothing.
func TestCommandsDoNotWaitForAShopTableLock(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("R1")
	s.znet.Script("R1", znettest.Done("AB12-CD34-EF56", "tamam"))
	before := s.db.OrdersByState()

	tx, err := s.db.SQL.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE product_orders IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{
		{"check-pending"},
		{"check-pending", "--dry-run"},
		{"check-pending", "-q", "--loop", "0"}, // cron's: its mail is the one line
		{"check-pending", "--loop", "3s"},      // a loop the lock outlasts did nothing, and fails
		{"list", "--pending"},
		{"stats"},
		{"check", "--order", id},
		{"retry", "--stuck"},
	} {
		done := make(chan result, 1)
		go func() { done <- zwatch(t, s.db, args...) }()
		var r result
		select {
		case r = <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("%v still waits for the shop's table lock after 60 s", args)
		}
		// A run logs as it goes; its last line is the reason it ends.
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		last := lines[len(lines)-1]
		if (args[0] != "check-pending" || slices.Contains(args, "-q")) && (len(lines) != 1 || r.stdout != "") {
			t.Errorf("%v: %d lines on stderr and %d bytes on stdout, want one line and nothing\n%s", args, len(lines), len(r.stdout), r.all())
		}
		if r.code != 1 || !strings.HasPrefix(last, "zwatch: ") || !strings.Contains(last, "holds a lock") || strings.Contains(r.stderr, "pq:") {
			t.Errorf("%v: exit %d, want 1 and a last line saying the shop holds a lock\n%s", args, r.code, r.all())
		}
	}

	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if after := s.db.OrdersByState(); !sameCounts(before, after) {
		t.Errorf("orders by state %v, before the lock %v: the commands changed them", after, before)
	}
	if asked := s.znet.TotalRequests(); asked != 0 {
		t.Errorf("znet was asked %d times while the shop held its table", asked)
	}
}

// A lock that lets zwatch read product_orders but not write it (SHARE ROW
// EXCLUSIVE, as some migrations and reports take) leaves znet's answers
// unsaved to the end of the run: the run says what held them, in words,
// rather than a driver's error and advice about grants.
func TestAnswersAShopLockKeptFromBeingSavedAreSaidSo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, ref := range []string{"R1", "R2"} {
		s.order(ref)
	}
	s.znet.SetDefault(znettest.DoneEach("AB12-CD34-EF56", "tamam"))
	tx, err := s.db.SQL.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE product_orders IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	r := zwatch(t, s.db, "check-pending")
	_ = tx.Rollback()
	if r.code != 1 || !strings.Contains(r.stdout, "another transaction held a lock their statements needed all the while") ||
		!strings.Contains(r.stderr, "another transaction held a lock zwatch needed all the while") || strings.Contains(r.all(), "grants") {
		t.Errorf("exit %d, want 1, and the summary and the last line saying a shop's lock held the answers\n%s", r.code, r.all())
	}
	if n := s.db.OrdersIn("completed"); n != 0 {
		t.Errorf("%d orders completed behind the lock", n)
	}
}

func sameCounts(a, b map[string]map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, m := range a {
		if len(m) != len(b[k]) {
			return false
		}
		for state, n := range m {
			if b[k][state] != n {
				return false
			}
		}
	}
	return true
}
