package cmd_test

import (
	"fmt"
	"log"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that repeats the request, password and all, in its normal answers:
// no command shows a trace of the password, in any output format.
func TestCommandsNeverShowAnEchoedPassword(t *testing.T) {
	t.Parallel()
	const pw = "Gizli şifre&9/x=Ç+1"
	s := newShop(t)
	panel, integ := s.panel("znet-echo", pw)
	waiting := s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "31", OrderNo: 31})
	done := s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "32", OrderNo: 32})
	panel.Script("31", znettest.Waiting("istek: kod="+dealerCode+"&sifre="+url.QueryEscape(pw)))
	panel.Script("32", znettest.Done("ECHO-PIN-32", "istek: sifre="+pw))

	var out strings.Builder
	for _, args := range [][]string{
		{"check-pending", "--log-level", "debug"},
		{"check", "--order", waiting, "--log-level", "debug"},
		{"check", "--order", waiting, "-o", "json"},
		{"list", "--completed", "-o", "json"},
		{"list", "--pending"},
	} {
		s.db.MakeAllDue()
		r := zwatch(t, s.db, args...)
		out.WriteString(r.all())
	}
	if row := s.db.ReadOrder(done); row.ExternalStatus != "completed" {
		t.Fatalf("the done order was not applied: %+v\n%s", row, out.String())
	}
	for _, trace := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw), pw[:len(pw)/2]} {
		if strings.Contains(out.String(), trace) {
			t.Errorf("a command showed %q:\n%s", trace, out.String())
		}
	}
}

// A PIN longer than the shop's column is a reason to call a person: the
// run says which order and exits 3.
func TestCheckPendingExit3WhenAPINDoesNotFit(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("41")
	s.order("42")
	s.znet.Script("42", znettest.Done("FITS-42", "tamam"))
	s.znet.Script("41", znettest.Done(strings.Repeat("X7", 250), "tamam"))

	r := zwatch(t, s.db, "check-pending", "-q")

	if r.code != 3 {
		t.Errorf("exit %d, want 3\n%s", r.code, r.all())
	}
	if !strings.Contains(r.all(), "order 1002 ("+id+", referans 41) is stuck: znet's PIN does not fit") {
		t.Errorf("the output should name the order left for a person:\n%s", r.all())
	}
	// -q says each thing once: cron mails stdout and stderr alike, and a
	// warning in the log said it before the summary's line did.
	if n := strings.Count(r.all(), "does not fit the shop's pinCode column"); n != 1 {
		t.Errorf("-q said %d times that the PIN does not fit, want once:\n%s", n, r.all())
	}
	if strings.Contains(r.all(), strings.Repeat("X7", 10)) {
		t.Errorf("the output shows the PIN:\n%s", r.all())
	}

	// check --order says the same of such an order, and exits 3 too.
	other := s.order("43")
	s.znet.Script("43", znettest.Done(strings.Repeat("Y", 121), "tamam"))
	r = zwatch(t, s.db, "check", "--order", other)
	if r.code != 3 || !strings.Contains(r.stdout, "does not fit the shop's pinCode column") {
		t.Errorf("check --order: exit %d, want 3 and the reason\n%s", r.code, r.all())
	}
}

// check --order does not wait for a shop transaction that holds the order's
// row: it shows what znet said, says the answer was not saved (exit 3, for
// the operator to try again), writes nothing and hands its claim back.
func TestCheckOrderDoesNotWaitForAShopLock(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("51")
	s.znet.Script("51", znettest.Waiting("bekliyor"), znettest.Done("LOCKED-PIN", "tamam"))
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	release := s.db.HoldOrderLock(id)
	defer release()

	r := zwatch(t, s.db, "check", "--order", id)

	if r.code != 3 || !strings.Contains(r.stdout, "unchanged: a transaction of the shop's holds the order's row") {
		t.Errorf("exit %d, want 3 and the reason\n%s", r.code, r.all())
	}
	if !strings.Contains(r.stdout, "znet: done") || strings.Contains(r.all(), "LOCKED-PIN") {
		t.Errorf("want znet's answer shown, its PIN masked:\n%s", r.all())
	}
	if c := s.db.ReadCheck(id); c.ClaimedBy != nil || c.Attempts != 1 {
		t.Errorf("bookkeeping %+v: want the claim handed back and no attempt counted", c)
	}
	release()
	if r := zwatch(t, s.db, "check", "--order", id); r.code != 0 || s.db.ReadOrder(id).ExternalStatus != "completed" {
		t.Errorf("once the shop let go: exit %d, order %+v\n%s", r.code, s.db.ReadOrder(id), r.all())
	}
}

// When the database will not take the answer (a shop trigger refusing the
// update, a grant missing, the server gone), check --order still shows what
// znet said, its PIN masked, before the one error line, and exits 1.
func TestCheckOrderShowsAnAnswerTheDatabaseRefused(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.refusedOrder("52", "REFUSED-PIN")

	r := zwatch(t, s.db, "check", "--order", id)

	if r.code != 1 || !strings.Contains(r.stdout, "znet: done") || !strings.Contains(r.stdout, "unchanged: the database did not take znet's answer") {
		t.Errorf("exit %d, want 1 and znet's answer shown as not saved\n%s", r.code, r.all())
	}
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; r.stderr == "" || lines != 1 {
		t.Errorf("stderr has %d lines, want one error line\n%s", lines, r.stderr)
	}
	if strings.Contains(r.all(), "REFUSED-PIN") {
		t.Errorf("the PIN shown unasked:\n%s", r.all())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.PINCode != nil {
		t.Errorf("order %+v, want it unchanged", row)
	}
	if c := s.db.ReadCheck(id); c.ClaimedBy != nil {
		t.Errorf("bookkeeping %+v: want the claim handed back, so that the next run asks again", c)
	}
}

// A shop trigger that refuses the update may quote the PIN in its message;
// check-pending shows the refusal without it: whether it refused every
// answer of the run (exit 1), or one order's row alone (exit 3).
func TestARefusalQuotingThePINDoesNotShowIt(t *testing.T) {
	t.Parallel()
	for refs, want := range map[[2]string]int{{"53", "54"}: 1, {"55"}: 3} {
		s := newShop(t)
		for _, ref := range refs {
			if ref != "" {
				s.refusedOrder(ref, "QUOTED-PIN-"+ref)
			}
		}

		r := zwatch(t, s.db, "check-pending")

		if r.code != want || !strings.Contains(r.stderr, "the shop refuses to change order") {
			t.Errorf("orders %v refused: exit %d, want %d and the shop's refusal\n%s", refs, r.code, want, r.all())
		}
		assertNoSecret(t, "check-pending's output", r.all(), "QUOTED-PIN-"+refs[0])
	}
}

// A dry run predicts what the real run does: a PIN that does not fit is
// neither saved nor approved, and a person is called (exit 3). Saying
// "completed, PIN saved" would tell the operator all is well.
func TestCheckDryRunSaysAPINDoesNotFit(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("44")
	s.znet.Script("44", znettest.Done(strings.Repeat("Ş", 121), "tamam"))

	r := zwatch(t, s.db, "check", "--order", id, "--dry-run")

	if r.code != 3 || !strings.Contains(r.stdout, "does not fit the shop's pinCode column") ||
		strings.Contains(r.stdout, "-> completed") || strings.Contains(r.stdout, "approved\n") {
		t.Errorf("check --dry-run: exit %d, want 3 and the PIN left for a person\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "check", "--order", id, "--dry-run", "-o", "json")
	if r.code != 3 || !strings.Contains(r.stdout, `"pin_too_long": true`) || !strings.Contains(r.stdout, `"to": "sent"`) ||
		!strings.Contains(r.stdout, `"gave_up": true`) {
		t.Errorf("check --dry-run -o json: exit %d, want 3, pin_too_long, given up (as a real check leaves it) and no status change\n%s", r.code, r.all())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" {
		t.Errorf("a dry run changed the order: %+v", row)
	}
}

// 120 characters fit "pinCode" (varchar(120) counts characters), however
// many bytes each takes: such a PIN is saved whole and the order approved.
func TestPINOfExactly120CharactersIsSaved(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ascii, turkish := s.order("45"), s.order("46")
	pins := map[string]string{ascii: strings.Repeat("X7", 60), turkish: strings.Repeat("Ş7ğ", 40)}
	s.znet.Script("45", znettest.Done(pins[ascii], "tamam"))
	s.znet.Script("46", znettest.Done(pins[turkish], "tamam"))

	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 {
		t.Errorf("check-pending: exit %d, want 0\n%s", r.code, r.all())
	}
	for id, pin := range pins {
		if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != pin {
			t.Errorf("order %s: %+v, want completed with the whole PIN", id, row)
		}
	}
}

// A short dealer password turns up inside genuine PINs and balances: the
// operator sees them whole, the shop gets the PIN, balance --save keeps the
// balance, and a PIN field that merely echoes the password is shown nowhere.
func TestShortPasswordInsideAPINOrBalanceIsShownWhole(t *testing.T) {
	t.Parallel()
	const pw = "55"
	s := newShop(t)
	panel, integ := s.panel("znet-short", pw)
	genuine := s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "61", OrderNo: 61})
	echoed := s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "62", OrderNo: 62})
	panel.Script("61", znettest.Done("AB55-12CD-5555", "istek: sifre="+pw))
	panel.Script("62", znettest.Done("sifre="+pw, "tamam"))
	panel.SetBalance("12755.23")

	r := zwatch(t, s.db, "check", "--order", genuine, "--show-pin")
	if row := s.db.ReadOrder(genuine); r.code != 0 || !strings.Contains(r.stdout, "AB55-12CD-5555") ||
		row.PINCode == nil || *row.PINCode != "AB55-12CD-5555" || row.ExternalStatus != "completed" {
		t.Errorf("check --order --show-pin: exit %d, order %+v, want the PIN shown and saved whole\n%s", r.code, row, r.all())
	}
	r = zwatch(t, s.db, "check", "--order", echoed, "--show-pin")
	if row := s.db.ReadOrder(echoed); strings.Contains(r.all(), "sifre="+pw) || row.PINCode != nil ||
		!strings.Contains(r.all(), "PIN field repeats the dealer password") {
		t.Errorf("check --order on an echo: exit %d, order %+v, want the answer refused and the echo shown nowhere\n%s", r.code, row, r.all())
	}

	got, r := balance(t, s.db, "--save", "--integration", integ)
	if b := got["znet-short"]; r.code != 0 || b.State != "ok" || b.Balance != "12755.23" || !b.Saved {
		t.Errorf("balance --save: exit %d, %+v, want 12755.23 saved\n%s", r.code, b, r.all())
	}
	if saved := s.db.SavedBalances(); len(saved) != 1 || *saved[0].Balance != "12755.230" {
		t.Errorf("saved balances %+v, want znet-short's 12755.23", saved)
	}
}

// Database settings put where no argument is taken (an unquoted
// $DATABASE_URL split into words, a URL without its flag, a help topic) are
// refused as bad input, and the refusal quotes them without the password.
func TestSettingsInThePlaceOfAnArgumentShowNoPassword(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"check-pending", "-q", "--database-url", "host=db", "dbname=shop", "password=Cr0nSecret"},
		{"list", "postgres://shop:Cr0nSecret@db/shop"},
		{"postgres://shop:Cr0nSecret@db/shop"},
		{"--version", "postgres://shop:Cr0nSecret@db/shop"},
		{"completion", "postgres://shop:Cr0nSecret@db/shop"},
		{"help", "postgres://shop:Cr0nSecret@db/shop"},
		{"list", "postgres://shop:Cr0n%53ecret@db/shop"},
		{"list", "host=db password='Cr0nSecret'"},
		{"list", "postgres://db/shop?sslmode=disable&password=Cr0nSecret"},
	} {
		var errOut strings.Builder
		r := runMain(args, &errOut)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, want 2 and one line\n%s", args, r.code, r.all())
		}
		assertNoSecret(t, strings.Join(args, " "), r.all(), "Cr0nSecret", "Cr0n%53ecret")
	}
	// The settings as the flag's value, after --version: a well-formed
	// line, which prints the version and shows no password.
	var errOut strings.Builder
	if r := runMain([]string{"--version", "--database-url", "postgres://shop:Cr0nSecret@db/shop"}, &errOut); r.code != 0 || !strings.HasPrefix(r.stdout, "zwatch ") {
		t.Errorf("--version --database-url URL: exit %d, want 0 and the version\n%s", r.code, r.all())
	} else {
		assertNoSecret(t, "--version --database-url URL", r.all(), "Cr0nSecret")
	}
	// Passwords pasted as their settings do not allow (a space, an "@"),
	// and settings split into words by a shell: every piece is the
	// password's.
	for _, args := range [][]string{
		{"check", "postgres://u:Cr0n Secret@db/shop"},
		{"check", "host=db password=Cr0n Secret"},
		{"check", "postgres://u:Cr0n@Secret@db/shop"},
		{"check", "--order", "postgres://u:Cr0n@Secret@db/shop"},
		{"list", "postgres://u:Cr0n", "Secret@db/shop"},
		{"list", "host=db", "password='Cr0n", "Secret'", "dbname=shop"},
		{"list", "host=db", "password='Cr0n", "mid", "Secret'"},
		{"list", "host=db", "password='Cr0n", "list", "Secret'"},
		{"list", "postgres://u:Cr0n", "mid", "Secret@db/shop"},
		{"list", "host=db", "password=Cr0n", "Secret", "dbname=shop"},
		{"list", `host=db password='Cr0n\'Secret' dbname=shop`},
		{"list", "postgres://db/shop?password=Cr0n", "Secret&sslmode=disable"},
		// A piece that looks like a flag, the words of "password = value",
		// a tab before a short password (which %q shows as "\t"), an "@"
		// and a space in a URL's password.
		{"list", "host=db", "password=Cr0n", "-Secret"},
		{"list", "host=db", "password=Cr0n", "--Secret"},
		{"list", "host=db", "password", "=", "Cr0nSecret"},
		{"list", "host=db", "PASSWORD", "=Cr0nSecret"},
		{"list", "host=db password=\tCr0n"},
		{"list", "postgres://u:Cr0n@Secret", "mid@db/shop"},
		// Two passwords in one word, one within the other's stretch.
		{"list", "postgres://u:Cr0n@db/shop?password=SecretSecretSecret", "mid@y"},
		{"list", "--database-url", "postgres://u:Cr0n@db/shop?password=SecretSecretSecret", "--tenant", "mid@b"},
		{"list", "host=db password='Cr0n password=SecretSecretSecret'"},
		// A control character in the password, which the line escapes
		// (after the password is out), and a byte that is not UTF-8.
		{"list", "---database-url=postgres://u:Cr0n\x01Secret@db/shop"},
		{"list", "---database-url=postgres://u:Cr0n\"\xfeSecret@db/shop"},
		{"list", "---database-url=postgres://u:Cr0n\nSecret@db/shop"},
		{"list", "---database-url=postgres://u:Cr0n\r\nSecret@db/shop"},
	} {
		var errOut strings.Builder
		r := runMain(args, &errOut)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, want 2 and one line\n%s", args, r.code, r.all())
		}
		assertNoSecret(t, strings.Join(args, " "), r.all(), "Cr0n", "Secret", "mid")
	}
	// Nor is more hidden than the password: the line must still say what
	// is wrong.
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--database-url", "host=db dbname=shop password=Cr0nSecret", "check-pending", "now"}, []string{"check-pending", `"now"`}},
		{[]string{"--database-url", "postgres://db/shop?password=Cr0nSecret", "list", "extra"}, []string{"zwatch list", `"extra"`}},
		{[]string{"list", "--database-url", "postgres://[::1]/shop", "--limit", "abcdef"}, []string{`"abcdef"`, "limit"}},
		{[]string{"--database-url", "postgres://[::1]:5432/shop?sslmode=disable", "lst"}, []string{`"lst"`}},
	} {
		var errOut strings.Builder
		r := runMain(c.args, &errOut)
		for _, want := range c.want {
			if r.code != 2 || !strings.Contains(r.stderr, want) {
				t.Errorf("%q: exit %d, want 2 and %s in the line\n%s", c.args, r.code, want, r.all())
			}
		}
		assertNoSecret(t, strings.Join(c.args, " "), r.all(), "Cr0nSecret")
	}
}

// A panel whose PHP page goes on past its Content-Length, repeating the
// request: Go's HTTP client wrote those bytes to the standard logger, on
// stderr and into cron's mail, password and all. Not parallel: it reads
// the process's standard logger.
func TestBytesAPanelSendsAfterItsAnswerAreNotLogged(t *testing.T) {
	const pw = "Gizli-sifre-77"
	s := newShop(t)
	panel, integ := s.panel("znet-tail", pw)
	const answer = "OK|1| |bekliyor"
	panel.Script("41", znettest.RawResponse([]byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"+
		"<pre>GET /servis/pin_kontrol.php?kod=%s&sifre=%s&tahsilat_api_islem_id=41</pre>", len(answer), answer, dealerCode, pw))))
	id := s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "41", OrderNo: 41})

	var logged strings.Builder
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	r := zwatch(t, s.db, "check", "--order", id)
	time.Sleep(500 * time.Millisecond) // the client reads an idle connection's bytes after the answer
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	if strings.Contains(logged.String(), "sifre") || strings.Contains(r.all(), "sifre=") {
		t.Errorf("the bytes after the answer reached a log:\n%s%s", logged.String(), r.all())
	}
}

// With PQGO_DEBUG=1 lib/pq would print the database's whole conversation,
// passwords and PINs with it: every command that connects refuses in one
// line, before touching the database; one that never connects still runs.
func TestPQGODebugIsRefusedBeforeConnecting(t *testing.T) {
	s := newShop(t)
	id := s.order("41")
	s.znet.Script("41", znettest.Done("DEBUG-PIN-41", "tamam"))
	t.Setenv("PQGO_DEBUG", "1")

	if r := zwatch(t, s.db, "version"); r.code != 0 || r.stdout == "" {
		t.Errorf("version with PQGO_DEBUG=1: exit %d, want 0 and the version\n%s", r.code, r.all())
	}
	for _, args := range [][]string{{"check-pending"}, {"check", "--order", id}, {"list", "--pending"}, {"migrate"}} {
		r := zwatch(t, s.db, args...)
		if r.code != 2 {
			t.Errorf("%v with PQGO_DEBUG=1: exit %d, want 2\n%s", args, r.code, r.all())
		}
		oneLine(t, r.stderr, "PQGO_DEBUG=1 is set")
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("znet was asked %d times; a refused command asks nothing", n)
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" {
		t.Errorf("the order after refused commands: %+v, want unchanged", row)
	}
}
