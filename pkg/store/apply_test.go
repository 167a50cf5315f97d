package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// In one batch, an order whose row a shop transaction holds and an order the
// shop deleted since the claim are both left unwritten, but they are not
// the same: the held one keeps its claim and no attempt is counted, so that
// its answer is saved a moment later; the deleted one is finished with. The
// other orders of the batch are saved at once.
func TestApplyTellsAHeldRowFromADeletedOne(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Name: "znet-apply", BaseURL: "http://127.0.0.1:9", Kod: "bayi", Sifre: "sifre"})
	const first = 7_100_000
	ids := db.AddSentOrders(storetest.SentOrders{
		IntegrationID: integ, Count: 3, FirstReferans: first, SentAgo: 10 * time.Minute, Registered: true,
	})
	outcomes := make([]store.Outcome, len(ids))
	for i, id := range ids {
		db.TakeClaim(id, "run-1")
		outcomes[i] = store.Outcome{
			Order:  store.Order{ID: id, IntegrationID: integ, Referans: strconv.Itoa(first + i), ExternalStatus: "sent"},
			Result: store.ResultWaiting, Message: "işleniyor", NextCheckIn: time.Minute,
		}
	}
	saved, held, deleted := ids[0], ids[1], ids[2]
	db.DeleteOrder(deleted)
	release := db.HoldOrderLock(held)
	defer release()

	applied, err := db.Store.Apply(context.Background(),
		store.ApplyParams{RunID: "run-1", GiveUpAfter: 24 * time.Hour, GiveUpNote: "zwatch: gave up"}, outcomes)
	if err != nil {
		t.Fatal(err)
	}

	byID := make(map[string]store.Applied)
	for _, a := range applied {
		byID[a.OrderID] = a
	}
	if a := byID[saved]; !a.Written || a.Busy || a.Overtaken {
		t.Errorf("the free order: %+v, want written", a)
	}
	if a := byID[held]; a.Written || !a.Busy || a.Overtaken {
		t.Errorf("the order the shop holds: %+v, want busy, not written", a)
	}
	if a := byID[deleted]; a.Written || a.Busy || !a.Overtaken {
		t.Errorf("the deleted order: %+v, want overtaken, not busy", a)
	}
	if c := db.ReadCheck(held); c.ClaimedBy == nil || *c.ClaimedBy != "run-1" || c.Attempts != 1 || c.FinishedAt != nil {
		t.Errorf("bookkeeping of the held order %+v: want still claimed, no attempt counted, not finished", c)
	}
	if c := db.ReadCheck(deleted); c.ClaimedBy != nil || c.FinishedAt == nil {
		t.Errorf("bookkeeping of the deleted order %+v: want the claim cleared and finished with", c)
	}
	if row := db.ReadOrder(saved); row.ExternalStatus != "processing" {
		t.Errorf("the free order's row %+v: want processing", row)
	}
}

// A run whose claim lapsed, and whose order another run claims while the
// first is saving its answer, must not write: the other run asks and
// writes now. The snapshot the saving statement started with still shows
// the old claim, so the statement has to read the claim as it is once it
// holds the row, or it would save a stale answer over the order and clear
// the other run's claim.
func TestAnswerOfALapsedClaimTakenMeanwhileIsNotSaved(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	order := claimOne(t, db, "4242")

	// run-b takes the order, its claim not yet committed: as if run-a's
	// lease had lapsed and run-b's claim were under way.
	other := db.BeginHolding(`UPDATE zwatch_order_checks
		SET claimed_by = 'run-b', claim_expires_at = now() + interval '1 minute'
		WHERE order_id = $1`, order.ID)
	applied := applyBehind(t, db, other, store.Outcome{Order: order, Result: store.ResultDone, PIN: "STALE-PIN", Message: "ok", NextCheckIn: time.Minute})

	if len(applied) != 1 || applied[0].Written || !applied[0].Overtaken {
		t.Errorf("run-a's answer: %+v, want it overtaken and not written", applied)
	}
	d := db.ReadDeliveries([]string{order.ID})[order.ID]
	if d.ExternalStatus != "sent" || d.CompletedAt != nil {
		t.Errorf("the shop's order is %s (completed at %v), want it untouched: sent", d.ExternalStatus, d.CompletedAt)
	}
	if b := db.Bookkeeping(); b.Claimed != 1 {
		t.Errorf("%d claims left, want run-b's one claim kept", b.Claimed)
	}
}

// The run's own lease renewal holds an order's bookkeeping row (it locks
// first; apply waits) and commits while the answer is being saved. Apply's
// FOR UPDATE then reads the row's new version, whose ctid the statement's
// snapshot cannot see: an UPDATE by that ctid finds nothing.
func TestAnswerSavedWhileTheLeaseIsRenewedReleasesItsClaim(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	order := claimOne(t, db, "4343")
	before := db.ReadCheck(order.ID)

	// run-a's own renewal, as renewClaimsSQL writes it.
	renewal := db.BeginHolding(`UPDATE zwatch_order_checks
		SET claim_expires_at = now() + interval '1 minute' WHERE order_id = $1 AND claimed_by = 'run-a'`, order.ID)
	applied := applyBehind(t, db, renewal, store.Outcome{Order: order, Result: store.ResultDone, PIN: "PIN-1", Message: "ok", NextCheckIn: time.Minute})

	if len(applied) != 1 || !applied[0].Written {
		t.Errorf("applied %+v, want written", applied)
	}
	if c := db.ReadCheck(order.ID); c.ClaimedBy != nil || c.Attempts != before.Attempts+1 || c.FinishedAt == nil {
		t.Errorf("bookkeeping after the answer was saved: %+v (before %+v), want the claim released, one attempt more, finished", c, before)
	}
}

// claimOne adds an order sent a minute ago and has run-a claim it.
func claimOne(t *testing.T, db *storetest.DB, referans string) store.Order {
	t.Helper()
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.AddOrder(storetest.Order{IntegrationID: integ, Referans: referans, SentAgo: time.Minute})
	claimed, err := db.Store.ClaimBatch(context.Background(), store.ClaimParams{RunID: "run-a", Limit: 1, Register: 1, Lease: time.Minute})
	if err != nil || len(claimed.Orders) != 1 {
		t.Fatalf("run-a claimed %d orders (%v), want 1", len(claimed.Orders), err)
	}
	return claimed.Orders[0]
}

// applyBehind saves run-a's answer while holder holds the order's
// bookkeeping row, and commits holder once the saving statement waits for
// that lock: the statement's snapshot is older than the row it then reads.
func applyBehind(t *testing.T, db *storetest.DB, holder *sql.Tx, outcome store.Outcome) []store.Applied {
	t.Helper()
	type result struct {
		applied []store.Applied
		err     error
	}
	done := make(chan result, 1)
	go func() {
		applied, err := db.Store.Apply(context.Background(),
			store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}, []store.Outcome{outcome})
		done <- result{applied, err}
	}()
	db.WaitForLockWaiters(1)
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("apply: %v", r.err)
	}
	return r.applied
}

// A save the caller's deadline cut short (a shop trigger slower than the
// wait) says so, instead of the driver's "canceling statement due to user
// request", which names nobody.
func TestApplyCutShortByItsDeadlineSaysSo(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ, id := orderClaimedByRun1(db, 7_200_000)
	db.Exec(`CREATE FUNCTION slow_save() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$`)
	db.Exec(`CREATE TRIGGER slow_save BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION slow_save()`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	_, err := db.Store.Apply(ctx, store.ApplyParams{RunID: "run-1", GiveUpAfter: time.Hour}, []store.Outcome{{
		Order:  store.Order{ID: id, IntegrationID: integ, Referans: "7200000", ExternalStatus: "sent"},
		Result: store.ResultWaiting, Message: "işleniyor", NextCheckIn: time.Minute,
	}})

	if err == nil || !strings.Contains(err.Error(), "zwatch cancelled the statement") || strings.Contains(err.Error(), "user request") {
		t.Errorf("a save cut short by its deadline: %v, want it said as zwatch's deadline", err)
	}
}

// Every statement its caller's deadline cuts short says so, not Apply's
// alone: handing back claims in a run's last try, after a signal, behind a
// slow trigger on zwatch's table, came back as the driver's "canceling
// statement due to user request", which store.Cancelled reads as a
// signal's doing, and check-pending said it was stopped by a signal where
// its claims were left to lapse.
func TestAStatementCutShortByItsDeadlineIsNoCancel(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	_, id := orderClaimedByRun1(db, 7_300_000)
	db.Exec(`CREATE FUNCTION slow_hand_back() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(10); RETURN NEW; END $$`)
	db.Exec(`CREATE TRIGGER slow_hand_back BEFORE UPDATE ON zwatch_order_checks
		FOR EACH ROW EXECUTE FUNCTION slow_hand_back()`)

	// A deadline all but up when the statement began (a run's last
	// moments) is said so, not as a database that "had not finished
	// after 0s"; a longer one says how long the database took. Both are
	// zwatch's deadline, not a signal. One that passed before the
	// transaction began (a loaded host's BEGIN outlasting the last
	// milliseconds) was Go's bare "context deadline exceeded".
	for bound, want := range map[time.Duration]string{
		-time.Millisecond:      "zwatch gave the statement up: its deadline had passed before it began",
		900 * time.Millisecond: "zwatch cancelled the statement at its deadline, which was only",
		2 * time.Second:        "the database had not finished after 2s, so zwatch cancelled the statement",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		defer cancel()
		_, err := db.Store.ReleaseClaims(ctx, store.ReleaseParams{RunID: "run-1", OrderIDs: []string{id}})
		if err == nil || store.Cancelled(err) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "context deadline") {
			t.Errorf("handing back a claim with a deadline %s off: %v (Cancelled: %t), want %q, said as zwatch's deadline",
				bound, err, store.Cancelled(err), want)
		}
	}
}

// A statement that never had a connection, the run's others holding every
// one of the pool, was said as one the database had not finished "(a lock
// or a slow trigger of the shop's ...)": nothing reached the database.
func TestAStatementThatWaitedForAConnectionAtItsDeadlineSaysSo(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	_, id := orderClaimedByRun1(db, 7_320_000)
	db.SQL.SetMaxOpenConns(1)
	held, err := db.SQL.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = db.Store.ReleaseClaims(ctx, store.ReleaseParams{RunID: "run-1", OrderIDs: []string{id}})
	if err == nil || store.Cancelled(err) || !strings.Contains(err.Error(), "without a connection that would begin it") ||
		strings.Contains(err.Error(), "the database had not finished after") {
		t.Errorf("a hand-back that waited for a connection all the while: %v, want it said so", err)
	}
}

// orderClaimedByRun1 is one order sent a minute ago with referans, on an
// integration of its own, claimed by "run-1": what a run holds while it
// saves an answer or hands a claim back.
func orderClaimedByRun1(db *storetest.DB, referans int) (integrationID, orderID string) {
	integ := db.AddIntegration(storetest.Integration{Name: fmt.Sprintf("znet-%d", referans), BaseURL: "http://127.0.0.1:9", Kod: "bayi", Sifre: "sifre"})
	ids := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 1, FirstReferans: referans, SentAgo: time.Minute, Registered: true})
	db.TakeClaim(ids[0], "run-1")
	return integ, ids[0]
}

// A person's transaction left open on a row of zwatch_order_checks held
// up every statement that hands claims back or stops give-up clocks: the
// run's saving of every other answer stalled behind it, the other claims
// were not handed back, and the run went past --max-duration to fail at
// its deadline. The held row is skipped and named; the others are done.
func TestAHeldRowOfZwatchsTableIsSkippedNotWaitedFor(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ, free := orderClaimedByRun1(db, 7_310_000)
	locked := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 1, FirstReferans: 7_310_001, SentAgo: time.Minute, Registered: true})[0]
	db.TakeClaim(locked, "run-1")
	db.BeginHolding(`SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, locked)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	both := []string{free, locked}

	held, err := db.Store.ReleaseClaims(ctx, store.ReleaseParams{RunID: "run-1", OrderIDs: both, PanelFailing: true})
	if err != nil || !slices.Equal(held, []string{locked}) {
		t.Errorf("handing back two claims, one row held: held %v, %v; want the held order named", held, err)
	}
	if c := db.ReadCheck(free); c.ClaimedBy != nil {
		t.Errorf("the free order's claim was not handed back: %+v", c)
	}
	if c := db.ReadCheck(locked); c.ClaimedBy == nil {
		t.Errorf("the held order's claim is gone, though its row was held: %+v", c)
	}

	db.TakeClaim(free, "run-1")
	// Each order's own answer is booked.
	refused := store.ErrorResult("rejected")
	heldLong, held, err := db.Store.ReleaseShopHeld(ctx, "run-1", both, []string{refused, string(store.ResultWaiting)}, time.Hour, time.Minute)
	if err != nil || len(heldLong) != 0 || !slices.Equal(held, []string{locked}) {
		t.Errorf("handing back two claims of orders the shop held, one row held: held %v, long %v, %v", held, heldLong, err)
	}
	if c := db.ReadCheck(free); c.ClaimedBy != nil || c.ShopHeldSince == nil || c.LastResult == nil || *c.LastResult != refused {
		t.Errorf("the free order was not handed back as the shop's held, its refusal booked: %+v", c)
	}

	db.TakeClaim(free, "run-1")
	attempts := db.ReadCheck(free).Attempts
	// A trigger's message in several lines is kept as one, as list shows
	// it, without a terminal's escapes.
	held, err = db.Store.ReleaseUnsaved(ctx, "run-1", both, []string{"refused:\r\nfree\u2028\x1b[1mnow\n", "refused: locked"})
	if err != nil || !slices.Equal(held, []string{locked}) {
		t.Errorf("handing back two claims of unsaved answers, one row held: held %v, %v; want the held order named", held, err)
	}
	if c := db.ReadCheck(free); c.ClaimedBy != nil || c.Attempts != attempts+1 || c.LastError == nil || *c.LastError != "refused:; free; [1mnow" {
		t.Errorf("the free order was not handed back as unsaved, its attempt counted and its own note kept on one line: %+v", c)
	}

	idle := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 1, FirstReferans: 7_310_002, SentAgo: time.Minute, Registered: true})[0]
	db.BeginHolding(`SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, idle)
	db.Exec(`UPDATE zwatch_order_checks SET panel_failing_since = NULL WHERE order_id = $1`, free)
	held, err = db.Store.StopGiveUpClocks(ctx, []string{free, idle})
	if err != nil || !slices.Equal(held, []string{idle}) {
		t.Errorf("stopping the give-up clocks of two orders, one row held: held %v, %v; want the held order named", held, err)
	}
	if db.PanelFailingSince(free) == nil {
		t.Error("the free order's give-up clock runs on")
	}
}

// A database made read-only while a run holds its connections (ALTER
// SYSTEM and a reload, before a switchover) was still written for the rest
// of the run: the driver begins READ WRITE, which overrides the sessions'
// new default (helper-249). A write transaction follows that default now.
func TestAWriteFollowsTheSessionsReadOnlyDefaultSetSinceItConnected(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	_, id := orderClaimedByRun1(db, 7_330_000)
	db.SQL.SetMaxOpenConns(1)
	// The one connection of the pool, as a reload leaves every session.
	db.Exec(`SET default_transaction_read_only = on`)
	_, err := db.Store.ReleaseClaims(context.Background(), store.ReleaseParams{RunID: "run-1", OrderIDs: []string{id}})
	if err == nil || !store.WentReadOnly(err) {
		t.Errorf("handing a claim back on a session whose default is read-only: %v, want it refused as read-only", err)
	}
	db.Exec(`SET default_transaction_read_only = off`)
	if c := db.ReadCheck(id); c.ClaimedBy == nil {
		t.Errorf("the claim was handed back on a read-only session")
	}
}
