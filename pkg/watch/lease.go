package watch

import (
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
	mu    sync.Mutex
	ids   map[string]struct{}
	total int // orders claimed over the run
	// onDrop is called, outside the lock, when orders were let go of: the
	// claimer may then claim more. Set before the run starts.
	onDrop func()
}

func newHoldings() *holdings {
	return &holdings{ids: make(map[string]struct{})}
}

// add holds claimed orders and returns those the run did not hold already.
// The run claims an order it still holds (asked, its answer not yet saved)
// only when its own claim lapsed meanwhile, its heartbeat unable to reach
// the database: the claim is the run's again, and asking a second time
// would put two answers for one order into one save, where either may win.
func (h *holdings) add(orders []store.Order) (fresh []store.Order) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, o := range orders {
		if _, held := h.ids[o.ID]; held {
			continue
		}
		h.ids[o.ID] = struct{}{}
		fresh = append(fresh, o)
	}
	h.total += len(fresh)
	return fresh
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
	}
	h.mu.Unlock()
	if h.onDrop != nil {
		h.onDrop()
	}
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

// heartbeat renews the run's claims every renewEvery until the returned
// function is called, which waits for it to stop. A renewal that fails (the
// database is restarting) is tried again at the next beat; the claims hold
// for ClaimLease meanwhile, and a claim that lapsed without another run
// taking it is renewed as still this run's.
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
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			start := time.Now()
			_, err := r.store.RenewClaims(r.db, r.id, held.list(), ClaimLease)
			r.timeDB(start)
			switch {
			case err != nil && !failing:
				failing = true
				r.log.Warn("renewing this run's claims failed; trying again in a moment", "err", err)
			case err == nil && failing:
				failing = false
				r.log.Info("renewing this run's claims works again")
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
