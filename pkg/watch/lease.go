package watch

import (
	"slices"
	"sync"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// ClaimLease is how long a claim holds unless renewed, and renewEvery how
// often a run renews the claims it still holds. A run that dies (SIGKILL,
// a lost host) leaves claims that lapse within ClaimLease, so that the next
// run asks about its orders within a minute or two; a live run renews its
// claims long before they lapse, however long an order waits in its lane
// or its answer waits for the database. Three renewals fit in one lease, so
// that one slow or failed renewal loses nothing.
const (
	ClaimLease = 45 * time.Second
	renewEvery = ClaimLease / 3
)

// holdings are the orders the run has claimed and not yet let go of: asked
// and saved, or released. The claimer adds, the applier drops, the
// heartbeat reads.
type holdings struct {
	mu sync.Mutex
	// ids are the orders held, each with when its claim was last
	// confirmed: the start, on this host's clock, of the claim or renewal
	// that took it or extended it. The claim holds ClaimLease from then at
	// least.
	ids   map[string]time.Time
	total int // orders claimed over the run
	// waitingOnShop are the held orders whose answers wait for a row a
	// transaction of the shop holds (see claimer.room).
	waitingOnShop map[string]bool
	// renewFailing says the heartbeat's last renewal failed: the database
	// cannot be reached, and trying to confirm a claim would only wait.
	renewFailing bool
	// steps are the forward steps of the database's clock seen lately
	// (shorten): a renewal or a claim whose statement began before one may
	// have run on the clock before it, and confirms that much less.
	steps []clockStep
	// onDrop is called, outside the lock, when orders were let go of: the
	// claimer may then claim more. Set before the run starts.
	onDrop func()
}

func newHoldings() *holdings {
	return &holdings{ids: make(map[string]time.Time), waitingOnShop: make(map[string]bool)}
}

// add holds claimed orders and returns those the run did not hold already.
// A claim leaves the orders the run holds alone (store.ClaimParams.Held),
// even one whose claim lapsed while the heartbeat could not reach the
// database: the heartbeat renews that claim once it can. Were a held order
// returned all the same, it is not handed out again: asked a second time,
// it would put two answers for one order into one save, where either may
// win.
//
// claimedAt is when the claim's statement began.
func (h *holdings) add(orders []store.Order, claimedAt time.Time) (fresh []store.Order) {
	h.mu.Lock()
	defer h.mu.Unlock()
	claimedAt = h.stepAware(claimedAt)
	for _, o := range orders {
		_, held := h.ids[o.ID]
		h.ids[o.ID] = claimedAt
		if !held {
			fresh = append(fresh, o)
		}
	}
	h.total += len(fresh)
	return fresh
}

// setRenewFailing notes whether the heartbeat's last renewal failed.
func (h *holdings) setRenewFailing(failing bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.renewFailing = failing
}

// confirm notes that the claims on ids, still held, were renewed by a
// statement that began at.
func (h *holdings) confirm(ids []string, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	at = h.stepAware(at)
	for _, id := range ids {
		if was, held := h.ids[id]; held && at.After(was) {
			h.ids[id] = at
		}
	}
}

// doubt forgets the confirmation of the claims on ids that the heartbeat
// asked to renew, in a renewal that began at, and found no longer the
// run's: another run took them after they lapsed on the database's clock
// (it stepped forward, or this run was stopped), or a transaction held
// their rows a moment. Which, the run finds out before it asks (claimOf).
// A claim confirmed after the renewal began (taken again meanwhile) is
// left as it is.
func (h *holdings) doubt(ids []string, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		if was, held := h.ids[id]; held && !was.After(at) {
			h.ids[id] = time.Time{}
		}
	}
}

// shorten moves every claim's confirmation back by step: the database's
// clock was found stepped forward by it, and the leases, which run on that
// clock, lapse that much early. A step of a few milliseconds (a clock
// slewed, read as a step) changes next to nothing; one that eats the
// margin of unconfirmedLimit has the run check the claims before asking.
// The run calls it once for each step, though each panel's budget sees it
// (sendBatch.clockRead).
func (h *holdings) shorten(step time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, at := range h.ids {
		if !at.IsZero() {
			h.ids[id] = at.Add(-step)
		}
	}
	now := time.Now()
	// A confirmation older than a lease counts for nothing anyway.
	h.steps = slices.DeleteFunc(h.steps, func(s clockStep) bool { return now.Sub(s.seenAt) > ClaimLease })
	h.steps = append(h.steps, clockStep{seenAt: now, by: step})
}

// clockStep is a forward step of the database's clock, and when the run
// saw it.
type clockStep struct {
	seenAt time.Time
	by     time.Duration
}

// stepAware is the confirmation a statement that began at gives: less
// every step seen since it began. h.mu must be held.
func (h *holdings) stepAware(at time.Time) time.Time {
	for _, s := range h.steps {
		if at.Before(s.seenAt) {
			at = at.Add(-s.by)
		}
	}
	return at
}

// confirmedWithin says whether the claim on id was confirmed less than d
// ago: it still holds, whatever happened since.
func (h *holdings) confirmedWithin(id string, d time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	at, held := h.ids[id]
	return held && time.Since(at) < d
}

// renewing says whether the heartbeat's last renewal worked.
func (h *holdings) renewing() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.renewFailing
}

// claimed is how many orders the run has claimed so far.
func (h *holdings) claimed() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

func (h *holdings) drop(ids []string) {
	if len(ids) == 0 {
		return
	}
	h.mu.Lock()
	for _, id := range ids {
		delete(h.ids, id)
		delete(h.waitingOnShop, id)
	}
	h.mu.Unlock()
	if h.onDrop != nil {
		h.onDrop()
	}
}

// waitOnShop notes held orders whose answers wait for a row the shop holds.
func (h *holdings) waitOnShop(ids []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		if _, held := h.ids[id]; held {
			h.waitingOnShop[id] = true
		}
	}
}

// waitingOnShopCount is how many held orders' answers wait for the shop.
func (h *holdings) waitingOnShopCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.waitingOnShop)
}

func (h *holdings) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ids)
}

func (h *holdings) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]string, 0, len(h.ids))
	for id := range h.ids {
		ids = append(ids, id)
	}
	return ids
}

// heartbeat renews the run's claims every renewEvery, and at once when
// asked (renewSoon), until the returned function is called, which waits
// for it to stop. A renewal that fails (the database is restarting, or
// this host cannot reach it) is tried again at the next beat; meanwhile
// the run asks about an order only while its claim's last confirmation is
// recent (claimOf), and a claim that lapsed without another run taking it
// is renewed as still this run's.
func (r *run) heartbeat(held *holdings) (stop func()) {
	if r.cfg.DryRun {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(renewEvery)
		defer tick.Stop()
		failing := false
		var lastTried time.Time
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			case <-r.renewNow:
				if wait := minRenewGap - time.Since(lastTried); wait > 0 {
					select {
					case <-quit:
						return
					case <-time.After(wait):
					}
				}
				// The next beat counts from this renewal: one that fell
				// due meanwhile is not one more.
				tick.Reset(renewEvery)
			}
			if r.db.Err() != nil {
				// The run's time with the database is over (dbGrace after
				// a signal): its claims are handed back by the last
				// release, or lapse; a renewal would fail, and say so.
				return
			}
			// This renewal answers any request for one made until now.
			select {
			case <-r.renewNow:
			default:
			}
			err := r.renew(held)
			lastTried = time.Now()
			switch {
			case err != nil && !failing:
				failing = true
				r.log.Warn("renewing this run's claims failed; trying again in a moment, and meanwhile handing back unasked "+
					"the orders whose claims were last renewed more than "+unconfirmedLimit.String()+" ago (another host's run may take them)", "err", err)
			case err == nil && failing:
				failing = false
				// At the failure's level, so that -q's mail has its end too.
				r.log.Warn("renewing this run's claims works again")
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// renewAfterStep is the least forward step of the database's clock that
// has the run renew its claims at once: a smaller one (a slewed clock read
// as a step) shortens them by next to nothing.
const renewAfterStep = time.Second

// minRenewGap puts off a renewal renewSoon asks for right after the last
// try: a database that answers, fails and answers again would otherwise
// have every claim renewed at each turn, and one that is down tried for
// each order handed back.
const minRenewGap = time.Second

// renewSoon has the heartbeat renew the run's claims at once: the
// database's clock stepped (which claims are still the run's, the renewal
// tells), or the database answers again after failing (while the last
// renewal failed, claimOf hands back what it cannot confirm, without
// asking the database).
func (r *run) renewSoon() {
	select {
	case r.renewNow <- struct{}{}:
	default: // one is asked for already
	}
}

// renew renews the claims the run holds, once, and notes which are no
// longer its own.
func (r *run) renew(held *holdings) error {
	start := time.Now()
	asked := held.list()
	renewed, err := r.store.RenewClaims(r.db, r.id, asked, ClaimLease)
	r.timeDB(start)
	held.setRenewFailing(err != nil)
	if err != nil {
		return err
	}
	held.confirm(renewed, start)
	held.doubt(notIn(asked, renewed), start)
	return nil
}

// unconfirmedLimit is how long after its last confirmation a run asks
// about an order without first making sure the claim is still its own: a
// heartbeat renews every renewEvery, so only a run stopped meanwhile
// (SIGSTOP, a paused VM), one cut off from the database, or one whose
// renewal found the claim gone (holdings.doubt) gets past it.
const unconfirmedLimit = ClaimLease - 10*time.Second

// claimState is what a run knows of its claim on an order it is about to
// ask about.
type claimState int

const (
	claimOurs        claimState = iota
	claimTakenOver              // it lapsed, and another run holds it now
	claimUnconfirmed            // it may have lapsed, and the database cannot be asked
)

func (c claimState) String() string {
	return [...]string{"the run's", "taken over", "unconfirmed"}[c]
}

// claimOf says whether the run's claim on o is still its own. A claim
// confirmed lately is; one that is not is renewed for o alone, and is the
// run's if that works. One another run holds now (this run was stopped
// longer than the lease, or the database's clock stepped forward) is not
// to be asked about: the other run has asked, or is asking, and this
// run's answer could not be saved. Nor is one that cannot be confirmed
// because the database cannot be reached: only this run's path to it may
// be broken (a network cut between one host and the database), and
// another host's run may take the order once the lease lapses.
func (r *run) claimOf(held *holdings, o store.Order) claimState {
	if r.cfg.DryRun || held.confirmedWithin(o.ID, unconfirmedLimit) {
		return claimOurs
	}
	if !held.renewing() {
		// The heartbeat cannot reach the database: asking would only
		// wait on it, order after order. It tries again now (a second
		// after its last try at most), not at its next beat: the database
		// may be back, and the orders held by claims it renews are asked.
		r.renewSoon()
		return claimUnconfirmed
	}
	start := time.Now()
	ours, err := r.store.ClaimStillOurs(r.db, r.id, o.ID, ClaimLease)
	r.timeDB(start)
	switch {
	case err != nil:
		return claimUnconfirmed
	case ours:
		held.confirm([]string{o.ID}, start)
		return claimOurs
	}
	return claimTakenOver
}

// notIn is the ids in all that are not in some.
func notIn(all, some []string) []string {
	in := make(map[string]bool, len(some))
	for _, id := range some {
		in[id] = true
	}
	var rest []string
	for _, id := range all {
		if !in[id] {
			rest = append(rest, id)
		}
	}
	return rest
}
