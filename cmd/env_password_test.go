package cmd_test

import (
	"net/url"
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

// A password with a quote, a backslash or a tab, pasted into a flag by
// mistake, is quoted by the usage error as %q shows it: escaped, it was
// not the form redacted, and went to stderr (a bad-input adversary's
// find). So was one a key=value setting escapes ('Hunt\'er...').
func TestAPasswordPastedIntoAFlagIsRedactedAsTheErrorQuotesIt(t *testing.T) {
	for _, c := range []struct{ name, settings, pw string }{
		{"url-quote", "postgres://zwatch:" + url.QueryEscape(`Hunt"er2Secret`) + "@db.internal/shop", `Hunt"er2Secret`},
		{"url-backslash", "postgres://zwatch:" + url.QueryEscape(`Hunt\er2Secret`) + "@db.internal/shop", `Hunt\er2Secret`},
		{"url-tab", "postgres://zwatch:" + url.QueryEscape("Hunt\ter2Secret") + "@db.internal/shop", "Hunt\ter2Secret"},
		{"key-value-quote", `host=db.internal dbname=shop password='Hunt\'er2Secret'`, `Hunt'er2Secret`},
		{"key-value-backslash", `host=db.internal dbname=shop password='Hunt\\er2Secret'`, `Hunt\er2Secret`},
		{"key-value-escaped-space", `host=db.internal dbname=shop password=Hunt\ er2Secret`, `Hunt er2Secret`},
		{"key-value-escaped-letter", `host=db.internal dbname=shop password='Hunt\qer2Secret'`, `Huntqer2Secret`},
	} {
		for _, where := range []string{"environment", "flag"} {
			t.Run(c.name+"/"+where, func(t *testing.T) {
				t.Setenv("DATABASE_URL", "")
				t.Setenv("PGPASSWORD", "")
				args := []string{"list", "--order", c.pw}
				if where == "environment" {
					t.Setenv("DATABASE_URL", c.settings)
				} else {
					args = append(args, "--database-url", c.settings)
				}
				var errOut strings.Builder
				r := runMain(args, &errOut)
				if r.code != 2 {
					t.Errorf("exit %d, want 2\n%s", r.code, r.all())
				}
				assertNoSecret(t, "stderr", r.stderr, "er2Secret")
			})
		}
	}
}
