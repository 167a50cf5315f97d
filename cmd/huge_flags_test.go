package cmd_test

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"
)

// Flags with a floor and no ceiling: --concurrency 2000000000 sized a
// channel by it and the process died out of memory with a Go trace of
// hundreds of lines (exit 2, as if a usage error, but no line said so);
// --max-duration near Go's largest duration overflowed the run's last
// deadline, and the run was given up as hung at once. Each is a usage
// error now: one line, exit 2, nothing claimed or recorded. Run as a
// process, because a runtime fatal error cannot be recovered in-process.
func TestHugeFlagValuesAreUsageErrors(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("81")
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--concurrency", "2000000000"}, "--concurrency must be from 1 to 1000"},
		{[]string{"--per-integration", "1000000", "--dry-run"}, "--per-integration must be from 1 to 1000"},
		{[]string{"--max-duration", "2562047h47m"}, "--max-duration must be at most 24h"},
		{[]string{"--give-up-after", "100000h"}, "--give-up-after must be at most 720h"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		args := append([]string{"check-pending", "--loop", "0"}, tc.flags...)
		c := exec.CommandContext(ctx, zwatchBinary(t), append(args, "--database-url", s.db.URL)...)
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		_ = c.Run()
		cancel()
		if code := c.ProcessState.ExitCode(); code != 2 || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, want 2 and nothing on stdout\nstdout: %s\nstderr: %.500s", tc.flags, code, stdout.String(), stderr.String())
		}
		oneLine(t, stderr.String(), tc.want)
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.LastSyncAt != nil {
		t.Errorf("bad input changed the order: %+v", row)
	}
	if rows := s.db.Bookkeeping().Rows; rows != 0 {
		t.Errorf("bad input wrote %d bookkeeping rows (claims, a run record)", rows)
	}
}
