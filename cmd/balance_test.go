package cmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

type panelJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	State   string `json:"state"`
	Balance string `json:"balance"`
	Error   string `json:"error"`
	Saved   bool   `json:"saved"`
}

func balance(t *testing.T, db *storetest.DB, args ...string) (map[string]panelJSON, result) {
	t.Helper()
	r := zwatch(t, db, append([]string{"balance", "-o", "json"}, args...)...)
	var lines []panelJSON
	if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil {
		t.Fatalf("balance json: %v (exit %d)\n%s", err, r.code, r.all())
	}
	byName := map[string]panelJSON{}
	for _, l := range lines {
		byName[l.Name] = l
	}
	return byName, r
}

func TestBalanceTellsEachPanelsState(t *testing.T) {
	t.Parallel()
	s := newShop(t) // znet-A answers with its balance
	s.znet.SetBalance("12755.23")
	broken := znettest.NewServer(dealerCode, password)
	t.Cleanup(broken.Close)
	broken.SetBalanceAnswer(znettest.ServerError(503))
	spare := znettest.NewServer(dealerCode, password)
	t.Cleanup(spare.Close)
	const wrongPassword = "Yanlis-Sifre-11"
	add := func(name, baseURL, sifre string, disabled bool) string {
		return s.db.AddIntegration(storetest.Integration{Name: name, BaseURL: baseURL, Kod: dealerCode, Sifre: sifre, Disabled: disabled})
	}
	add("znet-unauthorized", s.znet.URL, wrongPassword, false)
	add("znet-unreachable", "http://127.0.0.1:1", password, false)
	add("znet-wrong-url", s.znet.URL+"/bayi", password, false)
	add("znet-misconfigured", "bayi.example.com.tr", password, false)
	add("znet-error", broken.URL, password, false)
	disabled := add("znet-disabled", spare.URL, password, true)
	s.db.AddIntegration(storetest.Integration{Name: "barakat", Provider: "barakat", BaseURL: s.znet.URL})

	got, r := balance(t, s.db, "--save")

	if r.code != 3 {
		t.Errorf("exit %d, want 3 when a panel fails\n%s", r.code, r.stderr)
	}
	want := map[string]string{
		"znet-A": "ok", "znet-unauthorized": "unauthorized", "znet-unreachable": "unreachable",
		"znet-wrong-url": "wrong_base_url", "znet-misconfigured": "misconfigured", "znet-error": "error",
		"znet-disabled": "disabled",
	}
	if len(got) != len(want) {
		t.Errorf("integrations %v, want only the znet ones", got)
	}
	for name, state := range want {
		if got[name].State != state {
			t.Errorf("%s: state %q, want %q (%s)", name, got[name].State, state, got[name].Error)
		}
		if state != "ok" && state != "disabled" && got[name].Error == "" {
			t.Errorf("%s: no explanation for an operator", name)
		}
	}
	if a := got["znet-A"]; a.Balance != "12755.23" || !a.Saved {
		t.Errorf("znet-A: %+v, want balance 12755.23 saved", a)
	}
	if spare.TotalRequests() != 0 {
		t.Errorf("the disabled integration's panel was asked %d times", spare.TotalRequests())
	}
	assertNoSecret(t, "json output", r.all(), wrongPassword)

	saved := s.db.SavedBalances()
	if len(saved) != 1 || saved[0].Name != "znet-A" || *saved[0].Balance != "12755.230" || !saved[0].Fresh {
		t.Errorf("saved balances %+v, want only znet-A's, just now", saved)
	}

	table := zwatch(t, s.db, "balance")
	for _, want := range []string{"znet-unauthorized", "unauthorized", "12755.23", "wrong_base_url", "disabled", "empty body"} {
		if !strings.Contains(table.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, table.stdout)
		}
	}
	assertNoSecret(t, "table output", table.all(), wrongPassword)

	// Named, a disabled integration is asked: the check before switching it on.
	got, r = balance(t, s.db, "--integration", disabled)
	if r.code != 0 || len(got) != 1 || got["znet-disabled"].State != "ok" || got["znet-disabled"].Enabled {
		t.Errorf("--integration on a disabled one: exit %d, %+v", r.code, got)
	}
}

func TestBalanceAllOKExitsZeroAndSavesNothingUnasked(t *testing.T) {
	t.Parallel()
	s := newShop(t)

	got, r := balance(t, s.db)

	if r.code != 0 || got["znet-A"].State != "ok" || got["znet-A"].Balance == "" || got["znet-A"].Saved {
		t.Errorf("exit %d, %+v: want ok, a balance, nothing saved without --save", r.code, got)
	}
	if written := len(s.db.SavedBalances()); written != 0 {
		t.Errorf("balance without --save wrote %d integrations", written)
	}
}

// A shop transaction holding an integration's row (an admin page, a
// checkout reserving the dealer balance) does not hold up balance --save:
// it waits about a second, says which balance it could not save and why,
// saves the others, and leaves the shop's row alone.
func TestBalanceSaveDoesNotWaitForAShopLock(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetBalance("12755.23")
	s.db.AddIntegration(storetest.Integration{Name: "znet-other", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password})
	s.db.HoldIntegrationLock(s.integ)

	done := make(chan result, 1)
	go func() { done <- zwatch(t, s.db, "balance", "--save") }()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("balance --save still waits for the shop's lock on the integration after 30 s")
	}

	if r.code != 1 || !strings.Contains(r.stderr, s.integ) || !strings.Contains(r.stderr, "holds its row") {
		t.Errorf("exit %d, want 1 and a line naming the held integration\n%s", r.code, r.all())
	}
	saved := s.db.SavedBalances()
	if len(saved) != 1 || saved[0].Name != "znet-other" {
		t.Errorf("saved balances %+v, want znet-other's only", saved)
	}
}

// A balance past what the shop's column holds (numeric(18,3)) is said in
// words, for its integration, and saves nothing.
func TestBalanceSaveTooLargeForTheShopsColumn(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetBalance("1234567890123456.78")

	r := zwatch(t, s.db, "balance", "--save")

	if r.code != 1 || !strings.Contains(r.stderr, s.integ) || !strings.Contains(r.stderr, "more than the shop's column integrations.balance holds") || strings.Contains(r.stderr, "pq:") {
		t.Errorf("exit %d, want 1 and a line saying the balance does not fit\n%s", r.code, r.all())
	}
	if saved := s.db.SavedBalances(); len(saved) != 0 {
		t.Errorf("saved balances %+v, want none", saved)
	}
}

// A trigger of the shop's on integrations that refuses the update quoting
// the row (RAISE ... NEW, an audit guard) quotes the dealer password: the
// line says the update was refused, and shows none of its words (a
// security adversary's find: the password went to stderr, the cron mail).
func TestBalanceSaveRefusedInWordsQuotingThePasswordShowsNone(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetBalance("12755.23")
	s.db.Exec(`CREATE FUNCTION guard_integrations() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'integration changed outside the admin: %', NEW; END $$`)
	s.db.Exec(`CREATE TRIGGER guard_integrations BEFORE UPDATE ON integrations FOR EACH ROW EXECUTE FUNCTION guard_integrations()`)

	for _, args := range [][]string{{"balance", "--save"}, {"balance", "--save", "-o", "json", "--log-format", "json", "--log-level", "debug"}} {
		r := zwatch(t, s.db, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "refused the update (SQLSTATE P0001, raise_exception) in words of the shop's code") {
			t.Errorf("%v: exit %d, want 1 and a line saying the database refused the update\n%s", args, r.code, r.all())
		}
		assertNoSecret(t, strings.Join(args, " "), r.all())
	}
	if saved := s.db.SavedBalances(); len(saved) != 0 {
		t.Errorf("saved balances %+v, want none", saved)
	}
}

// The shop's column rounds a balance of more decimals than it keeps:
// balance --save says what it saved where that differs from what znet
// said, and says nothing more of a balance it kept whole (an operator
// adversary's find: "1.2345 saved: yes", and the column held 1.235).
func TestBalanceSaveSaysWhatTheShopsColumnKept(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for balance, want := range map[string]string{"1.2345": "1.235", "12755.2": ""} {
		s.znet.SetBalance(balance)
		r := zwatch(t, s.db, "balance", "--save", "-o", "json")
		var lines []struct {
			Balance string `json:"balance"`
			Saved   bool   `json:"saved"`
			SavedAs string `json:"saved_as"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil || r.code != 0 || len(lines) != 1 ||
			lines[0].Balance != balance || !lines[0].Saved || lines[0].SavedAs != want {
			t.Errorf("znet's balance %s: exit %d, %+v (%v), want it saved as %q\n%s", balance, r.code, lines, err, want, r.all())
		}
		if want == "" {
			continue
		}
		if table := zwatch(t, s.db, "balance", "--save"); !strings.Contains(table.stdout, "as "+want) {
			t.Errorf("balance --save of %s does not say it was saved as %s:\n%s", balance, want, table.all())
		}
	}
}

// A balance the shop writes while znet is asked is newer than znet's
// reading: balance --save keeps it, says so, and saves the others.
func TestBalanceSaveKeepsABalanceTheShopWroteMeanwhile(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetBalance("12755.23")
	s.db.AddIntegration(storetest.Integration{Name: "znet-other", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password})
	s.znet.SetLatency(2 * time.Second)
	go func() {
		// Once znet is asked, zwatch has read the balances it will compare.
		for deadline := time.Now().Add(30 * time.Second); s.znet.TotalRequests() == 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				return
			}
		}
		s.db.Exec(`UPDATE integrations SET balance = 100, "balanceUpdatedAt" = now() WHERE id = $1`, s.integ)
	}()

	r := zwatch(t, s.db, "balance", "--save")

	if r.code != 1 || !strings.Contains(r.stderr, s.integ) || !strings.Contains(r.stderr, "the shop wrote its balance while znet was asked") {
		t.Errorf("exit %d, want 1 and a line naming the integration whose balance the shop wrote\n%s", r.code, r.all())
	}
	saved := s.db.SavedBalances()
	for _, b := range saved {
		if want := map[string]string{"znet-A": "100.000", "znet-other": "12755.230"}[b.Name]; b.Balance == nil || *b.Balance != want {
			got := "none"
			if b.Balance != nil {
				got = *b.Balance
			}
			t.Errorf("%s: balance %s, want %s", b.Name, got, want)
		}
	}
	if len(saved) != 2 {
		t.Errorf("saved balances %+v, want the shop's and znet-other's", saved)
	}
}

// Ctrl-C while one panel is slow to answer keeps the balances the others
// already gave: they are saved, as check-pending saves the answers it has.
func TestBalanceSaveStoppedKeepsTheBalancesRead(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	slow, _ := s.panel("znet-slow", password)
	slow.SetLatency(time.Minute)
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		for s.znet.Answered() == 0 || slow.TotalRequests() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		// znet-A's answer, sent, read by zwatch: a second is ample on a busy
		// host, and the slow panel answers in a minute.
		time.Sleep(time.Second)
		stop()
	}()
	var out, errOut bytes.Buffer
	code := cmd.Main(ctx, []string{"balance", "--save", "--database-url", s.db.URL}, cmd.IOStreams{Out: &out, ErrOut: &errOut})

	saved := s.db.SavedBalances()
	if len(saved) != 1 || saved[0].Name != "znet-A" || saved[0].Balance == nil {
		t.Errorf("saved %+v: want znet-A's balance, read before the signal, saved", saved)
	}
	if code != 3 {
		t.Errorf("exit %d, want 3: one panel could not be asked\n%s%s", code, out.String(), errOut.String())
	}
}

// A shop with no znet integration got a bare header, which reads as a
// list cut off: as list's and retry's empty lists, it gets a line.
func TestBalanceWithNoZnetIntegrationSaysSo(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)

	r := zwatch(t, db, "balance")

	if r.code != 0 || strings.TrimSpace(r.stdout) != "no znet integrations" || r.stderr != "" {
		t.Errorf("exit %d: want 0 and one line saying there is no znet integration:\n%s", r.code, r.all())
	}
	if got, _ := balance(t, db); len(got) != 0 {
		t.Errorf("-o json: want [], got %+v", got)
	}
}

// A database restart while the panels are asked: balance --save still
// prints the balance the panel gave, saves nothing, and says in one line
// that the database went away, naming it; once it is back, the next
// balance --save saves.
func TestBalanceSaveOverADatabaseRestart(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetBalance("12755.23")
	s.znet.SetLatency(time.Second)
	outage := make(chan func(), 1)
	go func() {
		for s.znet.TotalRequests() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		outage <- s.db.Outage()
	}()

	r := zwatch(t, s.db, "balance", "--save", "-o", "json")
	(<-outage)()

	if r.code != 1 || !strings.Contains(r.stdout, `"balance": "12755.23"`) || !strings.Contains(r.stdout, `"saved": false`) {
		t.Errorf("exit %d, want 1 and the panel's balance printed, not saved\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "went away or could not be reached")
	if !strings.Contains(r.stderr, s.integ) || !regexp.MustCompile(`the database at host \S+ port \d+ database \S+`).MatchString(r.stderr) {
		t.Errorf("the error line names neither the integration nor the database:\n%s", r.stderr)
	}
	assertNoSecret(t, "output", r.all(), password)
	if saved := s.db.SavedBalances(); len(saved) != 0 {
		t.Errorf("saved %+v during the outage, want nothing", saved)
	}

	s.znet.SetLatency(0)
	if r := zwatch(t, s.db, "balance", "--save"); r.code != 0 || len(s.db.SavedBalances()) != 1 {
		t.Errorf("balance --save after the restart: exit %d, saved %+v; want 0 and the balance saved\n%s", r.code, s.db.SavedBalances(), r.all())
	}
}
