package cmd_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

func TestCommandsRefuseToRunBeforeMigrate(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	for _, args := range [][]string{
		{"check-pending"},
		{"check", "--order", "3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44"},
		{"list", "--pending"},
	} {
		r := zwatch(t, db, args...)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1", args, r.code)
		}
		oneLine(t, r.stderr, "run zwatch migrate")
	}
	if tables := db.ZwatchTables(); tables != 0 {
		t.Errorf("a refused command created %d zwatch tables", tables)
	}
}

func TestMigrateThenAgain(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	if r := zwatch(t, db, "migrate"); r.code != 0 || !strings.Contains(r.stdout, "applied") {
		t.Fatalf("first migrate: exit %d\n%s", r.code, r.all())
	}
	r := zwatch(t, db, "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("second migrate: exit %d\n%s", r.code, r.all())
	}
	r = zwatch(t, db, "migrate", "--status")
	if r.code != 0 || strings.Contains(r.stdout, "pending") || !strings.Contains(r.stdout, "applied") {
		t.Errorf("migrate --status: exit %d\n%s", r.code, r.all())
	}
	if r := zwatch(t, db, "list"); r.code != 0 {
		t.Errorf("list after migrate: exit %d\n%s", r.code, r.all())
	}
}

func TestUnreachableDatabaseIsOneLineWithoutPassword(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"check-pending"}, {"list"}, {"migrate"}} {
		r := result{}
		var out, errOut strings.Builder
		_ = out
		args = append(args, "--database-url", "postgres://shop:db-Secret-1@127.0.0.1:1/shopdb")
		r = runMain(args, &errOut)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1", args, r.code)
		}
		oneLine(t, r.stderr, "host 127.0.0.1 port 1 database shopdb")
		assertNoSecret(t, "stderr", r.stderr, "db-Secret-1")
	}
}

// A password pasted into a URL unescaped makes the URL unparsable, and the
// parser quotes the URL back: the password must not come with it, whatever
// characters it holds.
func TestMalformedDatabaseURLNeverShowsItsPassword(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"pa/ss-Secret", "pa ss-Secret", "pa?ss-Secret", "pa#ss-Secret", "pa%ZZss-Secret", `pa"ss-Secret`,
		"pa\nss-Secret", "pa\tss-Secret",
		// These parse: "ss" reads as the host, the rest as part of the
		// database, a parameter or a fragment.
		"pa@ss/ss-Secret", "pa@ss:5432/ss-Secret", "pa@ss?ss-Secret", "pa@ss/w?ss-Secret", "pa@ss#ss-Secret",
		"pa@ss?x=ss-Secret", "pa@ss?sslmode=ss-Secret", "pa@ss/w?x=ss-Secret"} {
		var errOut strings.Builder
		r := runMain([]string{"list", "--database-url", "postgres://shop:" + pw + "@127.0.0.1:1/shopdb"}, &errOut)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("password %q: exit %d, want one line on stderr and exit 2:\n%s", pw, r.code, r.stderr)
		}
		// The parser's own detail quotes pieces too: invalid port ":pa",
		// invalid URL escape "%ZZ".
		for _, piece := range []string{pw, "ss-Secret", `:pa"`, "%ZZ"} {
			if strings.Contains(r.stderr, piece) {
				t.Errorf("password %q: stderr shows %q:\n%s", pw, piece, r.stderr)
			}
		}
	}
}

// Settings that cannot be read are the operator's input, refused like a bad
// flag (exit 2, before zwatch connects anywhere), and the line says what is
// wrong with them: a URL whose port is no number is not told to escape its
// password.
func TestUnreadableDatabaseSettingsAreUsageErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ settings, says string }{
		{"postgres://shop:db-Secret-1@127.0.0.1:notaport/shopdb", `invalid port ":notaport" after host`},
		{"postgres://shop:db-Secret-1@127.0.0.1:1/shopdb?sslmode=bogus", `"sslmode"`},
		{"postgres://shop:db-Secret-1@127.0.0.1:99999/shopdb", `wrong value for "port": "99999" is out of range`},
		{"postgres://shop:db-Secret-1@127.0.0.1:1/shopdb?connect_timeout=abc", `wrong value for "connect_timeout": "abc" is not a whole number`},
		{"postgres://shop:db-Secret-1@127.0.0.1:1/shopdb?sslsni=maybe", `wrong value for "sslsni": "maybe" is not on or off`},
		{"postgres://shop:db-Secret-1@127.0.0.1/shopdb?port=-1", `wrong value for "port": "-1" is negative`},
		{"postgres://shop:db-Secret-1@127.0.0.1:1/sh\nopdb", `the URL holds a control character`},
		{"host=127.0.0.1 port=1 password=db-Secret-1 connect_timeout=soon", "key=value settings that cannot be read: connect_timeout takes a whole number"},
		// The setting named, what was given not quoted: a password with a
		// space and no quotes puts its tail there.
		{"host=127.0.0.1 sslmode=bogus password=db-Secret-1", "sslmode takes disable, allow, prefer, require, verify-full, or verify-ca"},
		{"host=127.0.0.1 password=db sslmode=Secret-1", "sslmode takes disable, allow"},
		{"host=127.0.0.1 port=99999 password=db-Secret-1", "port takes a whole number"},
		// Not a fault of quoting: the service is not found. The line does
		// not quote the service's name, which may be the rest of a
		// password written with a space and no quotes.
		{"password=ab service=db-Secret-1", `the settings name a service`},
		{"postgres://127.0.0.1:1/shopdb?password=ab&service=db-Secret-1", `the settings name a service`},
		// A failover list, which the driver misread in a URL and every run
		// then said unreachable (a bad-input adversary's find).
		{"postgresql://shop:db-Secret-1@127.0.0.1:5432,127.0.0.1:5433/shopdb", `names several hosts each with its own port, which the Go driver reads only from key=value settings`},
		{"postgres://shop:db-Secret-1@db1:5432,db2:5433/shopdb?sslmode=disable", `write them as host=db1,db2 port=5432,5433`},
	} {
		var errOut strings.Builder
		r := runMain([]string{"list", "--database-url", c.settings}, &errOut)
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2", c.settings, r.code)
		}
		oneLine(t, r.stderr, "zwatch: --database-url: database settings are not valid: ")
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%s: %q does not say %s", c.settings, r.stderr, c.says)
		}
		if strings.Contains(r.stderr, "percent-escape") {
			t.Errorf("%s: %q blames the password", c.settings, r.stderr)
		}
		if strings.Contains(r.stderr, "strconv.") || strings.Contains(r.stderr, "net/url:") {
			t.Errorf("%s: %q is in the parser's words, not the operator's", c.settings, r.stderr)
		}
		assertNoSecret(t, "stderr", r.stderr, "db-Secret-1")
	}
}

// A URL's failover list with one port for all, which the driver reads
// well, connects: only one with a port for each host is refused (a
// reviewer's find: the first refusal took both).
func TestAURLsFailoverListWithOnePortConnects(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	u, err := url.Parse(s.db.URL)
	if err != nil || u.Host == "" {
		t.Fatalf("the test database's URL %q has no host", s.db.URL)
	}
	u.Host = "nohost.invalid," + u.Host
	var errOut strings.Builder
	if r := runMain([]string{"list", "--database-url", u.String()}, &errOut); r.code != 0 {
		t.Errorf("list over %s: exit %d, want 0\n%s", u.Redacted(), r.code, r.all())
	}
}

// A password travels in a URL's password parameter too, and settings read
// from an env file may come with white space in front, which made the
// driver read a URL as key=value settings and quote a piece of it: the
// password shows in no part, and such a URL is read as the URL it is.
func TestDatabaseSettingsNeverShowAPasswordParameterOrPiece(t *testing.T) {
	t.Parallel()
	for _, settings := range []string{
		"postgres://shop@127.0.0.1:notaport/shopdb?password=Hunter2Secret",
		"postgres://sh op@127.0.0.1:1/shopdb?password=Hunter2Secret",
		"postgres://shop@127.0.0.1:1/shopdb?password=Hunter2\tSecret&connect_timeout=soon",
		"postgres://127.0.0.1:notaport/shopdb?password=Hunter2Secret",
		"postgres://shop:Hunter2Secret/shopdb", // the host and its "@" forgotten
		" postgres://shop:Hunter2 Secret@127.0.0.1:1/shopdb",
		"host=127.0.0.1 port=1 password=ab://cd Hunter2Secret",
	} {
		var errOut strings.Builder
		r := runMain([]string{"list", "--database-url", settings}, &errOut)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, want one line on stderr and exit 2:\n%s", settings, r.code, r.stderr)
		}
		for _, piece := range []string{"Hunter2", "Secret"} {
			if strings.Contains(r.stderr, piece) {
				t.Errorf("%q: stderr shows %q:\n%s", settings, piece, r.stderr)
			}
		}
	}
	// White space around readable settings is not part of them.
	var errOut strings.Builder
	r := runMain([]string{"list", "--database-url", " \tpostgres://shop:db-Secret-1@127.0.0.1:1/shopdb\n"}, &errOut)
	if r.code != 1 {
		t.Errorf("exit %d, want 1 (nobody listens on the port)", r.code)
	}
	oneLine(t, r.stderr, "host 127.0.0.1 port 1 database shopdb")
	assertNoSecret(t, "stderr", r.stderr, "db-Secret-1")
}

// URLs that only look like a password spilled over its host are read as
// written: nobody listens there (exit 1), rather than refused (exit 2).
func TestDatabaseURLsWithAnAtElsewhereAreRead(t *testing.T) {
	t.Parallel()
	for _, settings := range []string{
		"postgres://?host=/nonexistent-zwatch&port=1&user=zw@corp",
		"postgres://127.0.0.1:1/shop?sslmode=disable&sslrootcert=/etc/ssl/ca.pem&user=svc@REALM",
		"postgres://zw:pw@127.0.0.1:1/my%40db?sslmode=disable&application_name=a%40b",
		"postgres://127.0.0.1:1/my@db?sslmode=disable",
		"postgres://zw:p@ss@127.0.0.1:1/shop?sslmode=disable", // an "@" in the password, and nothing after it
	} {
		var errOut strings.Builder
		if r := runMain([]string{"list", "--database-url", settings}, &errOut); r.code != 1 {
			t.Errorf("%q: exit %d, want 1 (nobody listens there)\n%s", settings, r.code, r.stderr)
		}
	}
}

// A cron line whose database settings cannot be read is refused (exit 2),
// and its metrics file says so, for the alert on the last exit status.
func TestUnreadableDatabaseSettingsReachTheMetricsFile(t *testing.T) {
	t.Parallel()
	metrics := filepath.Join(t.TempDir(), "zwatch.prom")
	var errOut strings.Builder
	r := runMain([]string{"check-pending", "--metrics-file", metrics,
		"--database-url", "postgres://shop:db-Secret-1@127.0.0.1:notaport/shopdb"}, &errOut)
	if r.code != 2 {
		t.Errorf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	written, err := os.ReadFile(metrics)
	if err != nil || !strings.Contains(string(written), "zwatch_last_run_exit_status 2") {
		t.Errorf("metrics file (%v) does not record exit status 2:\n%s", err, written)
	}
	assertNoSecret(t, "metrics file", string(written), "db-Secret-1")
}

// key=value settings carry a password too: one with "://" in it is not a
// URL of another database, and one with a space the driver cannot read is
// not quoted back, not even in part.
func TestKeyValueSettingsNeverShowTheirPassword(t *testing.T) {
	t.Parallel()
	for _, settings := range []string{
		"host=127.0.0.1 port=1 user=u password='hunter2://Secret' dbname=d",
		"host=127.0.0.1 port=1 user=u password=hunter2 Secret dbname=d",
	} {
		var errOut strings.Builder
		r := runMain([]string{"list", "--database-url", settings}, &errOut)
		if r.code == 0 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, want one line on stderr and a failure:\n%s", settings, r.code, r.stderr)
		}
		for _, piece := range []string{"hunter2", "Secret"} {
			if strings.Contains(r.stderr, piece) {
				t.Errorf("%s: stderr shows %q:\n%s", settings, piece, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "is not PostgreSQL") {
			t.Errorf("%s: key=value settings taken for another database's URL:\n%s", settings, r.stderr)
		}
	}
}

// Key=value settings that read well fail for what went wrong, not as
// settings that cannot be read: here, nobody listens on the port.
func TestReadableKeyValueSettingsSayWhatFailed(t *testing.T) {
	t.Parallel()
	var errOut strings.Builder
	r := runMain([]string{"list", "--database-url", "host=127.0.0.1 port=1 user=u password=hunter2 dbname=d sslmode=disable"}, &errOut)
	if r.code == 0 || strings.Contains(r.stderr, "cannot be read") || strings.Contains(r.stderr, "hunter2") {
		t.Errorf("exit %d, want a failure that names the refused connection, without the password:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "refused") && !strings.Contains(r.stderr, "unreachable") {
		t.Errorf("stderr does not say the database could not be reached:\n%s", r.stderr)
	}
}

// A flag's bad value is said in an operator's words: an empty one (a
// variable the cron line did not set) as every empty value is, and a
// number or duration that is none without the parser's jargon.
func TestAFlagsBadValueIsSaidInTheOperatorsWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stats", "--first-delay", ""}, "zwatch: --first-delay was given an empty value (see zwatch stats --help)\n"},
		{[]string{"check-pending", "--rate="}, "zwatch: --rate was given an empty value (see zwatch check-pending --help)\n"},
		{[]string{"list", "--limit", " "}, "zwatch: --limit was given an empty value (see zwatch list --help)\n"},
		{[]string{"list", "--limit", "ten"}, `zwatch: --limit was given "ten", which is not a whole number (see zwatch list --help)` + "\n"},
		{[]string{"check-pending", "--loop", "58"}, `zwatch: --loop was given "58", which is not a duration such as 45s, 5m or 1h30m (see zwatch check-pending --help)` + "\n"},
		// Too far from zero: not "not a whole number", not "not a duration" (helper-311).
		{[]string{"list", "--limit", "99999999999999999999"}, `zwatch: --limit was given "99999999999999999999", which is out of range (see zwatch list --help)` + "\n"},
		{[]string{"stats", "--first-delay", "9999999h"}, `zwatch: --first-delay was given "9999999h", which is out of range (see zwatch stats --help)` + "\n"},
		// Every value given must be one the flag takes, the last one only held to its limits.
		{[]string{"check-pending", "--metrics-file", "--database-url=postgres://zwatch:Sekret99@db/shop"}, `zwatch: --metrics-file was given "--database-url=…", another flag: its own value is missing (a variable left empty before it?)` + "\n"},
		{[]string{"check-pending", "--schedule", "--database-url=postgres://zwatch:Sekret99@db/shop"}, `zwatch: --schedule was given "--database-url=…", another flag: its own value is missing (a variable left empty before it?)` + "\n"},
		{[]string{"check-pending", "--schedule", "-q"}, `zwatch: --schedule was given "-q", another flag: its own value is missing (a variable left empty before it?)` + "\n"},
		{[]string{"check-pending", "--schedule", "10s,\xc7"}, "zwatch: --schedule was given text that is not UTF-8: set the terminal or the script to UTF-8, as the shop's database is\n"},
		{[]string{"stats", "--first-delay", strings.Repeat("9", 70) + "h"}, `zwatch: --first-delay was given "` + strings.Repeat("9", 59) + `…", which is out of range (see zwatch stats --help)` + "\n"},
		{[]string{"check-pending", "--loop", "0", "--schedule", ",,", "--schedule", "8s"}, `zwatch: --schedule was given ",,": "" is not a duration like 30s or 2m (see zwatch check-pending --help)` + "\n"},
		{[]string{"check-pending", "--dry-run=maybe"}, `zwatch: --dry-run was given "maybe", which is not true or false (see zwatch check-pending --help)` + "\n"},
		{[]string{"check-pending", "--rate", "fast"}, `zwatch: --rate was given "fast": not a number (see zwatch check-pending --help)` + "\n"},
		// A variable left empty: the next word is taken for the value.
		{[]string{"check-pending", "--metrics-file", "-q"}, `zwatch: --metrics-file was given "-q", another flag: its own value is missing (a variable left empty before it?)` + "\n"},
		// One whose own value is then left over as an argument (helper-271's).
		{[]string{"check-pending", "--metrics-file", "--loop", "0"}, `zwatch: --metrics-file was given "--loop", another flag: its own value is missing (a variable left empty before it?)` + "\n"},
		{[]string{"migrate", "--print-grants", "--database-url", "host=h password=Sekret99 user=u"}, `zwatch: --print-grants was given "--database-url", another flag: its own value is missing (a variable left empty before it?)` + "\n"},
		{[]string{"--database-url", "check-pending"}, `zwatch: no command was given, only --database-url: --database-url took "check-pending" for its value (a variable left empty before it?) (see zwatch --help)` + "\n"},
		{[]string{"--log-format", "json"}, "zwatch: no command was given, only --log-format (see zwatch --help)\n"},
		// The same with the command's flags after it, as the cron line has
		// them: cobra said "unknown shorthand flag: 'q' in -q", or took the
		// metrics file's path for the command.
		{[]string{"--database-url", "check-pending", "-q"}, `zwatch: no command was given: --database-url took "check-pending" for its value (a variable left empty before it?) (see zwatch --help)` + "\n"},
		{[]string{"--database-url", "check-pending", "-q", "--metrics-file", "/var/lib/zwatch/zwatch.prom"}, `zwatch: no command was given: --database-url took "check-pending" for its value (a variable left empty before it?) (see zwatch --help)` + "\n"},
		{[]string{"--log-level", "check-pending", "--loop", "58s"}, `zwatch: no command was given: --log-level took "check-pending" for its value (a variable left empty before it?) (see zwatch --help)` + "\n"},
		// A schedule pasted long is named by its beginning (helper-267's).
		{[]string{"check-pending", "--schedule", strings.Repeat("9", 5000)}, `zwatch: --schedule was given "` + strings.Repeat("9", 59) + `…": "` +
			strings.Repeat("9", 30) + `" is not a duration like 30s or 2m (see zwatch check-pending --help)` + "\n"},
		// A name typed on a terminal set to ISO-8859-9 ("Çark").
		{[]string{"list", "--integration", "\xc7ark"}, "zwatch: --integration was given text that is not UTF-8: set the terminal or the script to UTF-8, as the shop's database is\n"},
		// Not quoted: a password in it, not UTF-8, is no text redaction finds.
		{[]string{"list", "--database-url", "zwatch:Gizli\xfd@db.internal:5432/shop"}, "zwatch: --database-url was given text that is not UTF-8: set the terminal or the script to UTF-8, as the shop's database is\n"},
		{[]string{"list", "--database-url", "postgres://zwatch@db/shop?password=G\xfczel"}, "zwatch: --database-url was given text that is not UTF-8: set the terminal or the script to UTF-8, as the shop's database is\n"},
	} {
		var errOut strings.Builder
		r := runMain(tc.args, &errOut)
		if r.code != 2 || r.stderr != tc.want || r.stdout != "" {
			t.Errorf("%q: exit %d\nstderr %q\nwant   %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestBadInputIsUsageAndChangesNothing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("1")
	for _, args := range [][]string{
		{"check-pending", "--batch", "0"},
		{"check-pending", "--concurrency", "-1"},
		{"check-pending", "--schedule", "10s,soon"},
		{"check-pending", "--schedule", "1m,1000h"}, // one run would leave its orders for weeks
		{"check-pending", "--first-delay", "1000h"},
		{"check-pending", "--first-delay", ""},
		{"stats", "--first-delay", ""},
		{"check-pending", "--output", "yaml"},
		{"check-pending", "--rate", "fast"},
		{"check-pending", "--rate", "Inf"},   // once a division by zero
		{"check-pending", "--rate", "NaN"},   // once a run that asked nothing and exited 0
		{"check-pending", "--rate", "1e10"},  // once a division by zero
		{"check-pending", "--rate", "0.001"}, // its spacing would hold every other run for hours
		{"list", "--integration", ""},        // an unset variable must not mean every integration
		{"list", "--order", " "},
		{"retry", "--stuck", "--integration", ""},
		{"balance", "--integration", ""},
		{"check-pending", "extra-arg"},
		{"check-pending", "--loop", "5m", "--max-duration", "1m"},
		{"check-pending", "--loop", "30s", "--dry-run"},
		{"check-pending", "--loop", "0", "--tick", "-1s"}, // once run past, as the tick was unused
		{"check-pending", "--dry-run", "--tick", "1ms"},
		// Unit slips: every order asked on every tick, given up on at its
		// first answer, or a healthy panel said to be failing.
		{"check-pending", "--schedule", "8s*4,50ms*6,6m"},
		{"check-pending", "--give-up-after", "1ns"},
		{"stats", "--give-up-after", "24ms"},
		{"check-pending", "--timeout", "1ns"},
		{"check", "--order", id, "--timeout", "10ms"},
		{"balance", "--timeout", "1us"},
		{"check-pending", "--schedule", "1s*+5"},
		{"check-pending", "--schedule", "1s*1000,2s"},
		{"retry", "--stuck", "--integration", "\xc7ark"},
		{"balance", "--integration", "\xc7ark"},
		{"migrate", "--print-grants", "\xc7ark"},
		{"check-pending", "--metrics-file", "--quiet"},
		{"check"},
		{"check", "--order", "not-a-uuid"},
		{"check", "--order", id, "--timeout", "0s"},
		{"check", "--order", id, "--timeout", "1000h"}, // killed, it would hold the order from every run for weeks
		{"check-pending", "--timeout", "3m"},
		{"list", "--limit", "0"},
		{"list", "--tenant", "acme"},
		{"list", "--pending", "--stuck"},
		{"list", "--output", "xml"},
		{"no-such-command"},
		{"list", "--log-level", "loud"},
	} {
		r := zwatch(t, s.db, args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.all())
		}
		if strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v: want one line on stderr and nothing on stdout, got\nstdout: %s\nstderr: %s", args, r.stdout, r.stderr)
		}
	}
	if s.znet.TotalRequests() != 0 {
		t.Errorf("bad input reached znet %d times", s.znet.TotalRequests())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.LastSyncAt != nil {
		t.Errorf("bad input changed the order: %+v", row)
	}
	if rows := s.db.Bookkeeping().Rows; rows != 0 {
		t.Errorf("bad input wrote %d bookkeeping rows", rows)
	}
}

func TestCheckPendingTableJSONAndQuiet(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("11")
	s.order("12")
	s.znet.Script("11", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	s.znet.Script("12", znettest.Waiting("bekliyor"))

	r := zwatch(t, s.db, "check-pending", "--log-level", "debug")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	for _, want := range []string{"ZNET-A", "COMPLETED", "TOTAL"} {
		if !strings.Contains(strings.ToUpper(r.stdout), want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	assertNoSecret(t, "output and logs", r.all(), "AB12-CD34-EF56-GH78", "GH78")
	if !strings.Contains(r.stderr, "asked znet") {
		t.Errorf("debug logs should have one line per order:\n%s", r.stderr)
	}

	// Nothing due now: quiet prints nothing at all.
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 || r.all() != "" {
		t.Errorf("quiet run: exit %d, printed:\n%s", r.code, r.all())
	}

	s.db.MakeAllDue()
	r = zwatch(t, s.db, "check-pending", "-o", "json")
	var summary struct {
		Total struct {
			Asked, Processing int
		} `json:"total"`
		Integrations []struct {
			Name string `json:"name"`
		} `json:"integrations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil {
		t.Fatalf("json output: %v\n%s", err, r.stdout)
	}
	if summary.Total.Asked != 1 || summary.Total.Processing != 1 || summary.Integrations[0].Name != "znet-A" {
		t.Errorf("json summary %+v", summary)
	}

	// Nothing due, as most runs: a list all the same, for jq's
	// .integrations[].
	r = zwatch(t, s.db, "check-pending", "-o", "json")
	if !strings.Contains(r.stdout, `"integrations": []`) {
		t.Errorf("json summary of a run with nothing due lists no integrations as []:\n%s", r.stdout)
	}
}

func TestCheckPendingExit3WhenAPanelFails(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, ref := range []string{"21", "22", "23", "24"} {
		s.order(ref)
	}
	s.znet.SetDown(znettest.HTMLPage(200))

	r := zwatch(t, s.db, "check-pending", "-q", "--per-integration", "1")

	if r.code != 3 {
		t.Errorf("exit %d, want 3\n%s", r.code, r.all())
	}
	if !strings.Contains(r.stdout, "integration znet-A is failing") || !strings.Contains(r.stdout, "HTML page") {
		t.Errorf("quiet output must still say which panel fails and why:\n%s", r.stdout)
	}
	assertNoSecret(t, "output", r.all())
}

// A key the server does not know (a typo: connect_timout) or a bad value
// in options is passed on to the server, which refuses it: settings that
// cannot be read, as psql would say before connecting (exit 2), in one
// line, not a refused connection (exit 1).
func TestAMistypedConnectionSettingIsAUsageError(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, extra := range []string{"connect_timout=3", "options=-c%20statement_timeout%3Dsoon"} {
		u := s.db.URL + "&" + extra
		if !strings.Contains(s.db.URL, "?") {
			u = s.db.URL + "?" + extra
		}
		before := s.db.Snapshot()
		r := zwatchAt(t, u, "check-pending")
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "connection settings") {
			t.Errorf("%s: exit %d, want 2 and one line naming the settings\n%s", extra, r.code, r.all())
		}
		if s.db.Snapshot() != before {
			t.Errorf("%s: the refused run changed the database", extra)
		}
	}
}

// README, "Upgrading": after the new zwatch's migrate, the owner applies
// its --print-grants again if it added a table, and only then puts the new
// binary in cron. Which migration adds a table is nowhere but in its SQL:
// migrate listed "applied 00013_panel_fits.sql" and nothing more, and the
// new binary then failed every run ("permission denied for table
// zwatch_panel_fits", exit 1) and delivered no PIN until someone thought
// of the grants. migrate must say so when what it applied created a table.
func TestMigrateThatAddsATableSaysToGrantIt(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	// The state a zwatch from before 00013 left: migrated up to 00011.
	provider, err := goose.NewProvider(goose.DialectPostgres, db.SQL.DB, store.Migrations(),
		goose.WithTableName("zwatch_schema_migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(context.Background(), 11); err != nil {
		t.Fatal(err)
	}

	r := zwatch(t, db, "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "applied 00013_panel_fits.sql") {
		t.Fatalf("migrate: exit %d\n%s", r.code, r.all())
	}
	if !strings.Contains(r.all(), "--print-grants") {
		t.Errorf("migrate created zwatch_panel_fits and did not say to apply --print-grants again for zwatch's role:\n%s", r.all())
	}

	// Nothing applied, nothing to grant.
	if again := zwatch(t, db, "migrate"); strings.Contains(again.all(), "--print-grants") {
		t.Errorf("a migrate that applied nothing asks for grants:\n%s", again.all())
	}
}

// A migrate killed after the migration that created a table (its index
// built CONCURRENTLY waits for a nightly pg_dump, and the ssh session
// drops), or run beside another that applied it, applies the rest without
// a word of grants: the operator, told to grant again "if migrate says
// so", did not, and the new binary failed every run as zwatch's role
// (helper-283). migrate now reads from the catalogue what the roles zwatch
// runs as lack, and says so, exit 3, until they have it.
func TestMigrateSaysWhatARoleZwatchRunsAsLacks(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	role, asRole := runtimeRole(t, s.db)
	// What the killed migrate's table left: the role never granted on it.
	s.db.Exec(`REVOKE ALL ON zwatch_panel_fits FROM ` + role)
	s.db.Exec(`REVOKE UPDATE ("lastSyncAt") ON product_orders FROM ` + role)

	r := zwatch(t, s.db, "migrate")
	if r.code != 3 || !strings.Contains(r.stdout, "up to date") {
		t.Errorf("migrate with nothing to apply and a role lacking grants: exit %d, want %d\n%s", r.code, 3, r.all())
	}
	want := "role " + role + " lacks grants zwatch's commands need (SELECT, INSERT, UPDATE on zwatch_panel_fits; " +
		`UPDATE ("lastSyncAt") on product_orders): run zwatch migrate --print-grants ` + role
	if !strings.Contains(r.stdout, want) {
		t.Errorf("migrate does not say what the role lacks; want %q in:\n%s", want, r.all())
	}
	if r := zwatchAt(t, asRole, "list"); r.code != 1 {
		t.Errorf("list as the role lacking grants: exit %d, want %d, as migrate warned\n%s", r.code, 1, r.all())
	}

	// Granted as migrate says, the role has what it needs, and migrate is
	// quiet again.
	s.db.Exec(zwatch(t, s.db, "migrate", "--print-grants", role).stdout)
	if r := zwatch(t, s.db, "migrate"); r.code != 0 || strings.Contains(r.all(), "lacks") || strings.Contains(r.all(), "--print-grants") {
		t.Errorf("migrate once the role holds the printed grants: exit %d, want 0 and no word of grants\n%s", r.code, r.all())
	}
}

// The roles migrate looks at are zwatch's, told by the grants only
// --print-grants gives (helper-287): a shop's role granted every table, a
// script's granted zwatch's table, and a runtime role retired with
// NOLOGIN stopped every migrate (exit 3) with advice to grant them the
// dealer passwords. A group's members are looked at, each with its own
// grants, and a name a shell would split is quoted in the command to run.
func TestMigrateLooksAtTheRolesZwatchRunsAs(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	script, _ := s.db.NewRole()
	s.db.Exec(`GRANT SELECT, UPDATE ON zwatch_order_checks TO ` + script)
	app, _ := s.db.NewRole()
	s.db.Exec(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ` + app)
	retired, _ := runtimeRole(t, s.db)
	s.db.Exec(`ALTER ROLE ` + retired + ` NOLOGIN; REVOKE ALL ON zwatch_panel_fits FROM ` + retired)

	group, _ := s.db.NewRole()
	s.db.Exec(`ALTER ROLE ` + group + ` NOLOGIN`)
	s.db.Exec(zwatch(t, s.db, "migrate", "--print-grants", group).stdout)
	member, _ := s.db.NewRole()
	s.db.Exec(`GRANT ` + group + ` TO ` + member)
	if r := zwatch(t, s.db, "migrate"); r.code != 0 || strings.Contains(r.all(), "lacks") {
		t.Errorf("migrate with no role of zwatch's lacking a grant: exit %d, want 0 and no word of one\n%s", r.code, r.all())
	}

	// NOINHERIT leaves the member without the group's grants.
	s.db.Exec(`ALTER ROLE ` + member + ` NOINHERIT`)
	r := zwatch(t, s.db, "migrate")
	if r.code != 3 || !strings.Contains(r.stdout, "role "+member+" lacks") || strings.Contains(r.stdout, "role "+group+" ") {
		t.Errorf("migrate with a NOINHERIT member of zwatch's group: exit %d, want 3 naming the member, not the group\n%s", r.code, r.all())
	}
	s.db.Exec(`ALTER ROLE ` + member + ` INHERIT`)

	spaced := "zw role " + strings.TrimPrefix(member, "zwatch_role_")
	s.db.NewRoleNamed(spaced)
	s.db.Exec(zwatch(t, s.db, "migrate", "--print-grants", spaced).stdout)
	s.db.Exec(`REVOKE USAGE ON SEQUENCE zwatch_order_events_id_seq FROM ` + pq.QuoteIdentifier(spaced))
	r = zwatch(t, s.db, "migrate")
	if want := "run zwatch migrate --print-grants '" + spaced + "'"; r.code != 3 || !strings.Contains(r.stdout, want) {
		t.Errorf("migrate with a role whose name holds spaces lacking a grant: exit %d, want 3 and %q\n%s", r.code, want, r.all())
	}
}
