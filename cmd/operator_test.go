package cmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// The operator's day (issue 13): what a person does by hand, as they would
// type it.

func TestCheckFindsAnOrderByNumberOrIDPrefix(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{ID: "9b84a6d1-0000-4000-8000-000000000001", IntegrationID: s.integ, Referans: "71", OrderNo: 1010})
	s.db.AddOrder(storetest.Order{ID: "5e5e0001-0000-4000-8000-000000000001", IntegrationID: s.integ, Referans: "72", OrderNo: 1011})
	s.db.AddOrder(storetest.Order{ID: "5e5e0002-0000-4000-8000-000000000002", IntegrationID: s.integ, Referans: "73", OrderNo: 1012})
	s.znet.SetDefault(znettest.Waiting("bekliyor"))

	// A whole id in braces or as a URN is the id, as --tenant takes it.
	for _, ref := range []string{"1010", "9b84a6d1", "9B84A6D1-0000", id, "{" + strings.ToUpper(id) + "}", "urn:uuid:" + id} {
		r := zwatch(t, s.db, "check", "--order", ref, "--dry-run", "-o", "json")
		var report struct {
			OrderID string `json:"order_id"`
			Answer  string `json:"answer"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil || r.code != 0 {
			t.Fatalf("check --order %s: exit %d, %v\n%s", ref, r.code, err, r.all())
		}
		if report.OrderID != id || report.Answer != "waiting" {
			t.Errorf("check --order %s asked about %+v, want order %s", ref, report, id)
		}
	}

	// A prefix two orders share names neither: both are listed, nothing is asked.
	s.znet.Reset()
	r := zwatch(t, s.db, "check", "--order", "5e5e")
	if r.code != 2 || !strings.Contains(r.stderr, "5e5e0001-") || !strings.Contains(r.stderr, "5e5e0002-") {
		t.Errorf("an ambiguous prefix: exit %d, want 2 naming both orders\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "check", "--order", "4242"); r.code != 4 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, "order 4242 does not exist: no order has the number 4242 (an id's beginning made of digits alone needs 8 of them)") {
		t.Errorf("an unknown number: exit %d, want 4 and one line saying so once\n%s", r.code, r.all())
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("znet was asked %d times about orders nobody named exactly", n)
	}

	r = zwatch(t, s.db, "list", "--order", "1011")
	if r.code != 0 || !strings.Contains(r.stdout, "5e5e0001") || strings.Contains(r.stdout, "5e5e0002") {
		t.Errorf("list --order 1011: exit %d\n%s", r.code, r.all())
	}
}

func TestCheckShowsAFinalOrderWithoutAskingZnet(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "81", OrderNo: 2020})
	s.znet.Script("81", znettest.Done("AB12-CD34-EF56-GH78", "PIN AB12-CD34-EF56-GH78 teslim edildi"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	s.znet.Reset()

	r := zwatch(t, s.db, "check", "--order", "2020")
	if r.code != 4 {
		t.Errorf("exit %d, want 4: a final order is not asked about", r.code)
	}
	for _, want := range []string{"already final", id, "completed", "••••-GH78", "shop status"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the final order's facts lack %q:\n%s", want, r.stdout)
		}
	}
	assertNoSecret(t, "check without --show-pin", r.all(), "AB12-CD34")

	// Staff replaced the PIN: the message still names the old one, which
	// masking the order's PIN alone left in clear.
	replaced := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "82", OrderNo: 2021, Status: "approved",
		ExternalStatus: "completed", PINCode: "NEWP-INXX-9999"})
	s.db.Exec(`UPDATE product_orders SET "providerMessage" = 'Kodunuz: OLDP-INYY-8888 iyi oyunlar' WHERE id = $1`, replaced)
	if r := zwatch(t, s.db, "check", "--order", replaced); r.code != 4 || !strings.Contains(r.stdout, "iyi oyunlar") {
		t.Errorf("check of a completed order whose PIN staff replaced: exit %d, want 4 and znet's words\n%s", r.code, r.all())
	} else {
		assertNoSecret(t, "check of a completed order whose PIN staff replaced", r.all(), "INXX", "INYY")
	}

	r = zwatch(t, s.db, "check", "--order", id[:8], "--show-pin", "-o", "json")
	var report struct {
		Final struct {
			PIN         string `json:"pin"`
			CompletedAt string `json:"completed_at"`
		} `json:"final"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if report.Final.PIN != "AB12-CD34-EF56-GH78" || report.Final.CompletedAt == "" {
		t.Errorf("--show-pin on a final order: %+v, want the delivered PIN and when", report.Final)
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("znet was asked %d times about final orders", n)
	}
}

func TestIntegrationsAreNamedByNameOrIDPrefix(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	other := s.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password})
	s.order("91")
	s.db.AddOrder(storetest.Order{IntegrationID: other, Referans: "92"})

	for _, name := range []string{"znet-b", " znet-B ", other[:8], other, "{" + other + "}", "urn:uuid:" + other} {
		r := zwatch(t, s.db, "list", "--integration", name, "-o", "json")
		var rows []struct {
			IntegrationID string `json:"integration_id"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != 0 {
			t.Fatalf("list --integration %s: exit %d %v\n%s", name, r.code, err, r.all())
		}
		if len(rows) != 1 || rows[0].IntegrationID != other {
			t.Errorf("list --integration %s = %+v, want znet-B's one order", name, rows)
		}
	}
	r := zwatch(t, s.db, "balance", "--integration", "znet-A")
	if r.code != 0 || !strings.Contains(r.stdout, s.integ[:8]) || strings.Contains(r.stdout, "znet-B") {
		t.Errorf("balance --integration znet-A: exit %d, want znet-A alone with its id\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "list", "--integration", "znet-C"); r.code != 2 {
		t.Errorf("an unknown integration: exit %d, want 2\n%s", r.code, r.all())
	}
	// Too short to be taken for an id's beginning: said so, not "no such id".
	if r := zwatch(t, s.db, "list", "--integration", other[:2]); r.code != 2 || !strings.Contains(r.stderr, "at least 4 hex digits") {
		t.Errorf("list --integration %s: exit %d, want 2 and the shortest beginning named\n%s", other[:2], r.code, r.all())
	}
	// An integration whose name looks like the beginning of another's id
	// is the one named so.
	hexName := strings.ToUpper(other[:4])
	hexNamed := s.db.AddIntegration(storetest.Integration{Name: hexName, BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password})
	if r := zwatch(t, s.db, "balance", "--integration", hexName); r.code != 0 || !strings.Contains(r.stdout, hexNamed[:8]) || strings.Contains(r.stdout, "znet-B") {
		t.Errorf("balance --integration %s: exit %d, want the integration of that name alone\n%s", hexName, r.code, r.all())
	}
	for _, args := range [][]string{{"stats"}, {"check-pending"}} {
		s.db.MakeAllDue()
		if r := zwatch(t, s.db, args...); !strings.Contains(r.stdout, other[:8]) || !strings.Contains(r.stdout, s.integ[:8]) {
			t.Errorf("%v: the table does not show the integrations' ids\n%s", args, r.all())
		}
	}
}

// list shows a tenant as the beginning of its id; --tenant takes that back.
func TestListNamesATenantAsItsTableShowsIt(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const tenant, twin = "7e1a0c55-1b2c-4d3e-8f40-5a6b7c8d9e0f", "7e1a0c55-ffff-4fff-8fff-ffffffffffff"
	mine := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "151", TenantID: tenant})
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "152"})
	listed := zwatch(t, s.db, "list")
	if !strings.Contains(listed.stdout, tenant[:8]) {
		t.Fatalf("list does not show the tenant as %s:\n%s", tenant[:8], listed.all())
	}

	for _, ref := range []string{tenant[:8], strings.ToUpper(tenant), tenant} {
		r := zwatch(t, s.db, "list", "--tenant", ref, "-o", "json")
		var rows []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != 0 {
			t.Fatalf("list --tenant %s: exit %d %v\n%s", ref, r.code, err, r.all())
		}
		if len(rows) != 1 || rows[0].ID != mine {
			t.Errorf("list --tenant %s = %+v, want the tenant's one order", ref, rows)
		}
	}

	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "153", TenantID: twin})
	for ref, want := range map[string]string{
		tenant[:8]: "names more than one tenant",
		"0000ffff": "no znet order's tenant has an id beginning so",
		// A whole id with one character wrong listed "no pending orders".
		"1eb0ea03-0000-0000-0000-000000000000":          "no znet order's tenant, nor any integration's, has this id",
		"{1EB0EA03-0000-0000-0000-000000000000}":        "no znet order's tenant, nor any integration's, has this id",
		"urn:uuid:1eb0ea03-0000-0000-0000-000000000000": "no znet order's tenant, nor any integration's, has this id",
		"7e1":       "at least 4 hex digits",
		"acme-shop": "at least 4 hex digits",
	} {
		r := zwatch(t, s.db, "list", "--tenant", ref)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("list --tenant %s: exit %d, want 2 and nothing listed\n%s", ref, r.code, r.all())
		}
		oneLine(t, r.stderr, want)
	}
}

func TestDisabledIntegrationsOrdersArePausedNotPending(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("101")
	off := s.db.AddIntegration(storetest.Integration{Name: "znet-off", Disabled: true})
	paused := s.db.AddOrder(storetest.Order{IntegrationID: off, Referans: "102", SentAgo: 72 * 3600e9})
	path := filepath.Join(t.TempDir(), "zwatch.prom")
	s.znet.SetDefault(znettest.Waiting(""))

	if r := zwatch(t, s.db, "check-pending", "-q", "--metrics-file", path); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	m := readMetrics(t, path)
	if got := m.value(t, "zwatch_pending_orders", labels{"integration": "znet-off"}); got != 0 {
		t.Errorf("a disabled integration has %v pending orders in the metrics, want 0", got)
	}
	if got := m.value(t, "zwatch_oldest_pending_order_age_seconds", labels{"integration": "znet-off"}); got != 0 {
		t.Errorf("a disabled integration's oldest pending age is %vs, want 0: an alert on it would never stop", got)
	}
	if got := m.value(t, "zwatch_paused_orders", labels{"integration": "znet-off"}); got != 1 {
		t.Errorf("paused orders %v, want 1", got)
	}

	st := stats(t, s.db)
	if st.Total.Sent+st.Total.Processing != 1 || *st.Total.AgeOldest > 3600 {
		t.Errorf("stats total %+v: want only the enabled integration's order, not the 3-day-old paused one", st.Total)
	}
	var pausedTotal struct {
		Total struct {
			Paused int `json:"paused"`
		} `json:"total"`
	}
	r := zwatch(t, s.db, "stats", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &pausedTotal); err != nil || pausedTotal.Total.Paused != 1 {
		t.Errorf("stats total paused = %d, want 1 (%v)", pausedTotal.Total.Paused, err)
	}

	if r := zwatch(t, s.db, "list", "--pending"); strings.Contains(r.stdout, paused[:8]) {
		t.Errorf("list --pending shows an order zwatch does not ask about:\n%s", r.stdout)
	}
	if r := zwatch(t, s.db, "list", "--paused"); r.code != 0 || !strings.Contains(r.stdout, paused[:8]) {
		t.Errorf("list --paused: exit %d\n%s", r.code, r.all())
	}
	// Nor does it say when zwatch asks next: not until it is enabled.
	if r := zwatch(t, s.db, "list", "--paused", "-o", "json"); r.code != 0 || strings.Contains(r.stdout, "next_check_at") {
		t.Errorf("list --paused -o json: exit %d, want 0 and no next check\n%s", r.code, r.all())
	}
}

func TestListSaysHowManyMoreAreNotShown(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, ref := range []string{"111", "112", "113", "114", "115"} {
		s.order(ref)
	}
	r := zwatch(t, s.db, "list", "--limit", "2")
	if r.code != 0 || !strings.Contains(r.stdout, "3 more not shown") {
		t.Errorf("list --limit 2 of 5: exit %d\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "list", "--limit", "5"); strings.Contains(r.stdout, "not shown") {
		t.Errorf("list of all 5 says some are not shown:\n%s", r.stdout)
	}
	// JSON stays a list of the orders shown; stderr says the rest.
	r = zwatch(t, s.db, "list", "--limit", "2", "-o", "json")
	var shown []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || len(shown) != 2 || !strings.Contains(r.stderr, "3 more not shown") {
		t.Errorf("list --limit 2 -o json of 5: exit %d, %d orders (%v), want 2 and stderr saying 3 more\n%s", r.code, len(shown), err, r.all())
	}
	if r := zwatch(t, s.db, "list", "--limit", "5", "-o", "json"); r.stderr != "" {
		t.Errorf("list -o json of all 5 says something on stderr:\n%s", r.stderr)
	}
}

// --order narrows the list, it does not come before it: a shop whose
// tenants repeat order numbers, or an id prefix many orders share, must
// still show the waiting one behind newer completed ones, and count them.
func TestListByOrderFindsItAmongNewerOrdersOfTheSameName(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	waiting := s.db.AddOrder(storetest.Order{ID: "beef0001-0000-4000-8000-000000000001", IntegrationID: s.integ, Referans: "171",
		OrderNo: 4242, SentAgo: 2 * time.Hour})
	for i, ago := range []time.Duration{time.Hour, time.Minute} {
		s.db.AddOrder(storetest.Order{ID: fmt.Sprintf("beef%04d-0000-4000-8000-000000000001", i+2), IntegrationID: s.integ,
			Referans: fmt.Sprint(172 + i), OrderNo: 4242, ExternalStatus: "completed", Status: "approved", PINCode: "DONE-PIN", SentAgo: ago})
	}
	for _, ref := range []string{"4242", "beef"} {
		if r := zwatch(t, s.db, "list", "--pending", "--order", ref, "--limit", "1"); r.code != 0 || !strings.Contains(r.stdout, waiting[:8]) {
			t.Errorf("list --pending --order %s --limit 1: exit %d, want the waiting order behind two newer completed ones\n%s", ref, r.code, r.all())
		}
		if r := zwatch(t, s.db, "list", "--order", ref, "--limit", "1"); r.code != 0 || !strings.Contains(r.stdout, "2 more not shown") {
			t.Errorf("list --order %s --limit 1 of 3 orders so named: exit %d, want 2 more not shown\n%s", ref, r.code, r.all())
		}
	}
	if r := zwatch(t, s.db, "list", "--failed", "--order", "4242"); r.code != 0 || strings.Contains(r.stdout, "beef") {
		t.Errorf("list --failed --order 4242, none of them failed: exit %d, want an empty list\n%s", r.code, r.all())
	}
}

// check --order keeps the books of an answer the shop's database refuses
// as a run does: the attempt counted, and why nothing changed in a run's
// words, its PIN masked, for list to show.
func TestCheckOrderKeepsWhyTheShopRefusedItsAnswer(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const pin = "QX7R-9TZK-8HJD-4MNP"
	id := s.refusedOrder("191", pin)

	r := zwatch(t, s.db, "check", "--order", id)

	c := s.db.ReadCheck(id)
	lastError := ""
	if c.LastError != nil {
		lastError = *c.LastError
	}
	if c.Attempts != 1 || !strings.HasPrefix(lastError, "znet's answer was not saved: pq: the shop refuses to change order") || strings.Contains(lastError, pin) {
		t.Errorf("check --order, the answer refused: attempts %d, last_error %q; want 1 and why in a run's words, the PIN masked\n%s", c.Attempts, lastError, r.all())
	}
	if c.ClaimedBy != nil {
		t.Errorf("the check's claim was not handed back: %+v", c)
	}
}

// Where another transaction holds zwatch's row of the order as check
// --order hands its claim back, the claim stays, and the check says it
// lapses rather than that the next run asks again.
func TestCheckOrderWhoseClaimCannotBeHandedBackSaysItLapses(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.refusedOrder("192", "QX7R-9TZK-8HJD-4MNQ")
	s.znet.SetLatency(1500 * time.Millisecond)
	done := make(chan result, 1)
	go func() { done <- zwatch(t, s.db, "check", "--order", id) }()
	for s.znet.TotalRequests() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	hold := s.db.BeginHolding(`SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, id)
	r := <-done
	_ = hold.Rollback()
	if c := s.db.ReadCheck(id); c.ClaimedBy == nil || !strings.Contains(r.all(), "claim on the order lapses") || strings.Contains(r.all(), "the next run asks again") {
		t.Errorf("check --order, its claim kept by a held row (claimed by %v): want it said to lapse\n%s", c.ClaimedBy, r.all())
	}
}

// An order whose answer the shop's database refuses (a trigger's
// exception, here quoting the PIN) is asked again at once, run after run,
// and each run names it on stderr; list showed it as never tried, no
// attempt and no last error, as if zwatch had not got to it. It shows the
// attempts spent and why, the PIN masked, while the other order's answer
// is saved.
func TestListSaysWhyAnOrderTheShopRefusesIsNotSaved(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const pin = "QX7R-9TZK-8HJD-4MNP"
	refused := s.refusedOrder("181", pin)
	fine := s.order("182")
	s.znet.Script("182", znettest.Done("FINE-PIN-182", "tamam"))

	for run := 1; run <= 2; run++ {
		if r := zwatch(t, s.db, "check-pending"); r.code != cmd.ExitAttention {
			t.Fatalf("run %d: exit %d, want %d for the one order the shop refused\n%s", run, r.code, cmd.ExitAttention, r.all())
		}
	}
	if row := s.db.ReadOrder(fine); row.ExternalStatus != "completed" {
		t.Errorf("the other order beside the refused one: %+v, want it completed", row)
	}

	r := zwatch(t, s.db, "list", "--pending")
	line := ""
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.Contains(l, refused[:8]) {
			line = l
		}
	}
	if r.code != 0 || !regexp.MustCompile(`│ 2 +│ due +│ znet's answer was not saved`).MatchString(line) {
		t.Errorf("list --pending: exit %d, want the refused order with 2 attempts and why it was not saved\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "list", "--order", refused, "-o", "json")
	var listed []struct {
		Attempts  int    `json:"attempts"`
		LastError string `json:"last_error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 1 || listed[0].Attempts != 2 ||
		!strings.Contains(listed[0].LastError, "znet's answer was not saved: pq: the shop refuses to change order") {
		t.Errorf("list --order -o json: %v, want 2 attempts and the shop's refusal in last_error\n%s", err, r.all())
	}
	if c := s.db.ReadCheck(refused); c.FirstCheckedAt == nil || c.ClaimedBy != nil || c.GivenUpAt != nil {
		t.Errorf("bookkeeping of the refused order %+v: want its give-up clock started, the claim handed back", c)
	}
	assertNoSecret(t, "list's output", r.all(), "QX7R", "9TZK", "8HJD")
	if n := s.db.ZwatchRowsMentioning("9TZK"); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the PIN", n)
	}
}

func TestUnusableMetricsFileIsRefusedBeforeAnyWork(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("121")
	dir := t.TempDir()
	// A named pipe and a symbolic link, as a device such as /dev/null: a
	// rename over them would put a file in their place.
	others := t.TempDir()
	fifo, link, target := filepath.Join(others, "fifo.prom"), filepath.Join(others, "link.prom"), filepath.Join(others, "target.prom")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		dir,                      // a directory
		"/proc/zwatch-test.prom", // a directory nobody may create files in, root included
		fifo,
		link,
	} {
		r := zwatch(t, s.db, "check-pending", "-q", "--metrics-file", path)
		if r.code != 2 || !strings.Contains(r.stderr, "--metrics-file") {
			t.Errorf("--metrics-file %s: exit %d, want 2 naming the flag\n%s", path, r.code, r.all())
		}
	}
	// A regular file where the directory should be is called so, not missing.
	file := filepath.Join(others, "real.prom")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := zwatch(t, s.db, "check-pending", "-q", "--metrics-file", filepath.Join(file, "zwatch.prom"))
	if r.code != 2 {
		t.Errorf("--metrics-file under a regular file: exit %d, want 2\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, file+" is not a directory")
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v, %v", fi, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced: %v, %v", fi, err)
	}
	if n := s.znet.TotalRequests(); n != 0 {
		t.Errorf("znet was asked %d times before the metrics file was found unusable", n)
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" {
		t.Errorf("the order changed: %+v", row)
	}
	if runs := stats(t, s.db).Runs; len(runs) != 0 {
		t.Errorf("a refused run was recorded: %+v", runs)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the probe left %d files", len(entries))
	}
}

func TestQuietSaysAFailingPanelOnceAndWhenItAnswersAgain(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, ref := range []string{"131", "132", "133", "134"} {
		s.order(ref)
	}
	s.znet.SetDown(znettest.HTMLPage(200))
	run := func() result {
		t.Helper()
		s.db.MakeAllDue()
		s.db.ExpireClaims()
		return zwatch(t, s.db, "check-pending", "-q", "--per-integration", "1")
	}

	if r := run(); r.code != 3 || !strings.Contains(r.stdout, "integration znet-A") || !strings.Contains(r.stdout, "is failing") {
		t.Fatalf("first failing run: exit %d, want 3 and the panel named\n%s", r.code, r.all())
	}
	for range 2 {
		if r := run(); r.code != 3 || r.all() != "" {
			t.Errorf("the panel still fails: exit %d (want 3) and cron mails %q (want nothing)", r.code, r.all())
		}
	}
	s.znet.SetDown(nil)
	s.znet.SetDefault(znettest.Waiting(""))
	if r := run(); r.code != 0 || !strings.Contains(r.stdout, "znet-A answers again") {
		t.Errorf("the panel recovered: exit %d\n%s", r.code, r.all())
	}
	if r := run(); r.all() != "" {
		t.Errorf("a healthy run after the recovery printed %q", r.all())
	}
	if runs := stats(t, s.db).Runs; len(runs) < 2 || !strings.Contains(runs[len(runs)-1].Error, "znet-A") {
		t.Errorf("the failing runs do not say which panel failed: %+v", runs)
	}
}

// A znet-wide outage (or the shop's IP gone from every whitelist) fails
// every tenant's panel at once: the run after the one that said so says
// nothing, however many panels that is and however long their names.
func TestQuietSaysManyFailingPanelsOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDown(znettest.Empty())
	const panels = 24
	for i := range panels {
		id := s.db.AddIntegration(storetest.Integration{Name: fmt.Sprintf("Bayi %d Oyun Kodları ve E-Pin Satış Merkezi", i),
			BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password})
		s.db.AddOrder(storetest.Order{IntegrationID: id, Referans: fmt.Sprint(5000 + i), OrderNo: 5000 + i})
	}
	run := func() result {
		t.Helper()
		s.db.MakeAllDue()
		s.db.ExpireClaims()
		return zwatch(t, s.db, "check-pending", "-q")
	}
	if r := run(); r.code != 3 || strings.Count(r.stdout, " is failing") != panels {
		t.Fatalf("first run: exit %d and %d panels said failing, want 3 and %d\n%s", r.code, strings.Count(r.stdout, " is failing"), panels, r.all())
	}
	for range 2 {
		if r := run(); r.code != 3 || r.all() != "" {
			t.Errorf("the panels still fail: exit %d (want 3) and cron mails %d lines (want none)\n%s", r.code, strings.Count(r.all(), "\n"), r.all())
		}
	}
}

// Runs overlap (the same crontab on two hosts, or a run that outlives its
// minute): one that had none of a failing panel's orders says nothing of
// it, and must not make the next run take the panel for newly failing.
// A run recorded before zwatch kept what it found of each panel still
// tells, by the failing panels its error names.
func TestQuietSaysAFailingPanelOnceWhenRunsOverlap(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("151")
	s.znet.SetDown(znettest.Empty())
	ctx := t.Context()
	start := time.Now().Add(-time.Minute)
	found := store.Run{ID: "found-it-failing", Host: "host-a", StartedAt: start, FinishedAt: start.Add(20 * time.Second),
		ExitStatus: 3, Failing: 1, Error: "failing integrations: znet-A (" + s.integ + ")", Panels: map[string]string{s.integ: store.PanelFailing}}
	overlapping := store.Run{ID: "had-none-of-its-orders", Host: "host-b", StartedAt: start.Add(time.Second), FinishedAt: start.Add(5 * time.Second),
		Panels: map[string]string{}}
	for _, r := range []store.Run{found, overlapping} {
		if err := s.db.Store.RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.db.MakeAllDue()
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 3 || r.all() != "" {
		t.Errorf("after an overlapping run without the failing panel's orders: exit %d (want 3), cron mails\n%s", r.code, r.all())
	}

	old := newShop(t)
	old.order("152")
	old.znet.SetDown(znettest.Empty())
	before := store.Run{ID: "before-panels-were-kept", Host: "host-a", StartedAt: start, FinishedAt: start.Add(time.Second),
		ExitStatus: 3, Failing: 1, Error: "failing integrations: znet-A (" + old.integ + ")"}
	if err := old.db.Store.RecordRun(ctx, before); err != nil {
		t.Fatal(err)
	}
	old.db.MakeAllDue()
	if r := zwatch(t, old.db, "check-pending", "-q"); r.code != 3 || r.all() != "" {
		t.Errorf("after a run recorded before panels were kept: exit %d (want 3), cron mails\n%s", r.code, r.all())
	}
}

// shopWithAFailingPanel is a shop with orders refs on a panel that answers
// every request with an empty body, after the first run of quiet (cron's
// check-pending -q, writing metricsFile) reported it failing.
func shopWithAFailingPanel(t *testing.T, refs ...string) (s *shop, ids []string, quiet func() result, metricsFile string) {
	t.Helper()
	s = newShop(t)
	for _, ref := range refs {
		ids = append(ids, s.order(ref))
	}
	s.znet.SetDown(znettest.Empty())
	metricsFile = filepath.Join(t.TempDir(), "zwatch.prom")
	quiet = func() result {
		t.Helper()
		s.db.ExpireClaims()
		return zwatch(t, s.db, "check-pending", "-q", "--loop", "0", "--per-integration", "1", "--metrics-file", metricsFile)
	}
	s.db.MakeAllDue()
	if r := quiet(); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
		t.Fatalf("first failing run: exit %d, want 3 and the panel named\n%s", r.code, r.all())
	}
	return s, ids, quiet, metricsFile
}

// A failing panel that gets too few orders in a run to be cut off again,
// or none, has not answered: -q must not mail that it answers again, and
// then that it fails once more, every time the panel's orders trickle in;
// and the exit status and the metrics, which alerts read, stay down.
func TestQuietSaysNoRecoveryForAPanelThatStillFails(t *testing.T) {
	t.Parallel()
	s, ids, quiet, metricsFile := shopWithAFailingPanel(t, "141", "142", "143", "144")
	// One order falls due: one more empty body, not enough to cut the
	// panel off in this run, and no answer either.
	s.db.MakeDue(ids[0])
	if r := quiet(); r.code != 3 || r.all() != "" {
		t.Errorf("a run whose one request to the failing panel got an empty body: exit %d (want 3), cron mails\n%s", r.code, r.all())
	}
	if up := readMetrics(t, metricsFile).value(t, "zwatch_integration_up", labels{"integration": "znet-A"}); up != 0 {
		t.Errorf("after that run zwatch_integration_up is %v, want 0", up)
	}
	// Nothing falls due: the panel is not asked at all.
	asked := s.znet.TotalRequests()
	if r := quiet(); r.code != 3 || r.all() != "" || s.znet.TotalRequests() != asked {
		t.Errorf("a run that did not ask the failing panel (%d requests): exit %d (want 3), cron mails\n%s",
			s.znet.TotalRequests()-asked, r.code, r.all())
	}
	if up := readMetrics(t, metricsFile).value(t, "zwatch_integration_up", labels{"integration": "znet-A"}); up != 0 {
		t.Errorf("after a run without its orders zwatch_integration_up is %v, want 0", up)
	}
	// Without -q, the exit status 3 has its reason beside it.
	if r := zwatch(t, s.db, "check-pending", "--loop", "0"); r.code != 3 ||
		!strings.Contains(r.stdout, "integration znet-A is still failing: it failed in an earlier run and has not answered since (none of its orders was due)") {
		t.Errorf("a run that did not ask the failing panel, without -q: exit %d, want 3 and why\n%s", r.code, r.all())
	}
	r := zwatch(t, s.db, "check-pending", "--loop", "0", "-o", "json")
	var out struct {
		StillFailing []struct{ ID, Name string } `json:"still_failing"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 3 || len(out.StillFailing) != 1 || out.StillFailing[0].Name != "znet-A" {
		t.Errorf("-o json: exit %d, still_failing %+v (%v), want 3 and znet-A\n%s", r.code, out.StillFailing, err, r.all())
	}
	s.db.MakeAllDue()
	if r := quiet(); r.code != 3 || r.all() != "" {
		t.Errorf("the panel still fails: exit %d (want 3) and cron mails %q (want nothing)", r.code, r.all())
	}
	s.znet.SetDown(nil)
	s.znet.SetDefault(znettest.Waiting(""))
	s.db.MakeAllDue()
	if r := quiet(); r.code != 0 || !strings.Contains(r.stdout, "znet-A answers again") {
		t.Errorf("the panel recovered: exit %d\n%s", r.code, r.all())
	}
}

// A panel broken for good with one order due a run (a wrong base URL's
// HTML page, a server error, no answer in time) faults once a run. One
// fault may be a moment's; the second run in a row to find the panel so
// reports it failing, once under -q, and the metrics say it is down. A
// page that is not the API's is the panel's whatever the order; a server
// error or a timeout may be one order's doing, and takes another order.
func TestAPanelFaultingOnceARunIsReportedByTheSecond(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		breakPanel func(*znettest.Server)
		sameOrder  bool // the same order failing again tells
	}{
		"HTML page":         {func(z *znettest.Server) { z.SetDown(znettest.HTMLPage(200)) }, true},
		"server error":      {func(z *znettest.Server) { z.SetDown(znettest.ServerError(503)) }, false},
		"no answer in time": {func(z *znettest.Server) { z.SetLatency(3 * time.Second) }, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			first := s.order("171")
			s.znet.SetDefault(znettest.Waiting(""))
			c.breakPanel(s.znet)
			quiet, up := s.quietRuns("--timeout", "1s")
			if r := quiet(first); r.code != 0 || r.all() != "" {
				t.Errorf("one fault, which may be a moment's: exit %d (want 0), cron mails\n%s", r.code, r.all())
			}
			second := first
			if !c.sameOrder {
				second = s.order("172")
			}
			if r := quiet(second); r.code != 3 || !strings.Contains(r.stdout, "integration znet-A") || !strings.Contains(r.stdout, "is failing") {
				t.Errorf("the second run in a row with its one request failing: exit %d, want 3 and the panel named\n%s", r.code, r.all())
			}
			if got := up(); got != 0 {
				t.Errorf("zwatch_integration_up is %v, want 0", got)
			}
			if r := quiet(first, second); r.code != 3 || r.all() != "" {
				t.Errorf("the panel still fails: exit %d (want 3) and cron mails %q (want nothing)", r.code, r.all())
			}
			s.znet.SetDown(nil)
			s.znet.SetLatency(0)
			if r := quiet(first, second); r.code != 0 || !strings.Contains(r.stdout, "znet-A answers again") {
				t.Errorf("the panel recovered: exit %d\n%s", r.code, r.all())
			}
			// After an answer, one fault is a moment's again.
			c.breakPanel(s.znet)
			if r := quiet(first); r.code != 0 || r.all() != "" || up() != 1 {
				t.Errorf("one fault after an answer: exit %d (want 0), up %v (want 1), cron mails\n%s", r.code, up(), r.all())
			}
		})
	}
}

// A panel found failing stays failing until it answers, however many runs
// go by that find it faulted on one order alone: the same order's server
// error, run after run, is no answer. Before, once the run that found it
// failing had rolled out of the runs the next one reads, a run exited 0
// and the metrics said the panel was up, with no answer between.
func TestAFailingPanelFaultingOnOneOrderStaysFailingPastTheRunsRead(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Waiting(""))
	s.znet.SetDown(znettest.ServerError(503))
	first, second := s.order("181"), s.order("182")
	quiet, up := s.quietRuns()
	if r := quiet(first, second); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
		t.Fatalf("two orders' server errors: exit %d, want 3 and the panel failing\n%s", r.code, r.all())
	}
	for run := range 32 { // past the 30 runs check-pending reads
		if r := quiet(first); r.code != 3 || r.all() != "" || up() != 0 {
			t.Fatalf("run %d after the panel was found failing, the same order's server error again: exit %d (want 3), up %v (want 0), cron mails %q (want nothing)",
				run+1, r.code, up(), r.all())
		}
	}
	s.znet.SetDown(nil)
	if r := quiet(first); r.code != 0 || !strings.Contains(r.stdout, "znet-A answers again") || up() != 1 {
		t.Errorf("the panel answered: exit %d, up %v, want 0, 1 and that it answers again\n%s", r.code, up(), r.all())
	}
}

// One order whose requests fail with a server error (the panel's script
// failing on it alone) while the panel answers the others is that order's
// trouble: asked alone run after run, it never makes the panel failing,
// and its give-up clock runs on.
func TestOneOrderFailingAloneIsNotItsPanelFailing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Waiting(""))
	s.znet.Script("666", znettest.ServerError(503))
	poison := s.order("666")
	for run := range 3 {
		s.db.ExpireClaims()
		s.db.MakeAllDue()
		if r := zwatch(t, s.db, "check-pending", "-q", "--loop", "0"); r.code != 0 || r.all() != "" {
			t.Errorf("run %d, the one order failing again: exit %d (want 0), cron mails\n%s", run+1, r.code, r.all())
		}
	}
	if since := s.db.PanelFailingSince(poison); since != nil {
		t.Errorf("the order's give-up clock was stopped at %v, as if its panel were failing", since)
	}
}

// Whether a panel was left unanswered is read by time, not from the last
// few runs: a panel's one waiting order is asked every half hour at the
// least, and cron's runs between, asking nothing of it, or a dry run,
// change nothing.
func TestAPanelLeftUnansweredIsKnownAcrossIdleRunsAndInADryRun(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("173")
	s.znet.SetDown(znettest.HTMLPage(200))
	run := func(args ...string) result {
		t.Helper()
		s.db.ExpireClaims()
		return zwatch(t, s.db, append([]string{"check-pending", "-q", "--loop", "0"}, args...)...)
	}
	s.db.MakeDue(id)
	if r := run(); r.code != 0 || r.all() != "" {
		t.Fatalf("one fault: exit %d (want 0), cron mails\n%s", r.code, r.all())
	}
	s.db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() + interval '30 minutes' WHERE order_id = $1`, id)
	for i := range 31 {
		if r := run(); r.code != 0 || r.all() != "" {
			t.Fatalf("idle run %d: exit %d (want 0), cron mails\n%s", i+1, r.code, r.all())
		}
	}
	s.db.MakeDue(id)
	if r := run("--dry-run"); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
		t.Errorf("a dry run after 31 runs that did not ask the panel: exit %d, want 3 and the panel failing, as the run after it finds\n%s", r.code, r.all())
	}
	if r := run(); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
		t.Errorf("the second run to ask the broken panel, 31 runs later: exit %d, want 3 and the panel failing\n%s", r.code, r.all())
	}
}

// A run's panels with a verdict that is no text (a hand's edit of
// zwatch_runs) tell nothing of that panel, and neither fail nor make every
// quiet run warn.
func TestAVerdictThatIsNoTextTellsNothing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.Exec(`INSERT INTO zwatch_runs (run_id, host, started_at, finished_at, exit_status, panels)
		VALUES ('hand-edit', 'h', now() - interval '5 minutes', now() - interval '4 minutes', 0,
		        jsonb_build_object($1::text, null, 'other', 7))`, s.integ)
	if r := zwatch(t, s.db, "check-pending", "-q", "--loop", "0"); r.code != 0 || r.all() != "" {
		t.Errorf("a run after a row with verdicts that are no text: exit %d (want 0), cron mails\n%s", r.code, r.all())
	}
}

// Nor does a row of them that is no object, or holds another panel's
// verdict that is no text: a failing panel stays failing, where such a row
// read as one of a zwatch that kept no panels, which tells that none was.
func TestAnOddRowOfVerdictsDoesNotClearAFailingPanel(t *testing.T) {
	t.Parallel()
	for name, panels := range map[string]string{
		"another panel's verdict a number": `{"other": 7}`,
		"an array":                         `["failing"]`,
		"null":                             `null`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, _, quiet, metricsFile := shopWithAFailingPanel(t, "221", "222")
			s.db.Exec(`INSERT INTO zwatch_runs (run_id, host, started_at, finished_at, exit_status, panels)
				VALUES ('hand-edit', 'h', now(), now(), 0, $1::jsonb)`, panels)
			r := quiet()
			if up := readMetrics(t, metricsFile).value(t, "zwatch_integration_up", labels{"integration": "znet-A"}); r.code != 3 || r.all() != "" || up != 0 {
				t.Errorf("a run after the hand-edited row, nothing due: exit %d (want 3), up %v (want 0), cron mails %q (want nothing)", r.code, up, r.all())
			}
		})
	}
}

// A run that fails (exit 1: here the database refused both of its answers)
// still writes what it found of the panels: a panel failing before, not
// answering since, stays down in the metrics, where an alert on it
// cleared while the run failed.
func TestAFailedRunKeepsAFailingPanelDownInTheMetrics(t *testing.T) {
	t.Parallel()
	s, _, quiet, metricsFile := shopWithAFailingPanel(t, "211", "212", "213")
	other := znettest.NewServer(dealerCode, password)
	t.Cleanup(other.Close)
	integ := s.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: other.URL, Kod: dealerCode, Sifre: password})
	for i, ref := range []string{"214", "215"} {
		id := s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: ref, OrderNo: 2140 + i})
		s.db.RefuseWrites(id)
		other.Script(ref, znettest.Done("PIN-REFUSED-"+ref, "tamam"))
	}
	if r := quiet(); r.code != 1 {
		t.Fatalf("a run whose every answer was refused: exit %d, want 1\n%s", r.code, r.all())
	}
	m := readMetrics(t, metricsFile)
	if up := m.value(t, "zwatch_integration_up", labels{"integration": "znet-A"}); up != 0 {
		t.Errorf("the failing panel's zwatch_integration_up is %v after a failed run, want 0", up)
	}
	if up := m.value(t, "zwatch_integration_up", labels{"integration": "znet-B"}); up != 1 {
		t.Errorf("the panel that answered has zwatch_integration_up %v, want 1", up)
	}
}

// An order whose referans zwatch never sends (no number) asks the panel
// nothing: it neither tells that a failing panel answers again nor, in a
// run, keeps a failing one from being cut off.
func TestAReferansNeverSentTellsNothingOfThePanel(t *testing.T) {
	t.Parallel()
	s, _, quiet, metricsFile := shopWithAFailingPanel(t, "181", "182", "183")
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "N/A", OrderNo: 4242})
	asked := s.znet.TotalRequests()
	if r := quiet(); r.code != 3 || strings.Contains(r.stdout, "answers again") || s.znet.TotalRequests() != asked {
		t.Errorf("a run whose one due order has a referans never sent (%d requests): exit %d, want 3 and no recovery\n%s",
			s.znet.TotalRequests()-asked, r.code, r.all())
	}
	if up := readMetrics(t, metricsFile).value(t, "zwatch_integration_up", labels{"integration": "znet-A"}); up != 0 {
		t.Errorf("zwatch_integration_up is %v, want 0", up)
	}

	// In one run: every request fails, the orders asked between orders
	// whose referans is never sent.
	s = newShop(t)
	for i := range 4 {
		s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: fmt.Sprint(190 + i), OrderNo: 190 + i, SentAgo: time.Duration(60-2*i) * time.Minute})
		s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: fmt.Sprintf("x%d", i), OrderNo: 290 + i, SentAgo: time.Duration(59-2*i) * time.Minute})
	}
	s.znet.SetDown(znettest.ServerError(503))
	if r := zwatch(t, s.db, "check-pending", "-q", "--loop", "0", "--per-integration", "1", "--concurrency", "1"); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
		t.Errorf("every request failing (%d, HTTP 503), between orders never sent: exit %d, want 3 and the panel failing\n%s",
			s.znet.TotalRequests(), r.code, r.all())
	}
}

// A run that fails (exit 1: here a lock on the shop's table) records its
// failure, not the panels: the run after it still knows which panel was
// failing, and neither mails it as new nor shows it up.
func TestAFailedRunDoesNotForgetAFailingPanel(t *testing.T) {
	t.Parallel()
	s, _, quiet, metricsFile := shopWithAFailingPanel(t, "151", "152", "153", "154")
	tx := s.db.BeginHolding(`LOCK TABLE product_orders IN ACCESS EXCLUSIVE MODE`)
	if r := quiet(); r.code != 1 || strings.Count(r.all(), "\n") != 1 {
		t.Errorf("a run meeting a lock on the shop's table: exit %d, want 1 and one line\n%s", r.code, r.all())
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if r := quiet(); r.code != 3 || r.all() != "" {
		t.Errorf("the run after the failed one, nothing due: exit %d (want 3), cron mails %q (want nothing)", r.code, r.all())
	}
	if up := readMetrics(t, metricsFile).value(t, "zwatch_integration_up", labels{"integration": "znet-A"}); up != 0 {
		t.Errorf("after it zwatch_integration_up is %v, want 0", up)
	}
}

func TestSmallCommandLineTruths(t *testing.T) {
	t.Parallel()
	var errOut strings.Builder
	r := runMain([]string{"--bogus"}, &errOut)
	if r.code != 2 || strings.Contains(r.stderr, "zwatch zwatch") || !strings.Contains(r.stderr, "see zwatch --help") {
		t.Errorf("unknown top-level flag: exit %d\n%s", r.code, r.stderr)
	}
	errOut.Reset()
	if r := runMain([]string{"completion", "tcsh"}, &errOut); r.code != 2 || !strings.Contains(r.stderr, "bash") {
		t.Errorf("completion tcsh: exit %d, want 2 naming the shells there are\n%s", r.code, r.all())
	}
	errOut.Reset()
	r = runMain([]string{"list", "--database-url", "mysql://shop:pw@db/shop"}, &errOut)
	if r.code != 2 || !strings.Contains(r.stderr, "not PostgreSQL") || strings.Contains(r.stderr, `missing "="`) {
		t.Errorf("a MySQL URL: exit %d\n%s", r.code, r.stderr)
	}
	errOut.Reset()
	if r := runMain([]string{"__complete", "list", "--output", ""}, &errOut); !strings.HasPrefix(r.stdout, "table\njson\n") {
		t.Errorf("shell completion of --output offers %q, want table and json", r.stdout)
	}
	// File names are offered only where a path is taken (directive 4: no
	// files; 0: the shell's default, file names).
	for args, want := range map[string]string{
		"list --integration ": ":4\n", "migrate --print-grants ": ":4\n", "check --order ": ":4\n", "--database-url ": ":4\n",
		"check-pending --metrics-file ": ":0\n",
	} {
		errOut.Reset()
		if r := runMain(append([]string{"__complete"}, strings.Split(args, " ")...), &errOut); !strings.HasSuffix(r.stdout, want) {
			t.Errorf("shell completion of %s: %q, want it to end %q", args, r.stdout, want)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		errOut.Reset()
		r := runMain(args, &errOut)
		if r.code != 0 || !regexp.MustCompile(`^zwatch \S+ \(.*go1\.\d+.*\)\n$`).MatchString(r.stdout) {
			t.Errorf("%v: exit %d, %q", args, r.code, r.stdout)
		}
	}
	// A word after --version is refused as after any flag, not printed
	// over with the version (a bad-input adversary's find).
	errOut.Reset()
	if r := runMain([]string{"--version", "extra"}, &errOut); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, `unknown command "extra"`) {
		t.Errorf("--version extra: exit %d, want 2 and the word refused\n%s", r.code, r.all())
	}
}

// A stray argument or two state flags are the operator's slip: the one line
// says what to type instead, not cobra's words ("unknown command" for an
// order number, "if any flags in the group ...").
func TestArgumentSlipsSayWhatToTypeInstead(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"check 1010":                                `zwatch check takes no arguments, got "1010"; name the order with --order 1010`,
		"list 9b84a6d1":                             "name the order with --order 9b84a6d1",
		"check-pending now":                         `zwatch check-pending takes no arguments, got "now"`,
		"list --pending --stuck":                    "--pending and --stuck cannot be combined",
		"list --failed --completed":                 "--failed and --completed cannot be combined",
		"migrate --status --print-grants zwatch":    "--status and --print-grants cannot be combined",
		"check --order 1010 --order 1011":           `--order was given "1011": already given as "1010": name one at a time`,
		"list --tenant 1b2c --tenant 3d4e":          `--tenant was given "3d4e": already given as "1b2c"`,
		"migrate --print-grants a --print-grants b": `--print-grants was given "b": already given as "a"`,
		"check-pending --tick 1m":                   "--tick 1m0s must be at most --loop, which is 58s",
		"check-pending --max-duration 3s --tick 5s": "--tick 5s must be at most --loop, which is 3s",
	} {
		var errOut strings.Builder
		r := runMain(strings.Fields(args), &errOut)
		if r.code != 2 || r.stdout != "" || strings.Contains(r.stderr, "unknown command") || strings.Contains(r.stderr, "group") {
			t.Errorf("zwatch %s: exit %d, want 2 and one line saying %q\n%s", args, r.code, want, r.all())
		}
		oneLine(t, r.stderr, want)
	}
	var errOut strings.Builder
	if r := runMain([]string{"frobnicate"}, &errOut); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("an unknown command is still called one: exit %d\n%s", r.code, r.stderr)
	}
	// A typo gets cobra's suggestion as a clause of the one line, not its
	// lines joined with semicolons.
	errOut.Reset()
	r := runMain([]string{"lst"}, &errOut)
	if r.code != 2 {
		t.Errorf("zwatch lst: exit %d, want 2", r.code)
	}
	oneLine(t, r.stderr, `zwatch: unknown command "lst" for "zwatch" (did you mean list?)`+"\n")
}

// Shell completion parses the command line twice: a name given once is not
// refused there as given twice.
func TestCompletionAfterANamingFlag(t *testing.T) {
	t.Parallel()
	var errOut strings.Builder
	r := runMain([]string{"__complete", "list", "--order", "1010", "--integration", "znet-A", "-o", ""}, &errOut)
	if r.code != 0 || !strings.Contains(r.stdout, "json") || strings.Contains(r.all(), "already given") {
		t.Errorf("completing -o after --order and --integration: exit %d, want json offered\n%s", r.code, r.all())
	}
}

func TestFlagErrorsNameTheFlag(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for args, want := range map[string]string{
		"--batch 0":                   "--batch must be at least 1",
		"--schedule 10s,soon":         `--schedule was given "10s,soon": "soon" is not a duration`,
		"--loop 5m --max-duration 1m": "--loop must not be longer than --max-duration",
		"--loop 30s --dry-run":        "--loop must be 0 with --dry-run",
		"--output yaml":               "want table or json",
		"--log-format xml":            "want auto, text or json",
		"--first-delay -1s --loop 0":  "--first-delay must not be negative",
		"--first-delay 500ms":         "--first-delay must be 0 (at once) or at least 1s",
		"--loop 10s --tick 0s":        "--tick must be positive",
		"--loop 10s --tick 1ns":       "--tick must be at least 100ms",
		"--loop 20ms":                 "--loop must be 0 or at least --tick",
		"--loop 58s --tick 1h":        "--loop must be 0 or at least --tick",
		"--loop 0 --max-duration 1ms": "--max-duration must be at least 1s",
	} {
		r := zwatch(t, s.db, append([]string{"check-pending"}, strings.Fields(args)...)...)
		if r.code != 2 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "MaxDuration") {
			t.Errorf("check-pending %s: exit %d, want 2 saying %q\n%s", args, r.code, want, r.stderr)
		}
	}
}

// --rate's 0 is no limit, and strconv reads a rate too small for a
// float64 (1e-400) as 0 without an error: a panel the operator meant to
// spare got every request zwatch could send. It is a usage error now, and
// nothing is asked or written.
func TestARateTooSmallToHoldIsNotNoLimit(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("151")
	for _, rate := range []string{"1e-400", "-1e-400", "0x1p-2000"} {
		r := zwatch(t, s.db, "check-pending", "--loop", "0", "--rate", rate)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("--rate %s: exit %d, want 2 and nothing on stdout\n%s", rate, r.code, r.all())
		}
		oneLine(t, r.stderr, "too small to tell from 0, which is no limit")
	}
	r := zwatch(t, s.db, "check-pending", "--loop", "0", "--rate", "1e400")
	if r.code != 2 {
		t.Errorf("--rate 1e400: exit %d, want 2\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, `--rate was given "1e400": out of range: a rate is from 0.1 to 1000, or 0 for no limit`)
	if n := s.znet.Requests("151"); n != 0 {
		t.Errorf("znet was asked %d times", n)
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.LastSyncAt != nil {
		t.Errorf("bad input changed the order: %+v", row)
	}
	// A zero written as one is still no limit.
	for _, rate := range []string{"0", "0e5", "-0.000"} {
		if r := zwatch(t, s.db, "check-pending", "--loop", "0", "--dry-run", "--rate", rate); r.code != 0 {
			t.Errorf("--rate %s: exit %d, want 0\n%s", rate, r.code, r.all())
		}
	}
}

func TestJSONLogsGiveDurationsAndTimesAsText(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("141")
	s.znet.SetDefault(znettest.Waiting(""))
	before := time.Now()
	r := zwatch(t, s.db, "check-pending", "--log-format", "json", "--log-level", "debug")
	after := time.Now()
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	// The line of each answer says when its request was started, to the
	// nanosecond: what an operator lines up with the panel's own log.
	askedAt := regexp.MustCompile(`"msg":"asked znet".*"asked_at":"([^"]+)"`).FindStringSubmatch(r.stderr)
	if askedAt == nil {
		t.Errorf("the debug line of an answer does not say when the request was started:\n%s", r.stderr)
	} else if at, err := time.Parse(time.RFC3339Nano, askedAt[1]); err != nil || at.Before(before) || at.After(after) {
		t.Errorf("asked_at %q is not a time within the run (%v)", askedAt[1], err)
	}
	if !regexp.MustCompile(`"took":"[0-9.]+(ms|µs|s)"`).MatchString(r.stderr) {
		t.Errorf("JSON logs without a readable duration:\n%s", r.stderr)
	}
	if regexp.MustCompile(`"took":\d`).MatchString(r.stderr) {
		t.Errorf("JSON logs give durations as integer nanoseconds:\n%s", r.stderr)
	}
}

// The recommended cron line is check-pending's defaults: it names only
// what is the shop's own, and crontab.example, the README and --help show
// the same line.
func TestRecommendedCronLineIsTheDefaults(t *testing.T) {
	t.Parallel()
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var line string
	for _, l := range strings.Split(read("../crontab.example"), "\n") {
		if !strings.HasPrefix(l, "#") && strings.Contains(l, "zwatch check-pending") {
			line = l
			break
		}
	}
	_, command, ok := strings.Cut(line, "zwatch ")
	if !ok {
		t.Fatalf("crontab.example has no check-pending line")
	}
	for _, flag := range []string{"--loop", "--tick", "--first-delay", "--rate", "--max-duration"} {
		if strings.Contains(command, flag) {
			t.Errorf("the recommended line gives %s, which should be its default: %q", flag, line)
		}
	}
	if readme := read("../README.md"); strings.Count(readme, command) < 2 {
		t.Errorf("the README does not show the recommended line %q in its cron and systemd examples", command)
	}
	var errOut strings.Builder
	help := runMain([]string{"check-pending", "--help"}, &errOut).stdout
	if !strings.Contains(help, command) {
		t.Errorf("check-pending --help does not show the recommended line %q", command)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`--loop duration .*\(default 58s\)`),
		regexp.MustCompile(`--max-duration duration .*\(default 58s\)`),
		regexp.MustCompile(`--tick duration .*\(default 1s\)`),
		regexp.MustCompile(`--first-delay duration .*\(default 15s\)`),
		regexp.MustCompile(`--rate float .*\(default 5\)`),
	} {
		if !want.MatchString(help) {
			t.Errorf("check-pending --help lacks %s", want)
		}
	}
	errOut.Reset()
	if help := runMain([]string{"stats", "--help"}, &errOut).stdout; !regexp.MustCompile(`--first-delay duration .*\(default 15s\)`).MatchString(help) {
		t.Errorf("stats --first-delay does not default to check-pending's:\n%s", help)
	}
}

// Should the metrics file still fail at the end (its directory went away
// during the run), the run exits 1 and is recorded with exit status 1; also
// one that would have exited 3, for a person to look: the metrics other
// alerts read are stale, and exit 1 says so.
func TestRunIsRecordedWithTheStatusItExitsWith(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]znettest.Answer{
		"waiting":       znettest.Waiting(""),
		"answer unused": znettest.Raw(200, []byte("OK|7| |x")),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			s.order("151")
			dir := filepath.Join(t.TempDir(), "textfile")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			s.znet.SetResponder(func(string, int) znettest.Answer {
				os.RemoveAll(dir)
				return answer
			})

			r := zwatch(t, s.db, "check-pending", "-q", "--metrics-file", filepath.Join(dir, "zwatch.prom"))

			if r.code != 1 || !strings.Contains(r.stderr, "metrics file") {
				t.Errorf("exit %d, want 1 saying the metrics file could not be written\n%s", r.code, r.all())
			}
			if runs := stats(t, s.db).Runs; len(runs) != 1 || runs[0].ExitStatus != 1 || runs[0].Error == "" {
				t.Errorf("recorded runs %+v, want one with exit status 1 and why", runs)
			}
		})
	}
}

// An order whose "sentAt" is infinite (typed by hand, a placeholder for
// "never") stops no other: check-pending saves the others' PINs, and list
// and stats show them all.
func TestAnInfiniteSentAtStopsNoOtherOrder(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	fine := s.order("201")
	past, future := s.order("202"), s.order("203")
	s.db.SetSentAt(past, "-infinity")
	s.db.SetSentAt(future, "infinity")
	s.znet.SetDefault(znettest.DoneEach("INF-PIN-2024", "tamam"))

	if r := zwatch(t, s.db, "check-pending", "--loop", "0"); r.code != 0 {
		t.Errorf("check-pending: exit %d, want 0\n%s", r.code, r.all())
	}
	if row := s.db.ReadOrder(fine); row.ExternalStatus != "completed" {
		t.Errorf("the order beside them: %+v, want completed", row)
	}
	// Sent since forever, it is due, and znet's answer is saved too.
	if row := s.db.ReadOrder(past); row.ExternalStatus != "completed" {
		t.Errorf("the order sent at -infinity: %+v, want completed", row)
	}
	if row := s.db.ReadOrder(future); row.ExternalStatus != "sent" {
		t.Errorf("the order sent at infinity, never due: %+v, want it untouched", row)
	}
	for _, args := range [][]string{{"list"}, {"list", "-o", "json"}, {"stats"}, {"stats", "-o", "json"}} {
		if r := zwatch(t, s.db, args...); r.code != 0 {
			t.Errorf("%v: exit %d, want 0\n%s", args, r.code, r.all())
		}
	}
	// No age is told of it, nor a date: not 292 years, not year 1 or 9999.
	if r := zwatch(t, s.db, "check", "--order", past); strings.Contains(r.stdout, "0001-") || !strings.Contains(r.stdout, "completed") {
		t.Errorf("check of the final order sent at -infinity: want its facts without year 1\n%s", r.all())
	}
	s.db.SetSentAt(past, "-infinity")
	s.db.Exec(`UPDATE product_orders SET "externalStatus" = 'sent', status = 'pending', "pinCode" = NULL WHERE id = $1`, past)
	r := zwatch(t, s.db, "list", "-o", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("list -o json: %v, %d rows, want the 2 waiting orders\n%s", err, len(rows), r.all())
	}
	for _, row := range rows {
		if _, ok := row["age_seconds"]; ok {
			t.Errorf("list -o json: %v, want no age for an order sent at an infinite time", row)
		}
		if _, ok := row["sent_at"]; ok {
			t.Errorf("list -o json: %v, want no sent_at for an order sent at an infinite time", row)
		}
	}
	r = zwatch(t, s.db, "list")
	if strings.Contains(r.stdout, "106751d") || strings.Count(r.stdout, " - ") < 2 {
		t.Errorf("list: want '-' as the age of the orders sent at infinite times\n%s", r.stdout)
	}
}

// A placeholder "sentAt" that is a date (9999-12-31, 0001-01-01) is no
// time an order was sent, as an infinite one is not: list and stats leave
// it out of the ages, which would otherwise read centuries, or a negative
// median, and keep an alert on the oldest order's age firing for ever.
func TestAPlaceholderSentAtHasNoAge(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("211")
	s.db.SetSentAt(s.order("212"), "9999-12-31")
	s.db.SetSentAt(s.order("213"), "0001-01-01")
	r := zwatch(t, s.db, "list", "-o", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("list -o json: %v, %d rows, want the 3 waiting orders\n%s", err, len(rows), r.all())
	}
	aged := 0
	for _, row := range rows {
		if age, ok := row["age_seconds"].(float64); ok {
			aged++
			if age < 0 || age > 3600 {
				t.Errorf("list -o json: %v, want an age within the hour", row)
			}
		}
	}
	if aged != 1 {
		t.Errorf("list -o json: %d orders with an age, want only the one with a real sentAt\n%s", aged, r.stdout)
	}
	if r := zwatch(t, s.db, "list"); strings.Contains(r.stdout, "106751d") {
		t.Errorf("list: an age of 292 years\n%s", r.stdout)
	}
	for _, in := range stats(t, s.db).Integrations {
		for what, v := range map[string]*float64{"median": in.AgeMedian, "p95": in.AgeP95, "oldest": in.AgeOldest} {
			if v == nil || *v < 0 || *v > 3600 {
				t.Errorf("stats: %s: age %s %v, want the one real order's, within the hour", in.Name, what, v)
			}
		}
	}
}

// Settings that name another database than the shop's are told so, by
// migrate and every other command, and migrate creates nothing there.
func TestAnotherDatabaseThanTheShopsIsToldSo(t *testing.T) {
	t.Parallel()
	db := storetest.NewEmpty(t)
	for _, args := range [][]string{{"migrate"}, {"list"}, {"check-pending"}, {"migrate", "--status"}, {"migrate", "--print-grants", "zwatch"}} {
		r := zwatch(t, db, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "no product_orders and integrations tables") ||
			strings.Contains(r.stderr, "run zwatch migrate") || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%v on an empty database: exit %d, want 1 and one line saying it is not the shop's\n%s", args, r.code, r.all())
		}
	}
	if db.TableExists("zwatch_schema_migrations") {
		t.Error("migrate created its version table in a database that is not the shop's")
	}
}

// An answer zwatch cannot use names its order, even under -q, and keeps
// exit 3 while it lasts: a customer waits for a PIN nobody can read. The
// panel is not called failing: it answered as znet does.
func TestAnUnusableAnswerIsNamedForAPerson(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	cut := s.order("151")
	s.order("152")
	s.order("153")
	s.znet.SetDown(znettest.Empty())
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
		t.Fatalf("setting up: the panel down: exit %d, want 3\n%s", r.code, r.all())
	}

	// The panel is back, and answers the order due in znet's format, but
	// cut short: it answers again, and the order is named.
	s.znet.SetDown(nil)
	s.znet.Script("151", znettest.Garbage("OK|2|CUT-SH"))
	s.db.ExpireClaims()
	s.db.MakeDue(cut)
	r := zwatch(t, s.db, "check-pending", "-q")
	want := "order 1003 (" + cut + ", referans 151): znet's answer could not be used (znet answered that the order is done but its answer ends in the PIN field"
	if r.code != 3 || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "znet-A answers again") || strings.Contains(r.all(), "failing") {
		t.Errorf("exit %d, want 3, the order named and the panel answering again, not failing:\n%s", r.code, r.all())
	}
	assertNoSecret(t, "output", r.all(), "CUT-SH")

	// A day of such answers later, zwatch gives up on it, and says why:
	// znet did answer, so "no final answer" would be the wrong fault.
	s.db.ExpireClaims()
	s.db.FirstCheckedAgo(cut, 25*time.Hour)
	s.db.MakeDue(cut)
	r = zwatch(t, s.db, "check-pending", "-q")
	want = "order 1003 (" + cut + ", referans 151) is stuck: znet's answers could not be used up to the give-up time (znet answered that the order is done but its answer ends in the PIN field"
	if r.code != 3 || !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "no final answer") || strings.Contains(r.stdout, "asked again") {
		t.Errorf("given up on: exit %d, want 3 and the order stuck for its unusable answers, not for want of an answer:\n%s", r.code, r.all())
	}
	assertNoSecret(t, "output", r.all(), "CUT-SH")
	// zwatch stats tells why each of these runs needed a person.
	runs := stats(t, s.db).Runs
	for i, want := range map[int]string{0: "1 order became stuck", 1: "1 answer could not be used"} {
		if len(runs) <= i || runs[i].ExitStatus != 3 || !strings.Contains(runs[i].Error, want) {
			t.Errorf("stats: the run %d before last: want exit 3 noted %q, got %+v", i, want, runs)
		}
	}
}

// A panel failing in an earlier run whose orders staff then decided, every
// one, cannot be asked: it is not kept failing (exit 3) for ever. The next
// order sent to it will tell.
func TestAFailingPanelNobodyWaitsOnIsLetGo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ids := []string{s.order("161"), s.order("162"), s.order("163")}
	s.znet.SetDown(znettest.Empty())
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 3 || !strings.Contains(r.stdout, "is failing") {
		t.Fatalf("setting up: the panel down: exit %d, want 3\n%s", r.code, r.all())
	}
	s.db.ExpireClaims()
	for _, id := range ids {
		s.db.Decide(id, "rejected", "")
	}
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 || strings.Contains(r.all(), "failing") {
		t.Errorf("no order left waiting on the failing panel: exit %d, want 0 and no word of it\n%s", r.code, r.all())
	}
	// The next order sent to it tells: failing still, it is said anew,
	// not taken for failing all along from the run that found it so.
	s.order("164")
	s.db.MakeAllDue()
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 3 || !strings.Contains(r.stdout, "is failing") || strings.Contains(r.stdout, "still failing") {
		t.Errorf("a new order on the panel let go, still down: exit %d, want 3 and the panel said failing anew\n%s", r.code, r.all())
	}
}

// A shop whose own provider_referans column is a number (znet's referans
// is one) keeps it, and every command reads it as the referans.
func TestANumericProviderReferansIsTheReferans(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t, `ALTER TABLE product_orders ADD COLUMN provider_referans bigint`)
	if r := zwatch(t, db, "migrate"); r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s", r.code, r.all())
	}
	fake := znettest.NewServer(dealerCode, password)
	t.Cleanup(fake.Close)
	integ := db.AddIntegration(storetest.Integration{Name: "znet-N", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	id := "5eed0001-0000-4000-8000-000000000001"
	db.Exec(`INSERT INTO product_orders (id, "tenantId", "orderNo", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
		VALUES ($1, gen_random_uuid(), 5150, 'pending', $2, 7781, 'sent', now() - interval '10 minutes', now() - interval '10 minutes')`, id, integ)
	fake.Script("7781", znettest.Done("NUM-PIN-7781", "tamam"))

	for _, args := range [][]string{{"list"}, {"stats"}, {"check", "--order", id, "--dry-run"}, {"check-pending"}, {"list", "--completed"}} {
		if r := zwatch(t, db, args...); r.code != 0 || !strings.Contains(r.stdout, "5150") && args[0] == "list" {
			t.Errorf("%v: exit %d, want 0\n%s", args, r.code, r.all())
		}
	}
	if row := db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != "NUM-PIN-7781" {
		t.Errorf("the order: %+v, want completed with znet's PIN", row)
	}
}

// A signal with requests in flight: the panel heard them, so the summary
// counts them asked and cut short, not skipped (released unasked), and
// says they are asked again.
func TestASignalCountsTheRequestsItCutShortAsAsked(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	answered := s.order("201")
	for _, ref := range []string{"202", "203"} {
		s.order(ref)
	}
	s.znet.Script("201", znettest.Waiting("bekliyor"))
	s.znet.SetDefault(znettest.Waiting("bekliyor").After(time.Minute))
	for _, format := range []string{"json", "table"} {
		s.db.MakeAllDue()
		s.db.ExpireClaims()
		heard := s.znet.TotalRequests()
		attemptsOf := func() (n int) {
			s.db.Get(&n, `SELECT COALESCE((SELECT attempts FROM zwatch_order_checks WHERE order_id = $1), 0)`, answered)
			return n
		}
		attempts := attemptsOf()
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut bytes.Buffer
		exitWithin := zwatchInBackground(t, ctx, cmd.IOStreams{Out: &out, ErrOut: &errOut},
			"check-pending", "-o", format, "--loop", "0", "--database-url", s.db.URL)
		// The signal comes once the panel heard all three and the one it
		// answered is saved: on a loaded host, a signal between the
		// answer and its reading cut that one short too.
		for deadline := time.Now().Add(30 * time.Second); s.znet.TotalRequests()-heard < 3 || attemptsOf() == attempts; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				cancel()
				exitWithin(time.Minute)
				t.Fatalf("%s: the panel heard %d requests in 30 s, want 3\n%s%s", format, s.znet.TotalRequests()-heard, out.String(), errOut.String())
			}
		}
		cancel()
		code := exitWithin(time.Minute)
		heard = s.znet.TotalRequests() - heard
		if format == "table" {
			want := "2 requests were cut short (a signal, or the process stopped while they waited), which the panel may have answered: their orders are asked again"
			if code != 0 || !strings.Contains(out.String(), want) {
				t.Errorf("table: exit %d, want 0 (as the run had ended) and %q\n%s%s", code, want, out.String(), errOut.String())
			}
			continue
		}
		var sum struct{ Total watch.Counts }
		if err := json.Unmarshal(out.Bytes(), &sum); err != nil || code != 0 {
			t.Fatalf("json: exit %d, want 0 (as the run had ended) and a summary (%v)\n%s%s", code, err, out.String(), errOut.String())
		}
		if got := sum.Total; got.Asked != heard || got.CutShort != 2 || got.Skipped != 0 || got.Processing != 1 {
			t.Errorf("the panel heard %d requests and answered one; the summary counts %+v, want all asked, 2 cut short, none skipped", heard, got)
		}
	}
	if rows := stats(t, s.db).Runs; len(rows) != 2 || rows[0].Asked != 3 || rows[1].Asked != 3 {
		t.Errorf("zwatch stats: %+v, want both runs' 3 requests asked", rows)
	}
}

// A signal that comes while a command connects or waits on the database (a
// service stopped at a run's start, Ctrl-C on a list behind a lock) is
// said as a signal, not as the database's fault: no "database
// unreachable", no driver's "canceling statement due to user request".
// check-pending exits as a run stopped early would, and its metrics say so;
// check could not ask znet (3); the others did not finish (1).
func TestASignalBeforeTheWorkIsNoDatabaseFault(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("43")
	metricsFile := filepath.Join(t.TempDir(), "zwatch.prom")
	stopped, stop := context.WithCancel(context.Background())
	stop()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"check-pending", "--loop", "0", "--metrics-file", metricsFile}, 0},
		{[]string{"check", "--order", id}, 3},
		{[]string{"list", "--pending"}, 1},
		{[]string{"stats"}, 1},
		{[]string{"balance", "--save"}, 1},
		{[]string{"retry", "--stuck"}, 1},
		{[]string{"migrate"}, 1},
	} {
		var out, errOut bytes.Buffer
		code := cmd.Main(stopped, append(tc.args, "--database-url", s.db.URL), cmd.IOStreams{Out: &out, ErrOut: &errOut})
		if code != tc.code {
			t.Errorf("%v stopped by a signal: exit %d, want %d\n%s", tc.args, code, tc.code, errOut.String())
		}
		oneLine(t, errOut.String(), "stopped by a signal")
		for _, fault := range []string{"unreachable", "cancel", "57014"} {
			if strings.Contains(errOut.String(), fault) {
				t.Errorf("%v stopped by a signal says %q, as for a fault:\n%s", tc.args, fault, errOut.String())
			}
		}
	}
	// Ctrl-C on a list waiting behind a shop's lock: the driver's cancel.
	lock := s.db.BeginHolding(`LOCK TABLE product_orders IN ACCESS EXCLUSIVE MODE`)
	waiting, stopWaiting := context.WithCancel(context.Background())
	go func() {
		s.db.WaitForLockWaiters(1)
		stopWaiting()
	}()
	var errOut bytes.Buffer
	if code := cmd.Main(waiting, []string{"list", "--pending", "--database-url", s.db.URL}, cmd.IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut}); code != 1 ||
		strings.Contains(errOut.String(), "cancel") {
		t.Errorf("list stopped while it waited for a lock: exit %d, want 1 and no driver's words\n%s", code, errOut.String())
	}
	oneLine(t, errOut.String(), "list was stopped by a signal")
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if written, err := os.ReadFile(metricsFile); err != nil || !strings.Contains(string(written), "zwatch_last_run_exit_status 0") {
		t.Errorf("metrics of a run stopped before it began (%v): want exit status 0\n%s", err, written)
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || s.znet.TotalRequests() != 0 {
		t.Errorf("order %+v, %d requests: a command stopped before its work changes nothing", row, s.znet.TotalRequests())
	}
}

// Ctrl-C while a command connects to a host that took the connection and
// never answers (a hung server or pooler) stops it at once, not after the
// connect timeout's seconds, and is said as a signal, as before the work
// anywhere else: never that the database was unreachable.
func TestASignalWhileConnectingIsNoDatabaseFault(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() }) // held open, silent
		}
	}()
	silent := "postgres://zwatch@" + ln.Addr().String() + "/shop?sslmode=disable"
	metricsFile := filepath.Join(t.TempDir(), "zwatch.prom")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"check-pending", "--loop", "0", "--metrics-file", metricsFile}, 0},
		{[]string{"check", "--order", "5eed0001-0000-4000-8000-000000000001"}, 3},
		{[]string{"list"}, 1},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			t.Parallel()
			ctx, stop := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, stop)
			started := time.Now()
			var errOut bytes.Buffer
			code := cmd.Main(ctx, append(tc.args, "--database-url", silent), cmd.IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
			if took := time.Since(started); took > 2*time.Second {
				t.Errorf("%v stopped while connecting took %v; want it stopped at once", tc.args, took.Round(time.Millisecond))
			}
			if code != tc.code {
				t.Errorf("%v stopped while connecting: exit %d, want %d\n%s", tc.args, code, tc.code, errOut.String())
			}
			oneLine(t, errOut.String(), "stopped by a signal")
			if strings.Contains(errOut.String(), "unreachable") {
				t.Errorf("%v stopped while connecting says the database was unreachable:\n%s", tc.args, errOut.String())
			}
			if tc.args[0] != "check-pending" {
				return
			}
			if written, err := os.ReadFile(metricsFile); err != nil || !strings.Contains(string(written), "zwatch_last_run_exit_status 0") {
				t.Errorf("metrics of a run stopped while connecting (%v): want exit status 0\n%s", err, written)
			}
		})
	}
}

// Two integrations whose names differ in case only: the one written as
// given is meant; a spelling that is neither names both, and is refused.
func TestAnIntegrationNamedInItsOwnCase(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.panel("ZNET-A", password)

	got, r := balance(t, s.db, "--integration", "ZNET-A")
	if _, asked := got["ZNET-A"]; r.code != 0 || len(got) != 1 || !asked {
		t.Errorf("balance --integration ZNET-A: exit %d, %+v, want ZNET-A alone\n%s", r.code, got, r.stderr)
	}
	r = zwatch(t, s.db, "balance", "--integration", "Znet-a")
	if r.code != 2 {
		t.Errorf("balance --integration Znet-a: exit %d, want 2\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "names more than one znet integration")
}

// Turkish names: the database's lower() folds "İSTANBUL" and "Istanbul"
// alike, where Go's EqualFold does not, and "istanbul" silently meant
// Istanbul alone (a bad-input adversary's find; for retry, the wrong
// panel's orders). A spelling that is neither names both, and is refused.
func TestATurkishCapitalINamesBothIntegrationsItCouldMean(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.panel("Istanbul", password)
	s.panel("İSTANBUL", password)

	for _, name := range []string{"istanbul", "İstanbul"} {
		r := zwatch(t, s.db, "balance", "--integration", name)
		if r.code != 2 {
			t.Errorf("balance --integration %s: exit %d, want 2\n%s", name, r.code, r.all())
		}
		oneLine(t, r.stderr, "names more than one znet integration")
	}
	got, r := balance(t, s.db, "--integration", "İSTANBUL")
	if _, asked := got["İSTANBUL"]; r.code != 0 || len(got) != 1 || !asked {
		t.Errorf("balance --integration İSTANBUL: exit %d, %+v, want İSTANBUL alone\n%s", r.code, got, r.stderr)
	}
}

// The pending list of a disabled integration is empty because its orders
// are paused, and says so, rather than read as nothing waiting.
func TestListOfADisabledIntegrationPointsAtItsPausedOrders(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("45")
	s.db.EnableIntegration(s.integ, false)

	r := zwatch(t, s.db, "list", "--integration", "znet-A")
	if r.code != 0 || !strings.Contains(r.stdout, "znet-A is disabled") || !strings.Contains(r.stdout, "list --paused") {
		t.Errorf("list --integration of a disabled one: exit %d, want 0 and a note on its paused orders\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "list", "--integration", "znet-A", "-o", "json")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" || !strings.Contains(r.stderr, "list --paused") {
		t.Errorf("list -o json: exit %d, want [] and the note on stderr\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "list", "--paused", "--integration", "znet-A"); r.code != 0 || strings.Contains(r.stdout, "is disabled") {
		t.Errorf("list --paused: exit %d, want the paused orders without the note\n%s", r.code, r.all())
	}
	// Nor is an empty list of its stuck orders nothing stuck (helper-267's).
	stuck := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "46"})
	s.db.AddCheck(stuck, storetest.Check{Attempts: 40, NextCheckIn: -time.Minute, GivenUp: true})
	if r := zwatch(t, s.db, "list", "--stuck", "--integration", "znet-A"); r.code != 0 || !strings.Contains(r.stdout, "znet-A is disabled") || !strings.Contains(r.stdout, "list --paused") {
		t.Errorf("list --stuck --integration of a disabled one: exit %d, want 0 and a note on its paused orders\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "list", "--paused", "--integration", "znet-A", "-o", "json"); !strings.Contains(r.stdout, stuck) {
		t.Errorf("list --paused does not show the order zwatch gave up on, which the note points at:\n%s", r.all())
	}
}

// list --order for an order that is another provider's says so in one
// line, as check does, and exits 2, as for an order that does not exist:
// no list of znet orders ever holds it. An empty list says so in a line,
// as retry's does, rather than as a bare header.
func TestListSaysWhyItListsNothing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	other := s.db.AddIntegration(storetest.Integration{Name: "barakat", Provider: "barakat"})
	id := s.db.AddOrder(storetest.Order{ID: "a1b2c3d4-0000-4000-8000-000000000001", IntegrationID: other, Referans: "43", OrderNo: 5151})
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "44", OrderNo: 5152})
	for _, args := range [][]string{{"--order", "5151"}, {"--order", "a1b2c3d4"}, {"--stuck", "--order", "5151"}, {"--order", id, "-o", "json"}} {
		r := zwatch(t, s.db, append([]string{"list"}, args...)...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("list %v of another provider's order: exit %d, want 2 and nothing on stdout\n%s", args, r.code, r.all())
		}
		oneLine(t, r.stderr, `order 5151 (`+id+`) is not a znet order: its integration's provider is "barakat"`)
	}
	r := zwatch(t, s.db, "list", "--order", "99999")
	if r.code != 2 || r.stdout != "" {
		t.Errorf("list --order 99999, no such order: exit %d, want 2\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "no order has the number 99999")

	// A whole tenant id may name a tenant without orders, one the shop
	// knows by its integration: an empty list.
	s.db.AddIntegration(storetest.Integration{Name: "apstore", Provider: "apstore", TenantID: "3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44"})
	r = zwatch(t, s.db, "list", "--tenant", "3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "no pending orders" {
		t.Errorf("list --tenant of no orders: exit %d, want 0 and a line saying no pending orders\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "list", "--stuck", "--order", "5152")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "no stuck orders" {
		t.Errorf("list --stuck --order of a waiting order: exit %d, want 0 and a line saying no stuck orders\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "list", "--tenant", "3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44", "-o", "json")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" || r.stderr != "" {
		t.Errorf("list -o json of no orders: exit %d, want an empty list alone\n%s", r.code, r.all())
	}
}

// check -o json of an unknown order does not pass what the operator typed
// off as an order id: it says it under "order".
func TestCheckOfAnUnknownOrderNamesItAsTyped(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, ref := range []string{"99999", "3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44"} {
		r := zwatch(t, s.db, "check", "--order", ref, "-o", "json")
		var report map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &report); err != nil || r.code != 4 {
			t.Fatalf("check --order %s: exit %d, %v\n%s", ref, r.code, err, r.all())
		}
		if _, has := report["order_id"]; has || report["order"] != ref || !strings.Contains(fmt.Sprint(report["not_pollable"]), "does not exist") {
			t.Errorf("check --order %s -o json: %v, want the reference under order and no order_id", ref, report)
		}
	}
}

// The shop's DBA may set the database's time zone to the shop's own (a
// Turkish shop's Europe/Istanbul, say). JSON is for scripts, which compare
// and parse what one command printed with what another did: check's JSON
// writes times in UTC, and so must list's and stats', rather than in
// whatever zone the database session happens to be in.
func TestJSONTimesAreInUTCWhateverTheDatabasesTimeZone(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), 'America/New_York'); END $$`)
	id := s.order("881")
	s.znet.Script("881", znettest.Waiting("bekliyor"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}

	listed := zwatch(t, s.db, "list", "--order", id, "-o", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(listed.stdout), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("list -o json: exit %d %v\n%s", listed.code, err, listed.all())
	}
	for _, field := range []string{"sent_at", "next_check_at"} {
		if v, _ := rows[0][field].(string); !strings.HasSuffix(v, "Z") {
			t.Errorf("list -o json %s = %q, want a time in UTC (…Z), as check -o json writes it", field, v)
		}
	}

	stats := zwatch(t, s.db, "stats", "-o", "json")
	var report struct {
		Runs []map[string]any `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stats.stdout), &report); err != nil || len(report.Runs) == 0 {
		t.Fatalf("stats -o json: exit %d %v\n%s", stats.code, err, stats.all())
	}
	for _, field := range []string{"started_at", "finished_at"} {
		if v, _ := report.Runs[0][field].(string); !strings.HasSuffix(v, "Z") {
			t.Errorf("stats -o json runs[0].%s = %q, want a time in UTC (…Z), as check -o json writes it", field, v)
		}
	}
}

// list --order is how a person looks one order up (README, Commands). An
// order zwatch gave up on reads there as any waiting order whose next
// check is blank: nothing in the row, nor in its JSON, says it is stuck,
// and that check-pending will not ask about it again until retry --stuck.
func TestListOfOneOrderSaysItIsStuck(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "882", OrderNo: 8820})
	s.db.AddCheck(id, storetest.Check{Attempts: 40, NextCheckIn: -time.Minute, GivenUp: true})

	if r := zwatch(t, s.db, "list", "--stuck", "-o", "json"); !strings.Contains(r.stdout, id) {
		t.Fatalf("list --stuck does not list the order zwatch gave up on:\n%s", r.all())
	}
	table := zwatch(t, s.db, "list", "--order", "8820")
	if table.code != 0 || !strings.Contains(table.stdout, "8820") {
		t.Fatalf("list --order 8820: exit %d\n%s", table.code, table.all())
	}
	if !strings.Contains(table.stdout, "stuck") {
		t.Errorf("list --order of an order zwatch gave up on does not say it is stuck:\n%s", table.stdout)
	}
	js := zwatch(t, s.db, "list", "--order", "8820", "-o", "json")
	if !strings.Contains(js.stdout, "stuck") && !strings.Contains(js.stdout, "given_up") {
		t.Errorf("list --order -o json of an order zwatch gave up on does not say it is stuck:\n%s", js.stdout)
	}
}

// So does an order whose integration is disabled: paused, not forgotten.
func TestListOfOneOrderSaysItIsPaused(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "883", OrderNo: 8830})
	s.db.EnableIntegration(s.integ, false)

	table := zwatch(t, s.db, "list", "--order", "8830")
	if table.code != 0 || !strings.Contains(table.stdout, "(paused)") {
		t.Errorf("list --order of a disabled integration's order: exit %d, want it said paused:\n%s", table.code, table.all())
	}
	js := zwatch(t, s.db, "list", "--order", "8830", "-o", "json")
	if !strings.Contains(js.stdout, `"paused": true`) || !strings.Contains(js.stdout, id) {
		t.Errorf("list --order -o json of a disabled integration's order does not say it is paused:\n%s", js.stdout)
	}
}

// A migration goose's record says is not applied, which migrate refuses
// (a person must look): every other command and migrate --status say what
// migrate says, not "run zwatch migrate".
func TestAMigrationRecordedUndoneIsNamedByEveryCommand(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.Exec(`UPDATE zwatch_schema_migrations SET is_applied = false
		WHERE id = (SELECT max(id) FROM zwatch_schema_migrations)`)
	const want = "and run zwatch migrate again"
	if r := zwatch(t, s.db, "list"); r.code != 1 || !strings.Contains(r.stderr, "records migration") || !strings.Contains(r.stderr, want) {
		t.Errorf("list: exit %d, want 1 and what to do about the record\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "migrate", "--status"); r.code != 0 || !strings.Contains(r.stdout, "but migrate refuses to run: ") || !strings.Contains(r.stdout, want) {
		t.Errorf("migrate --status: exit %d, want 0 and that migrate refuses, and why\n%s", r.code, r.all())
	}
}

// A migrate killed while it built an index CONCURRENTLY leaves its session
// on the server, holding the migration lock until its statement ends; the
// next migrate waited five minutes for it without a word. It now says at
// once who holds the lock and how to end it.
func TestMigrateSaysWhoHoldsItsLock(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := context.Background()
	killed, err := s.db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer killed.Close()
	var pid int
	if err := killed.QueryRowContext(ctx, `SELECT pg_backend_pid() FROM pg_advisory_lock(3881151877)`).Scan(&pid); err != nil {
		t.Fatal(err)
	}

	waiting, stop := context.WithTimeout(ctx, 3*time.Second)
	defer stop()
	var out, errOut bytes.Buffer
	cmd.Main(waiting, []string{"migrate", "--database-url", s.db.URL}, cmd.IOStreams{Out: &out, ErrOut: &errOut})
	if want := fmt.Sprintf("session %d", pid); !strings.Contains(errOut.String(), want) ||
		!strings.Contains(errOut.String(), fmt.Sprintf("pg_terminate_backend(%d)", pid)) {
		t.Errorf("migrate behind another session's lock does not name it (%s) and say how to end it:\n%s%s", want, out.String(), errOut.String())
	}
}

// A disabled integration's orders are paused, "in no pending figure"
// (README): list --stuck leaves out one zwatch gave up on, and retry
// --stuck does not retry it. list --paused, which lists it, must not call
// it stuck; nor may a list call an order stuck that staff have since
// decided (rejected), which no retry --stuck would put back either.
func TestListCallsStuckOnlyAnOrderThatRetryStuckWouldRetry(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	paused := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "884", OrderNo: 8840})
	s.db.AddCheck(paused, storetest.Check{Attempts: 40, NextCheckIn: -time.Minute, GivenUp: true})
	s.db.EnableIntegration(s.integ, false)
	table := zwatch(t, s.db, "list", "--paused")
	if table.code != 0 || !strings.Contains(table.stdout, "8840") {
		t.Fatalf("list --paused: exit %d, want order 8840 listed\n%s", table.code, table.all())
	}
	if strings.Contains(table.stdout, "(stuck)") || !strings.Contains(table.stdout, "(paused)") {
		t.Errorf("list --paused says the paused order 8840 is stuck, not paused:\n%s", table.stdout)
	}
	s.db.EnableIntegration(s.integ, true)

	decided := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "885", OrderNo: 8850, Status: "rejected"})
	s.db.AddCheck(decided, storetest.Check{Attempts: 40, NextCheckIn: -time.Minute, GivenUp: true})
	if r := zwatch(t, s.db, "list", "--stuck", "-o", "json"); strings.Contains(r.stdout, decided) {
		t.Fatalf("list --stuck lists order 8850, which staff rejected:\n%s", r.all())
	}
	if r := zwatch(t, s.db, "list", "--order", "8850"); r.code != 0 || strings.Contains(r.stdout, "(stuck)") {
		t.Errorf("list --order 8850 (rejected by staff, not listed by list --stuck): exit %d, says stuck:\n%s", r.code, r.all())
	}
}

// An order the shop still has as sent, which zwatch never asks about (no
// referans, or staff took it over), was listed as an ordinary "sent" one,
// attempts 0 and no next check, for ever: only check said why.
func TestListSaysWhyASentOrderIsNeverAsked(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, OrderNo: 4001})
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "9003", OrderNo: 9003, Status: "PENDING"})
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "9004", OrderNo: 9004})
	for order, want := range map[string]string{"4001": "sent (not asked: no referans)", "9003": "sent (not asked: handled by staff)"} {
		r := zwatch(t, s.db, "list", "--order", order)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("list --order %s: exit %d, want %q\n%s", order, r.code, want, r.all())
		}
	}
	if r := zwatch(t, s.db, "list", "--order", "9004"); r.code != 0 || strings.Contains(r.stdout, "not asked") {
		t.Errorf("list --order of an order zwatch asks about: exit %d\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "list", "--order", "4001", "-o", "json"); !strings.Contains(r.stdout, `"not_asked": "no_referans"`) {
		t.Errorf("list --order -o json of an order without a referans:\n%s", r.all())
	}
}

// A due order a run holds (asking it now, or killed while it did) is not
// "due": no run asks it before the claim lapses, and stats counts it not
// due either; list said "due" beside stats' 0 (helper-177).
func TestListSaysADueOrderIsClaimed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "883", OrderNo: 8830})
	s.db.AddCheck(id, storetest.Check{Attempts: 1, NextCheckIn: -time.Minute, Claimed: true})

	table := zwatch(t, s.db, "list", "--order", "8830")
	if table.code != 0 || !strings.Contains(table.stdout, "claimed 4m") && !strings.Contains(table.stdout, "claimed 5m") {
		t.Errorf("list --order of a claimed order: exit %d, want its next check said as claimed for 5 minutes\n%s", table.code, table.all())
	}
	js := zwatch(t, s.db, "list", "--order", "8830", "-o", "json")
	if !strings.Contains(js.stdout, `"claimed_until"`) {
		t.Errorf("list --order -o json of a claimed order says nothing of the claim:\n%s", js.stdout)
	}
}

// An order zwatch has not asked about yet falls due in list as the next
// run takes it up, --first-delay after it was sent, not blank as a stuck
// or paused one: with cron stopped, every new order looked as if zwatch
// would never ask about it.
func TestListShowsWhenAnOrderNeverAskedFallsDue(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	old := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "9901", OrderNo: 6001, SentAgo: 3 * time.Hour})
	s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "9902", OrderNo: 6002, SentAgo: time.Second})
	r := zwatch(t, s.db, "list", "--first-delay", "10m", "-o", "json")
	var listed []struct {
		ID          string     `json:"id"`
		NextCheckAt *time.Time `json:"next_check_at"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 2 {
		t.Fatalf("list -o json: %v\n%s", err, r.all())
	}
	for _, o := range listed {
		var from, to time.Time // when it falls due, give or take the test's own time
		if o.ID == old {
			from, to = time.Now().Add(-3*time.Hour+10*time.Minute-time.Minute), time.Now().Add(-3*time.Hour+10*time.Minute+time.Minute)
		} else {
			from, to = time.Now().Add(10*time.Minute-time.Minute), time.Now().Add(10*time.Minute+time.Minute)
		}
		if o.NextCheckAt == nil || o.NextCheckAt.Before(from) || o.NextCheckAt.After(to) {
			t.Errorf("order %s: next check at %v, want --first-delay after it was sent (%v-%v)", o.ID, o.NextCheckAt, from, to)
		}
	}
	table := zwatch(t, s.db, "list", "--pending", "--first-delay", "10m").stdout
	if !strings.Contains(table, "due") || !strings.Contains(table, "9m") && !strings.Contains(table, "10m") {
		t.Errorf("list --pending: want the old order due and the new one in 10 minutes\n%s", table)
	}
}

// A panel zwatch has learned has its new orders first asked when its plan
// says, and list says so: --first-delay after they were sent was another
// time than the run's. Orders zwatch finished or gave up on that the next
// run takes up again have their next checks as reviving sets them:
// --first-delay after one was sent again, at once for one reopened.
func TestListShowsWhenTheNextRunFirstAsksAnOrder(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.LearnFirstCheck(s.integ, "60")
	learned := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7001", OrderNo: 7001, SentAgo: 5 * time.Second})
	resent := s.resentAfterGiveUp("7002", 7002, "7003", 0)
	reopened := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7004", OrderNo: 7004, SentAgo: 3 * time.Hour})
	s.db.AddCheck(reopened, storetest.Check{FinishedAgo: time.Minute, Attempts: 3})

	next := func(id string) *time.Time {
		t.Helper()
		r := zwatch(t, s.db, "list", "--order", id, "-o", "json")
		var listed []struct {
			NextCheckAt *time.Time `json:"next_check_at"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 1 {
			t.Fatalf("list --order %s: %v\n%s", id, err, r.all())
		}
		return listed[0].NextCheckAt
	}
	// A minute after it was sent, as the panel's plan has it.
	if at := next(learned); at == nil || at.Before(time.Now().Add(45*time.Second)) || at.After(time.Now().Add(65*time.Second)) {
		t.Errorf("an order of a learned panel sent 5 s ago: next check at %v, want in about 55 s", at)
	}
	if at := next(resent); at == nil || at.Before(time.Now().Add(45*time.Second)) || at.After(time.Now().Add(65*time.Second)) {
		t.Errorf("an order sent again after zwatch gave up on it: next check at %v, want a minute after it was sent, as a new one", at)
	}
	if at := next(reopened); at == nil || at.After(time.Now().Add(5*time.Second)) {
		t.Errorf("an order reopened after zwatch finished with it: next check at %v, want due now", at)
	}
}
