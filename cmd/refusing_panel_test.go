package cmd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that refuses every request ("3|...") answers, so it was never
// cut off nor reported: with the dealer's account suspended, a cron run
// exited 0 with -q silent and zwatch_integration_up 1, every minute, until
// its orders went stuck a day later.
func TestAPanelRefusingEveryRequestIsReportedFailing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const words = "Bayi hesabiniz askiya alinmistir"
	s.znet.SetDefault(znettest.Rejected("3", words))
	var ids []string
	for _, ref := range []string{"5001", "5002", "5003", "5004"} {
		ids = append(ids, s.order(ref))
	}
	run, up := s.quietRuns()

	r := run(ids...)
	if r.code != 3 || strings.Count(r.stdout, "integration znet-A is failing") != 1 ||
		!strings.Contains(r.stdout, "refused the requests about 4 orders in a row") || !strings.Contains(r.stdout, words) {
		t.Fatalf("first run: exit %d, want 3 and znet-A failing, with znet's words:\n%s", r.code, r.all())
	}
	if up() != 0 {
		t.Errorf("zwatch_integration_up = %v after the first run, want 0", up())
	}
	for _, id := range ids {
		// The panel answered: its refusals count attempts, and the orders'
		// give-up clocks run on, so that orders znet refuses for good
		// are given up on in the end.
		if c := s.db.ReadCheck(id); c.Attempts != 1 || s.db.PanelFailingSince(id) != nil {
			t.Errorf("order %s: %d attempts, clock stopped at %v; want 1 attempt and the clock running", id, c.Attempts, s.db.PanelFailingSince(id))
		}
	}

	// Said once: the next run refusing all again is quiet, and still exits 3.
	if r := run(ids...); r.code != 3 || r.stdout != "" || up() != 0 {
		t.Errorf("second run: exit %d, up %v, want 3, 0 and nothing printed:\n%s", r.code, up(), r.all())
	}
	// A run that hears only one refusal, too few to call the panel failing
	// by itself, is no answer either: the panel stays failing, quietly,
	// and the summary says why.
	if r := run(ids[0]); r.code != 3 || r.stdout != "" || up() != 0 {
		t.Errorf("a run with one refusal: exit %d, up %v, want 3, 0 and nothing printed:\n%s", r.code, up(), r.all())
	}
	s.db.ExpireClaims()
	s.db.MakeDue(ids[0])
	if r := zwatch(t, s.db, "check-pending"); r.code != 3 ||
		!strings.Contains(r.stdout, "integration znet-A is still failing: it failed in an earlier run and has not answered since (only refusals: znet rejected the request: 3|"+words) {
		t.Errorf("a run with one refusal, not quiet: exit %d, want 3 and the panel still failing on refusals:\n%s", r.code, r.all())
	}

	// The orders still reach give-up while the panel refuses them.
	s.db.FirstCheckedAgo(ids[1], 25*time.Hour)
	if r := run(ids[1]); r.code != 3 || !strings.Contains(r.stdout, "is stuck") {
		t.Errorf("an order refused past its give-up time: exit %d, want 3 and the order stuck:\n%s", r.code, r.all())
	}

	// The account comes back: the first answer about an order clears it.
	s.znet.Script("5003", znettest.Waiting("bekliyor"))
	r = run(ids[2])
	if r.code != 0 || !strings.Contains(r.stdout, "integration znet-A answers again") || up() != 1 {
		t.Errorf("the panel answering again: exit %d, up %v, want 0, 1 and a line saying so:\n%s", r.code, up(), r.all())
	}
}

// A shop with an order or two due a run: the orders a panel refuses are
// counted across runs, until it answers about one.
func TestAPanelRefusingOneOrderARunIsReportedByTheThird(t *testing.T) {
	t.Parallel()
	s, run, up := refusingPanel(t, "Bayi hesabiniz askiya alinmistir")
	for i, ref := range []string{"5101", "5102", "5103"} {
		r := run(s.order(ref))
		wantCode, wantUp := 0, 1.0
		if i == 2 {
			wantCode, wantUp = 3, 0
		}
		if r.code != wantCode || up() != wantUp || (i == 2) != strings.Contains(r.stdout, "refused the requests about 3 orders in a row") {
			t.Errorf("run %d, one new order refused: exit %d, up %v; want %d, %v and the panel failing only in the third:\n%s",
				i+1, r.code, up(), wantCode, wantUp, r.all())
		}
	}
}

// znet refuses a request about an order it does not know: a few such
// orders among those it answers, or refused again by themselves, are the
// orders' fault, not the panel's.
func TestRefusalsOfSomeOrdersLeaveThePanelUp(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Rejected("3", "Siparis bulunamadi"))
	var refused []string
	for _, ref := range []string{"6001", "6002", "6003"} {
		refused = append(refused, s.order(ref))
	}
	waiting := s.order("6100")
	s.znet.Script("6100", znettest.Waiting("bekliyor"))
	run, up := s.quietRuns()

	if r := run(append(refused, waiting)...); r.code != 0 || r.stdout != "" || up() != 1 {
		t.Errorf("three refused orders beside one answered: exit %d, up %v, want 0, 1 and nothing printed:\n%s", r.code, up(), r.all())
	}
	for range 2 {
		if r := run(refused...); r.code != 0 || r.stdout != "" || up() != 1 {
			t.Errorf("the three orders refused again, alone: exit %d, up %v, want 0, 1 and nothing printed:\n%s", r.code, up(), r.all())
		}
	}
	// A dry run tells what the run after it would find.
	s.db.ExpireClaims()
	for _, id := range refused {
		s.db.MakeDue(id)
	}
	if r := zwatch(t, s.db, "check-pending", "--dry-run"); r.code != 0 || strings.Contains(r.stdout, "failing") {
		t.Errorf("a dry run of the three orders refused again: exit %d, want 0 and no panel failing:\n%s", r.code, r.all())
	}
}

// Copies of one order, its referans written differently, are one znet
// order: three such refused are one refusal, not three.
func TestCopiesOfOneRefusedOrderCountOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	run, up := s.quietRuns()
	if r := run(s.order("6150"), s.order("06150"), s.order("+6150")); r.code != 0 || r.stdout != "" || up() != 1 {
		t.Errorf("one order znet does not know, thrice: exit %d, up %v, want 0, 1 and nothing printed:\n%s", r.code, up(), r.all())
	}
}

// An order whose referans the shop changed is another znet order: its
// refusal is news, whatever znet said of the old referans.
func TestAnOrderWhoseReferansChangedCountsAsNew(t *testing.T) {
	t.Parallel()
	s, run, _ := refusingPanel(t, "Bayi hesabiniz askiya alinmistir")
	changed, other := s.order("8501"), s.order("8502")
	if r := run(changed, other); r.code != 0 {
		t.Fatalf("two refusals: exit %d, want 0:\n%s", r.code, r.all())
	}
	s.db.Exec(`UPDATE product_orders SET provider_referans = '8599' WHERE id = $1`, changed)
	if r := run(changed); r.code != 3 || !strings.Contains(r.stdout, "refused the requests about 3 orders in a row") {
		t.Errorf("the order under its new referans refused: exit %d, want 3 and the panel failing:\n%s", r.code, r.all())
	}
}

// Waiting orders the shop moves to another dealer's integration are news
// to it: their refusals there count, whether the claim or the registering
// of orders sees the move first.
func TestOrdersMovedToAnotherPanelCountAsNew(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Rejected("3", "Siparis bulunamadi"))
	other, otherID := s.panel("znet-B", password)
	other.SetDefault(znettest.Rejected("3", "Siparis bulunamadi"))
	run, _ := s.quietRuns()
	moved := []string{s.order("8601"), s.order("8602")}
	if r := run(moved...); r.code != 0 {
		t.Fatalf("two refusals on znet-A: exit %d, want 0:\n%s", r.code, r.all())
	}
	for _, id := range moved {
		s.db.Exec(`UPDATE product_orders SET "providerId" = $2 WHERE id = $1`, id, otherID)
	}
	third := s.db.AddOrder(storetest.Order{IntegrationID: otherID, Referans: "8603", OrderNo: 8603})
	if r := run(append(moved, third)...); r.code != 3 || !strings.Contains(r.stdout, "integration znet-B is failing") {
		t.Errorf("the two moved and a third refused on znet-B: exit %d, want 3 and znet-B failing:\n%s", r.code, r.all())
	}
}

// Orders retry --stuck brought back are news again: their refusals count.
func TestOrdersRetriedFromStuckCountAsNewRefusals(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Rejected("3", "Bayi hesabiniz askiya alinmistir"))
	ids := []string{s.order("9301"), s.order("9302"), s.order("9303")}
	run, _ := s.quietRuns()
	if r := run(ids...); r.code != 3 {
		t.Fatalf("three refusals: exit %d, want 3:\n%s", r.code, r.all())
	}
	for _, id := range ids {
		s.db.FirstCheckedAgo(id, 25*time.Hour)
	}
	if r := run(ids...); r.code != 3 || strings.Count(r.stdout, "is stuck") != 3 {
		t.Fatalf("the three past their give-up time: exit %d, want 3 and three orders stuck:\n%s", r.code, r.all())
	}
	s.znet.Script("9400", znettest.Waiting("bekliyor"))
	if r := run(s.order("9400")); r.code != 0 || !strings.Contains(r.stdout, "answers again") {
		t.Fatalf("an answer: exit %d, want 0 and the panel answering again:\n%s", r.code, r.all())
	}
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	if r := run(ids...); r.code != 3 || !strings.Contains(r.stdout, "refused the requests about 3 orders in a row") {
		t.Errorf("the three retried and refused again: exit %d, want 3 and the panel failing:\n%s", r.code, r.all())
	}
}

// A refusal shows the panel reachable: between one order's server error
// and another's, it keeps the second from making the panel failing by the
// one-fault rule, as it did before refusals stopped counting as answers
// about orders.
func TestARefusalBetweenTwoOrdersFaultsIsAnAnswer(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.Script("7001", znettest.ServerError(503))
	s.znet.Script("7003", znettest.ServerError(503))
	run, up := s.quietRuns()
	var second string
	for _, ref := range []string{"7001", "7002", "7003"} {
		id := s.order(ref) // sent now: due in this run alone
		if r := run(id); r.code != 0 || r.stdout != "" || up() != 1 {
			t.Errorf("order %s alone: exit %d, up %v, want 0, 1 and nothing printed:\n%s", ref, r.code, up(), r.all())
		}
		second = id
	}
	if since := s.db.PanelFailingSince(second); since != nil {
		t.Errorf("the second faulted order's give-up clock stopped at %v", since)
	}
}

// A panel failing for its refusals keeps its orders' give-up clocks
// running, those of orders whose requests failed after the refusals too.
func TestRefusalsThenFaultsLeaveTheClocksRunning(t *testing.T) {
	t.Parallel()
	s, run, _ := refusingPanel(t, "Bayi hesabiniz askiya alinmistir")
	if r := run(s.order("8001"), s.order("8002")); r.code != 0 {
		t.Fatalf("two refusals: exit %d, want 0:\n%s", r.code, r.all())
	}
	refused, faulted := s.order("8003"), s.order("8004")
	s.znet.Script("8004", znettest.ServerError(503).After(300*time.Millisecond))
	r := run(refused, faulted)
	if r.code != 3 || !strings.Contains(r.stdout, "refused the requests about 3 orders in a row") {
		t.Fatalf("a third refusal and a server error: exit %d, want 3 and the panel failing:\n%s", r.code, r.all())
	}
	if since := s.db.PanelFailingSince(faulted); since != nil {
		t.Errorf("the faulted order's give-up clock stopped at %v", since)
	}
}

// A refusal heard while a transaction of the shop held the order's row is
// booked all the same (there was nothing to write to the row): refused
// again in the next run, the order is no news. Unbooked, three such
// orders made the panel failing by themselves in the run after.
func TestARefusalHeardWhileTheShopHeldTheRowIsNoNewsAgain(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Rejected("3", "Siparis bulunamadi"))
	var refused []string
	var releases []func()
	for _, ref := range []string{"9501", "9502", "9503"} {
		id := s.order(ref)
		refused = append(refused, id)
		releases = append(releases, s.db.HoldOrderLock(id))
	}
	waiting := s.order("9600")
	s.znet.Script("9600", znettest.Waiting("bekliyor"))
	run, up := s.quietRuns()

	if r := run(append(refused, waiting)...); r.code != 0 || r.stdout != "" || up() != 1 {
		t.Errorf("three refused orders whose rows the shop held, beside one answered: exit %d, up %v, want 0, 1 and nothing printed:\n%s",
			r.code, up(), r.all())
	}
	for _, release := range releases {
		release()
	}
	if r := run(refused...); r.code != 0 || r.stdout != "" || up() != 1 {
		t.Errorf("the three refused again, their rows free: exit %d, up %v, want 0, 1 and nothing printed:\n%s", r.code, up(), r.all())
	}
}

// So too for zwatch check --order, which hands the claim back as a run
// does when the shop holds the row.
func TestARefusalCheckOrderHeardWhileTheShopHeldTheRowIsNoNewsAgain(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Rejected("3", "Siparis bulunamadi"))
	var ids []string
	for _, ref := range []string{"9701", "9702", "9703"} {
		id := s.order(ref)
		ids = append(ids, id)
		release := s.db.HoldOrderLock(id)
		r := zwatch(t, s.db, "check", "--order", id)
		release()
		if !strings.Contains(r.stdout, "holds the order's row, so znet's answer was not saved") {
			t.Errorf("check --order %s, its row held: exit %d, want it said the answer was not saved:\n%s", ref, r.code, r.all())
		}
	}
	run, up := s.quietRuns()
	if r := run(ids...); r.code != 0 || r.stdout != "" || up() != 1 {
		t.Errorf("the three refused again, their rows free: exit %d, up %v, want 0, 1 and nothing printed:\n%s", r.code, up(), r.all())
	}
}

// What znet said last counts, whether or not the shop's row took it:
// orders refused, then answered about while the shop held their rows,
// and refused again, are refused anew, as a suspended account refuses
// them.
func TestAnAnswerHeardWhileTheShopHeldTheRowMakesTheNextRefusalNews(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.znet.SetDefault(znettest.Rejected("3", "Bayi hesabiniz askiya alinmistir"))
	refs := []string{"9901", "9902", "9903"}
	var ids []string
	for _, ref := range refs {
		ids = append(ids, s.order(ref))
	}
	waiting := s.order("9999")
	s.znet.Script("9999", znettest.Waiting("bekliyor"))
	run, _ := s.quietRuns()
	if r := run(append(ids, waiting)...); r.code != 0 {
		t.Fatalf("three refusals beside an answer: exit %d, want 0:\n%s", r.code, r.all())
	}

	var releases []func()
	for k, ref := range refs {
		s.znet.Script(ref, znettest.Waiting("bekliyor"))
		releases = append(releases, s.db.HoldOrderLock(ids[k]))
	}
	if r := run(ids...); r.code != 0 {
		t.Fatalf("the three answered while the shop held their rows: exit %d, want 0:\n%s", r.code, r.all())
	}
	for k, ref := range refs {
		releases[k]()
		s.znet.Script(ref, znettest.Rejected("3", "Bayi hesabiniz askiya alinmistir"))
	}
	if r := run(ids...); r.code != 3 || !strings.Contains(r.stdout, "refused the requests about 3 orders in a row") {
		t.Errorf("the three refused again: exit %d, want 3 and the panel failing:\n%s", r.code, r.all())
	}
}

// refusingPanel is a shop whose panel refuses every request ("3|...") in
// words, with its quiet runs (shop.quietRuns).
func refusingPanel(t *testing.T, words string) (s *shop, run func(due ...string) result, up func() float64) {
	t.Helper()
	s = newShop(t)
	s.znet.SetDefault(znettest.Rejected("3", words))
	run, up = s.quietRuns()
	return s, run, up
}
