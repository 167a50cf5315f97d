package watch_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

func TestDoneSavesPINAndApproves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("1001")
	e.znet.Script("1001", znettest.Done("AB12-CD34-EF56-GH78", "İşlem tamamlandı"))

	sum := e.run(e.config())

	if sum.Total.Completed != 1 || sum.Total.Asked != 1 {
		t.Fatalf("summary %+v, want 1 asked and completed", sum.Total)
	}
	row := e.db.ReadOrder(id)
	if row.ExternalStatus != "completed" || row.Status != "approved" {
		t.Errorf("externalStatus %q status %q, want completed/approved", row.ExternalStatus, row.Status)
	}
	if row.PINCode == nil || *row.PINCode != "AB12-CD34-EF56-GH78" {
		t.Errorf("pinCode = %v, want the PIN", row.PINCode)
	}
	if row.CompletedAt == nil || row.ApprovedAt == nil || row.LastSyncAt == nil {
		t.Errorf("completedAt %v approvedAt %v lastSyncAt %v: all must be set", row.CompletedAt, row.ApprovedAt, row.LastSyncAt)
	}
	// The order was sent ten minutes before completing.
	if row.DurationMs == nil || *row.DurationMs < 9*60*1000 || *row.DurationMs > 11*60*1000 {
		t.Errorf("durationMs = %v, want about ten minutes", row.DurationMs)
	}
	if row.ProviderMessage == nil || *row.ProviderMessage != "İşlem tamamlandı" {
		t.Errorf("providerMessage = %v", row.ProviderMessage)
	}
	if row.LastMessage == nil || strings.Contains(*row.LastMessage, "AB12") {
		t.Errorf("lastMessage = %v: must be set and must not hold the PIN", row.LastMessage)
	}
	events := e.db.Events(id)
	if len(events) != 1 || *events[0].From != "sent" || events[0].To != "completed" || !events[0].PINDelivered {
		t.Errorf("events = %+v, want one sent->completed with a PIN", events)
	}
	if n := e.db.ZwatchRowsMentioning("AB12-CD34"); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the PIN in clear", n)
	}
	if c := e.db.ReadCheck(id); c.FinishedAt == nil || c.ClaimedBy != nil || c.Attempts != 1 {
		t.Errorf("bookkeeping %+v: want finished, unclaimed, 1 attempt", c)
	}
	assertNoSecrets(t, "logs", e.logs.String(), "AB12-CD34-EF56-GH78")
}

func TestWaitingSchedulesNextCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("1002")
	e.znet.Script("1002", znettest.Waiting("Bekliyor"))

	before := time.Now()
	sum := e.run(e.config())

	if sum.Total.Processing != 1 {
		t.Fatalf("summary %+v, want 1 processing", sum.Total)
	}
	row := e.db.ReadOrder(id)
	if row.ExternalStatus != "processing" || row.Status != "pending" || row.PINCode != nil {
		t.Errorf("row %+v: want processing, still pending, no PIN", row)
	}
	c := e.db.ReadCheck(id)
	wait := c.NextCheckAt.Sub(before)
	if wait < 50*time.Second || wait > 70*time.Second {
		t.Errorf("next check in %s, want 60s ±10%%", wait)
	}
	// Not due again: a second run asks nothing.
	e.run(e.config())
	if n := e.znet.Requests("1002"); n != 1 {
		t.Errorf("znet asked %d times, want 1 (the order is not due yet)", n)
	}
}

func TestCancelledFailsButNeverRejects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("1003")
	e.znet.Script("1003", znettest.Cancelled("İşlem iptal edildi"))

	e.run(e.config())

	row := e.db.ReadOrder(id)
	if row.ExternalStatus != "failed" || row.Status != "pending" {
		t.Errorf("externalStatus %q status %q, want failed and the shop's status untouched", row.ExternalStatus, row.Status)
	}
	if row.PINCode != nil || row.CompletedAt != nil {
		t.Errorf("a cancelled order got a PIN or completedAt: %+v", row)
	}
}

func TestErrorsWriteNothingToTheShop(t *testing.T) {
	t.Parallel()
	faults := map[string]znettest.Answer{
		"rejected":       znettest.Rejected("3", "Geçersiz istek"),
		"garbage":        znettest.Garbage("lorem ipsum"),
		"server error":   znettest.ServerError(503),
		"slow":           znettest.Waiting("late").After(3 * time.Second),
		"non-OK 3 first": znettest.Rejected("3", "OK değil"),
	}
	for name, answer := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.order("2001")
			e.znet.Script("2001", answer)
			cfg := e.config()
			cfg.Timeout = time.Second

			sum := e.run(cfg)

			if sum.Total.Errors != 1 {
				t.Fatalf("summary %+v, want 1 error", sum.Total)
			}
			row := e.db.ReadOrder(id)
			if row.ExternalStatus != "sent" || row.LastSyncAt != nil || row.ProviderMessage != nil {
				t.Errorf("shop row changed on an error: %+v", row)
			}
			c := e.db.ReadCheck(id)
			if c.LastError == nil || *c.LastError == "" || c.Attempts != 1 || c.ClaimedBy != nil {
				t.Errorf("bookkeeping %+v: want the error recorded, 1 attempt, claim cleared", c)
			}
			if c.NextCheckAt.Before(time.Now().Add(30 * time.Second)) {
				t.Errorf("next check at %s: an error must wait for the schedule", c.NextCheckAt)
			}
			assertNoSecrets(t, "last_error", *c.LastError)
			assertNoSecrets(t, "logs", e.logs.String())
		})
	}
}

func TestOnlyPollableOrdersAreAsked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.DoneEach("WXYZ-2345", "ok"))
	other := e.db.AddIntegration(storetest.Integration{Provider: "barakat", BaseURL: e.znet.URL})
	disabled := e.db.AddIntegration(storetest.Integration{BaseURL: e.znet.URL, Kod: dealerCode, Sifre: password, Disabled: true})
	untouched := []string{
		e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "3001", Status: "approved"}),
		e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "3002", ExternalStatus: "completed"}),
		e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "3003", ExternalStatus: "not_sent"}),
		e.db.AddOrder(storetest.Order{IntegrationID: e.integ}),                                         // no referans
		e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "3005", SentAgo: time.Second}), // within first delay
		e.db.AddOrder(storetest.Order{IntegrationID: other, Referans: "3006"}),
		e.db.AddOrder(storetest.Order{IntegrationID: disabled, Referans: "3007"}),
	}
	viaExternalOrderID := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, ExternalOrderID: "3008"})

	sum := e.run(e.config())

	if sum.Total.Asked != 1 || e.znet.Requests("3008") != 1 {
		t.Fatalf("asked %d orders (3008: %d), want only the one with externalOrderId", sum.Total.Asked, e.znet.Requests("3008"))
	}
	if row := e.db.ReadOrder(viaExternalOrderID); row.ExternalStatus != "completed" {
		t.Errorf("order with referans in externalOrderId: %q, want completed", row.ExternalStatus)
	}
	for _, id := range untouched {
		if row := e.db.ReadOrder(id); row.LastSyncAt != nil || row.PINCode != nil {
			t.Errorf("order %s was written: %+v", id, row)
		}
	}
}

func TestShopDecisionDuringTheRequestWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("4001")
	// While znet is being asked, staff approve the order by hand.
	e.znet.SetResponder(func(ref string, call int) znettest.Answer {
		e.db.Decide(id, "approved", "STAFF-PIN")
		return znettest.Done("ZNET-PIN", "tamam")
	})

	sum := e.run(e.config())

	if sum.Total.Overtaken != 1 || sum.Total.Completed != 0 {
		t.Errorf("summary %+v, want the order counted as overtaken", sum.Total)
	}
	row := e.db.ReadOrder(id)
	if *row.PINCode != "STAFF-PIN" || row.ExternalStatus != "sent" || row.CompletedAt != nil {
		t.Errorf("zwatch overwrote the staff's decision: %+v", row)
	}
	if c := e.db.ReadCheck(id); c.FinishedAt == nil {
		t.Error("an order staff decided should leave zwatch's due list")
	}
}

// A PIN the order already holds is never overwritten. When znet completes
// the order with another, that is said, to the run and on the order, and
// the order is not approved: a person compares them first (a shop that
// delivers what is approved would deliver one unseen). The same PIN again
// is no news.
func TestPINIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4002", PINCode: "FIRST-PIN-1111"})
	e.znet.Script("4002", znettest.Done("SECOND-PIN-2222", ""))
	same := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4003", PINCode: "SAME-PIN-3333"})
	e.znet.Script("4003", znettest.Done(" SAME-PIN-3333 ", ""))

	sum := e.run(e.config())

	row := e.db.ReadOrder(id)
	if *row.PINCode != "FIRST-PIN-1111" || row.ExternalStatus != "completed" || row.Status != "pending" || row.ApprovedAt != nil {
		t.Errorf("row %+v: want completed with the first PIN kept, not approved", row)
	}
	if len(sum.PINKept) != 1 || sum.PINKept[0] != id || !sum.NeedsAttention() {
		t.Errorf("summary: PIN kept for %v, needs attention %v; want the one order whose PIN differed, and a person called",
			sum.PINKept, sum.NeedsAttention())
	}
	if row.LastMessage == nil || !strings.Contains(*row.LastMessage, "PIN other than the one it already held") {
		t.Errorf("lastMessage %v: want it to say the PINs differ", row.LastMessage)
	}
	for _, text := range []string{e.logs.String(), *row.LastMessage} {
		assertNoSecrets(t, "the log and lastMessage", text, "FIRST-PIN-1111", "SECOND-PIN-2222")
	}
	if row := e.db.ReadOrder(same); *row.PINCode != "SAME-PIN-3333" || row.ExternalStatus != "completed" || row.Status != "approved" {
		t.Errorf("the order znet completed with the PIN it held: %+v", row)
	}
}

// An order znet cancelled that holds a PIN (staff delivered one by hand
// while znet was slow) is marked failed, as znet says, but the shop's refund
// would pay back a customer who may have a PIN: the run says so, on the
// order and to a person (exit 3). A cancelled order without a PIN is no
// news. (The listener hears pin_kept: TestFinalOrdersAreNotified.)
func TestCancelledOrderHoldingAPINIsLeftForAPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	held := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4010", PINCode: "HAND-PIN-4010"})
	plain := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4011"})
	e.znet.SetDefault(znettest.Cancelled("İşlem iptal edildi"))

	sum := e.run(e.config())

	row := e.db.ReadOrder(held)
	if row.ExternalStatus != "failed" || row.PINCode == nil || *row.PINCode != "HAND-PIN-4010" || row.Status != "pending" {
		t.Errorf("row %+v: want failed, its PIN and status as they were", row)
	}
	if row.LastMessage == nil || !strings.Contains(*row.LastMessage, "before refunding") {
		t.Errorf("lastMessage %v: want it to warn before a refund", row.LastMessage)
	}
	if !slices.Equal(sum.CancelledHoldingPIN, []string{held}) || len(sum.PINKept) != 0 || !sum.NeedsAttention() {
		t.Errorf("summary: cancelled holding a PIN %v, PIN kept %v, needs attention %v; want the one order and a person called",
			sum.CancelledHoldingPIN, sum.PINKept, sum.NeedsAttention())
	}
	if row := e.db.ReadOrder(plain); row.ExternalStatus != "failed" || row.LastMessage != nil {
		t.Errorf("the cancelled order without a PIN: %+v", row)
	}
	assertNoSecrets(t, "the log", e.logs.String(), "HAND-PIN-4010")
}

func TestOverlongValuesFitTheShopsColumns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("4003")
	widestPIN := strings.Repeat("Ş", 120) // a longer one is never cut: TestPINThatDoesNotFitIsLeftForAPerson
	longDesc := strings.Repeat("açıklama ", 100)
	e.znet.Script("4003", znettest.Done(widestPIN, longDesc))

	e.run(e.config())

	row := e.db.ReadOrder(id)
	if row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != widestPIN {
		t.Errorf("externalStatus %q, PIN %v: want completed and the whole PIN of 120 characters",
			row.ExternalStatus, row.PINCode)
	}
	if n := len([]rune(*row.LastMessage)); n > 250 {
		t.Errorf("lastMessage has %d characters, the column takes 250", n)
	}
}

func TestThreeOverlappingRunsAskEachOrderOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 60
	e.znet.SetDefault(znettest.DoneEach("PIN-1", "ok"))
	e.znet.SetLatency(20 * time.Millisecond)
	for i := range n {
		e.order(referans(5000 + i))
	}

	var wg sync.WaitGroup
	sums := make([]*watch.Summary, 3)
	for k := range sums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := e.config()
			cfg.Batch = 25
			sum, err := watch.Run(context.Background(), e.db.Store, cfg)
			if err != nil {
				t.Errorf("run %d: %v", k, err)
			}
			sums[k] = sum
		}()
	}
	wg.Wait()
	// Whatever the three left over (each claims at most 25), a fourth
	// run finishes.
	e.run(e.config())

	for i := range n {
		ref := referans(5000 + i)
		if got := e.znet.Requests(ref); got != 1 {
			t.Errorf("referans %s asked %d times, want exactly 1", ref, got)
		}
		if got := e.znet.MaxConcurrentFor(ref); got > 1 {
			t.Errorf("referans %s asked %d times at once", ref, got)
		}
	}
	if completed := e.db.OrdersIn("completed"); completed != n {
		t.Errorf("%d orders completed, want %d", completed, n)
	}
}

func TestIntegrationFaultCutsThePanelOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDown(znettest.Empty()) // IP not whitelisted: every call answers empty
	e.orders(10, 6000)
	cfg := e.config()
	cfg.PerIntegration = 1

	sum := e.run(cfg)

	if e.znet.TotalRequests() != 3 {
		t.Errorf("znet got %d requests, want the run to stop after 3 faults in a row", e.znet.TotalRequests())
	}
	in := sum.Integrations[0]
	if !in.Failing || in.Errors != 3 || in.Skipped != 7 || !sum.NeedsAttention() {
		t.Errorf("integration summary %+v: want failing, 3 errors, 7 skipped", in)
	}
	if !strings.Contains(in.Reason, "empty body") {
		t.Errorf("reason %q should say what znet answered", in.Reason)
	}
	if b := e.db.Bookkeeping(); b.Attempts != 3 || b.Claimed != 0 {
		t.Errorf("%d attempts counted and %d claims left, want 3 and 0", b.Attempts, b.Claimed)
	}
	// The released orders wait a while, so that the next run reaches other
	// panels' orders first; then they are asked, and none lost an attempt.
	e.znet.SetDown(nil)
	e.znet.SetDefault(znettest.Waiting(""))
	if sum := e.run(e.config()); sum.Total.Asked != 0 {
		t.Errorf("the next run asked %d at once, want the cut-off panel's orders to wait", sum.Total.Asked)
	}
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Asked != 10 {
		t.Errorf("once due, a run asked %d, want all 10", sum.Total.Asked)
	}
}

// A broken panel with too few due orders to be cut off in one run is still
// reported failing when it gave no usable answer all run: otherwise its
// orders would go stuck a day later without a word. One page that is not
// the API's may be a moment's, and is no verdict; two are.
func TestBrokenPanelWithFewOrdersIsReportedFailing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDown(znettest.HTMLPage(200))
	e.order(referans(6100))
	sum := e.run(e.config())
	if in := sum.Integrations[0]; in.Failing || sum.NeedsAttention() {
		t.Errorf("one HTML page: integration %+v reported failing, want one such fault to be no verdict", in)
	}
	e.db.MakeAllDue()
	e.order(referans(6101))
	sum = e.run(e.config())
	in := sum.Integrations[0]
	if !in.Failing || !sum.NeedsAttention() || in.Errors != 2 {
		t.Errorf("two HTML pages and no other answer: integration %+v, want failing with 2 errors", in)
	}
	if !strings.Contains(in.Reason, "no usable answer") || !strings.Contains(in.Reason, "HTML page") {
		t.Errorf("reason %q should say that the panel never answered, and what it said", in.Reason)
	}
}

// znet's empty body says the dealer code, the password or the shop's IP is
// wrong, never anything about an order: a panel with one order due in
// every run is reported failing in the first, not left to give the order
// up a day later, its panel shown healthy.
func TestAnEmptyBodyToAPanelsOnlyOrderIsReportedFailing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDown(znettest.Empty())
	e.order(referans(6110))
	sum := e.run(e.config())
	in := sum.Integrations[0]
	if !in.Failing || !sum.NeedsAttention() || in.Errors != 1 {
		t.Errorf("one order, answered with an empty body: integration %+v, want failing with 1 error", in)
	}
	if !strings.Contains(in.Reason, "no usable answer") || !strings.Contains(in.Reason, "password") {
		t.Errorf("reason %q should say that the panel never answered, and what to check", in.Reason)
	}
}

// A panel that hangs up on every request, with nothing said, answers
// nothing: it is reported failing as one that times out is.
func TestAPanelThatHangsUpOnEveryRequestIsReportedFailing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDown(znettest.HangUp())
	for i := range 2 {
		e.order(referans(6120 + i))
	}
	sum := e.run(e.config())
	in := sum.Integrations[0]
	if !in.Failing || !sum.NeedsAttention() || in.Errors != 2 {
		t.Errorf("two orders, each request hung up on: integration %+v, want failing with 2 errors", in)
	}
	if !strings.Contains(in.Reason, "connection to znet broke") {
		t.Errorf("reason %q should say what the panel did", in.Reason)
	}
}

// A dealer panel that is down must not keep the other tenants' orders from
// being asked about, however many of its own orders wait.
func TestBrokenPanelDoesNotStarveOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDown(znettest.Empty())
	for i := range 40 {
		e.order(referans(6500 + i)) // oldest first: sent ten minutes ago
	}
	healthy := znettest.NewServer(dealerCode, password)
	t.Cleanup(healthy.Close)
	healthy.SetDefault(znettest.DoneEach("OK-PIN", "ok"))
	integB := e.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: healthy.URL, Kod: dealerCode, Sifre: password})
	for i := range 5 {
		e.db.AddOrder(storetest.Order{IntegrationID: integB, Referans: referans(6600 + i), SentAgo: time.Minute})
	}
	cfg := e.config()
	cfg.Batch = 20

	for range 3 {
		e.run(cfg)
	}

	if got := healthy.TotalRequests(); got != 5 {
		t.Errorf("the healthy panel was asked %d times in three runs, want its 5 orders", got)
	}
	if got := e.db.OrdersIn("completed"); got != 5 {
		t.Errorf("%d orders completed, want the healthy panel's 5", got)
	}
}

func TestGiveUpMarksStuckNeverFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("7001")
	e.znet.Script("7001", znettest.Waiting("Bekliyor"))
	e.run(e.config())
	// A day of polling later:
	e.db.FirstCheckedAgo(id, 25*time.Hour)
	e.db.MakeDue(id)

	sum := e.run(e.config())

	if sum.Total.Stuck != 1 || len(sum.StuckOrders) != 1 || !sum.NeedsAttention() {
		t.Errorf("summary %+v stuck %v, want the order reported stuck", sum.Total, sum.StuckOrders)
	}
	row := e.db.ReadOrder(id)
	if row.ExternalStatus != "processing" || row.Status != "pending" {
		t.Errorf("a stuck order must not be failed: %+v", row)
	}
	if row.LastMessage == nil || !strings.Contains(*row.LastMessage, "24h") {
		t.Errorf("lastMessage = %v, want a note that zwatch gave up", row.LastMessage)
	}
	if c := e.db.ReadCheck(id); c.GivenUpAt == nil {
		t.Error("given_up_at not set")
	}
	e.db.MakeDue(id)
	e.run(e.config())
	if n := e.znet.Requests("7001"); n != 2 {
		t.Errorf("znet asked %d times, want no more asking after giving up", n)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("8001")
	e.znet.Script("8001", znettest.Done("DRY-PIN", "ok"))
	before := e.db.Snapshot()
	cfg := e.config()
	cfg.DryRun = true
	cfg.Rate = 5 // paced by itself: the shared budget's clock is a write

	sum := e.run(cfg)

	if after := e.db.Snapshot(); after != before {
		t.Errorf("dry run changed the database:\nbefore %s\nafter  %s", before, after)
	}
	if len(sum.Changes) != 1 || sum.Changes[0].OrderID != id || sum.Changes[0].To != "completed" || !sum.Changes[0].PIN {
		t.Errorf("changes %+v, want the predicted sent->completed with PIN", sum.Changes)
	}
}

// A dry run with more due orders than its pace allows before max-duration
// asks what it can and leaves the rest as at any deadline; it once took
// the limiter's refusal of a late send time for a budget it could not
// reserve, and asked for a person.
func TestDryRunPastItsPaceEndsAtTheDeadline(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 5 {
		e.order(referans(8100 + i))
	}
	e.znet.SetDefault(znettest.Waiting(""))
	cfg := e.config()
	cfg.DryRun, cfg.Rate, cfg.MaxDuration = true, 1, 2*time.Second

	sum := e.run(cfg)

	if sum.NeedsAttention() || sum.Integrations[0].NoBudget != 0 {
		t.Errorf("a dry run past its pace asks for a person: %+v", sum.Integrations)
	}
	if sum.Total.Asked == 0 || sum.Total.Asked+sum.Total.Skipped != 5 {
		t.Errorf("asked %d and skipped %d of 5, want what the pace allowed asked and the rest released", sum.Total.Asked, sum.Total.Skipped)
	}
}

func TestConcurrencyLimitsHold(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	second := znettest.NewServer(dealerCode, password)
	t.Cleanup(second.Close)
	integB := e.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: second.URL, Kod: dealerCode, Sifre: password})
	for _, s := range []*znettest.Server{e.znet, second} {
		s.SetDefault(znettest.Waiting(""))
		s.SetLatency(30 * time.Millisecond)
	}
	for i := range 30 {
		e.order(referans(9000 + i))
		e.db.AddOrder(storetest.Order{IntegrationID: integB, Referans: referans(9100 + i)})
	}
	transport := &countingTransport{}
	cfg := e.config()
	cfg.Concurrency = 5
	cfg.PerIntegration = 3
	cfg.HTTPClient = &http.Client{Transport: transport}

	sum := e.run(cfg)

	if sum.Total.Asked != 60 {
		t.Fatalf("asked %d, want 60", sum.Total.Asked)
	}
	if got := transport.max.Load(); got > 5 {
		t.Errorf("%d requests in flight at once, --concurrency is 5", got)
	}
	for name, s := range map[string]*znettest.Server{"A": e.znet, "B": second} {
		if got := s.MaxInFlight(); got > 3 {
			t.Errorf("panel %s saw %d requests at once, --per-integration is 3", name, got)
		}
	}
}

func TestRateLimitPerPanel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	for i := range 12 {
		e.order(referans(9500 + i))
	}
	cfg := e.config()
	cfg.Rate = 5
	cfg.Concurrency, cfg.PerIntegration = 8, 8
	sent := recordSends(&cfg)

	sum := e.run(cfg)

	if sum.Total.Asked != 12 {
		t.Fatalf("asked %d, want 12", sum.Total.Asked)
	}
	if got := sent.maxPerSecond(); got > 5 {
		t.Errorf("%d requests were sent to the panel within one second, --rate is 5", got)
	}
}

func referans(n int) string { return strconv.Itoa(n) }

// A shop may make repeatable read or serializable the default of its
// database or of zwatch's role, for its own code. zwatch's runs still
// overlap without failing each other (the claims, the budgets' clocks and
// the refit turn are written by every run) while the shop writes its rows,
// and each order is asked once.
func TestOverlappingRunsUnderAStricterDefaultIsolation(t *testing.T) {
	t.Parallel()
	for _, level := range []string{"repeatable read", "serializable"} {
		t.Run(level, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.db.Exec(`ALTER DATABASE ` + e.db.Name() + ` SET default_transaction_isolation = '` + level + `'`)
			st, err := store.Open(context.Background(), e.db.URL) // sessions that start at that level
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			const n = 300
			e.znet.SetDefault(znettest.DoneEach("PIN-1", "ok"))
			e.znet.SetLatency(5 * time.Millisecond)
			for i := range n {
				e.order(referans(7000 + i))
			}
			stop := make(chan struct{})
			shopDone := make(chan struct{})
			go func() { // the shop writing its orders meanwhile
				defer close(shopDone)
				for {
					select {
					case <-stop:
						return
					default:
					}
					e.db.Exec(`UPDATE product_orders SET notes = '{}' WHERE id IN (SELECT id FROM product_orders ORDER BY random() LIMIT 20)`)
				}
			}()
			var wg sync.WaitGroup
			for k := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cfg := e.config()
					// The panel's budget and the refit turn are rows every
					// run writes too.
					cfg.Batch, cfg.Rate, cfg.Learn = 40, 500, true
					if _, err := watch.Run(context.Background(), st, cfg); err != nil {
						t.Errorf("run %d: %v", k, err)
					}
				}()
			}
			wg.Wait()
			close(stop)
			<-shopDone
			if _, err := watch.Run(context.Background(), st, e.config()); err != nil {
				t.Errorf("the run after them: %v", err)
			}

			if completed := e.db.OrdersIn("completed"); completed != n {
				t.Errorf("%d orders completed, want %d", completed, n)
			}
			for i := range n {
				if got := e.znet.Requests(referans(7000 + i)); got != 1 {
					t.Errorf("referans %s asked %d times, want exactly 1", referans(7000+i), got)
				}
			}
		})
	}
}

// Answers in znet's own format that zwatch cannot use (a status it does
// not know, a done answer cut short in its PIN field, a PIN with an escape
// sequence or echoing the password) are errors of their orders, not faults
// of the panel: the panel's other orders are still asked, it is not
// reported failing, and the give-up clock of those orders runs, so that
// they end up stuck, not asked forever. The run names them for a person
// at once: a customer waits for a PIN nobody can read.
func TestAnswersZwatchCannotUseAreTheOrdersFaultsNotThePanels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	unusable := []znettest.Answer{
		znettest.Garbage("OK|2|CUT-SH"),
		znettest.Garbage("OK|02|AB12-CD34|tamam"),
		znettest.Done("sifre="+password, "tamam"),
		znettest.Done("ES11\x1b[2J-ES22", "tamam"),
	}
	var bad []string
	for i, answer := range unusable { // the oldest: asked first, one after another
		ref := referans(6700 + i)
		sentAgo := time.Hour - time.Duration(i)*time.Minute
		bad = append(bad, e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: ref, SentAgo: sentAgo}))
		e.znet.Script(ref, answer)
	}
	for i := range 3 {
		ref := referans(6800 + i)
		e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: ref, SentAgo: time.Minute})
		e.znet.Script(ref, znettest.Done("GOOD-PIN-"+ref, "tamam"))
	}
	cfg := e.config()
	cfg.PerIntegration = 1

	sum := e.run(cfg)

	in := sum.Integrations[0]
	if in.Failing || sum.Total.Asked != 7 || sum.Total.Completed != 3 || sum.Total.Errors != 4 {
		t.Errorf("integration %+v, totals %+v: want all 7 asked, 3 completed, 4 errors and the panel not failing", in, sum.Total)
	}
	if !sum.NeedsAttention() || len(sum.Unusable) != 4 {
		t.Errorf("unusable answers %+v: want the 4 orders named for a person", sum.Unusable)
	}
	for _, u := range sum.Unusable {
		if !slices.Contains(bad, u.OrderID) || u.Reason == "" || strings.Contains(u.Reason, password) {
			t.Errorf("unusable answer %+v: want one of the 4 orders, with a reason and no password", u)
		}
	}
	for _, id := range bad {
		if at := e.db.PanelFailingSince(id); at != nil {
			t.Errorf("order %s: its give-up clock stopped (panel failing since %s)", id, at)
		}
		if row := e.db.ReadOrder(id); row.ExternalStatus != "sent" || row.PINCode != nil {
			t.Errorf("order %s was written: %+v", id, row)
		}
	}

	e.db.FirstCheckedAgo(bad[0], 25*time.Hour)
	e.db.MakeDue(bad[0])
	sum = e.run(cfg)
	if sum.Total.Stuck != 1 || len(sum.Unusable) != 0 {
		t.Errorf("a day of unusable answers later: %d stuck, unusable %+v; want the order given up on, and not said to be asked again",
			sum.Total.Stuck, sum.Unusable)
	}
	if len(sum.StuckUnusable) != 1 || sum.StuckUnusable[0].OrderID != bad[0] || !strings.Contains(sum.StuckUnusable[0].Reason, "PIN field") {
		t.Errorf("stuck for unusable answers: %+v; want the order given up on, with its answer's reason", sum.StuckUnusable)
	}
	assertNoSecrets(t, "logs", e.logs.String(), "ES11", "GOOD-PIN")
}

// A shop whose database is in a Turkish single-byte encoding gets its
// PINs: a description with characters the encoding lacks (Windows-1254's
// quotes, dash and ellipsis are not in LATIN5), or with zwatch's own mask
// of the PIN it repeats (•), once failed the batch's save, run after run,
// and the PINs were never delivered. Those characters are written as their
// nearest in ASCII; the PIN whole.
func TestAShopInASingleByteEncodingGetsItsPINs(t *testing.T) {
	t.Parallel()
	answers := map[string]struct{ pin, desc string }{
		"801": {"AB12-CD34-EF56-GH78", "PIN: AB12-CD34-EF56-GH78"},
		"802": {"ZX98-YW76-VU54", "Siparişiniz “onaylandı” – teşekkürler… 5 €"},
		"803": {"QQ11-RR22-SS33", "İşlem tamamlandı"},
	}
	for _, encoding := range []string{"LATIN5", "WIN1254"} {
		t.Run(encoding, func(t *testing.T) {
			t.Parallel()
			e := newEncodedEnv(t, encoding)
			db, fake := e.db, e.znet
			ids := map[string]string{}
			for ref, a := range answers {
				fake.Script(ref, znettest.Done(a.pin, a.desc))
				ids[ref] = e.order(ref)
			}

			sum := e.run(e.config())

			if sum.Total.Completed != len(answers) || len(sum.Unsaved) != 0 {
				t.Errorf("completed %d of %d, %d answers not saved", sum.Total.Completed, len(answers), len(sum.Unsaved))
			}
			for ref, a := range answers {
				row := db.ReadOrder(ids[ref])
				if row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != a.pin {
					t.Errorf("order %s: %s with PIN %v, want completed with %s", ref, row.ExternalStatus, row.PINCode, a.pin)
				}
			}
			if msg := db.ReadOrder(ids["803"]).ProviderMessage; msg == nil || *msg != "İşlem tamamlandı" {
				t.Errorf("a description the encoding holds was written as %v", msg)
			}
		})
	}
}

// A shop whose database is in a multi-byte encoding other than UTF-8
// (EUC_KR; EUC_CN, EUC_TW, EUC_JIS_2004 alike) got no PIN: znet's Turkish
// description failed the batch's save, in the shared-referans look-up
// already, run after run, and no attempt was booked, so the order was
// neither saved nor ever given up on. A PIN the encoding cannot hold had
// its first character quoted in hex in the server's error, in the log.
func TestAShopInAMultiByteEncodingGetsItsPINs(t *testing.T) {
	t.Parallel()
	e := newEncodedEnv(t, "EUC_KR")
	db, fake := e.db, e.znet
	fake.Script("901", znettest.Done("AB12-CD34-EF56", "İşlem tamamlandı"))
	fake.Script("902", znettest.Done("ŞĞ12-CD34", "İşlem tamamlandı"))
	fake.Script("903", znettest.Waiting("Sipariş “hazırlanıyor”…"))
	ascii, turkish, waiting := e.order("901"), e.order("902"), e.order("903")

	if _, err := watch.Run(context.Background(), db.Store, e.config()); err != nil {
		t.Errorf("run: %v", err)
	}

	if row := db.ReadOrder(ascii); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != "AB12-CD34-EF56" {
		t.Errorf("order 901: %s with PIN %v, want completed with znet's PIN", row.ExternalStatus, row.PINCode)
	} else if row.ProviderMessage == nil || *row.ProviderMessage != "Islem tamamlandi" {
		t.Errorf("order 901: providerMessage %v, want znet's words in ASCII", row.ProviderMessage)
	}
	if row := db.ReadOrder(turkish); row.ExternalStatus != "sent" || row.PINCode != nil {
		t.Errorf("order 902: %s with PIN %v, want its PIN left for a person, not written near it", row.ExternalStatus, row.PINCode)
	}
	if c := db.ReadCheck(turkish); c.GivenUpAt == nil {
		t.Errorf("order 902: not given up for a person: %+v", c)
	}
	if c := db.ReadCheck(waiting); c.Attempts != 1 {
		t.Errorf("order 903: %d attempts booked, want its waiting answer's", c.Attempts)
	}
	assertNoSecrets(t, "logs", e.logs.String(), "ŞĞ12", "0xc5 0x9e")
}

// A shop trigger that silently skips zwatch's update (it returns NULL, or
// OLD) leaves the order as it was: the run must not count it completed, as
// if the PIN were delivered, but as an answer not saved, for a person to
// look at (exit 3), and the next runs ask again.
func TestAnAnswerTheShopSkipsWritingIsNotCountedDone(t *testing.T) {
	t.Parallel()
	for name, keepOld := range map[string]bool{"returning NULL": false, "returning OLD": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			skipped, saved := e.order(referans(11700)), e.order(referans(11701))
			e.znet.SetDefault(znettest.DoneEach("SKIP-PIN-1170", "tamam"))
			e.db.SkipWrites(skipped, keepOld)

			sum := e.run(e.config())

			if sum.Total.Completed != 1 || sum.Total.Errors != 1 || !slices.Equal(sum.Unsaved, []string{skipped}) || !sum.NeedsAttention() {
				t.Errorf("completed %d, errors %d, unsaved %v: want the written order completed, the skipped one unsaved and a person told",
					sum.Total.Completed, sum.Total.Errors, sum.Unsaved)
			}
			if row := e.db.ReadOrder(skipped); row.ExternalStatus != "sent" || row.PINCode != nil {
				t.Errorf("skipped order %+v, want untouched", row)
			}
			if row := e.db.ReadOrder(saved); row.ExternalStatus != "completed" {
				t.Errorf("the other order %+v, want completed", row)
			}
			if c := e.db.ReadCheck(skipped); c.ClaimedBy != nil || c.FinishedAt != nil || c.LastError == nil {
				t.Errorf("bookkeeping %+v: want the claim handed back, the order asked again and the reason kept", c)
			}
			if events := e.db.Events(skipped); len(events) != 0 {
				t.Errorf("events %+v of an order nothing was written to", events)
			}
			if !strings.Contains(e.logs.String(), "did not write znet's answer") {
				t.Errorf("no log line says the answer was not written:\n%s", e.logs.String())
			}
			assertNoSecrets(t, "logs", e.logs.String(), "SKIP-PIN-1170")
		})
	}
}

// znet has one order per referans, so its PIN belongs to one customer. Two
// orders of an integration carrying the same referans (a shop that copied
// an order with its referans, maybe with a tab after it), both waiting or
// one finished before, must not both be given it: it is saved to neither
// waiting one, each is left for a person (stuck, exit 3) naming the other,
// and a top-up's answer is held alike. An order with a referans of its own
// is not held up, nor is one whose copy staff rejected.
func TestAPINIsNotSavedToTwoOrdersSharingAReferans(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4100"})
	copied := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4100\t"})
	topUp := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4102"})
	topUpCopy := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: " 4102"})
	own := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4101"})
	real := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4103"})
	rejected := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4103"})
	e.db.Decide(rejected, "rejected", "")
	e.znet.Script("4100", znettest.Done("SHARED-PIN-4100", "tamam"))
	e.znet.Script("4101", znettest.Done("OWN-PIN-4101", "tamam"))
	e.znet.Script("4102", znettest.Done("", "yüklendi"))
	e.znet.Script("4103", znettest.Done("REAL-PIN-4103", "tamam"))

	sum := e.run(e.config())

	for _, id := range []string{first, copied, topUp, topUpCopy} {
		if row := e.db.ReadOrder(id); row.PINCode != nil || row.ExternalStatus == "completed" || row.Status == "approved" {
			t.Errorf("order %s sharing a referans: %+v, want no PIN and not completed", id, row)
		}
		if c := e.db.ReadCheck(id); c.GivenUpAt == nil {
			t.Errorf("order %s sharing a referans is still asked: %+v", id, c)
		}
	}
	for id, pin := range map[string]string{own: "OWN-PIN-4101", real: "REAL-PIN-4103"} {
		if row := e.db.ReadOrder(id); row.PINCode == nil || *row.PINCode != pin {
			t.Errorf("order %s, whose referans no other waiting or finished order carries: %+v", id, row)
		}
	}
	want := []watch.SharedReferans{{OrderID: first, Other: copied}, {OrderID: copied, Other: first},
		{OrderID: topUp, Other: topUpCopy}, {OrderID: topUpCopy, Other: topUp}}
	slices.SortFunc(want, func(a, b watch.SharedReferans) int { return strings.Compare(a.OrderID, b.OrderID) })
	if !slices.Equal(sum.SharedReferans, want) || !sum.NeedsAttention() {
		t.Errorf("summary: shared referans %v, needs attention %v; want %v and a person called", sum.SharedReferans, sum.NeedsAttention(), want)
	}

	// An order copied from one finished before gets none of its PIN either,
	// even once staff rejected the original (a refund after delivery) and
	// edited its referans: its customer has the PIN. The copy's note names
	// the order that holds it.
	e.db.Decide(own, "rejected", "")
	e.db.Exec(`UPDATE product_orders SET provider_referans = '9101' WHERE id = $1`, own)
	later := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4101"})
	e.db.MakeAllDue()
	e.run(e.config())
	row := e.db.ReadOrder(later)
	if row.PINCode != nil || row.ExternalStatus == "completed" {
		t.Errorf("an order copied from a finished one: %+v, want no PIN", row)
	}
	if row.LastMessage == nil || !strings.Contains(*row.LastMessage, own) {
		t.Errorf("lastMessage %v: want it to name order %s, which holds the PIN", row.LastMessage, own)
	}
	assertNoSecrets(t, "the log", e.logs.String(), "SHARED-PIN-4100", "OWN-PIN-4101", "REAL-PIN-4103")
}

// Rows an older zwatch registered carry no referans: the claim fills it in
// before asking, so two such orders sharing one are still held.
func TestOrdersRegisteredWithoutAReferansAreStillHeldWhenTheyShareOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4200"})
	b := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "4200"})
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	e.db.Exec(`UPDATE zwatch_order_checks SET referans = NULL`)
	e.znet.SetDefault(znettest.DoneEach("OLD-ROW-PIN", "tamam"))
	e.db.MakeAllDue()

	sum := e.run(e.config())

	if len(sum.SharedReferans) != 2 {
		t.Errorf("shared referans %v, want both orders held", sum.SharedReferans)
	}
	for _, id := range []string{a, b} {
		if row := e.db.ReadOrder(id); row.PINCode != nil {
			t.Errorf("order %s was given the PIN: %+v", id, row)
		}
	}
}
