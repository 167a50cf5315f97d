package watch

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zwatch/zwatch/pkg/store"
)

// claimAheadPerSlot bounds the orders a run holds per request slot: enough
// that no slot waits for the next claim and that the orders of healthy
// panels are claimed past those parked behind a hanging one, few enough
// that a claim covers what the lanes will ask within seconds, not minutes.
// --batch bounds it further; with the defaults, --batch is the bound.
const claimAheadPerSlot = 32

// claimChunk bounds one claim transaction, so that no claim holds many row
// locks at once and the first requests leave while the rest is claimed.
const claimChunk = 256

// registerAhead is how many chunks of new orders one claim registers.
const registerAhead = 4

// maxShortClaims bounds the claims in a row that come back short while
// registering says more is due, so that a run cannot spin on a race.
const maxShortClaims = 20

// maxClaimOutage is how long a looping run goes on claiming through a
// database that does not answer (a restart, a failover) before it gives up;
// meanwhile its lanes go on asking about what it holds.
const maxClaimOutage = 30 * time.Second

// claimer claims due orders and hands each to its panel's lane. It runs in
// one goroutine, which alone creates lanes; it claims again every Tick, and
// sooner when the lanes have taken what it holds and more is due.
type claimer struct {
	run     *run
	held    *holdings
	slots   *slots
	applier *applier

	byID    map[string]*lane
	opened  []*lane // in the order they were opened
	workers errgroup.Group
	woken   chan struct{}

	shortClaims int
	// passedOver says that the last claim passed over panels with a
	// backlog and took fewer orders than it could: their orders are due
	// still, but claiming again at once would take none of them.
	passedOver bool
	// cutShortByDeadline says that no request could start any more
	// (max-duration) while due orders were left to claim.
	cutShortByDeadline bool
	// locked is what the looks for rows another transaction holds found.
	locked lockedRows
	// tookOver counts, by the run that held them, the orders claimed
	// from a claim that had lapsed (store.Claimed.TookOver).
	tookOver map[string]int
}

func newClaimer(r *run, held *holdings, sl *slots, ap *applier) *claimer {
	return &claimer{
		run: r, held: held, slots: sl, applier: ap,
		byID:  make(map[string]*lane),
		woken: make(chan struct{}, 1),
	}
}

// wake tells the claimer that orders were let go of; safe from any
// goroutine, and never blocks.
func (c *claimer) wake() {
	select {
	case c.woken <- struct{}{}:
	default:
	}
}

// limit is how many orders the run holds at most.
func (c *claimer) limit() int { return heldAtMost(c.run.cfg) }

// heldAtMost is how many orders a run with cfg holds at most.
func heldAtMost(cfg Config) int { return min(cfg.Batch, claimAheadPerSlot*cfg.Concurrency) }

// refillAt is the room worth a claim: half of what the run holds, or four
// orders per slot if that is less.
func (c *claimer) refillAt() int {
	return max(1, min(c.limit()/2, 4*c.run.cfg.Concurrency))
}

// room is how many more orders the run may claim now. Orders parked behind
// a suspect or slow panel do not count, or one hanging panel would hold the
// claims of every other tenant; but no more than limit of them, or a slow
// panel whose orders are the oldest due would have the run claim every one
// of them, thousands it cannot ask before it ends, which no other run or
// host could then take. Answers waiting for a row the shop holds (a
// transaction left open can hold hundreds, for the whole of a --loop run)
// do not count at all: they were asked already, and each order is asked
// once in a run; capped, they would fill the batch and leave every other
// tenant unasked.
func (c *claimer) room() int {
	held, parked := c.held.len()-c.held.waitingOnShopCount(), 0
	for _, l := range c.opened {
		parked += l.parked()
	}
	return c.limit() - held + min(parked, c.limit())
}

// loop claims until the run is over and returns once every lane has drained:
// without --loop, until nothing more is due; with it, every Tick until Loop
// has passed. No claim starts after MaxDuration or a signal.
func (c *claimer) loop() error {
	defer c.drainLanes()
	defer c.lookForLockedRows(true)
	cfg := c.run.cfg
	claiming := c.run.newRequests
	if cfg.Loop > 0 {
		var cancel context.CancelFunc
		claiming, cancel = context.WithTimeout(c.run.newRequests, cfg.Loop)
		defer cancel()
	}
	var tick <-chan time.Time
	if cfg.Loop > 0 {
		t := time.NewTicker(max(cfg.Tick, time.Millisecond))
		defer t.Stop()
		tick = t.C
	}
	// When more is due than the run may hold, the claimer also looks again
	// now and then by itself: a lane turning suspect parks orders without
	// letting go of any.
	recheck := time.NewTicker(time.Second)
	defer recheck.Stop()

	var (
		outageSince time.Time
		outageErr   error
		claimedOnce bool
	)
	// A loop shorter than maxClaimOutage whose every claim failed did
	// nothing: it says so, as a run without --loop would.
	ended := func() error {
		if !claimedOnce && outageErr != nil && c.run.abort.Err() == nil {
			return fmt.Errorf("claiming due orders failed for the whole loop: %w", outageErr)
		}
		return nil
	}
	for first := true; ; first = false {
		ctx := claiming
		if first {
			// The first claim is the one a run without --loop makes: it is
			// made however short --loop is, bounded by --max-duration alone.
			ctx = c.run.newRequests
		}
		more, err := c.claimOnce(ctx)
		// Counted from this claim: a recheck that fell due meanwhile, on
		// top of the tick, would make a second claim at once.
		recheck.Reset(time.Second)
		if ctx.Err() != nil {
			// Stopping while claiming is not a failure. --max-duration
			// coming before a claim showed that nothing more was due cuts
			// the run short, were it before the first claim: such a run
			// must not say it took everything due. The end of --loop does
			// not: the next run goes on from there.
			c.cutShortByDeadline = (more || err != nil) && (first || cfg.Loop == 0) && c.run.abort.Err() == nil
			return ended()
		}
		if err == nil {
			claimedOnce = true
			c.lookForLockedRows(false)
		}
		switch {
		case err != nil && (cfg.Loop == 0 || cfg.DryRun):
			return err
		case err != nil:
			// A looping run outlives a passing outage (a restart, a
			// failover, a deadlock victim) and tries again on the next tick;
			// what it holds is still asked, and saved once the database is
			// back.
			outageErr = err
			if outageSince.IsZero() {
				outageSince = time.Now()
				c.run.log.Warn("claiming due orders failed; trying again on the next tick", "err", err)
			} else if time.Since(outageSince) > maxClaimOutage {
				return fmt.Errorf("claiming due orders failed for over %s, so this run stops; the next one tries again: %w", maxClaimOutage, err)
			}
		case !outageSince.IsZero():
			// At the failure's level, so that -q's mail has its end too.
			c.run.log.Warn("claiming due orders works again", "failed_for", time.Since(outageSince).Round(time.Second))
			outageSince = time.Time{}
		}
		switch {
		case cfg.DryRun:
			return nil // a dry run claims nothing, so it looks once
		case more && !c.passedOver && c.room() >= c.refillAt():
			continue // room enough for a full claim: take it now
		case !more && cfg.Loop == 0:
			return nil // everything due was taken
		}
		var refill <-chan struct{}
		var again <-chan time.Time
		switch {
		case more && !c.passedOver:
			refill, again = c.woken, recheck.C
		case more && (tick == nil || cfg.Tick > time.Second):
			// Passing over a panel with a backlog, which lets go of
			// orders many times a second: looked at again every second,
			// not on every answer, which would each be a claim. A
			// looping run's tick, if as frequent, comes alone: the two
			// together made two claims a second, the second finding
			// nothing the first had not.
			again = recheck.C
		}
		select {
		case <-claiming.Done():
			c.cutShortByDeadline = more && cfg.Loop == 0 && c.run.abort.Err() == nil
			return ended()
		case <-refill:
		case <-again:
		case <-tick:
		}
	}
}

// claimOnce claims what fits into the run now, one chunk at most (a dry
// run, which claims nothing, reads all that fits at once). more says that
// more may be due than it could take.
func (c *claimer) claimOnce(ctx context.Context) (more bool, err error) {
	r := c.run
	room := c.room()
	if ctx.Err() != nil {
		return true, nil // not looked: as much may be due as before
	}
	if room < c.refillAt() {
		// Claims come in chunks, not one order per answer: fewer, fuller
		// claims for the database.
		c.passedOver = false
		return true, nil
	}
	if r.cfg.DryRun {
		start := time.Now()
		orders, dbNow, err := r.store.Due(ctx, r.cfg.FirstDelay, r.cfg.Learn, room)
		r.timeDB(start)
		if err != nil {
			return false, err
		}
		// For the give-ups it predicts, on the clock the apply would use.
		r.sched.ReadDatabaseClock(dbNow, time.Now())
		return false, c.dispatch(orders, start)
	}
	chunk := min(room, claimChunk)
	var passOver []string
	for _, l := range c.opened {
		if l.parked() > 0 {
			passOver = append(passOver, l.integration.ID)
		}
	}
	start := time.Now()
	claimed, err := r.store.ClaimBatch(ctx, store.ClaimParams{
		RunID:              r.id,
		Limit:              chunk,
		Register:           min(room, registerAhead*claimChunk),
		FirstDelay:         r.cfg.FirstDelay,
		LearnedFirstChecks: r.cfg.Learn,
		Lease:              ClaimLease,
		Ahead:              c.ahead(),
		PassOver:           passOver,
		PerPanel:           backlogOrders(r.cfg),
		Held:               c.held.list(),
	})
	r.timeDB(start)
	if err != nil {
		return false, err
	}
	r.log.Debug("claim made", "orders", len(claimed.Orders), "panels_passed_over", len(passOver))
	for runID, n := range claimed.TookOver {
		if c.tookOver == nil {
			c.tookOver = map[string]int{}
		}
		c.tookOver[runID] += n
	}
	if !claimed.DBNow.IsZero() {
		r.sched.ReadDatabaseClock(claimed.DBNow, time.Now())
		// The leases just taken are on this reading of the clock: a step
		// after it, the next reservation of a panel's budget finds, though
		// the panel had none before. Timed by its own statement, less what
		// the database says it spent on it, not by the claim's waits for
		// the registering cursor (seconds), which would make its error too
		// wide to see a step of seconds. (A wait for a table's lock as the
		// statement is parsed still widens it, up to the claim's
		// lock_timeout; such a reading replaces a narrower one only when it
		// tells a step, clockRead.)
		r.sends.clockRead(readingOf(store.SendTimes{DBStart: claimed.DBBegan, DBNow: claimed.DBNow,
			Sent: claimed.ReadSent, Received: claimed.ReadBack}))
	}
	orders := claimed.Orders
	if err := c.dispatch(orders, start); err != nil {
		return false, err
	}
	// A short claim means nothing more is due, unless registering says
	// otherwise: a run that lost the race to register the same new orders
	// claims, on its next try, what the winner registered; or the claim
	// passed over panels whose orders are due still.
	c.passedOver = len(passOver) > 0 && len(orders) < chunk
	switch {
	case len(orders) == chunk:
		c.shortClaims = 0
		return true, nil
	case claimed.MoreDue && c.shortClaims < maxShortClaims:
		c.shortClaims++
		return true, nil
	}
	c.shortClaims = 0
	return c.passedOver, nil
}

// ahead is how far ahead of their time a looping run claims orders: until
// its next tick. Each is asked when it falls due (lane.next), not up to a
// tick late; what a check costs the shop's database stays one claim a
// tick. Not past the run's last moment to start a request: an order due
// after it would be claimed only to be released unasked.
func (c *claimer) ahead() time.Duration {
	if c.run.cfg.Loop <= 0 {
		return 0
	}
	ahead := c.run.cfg.Tick
	if end, ok := c.run.newRequests.Deadline(); ok {
		ahead = min(ahead, time.Until(end))
	}
	return max(ahead, 0)
}

// dispatch hands claimed orders to their lanes, opening lanes for panels
// the run has not seen yet. claimedAt is when the claim began.
func (c *claimer) dispatch(orders []store.Order, claimedAt time.Time) error {
	if orders = c.held.add(orders, claimedAt); len(orders) == 0 {
		return nil
	}
	c.run.log.Debug("claimed orders", "count", len(orders))
	var unknown []string
	for _, o := range orders {
		if _, ok := c.byID[o.IntegrationID]; !ok {
			unknown = append(unknown, o.IntegrationID)
		}
	}
	if len(unknown) > 0 {
		integrations, err := c.run.store.Integrations(c.run.db, unknown)
		if err != nil {
			c.applier.release(releaseStopping, orders)
			return err
		}
		for _, id := range unknown {
			if _, ok := c.byID[id]; ok {
				continue
			}
			in, found := integrations[id]
			if !found {
				in = store.Integration{ID: id, Name: id}
			}
			c.open(in, found)
		}
	}
	byLane := make(map[*lane][]store.Order)
	for _, o := range orders {
		l := c.byID[o.IntegrationID]
		byLane[l] = append(byLane[l], o)
	}
	for l, os := range byLane {
		l.push(os)
	}
	return nil
}

// open starts an integration's lane and its workers. An integration that
// cannot even build a client (no such row any more, a base URL that is not
// a URL) is failing from the start: its orders are released unasked.
func (c *claimer) open(in store.Integration, found bool) {
	r := c.run
	l := newLane(r, c.slots, c.applier, in)
	if !found {
		l.fail("the integration no longer exists or is no longer a znet one")
	} else if client, err := panelClient(in, r.http, r.cfg.Timeout); err != nil {
		l.fail(err.Error())
	} else {
		l.client = client
	}
	c.byID[in.ID] = l
	c.opened = append(c.opened, l)
	c.slots.register(l)
	for range r.cfg.PerIntegration {
		c.workers.Go(func() error {
			l.work()
			return nil
		})
	}
}

// drainLanes closes every lane and waits for its workers to finish what
// they still hold.
func (c *claimer) drainLanes() {
	c.slots.claimingOver()
	for _, l := range c.opened {
		l.close()
	}
	_ = c.workers.Wait() // workers report through the applier, never by error
}

// cutShort says that MaxDuration ended claiming while due orders were left.
func (c *claimer) cutShort() bool { return c.cutShortByDeadline }

// lanes may be read once loop has returned: until then it opens more.
func (c *claimer) lanes() []*lane { return c.opened }

func orderIDs(orders []store.Order) []string {
	ids := make([]string, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	return ids
}
