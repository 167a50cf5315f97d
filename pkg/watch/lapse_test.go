package watch

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// A run stopped longer than its lease (SIGSTOP, a paused VM) finds, when it
// goes on, orders whose claims another run took meanwhile and has asked
// about: it must not spend a request of the panel's on each again, for an
// answer it cannot save. An order whose lapsed claim nobody took is still
// the run's, and asked.
func TestARunStoppedPastItsLeaseLeavesWhatAnotherRunTook(t *testing.T) {
	t.Parallel()
	db, r, held, claimed := stoppedRun(t, 2)
	mine, taken := claimed[0].ID, claimed[1].ID
	db.Exec(`UPDATE zwatch_order_checks SET claim_expires_at = now() - interval '15 seconds'`)
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = 'another-run', claim_expires_at = now() + interval '30 seconds'
		WHERE order_id = $1`, taken)

	checked := time.Now()
	for _, o := range claimed {
		want := claimOurs
		if o.ID == taken {
			want = claimTakenOver
		}
		if got := r.claimOf(held, o); got != want {
			t.Errorf("order %s: claim %v, want %v", o.Referans, got, want)
		}
	}
	// Since the check, give or take a second; the claim was confirmed a
	// minute before it.
	if !held.confirmedWithin(mine, time.Since(checked)+time.Second) {
		t.Error("the run's lapsed claim, which nobody took, was not renewed")
	}
	if c := db.ReadCheck(taken); c.ClaimedBy == nil || *c.ClaimedBy != "another-run" {
		t.Errorf("the other run's claim was touched: %+v", c)
	}
}

// The run's own heartbeat, another run's claim or check --order may hold
// the order's row when the claim is checked: a row held is not a claim
// lost. Read so, the order was let go of unasked, its claim still the
// run's, and nobody asked it until that lapsed.
func TestAClaimCheckedWhileItsRowIsHeldIsStillTheRuns(t *testing.T) {
	t.Parallel()
	db, r, held, claimed := stoppedRun(t, 1)
	ctx := context.Background()
	tx, err := db.SQL.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, claimed[0].ID); err != nil {
		t.Fatal(err)
	}
	go func() { // as a heartbeat's renewal commits a moment later
		time.Sleep(200 * time.Millisecond)
		_ = tx.Commit()
	}()
	if r.claimOf(held, claimed[0]) != claimOurs {
		t.Error("a claim still the run's, its row held a moment by another transaction, was taken for lost")
	}
}

// The database's clock may step forward (NTP correcting a slow clock, a
// failover to a server whose clock runs ahead): the run's claims then
// lapse on it early, and another run may take them while this run's own
// clock says they hold. The heartbeat's renewal finds them gone; from
// then on the run must not ask about them, where before it asked for up
// to 35 s more, every request an answer nobody could save.
func TestARenewalThatFindsAClaimGoneStopsTheRunAskingIt(t *testing.T) {
	t.Parallel()
	db, r, held, claimed := stoppedRun(t, 2)
	mine, taken := claimed[0], claimed[1]
	if err := r.renew(held); err != nil { // both claims still the run's, confirmed now
		t.Fatal(err)
	}
	takenBy(db, taken.ID, "another-run")
	if err := r.renew(held); err != nil {
		t.Fatal(err)
	}
	wantClaim(t, r, held, taken, claimTakenOver, "a claim another run took, found gone by the heartbeat")
	wantClaim(t, r, held, mine, claimOurs, "the run's own claim")
}

// A host cut off from the database (a network partition, not a restart)
// cannot renew its claims, and they lapse on the database's clock: a run
// on another host may then take and ask the same orders. The cut-off run
// asks about an order only while its last confirmation is recent enough
// that the claim still holds, and hands the others back unasked.
func TestARunThatCannotRenewAsksOnlyWhatItsLeaseStillCovers(t *testing.T) {
	t.Parallel()
	db, r, held, claimed := stoppedRun(t, 2)
	old, fresh := claimed[0], claimed[1]
	held.confirm([]string{fresh.ID}, time.Now())
	held.setRenewFailing(true)
	takenBy(db, old.ID, "another-host")

	// Asked, the database would say another host holds it: the run must
	// not wait on a database it cannot reach to find that out.
	wantClaim(t, r, held, old, claimUnconfirmed, "a claim last confirmed a minute ago, the database out of reach")
	// The heartbeat tries again at once, not at its next beat: the
	// database may be back.
	select {
	case <-r.renewNow:
	default:
		t.Error("a claim handed back unconfirmed did not have the heartbeat try again")
	}
	wantClaim(t, r, held, fresh, claimOurs, "a claim confirmed a moment ago")
}

// takenBy has another run take the claim on id, as after this run's lease
// lapsed.
func takenBy(db *storetest.DB, id, other string) {
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = $2, claim_expires_at = now() + interval '45 seconds'
		WHERE order_id = $1`, id, other)
}

// wantClaim checks what the run makes of its claim on o.
func wantClaim(t *testing.T, r *run, held *holdings, o store.Order, want claimState, what string) {
	t.Helper()
	if got := r.claimOf(held, o); got != want {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// A forward step of the database's clock shortens the leases by the step,
// no more: a step of 2 s (a failover to a server whose clock runs a little
// ahead, a slewed clock read as a step) leaves the run's claims its own
// without a check, where one of 40 s has it check them first. Before, any
// step, 8 ms included, had every claim checked, each check a round trip
// between a send time and its request.
func TestAForwardStepShortensTheLeasesByTheStep(t *testing.T) {
	t.Parallel()
	_, r, held, claimed := stoppedRun(t, 1)
	o := claimed[0]
	held.confirm([]string{o.ID}, time.Now())
	held.shorten(2 * time.Second)
	if !held.confirmedWithin(o.ID, unconfirmedLimit) {
		t.Error("a claim confirmed a moment before a 2 s step is to be checked before asking")
	}
	held.shorten(40 * time.Second)
	if held.confirmedWithin(o.ID, unconfirmedLimit) {
		t.Error("a claim confirmed a moment before a 40 s step counts as confirmed")
	}
	if got := r.claimOf(held, o); got != claimOurs {
		t.Errorf("checked, the run's own claim: %v, want %v", got, claimOurs)
	}
}

// A renewal or a claim whose statement began before a step was seen may
// have run on the clock before it: what it confirms is shortened too, not
// taken for a lease of a whole ClaimLease from its start.
func TestAConfirmationBegunBeforeAStepIsShortenedToo(t *testing.T) {
	t.Parallel()
	h := newHoldings()
	h.add([]store.Order{{ID: "a"}}, time.Now().Add(-5*time.Second))
	renewalBegan := time.Now()
	// Begun before the step was seen, whatever the host's speed: taken
	// after shorten, a millisecond back, it followed the step on a host
	// that took longer than that to get there (a make test under load).
	claimBegan := time.Now().Add(-time.Millisecond)
	h.shorten(40 * time.Second)
	h.confirm([]string{"a"}, renewalBegan)
	h.add([]store.Order{{ID: "b"}}, claimBegan)
	for _, id := range []string{"a", "b"} {
		// Confirmed, by 40 s less than a lease ago: not for asking
		// unchecked, and not lost either.
		if h.confirmedWithin(id, unconfirmedLimit) || !h.confirmedWithin(id, ClaimLease) {
			t.Errorf("claim %s, confirmed by a statement begun before a 40 s step, does not count as confirmed 40 s ago", id)
		}
	}
	h.add([]store.Order{{ID: "c"}}, time.Now())
	if !h.confirmedWithin("c", unconfirmedLimit) {
		t.Error("a claim taken after the step does not count as confirmed")
	}
}

// Every panel's budget sees a step of the database's clock; the run
// shortens its leases once for it, by the step, whichever panel's reading
// shows it first: one of a panel whose lane opened after the step, or one
// its panel does not take for a step (it saw the clock set back before).
// A reading from before the step, handed in after one from after it, does
// not tell it again.
func TestAStepEveryPanelSeesShortensTheLeasesOnce(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	local := time.Now()
	db := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	// read is a reservation's round trip on a panel's clock: it left at
	// sent, the database read its clock at at (off ahead of this host's),
	// and the answer came at back.
	type panel struct{ clock dbClock }
	read := func(sb *sendBatch, p *panel, sent, at, back, off time.Duration) {
		dbNow := db.Add(at + off)
		p.clock.observe(store.SendTimes{DBStart: dbNow, DBNow: dbNow, Sent: local.Add(sent), Received: local.Add(back)})
		sb.clockRead(p.clock)
	}
	trip := func(sb *sendBatch, p *panel, after, off time.Duration) {
		read(sb, p, after, after+5*ms, after+10*ms, off)
	}
	for _, c := range []struct {
		name  string
		steps func(sb *sendBatch, a, b, c *panel)
		want  time.Duration
	}{
		{"every panel", func(sb *sendBatch, a, b, c *panel) {
			trip(sb, a, 0, 0)
			trip(sb, b, time.Second, 0)
			trip(sb, a, 10*time.Second, 40*time.Second)
			trip(sb, b, 11*time.Second, 40*time.Second)
		}, 40 * time.Second},
		{"a lane opened after the step", func(sb *sendBatch, a, b, c *panel) {
			trip(sb, a, 0, 0)
			trip(sb, c, 6*time.Second, 40*time.Second) // its first reading
			trip(sb, a, 7*time.Second, 40*time.Second)
		}, 40 * time.Second},
		{"set back, then forward", func(sb *sendBatch, a, b, c *panel) {
			trip(sb, a, 0, 0)
			trip(sb, b, time.Second, 0)
			trip(sb, b, 3*time.Second, -60*time.Second)
			trip(sb, a, 5*time.Second, -20*time.Second) // A saw only the net -20 s
			trip(sb, b, 6*time.Second, -20*time.Second)
		}, 40 * time.Second},
		{"set back, then forward as far", func(sb *sendBatch, a, b, c *panel) {
			trip(sb, a, 0, 0)
			trip(sb, b, time.Second, 0)
			trip(sb, b, 3*time.Second, -40*time.Second)
			trip(sb, a, 15*time.Second, 0) // A sees no step at all
			trip(sb, b, 16*time.Second, 0)
		}, 40 * time.Second},
		{"a reading from before the step, handed in after", func(sb *sendBatch, a, b, c *panel) {
			read(sb, a, 0, 5*ms, 10*ms, 0)
			read(sb, b, 1000*ms, 1025*ms, 1050*ms, 0)
			read(sb, c, 2000*ms, 2005*ms, 2010*ms, 0)
			read(sb, a, 10000*ms, 10005*ms, 10010*ms, 40*time.Second)
			read(sb, b, 9990*ms, 9995*ms, 10030*ms, 0) // read before the step
			read(sb, c, 10100*ms, 10105*ms, 10110*ms, 40*time.Second)
		}, 40 * time.Second},
	} {
		var told []time.Duration
		sb := &sendBatch{steppedForward: func(step time.Duration) { told = append(told, step) }}
		c.steps(sb, &panel{}, &panel{}, &panel{})
		var sum time.Duration
		for _, step := range told {
			sum += step
		}
		if len(told) != 1 || (sum-c.want).Abs() > 20*ms {
			t.Errorf("%s: the run was told of steps %v, want %v", c.name, told, c.want)
		}
	}
}

// Two steps seen while a renewal is on its way: both come off what it
// confirms.
func TestTwoStepsBeforeARenewalReturnsBothCount(t *testing.T) {
	t.Parallel()
	h := newHoldings()
	h.add([]store.Order{{ID: "a"}}, time.Now().Add(-5*time.Second))
	began := time.Now().Add(-time.Millisecond)
	h.shorten(20 * time.Second)
	h.shorten(5 * time.Millisecond) // another reading, a few ms off
	h.shorten(20 * time.Second)
	h.confirm([]string{"a"}, began)
	// Confirmed 40 s ago: the renewal counts, less both steps.
	if h.confirmedWithin("a", unconfirmedLimit) || !h.confirmedWithin("a", ClaimLease) {
		t.Error("a renewal begun before two steps of 20 s does not count as confirmed 40 s ago")
	}
}

// While the heartbeat's last renewal failed, claimOf hands back what it
// cannot confirm without asking the database. Once the database answers
// again (a reservation of a panel's budget, a save), the run renews at
// once, not at the next beat up to 15 s later, handing back claims the
// database would have confirmed.
func TestARunRenewsAtOnceWhenTheDatabaseAnswersAgain(t *testing.T) {
	t.Parallel()
	_, r, held, _ := stoppedRun(t, 2)
	held.setRenewFailing(true)
	stop := r.heartbeat(held)
	defer stop()
	r.renewSoon()
	// Renewing again, and the claims confirmed: the renewal notes the one
	// a moment before the other, and a look between them is no fault
	// (helper-380).
	renewed := func() bool {
		for _, id := range held.list() {
			if !held.confirmedWithin(id, unconfirmedLimit) {
				return false
			}
		}
		return held.renewing()
	}
	deadline := time.Now().Add(5 * time.Second)
	for !renewed() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !renewed() {
		t.Errorf("asked to renew at once, the heartbeat had not renewed and confirmed its claims within 5 s (renewing: %v)", held.renewing())
	}
}

// Whether a save whose COMMIT went unheard may have given its order up is
// judged on the database's clock, which set the order's first check and
// gives up on it: with this host's clock two minutes behind, a waiting
// answer of an order 30 s short of its give-up was not named, though the
// save may have given it up.
func TestAnUnheardSaveIsJudgedOnTheDatabasesClock(t *testing.T) {
	t.Parallel()
	_, r, held, claimed := stoppedRun(t, 1)
	r.sched = r.newScheduler()
	now := time.Now()
	r.sched.ReadDatabaseClock(now.Add(2*time.Minute), now)
	first := now.Add(2*time.Minute - r.cfg.GiveUpAfter + 30*time.Second)
	o := claimed[0]
	o.FirstCheckedAt = &first
	p := &pendingAnswer{answer: answer{order: o}, outcome: store.Outcome{Order: o, Result: store.ResultWaiting}}
	if !newApplier(r, held).sayableIfSaved(p) {
		t.Error("an order within a minute of its give-up on the database's clock was not counted as possibly given up")
	}
}

// stoppedRun is a run holding the claims on n orders, each confirmed a
// minute ago, as if the run had been stopped since.
func stoppedRun(t *testing.T, n int) (*storetest.DB, *run, *holdings, []store.Order) {
	t.Helper()
	db := storetest.New(t)
	ctx := context.Background()
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	for i := range n {
		db.AddOrder(storetest.Order{IntegrationID: integ, Referans: string(rune('1' + i))})
	}
	r := newRun(ctx, db.Store, DefaultConfig())
	t.Cleanup(r.stop)
	claimed, err := db.Store.ClaimBatch(ctx, store.ClaimParams{RunID: r.id, Limit: 10, Register: 10, FirstDelay: time.Second, Lease: ClaimLease})
	if err != nil || len(claimed.Orders) != n {
		t.Fatalf("setting up: claimed %d orders (%v), want %d", len(claimed.Orders), err, n)
	}
	held := newHoldings()
	held.add(claimed.Orders, time.Now().Add(-time.Minute))
	return db, r, held, claimed.Orders
}
