package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// firstChunk claims as a run's first chunk of a tick does: registering and,
// when due, sweeping first.
var firstChunk = store.ClaimParams{RunID: "run-1", Limit: 10, Register: 10, FirstDelay: 30 * time.Second, Lease: time.Minute}

// learningChunk is firstChunk of a run that plans from what it learned.
var learningChunk = func() store.ClaimParams {
	p := firstChunk
	p.LearnedFirstChecks = true
	return p
}()

func claimIDs(t *testing.T, db *storetest.DB, p store.ClaimParams) []string {
	t.Helper()
	claimed, err := db.Store.ClaimBatch(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range claimed.Orders {
		ids = append(ids, o.ID)
	}
	return ids
}

// zwatch's bookkeeping is the size of the work, not of the shop's history:
// a sweep deletes the rows of orders finished longer ago than
// FinishedKeptFor, and only those.
func TestClaimDeletesLongFinishedBookkeeping(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	old := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", ExternalStatus: "completed", Status: "approved"})
	recent := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2", ExternalStatus: "completed", Status: "approved"})
	waiting := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "3"})
	db.AddCheck(old, storetest.Check{FinishedAgo: store.FinishedKeptFor + time.Hour})
	db.AddCheck(recent, storetest.Check{FinishedAgo: time.Hour})

	claimIDs(t, db, firstChunk)

	if db.HasCheck(old) {
		t.Error("the row of an order finished long ago is still there")
	}
	if !db.HasCheck(recent) || !db.HasCheck(waiting) {
		t.Error("a recently finished order's row, or a waiting order's, was deleted")
	}
}

// The log of transitions keeps EventsKeptFor: a sweep deletes older events,
// whether their orders are still there or not, and no newer one.
func TestTheSweepDeletesEventsOlderThanKept(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.AddFinishHistory(integ, []storetest.Finished{
		{WaitingAt: 20 * time.Second, FinalAt: 30 * time.Second, Ago: store.EventsKeptFor + 24*time.Hour},
		{WaitingAt: 20 * time.Second, FinalAt: 30 * time.Second, Ago: store.EventsKeptFor - 24*time.Hour},
	})
	count := func(older bool) (n int) {
		t.Helper()
		db.Get(&n, `SELECT count(*) FROM zwatch_order_events WHERE (at < now() - make_interval(secs => $1)) = $2`,
			store.EventsKeptFor.Seconds(), older)
		return n
	}
	if count(true) != 1 || count(false) != 1 {
		t.Fatalf("history: %d events older than kept, %d newer; want 1 and 1", count(true), count(false))
	}

	claimIDs(t, db, firstChunk)

	if count(true) != 0 || count(false) != 1 {
		t.Errorf("after a sweep: %d events older than kept, %d newer; want 0 and 1", count(true), count(false))
	}
}

// A claim says what the database's clock showed as it read its orders:
// their SentAt is on that clock, which the host's may be minutes off.
func TestClaimReadsTheDatabasesClock(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.SendOrdersAt(integ, time.Now().Add(-time.Hour), "1")
	var before, after time.Time
	if err := db.SQL.Get(&before, `SELECT clock_timestamp()`); err != nil {
		t.Fatal(err)
	}
	claimed, err := db.Store.ClaimBatch(context.Background(), firstChunk)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SQL.Get(&after, `SELECT clock_timestamp()`); err != nil {
		t.Fatal(err)
	}
	if len(claimed.Orders) != 1 || claimed.DBNow.Before(before) || claimed.DBNow.After(after) {
		t.Errorf("claimed %d orders with the database's clock at %v, want 1 and a time between %v and %v",
			len(claimed.Orders), claimed.DBNow, before, after)
	}
}

// The claim says when, on this host's clock, the statement that read the
// database's clock left and came back: the reading lies between the two
// however long the claim waited before it (here a second for the
// registering cursor, another run's), so that a run can tell a step of the
// database's clock of seconds from the reading's error.
func TestClaimTimesItsReadingOfTheClockByItsOwnStatement(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.SendOrdersAt(integ, time.Now().Add(-time.Hour), "1")
	ctx := context.Background()
	tx, err := db.SQL.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM zwatch_state WHERE name = 'register' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(time.Second, func() { _ = tx.Commit() })
	began := time.Now()
	claimed, err := db.Store.ClaimBatch(ctx, firstChunk)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed.Orders) != 1 || claimed.ReadSent.Sub(began) < 900*time.Millisecond {
		t.Fatalf("claimed %d orders, its reading sent %s after the claim began; want 1, after the wait for the cursor",
			len(claimed.Orders), claimed.ReadSent.Sub(began))
	}
	// This host's clock is the database's here.
	if claimed.DBNow.Before(claimed.ReadSent.Add(-time.Millisecond)) || claimed.DBNow.After(claimed.ReadBack.Add(time.Millisecond)) {
		t.Errorf("the database read its clock at %v, outside its statement's %v to %v", claimed.DBNow, claimed.ReadSent, claimed.ReadBack)
	}
}

// Issue 9.2: a shop transaction holding a newly sent order, and another
// holding an order that is due, FOR UPDATE never stall a claim: zwatch
// never locks a shop row, not even through a foreign key, so the claim
// finishes while both are still held and takes every due order. So does
// a claim that passes over a panel with a backlog (claimDuePassingOverSQL).
func TestClaimDoesNotWaitForTheShopsRowLocks(t *testing.T) {
	t.Parallel()
	for _, passingOver := range []bool{false, true} {
		t.Run(fmt.Sprintf("passing over a panel: %v", passingOver), func(t *testing.T) {
			t.Parallel()
			claimWithoutWaitingForTheShop(t, passingOver)
		})
	}
}

func claimWithoutWaitingForTheShop(t *testing.T, passingOver bool) {
	db := storetest.New(t)
	p := firstChunk
	if passingOver {
		p.PassOver = []string{db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})}
	}
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	registered := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1"})
	db.AddCheck(registered, storetest.Check{NextCheckIn: -time.Second, Attempts: 1})
	newlySent := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2"})
	other := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "3"})

	releaseNew := db.HoldOrderLock(newlySent)
	defer releaseNew()
	releaseDue := db.HoldOrderLock(registered)
	defer releaseDue()

	// Were the claim to wait for the shop, it would wait until this
	// deadline: the locks are released only after it returns.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	claimed, err := db.Store.ClaimBatch(ctx, p)
	if err != nil {
		t.Fatalf("claiming while the shop holds two orders: %v", err)
	}
	var ids []string
	for _, o := range claimed.Orders {
		ids = append(ids, o.ID)
	}
	for _, id := range []string{registered, newlySent, other} {
		if !slices.Contains(ids, id) {
			t.Errorf("order %s not claimed while the shop held a lock (claimed %v)", id, ids)
		}
	}
}

// The claim checks each order it takes against the shop's row, and retires
// one that is no longer pollable: staff decided it, or the shop deleted it
// (there is no foreign key to do that for zwatch). Of a deleted order,
// the sweep later deletes the bookkeeping and the events too.
func TestClaimRetiresOrdersThatLeftAndForgetsDeletedOnes(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	decided := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1"})
	deleted := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2"})
	for _, id := range []string{decided, deleted} {
		db.AddCheck(id, storetest.Check{NextCheckIn: -time.Second, Attempts: 1})
	}
	db.AddEvent(deleted, "processing", time.Hour)
	db.Decide(decided, "approved", "")
	db.DeleteOrder(deleted)

	if ids := claimIDs(t, db, firstChunk); len(ids) != 0 {
		t.Fatalf("claimed %v, want nothing: one order is staff's, one is gone", ids)
	}
	for _, id := range []string{decided, deleted} {
		if c := db.ReadCheck(id); c.FinishedAt == nil {
			t.Errorf("order %s is still in the due index: %+v", id, c)
		}
	}

	db.Exec(`UPDATE zwatch_order_checks SET finished_at = now() - interval '8 days' WHERE order_id = $1`, deleted)
	db.MakeSweepDue()
	claimIDs(t, db, firstChunk)
	if db.HasCheck(deleted) || len(db.Events(deleted)) != 0 {
		t.Error("the bookkeeping or the events of an order deleted long ago are still there")
	}
	if len(db.Events(decided)) != 0 && !db.HasCheck(decided) {
		t.Error("a decided order's history went with the deleted one's")
	}
}

// What registering by "sentAt" cannot see, the sweep finds: an order staff
// put back into the pollable set long after it was sent, and one whose
// shop transaction committed long after its "sentAt". Both are due at
// once after the next sweep.
func TestSweepFindsOrdersRegisteringCannotSee(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	putBack := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", SentAgo: time.Hour})
	db.AddCheck(putBack, storetest.Check{NextCheckIn: -time.Second, Attempts: 3})
	db.Decide(putBack, "approved", "")
	newest := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2", SentAgo: time.Minute})
	if ids := claimIDs(t, db, firstChunk); !slices.Equal(ids, []string{newest}) {
		t.Fatalf("setting up: claimed %v, want only the newest order", ids)
	}

	// Two more passes: from now on a sweep looks up only the orders that
	// changed since the pass before last.
	for range 2 {
		db.MakeSweepDue()
		claimIDs(t, db, firstChunk)
	}

	db.Decide(putBack, "pending", "")
	late := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "3", SentAgo: 30 * time.Minute})
	db.MakeSweepDue()
	got := claimIDs(t, db, firstChunk)

	for id, what := range map[string]string{putBack: "put back by staff", late: "committed late"} {
		if !slices.Contains(got, id) {
			t.Errorf("the order %s was not claimed after a sweep (claimed %v)", what, got)
		}
	}
	if c := db.ReadCheck(putBack); c.Attempts != 3 {
		t.Errorf("the order put back has %d attempts, want its 3 kept", c.Attempts)
	}
}

// Registering's look-back skips the orders the registration before it has
// seen, but never one whose sending transaction was still open then: an
// order sent a few seconds before the newest registered one, by a shop
// transaction that commits after a registration ran, is registered by
// the next one, not left for the sweep.
func TestLookBackRegistersOrdersCommittedAfterTheLastRegistration(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	newest := db.SendOrdersAt(integ, time.Now().Add(-2*time.Second), "1")[0]
	for range 2 { // the second reads from its look-back to the end
		claimIDs(t, db, firstChunk)
	}
	if !db.HasCheck(newest) {
		t.Fatal("setting up: the newest order was not registered")
	}

	shop, err := db.SQL.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer shop.Rollback()
	var late string
	if err := shop.Get(&late, `
		INSERT INTO product_orders (id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
		VALUES (gen_random_uuid(), gen_random_uuid(), 'pending', $1, '2', 'sent', now() - interval '5 seconds', now())
		RETURNING id::text`, integ); err != nil {
		t.Fatal(err)
	}
	claimIDs(t, db, firstChunk) // while the shop's transaction is open
	if err := shop.Commit(); err != nil {
		t.Fatal(err)
	}
	claimIDs(t, db, firstChunk)
	if !db.HasCheck(late) {
		t.Error("an order whose sending committed after a registration, within the look-back, was not registered")
	}
}

// An order whose integration did not exist when it was sent is not polled;
// once staff create the integration, the sweep finds it, though the
// order's own row did not change since the passes that passed it over.
func TestSweepFindsOrdersWhoseIntegrationCameLater(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	later := uuid.NewString()
	id := db.AddOrder(storetest.Order{IntegrationID: later, Referans: "1", SentAgo: time.Hour})
	for range 3 {
		db.MakeSweepDue()
		if ids := claimIDs(t, db, firstChunk); len(ids) != 0 {
			t.Fatalf("claimed %v of an integration that does not exist", ids)
		}
	}
	db.AddIntegration(storetest.Integration{ID: later, Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.MakeSweepDue()
	if ids := claimIDs(t, db, firstChunk); !slices.Equal(ids, []string{id}) {
		t.Errorf("claimed %v after the integration was created, want the order", ids)
	}
}

// An order of a switched-off integration is neither asked nor retired: it
// is asked once the integration is switched on again.
func TestOrdersOfADisabledIntegrationWait(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1", Disabled: true})
	id := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1"})

	if ids := claimIDs(t, db, firstChunk); len(ids) != 0 {
		t.Fatalf("claimed %v of a disabled integration", ids)
	}
	db.EnableIntegration(integ, true)
	db.MakeDue(id)
	if ids := claimIDs(t, db, firstChunk); !slices.Equal(ids, []string{id}) {
		t.Errorf("claimed %v after the integration was switched on, want the order", ids)
	}
}

// An order of a switched-off integration is looked at less often the
// longer it has not been asked: a minute at first, at most ten minutes.
// Looked at every minute, 20,000 of them were 20,000 row updates a minute
// for as long as the integration stayed off.
func TestOrdersOfADisabledIntegrationAreLookedAtLessOften(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1", Disabled: true})
	for askedAgo, want := range map[time.Duration]time.Duration{
		0: time.Minute, 30 * time.Minute: 5 * time.Minute, 3 * time.Hour: 10 * time.Minute,
	} {
		id := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1"})
		db.AddCheck(id, storetest.Check{NextCheckIn: -1})
		db.Exec(`UPDATE zwatch_order_checks SET last_checked_at = now() - make_interval(secs => $2), created_at = now() - interval '1 day' WHERE order_id = $1`,
			id, askedAgo.Seconds())
		if askedAgo == 0 {
			db.Exec(`UPDATE zwatch_order_checks SET last_checked_at = NULL, created_at = now() WHERE order_id = $1`, id)
		}
		if ids := claimIDs(t, db, firstChunk); len(ids) != 0 {
			t.Fatalf("claimed %v of a disabled integration", ids)
		}
		var wait float64
		if err := db.SQL.QueryRow(`SELECT extract(epoch FROM next_check_at - now()) FROM zwatch_order_checks WHERE order_id = $1`, id).Scan(&wait); err != nil {
			t.Fatal(err)
		}
		if got := time.Duration(wait * float64(time.Second)); got < want-5*time.Second || got > want+5*time.Second {
			t.Errorf("not asked for %s: looked at again in %s, want %s", askedAgo, got.Round(time.Second), want)
		}
		db.Exec(`DELETE FROM zwatch_order_checks WHERE order_id = $1`, id)
		db.Exec(`DELETE FROM product_orders WHERE id = $1`, id)
	}
}

// A learned first check edited by hand past what an interval holds, or to
// no number at all, fails no claim: registering reads one past the
// 30-minute floor as the floor, and one that is no positive number as
// none (FirstDelay), as a run's planner does.
func TestHostileLearnedFirstCheckFailsNoClaim(t *testing.T) {
	t.Parallel()
	for value, firstDue := range map[string]time.Duration{
		"1e300": 30 * time.Minute, "'Infinity'": 30 * time.Minute,
		"-1e300": firstChunk.FirstDelay, "0": firstChunk.FirstDelay, "'NaN'": firstChunk.FirstDelay,
	} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
			db.LearnFirstCheck(integ, value)
			overdue := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", SentAgo: 31 * time.Minute})
			recent := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2", SentAgo: time.Minute})
			// Due at once were the value read as a first check of none.
			fresh := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "3", SentAgo: 10 * time.Second})

			got := claimIDs(t, db, learningChunk)

			if !db.HasCheck(overdue) || !db.HasCheck(recent) || !db.HasCheck(fresh) {
				t.Fatal("the orders were not registered")
			}
			if !slices.Contains(got, overdue) {
				t.Errorf("claimed %v, want the order sent 31 minutes ago among them", got)
			}
			if slices.Contains(got, fresh) {
				t.Errorf("claimed %v, with the order sent 10 s ago: want it first due %s after sending", got, firstDue)
			}
			if want := firstDue < time.Minute; slices.Contains(got, recent) != want {
				t.Errorf("the order sent a minute ago claimed: %v, want %v (first due %s after sending)", !want, want, firstDue)
			}
		})
	}
}

// A newly sent order is first due FirstDelay after it was sent, unless its
// panel has a learned first check and the run plans from what it learned:
// then that long after. A run following a fixed --schedule asks
// FirstDelay after sending, whatever a learning run saved before.
func TestNewOrderIsFirstDueAfterItsPanelsFirstCheck(t *testing.T) {
	t.Parallel()
	t.Run("learning", func(t *testing.T) { t.Parallel(); testFirstDue(t, true) })
	t.Run("fixed schedule", func(t *testing.T) { t.Parallel(); testFirstDue(t, false) })
}

func testFirstDue(t *testing.T, learning bool) {
	db := storetest.New(t)
	unlearned := db.AddIntegration(storetest.Integration{Name: "unlearned", Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	noFirstCheck := db.AddIntegration(storetest.Integration{Name: "no first check", Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	learnedEarly := db.AddIntegration(storetest.Integration{Name: "learned, early", Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	learnedLate := db.AddIntegration(storetest.Integration{Name: "learned, late", Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	for integ, firstCheck := range map[string]string{noFirstCheck: "NULL", learnedEarly: "5", learnedLate: "60"} {
		db.LearnFirstCheck(integ, firstCheck)
	}
	sent := func(integ, referans string) string {
		return db.AddOrder(storetest.Order{IntegrationID: integ, Referans: referans, SentAgo: 10 * time.Second})
	}
	wait := []string{sent(unlearned, "1"), sent(noFirstCheck, "2"), sent(learnedLate, "3")}
	due := sent(learnedEarly, "4")

	chunk := firstChunk // FirstDelay 30 s
	if learning {
		chunk = learningChunk
	}
	got := claimIDs(t, db, chunk)

	for _, id := range append(wait, due) {
		if !db.HasCheck(id) {
			t.Errorf("order %s was not registered", id)
		}
	}
	switch {
	case learning && !slices.Equal(got, []string{due}):
		t.Errorf("claimed %v ten seconds after sending, want only %s, whose panel is first asked at 5 s", got, due)
	case !learning && len(got) != 0:
		t.Errorf("claimed %v ten seconds after sending, want none: a fixed schedule asks 30 s after", got)
	}
}

// Orders whose "sentAt" lies past now ('infinity', a shop host's clock
// running ahead) do not carry registering's position with them, however
// many there are: the orders sent while zwatch was not running (cron
// stopped for a few minutes) are still registered by the next claim, not
// left for the sweep, which takes minutes more with thousands waiting.
func TestOrdersSentInTheFutureDoNotMoveRegisteringPastNow(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		sentAt string
		orders int
	}{
		"infinity":              {`'infinity'`, 1},
		"a clock an hour ahead": {`now() + interval '1 hour'`, 1},
		// More than a registration reads: one that reads them fills up
		// and stops where the last one stands.
		"more than a registration reads": {`now() + interval '1 hour'`, 5},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
			p := firstChunk
			p.Register = 3
			for i := range c.orders {
				db.SendOrdersAtSQL(integ, c.sentAt, "f"+strconv.Itoa(i))
			}
			for range 3 {
				claimIDs(t, db, p)
			}
			// Five minutes pass with no run: registering's position is as
			// far in the past, unless it was never in the present.
			db.Exec(`UPDATE zwatch_state SET sent_at = sent_at - interval '5 minutes' WHERE name = 'register'`)
			if !sentWhileStoppedIsRegistered(t, db, integ, p) {
				t.Error("an order sent two minutes ago was not registered: registering's position went past now")
			}
		})
	}
}

// Registering's position an older zwatch carried into the future comes
// back with migrate: registering reads from the first waiting order again.
func TestMigrateBringsRegisteringBackFromTheFuture(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	claimIDs(t, db, firstChunk) // the first sweep, which would find the order too
	db.Exec(`UPDATE zwatch_state SET sent_at = 'infinity', caught_up = true WHERE name = 'register'`)
	db.Exec(`DELETE FROM zwatch_schema_migrations WHERE version_id = 16`)
	if _, err := db.Store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if !sentWhileStoppedIsRegistered(t, db, integ, firstChunk) {
		t.Error("after migrate, an order sent two minutes ago was not registered")
	}
}

// sentWhileStoppedIsRegistered sends an order two minutes ago, as the shop
// did while no run was registering, and says whether the next claim
// registers it.
func sentWhileStoppedIsRegistered(t *testing.T, db *storetest.DB, integrationID string, p store.ClaimParams) bool {
	t.Helper()
	missed := db.SendOrdersAt(integrationID, time.Now().Add(-2*time.Minute), "2")[0]
	claimIDs(t, db, p)
	return db.HasCheck(missed)
}

// An order sent a few seconds in the future is left out by registering
// until its time comes; then registering reads it, though its row did not
// change since the registration that left it out, rather than leaving it
// to the sweep.
func TestAnOrderSentInTheFutureIsRegisteredWhenItsTimeComes(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	claimIDs(t, db, firstChunk) // the first sweep; the next is 15 s away
	db.SendOrdersAt(integ, time.Now().Add(-time.Second), "1")
	soon := db.SendOrdersAtSQL(integ, `now() + interval '5 seconds'`, "2")[0]
	claimIDs(t, db, firstChunk)
	if db.HasCheck(soon) {
		t.Fatal("setting up: the order sent in the future was registered before its time")
	}
	time.Sleep(6 * time.Second) // its time comes
	claimIDs(t, db, firstChunk)
	if !db.HasCheck(soon) {
		t.Error("once its time came, the order was not registered: left to the sweep")
	}
}

// An order booked while its "sentAt" was a placeholder until the shop sent
// it is due once the shop writes the time it was sent, not never.
func TestAnOrderWhoseSentAtMovesEarlierIsDueByIt(t *testing.T) {
	t.Parallel()
	for _, placeholder := range []string{"infinity", "9999-12-31"} {
		t.Run(placeholder, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
			id := db.SendOrdersAtSQL(integ, pq.QuoteLiteral(placeholder), "1")[0]
			claimIDs(t, db, firstChunk) // the sweep books it, due then
			if !db.HasCheck(id) {
				t.Fatal("setting up: the sweep did not book the order")
			}
			db.Exec(`UPDATE product_orders SET "sentAt" = now() - interval '1 minute' WHERE id = $1`, id)
			db.MakeSweepDue()
			if got := claimIDs(t, db, firstChunk); !slices.Contains(got, id) {
				t.Errorf("sent a minute ago, the order was not claimed (claimed %v)", got)
			}

			// zwatch finished with it; the shop sends it again, the same way.
			db.Exec(`UPDATE zwatch_order_checks SET claimed_by = NULL, claim_expires_at = NULL, attempts = 3,
				last_checked_at = now() - interval '50 seconds', finished_at = now() - interval '50 seconds' WHERE order_id = $1`, id)
			db.Exec(`UPDATE product_orders SET "sentAt" = $2 WHERE id = $1`, id, placeholder)
			db.MakeSweepDue()
			claimIDs(t, db, firstChunk) // the sweep brings it back, due then
			db.Exec(`UPDATE product_orders SET "sentAt" = now() - interval '1 minute' WHERE id = $1`, id)
			db.MakeSweepDue()
			if got := claimIDs(t, db, firstChunk); !slices.Contains(got, id) {
				t.Errorf("sent again a minute ago, the order was not claimed (claimed %v)", got)
			}
		})
	}
}

// A claim hands its orders out due longest first: a run whose budget
// binds asks them in that order (the lane takes the first due in its
// queue), whatever order the database finds their rows in.
func TestAClaimReturnsItsOrdersDueLongestFirst(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	var referanses []string
	for k := range 60 {
		referanses = append(referanses, strconv.Itoa(9100+k))
	}
	db.SendOrdersAt(integ, time.Now().Add(-time.Hour), referanses...)
	p := firstChunk
	p.Limit, p.Register = 60, 60
	if got := claimIDs(t, db, p); len(got) != 60 {
		t.Fatalf("the first claim took %d orders, want 60", len(got))
	}
	// Due in the reverse of the rows' key order, which an index scan
	// by order_id meets them in.
	db.Exec(`UPDATE zwatch_order_checks c
		SET claimed_by = NULL, claim_expires_at = NULL,
			next_check_at = now() - make_interval(mins => r.rank::int)
		FROM (SELECT order_id, rank() OVER (ORDER BY order_id) AS rank FROM zwatch_order_checks) r
		WHERE r.order_id = c.order_id`)
	var want []string
	if err := db.SQL.Select(&want, `SELECT order_id::text FROM zwatch_order_checks ORDER BY next_check_at`); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, db, p); !slices.Equal(got, want) {
		t.Errorf("claimed\n%v\nwant them due longest first:\n%v", got, want)
	}
}

// A run's claim leaves alone the orders the run still holds, though their
// rows say they are free: the run's own save or release ended their claims
// a moment before it let go of them (ClaimParams.Held). So does a claim
// passing over a panel.
func TestAClaimLeavesAloneTheOrdersTheRunHolds(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	other := db.AddIntegration(storetest.Integration{Name: "znet-B", Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.SendOrdersAt(integ, time.Now().Add(-time.Hour), "9301", "9302", "9303")
	held := claimIDs(t, db, firstChunk)
	if len(held) != 3 {
		t.Fatalf("the first claim took %d orders, want 3", len(held))
	}
	// Their answers saved, due again at once.
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = NULL, claim_expires_at = NULL, next_check_at = now()`)

	for _, passOver := range [][]string{nil, {other}} {
		p := firstChunk
		p.Register, p.PassOver = 0, passOver
		p.Held = held[:2]
		if got := claimIDs(t, db, p); !slices.Equal(got, held[2:]) {
			t.Errorf("passing over %v, a claim holding %v took %v, want only %v", passOver, held[:2], got, held[2:])
		}
		db.Exec(`UPDATE zwatch_order_checks SET claimed_by = NULL, claim_expires_at = NULL`)
	}
}
