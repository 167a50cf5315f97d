package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// list, stats, migrate --status and --print-grants end, with one line and
// exit status 1, when the database takes their start-up and then holds a
// statement open and silent (a pooler that stopped working): run from cron
// to feed a monitor, they waited for ever, and so did every one started
// after.
func TestReadingCommandsGiveUpOnASilentStatement(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		// token is in the statement that meets the silence, and in none
		// sent before it.
		token string
		run   func(ctx context.Context, g *GlobalOptions) error
	}{
		{"list", "WITH matching AS", func(ctx context.Context, g *GlobalOptions) error {
			return runList(ctx, &ListOptions{GlobalOptions: g, Limit: 50, Output: "table"})
		}},
		{"stats", "WITH waiting AS", func(ctx context.Context, g *GlobalOptions) error {
			return runStats(ctx, &StatsOptions{GlobalOptions: g, FirstDelay: watch.DefaultConfig().FirstDelay, GiveUpAfter: watch.DefaultConfig().GiveUpAfter, Output: "table"})
		}},
		// The check of zwatch's migrations, the first statement after the
		// start-up, meets the silence as likely as the command's own.
		{"list, at the migrations' check", "current_setting('search_path') AS search_path", func(ctx context.Context, g *GlobalOptions) error {
			return runList(ctx, &ListOptions{GlobalOptions: g, Limit: 50, Output: "table"})
		}},
		// A deploy's script may ask for the status, or the grants, as a
		// monitor asks for stats.
		{"migrate --status", "current_setting('search_path') AS search_path", func(ctx context.Context, g *GlobalOptions) error {
			return runMigrate(ctx, &MigrateOptions{GlobalOptions: g, Status: true})
		}},
		{"migrate --print-grants", "current_setting('search_path') AS search_path", func(ctx context.Context, g *GlobalOptions) error {
			return runMigrate(ctx, &MigrateOptions{GlobalOptions: g, PrintGrants: "zwatch"})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			proxy := db.Proxy()
			proxy.HangOn(c.token)
			var out, errOut bytes.Buffer
			g := &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: &errOut}, DatabaseURL: proxy.URL, readsOnly: true, readGiveUp: 2 * time.Second}

			err := endsWithinAMinute(t, c.name, func() error { return c.run(context.Background(), g) })
			assertGaveUp(t, c.name, err, proxy.URL, "did not answer within 2s: a statement hangs")
			if out.Len() != 0 {
				t.Errorf("%s printed although its read never ended:\n%s", c.name, out.String())
			}
		})
	}
}

// Told to stop (a Ctrl-C) while its statement meets the silence, stats
// ends readStopGrace later, not after the whole readHangs nor at a second
// Ctrl-C.
func TestAStoppedReadingCommandEndsThoughItsStatementIsSilent(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	proxy := db.Proxy()
	proxy.HangOn("WITH waiting AS")
	var out bytes.Buffer
	g := &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: &out}, DatabaseURL: proxy.URL, readsOnly: true, readGiveUp: time.Hour}
	ctx, stop := context.WithCancel(context.Background())
	ended := make(chan error, 1)
	go func() {
		ended <- runStats(ctx, &StatsOptions{GlobalOptions: g, FirstDelay: watch.DefaultConfig().FirstDelay, GiveUpAfter: watch.DefaultConfig().GiveUpAfter, Output: "table"})
	}()
	select {
	case <-proxy.Hung():
	case <-time.After(time.Minute):
		t.Fatal("stats's statement has not reached the relay in a minute")
	}
	stop()
	err := endsWithinAMinute(t, "stats, told to stop,", func() error { return <-ended })
	assertGaveUp(t, "stats", err, proxy.URL, "did not answer 5s after zwatch was told to stop")
	if out.Len() != 0 {
		t.Errorf("stats printed although its read never ended:\n%s", out.String())
	}
}

// balance, a health check a monitor may run from cron, ends too, with one
// line and exit status 1, whether the silence meets it reading the
// integrations, before any panel is asked, or saving a balance a panel
// gave: it then prints the balances, which were saved, and names the one
// that may or may not have been.
func TestBalanceGivesUpOnASilentStatement(t *testing.T) {
	t.Parallel()
	const dealerCode, dealerPassword, balance = "bayi-7", "Gizli-Sifre-99", "12755.23"
	for _, c := range []struct {
		name string
		save bool
	}{
		{"reading the integrations", false},
		{"saving a balance", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			panel := znettest.NewServer(dealerCode, dealerPassword)
			t.Cleanup(panel.Close)
			panel.SetBalance(balance)
			add := func(name string) string {
				return db.AddIntegration(storetest.Integration{Name: name, BaseURL: panel.URL, Kod: dealerCode, Sifre: dealerPassword})
			}
			add("znet-A")
			second := add("znet-B")
			proxy := db.Proxy()
			var out, errOut bytes.Buffer
			g := &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: &errOut}, DatabaseURL: proxy.URL, readsOnly: !c.save, readGiveUp: 2 * time.Second}
			opts := &BalanceOptions{GlobalOptions: g, Save: c.save, Timeout: 10 * time.Second, Concurrency: 4, Output: "json"}
			says := "no panel was asked"
			if c.save {
				// znet-A's balance is saved; znet-B's, whose id is sent
				// with its statement, meets the silence.
				proxy.HangOn(second)
				g.readGiveUp, opts.saveGiveUp = time.Minute, 2*time.Second
				says = "those marked saved were saved, that of znet-B (" + second + ") may or may not have been"
			} else {
				proxy.HangOn("ORDER BY i.name, i.id") // as in the read test above
			}

			err := endsWithinAMinute(t, "balance", func() error { return runBalance(context.Background(), opts) })
			assertGaveUp(t, "balance", err, proxy.URL, "did not answer within 2s: a statement hangs", says)
			assertHoldsNone(t, "balance's line and output", err.Error()+out.String()+errOut.String(), dealerPassword, databasePassword(proxy.URL))
			if !c.save {
				if panel.TotalRequests() != 0 || out.Len() != 0 {
					t.Errorf("balance gave up reading the integrations; want no panel asked (%d requests) and nothing printed:\n%s", panel.TotalRequests(), out.String())
				}
				return
			}
			var lines []panelLine
			if err := json.Unmarshal(out.Bytes(), &lines); err != nil {
				t.Fatalf("balance's JSON after the save was given up: %v\n%s", err, out.String())
			}
			saved := map[string]bool{}
			for _, l := range lines {
				if l.Balance != balance {
					t.Errorf("%s: balance %q printed, want the panel's %s", l.Name, l.Balance, balance)
				}
				saved[l.Name] = l.Saved
			}
			if len(lines) != 2 || !saved["znet-A"] || saved["znet-B"] {
				t.Errorf("balance gave up saving znet-B's balance; want both printed, znet-A's saved and znet-B's not:\n%s", out.String())
			}
		})
	}
}

// endsWithinAMinute is run's error, or the test's end if run has not ended
// a minute after its statement met the silence: a command that waits for
// ever.
func endsWithinAMinute(t *testing.T, what string, run func() error) error {
	t.Helper()
	ended := make(chan error, 1)
	go func() { ended <- run() }()
	select {
	case err := <-ended:
		return err
	case <-time.After(time.Minute):
		t.Fatalf("%s has not ended a minute after its statement met a silent connection", what)
		return nil
	}
}

// assertGaveUp checks the line of a command that gave up on a silent
// statement: exit status 1, the database named, what it says, and never
// the database's password.
func assertGaveUp(t *testing.T, what string, err error, databaseURL string, says ...string) {
	t.Helper()
	if exitStatus(err) != ExitFatal || err == nil {
		t.Fatalf("%s on a silent statement ended with exit %d, %v; want %d", what, exitStatus(err), err, ExitFatal)
	}
	for _, want := range append(says, "the database (host ") {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s's line does not say %q: %v", what, want, err)
		}
	}
	assertHoldsNone(t, what+"'s line", err.Error(), databasePassword(databaseURL))
}

// assertHoldsNone checks that text holds none of the secrets given (an
// empty one is none).
func assertHoldsNone(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" && strings.Contains(text, secret) {
			t.Errorf("%s holds the secret %q:\n%s", what, secret, text)
		}
	}
}

// databasePassword is the password zwatch connects with: the URL's, or
// else $PGPASSWORD's (pg_virtualenv's throwaway cluster sets it).
func databasePassword(databaseURL string) string {
	if u, err := url.Parse(databaseURL); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			return pw
		}
	}
	return os.Getenv("PGPASSWORD")
}

// check and retry end too, with one line and exit status 1, where the
// database holds a statement open and silent: a script that retries a
// panel's stuck orders, or asks about an order, must not wait for ever.
// Each says how far it got: whether znet was asked and its answer may
// have been saved, or the stuck orders may have been put back.
func TestCheckAndRetryGiveUpOnASilentStatement(t *testing.T) {
	t.Parallel()
	const dealerCode, dealerPassword, pin = "bayi-7", "Gizli-Sifre-99", "SILENT-PIN-2231"
	check := func(ctx context.Context, g *GlobalOptions) error {
		return runCheck(ctx, &CheckOptions{GlobalOptions: g, OrderID: "2231", Timeout: time.Second, Output: "table"})
	}
	retry := func(ctx context.Context, g *GlobalOptions) error {
		return runRetry(ctx, &RetryOptions{GlobalOptions: g, Stuck: true, Output: "table"})
	}
	for _, c := range []struct {
		name string
		// token is in the statement that meets the silence, and in none
		// sent before it.
		token string
		says  []string
		asked bool // the panel was asked before the silence
		run   func(ctx context.Context, g *GlobalOptions) error
	}{
		// 15 s to give up, and the request's 1 s for check: far more than
		// the statements before the silence take on a busy host, so that
		// the words are those of the statement the silence meets.
		{"check, finding the order", "WHERE o.id BETWEEN $2::uuid AND $3::uuid",
			[]string{"did not answer within 16s", "znet was not asked, and nothing was written"}, false, check},
		{"check, claiming the order", "claim one order for a manual check",
			[]string{"did not answer within 16s", "znet was not asked; a claim this check may hold on the order lapses within",
				"zwatch check --order 2231 shows what the order holds"}, false, check},
		{"check, saving znet's answer", "referans_hex text, result text",
			[]string{"did not answer within 16s", "znet was asked, and what it answered was not printed and may or may not have been saved",
				"a claim this check may hold on the order lapses within"}, true, check},
		{"retry, putting the orders back", "retried AS (",
			[]string{"did not answer within 15s", "the stuck orders may or may not have been put back into polling, all of them or none"}, false, retry},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			panel := znettest.NewServer(dealerCode, dealerPassword)
			t.Cleanup(panel.Close)
			integ := db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: panel.URL, Kod: dealerCode, Sifre: dealerPassword})
			order := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2231", OrderNo: 2231})
			panel.Script("2231", znettest.Done(pin, "tamam"))
			stuck := strings.HasPrefix(c.name, "retry")
			db.AddCheck(order, storetest.Check{Attempts: 3, NextCheckIn: -1, GivenUp: stuck})
			proxy := db.Proxy()
			proxy.HangOn(c.token)
			var out, errOut bytes.Buffer
			g := &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: &errOut}, DatabaseURL: proxy.URL, readGiveUp: 15 * time.Second}

			err := endsWithinAMinute(t, c.name, func() error { return c.run(context.Background(), g) })
			select {
			case <-proxy.Hung():
			default:
				t.Fatalf("%s gave up before its statement met the silence: %v", c.name, err)
			}
			assertGaveUp(t, c.name, err, proxy.URL, c.says...)
			assertHoldsNone(t, c.name+"'s line and output", err.Error()+out.String()+errOut.String(), pin, dealerPassword)
			if out.Len() != 0 {
				t.Errorf("%s printed although its work never came back:\n%s", c.name, out.String())
			}
			if asked := panel.TotalRequests() > 0; asked != c.asked {
				t.Errorf("%s: the panel heard %d requests, want it asked: %v", c.name, panel.TotalRequests(), c.asked)
			}
			// The statement the silence met never reached the database.
			if stuck {
				if db.ReadCheck(order).GivenUpAt == nil {
					t.Errorf("%s: the stuck order was put back, though retry's statement never reached the database", c.name)
				}
				return
			}
			if got := db.ReadOrder(order); got.PINCode != nil || got.ExternalStatus != "sent" {
				t.Errorf("%s: the order after the silence: %+v; want it as it was, the answer's save never having reached the database", c.name, got)
			}
			if !c.asked {
				return
			}
			// What the line promises: until the claim lapses, check says
			// who holds the order and by when.
			var later bytes.Buffer
			err = check(context.Background(), &GlobalOptions{IO: IOStreams{Out: &later, ErrOut: &later}, DatabaseURL: db.URL})
			if err != nil {
				later.WriteString(err.Error()) // the line root prints on stderr
			}
			if exitStatus(err) != ExitNotPollable || !strings.Contains(later.String(), "its claim lapses within") {
				t.Errorf("check after the silence: exit %d, want %d saying when the claim lapses:\n%s", exitStatus(err), ExitNotPollable, later.String())
			}
		})
	}
}

// A check given up on after its claim's lease says the claim has lapsed,
// not that it lapses within a time already past: the wait (2 minutes and
// --timeout) outlasts the lease (--timeout and a minute).
func TestAGivenUpCheckSaysWhetherItsClaimLapsed(t *testing.T) {
	t.Parallel()
	lease := watch.CheckLease(20 * time.Second)
	for _, c := range []struct {
		elapsed time.Duration
		want    string
	}{
		{5 * time.Second, "a claim this check may hold on the order lapses within 1m15s, and zwatch check --order 1010 shows"},
		{2*time.Minute + 20*time.Second, "any claim this check took on the order has lapsed: zwatch check --order 1010 shows"},
	} {
		if got := claimLapses(c.elapsed, lease, "1010"); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s after the check began: %q, want it to begin %q", c.elapsed, got, c.want)
		}
	}
}

// A signal while balance --save waits for a slow save, and then the save's
// own bound: the driver words the cancel at that bound as it words a
// signal's ("canceling statement due to user request"), and the line said
// "balance was stopped by a signal before it finished", where the panels
// were asked and printed and the save was what took too long.
func TestABalanceSaveThatOutlastsItsBoundIsNoSignal(t *testing.T) {
	t.Parallel()
	const dealerCode, dealerPassword = "bayi-7", "Gizli-Sifre-99"
	db := storetest.New(t)
	panel := znettest.NewServer(dealerCode, dealerPassword)
	t.Cleanup(panel.Close)
	panel.SetBalance("1250.00")
	db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: panel.URL, Kod: dealerCode, Sifre: dealerPassword})
	// A shop's trigger that takes its time over every write of the row.
	db.Exec(`CREATE FUNCTION slow_integrations() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(20); RETURN NEW; END $$`)
	db.Exec(`CREATE TRIGGER slow_integrations BEFORE UPDATE ON integrations FOR EACH ROW EXECUTE FUNCTION slow_integrations()`)

	ctx, signal := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	g := &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: &errOut}, DatabaseURL: db.URL, readGiveUp: time.Minute}
	opts := &BalanceOptions{GlobalOptions: g, Save: true, Timeout: 10 * time.Second, Concurrency: 1, Output: "json",
		saveWithin: 2 * time.Second, saveGiveUp: 15 * time.Second}
	ended := make(chan error, 1)
	go func() { ended <- runBalance(ctx, opts) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var sleeping int
		db.Get(&sleeping, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`)
		if sleeping > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the save did not reach the shop's trigger within 30 s")
		}
	}
	signal()
	err := endsWithinAMinute(t, "balance", func() error { return <-ended })
	if err == nil || signalled(ctx, err) || !strings.Contains(err.Error(), "had not finished after 2s, so zwatch cancelled the statement (a slow trigger of the shop's on integrations") {
		t.Errorf("balance --save whose save outlasted its bound after a signal: %v (said as a signal: %t); want the save's bound said",
			err, signalled(ctx, err))
	}
	if panel.TotalRequests() != 1 || !strings.Contains(out.String(), "1250.00") {
		t.Errorf("want the panel asked once and its balance printed; %d requests, output:\n%s", panel.TotalRequests(), out.String())
	}
}
