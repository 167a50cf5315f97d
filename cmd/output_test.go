package cmd_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Names and PINs come from the shop's rows: whatever they hold must not
// reach the operator's terminal as control sequences.
func TestShopTextCannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.RenameIntegration(s.integ, "evil\x1b[31mRED\x1b[0m\x07\u202e")
	done := s.order("91")
	s.znet.Script("91", znettest.Done("AB12-CD34-EF56-GH78", "ok"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	// A PIN written by the shop or staff, not by zwatch, which cleans
	// what znet sends.
	s.db.Decide(done, "approved", "AB12\x1b]0;owned\x07-GH78")

	// DEL and a C1 control, which encoding/json leaves raw: the JSON
	// must stay JSON.
	s.db.RenameIntegration(s.integ, "evil\x1b[31mRED\x1b[0m\x07\u202e\x7f\u009b")
	r := zwatch(t, s.db, "list", "--completed", "-o", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 {
		t.Errorf("list -o json is not JSON (%v):\n%s", err, r.stdout)
	}
	if strings.ContainsAny(r.stdout, "\x7f\u009b") {
		t.Errorf("list -o json printed DEL or a C1 control raw:\n%q", r.stdout)
	}
	for _, args := range [][]string{
		{"list", "--completed", "--show-pin"},
		{"check-pending"},
		{"balance"},
		{"stats"},
	} {
		r := zwatch(t, s.db, args...)
		if r.code != 0 && r.code != cmd.ExitAttention {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.all())
		}
		// check-pending has nothing due, and names no integration.
		if args[0] != "check-pending" && !strings.Contains(r.stdout, `evil\u001b[31mRED`) {
			t.Errorf("%v did not show the integration's name, escaped:\n%q", args, r.stdout)
		}
		if strings.ContainsAny(r.all(), "\x1b\x07\u202e\x7f\u009b") {
			t.Errorf("%v printed a control character:\n%q", args, r.all())
		}
		assertTablesAligned(t, args, r.stdout)
	}
	r = zwatch(t, s.db, "list", "--completed", "--show-pin")
	if !strings.Contains(r.stdout, `AB12\u001b]0;owned\u0007-GH78`) {
		t.Errorf("the PIN is not shown with its control characters escaped:\n%s", r.stdout)
	}
}

// assertTablesAligned checks that every line of a table's box has the
// width of its first border: a cell escaped after its width was measured
// pushes its row's border out of line.
func assertTablesAligned(t *testing.T, args []string, out string) {
	t.Helper()
	width := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "┌") && !strings.HasPrefix(line, "│") && !strings.HasPrefix(line, "├") && !strings.HasPrefix(line, "└") {
			width = 0
			continue
		}
		n := utf8.RuneCountInString(line)
		if strings.HasPrefix(line, "┌") {
			width = n
		}
		if n != width {
			t.Errorf("%v: a table's line is %d characters wide, its border %d:\n%s", args, n, width, out)
			return
		}
	}
}

type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A table that could not be written is not a success: a DBA piping
// --print-grants into a file on a full disk would apply nothing.
func TestOutputThatCannotBeWrittenFailsTheCommand(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	role, _ := s.db.NewRole()
	var errOut strings.Builder
	code := cmd.Main(context.Background(), []string{"migrate", "--print-grants", role, "--database-url", s.db.URL},
		cmd.IOStreams{Out: fullDisk{}, ErrOut: &errOut})
	if code != cmd.ExitFatal || strings.Count(errOut.String(), "\n") != 1 || !strings.Contains(errOut.String(), "no space left") {
		t.Errorf("exit %d, want %d and one line saying why\n%s", code, cmd.ExitFatal, errOut.String())
	}
}

// What stdout escapes, stderr must too: the one error line, the logs in
// JSON (cron's), and the metrics file an operator may cat. A newline in a
// name must not forge a table row.
func TestShopTextCannotDriveTheTerminalFromStderrOrTheMetrics(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const hostile = "evil\x1b]0;T\x07\u202e\u200b\u115f\nforged line"
	s.db.RenameIntegration(s.integ, hostile)
	s.order("94")
	s.znet.Script("94", znettest.Garbage("OK|7| |garip"))
	metricsFile := filepath.Join(t.TempDir(), "zwatch.prom")
	r := zwatch(t, s.db, "check-pending", "--log-format", "json", "--metrics-file", metricsFile)
	if r.code != cmd.ExitAttention || !strings.Contains(r.stderr, `evil\u001b]0;T\u0007\u202e\u200b\u115f\nforged line`) {
		t.Errorf("check-pending: exit %d, want %d and a warning naming the integration, escaped\n%s", r.code, cmd.ExitAttention, r.all())
	}
	metrics, err := os.ReadFile(metricsFile)
	if err != nil {
		t.Fatal(err)
	}
	broken := s.db.AddIntegration(storetest.Integration{Name: hostile, Kod: dealerCode, Sifre: password})
	order := s.db.AddOrder(storetest.Order{IntegrationID: broken, Referans: "95", OrderNo: 1095})
	check := zwatch(t, s.db, "check", "--order", order)
	if check.code == 0 || !strings.Contains(check.stderr, `evil\u001b]0;T\u0007\u202e\u200b\u115f`) {
		t.Errorf("check of a panel without a base URL: exit %d, want an error naming the integration, escaped\n%s", check.code, check.all())
	}
	for what, text := range map[string]string{"check-pending": r.all(), "the metrics file": string(metrics), "check": check.all()} {
		if strings.ContainsAny(text, "\x1b\x07\u202e\u200b\u115f") {
			t.Errorf("%s wrote a control character raw:\n%q", what, text)
		}
	}
	for _, args := range [][]string{{"list", "--order", order}, {"balance"}, {"stats"}} {
		r := zwatch(t, s.db, args...)
		for _, line := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, "│ "), "forged line") {
				t.Errorf("%v: a newline in a name began a row of its own:\n%s", args, r.stdout)
				break
			}
		}
	}
}
