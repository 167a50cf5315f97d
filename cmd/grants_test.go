package cmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// zwatchAt runs the command line in-process against the database at dbURL.
// Like zwatch, it makes a check-pending that does not say how long to loop
// claim once, so that a test forgetting --loop takes a second, not the 58
// of cron's default loop.
func zwatchAt(t *testing.T, dbURL string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(onceUnlessLooping(args), "--database-url", dbURL)
	code := cmd.Main(context.Background(), args, cmd.IOStreams{Out: &out, ErrOut: &errOut})
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// runtimeRole is a role holding exactly what `zwatch migrate --print-grants`
// prints, granted by the owner, in a database that gives PUBLIC nothing:
// the role can do what the printed grants allow, and nothing else.
func runtimeRole(t *testing.T, db *storetest.DB) (role, roleURL string) {
	t.Helper()
	db.RevokePublicDefaults()
	role, password := db.NewRole()
	r := zwatch(t, db, "migrate", "--print-grants", role)
	if r.code != 0 || !strings.Contains(r.stdout, "GRANT ") {
		t.Fatalf("migrate --print-grants: exit %d\n%s", r.code, r.all())
	}
	db.Exec(r.stdout) // as the owner, as a DBA pipes it into psql
	return role, db.URLAs(role, password)
}

// threeAnsweredOrders are three orders sent to the shop's panel, which
// answers one done (PIN AB12-CD34-EF56-GH78), one waiting and one cancelled.
func threeAnsweredOrders(s *shop) (done, waiting, cancelled string) {
	done, waiting, cancelled = s.order("41"), s.order("422"), s.order("4333")
	s.znet.Script("41", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	s.znet.Script("422", znettest.Waiting("bekliyor"))
	s.znet.Script("4333", znettest.Cancelled("iptal"))
	return done, waiting, cancelled
}

func TestEveryCommandWorksWithExactlyThePrintedGrants(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	_, asRole := runtimeRole(t, s.db)
	done, waiting, cancelled := threeAnsweredOrders(s)
	s.znet.SetBalance("12755.23")
	metrics := filepath.Join(t.TempDir(), "zwatch.prom")

	run := func(wantCode int, args ...string) result {
		t.Helper()
		r := zwatchAt(t, asRole, args...)
		if r.code != wantCode || strings.Contains(r.all(), "permission denied") {
			t.Errorf("%v as the role with the printed grants: exit %d, want %d\n%s", args, r.code, wantCode, r.all())
		}
		return r
	}

	if r := run(0, "migrate", "--status"); strings.Contains(r.stdout, "pending") {
		t.Errorf("migrate --status says something is pending after migrate:\n%s", r.stdout)
	}
	run(0, "check-pending", "--dry-run")
	run(0, "check-pending", "--loop", "0", "--metrics-file", metrics)
	for id, want := range map[string]string{done: "completed", waiting: "processing", cancelled: "failed"} {
		if got := s.db.ReadOrder(id).ExternalStatus; got != want {
			t.Errorf("order %s is %q after check-pending, want %q", id, got, want)
		}
	}
	s.db.MakeDue(waiting)
	run(0, "check-pending", "--loop", "1s", "--tick", "100ms", "--max-duration", "2s")
	if got := s.znet.Requests("422"); got < 2 {
		t.Errorf("the waiting order was asked %d times, want again in the --loop run", got)
	}
	run(0, "check", "--order", waiting, "--dry-run")
	run(0, "check", "--order", waiting)
	if got := s.db.ReadCheck(waiting).Attempts; got < 3 {
		t.Errorf("the waiting order has %d attempts after check --order, want at least 3", got)
	}
	stuck := s.order("45")
	s.db.AddCheck(stuck, storetest.Check{Attempts: 40, NextCheckIn: -1, GivenUp: true})
	run(0, "retry", "--stuck")
	if c := s.db.ReadCheck(stuck); c.GivenUpAt != nil {
		t.Errorf("retry --stuck as the role left the order given up: %+v", c)
	}
	run(0, "list")
	run(0, "list", "--completed")
	// A whole tenant id is looked up among the integrations too.
	s.db.AddIntegration(storetest.Integration{Name: "apstore", Provider: "apstore", TenantID: "3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44"})
	run(0, "list", "--tenant", "3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44")
	run(2, "list", "--tenant", "1eb0ea03-0000-0000-0000-000000000000")
	run(0, "stats")
	run(0, "stats", "-o", "json")
	run(0, "balance")
	run(0, "balance", "--save")
	if saved := s.db.SavedBalances(); len(saved) != 1 || saved[0].Balance == nil || *saved[0].Balance != "12755.230" || !saved[0].Fresh {
		t.Errorf("balance --save as the role saved %+v, want 12755.23 just now", saved)
	}
	// A backlog on the panel, and another tenant's order: the claims pass
	// over the panel (claimDuePassingOverSQL), with the same grants.
	// Waiting, as a backlog is: a panel refusing every order would be
	// failing.
	s.znet.SetDefault(znettest.Waiting("bekliyor"))
	s.db.AddSentOrders(storetest.SentOrders{IntegrationID: s.integ, Count: 300, FirstReferans: 470000, SentAgo: time.Hour, Registered: true})
	other := znettest.NewServer(dealerCode, password)
	t.Cleanup(other.Close)
	other.SetDefault(znettest.DoneEach("OTHER-TENANT-PIN", "tamam"))
	otherOrder := s.db.AddOrder(storetest.Order{IntegrationID: s.db.AddIntegration(storetest.Integration{BaseURL: other.URL, Kod: dealerCode, Sifre: password}), Referans: "48"})
	// Stopped, as a signal stops it, once the other tenant's order is
	// done: 2 seconds on a quiet host, more on one busy with other tests.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var out, errOut bytes.Buffer
	exitWithin := zwatchInBackground(t, ctx, cmd.IOStreams{Out: &out, ErrOut: &errOut}, "check-pending", "--loop", "30s", "--tick", "100ms",
		"--max-duration", "30s", "--rate", "5", "--log-format", "json", "--log-level", "debug", "--database-url", asRole)
	waitFor(t, "the other tenant's order completed", func() bool { return s.db.ReadOrder(otherOrder).ExternalStatus == "completed" })
	stop()
	if code := exitWithin(time.Minute); code != 0 || strings.Contains(errOut.String(), "permission denied") || !strings.Contains(errOut.String(), `"panels_passed_over":1`) {
		t.Errorf("check-pending beside a backlog as the role: exit %d, permission denied, or no claim passed over the panel\n%s%s", code, out.String(), errOut.String())
	}
	// Last: the order the shop refuses falls due again soon after its
	// claim is handed back, and a check-pending after this would meet it
	// (exit 3) as soon as the steps before took a few seconds.
	refused := s.refusedOrder("46", "GRANT-PIN-46") // a shop trigger refuses the answer
	run(1, "check", "--order", refused)
	if c := s.db.ReadCheck(refused); c.ClaimedBy != nil {
		t.Errorf("check --order as the role kept its claim on an answer the shop refused: %+v", c)
	}
}

func TestPrintGrantsNeedsARole(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	r := zwatch(t, db, "migrate", "--print-grants", "")
	if r.code != 2 {
		t.Errorf("--print-grants with no role: exit %d, want 2\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "--print-grants needs the name of the role")
}

// "public" is no role: GRANT ... TO public gives every role of the server
// the dealer passwords and the shop's orders. It is refused, not printed.
func TestPrintGrantsRefusesPublic(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	for _, role := range []string{"public", "PUBLIC", "Public", `"public"`} {
		r := zwatch(t, db, "migrate", "--print-grants", role)
		if r.code != 2 || strings.Contains(r.stdout, "GRANT") {
			t.Errorf("--print-grants %s: exit %d, want 2 and no GRANT printed\n%s", role, r.code, r.all())
		}
		oneLine(t, r.stderr, "every role")
	}
}

// A role name is an identifier, never SQL: one with quotes, a semicolon, a
// comment, spaces, capitals and a Turkish letter gets exactly its grants when
// the printed SQL runs, and nothing else runs with them.
func TestPrintGrantsQuotesAnOddRoleName(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.RevokePublicDefaults()
	role := `Zw "x"; DROP TABLE integrations; -- Ş ` + strings.ToUpper(strconv.FormatInt(time.Now().UnixNano(), 36))
	password := s.db.NewRoleNamed(role)

	r := zwatch(t, s.db, "migrate", "--print-grants", role)
	if r.code != 0 {
		t.Fatalf("migrate --print-grants: exit %d\n%s", r.code, r.all())
	}
	s.db.Exec(r.stdout)

	if !s.db.TableExists("integrations") {
		t.Fatalf("the printed grants dropped integrations:\n%s", r.stdout)
	}
	if r := zwatchAt(t, s.db.URLAs(role, password), "list"); r.code != 0 {
		t.Errorf("list as the role with the odd name: exit %d\n%s", r.code, r.all())
	}
}

func TestMigrateStatusOnAFreshDatabaseWritesNothing(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)

	r := zwatch(t, db, "migrate", "--status")

	if r.code != 0 {
		t.Fatalf("migrate --status: exit %d\n%s", r.code, r.all())
	}
	if strings.Contains(r.stdout, "applied") || !strings.Contains(r.stdout, "pending  00001_provider_referans.sql") ||
		!strings.Contains(r.stdout, "migrations pending: run zwatch migrate") {
		t.Errorf("migrate --status should list every migration as pending and say to run migrate:\n%s", r.stdout)
	}
	if tables := db.ZwatchTables(); tables != 0 {
		t.Errorf("migrate --status created %d zwatch tables on a fresh database, want none", tables)
	}
}

func TestReadOnlyRoleWritesNothing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	role, asRole := runtimeRole(t, s.db)
	id := s.order("51")
	s.znet.Script("51", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	s.znet.SetBalance("100.00")
	// One order zwatch has seen already, so that check-pending has work of
	// both kinds: registering and asking.
	s.znet.Script("522", znettest.Waiting("bekliyor"))
	if r := zwatch(t, s.db, "check", "--order", s.order("522")); r.code != 0 {
		t.Fatalf("check as the owner: exit %d\n%s", r.code, r.all())
	}
	s.db.SetRoleReadOnly(role)
	before := s.db.Snapshot()
	asked := s.znet.TotalRequests()

	for _, args := range [][]string{
		{"check-pending"},
		{"check-pending", "--loop", "1s", "--tick", "100ms", "--max-duration", "2s"},
		{"check", "--order", id},
		{"balance", "--save"},
		{"migrate"},
	} {
		r := zwatchAt(t, asRole, args...)
		if r.code != 1 {
			t.Errorf("%v on a read-only role: exit %d, want 1\n%s", args, r.code, r.all())
		}
		oneLine(t, r.stderr, "is read-only for this session")
	}
	if s.znet.TotalRequests() != asked {
		t.Errorf("commands refused for a read-only role asked znet %d times", s.znet.TotalRequests()-asked)
	}
	if after := s.db.Snapshot(); after != before {
		t.Errorf("a read-only role's commands wrote:\nbefore %s\nafter  %s", before, after)
	}

	// Looking needs no writing: these work on a read-only role, and write
	// nothing either. The dry run asks znet, at its own pace.
	asked = s.znet.TotalRequests()
	for _, args := range [][]string{
		{"list"}, {"stats"}, {"migrate", "--status"}, {"balance"},
		{"check-pending", "--dry-run"}, {"check", "--order", id, "--dry-run"},
	} {
		if r := zwatchAt(t, asRole, args...); r.code != 0 {
			t.Errorf("%v on a read-only role: exit %d, want 0\n%s", args, r.code, r.all())
		}
	}
	if after := s.db.Snapshot(); after != before {
		t.Errorf("read-only commands wrote:\nbefore %s\nafter  %s", before, after)
	}
	if got := s.znet.TotalRequests() - asked; got < 3 {
		t.Errorf("the dry runs on a read-only role asked znet %d times, want the due order and the one --order names", got)
	}
}

// Behind PgBouncer, a client is told the read-only switch as it was when
// the pooler first connected, and a role the DBA made read-only since looks
// writable; the Go driver then begins READ WRITE and overrides the role's
// default. Such a role is refused all the same, before znet is asked.
func TestReadOnlyRoleBehindAPoolerWritesNothing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	role, asRole := runtimeRole(t, s.db)
	id := s.order("71")
	s.znet.Script("71", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	s.db.SetRoleReadOnly(role)
	before := s.db.Snapshot()

	r := zwatchAt(t, s.db.ThroughStalePooler(asRole), "check-pending")

	if r.code != 1 {
		t.Errorf("check-pending behind a pooler on a read-only role: exit %d, want 1\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "is read-only for this session")
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("znet was asked %d times", n)
	}
	if after := s.db.Snapshot(); after != before || s.db.ReadOrder(id).ExternalStatus != "sent" {
		t.Errorf("a read-only role's check-pending wrote behind a pooler:\nbefore %s\nafter  %s", before, after)
	}
	// Reading works there, as it does without the pooler.
	if r := zwatchAt(t, s.db.ThroughStalePooler(asRole), "list"); r.code != 0 {
		t.Errorf("list behind a pooler on a read-only role: exit %d\n%s", r.code, r.all())
	}
}

func TestReadOnlyDatabaseWritesNothing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("61")
	s.db.SetDatabaseReadOnly()
	before := s.db.Snapshot()

	r := zwatch(t, s.db, "check-pending")

	if r.code != 1 {
		t.Errorf("check-pending on a read-only database: exit %d, want 1\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "is read-only for this session")
	if s.znet.TotalRequests() != 0 {
		t.Errorf("check-pending on a read-only database asked znet")
	}
	if r := zwatch(t, s.db, "list"); r.code != 0 {
		t.Errorf("list on a read-only database: exit %d, want 0\n%s", r.code, r.all())
	}
	if after := s.db.Snapshot(); after != before {
		t.Errorf("check-pending on a read-only database wrote:\nbefore %s\nafter  %s", before, after)
	}
}

func TestConnectionErrorsSayWhatToDo(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	var secrets []string
	if u, err := url.Parse(db.URL); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			secrets = append(secrets, pw)
		}
	}
	notUnreachable := func(r result, what string) {
		t.Helper()
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s", what, r.code, r.all())
		}
		if strings.Contains(r.stderr, "unreachable") {
			t.Errorf("%s: the server answered, but zwatch says it is unreachable:\n%s", what, r.stderr)
		}
		assertNoSecret(t, what, r.all(), secrets...)
	}

	t.Run("server without TLS, sslmode=require", func(t *testing.T) {
		plain := db.WithoutTLS()
		r := zwatchAt(t, plain+"?sslmode=require", "list")
		notUnreachable(r, "sslmode=require against a server without TLS")
		oneLine(t, r.stderr, "does not offer SSL (TLS), and sslmode=require insists on it")
		if !strings.Contains(r.stderr, "sslmode=disable, or prefer") {
			t.Errorf("the message should say to use sslmode=disable or prefer:\n%s", r.stderr)
		}
		// What it says works.
		for _, mode := range []string{"disable", "prefer"} {
			if r := zwatchAt(t, plain+"?sslmode="+mode, "list"); r.code != 0 {
				t.Errorf("sslmode=%s against a server without TLS: exit %d\n%s", mode, r.code, r.all())
			}
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		role, password := db.NewRole()
		wrong := "wrong-" + password
		r := zwatchAt(t, db.URLAs(role, wrong), "list")
		notUnreachable(r, "a wrong password")
		oneLine(t, r.stderr, `authentication failed for user "`+role+`"`)
		assertNoSecret(t, "a wrong password's message", r.all(), wrong, password)
	})

	t.Run("missing database", func(t *testing.T) {
		const missing = "zwatch_no_such_shop"
		r := zwatchAt(t, db.URLOfDatabase(missing), "list")
		notUnreachable(r, "a missing database")
		oneLine(t, r.stderr, `database "`+missing+`" does not exist`)
	})
}

// withoutOne lists the printed grants once for each privilege they give,
// without that privilege: a column list or a database or schema grant goes
// whole, "SELECT, INSERT ON ..." loses one of the two.
func withoutOne(printed string) map[string]string {
	var lines []string
	for _, l := range strings.Split(printed, "\n") {
		if strings.HasPrefix(l, "GRANT ") {
			lines = append(lines, l)
		}
	}
	variants := map[string]string{}
	for i, l := range lines {
		privileges, rest, _ := strings.Cut(strings.TrimPrefix(l, "GRANT "), " ON ")
		object, _, _ := strings.Cut(rest, " TO ")
		others := strings.Join(append(append([]string(nil), lines[:i]...), lines[i+1:]...), "\n")
		if strings.Contains(privileges, "(") || !strings.Contains(privileges, ", ") {
			variants[privileges+" ON "+object] = others
			continue
		}
		list := strings.Split(privileges, ", ")
		for j, p := range list {
			kept := append(append([]string(nil), list[:j]...), list[j+1:]...)
			variants[p+" ON "+object] = others + "\nGRANT " + strings.Join(kept, ", ") + " ON " + rest
		}
	}
	return variants
}

// The printed grants with placeholders for the role and the database, so
// that they can be granted in another test database (roleGranted).
const roleHere, databaseHere = "zwatch_role_here", "zwatch_database_here"

func printedGrants(t *testing.T, db *storetest.DB) string {
	t.Helper()
	role, _ := db.NewRole() // grants are printed for a role that exists
	printed := zwatch(t, db, "migrate", "--print-grants", role).stdout
	return strings.NewReplacer(role, roleHere, db.Name(), databaseHere).Replace(printed)
}

// roleGranted is a new role holding grants (from printedGrants), in a
// database that gives PUBLIC nothing; its URL.
func roleGranted(t *testing.T, db *storetest.DB, grants string) string {
	t.Helper()
	db.RevokePublicDefaults()
	role, password := db.NewRole()
	db.Exec(strings.NewReplacer(roleHere, role, databaseHere, db.Name()).Replace(grants))
	return db.URLAs(role, password)
}

func TestEachPrintedGrantIsNeeded(t *testing.T) {
	t.Parallel()
	printed := printedGrants(t, storetest.New(t))
	variants := withoutOne(printed)
	if len(variants) < 10 {
		t.Fatalf("found only %d privileges in:\n%s", len(variants), printed)
	}
	variants["nothing"] = printed // the control: with all of them, all works
	for missing, grants := range variants {
		t.Run("without "+missing, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			asRole := roleGranted(t, s.db, grants)
			s.znet.Script("71", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
			s.order("71")
			waiting := s.order("722")
			s.znet.Script("722", znettest.Waiting("bekliyor"))
			s.znet.SetBalance("10.00")
			stuck := s.order("7333")
			s.db.AddCheck(stuck, storetest.Check{Attempts: 40, NextCheckIn: -1, GivenUp: true})
			// A finished order to learn from, so that check-pending saves
			// what it learned of the panel (zwatch_panel_fits).
			s.db.AddFinishHistory(s.integ, []storetest.Finished{{WaitingAt: 20 * time.Second, FinalAt: 30 * time.Second, Ago: time.Hour}})
			// Cheap commands first: the first that fails ends the subtest.
			for _, c := range []struct {
				code int
				args []string
			}{
				{0, []string{"migrate", "--status"}},
				{0, []string{"list"}},
				{0, []string{"stats"}},
				{0, []string{"check-pending", "--loop", "0"}},
				{0, []string{"check", "--order", waiting}},
				{0, []string{"balance", "--save"}},
				{0, []string{"retry", "--stuck"}},
			} {
				r := zwatchAt(t, asRole, c.args...)
				failed := r.code != c.code || strings.Contains(r.all(), "permission denied")
				if failed && missing == "nothing" {
					t.Fatalf("%v fails with all the printed grants: exit %d\n%s", c.args, r.code, r.all())
				}
				if failed {
					return // needed
				}
			}
			if missing == "nothing" {
				return
			}
			t.Errorf("every command works without %s: the printed grants give more than zwatch needs", missing)
		})
	}
}

// A grant missing for some writes only (here the event log's sequence, so
// answers that change an order's status are refused, and others saved)
// once ended the run with 0 and left the operator error lines alone, run
// after run. Answers the database refuses to the end now ask for a person.
func TestAnswersTheDatabaseRefusesAskForAPerson(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	asRole := roleWithout(t, s, "USAGE ON SEQUENCE public.zwatch_order_events_id_seq")
	// An order already found waiting, whose answer changes nothing but
	// its bookkeeping, is saved; the done one needs an event.
	s.order("822")
	s.znet.Script("822", znettest.Waiting("bekliyor"))
	if r := zwatch(t, s.db, "check-pending", "--loop", "0"); r.code != 0 {
		t.Fatalf("first run as the owner: exit %d\n%s", r.code, r.all())
	}
	done := s.order("81")
	s.znet.Script("81", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	s.db.MakeAllDue()

	r := zwatchAt(t, asRole, "check-pending", "--loop", "0", "-o", "json")
	if r.code != cmd.ExitAttention {
		t.Errorf("exit %d, want %d (a person should look)\n%s", r.code, cmd.ExitAttention, r.all())
	}
	var summary struct {
		Unsaved []string `json:"unsaved_orders"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil || len(summary.Unsaved) != 1 || summary.Unsaved[0] != done {
		t.Errorf("summary lists unsaved orders %v (%v), want [%s]\n%s", summary.Unsaved, err, done, r.stdout)
	}
	if !strings.Contains(r.stderr, "could not save") {
		t.Errorf("stderr does not say an answer could not be saved:\n%s", r.stderr)
	}
	if got := s.db.ReadOrder(done).ExternalStatus; got != "sent" {
		t.Errorf("the refused answer's order is %q, want it still sent, to be asked again", got)
	}
}

// A grant missing refuses every answer alike: stderr says so once, with how
// many orders it took, and not once an order.
func TestRefusedAnswersAreOneLinePerReason(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	asRole := roleWithout(t, s, "USAGE ON SEQUENCE public.zwatch_order_events_id_seq")
	const orders = 30
	for i := range orders {
		ref := strconv.Itoa(9100 + i)
		s.order(ref)
		s.znet.Script(ref, znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	}
	r := zwatchAt(t, asRole, "check-pending", "--loop", "0", "-o", "json")
	if r.code != cmd.ExitFatal {
		t.Errorf("exit %d, want %d (no answer could be saved)\n%s", r.code, cmd.ExitFatal, r.all())
	}
	if n := strings.Count(r.stderr, "could not save"); n != 1 {
		t.Errorf("%d lines say answers could not be saved, want 1 for the one reason:\n%s", n, r.stderr)
	}
	if !strings.Contains(r.stderr, `"orders":30`) {
		t.Errorf("stderr does not say how many orders the reason took:\n%s", r.stderr)
	}
	if lines := strings.Count(r.stderr, "\n"); lines > 5 {
		t.Errorf("%d lines on stderr for one missing grant:\n%s", lines, r.stderr)
	}
	assertNoSecret(t, "check-pending's output", r.all(), "AB12-CD34-EF56-GH78")
}

// roleWithout is a role holding the printed grants but the one named (as
// withoutOne names them, "UPDATE ON TABLE public.zwatch_panel_budgets"); its
// URL.
func roleWithout(t *testing.T, s *shop, missing string) string {
	t.Helper()
	printed := printedGrants(t, s.db)
	grants, ok := withoutOne(printed)[missing]
	if !ok {
		t.Fatalf("no %q among the printed grants:\n%s", missing, printed)
	}
	return roleGranted(t, s.db, grants)
}

// Without its budget a panel is asked nothing, run after run; the runs
// once exited 0, with a warning only.
func TestAPanelWithoutItsBudgetAsksForAPerson(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	asRole := roleWithout(t, s, "UPDATE ON TABLE public.zwatch_panel_budgets")
	s.order("91")
	s.db.MakeAllDue()

	r := zwatchAt(t, asRole, "check-pending", "--loop", "0", "--rate", "5", "-o", "json")
	if r.code != cmd.ExitAttention {
		t.Errorf("exit %d, want %d (a person should look)\n%s", r.code, cmd.ExitAttention, r.all())
	}
	var summary struct {
		Integrations []struct {
			NoBudget int `json:"released_without_budget"`
		} `json:"integrations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil || len(summary.Integrations) != 1 || summary.Integrations[0].NoBudget != 1 {
		t.Errorf("summary %+v (%v), want the order released without budget\n%s", summary, err, r.stdout)
	}
	if s.znet.TotalRequests() != 0 {
		t.Errorf("znet was asked %d times without a budget", s.znet.TotalRequests())
	}

	// A looping run does not claim it again at once, and counts it once.
	s.db.ExpireClaims()
	s.db.MakeAllDue()
	r = zwatchAt(t, asRole, "check-pending", "--loop", "11s", "--tick", "500ms", "--rate", "5", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &summary); err != nil || len(summary.Integrations) != 1 || summary.Integrations[0].NoBudget != 1 {
		t.Errorf("looping: summary %+v (%v), want the one order released without budget counted once\n%s", summary, err, r.stdout)
	}
}

// Without USAGE on the schema, zwatch's tables are out of the role's
// sight: the commands once said they were missing and told the operator
// to run migrate, and migrate --status listed every migration as pending.
func TestARoleWithoutTheSchemaIsToldSo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	asRole := roleWithout(t, s, "USAGE ON SCHEMA public")
	for _, args := range [][]string{{"list"}, {"migrate", "--status"}, {"check-pending"}} {
		r := zwatchAt(t, asRole, args...)
		if r.code != cmd.ExitFatal || strings.Contains(r.all(), "run zwatch migrate") || strings.Contains(r.all(), "pending") {
			t.Errorf("%v: exit %d, want %d and no advice to migrate\n%s", args, r.code, cmd.ExitFatal, r.all())
		}
		oneLine(t, r.stderr, "grant it USAGE on their schema")
	}
}

// A grant missing says which, as the database does, and how to give them
// all: the driver's "permission denied" alone does not.
func TestAMissingGrantSaysHowToGiveThem(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	asRole := roleWithout(t, s, "SELECT ON TABLE public.product_orders")
	r := zwatchAt(t, asRole, "list")
	if r.code != cmd.ExitFatal {
		t.Errorf("list without SELECT on product_orders: exit %d, want %d\n%s", r.code, cmd.ExitFatal, r.all())
	}
	oneLine(t, r.stderr, "permission denied for table product_orders")
	oneLine(t, r.stderr, "zwatch migrate --print-grants ROLE")
}

// A database a newer zwatch migrated is used all the same (rolling a
// binary back must not stop the PINs), but said so: it once went unnoticed.
func TestMigrationsNewerThanTheBinaryAreSaidSo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.MarkMigrationApplied(99999)

	r := zwatch(t, s.db, "list")
	if r.code != 0 || !strings.Contains(r.stderr, "migrations this zwatch does not carry") || !strings.Contains(r.stderr, "99999") {
		t.Errorf("list on a newer schema: exit %d, want 0 and a warning naming the version\n%s", r.code, r.all())
	}
	s.znet.SetBalance("12755.23")
	r = zwatch(t, s.db, "balance")
	if r.code != 0 || !strings.Contains(r.stderr, "migrations this zwatch does not carry") || !strings.Contains(r.stdout, "12755.23") {
		t.Errorf("balance on a newer schema: exit %d, want 0, the balance and a warning\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "migrate", "--status")
	if r.code != 0 || !strings.Contains(r.stdout, "99999 (not in this zwatch)") || !strings.Contains(r.stdout, "applied by a newer zwatch") || strings.Contains(r.stdout, "pending") {
		t.Errorf("migrate --status on a newer schema: exit %d\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "up to date") || !strings.Contains(r.stdout, "applied by a newer zwatch") {
		t.Errorf("migrate on a newer schema: exit %d, want 0 and the newer migrations said\n%s", r.code, r.all())
	}
	// The newer zwatch's role may need more than this one prints.
	role, _ := s.db.NewRole()
	r = zwatch(t, s.db, "migrate", "--print-grants", role)
	if r.code != 0 || !strings.Contains(r.stderr, "applied by a newer zwatch") || !strings.Contains(r.stdout, "-- 1 migration applied by a newer zwatch") {
		t.Errorf("migrate --print-grants on a newer schema: exit %d, want 0 and the newer migrations said on stderr and in a comment\n%s", r.code, r.all())
	}
}

// Grants for a role that does not exist would all fail in psql; a name
// typed in another case, or with quotes, is another role. Refused, with
// what it may have meant.
func TestPrintGrantsForARoleThatDoesNotExist(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	role, _ := db.NewRole()
	for arg, want := range map[string]string{
		"zwatch_nobody_here":  "create it first",
		strings.ToUpper(role): "did you mean " + role,
		`"` + role + `"`:      "did you mean " + role,
	} {
		r := zwatch(t, db, "migrate", "--print-grants", arg)
		if r.code != 2 || strings.Contains(r.stdout, "GRANT") {
			t.Errorf("--print-grants %s: exit %d, want 2 and no GRANT printed\n%s", arg, r.code, r.all())
		}
		oneLine(t, r.stderr, want)
	}
}

// A migrate by a role that does not own the shop's tables is refused before
// anything is created, even where the role may create tables (as every role
// could in public before PostgreSQL 15): goose's version table, owned by that
// role, would otherwise stop the owner's migrate.
func TestMigrateByARoleNotOwningTheShopsTablesChangesNothing(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	role, password := db.NewRole()
	db.Exec(`GRANT CREATE, USAGE ON SCHEMA public TO ` + role)
	r := zwatchAt(t, db.URLAs(role, password), "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "does not own product_orders") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate as %s: exit %d, want 1 and one line naming the owner\n%s", role, r.code, r.all())
	}
	var tables int
	db.Get(&tables, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%'`)
	if tables != 0 {
		t.Errorf("%d of zwatch's tables were created by the refused migrate", tables)
	}
	if r := zwatch(t, db, "migrate"); r.code != 0 {
		t.Errorf("migrate as the owner after it: exit %d\n%s", r.code, r.all())
	}
}

// The owner of the shop's tables on PostgreSQL 15, which no longer lets
// every role create in public, is told in one line what to grant, not
// goose's "failed to initialize: create version table" (helper-315); the
// grant given, migrate goes through.
func TestMigrateByAnOwnerThatMayNotCreateInTheSchemaSaysWhatToGrant(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	owner, password := db.NewRole()
	db.Exec(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`)
	db.Exec(`GRANT USAGE ON SCHEMA public TO ` + owner)
	db.Exec(`ALTER TABLE product_orders OWNER TO ` + owner)
	db.Exec(`ALTER TABLE integrations OWNER TO ` + owner)
	r := zwatchAt(t, db.URLAs(owner, password), "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "GRANT CREATE ON SCHEMA public TO "+owner) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate: exit %d, want 1 and one line saying what to grant\n%s", r.code, r.all())
	}
	var tables, referansColumns int
	db.Get(&tables, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%'`)
	db.Get(&referansColumns, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'product_orders' AND column_name = 'provider_referans'`)
	if tables != 0 || referansColumns != 0 {
		t.Errorf("the refused migrate created %d of zwatch's tables and %d provider_referans column", tables, referansColumns)
	}
	db.Exec(`GRANT CREATE ON SCHEMA public TO ` + owner)
	if r := zwatchAt(t, db.URLAs(owner, password), "migrate"); r.code != 0 {
		t.Errorf("migrate after the grant: exit %d\n%s", r.code, r.all())
	}
}

// A superuser, or a member of the owner's role, is refused too: the
// migrations would run, but zwatch's tables would be its own, and the owner
// could neither read their versions nor grant them. The line says how to
// migrate as the owner, also one that cannot log in, and that way works.
func TestMigrateByASuperuserNotOwningTheShopsTablesIsRefused(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	owner, _ := db.NewRole()
	db.Exec(`ALTER ROLE ` + owner + ` NOLOGIN`)
	db.Exec(`ALTER TABLE product_orders OWNER TO ` + owner)
	db.Exec(`ALTER TABLE integrations OWNER TO ` + owner)
	db.Exec(`GRANT CREATE, USAGE ON SCHEMA public TO ` + owner)
	r := zwatch(t, db, "migrate") // as the tests' superuser
	if r.code != 1 || !strings.Contains(r.stderr, "is not the owner of product_orders, "+owner) ||
		!strings.Contains(r.stderr, "options='-c role="+owner+"'") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate as a superuser: exit %d, want 1 and one line naming the owner and the way\n%s", r.code, r.all())
	}
	var tables int
	db.Get(&tables, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%'`)
	if tables != 0 {
		t.Errorf("%d of zwatch's tables were created by the refused migrate", tables)
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("options", "-c role="+owner)
	u.RawQuery = q.Encode()
	if r := zwatchAt(t, u.String(), "migrate"); r.code != 0 {
		t.Fatalf("migrate with options='-c role=%s': exit %d\n%s", owner, r.code, r.all())
	}
	var notTheOwners int
	db.Get(&notTheOwners, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%' AND tableowner <> $1`, owner)
	if notTheOwners != 0 {
		t.Errorf("%d of zwatch's tables do not belong to the owner of product_orders", notTheOwners)
	}

	// After an upgrade, where zwatch's tables stand, the superuser is
	// refused all the same: the tables a migration adds would be its own.
	db.Exec(`DELETE FROM zwatch_schema_migrations WHERE version_id = (SELECT max(version_id) FROM zwatch_schema_migrations)`)
	before := db.Snapshot()
	r = zwatch(t, db, "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "is not the owner of zwatch's tables, "+owner) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate as a superuser after an upgrade: exit %d, want 1 and one line naming the owner\n%s", r.code, r.all())
	}
	if db.Snapshot() != before {
		t.Error("the refused migrate changed the database")
	}
	if r := zwatchAt(t, u.String(), "migrate"); r.code != 0 {
		t.Errorf("migrate as the owner after the upgrade: exit %d\n%s", r.code, r.all())
	}
}

// On PostgreSQL's default search path ("$user", public) an owner with a
// schema of its own name would get zwatch's tables there, out of the
// run-time role's reach, beside the shop's in public: migrate says so and
// creates nothing.
func TestMigrateWhereTheSearchPathLeadsAwayFromTheShopChangesNothing(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	role, password := db.NewRole()
	db.Exec(`GRANT CREATE, USAGE ON SCHEMA public TO ` + role)
	db.Exec(`ALTER TABLE product_orders OWNER TO ` + role)
	db.Exec(`ALTER TABLE integrations OWNER TO ` + role)
	db.Exec(`CREATE SCHEMA AUTHORIZATION ` + role)
	asOwner := db.URLAs(role, password)
	r := zwatchAt(t, asOwner, "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "product_orders is in schema public, but zwatch's tables would be created in "+role) ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate with the owner's own schema first: exit %d, want 1 and one line saying where\n%s", r.code, r.all())
	}
	var tables int
	db.Get(&tables, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%'`)
	if tables != 0 {
		t.Errorf("%d of zwatch's tables were created by the refused migrate", tables)
	}
	db.Exec(`ALTER ROLE ` + role + ` SET search_path = public`)
	if r := zwatchAt(t, asOwner, "migrate"); r.code != 0 {
		t.Errorf("migrate with public first: exit %d\n%s", r.code, r.all())
	}
	// Migrated, then run again with the owner's own schema first: still
	// the one line, and nothing made there.
	db.Exec(`ALTER ROLE ` + role + ` RESET search_path`)
	r = zwatchAt(t, asOwner, "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "zwatch's tables are in schema public, which does not come first on role "+role+"'s search path") ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate again with the owner's own schema first: exit %d, want 1 and one line saying where\n%s", r.code, r.all())
	}
	db.Get(&tables, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%' AND schemaname = $1`, role)
	if tables != 0 {
		t.Errorf("%d of zwatch's tables were made in the owner's own schema", tables)
	}
}

// A run-time role with a schema of its own name finds that schema first
// on PostgreSQL's default search path ("$user", public), and zwatch's
// tables in public after it: the commands said to run migrate, which the
// owner's migrate answered with nothing to do. --print-grants sets the
// role's search path, and without it the commands say what to set.
func TestARoleWithASchemaOfItsOwnFindsZwatchsTables(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	role, password := db.NewRole()
	db.Exec(`CREATE SCHEMA AUTHORIZATION ` + role)
	printed := zwatch(t, db, "migrate", "--print-grants", role)
	want := "ALTER ROLE " + role + " IN DATABASE " + db.Name() + " SET search_path = public;"
	if printed.code != 0 || !strings.Contains(printed.stdout, want) {
		t.Fatalf("--print-grants: exit %d, want a line setting the role's search path, %q\n%s", printed.code, want, printed.all())
	}
	var grants []string
	for _, line := range strings.Split(printed.stdout, "\n") {
		if !strings.HasPrefix(line, "ALTER ROLE") {
			grants = append(grants, line)
		}
	}
	db.Exec(strings.Join(grants, "\n"))
	asRole := db.URLAs(role, password)
	r := zwatchAt(t, asRole, "list")
	if r.code != 1 || !strings.Contains(r.stderr, "zwatch's tables are in schema public, which does not come first on role "+role+"'s search path") ||
		!strings.Contains(r.stderr, strings.TrimSuffix(want, ";")) || strings.Contains(r.stderr, "run zwatch migrate") {
		t.Errorf("list without the search path: exit %d, want 1 and one line saying what to set\n%s", r.code, r.all())
	}
	db.Exec(printed.stdout)
	if r := zwatchAt(t, asRole, "list"); r.code != 0 {
		t.Errorf("list with every printed line applied: exit %d, want 0\n%s", r.code, r.all())
	}
}

// A shop transaction holding product_orders keeps migrate from queueing
// the shop's queries behind it for more than half a second at a time:
// migrate tries again, and applies its migrations once the transaction is
// done; behind one that never ends, it gives up, in words.
func TestMigrateBehindAShopTransactionSaysSo(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	tx := db.BeginHolding(`LOCK TABLE product_orders IN ROW EXCLUSIVE MODE`) // as a shop's UPDATE holds it
	go func() {
		time.Sleep(3 * time.Second)
		_ = tx.Rollback()
	}()
	if r := zwatch(t, db, "migrate"); r.code != 0 {
		t.Errorf("migrate behind a shop transaction that ends: exit %d, want 0\n%s", r.code, r.all())
	}

	held := storetest.NewShopOnly(t)
	tx = held.BeginHolding(`LOCK TABLE product_orders IN ROW EXCLUSIVE MODE`)
	r := zwatch(t, held, "migrate")
	_ = tx.Rollback()
	if r.code != 1 || !strings.Contains(r.stderr, "another transaction held a table this migration needed, in each of 10 tries") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate behind a shop transaction: exit %d, want 1 and one line saying why\n%s", r.code, r.all())
	}
	if r := zwatch(t, held, "migrate"); r.code != 0 {
		t.Errorf("migrate again once it is done: exit %d\n%s", r.code, r.all())
	}
}

// A partitioned product_orders, on which the index cannot be built
// CONCURRENTLY, is refused before any migration is applied.
func TestMigrateOnAPartitionedShopTableChangesNothing(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t,
		`ALTER TABLE product_orders RENAME TO product_orders_plain`,
		`CREATE TABLE product_orders (LIKE product_orders_plain INCLUDING DEFAULTS) PARTITION BY RANGE ("createdAt")`)
	r := zwatch(t, db, "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "partitioned") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate on a partitioned product_orders: exit %d, want 1 and one line saying why\n%s", r.code, r.all())
	}
	var tables int
	db.Get(&tables, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'zwatch%'`)
	if tables != 0 {
		t.Errorf("%d of zwatch's tables were created by the refused migrate", tables)
	}
}

// Under row-level security the role with the printed grants would see no
// order and say nothing: the printed SQL says what it needs.
func TestPrintGrantsNamesRowLevelSecurity(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	db.Exec(`ALTER TABLE integrations ENABLE ROW LEVEL SECURITY`)
	role, _ := db.NewRole()
	r := zwatch(t, db, "migrate", "--print-grants", role)
	if r.code != 0 || !strings.Contains(r.stdout, "-- integrations use row-level security") ||
		!strings.Contains(r.stdout, "CREATE POLICY zwatch_all ON public.integrations") || strings.Contains(r.stdout, "ON public.product_orders TO") {
		t.Errorf("--print-grants with row-level security on product_orders: exit %d, want it said how the role sees the orders\n%s", r.code, r.all())
	}
	db.Exec(r.stdout) // the advice is comments: the script still runs
}

// A shop trigger that writes, on zwatch's behalf, to a table the printed
// grants do not cover is named as the trigger's doing: "run what
// --print-grants prints" would change nothing.
func TestATriggerWritingOutsideTheGrantsIsNamed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	_, asRole := runtimeRole(t, s.db)
	s.db.Exec(`CREATE TABLE shop_audit (order_id uuid, at timestamptz DEFAULT now())`)
	s.db.Exec(`CREATE FUNCTION shop_audit_order() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN INSERT INTO shop_audit (order_id) VALUES (NEW.id); RETURN NEW; END $$`)
	s.db.Exec(`CREATE TRIGGER shop_audit AFTER UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION shop_audit_order()`)
	s.order("81")
	s.znet.SetDefault(znettest.DoneEach("AUDIT-PIN-81", "tamam"))

	r := zwatchAt(t, asRole, "check-pending")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := lines[len(lines)-1]
	if r.code != 1 || !strings.Contains(last, "zwatch itself never touches shop_audit: a trigger or rule of the shop's does") || strings.Contains(last, "--print-grants") {
		t.Errorf("exit %d, want 1 and a last line naming the trigger's table, not the grants\n%s", r.code, r.all())
	}
}

// zwatch's tables in two schemas, neither first on the search path: the
// commands and migrate say so, and migrate makes nothing where the path
// leads.
func TestZwatchsTablesInTwoSchemasOffThePathAreSaidSo(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	db.Exec(`CREATE SCHEMA other; CREATE TABLE other.zwatch_schema_migrations (LIKE public.zwatch_schema_migrations); CREATE SCHEMA first`)
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("options", "-c search_path=first,public")
	u.RawQuery = q.Encode()
	for _, args := range [][]string{{"list"}, {"migrate"}} {
		r := zwatchAt(t, u.String(), args...)
		if r.code != 1 || !strings.Contains(r.stderr, "zwatch's tables are in the schemas other, public, none of which comes first") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, want 1 and one line naming the schemas\n%s", args, r.code, r.all())
		}
	}
	var made int
	db.Get(&made, `SELECT count(*) FROM pg_tables WHERE schemaname = 'first'`)
	if made != 0 {
		t.Errorf("%d tables made in the schema first on the path", made)
	}
}

// After an upgrade, migrate run as the run-time role (the cron line's
// settings) must say whom to run it as, not goose's "permission denied for
// table zwatch_schema_migrations" after the first migration.
func TestMigrateAsTheRuntimeRoleAfterAnUpgradeSaysWhom(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	_, asRole := runtimeRole(t, s.db)
	// The newest migration, as an older zwatch left the database.
	s.db.Exec(`DELETE FROM zwatch_schema_migrations WHERE version_id = (SELECT max(version_id) FROM zwatch_schema_migrations)`)
	before := s.db.Snapshot()
	r := zwatchAt(t, asRole, "migrate")
	if r.code != cmd.ExitFatal || strings.Contains(r.all(), "permission denied") {
		t.Errorf("migrate as the run-time role with a migration pending: exit %d, want %d and a line saying whom to run it as\n%s", r.code, cmd.ExitFatal, r.all())
	}
	oneLine(t, r.stderr, "is not the owner of zwatch's tables")
	if after := s.db.Snapshot(); after != before {
		t.Error("the refused migrate changed the database")
	}
}

// A role that may not even read zwatch's version table (one given none of
// the grants, or an older zwatch's) is told whom to run migrate as, not
// goose's "permission denied".
func TestMigrateByARoleThatCannotReadTheVersionsSaysWhom(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	role, password := db.NewRole()
	r := zwatchAt(t, db.URLAs(role, password), "migrate")
	if r.code != cmd.ExitFatal || strings.Contains(r.all(), "permission denied") {
		t.Errorf("migrate as a role without grants: exit %d, want %d and a line naming the owner\n%s", r.code, cmd.ExitFatal, r.all())
	}
	oneLine(t, r.stderr, "run zwatch migrate as its owner")
}

// A shop trigger's refusal quoting the PIN an order already holds is
// masked by a role holding exactly the printed grants: reading the
// order's PIN to mask it needs no grant beyond them, so the refusal's
// words are shown, its PIN masked, not withheld for want of a read.
func TestARefusalQuotingTheOrdersPINIsMaskedWithExactlyThePrintedGrants(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	_, asRole := runtimeRole(t, s.db)
	const staffPIN = "ZX98-YW76-VU54-TS32"
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "4601", PINCode: staffPIN})
	s.znet.Script("4601", znettest.Cancelled("iptal"))
	s.db.Exec(`CREATE FUNCTION keep_delivered() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW."externalStatus" = 'failed' AND OLD."pinCode" IS NOT NULL THEN
				RAISE EXCEPTION 'order was delivered PIN %; refusing to fail it', OLD."pinCode";
			END IF;
			RETURN NEW;
		END $$`)
	s.db.Exec(`CREATE TRIGGER keep_delivered BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION keep_delivered()`)

	r := zwatchAt(t, asRole, "check-pending")
	if r.code == 0 || !strings.Contains(r.all(), "refusing to fail it") {
		t.Errorf("exit %d, want the trigger's refusal shown:\n%s", r.code, r.all())
	}
	assertNoSecret(t, "check-pending's output", r.all(), "YW76")
	if n := s.db.ZwatchRowsMentioning("YW76"); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the order's PIN", n)
	}
}

// migrate --status and --print-grants only read, and are run as zwatch's
// role as often as the owner's: without a grant they said the driver's
// words alone, where every other command says what to run (helper-177).
func TestMigrateReadsSayWhatToGrant(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	asRole := roleWithout(t, s, "SELECT ON TABLE public.zwatch_schema_migrations")
	for _, args := range [][]string{{"migrate", "--status"}, {"migrate", "--print-grants", "zwatch"}} {
		r := zwatchAt(t, asRole, args...)
		if r.code != cmd.ExitFatal || !strings.Contains(r.stderr, "--print-grants ROLE` prints") {
			t.Errorf("%v without a grant: exit %d, want %d and a line saying what to grant:\n%s", args, r.code, cmd.ExitFatal, r.all())
		}
	}
}

// A row-level security policy whose WITH CHECK refuses the row zwatch would
// write (here, an approved order) is no missing grant: the line said "the
// role lacks a grant" and pointed at --print-grants, which cannot help
// (helper-249). It names the policy now.
func TestARowLevelSecurityPolicyRefusingTheRowIsNotCalledAMissingGrant(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	role, asRole := runtimeRole(t, s.db)
	q := pq.QuoteIdentifier(role)
	s.db.Exec(`ALTER TABLE product_orders ENABLE ROW LEVEL SECURITY`)
	s.db.Exec(`CREATE POLICY zwatch_reads ON product_orders FOR SELECT TO ` + q + ` USING (true)`)
	s.db.Exec(`CREATE POLICY zwatch_updates ON product_orders FOR UPDATE TO ` + q + ` USING (true) WITH CHECK (status <> 'approved')`)
	s.order("7001")
	s.znet.Script("7001", znettest.Done("RLSP-7001-ABCD", "tamam"))

	r := zwatchAt(t, asRole, "check-pending", "-q", "--loop", "0")

	if r.code == 0 || !strings.Contains(r.stderr, "row-level security policy of the shop's refuses the row") || strings.Contains(r.stderr, "lacks a grant") {
		t.Errorf("a policy refusing the approved row: exit %d, want a line naming the policy and no missing grant:\n%s", r.code, r.all())
	}
}

// Row-level security without a policy that lets zwatch's role see the
// orders hides them all: list said "no pending orders", exit 0, and
// nothing of why (helper-285). It says so now; a role the policies let
// see the orders lists them, and no word of security.
func TestAListRowLevelSecurityEmptiesSaysSo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	role, asRole := runtimeRole(t, s.db)
	id := s.order("7101")
	s.db.Exec(`ALTER TABLE product_orders ENABLE ROW LEVEL SECURITY`)

	r := zwatchAt(t, asRole, "list", "--pending")
	if r.code != 0 || !strings.Contains(r.stdout, "no pending orders") || !strings.Contains(r.stdout, "row-level security on product_orders hides every order from this role") {
		t.Errorf("list under row-level security hiding every order: exit %d, want 0 and a word of why\n%s", r.code, r.all())
	}
	// Beside what a disabled integration's list says of itself
	// (helper-292).
	s.db.AddIntegration(storetest.Integration{Name: "znet-off", BaseURL: "http://127.0.0.1:1", Kod: "K", Sifre: "s", Disabled: true})
	r = zwatchAt(t, asRole, "list", "--pending", "--integration", "znet-off")
	if r.code != 0 || !strings.Contains(r.stdout, "integration znet-off is disabled") || !strings.Contains(r.stdout, "row-level security on product_orders hides every order") {
		t.Errorf("list of a disabled integration under row-level security hiding every order: exit %d, want 0 and both words\n%s", r.code, r.all())
	}
	s.db.Exec(`CREATE POLICY zwatch_reads ON product_orders FOR SELECT TO ` + pq.QuoteIdentifier(role) + ` USING (true)`)
	if r := zwatchAt(t, asRole, "list", "--pending"); r.code != 0 || !strings.Contains(r.stdout, id[:8]) || strings.Contains(r.all(), "row-level security") {
		t.Errorf("list with a policy that shows the orders: exit %d\n%s", r.code, r.all())
	}
	// README's set-up, with an empty list: no word of security
	// (helper-291).
	if r := zwatchAt(t, asRole, "list", "--failed"); r.code != 0 || strings.Contains(r.all(), "row-level security") {
		t.Errorf("an empty list under a policy that shows every order: exit %d\n%s", r.code, r.all())
	}
}
