package cmd_test

import (
	"strings"
	"testing"
)

// An empty command name (a cron line's `zwatch "$CMD"` with CMD unset) or
// a command after "--" is no command zwatch has: a usage error, exit 2 and
// one line, as `zwatch bogus` is; not the help on stdout and exit 0, which
// an alert on the exit status never sees (an operator adversary's find).
// zwatch alone still shows its help.
func TestAnEmptyOrQuotedCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{""}, {"--", "bogus"}, {"--", "check-pending"}, {"bogus"}} {
		var errOut strings.Builder
		r := runMain(args, &errOut)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("zwatch %q: exit %d, stderr %q, stdout %d bytes; want exit 2 and one line", args, r.code, r.stderr, len(r.stdout))
		}
	}
	var errOut strings.Builder
	if r := runMain(nil, &errOut); r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
		t.Errorf("zwatch alone: exit %d, want its help and 0\n%s", r.code, r.all())
	}
}
