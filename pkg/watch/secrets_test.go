package watch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// nastyPassword has what query and HTML escaping change: a space, '&',
// '/', '=', '+', a quote and Turkish letters.
const nastyPassword = "Gizli şifre&9/x=ÇÖ+'1"

// passwordTraces is the password as a PHP panel echoes it, and as a test
// looks for it: whole, query-escaped (with upper- and lower-case hex, "+"
// for space), path-escaped, HTML-escaped; and its first half, the piece a
// cut would leave.
func passwordTraces(pw string) []string {
	lowerHex := regexp.MustCompile(`%[0-9A-F]{2}`)
	lower := func(s string) string { return lowerHex.ReplaceAllStringFunc(s, strings.ToLower) }
	html := strings.NewReplacer("&", "&amp;", "'", "&#039;", `"`, "&quot;", "<", "&lt;", ">", "&gt;")
	return []string{pw, url.QueryEscape(pw), lower(url.QueryEscape(pw)), url.PathEscape(pw), html.Replace(pw), pw[:len(pw)/2]}
}

func assertNoPasswordTrace(t *testing.T, what, text string) {
	t.Helper()
	for _, trace := range passwordTraces(nastyPassword) {
		if strings.Contains(strings.ToLower(text), strings.ToLower(trace)) {
			t.Errorf("%s holds a trace of the password (%q):\n%s", what, trace, text)
		}
	}
}

// A panel that repeats the request in its normal answers, waiting or done,
// plainly or URL-encoded, must not get the dealer password into the shop's
// columns, zwatch's tables, the logs or the run's summary.
func TestPanelEchoingThePasswordLeavesNoTrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	panel := znettest.NewServer(dealerCode, nastyPassword)
	t.Cleanup(panel.Close)
	integ := e.db.AddIntegration(storetest.Integration{Name: "znet-echo", BaseURL: panel.URL, Kod: dealerCode, Sifre: nastyPassword})

	echoes := map[string]string{
		"plain":       "sifre=" + nastyPassword,
		"urlencoded":  "kod=" + dealerCode + "&sifre=" + url.QueryEscape(nastyPassword) + "&tahsilat_api_islem_id=1",
		"rawurlencod": "/servis/pin_kontrol.php?sifre=" + url.PathEscape(nastyPassword),
		"lower hex":   "sifre=" + strings.ToLower(url.QueryEscape(nastyPassword)),
		"html":        "sifre=" + strings.NewReplacer("&", "&amp;", "'", "&#039;").Replace(nastyPassword),
	}
	orders := map[string]string{} // id -> what it is
	n := 0
	for form, echo := range echoes {
		for _, answer := range []struct {
			name string
			body znettest.Answer
		}{
			{"OK|1", znettest.Waiting("Bekliyor; istek: " + echo)},
			{"OK|2", znettest.Done(fmt.Sprintf("PIN-%04d", n), "Tamamlandı; istek: "+echo)},
		} {
			ref := referans(12000 + n)
			n++
			orders[e.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: ref})] = answer.name + " " + form
			panel.Script(ref, answer.body)
		}
	}

	sum := e.run(e.config())

	if sum.Total.Completed != len(echoes) || sum.Total.Processing != len(echoes) {
		t.Fatalf("summary %+v: want every answer applied, the echo notwithstanding", sum.Total)
	}
	for id, what := range orders {
		row := e.db.ReadOrder(id)
		if row.ProviderMessage == nil || !strings.Contains(*row.ProviderMessage, "REDACTED") {
			t.Errorf("%s: providerMessage %v, want the answer with the password replaced", what, row.ProviderMessage)
		} else {
			assertNoPasswordTrace(t, what+": providerMessage", *row.ProviderMessage)
		}
		if row.LastMessage != nil {
			assertNoPasswordTrace(t, what+": lastMessage", *row.LastMessage)
		}
		for _, ev := range e.db.Events(id) {
			if ev.ProviderMessage != nil {
				assertNoPasswordTrace(t, what+": zwatch_order_events.provider_message", *ev.ProviderMessage)
			}
		}
		if c := e.db.ReadCheck(id); c.LastError != nil {
			assertNoPasswordTrace(t, what+": last_error", *c.LastError)
		}
	}
	for _, trace := range passwordTraces(nastyPassword) {
		if n := e.db.ZwatchRowsMentioning(trace); n != 0 {
			t.Errorf("%d rows of zwatch's tables hold %q", n, trace)
		}
	}
	summary, _ := json.Marshal(sum)
	assertNoPasswordTrace(t, "the run's summary", string(summary))
	assertNoPasswordTrace(t, "logs", e.logs.String())
}

// A short dealer password turns up inside genuine PINs. Such a PIN is saved
// whole and its order approved; a PIN field that echoes the password is
// saved nowhere, and neither is the password.
func TestPINContainingAShortPasswordIsSaved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const shortPassword = "1234"
	panel := znettest.NewServer(dealerCode, shortPassword)
	t.Cleanup(panel.Close)
	integ := e.db.AddIntegration(storetest.Integration{Name: "znet-short", BaseURL: panel.URL, Kod: dealerCode, Sifre: shortPassword})
	type delivery struct{ pin, desc, message string }
	genuine := map[string]delivery{} // order id -> what znet says, and the message saved
	for i, d := range []delivery{
		{"AB12-34CD-1234", "Tamamlandı; istek: kod=" + dealerCode + "&sifre=" + shortPassword, "Tamamlandı; istek: kod=" + dealerCode + "&sifre=REDACTED"},
		{"1234-5678-9012", "sifre=" + shortPassword, "sifre=REDACTED"},
		{"99123456", "tamam", "tamam"},
		// The description repeats the PIN: masked whole, not half scrubbed
		// and half shown.
		{"QQ77-1234-ZZ99", "Kodunuz: QQ77-1234-ZZ99 (sifre=" + shortPassword + ")", "Kodunuz: ••••-ZZ99 (sifre=REDACTED)"},
	} {
		ref := referans(16000 + i)
		genuine[e.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: ref})] = d
		panel.Script(ref, znettest.Done(d.pin, d.desc))
	}
	echoed := map[string]string{} // order id -> PIN field
	for i, field := range []string{"sifre=" + shortPassword, shortPassword, "%31%32%33%34"} {
		ref := referans(16100 + i)
		echoed[e.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: ref})] = field
		panel.Script(ref, znettest.Done(field, "tamam"))
	}

	sum := e.run(e.config())

	if sum.Total.Completed != len(genuine) {
		t.Errorf("summary %+v: want the %d genuine PINs completed", sum.Total, len(genuine))
	}
	for id, d := range genuine {
		row := e.db.ReadOrder(id)
		if row.ExternalStatus != "completed" || row.Status != "approved" || row.PINCode == nil || *row.PINCode != d.pin {
			t.Errorf("order with PIN %q: %+v, want completed, approved, the PIN saved whole", d.pin, row)
		}
		if row.ProviderMessage == nil || *row.ProviderMessage != d.message {
			t.Errorf("order with PIN %q: providerMessage %s, want %q", d.pin, quoted(row.ProviderMessage), d.message)
		}
		for _, ev := range e.db.Events(id) {
			if ev.ProviderMessage != nil && strings.Contains(*ev.ProviderMessage, "QQ77") {
				t.Errorf("order with PIN %q: an event shows the PIN: %q", d.pin, *ev.ProviderMessage)
			}
		}
	}
	for id, field := range echoed {
		row := e.db.ReadOrder(id)
		if row.PINCode != nil || row.ExternalStatus == "completed" || row.ApprovedAt != nil {
			t.Errorf("order whose PIN field is %q: %+v, want no PIN saved and the order not completed", field, row)
		}
		check := e.db.ReadCheck(id)
		if check.LastError == nil || !strings.Contains(*check.LastError, "PIN field repeats the dealer password") {
			t.Errorf("order whose PIN field is %q: last_error %v, want it to say why the answer was not used", field, check.LastError)
		}
		texts := []*string{row.ProviderMessage, row.LastMessage, check.LastError}
		for _, ev := range e.db.Events(id) {
			texts = append(texts, ev.ProviderMessage)
		}
		for _, text := range texts {
			if text != nil && (strings.Contains(*text, shortPassword) || strings.Contains(*text, field)) {
				t.Errorf("order whose PIN field is %q: %q shows the password", field, *text)
			}
		}
	}
	for _, trace := range []string{"sifre=" + shortPassword, "%31%32%33%34"} {
		if n := e.db.ZwatchRowsMentioning(trace); n != 0 {
			t.Errorf("%d rows of zwatch's tables hold %q", n, trace)
		}
	}
	if logs := e.logs.String(); strings.Contains(logs, "sifre="+shortPassword) || strings.Contains(logs, "%31%32%33%34") {
		t.Errorf("the logs show the password:\n%s", logs)
	}
	for _, d := range genuine {
		assertNoSecrets(t, "logs", e.logs.String(), d.pin)
	}
}

// A PIN that does not fit the shop's "pinCode" is neither cut nor approved:
// the order is given up on at once, says why, and the run needs a person.
// A done answer with no PIN is a top-up, completed without one.
func TestPINThatDoesNotFitIsLeftForAPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tooLong := e.order("13001")
	huge := e.order("13002")
	topUp := e.order("13003")
	topUpDash := e.order("13004")
	e.znet.Script("13001", znettest.Done(strings.Repeat("Ş", 121), "tamam"))
	e.znet.Script("13002", znettest.Done(strings.Repeat("7", 10000), "tamam"))
	e.znet.Script("13003", znettest.Raw(200, []byte("OK|2||Yükleme yapıldı")))
	e.znet.Script("13004", znettest.Raw(200, []byte("OK|2| - |Yükleme yapıldı")))

	sum := e.run(e.config())

	if sum.Total.Completed != 2 || sum.Total.Stuck != 2 || len(sum.StuckOrders) != 2 || !sum.NeedsAttention() {
		t.Errorf("summary %+v stuck %v: want the 2 top-ups completed, the 2 long PINs stuck and a person called", sum.Total, sum.StuckOrders)
	}
	for _, id := range []string{tooLong, huge} {
		row := e.db.ReadOrder(id)
		if row.PINCode != nil || row.Status != "pending" || row.ExternalStatus != "sent" || row.ApprovedAt != nil {
			t.Errorf("order with a PIN too long: %+v, want no PIN, not approved, status untouched", row)
		}
		if row.LastMessage == nil || !strings.Contains(*row.LastMessage, "pinCode") {
			t.Errorf("lastMessage %v, want it to say the PIN does not fit pinCode", row.LastMessage)
		}
		c := e.db.ReadCheck(id)
		if c.GivenUpAt == nil || c.LastError == nil || !strings.Contains(*c.LastError, "pinCode") || c.ClaimedBy != nil {
			t.Errorf("bookkeeping %+v: want given up, the reason in last_error, the claim cleared", c)
		}
	}
	for _, id := range []string{topUp, topUpDash} {
		if row := e.db.ReadOrder(id); row.ExternalStatus != "completed" || row.Status != "approved" || row.PINCode != nil {
			t.Errorf("top-up %+v: want completed and approved with no PIN", row)
		}
	}
	// Given up means not asked again, whatever is due.
	e.db.MakeAllDue()
	e.run(e.config())
	if n := e.znet.Requests("13001"); n != 1 {
		t.Errorf("znet asked %d times about the order with a long PIN, want 1", n)
	}
	assertNoSecrets(t, "logs", e.logs.String(), strings.Repeat("7", 120))
}

// A shop transaction that holds one order's row for the whole run holds up
// no other order's answer: they are saved, the run ends, and the locked
// order's claim is handed back rather than left to lapse. A looping run
// saves it as soon as the shop lets go.
func TestShopRowLockHoldsUpNoOtherOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	ids := e.orders(12, 14000)
	e.run(e.config()) // registered, asked once, processing
	locked := ids[0]
	e.znet.SetDefault(znettest.DoneEach("LOCK-PIN", "tamam"))

	t.Run("a run ends with the lock held", func(t *testing.T) {
		release := e.db.HoldOrderLock(locked)
		defer release()
		e.db.MakeAllDue()

		sum := e.run(e.config())

		if sum.Total.Completed != 11 {
			t.Errorf("summary %+v: want the 11 orders the shop does not hold completed", sum.Total)
		}
		if sum.NeedsAttention() || len(sum.Unsaved) != 0 {
			t.Errorf("summary %+v: a row the shop holds is no reason for a person to look", sum)
		}
		if got := e.db.OrdersIn("completed"); got != 11 {
			t.Errorf("%d orders completed while the shop held one, want 11", got)
		}
		c := e.db.ReadCheck(locked)
		if c.ClaimedBy != nil || c.Attempts != 1 || c.FinishedAt != nil {
			t.Errorf("locked order's bookkeeping %+v: want the claim handed back, no attempt counted, not finished", c)
		}
		if row := e.db.ReadOrder(locked); row.ExternalStatus != "processing" {
			t.Errorf("the locked order was written: %+v", row)
		}
		// Nor is it an error line, which check-pending -q would mail.
		for _, line := range strings.Split(e.logs.String(), "\n") {
			if strings.Contains(line, "could not save") && !strings.Contains(line, `"level":"INFO"`) {
				t.Errorf("a row the shop held is logged above INFO: %s", line)
			}
		}
	})

	t.Run("a looping run saves it once the shop lets go", func(t *testing.T) {
		release := e.db.HoldOrderLock(locked)
		defer release()
		e.db.MakeDue(locked)
		go func() {
			// The shop lets go once zwatch has asked about the order.
			for e.znet.Requests(referans(14000)) < 3 {
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond)
			release()
		}()
		cfg := e.config()
		cfg.Loop, cfg.Tick = 4*time.Second, 100*time.Millisecond

		sum := e.run(cfg)

		if row := e.db.ReadOrder(locked); row.ExternalStatus != "completed" || sum.Total.Completed != 1 {
			t.Errorf("order %+v, summary %+v: want it completed within the run", row, sum.Total)
		}
		if n := e.znet.Requests(referans(14000)); n != 3 {
			t.Errorf("znet asked %d times in all, want 3: the answer is kept, not asked again", n)
		}
	})
}

// A shop whose table keys its PINs (a unique index on "pinCode", so that
// no PIN is delivered twice) makes saving a PIN take the row's FOR UPDATE
// lock, which waits for a shop transaction holding the row FOR KEY SHARE,
// as inserting a row that references the order does. Such a row is
// skipped as any row the shop holds: before, the save waited for it until
// the lock timeout failed the batch, counted the order's attempt and
// called a person (helper-268's find). A column an index only INCLUDEs is
// no key: the held order's PIN is saved at once, as without the index
// (helper-269's).
func TestAShopKeyingItsPINsHoldsUpNoOtherOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, index string
		keyed       bool
	}{
		{"a unique index on pinCode", `CREATE UNIQUE INDEX shop_delivers_a_pin_once ON product_orders ("pinCode")`, true},
		{"pinCode included in a unique index", `CREATE UNIQUE INDEX shop_orders_with_pins ON product_orders (id) INCLUDE ("pinCode")`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.db.Exec(tc.index)
			e.znet.SetDefault(znettest.Waiting(""))
			ids := e.orders(6, 15000)
			e.run(e.config()) // registered, asked once, processing
			for i := range ids {
				e.znet.Script(referans(15000+i), znettest.Done("KEYED-PIN-"+referans(15000+i), "tamam"))
			}
			held := ids[0]
			e.db.BeginHolding(`SELECT 1 FROM product_orders WHERE id = $1 FOR KEY SHARE`, held)
			e.db.MakeAllDue()

			sum := e.run(e.config())

			if sum.NeedsAttention() || len(sum.Unsaved) != 0 {
				t.Errorf("summary %+v, unsaved %+v: a row the shop holds is no reason for a person to look", sum.Total, sum.Unsaved)
			}
			if !tc.keyed {
				if sum.Total.Completed != 6 {
					t.Errorf("summary %+v: want all 6 orders completed, the one the shop holds FOR KEY SHARE too", sum.Total)
				}
				return
			}
			if sum.Total.Completed != 5 {
				t.Errorf("summary %+v: want the 5 orders the shop does not hold completed", sum.Total)
			}
			if c := e.db.ReadCheck(held); c.Attempts != 1 || c.ClaimedBy != nil || c.LastError == nil || !strings.Contains(*c.LastError, "a transaction of the shop held the order's row") {
				t.Errorf("held order's bookkeeping %+v: want no attempt counted, the claim handed back, and the note that the shop held its row", c)
			}
			if row := e.db.ReadOrder(held); row.ExternalStatus != "processing" || row.PINCode != nil {
				t.Errorf("the held order was written: %+v", row)
			}
		})
	}
}

// A shop transaction holding the row of a run's only order when znet's
// answer comes back. Let go a moment after zwatch first tried to save it,
// the run's end waits that moment and saves the answer, and znet is not
// asked again for an answer zwatch had. Held to the end, the claim is
// handed back, and the run did nothing wrong: it ends well, and
// check-pending -q mails no one.
func TestRunEndAndARowTheShopHolds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		letsGo bool
		// completed by the run; znet's requests once a second run has
		// asked what is due
		completed, requests int
	}{
		{"the shop lets go a moment later", true, 1, 1},
		{"the shop holds it to the end", false, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.order("14100")
			e.znet.SetDefault(znettest.DoneEach("HELD-PIN", "tamam"))
			release := e.db.HoldOrderLock(id)
			defer release()
			if tc.letsGo {
				go func() {
					defer release()
					for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
						if strings.Contains(e.logs.String(), `"msg":"saved answers"`) { // the first try met the lock
							break
						}
					}
					time.Sleep(300 * time.Millisecond)
				}()
			}

			sum := e.run(e.config()) // fails the test should the run fail

			if sum.NeedsAttention() || len(sum.Unsaved) != 0 {
				t.Errorf("summary %+v: a row the shop holds is no reason for a person to look", sum)
			}
			if row := e.db.ReadOrder(id); (row.ExternalStatus == "completed") != (tc.completed == 1) || sum.Total.Completed != tc.completed {
				t.Errorf("order %+v, summary %+v: want %d completed by the run", row, sum.Total, tc.completed)
			}
			if c := e.db.ReadCheck(id); c.ClaimedBy != nil || (c.FinishedAt != nil) != (tc.completed == 1) {
				t.Errorf("bookkeeping %+v: want no claim left when the run ended, finished only if completed", c)
			}
			release()
			e.db.MakeAllDue()
			e.run(e.config())
			if n := e.znet.Requests("14100"); n != tc.requests {
				t.Errorf("znet asked %d times, want %d", n, tc.requests)
			}
		})
	}
}

// Each order that becomes final is announced on zwatch_order_final, with
// its id, its status and whether a PIN was saved, never the PIN.
func TestFinalOrdersAreNotified(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	done := e.order("15001")
	cancelled := e.order("15002")
	e.order("15003")
	e.znet.Script("15001", znettest.Done("NOTIFY-PIN-1", "tamam"))
	e.znet.Script("15002", znettest.Cancelled("iptal"))
	e.znet.Script("15003", znettest.Waiting("bekliyor"))
	// Orders holding a PIN staff pasted in: znet completes one with
	// another PIN, which is not saved, and one with none, a top-up's
	// answer; neither holds a PIN of znet's.
	kept := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "15004", PINCode: "STAFF-PIN-4"})
	e.znet.Script("15004", znettest.Done("ZNET-PIN-4", "tamam"))
	topUp := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "15005", PINCode: "STAFF-PIN-5"})
	e.znet.Script("15005", znettest.Done("", "yüklendi"))
	same := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "15006", PINCode: "SAME-PIN-6"})
	e.znet.Script("15006", znettest.Done("SAME-PIN-6", "tamam"))
	// One znet cancelled that holds a PIN staff delivered by hand: the
	// listener must not take it for a plain refund.
	cancelledHeld := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "15007", PINCode: "STAFF-PIN-7"})
	e.znet.Script("15007", znettest.Cancelled("iptal"))

	listener := pq.NewListener(e.db.URL, 10*time.Millisecond, time.Second, nil)
	t.Cleanup(func() { listener.Close() })
	if err := listener.Listen(store.FinalChannel); err != nil {
		t.Fatal(err)
	}

	e.run(e.config())

	got := map[string]store.FinalNotice{}
	timeout := time.After(10 * time.Second)
	for len(got) < 6 {
		select {
		case n := <-listener.Notify:
			if n == nil {
				continue // reconnected
			}
			assertNoSecrets(t, "notification", n.Extra, "NOTIFY-PIN-1")
			var notice store.FinalNotice
			if err := json.Unmarshal([]byte(n.Extra), &notice); err != nil {
				t.Fatalf("payload %q: %v", n.Extra, err)
			}
			got[notice.OrderID] = notice
		case <-timeout:
			t.Fatalf("heard %d notifications in 10 s, want 6: %+v", len(got), got)
		}
	}
	want := map[string]store.FinalNotice{
		done:          {OrderID: done, ExternalStatus: "completed", PINSaved: true},
		cancelled:     {OrderID: cancelled, ExternalStatus: "failed"},
		kept:          {OrderID: kept, ExternalStatus: "completed", PINKept: true},
		topUp:         {OrderID: topUp, ExternalStatus: "completed"},
		same:          {OrderID: same, ExternalStatus: "completed", PINSaved: true},
		cancelledHeld: {OrderID: cancelledHeld, ExternalStatus: "failed", PINKept: true},
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("notice for %s: got %+v, want %+v", id, got[id], w)
		}
	}
	select {
	case n := <-listener.Notify:
		t.Errorf("a further notification for an order that is not final: %+v", n)
	case <-time.After(300 * time.Millisecond):
	}
}

func quoted(s *string) string {
	if s == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q", *s)
}

// A lock that one order's answer alone waits for in vain (a shop trigger
// that locks something a long transaction holds) holds up no other
// order's answer, even when that order comes first in every batch.
func TestALockOneOrderMeetsHoldsUpNoOther(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.DoneEach("TRIG-PIN", "tamam"))
	bad := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: referans(15000), SentAgo: time.Hour}) // the oldest: first
	others := e.orders(5, 15001)
	e.db.Exec(`CREATE TABLE shop_audit_lock (id int PRIMARY KEY); INSERT INTO shop_audit_lock VALUES (1);
		CREATE FUNCTION shop_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.id = '` + bad + `' THEN PERFORM 1 FROM shop_audit_lock WHERE id = 1 FOR UPDATE; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER shop_audit BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION shop_audit()`)
	e.db.BeginHolding(`SELECT 1 FROM shop_audit_lock FOR UPDATE`) // a long shop transaction

	sum := e.run(e.config())

	for _, id := range others {
		if row := e.db.ReadOrder(id); row.ExternalStatus != "completed" {
			t.Errorf("order %s behind the one that meets a lock: %+v, want completed", id, row)
		}
	}
	if row := e.db.ReadOrder(bad); row.ExternalStatus == "completed" {
		t.Errorf("the order whose trigger waits for a held lock was written: %+v", row)
	}
	if sum.Total.Completed != 5 {
		t.Errorf("summary %+v, want the 5 others completed", sum.Total)
	}
}

// A lock on the shop's whole table (LOCK TABLE, ALTER TABLE) makes every
// answer wait in vain: after the batch, two orders alone tell so, and the
// rest wait for the next try instead of a second each.
func TestALockOnTheShopsTableIsNotWaitedForOrderByOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.DoneEach("TABLE-PIN", "tamam"))
	e.orders(8, 16000)
	e.db.BeginHolding(`LOCK TABLE product_orders IN SHARE MODE`) // reads go on, writes wait
	cfg := e.config()
	cfg.MaxDuration = 6 * time.Second

	// The run fails: the database took none of its answers.
	if _, err := watch.Run(context.Background(), e.db.Store, cfg); err == nil {
		t.Error("a run whose every answer waited in vain for the table succeeded")
	}

	// Each batch the lock refused is split; the split tries its answers
	// alone only until two in a row wait in vain, then keeps the rest.
	splits, alone := 0, 0
	inSplit := false
	for _, line := range strings.Split(e.logs.String(), "\n") {
		switch {
		case strings.Contains(line, "saving them one by one"):
			splits++
			inSplit = true
		case strings.Contains(line, "trying the rest later"):
			inSplit = false
		case strings.Contains(line, `"msg":"saved answers"`):
			if !strings.Contains(line, `"orders":1,`) {
				inSplit = false
			} else if inSplit && strings.Contains(line, `"ok":false`) {
				alone++
			}
		}
	}
	if splits == 0 || alone > 2*splits {
		t.Errorf("%d batches split, %d answers then waited alone in vain for the table: want at most 2 after each batch", splits, alone)
	}
}

// A lone answer the lock refused was alone already: tried again at once it
// would only wait for the lock a second time, so it waits for its retry.
func TestALoneAnswerTheLockRefusedWaitsForItsRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.DoneEach("LONE-PIN", "tamam"))
	e.orders(1, 16100)
	e.db.BeginHolding(`LOCK TABLE product_orders IN SHARE MODE`)
	cfg := e.config()
	cfg.Loop, cfg.Tick = 4*time.Second, 100*time.Millisecond

	if _, err := watch.Run(context.Background(), e.db.Store, cfg); err == nil {
		t.Error("a run whose answer waited in vain for the table succeeded")
	}

	type try struct{ start, end time.Time }
	var tries []try
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if !strings.Contains(line, `"msg":"saved answers"`) || !strings.Contains(line, `"ok":false`) {
			continue
		}
		var l struct {
			Time time.Time     `json:"time"`
			Took time.Duration `json:"took"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %s: %v", line, err)
		}
		tries = append(tries, try{l.Time.Add(-l.Took), l.Time})
	}
	if len(tries) < 3 {
		t.Fatalf("%d tries to save the answer in a run of 4 s, want it tried again", len(tries))
	}
	// The last try is the run's end's, which tries every kept answer at
	// once before handing its claim back.
	for i := 1; i < len(tries)-1; i++ {
		if gap := tries[i].start.Sub(tries[i-1].end); gap < 100*time.Millisecond { // a retry waits 250 ms or more
			t.Errorf("try %d began %s after try %d waited in vain: want it to wait for its retry", i+1, gap, i)
		}
	}
}

// A row the shop holds answer after answer (a transaction left open, or
// row-level security that lets zwatch read the order but not update it) is
// no moment's business: zwatch keeps since when, says why in last_error,
// asks less often, and past ShopHeldAlarm calls a person (exit 3) instead
// of asking every run for ever in silence. Once the shop lets go, the
// answer is saved and the order is no longer held.
func TestARowTheShopHoldsForLongCallsAPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	ids := e.orders(2, 14100)
	e.run(e.config())
	held := ids[0]
	e.znet.SetDefault(znettest.DoneEach("HELD-PIN", "tamam"))
	release := e.db.HoldOrderLock(held)
	defer release()

	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.NeedsAttention() || len(sum.ShopHeld) != 0 {
		t.Fatalf("summary %+v: a row held for a moment is no reason for a person to look", sum)
	}
	c := e.db.ReadCheck(held)
	if c.ShopHeldSince == nil || c.LastError == nil || !strings.Contains(*c.LastError, "held the order's row") || c.ClaimedBy != nil {
		t.Fatalf("bookkeeping %+v: want the claim handed back, since when the row is held and why", c)
	}

	e.db.Exec(`UPDATE zwatch_order_checks SET shop_held_since = now() - interval '40 minutes' WHERE order_id = $1`, held)
	e.db.MakeDue(held)
	sum := e.run(e.config())
	if !slices.Equal(sum.ShopHeld, []string{held}) || !sum.NeedsAttention() {
		t.Errorf("held for 40 minutes: shop held %v, needs attention %v; want the order named and a person called", sum.ShopHeld, sum.NeedsAttention())
	}
	if !strings.Contains(e.logs.String(), "row-level security") {
		t.Errorf("no log line names the likely causes:\n%s", e.logs.String())
	}
	if c := e.db.ReadCheck(held); c.NextCheckAt.Before(time.Now().Add(15 * time.Minute)) {
		t.Errorf("held for 40 minutes, next asked at %s: want it asked again no sooner than in 20 minutes", c.NextCheckAt)
	}

	release()
	e.db.MakeDue(held)
	if sum := e.run(e.config()); sum.Total.Completed != 1 || sum.NeedsAttention() {
		t.Errorf("after the shop let go: %+v", sum.Total)
	}
	if c := e.db.ReadCheck(held); c.ShopHeldSince != nil {
		t.Errorf("saved, but still marked held since %v", c.ShopHeldSince)
	}
	assertNoSecrets(t, "the log", e.logs.String(), "HELD-PIN")
}

// Answers waiting for rows a shop transaction holds (one left open, say)
// take no room from the rest of the shop: a looping run whose batch they
// would fill still claims and asks the orders sent meanwhile.
func TestAnswersWaitingForTheShopLeaveRoomForOtherOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	held := e.orders(25, 14200) // over twice the batch
	e.run(e.config())
	for _, id := range held {
		release := e.db.HoldOrderLock(id)
		defer release()
	}
	e.znet.SetDefault(znettest.DoneEach("ROOM-PIN", "tamam"))
	e.db.MakeAllDue()
	go func() {
		// Sent once the run has met every held row.
		for e.znet.TotalRequests() < 50 {
			time.Sleep(20 * time.Millisecond)
		}
		e.orders(5, 14300)
	}()
	cfg := e.config()
	cfg.Batch, cfg.Loop, cfg.Tick = 10, 4*time.Second, 100*time.Millisecond
	cfg.FirstDelay = 0

	sum := e.run(cfg)

	if sum.Total.Completed != 5 {
		t.Errorf("completed %d of the 5 orders sent while 25 answers waited for the shop: %+v", sum.Total.Completed, sum.Total)
	}
}
