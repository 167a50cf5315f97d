package watch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// The pace of a panel's requests (--rate) is one budget for the whole
// deployment (issue 14): every run, overlapping or not, on one host or many,
// takes its send times from the panel's clock in the shop's database
// (store.ReserveSends), so that all of them together never send the panel
// more than --rate in any second.

const (
	// budgetMargin widens the spacing of send times beyond what the rate
	// asks: n+1 requests spaced 1/(0.9·rate) apart span 111 ms more than a
	// second, so connection set-up, scheduling on a busy host, a clock read
	// off by a round trip and network jitter may shift arrivals by that much
	// before the panel counts more than --rate in any second.
	budgetMargin = 0.9

	// budgetHorizon bounds how far ahead a run reserves send times for
	// itself: a run killed in the middle wastes at most this much of the
	// panel's budget, and overlapping runs get their turn within it.
	budgetHorizon = time.Second

	// maxSendLateness is how late a request may leave after its send time.
	// A send time missed by more (a worker busy, a process descheduled) is
	// dropped, not used late: used late it would crowd the next ones into
	// the same second at the panel.
	maxSendLateness = 20 * time.Millisecond

	// When reserving fails (the database restarting, say), workers wait and
	// try again every budgetRetry, so that a short outage costs no order its
	// turn. After budgetGiveUp of failures they stop waiting: requests are
	// not sent and their orders are released unasked, and one reservation a
	// budgetRetry finds out whether the database is back.
	budgetRetry  = 250 * time.Millisecond
	budgetGiveUp = 5 * time.Second

	// dbClockRefresh is how long a reading of the database's clock is
	// trusted before a later one replaces it even with a slower round trip,
	// so that two clocks drifting apart over a long run stay matched.
	dbClockRefresh = 10 * time.Second
)

// sharedBudget paces this run's requests to one panel on the panel's shared
// budget. Its callers are the panel's workers: Wait returns when the caller
// may send. It reserves a few send times at a time, never more than about a
// second ahead, and hands them out in order.
type sharedBudget struct {
	store       *store.Store
	integration store.Integration
	runID       string
	interval    time.Duration
	log         *slog.Logger
	timeDB      func(start time.Time)

	mu        sync.Mutex
	clock     dbClock
	held      store.SendTimes // the last reservation
	next      int             // held's first send time not handed out
	reserving chan struct{}   // closed when the reservation under way ends; nil: none
	waiting   int             // callers in Wait without a send time
	// wasted counts send times of held that passed with nobody to use
	// them; chunk is how many the last reservation took.
	wasted, chunk int
	// failingSince is when reserving began to fail, zero while it works;
	// failure is its last error, triedAt when it was last tried.
	failingSince, triedAt time.Time
	failure               error

	// For the run's debug log: statements, send times reserved, and send
	// times dropped because they were missed.
	reservations, reserved, dropped int
}

func newSharedBudget(st *store.Store, in store.Integration, runID string, ratePerSecond float64,
	logger *slog.Logger, timeDB func(time.Time)) *sharedBudget {
	return &sharedBudget{
		store:       st,
		integration: in,
		runID:       runID,
		interval:    time.Duration(float64(time.Second) / (ratePerSecond * budgetMargin)),
		log:         logger,
		timeDB:      timeDB,
	}
}

// lateness is how late a send time may be used: maxSendLateness, and at high
// rates a quarter of the spacing, so that a late request cannot reach the
// next one's moment.
func (b *sharedBudget) lateness() time.Duration {
	return min(maxSendLateness, b.interval/4)
}

// Wait blocks until the caller may send the panel one request. It fails when
// ctx ends first, or when the budget cannot be reserved (the database is
// unreachable): then the caller must not send.
func (b *sharedBudget) Wait(ctx context.Context) error {
	b.mu.Lock()
	b.waiting++
	for {
		at, ok := b.take()
		if ok {
			b.waiting--
			b.mu.Unlock()
			if err := sleepUntil(ctx, at); err != nil {
				return err
			}
			if time.Since(at) <= b.lateness() {
				return nil
			}
			// Woken too late for this send time: take another.
			b.mu.Lock()
			b.waiting++
			b.dropped++
			continue
		}
		if b.reserving != nil {
			done := b.reserving
			b.mu.Unlock()
			select {
			case <-done:
			case <-ctx.Done():
				b.mu.Lock()
				b.waiting--
				b.mu.Unlock()
				return ctx.Err()
			}
			b.mu.Lock()
			continue
		}
		if !b.failingSince.IsZero() && time.Since(b.triedAt) < budgetRetry {
			if time.Since(b.failingSince) >= budgetGiveUp {
				err := b.failure
				b.waiting--
				b.mu.Unlock()
				return err
			}
			retry := b.triedAt.Add(budgetRetry)
			b.mu.Unlock()
			if err := sleepUntil(ctx, retry); err != nil {
				b.mu.Lock()
				b.waiting--
				b.mu.Unlock()
				return err
			}
			b.mu.Lock()
			continue
		}
		if err := b.reserve(ctx); err != nil && ctx.Err() != nil {
			b.waiting--
			b.mu.Unlock()
			return err
		}
	}
}

// take hands out the next send time of the reservation held, skipping those
// already too late. b.mu must be held.
func (b *sharedBudget) take() (time.Time, bool) {
	now := time.Now()
	for b.next < b.held.Count {
		at := b.clock.local(b.held.At(b.next))
		b.next++
		if now.Sub(at) <= b.lateness() {
			return at, true
		}
		b.wasted++
		b.dropped++
	}
	return time.Time{}, false
}

// reserve takes the next few send times from the panel's clock. b.mu must be
// held; it is released while the database answers, and held again on return.
func (b *sharedBudget) reserve(ctx context.Context) error {
	count := b.chunkSize(b.waiting, true)
	done := b.startReserving()
	b.mu.Unlock()

	start := time.Now()
	held, err := b.store.ReserveSends(ctx, b.integration.ID, b.runID, count, b.interval)
	received := time.Now()
	b.timeDB(start)

	b.mu.Lock()
	return b.settle(ctx, done, count, held, err, start, received)
}

// startReserving marks a reservation under way; the caller settles it.
// b.mu must be held.
func (b *sharedBudget) startReserving() chan struct{} {
	done := make(chan struct{})
	b.reserving = done
	return done
}

// settle ends the reservation under way: what it reserved replaces what
// was held, or its error is the budget's failure. b.mu must be held.
func (b *sharedBudget) settle(ctx context.Context, done chan struct{}, count int, held store.SendTimes, err error,
	start, received time.Time) error {
	b.reserving = nil
	close(done)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if b.failingSince.IsZero() {
			b.failingSince = received
			b.log.Warn("the panel's shared request budget cannot be reserved: its requests wait, and after "+
				budgetGiveUp.String()+" their orders are released unasked until it can",
				"integration", b.integration.Name, "err", err.Error())
		}
		b.failure, b.triedAt = fmt.Errorf("integration %s: %w", b.integration.Name, err), received
		return b.failure
	}
	if !b.failingSince.IsZero() {
		b.log.Info("the panel's shared request budget can be reserved again", "integration", b.integration.Name)
	}
	b.failingSince, b.failure = time.Time{}, nil
	b.clock.observe(start, received, held.DBNow)
	b.held, b.next, b.chunk, b.wasted = held, 0, count, 0
	b.reservations++
	b.reserved += count
	return nil
}

// reserveAhead reserves, in one statement for all of them, the send times
// that the orders just claimed will wait for: orders[b] for each panel's
// budget b. A claim typically hands one or two orders to each of many
// panels; reserving for each as its worker gets there would cost a
// statement per request. A budget that still holds send times, or is
// reserving or failing, is left to its workers, and so is every budget
// when this fails: they reserve for themselves, as they otherwise would.
func reserveAhead(ctx context.Context, st *store.Store, runID string, orders map[*sharedBudget]int,
	timeDB func(time.Time)) {
	type ahead struct {
		budget *sharedBudget
		count  int
		done   chan struct{}
	}
	var aheads []ahead
	var wanted []store.SendsWanted
	for b, n := range orders {
		b.mu.Lock()
		if b.reserving == nil && b.failingSince.IsZero() && b.unused() == 0 {
			// Exactly what is coming: the orders were counted, and send
			// times reserved beyond them would lapse unnoticed.
			count := b.chunkSize(n+b.waiting, false)
			aheads = append(aheads, ahead{budget: b, count: count, done: b.startReserving()})
			wanted = append(wanted, store.SendsWanted{IntegrationID: b.integration.ID, Count: count, Interval: b.interval})
		}
		b.mu.Unlock()
	}
	if len(wanted) == 0 {
		return
	}
	start := time.Now()
	held, err := st.ReserveSendsFor(ctx, runID, wanted)
	received := time.Now()
	timeDB(start)
	for k, a := range aheads {
		a.budget.mu.Lock()
		if err != nil {
			// Not the budget's failure: its workers find out for themselves.
			a.budget.reserving = nil
			close(a.done)
		} else {
			_ = a.budget.settle(ctx, a.done, a.count, held[k], nil, start, received)
		}
		a.budget.mu.Unlock()
	}
}

// unused is how many send times of the reservation held are still ahead.
// b.mu must be held.
func (b *sharedBudget) unused() int {
	if b.next >= b.held.Count {
		return 0
	}
	late := time.Now().Add(-b.lateness())
	n := 0
	for i := b.next; i < b.held.Count; i++ {
		if !b.clock.local(b.held.At(i)).Before(late) {
			n++
		}
	}
	return n
}

// chunkSize is how many send times to reserve now: as many as there are
// callers waiting (or orders about to be), and when grow says so twice the
// last reservation while callers use up every send time, but no further
// ahead than budgetHorizon, counting what other runs reserved before the
// last reservation. b.mu must be held.
func (b *sharedBudget) chunkSize(waiting int, grow bool) int {
	perHorizon := max(1, int(budgetHorizon/b.interval))
	want := waiting
	if grow && b.chunk > 0 && b.wasted == 0 {
		want = max(want, 2*b.chunk)
	}
	// Runs sharing the panel each take small chunks in turn; a quarter of
	// the horizon at least, so that each statement still serves several
	// requests.
	ahead := max(0, b.held.First.Sub(b.held.DBNow))
	room := max(perHorizon/4, perHorizon-int(ahead/b.interval), 1)
	return max(1, min(want, room, perHorizon))
}

// Close gives the send times this run reserved and will not use back to the
// panel, when no other run has reserved after them. Call it once the
// panel's workers are done.
func (b *sharedBudget) Close(ctx context.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log.Debug("panel budget", "integration", b.integration.Name, "reservations", b.reservations,
		"send_times", b.reserved, "dropped_late", b.dropped)
	if b.next >= b.held.Count || time.Now().After(b.clock.local(b.held.End())) {
		return // nothing left, or all of it passed already
	}
	start := time.Now()
	returned, err := b.store.ReturnSends(ctx, b.integration.ID, b.held.At(b.next), b.held.End())
	b.timeDB(start)
	if err != nil {
		// Harmless: the send times lapse within the second they cover.
		b.log.Warn("could not return unused send times to the panel's budget", "integration", b.integration.Name, "err", err.Error())
		return
	}
	if returned {
		b.next = b.held.Count
	}
}

// dbClock places the database's times on this process's monotonic clock.
// Each reading comes from a reservation's round trip: the database read its
// clock somewhere within it, so the reading is off by at most half the trip,
// and the quickest trip gives the best reading.
type dbClock struct {
	at  time.Time // local, with a monotonic reading: the middle of the trip
	db  time.Time // the database's clock then
	rtt time.Duration
}

func (c *dbClock) observe(sent, received, dbNow time.Time) {
	rtt := received.Sub(sent)
	if !c.at.IsZero() && rtt > c.rtt && received.Sub(c.at) < dbClockRefresh {
		return
	}
	c.at, c.db, c.rtt = sent.Add(rtt/2), dbNow, rtt
}

// local is the moment of this process's clock that shows dbTime on the
// database's. It keeps the monotonic reading, so a step of the wall clock
// does not move it.
func (c *dbClock) local(dbTime time.Time) time.Time {
	return c.at.Add(dbTime.Sub(c.db))
}

// sleepUntil waits until at, or until ctx ends.
func sleepUntil(ctx context.Context, at time.Time) error {
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
