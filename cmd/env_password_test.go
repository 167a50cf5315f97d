package cmd_test

import (
	"strings"
	"testing"
)

// The database password never reaches a message: a usage error quoting an
// argument that holds it was redacted where the password came in
// --database-url, not where it came in $DATABASE_URL or $PGPASSWORD, where
// crontab.example and a systemd unit put it (an operator adversary's find).
func TestAPasswordFromTheEnvironmentIsRedactedLikeOneFromTheFlag(t *testing.T) {
	const pw = "Hunter2Secret"
	for _, env := range []struct{ key, value string }{
		{"DATABASE_URL", "postgres://zwatch:" + pw + "@db.internal/shop"},
		{"PGPASSWORD", pw},
	} {
		t.Run(env.key, func(t *testing.T) {
			t.Setenv("DATABASE_URL", "")
			t.Setenv(env.key, env.value)
			var errOut strings.Builder
			r := runMain([]string{"list", "--limit", pw}, &errOut)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r.all())
			}
			assertNoSecret(t, "stderr", r.stderr, pw)
		})
	}
}
