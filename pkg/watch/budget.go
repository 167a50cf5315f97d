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
// (store.ReserveSendsFor), so that all of them together never send the panel
// more than --rate in any second.

const (
	// BudgetMargin widens the spacing of send times beyond what the rate
	// asks: n+1 requests spaced 1/(0.9·rate) apart span 111 ms more than a
	// second, so connection set-up, scheduling on a busy host, a clock read
	// off by a round trip and network jitter may shift arrivals by that much
	// before the panel counts more than --rate in any second.
	BudgetMargin = 0.9

	// budgetHorizon bounds how far ahead a run reserves send times for
	// itself: a run killed in the middle wastes at most this much of the
	// panel's budget, and overlapping runs get their turn within it.
	budgetHorizon = time.Second

	// MaxSendLateness is how late a request may leave after its send time.
	// A send time missed by more (a worker busy, a process descheduled) is
	// dropped, not used late: used late it would crowd the next ones into
	// the same second at the panel.
	MaxSendLateness = 20 * time.Millisecond

	// BudgetGiveUp: when reserving fails (the database restarting, say),
	// workers wait and try again every budgetRetry, so that a short outage
	// costs no order its turn. After BudgetGiveUp of failures they stop
	// waiting: requests are not sent and their orders are released unasked,
	// and one reservation a budgetRetry finds out whether the database is
	// back.
	BudgetGiveUp = 5 * time.Second
	budgetRetry  = 250 * time.Millisecond

	// dbClockRefresh is how long a reading of the database's clock is
	// trusted before a later one replaces it even with a slower round trip
	// (up to twice as slow, and a millisecond), so that two clocks drifting
	// apart over a long run stay matched; after dbClockStale, any reading
	// does. Clocks drift by parts per million: a reading a minute old is off
	// by a fraction of a millisecond, one from a round trip held up by the
	// host by half the delay.
	dbClockRefresh = 10 * time.Second
	dbClockStale   = time.Minute

	// dbClockSlack is how far apart two readings' bounds may lie before they
	// say the database's clock was stepped: timestamps rounded to the
	// microsecond, and the two clocks running at rates apart by up to
	// dbClockMaxDrift (500 ppm, the most NTP slews a clock by) since the
	// earlier reading.
	dbClockSlack    = time.Millisecond
	dbClockMaxDrift = 500e-6
)

// sharedBudget paces this run's requests to one panel on the panel's shared
// budget. Its callers are the panel's workers: Wait returns when the caller
// may send. It reserves a few send times at a time, never more than about a
// second ahead, and hands them out in order.
type sharedBudget struct {
	batch       *sendBatch
	integration store.Integration
	interval    time.Duration
	log         *slog.Logger

	mu    sync.Mutex
	clock dbClock
	held  store.SendTimes // the last reservation
	next  int             // held's first send time not handed out
	// lastGiven is the last send time handed out, on this host's clock: a
	// reservation never gives out one closer to it than the spacing.
	lastGiven time.Time
	reserving chan struct{} // closed when the reservation under way ends; nil: none
	waiting   int           // callers in Wait without a send time
	// wasted counts send times of held that passed with nobody to use
	// them; chunk is how many the last reservation took.
	wasted, chunk int
	// failingSince is when reserving began to fail, zero while it works;
	// failure is its last error, triedAt when it was last tried.
	failingSince, triedAt time.Time
	failure               error
	// lapsedInARow counts the last reservations whose send times had all
	// passed by the time their answers came; while it is over one, no
	// reservation is made before lapsedUntil.
	lapsedInARow int
	lapsedUntil  time.Time

	// For the run's debug log: statements, send times reserved, send
	// times dropped because they were missed, reservations that lapsed
	// whole, and steps of the database's clock seen.
	reservations, reserved, dropped, lapsed, clockSteps int
	// overlapped counts send times not given out for falling among those
	// the run handed out already.
	overlapped int
}

func newSharedBudget(batch *sendBatch, in store.Integration, ratePerSecond float64, logger *slog.Logger) *sharedBudget {
	return &sharedBudget{
		batch:       batch,
		integration: in,
		interval:    time.Duration(float64(time.Second) / (ratePerSecond * BudgetMargin)),
		log:         logger,
	}
}

// lateness is how late a send time may be used (SendLateness).
func (b *sharedBudget) lateness() time.Duration {
	return SendLateness(b.interval)
}

// SendLateness is how late a send time spaced from the next by spacing may
// be used: MaxSendLateness, and at high rates a quarter of the spacing, so
// that a late request does not crowd the next one's moment, but never less
// than MinSendLateness: a worker woken even a little later than a quarter
// of a spacing that fine (a third of a millisecond at --rate 1000) lost its
// send time, and took the next one and lost it too, so that --rate 1000
// got some 40 requests a second and --rate 500 some 60. A late send time
// still counts within its second: the spacing's margin (BudgetMargin) is
// 10 % of a second, and MinSendLateness 0.2 % of one.
func SendLateness(spacing time.Duration) time.Duration {
	return min(MaxSendLateness, max(spacing/4, MinSendLateness))
}

// MinSendLateness is the least lateness SendLateness allows: what a busy
// host's timers and scheduler may add to a worker's wake-up.
const MinSendLateness = 2 * time.Millisecond

// Wait blocks until the caller may send the panel one request, and says by
// when it must have left. It fails when ctx ends first, or when the budget
// cannot be reserved (the database is unreachable): then the caller must
// not send.
func (b *sharedBudget) Wait(ctx context.Context) (time.Time, error) {
	b.mu.Lock()
	b.waiting++
	for {
		at, ok := b.take()
		if ok {
			b.waiting--
			b.mu.Unlock()
			if err := sleepUntil(ctx, at); err != nil {
				return time.Time{}, err
			}
			if leaveBy := at.Add(b.lateness()); !time.Now().After(leaveBy) {
				return leaveBy, nil
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
				return time.Time{}, ctx.Err()
			}
			b.mu.Lock()
			continue
		}
		if !b.failingSince.IsZero() && time.Since(b.triedAt) < budgetRetry {
			if time.Since(b.failingSince) >= BudgetGiveUp {
				err := b.failure
				b.waiting--
				b.mu.Unlock()
				return time.Time{}, err
			}
			if err := b.waitUnlocked(ctx, b.triedAt.Add(budgetRetry)); err != nil {
				return time.Time{}, err
			}
			continue
		}
		if until := b.lapsedUntil; time.Now().Before(until) {
			if err := b.waitUnlocked(ctx, until); err != nil {
				return time.Time{}, err
			}
			continue
		}
		if err := b.reserve(ctx); err != nil && ctx.Err() != nil {
			b.waiting--
			b.mu.Unlock()
			return time.Time{}, err
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
			b.lastGiven = at
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
	count := b.chunkSize() + b.lostOnTheWay()
	done := make(chan struct{})
	b.reserving = done
	b.mu.Unlock()

	got := b.batch.reserve(ctx, store.SendsWanted{IntegrationID: b.integration.ID, Count: count, Interval: b.interval})

	b.mu.Lock()
	b.reserving = nil
	close(done)
	if got.err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if b.failingSince.IsZero() {
			b.failingSince = got.received
			b.log.Warn("the panel's shared request budget cannot be reserved: its requests wait, and after "+
				BudgetGiveUp.String()+" their orders are released unasked until it can",
				"integration", b.integration.Name, "err", got.err.Error())
		}
		b.failure, b.triedAt = fmt.Errorf("integration %s: %w", b.integration.Name, got.err), got.received
		return b.failure
	}
	if !b.failingSince.IsZero() {
		b.log.Info("the panel's shared request budget can be reserved again", "integration", b.integration.Name)
		if b.batch.reachableAgain != nil {
			b.batch.reachableAgain()
		}
	}
	b.failingSince, b.failure = time.Time{}, nil
	step, stepped := b.clock.observe(got.held)
	if stepped {
		b.clockSteps++
		b.batch.sayClockStepped(b.log, b.integration.Name, step)
	}
	b.batch.clockRead(b.clock)
	b.held, b.next, b.chunk, b.wasted = got.held, 0, count, 0
	b.reservations++
	b.reserved += count
	// The panel's clock starts again from the database's now when its row
	// is gone: crash recovery empties the UNLOGGED budgets. Workers still
	// wait for send times of the last reservation, up to a second ahead,
	// and this one's first would fall among them, the panel hearing up to
	// twice --rate in that second. Its times before the last one handed out
	// and the spacing are not given out (less a send's lateness, which the
	// margin of the spacing allows already: two readings of the database's
	// clock may differ by a millisecond or two).
	for b.next < b.held.Count && b.clock.local(b.held.At(b.next)).Before(b.lastGiven.Add(b.interval-b.lateness())) {
		b.next++
		b.overlapped++
	}
	// A reservation whose send times had all passed when its answer came
	// spent the panel's budget on nothing. Once is what a slow answer does
	// to a single send time reserved from the database's now, and the next
	// reservation, starting where that one ended, is in time. Again and
	// again is a clock misread or a stalled host: reserving at once, as fast
	// as the database answers, would push the panel's clock ahead of every
	// run's by a reservation's span each time. Then the next one waits
	// until as long as this one spanned has passed since it was asked for,
	// so that the run takes the budget no faster than it could use it.
	b.lapsedUntil = time.Time{}
	if time.Since(b.clock.local(got.held.At(got.held.Count-1))) > b.lateness() {
		b.lapsed++
		b.lapsedInARow++
		if b.lapsedInARow > 1 {
			b.lapsedUntil = got.held.Sent.Add(got.held.End().Sub(got.held.First))
		}
	} else {
		b.lapsedInARow = 0
	}
	return nil
}

// sendBatch reserves the send times a run's panels need at about the same
// moment in one statement. A claim hands its orders to many panels at
// once, a panel's order or two each; their workers, each with a slot, ask
// for send times within the same millisecond, and one statement a panel
// would be a statement per request. The first to ask starts a leader
// that reserves for all who asked by the time it runs; who asks while its
// statement is under way goes into the next. Nobody waits on purpose for
// company: a pause before each reservation would open a gap in a busy
// panel's send times, a share of its budget lost.
type sendBatch struct {
	store  *store.Store
	runID  string
	timeDB func(start time.Time)
	// ctx bounds the statements, which serve every caller of the batch:
	// one caller leaving must not fail the others' reservations. It is the
	// run's newRequests: once no request may start, no send time is of use,
	// and a statement stuck behind a locked budget row must not hold a
	// connection until the run's answers are saved.
	ctx context.Context

	mu      sync.Mutex
	asks    []*sendAsk
	leading bool // a caller is gathering or reserving for the batch
	// alone are the panels whose last reservation failed, reserved each
	// in a statement of its own until one succeeds: a row of one panel
	// that another transaction holds must not stop the others' statement.
	alone map[string]bool
	// aloneSlots bounds the statements reserving alone at once: each may
	// wait BudgetRowWait for a held row, on a connection of the run's
	// small pool, which the claims and the saves need too.
	aloneSlots chan struct{}

	// stepSaid: a step of the database's clock is said once a run, not
	// once for each of its panels, which all see it.
	stepSaid sync.Once
	// steppedForward, if set, is called with the step when a reservation
	// finds the database's clock stepped forward: the run's claims, leases
	// on that clock, lapse that much early. reachableAgain, if set, is
	// called when a panel's reservations work again after failing: the
	// database can be asked about the claims again. Set before the run
	// starts.
	steppedForward func(step time.Duration)
	reachableAgain func()
	// clockRef is the reading of the database's clock that a forward step
	// is measured from for the run as a whole: every panel's budget sees
	// the step, and the run's leases are shortened once for it.
	clockMu  sync.Mutex
	clockRef dbClock
}

// sendAsk is one panel's reservation in a batch, and what became of it.
type sendAsk struct {
	wanted   store.SendsWanted
	done     chan struct{}
	held     store.SendTimes
	err      error
	received time.Time // when the statement's answer came (held has the trip it timed)
}

func newSendBatch(ctx context.Context, st *store.Store, runID string, timeDB func(time.Time)) *sendBatch {
	return &sendBatch{store: st, runID: runID, timeDB: timeDB, ctx: ctx, aloneSlots: make(chan struct{}, maxReservingAlone)}
}

// reserve reserves w, in a statement with whatever other panels of the run
// reserve at the same moment. A panel asks once at a time (sharedBudget's
// reserving), so no statement names one panel twice.
func (sb *sendBatch) reserve(ctx context.Context, w store.SendsWanted) *sendAsk {
	ask := &sendAsk{wanted: w, done: make(chan struct{})}
	sb.mu.Lock()
	sb.asks = append(sb.asks, ask)
	lead := !sb.leading
	sb.leading = true
	sb.mu.Unlock()
	if lead {
		// Beside the caller: its own send times must not wait for the
		// batches of those who ask after it.
		go sb.lead()
	}
	select {
	case <-ask.done:
	case <-ctx.Done():
		// The reservation may still be made; its send times then lapse
		// unused, as a killed run's do.
		return &sendAsk{err: ctx.Err(), received: time.Now()}
	}
	return ask
}

// maxReservingAlone is how many panels reserve alone at once.
const maxReservingAlone = 2

// lead reserves for every caller that asks, batch after batch, until
// nobody is left asking; a panel whose last reservation failed, alone
// (sendBatch.alone), beside the batch.
func (sb *sendBatch) lead() {
	for {
		sb.mu.Lock()
		asks := sb.asks
		sb.asks = nil
		if len(asks) == 0 {
			sb.leading = false
			sb.mu.Unlock()
			return
		}
		var together []*sendAsk
		for _, a := range asks {
			if sb.alone[a.wanted.IntegrationID] {
				go sb.reserveAlone(a)
			} else {
				together = append(together, a)
			}
		}
		sb.mu.Unlock()
		if len(together) > 0 {
			sb.reserveFor(together)
		}
	}
}

// reserveAlone reserves a's panel in a statement of its own, once a slot
// is free.
func (sb *sendBatch) reserveAlone(a *sendAsk) {
	select {
	case sb.aloneSlots <- struct{}{}:
		defer func() { <-sb.aloneSlots }()
		sb.reserveFor([]*sendAsk{a})
	case <-sb.ctx.Done():
		a.received, a.err = time.Now(), sb.ctx.Err()
		close(a.done)
	}
}

// reserveFor reserves asks in one statement, and hands each its answer.
// A statement of several panels that fails tells none of them: which
// panel's row held it up, or whether any did, nothing says, so each is
// reserved alone at once, and told its own outcome.
func (sb *sendBatch) reserveFor(asks []*sendAsk) {
	wanted := make([]store.SendsWanted, len(asks))
	for k, a := range asks {
		wanted[k] = a.wanted
	}
	sent := time.Now()
	held, err := sb.store.ReserveSendsFor(sb.ctx, sb.runID, wanted)
	received := time.Now()
	sb.timeDB(sent)
	sb.mu.Lock()
	for _, a := range asks {
		switch {
		case err == nil:
			delete(sb.alone, a.wanted.IntegrationID)
		case sb.alone == nil:
			sb.alone = map[string]bool{a.wanted.IntegrationID: true}
		default:
			sb.alone[a.wanted.IntegrationID] = true
		}
	}
	sb.mu.Unlock()
	if err != nil && len(asks) > 1 && sb.ctx.Err() == nil {
		for _, a := range asks {
			go sb.reserveAlone(a)
		}
		return
	}
	for k, a := range asks {
		a.received, a.err = received, err
		if err == nil {
			a.held = held[k]
		}
		close(a.done)
	}
}

// waitUnlocked sleeps until the time given, without holding b.mu, which
// Wait holds when it calls it. It returns holding the lock again, or, when
// ctx ended first, the error with the lock released and the caller no
// longer counted among the waiting.
func (b *sharedBudget) waitUnlocked(ctx context.Context, until time.Time) error {
	b.mu.Unlock()
	if err := sleepUntil(ctx, until); err != nil {
		b.mu.Lock()
		b.waiting--
		b.mu.Unlock()
		return err
	}
	b.mu.Lock()
	return nil
}

// clockRead takes a panel's reading of the database's clock after a
// reservation, and tells the run when it shows the clock moved forward
// beyond the run's reference reading by more than the two readings' errors
// and the drift allowed between them: the first reading after a step,
// whichever panel's it is (a panel's first reading too), tells it; the
// others find it told. A reading becomes the reference only when it is
// surely later than it (their bounds do not overlap), so that a reading
// from before a step, handed in after one from after it, neither tells the
// step again nor rolls the reference back; nor is a step measured across
// an hour's drift or a step back since.
func (sb *sendBatch) clockRead(c dbClock) {
	sb.clockMu.Lock()
	ref := sb.clockRef
	if ref.at.IsZero() {
		sb.clockRef = c
		sb.clockMu.Unlock()
		return
	}
	age := c.at.Sub(ref.at)
	if c.at.Add(-c.travel/2).Sub(ref.at.Add(ref.travel/2)) <= 0 {
		sb.clockMu.Unlock()
		return
	}
	forward := c.db.Sub(ref.db) - age
	told := forward > (c.travel+ref.travel)/2+dbClockSlack+time.Duration(float64(age)*dbClockMaxDrift)
	// A reading much wider than a recent reference (a trip held up) would
	// make the next step it is measured against unseeable by as much.
	if told || c.travel <= 2*ref.travel+time.Millisecond || age >= dbClockStale {
		sb.clockRef = c
	}
	sb.clockMu.Unlock()
	if told && sb.steppedForward != nil {
		sb.steppedForward(forward)
	}
}

// sayClockStepped logs, once a run, that a panel's reservation found the
// database's clock stepped. At Info: the budget followed it, so nobody
// need act, and cron must not mail it.
func (sb *sendBatch) sayClockStepped(log *slog.Logger, integration string, step time.Duration) {
	sb.stepSaid.Do(func() {
		log.Info("the database's clock was stepped; the panels' send times follow it",
			"integration", integration, "step", step.Round(time.Millisecond).String())
	})
}

// chunkSize is how many send times to reserve now: as many as there are
// callers waiting, twice the last reservation while callers use up every
// send time, but no further ahead than budgetHorizon, counting what other
// runs reserved before the last reservation. b.mu must be held.
func (b *sharedBudget) chunkSize() int {
	perHorizon := max(1, int(budgetHorizon/b.interval))
	want := b.waiting
	if b.chunk > 0 && b.wasted == 0 {
		want = max(want, 2*b.chunk)
	}
	// Runs sharing the panel each take small chunks in turn; a quarter of
	// the horizon at least, so that each statement still serves several
	// requests.
	ahead := max(0, b.held.First.Sub(b.held.DBNow))
	room := max(perHorizon/4, perHorizon-int(ahead/b.interval), 1)
	return max(1, min(want, room, perHorizon))
}

// lostOnTheWay is how many send times a reservation starting at the
// database's now loses before its answer is back: those in the half of the
// travel the way back takes, less what a send time may be late. A panel
// nobody has asked for a while (its last reservation started at the
// database's now, or lapsed) has its clock at the database's now, and a
// lone worker's single send time would pass on the way back each time,
// however often it reserved: with the database 180 ms away at --rate 5,
// the order was never asked. Reserved beyond them, the last is in time.
// On a busy panel, whose clock runs ahead of the database's now, none are
// lost and none are added. b.mu must be held.
func (b *sharedBudget) lostOnTheWay() int {
	if b.clock.at.IsZero() || b.lapsedInARow == 0 && b.held.First.After(b.held.DBNow) {
		return 0
	}
	late := b.clock.travel/2 - b.lateness()
	if late <= 0 {
		return 0
	}
	// No more than a horizon's worth: the trip read may be one held up
	// (a stall of the network, the run's first trip), and the next trip
	// quick, which loses none of them; every other run sharing the panel
	// would wait behind them, and a run killed meanwhile waste them.
	return min(int((late+b.interval-1)/b.interval), max(1, int(budgetHorizon/b.interval)))
}

// Close gives the send times this run reserved and will not use back to the
// panel, when no other run has reserved after them. Call it once the
// panel's workers are done.
func (b *sharedBudget) Close(ctx context.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log.Debug("panel budget", "integration", b.integration.Name, "reservations", b.reservations,
		"send_times", b.reserved, "dropped_late", b.dropped, "lapsed_reservations", b.lapsed,
		"database_clock_steps", b.clockSteps, "overlapped", b.overlapped)
	if b.next >= b.held.Count || time.Now().After(b.clock.local(b.held.End())) {
		return // nothing left, or all of it passed already
	}
	start := time.Now()
	returned, err := b.batch.store.ReturnSends(ctx, b.integration.ID, b.held.At(b.next), b.held.End())
	b.batch.timeDB(start)
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
// clock at the end of its own part of the trip (after a wait for the
// budget's row lock, say), which it reports; of the rest, the travel there
// and back, the way back is taken for half. The reading is off by at most
// half the travel, and the quickest travel gives the best reading.
// A reading that cannot be true if the kept one is (their bounds do not
// overlap) says the database's clock was stepped (NTP, a failover to a
// server whose clock differs): the kept one would place every send time off
// by the step, early or late, so the new one replaces it at once.
type dbClock struct {
	at     time.Time // local, with a monotonic reading: when the database read its clock
	db     time.Time // the database's clock then
	travel time.Duration
}

// observe takes the reading of a reservation's round trip, or keeps the
// one it has. It reports whether the reading says the database's clock was
// stepped since the kept one, and by how much (negative: set back).
func (c *dbClock) observe(st store.SendTimes) (step time.Duration, stepped bool) {
	r := readingOf(st)
	at, travel := r.at, r.travel
	if !c.at.IsZero() {
		// How far the database's clock moved beyond this process's
		// (monotonic) one between the two readings.
		step = st.DBNow.Sub(c.db) - at.Sub(c.at)
		age := st.Received.Sub(c.at)
		stepped = step.Abs() > (c.travel+travel)/2+dbClockSlack+time.Duration(float64(age)*dbClockMaxDrift)
		if !stepped && travel > c.travel &&
			(age < dbClockRefresh || age < dbClockStale && travel > 2*c.travel+time.Millisecond) {
			return 0, false
		}
	}
	c.at, c.db, c.travel = at, st.DBNow, travel
	return step, stepped
}

// readingOf is the reading of the database's clock that a statement's
// round trip gives: the database read its clock at the end of its own part
// of the trip (after a wait for a lock, say), which it reports; of the
// rest, the travel there and back, the way back is taken for half.
func readingOf(st store.SendTimes) dbClock {
	trip := st.Received.Sub(st.Sent)
	work := min(max(st.DBNow.Sub(st.DBStart), 0), trip)
	travel := trip - work
	return dbClock{at: st.Received.Add(-travel / 2), db: st.DBNow, travel: travel}
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
