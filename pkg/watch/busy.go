package watch

import (
	"errors"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// busyRetry is how soon the answer of an order whose shop row a shop
// transaction held is applied again. The store never waits for such a row,
// so the other orders' answers go on at normal speed meanwhile.
const busyRetry = 500 * time.Millisecond

// setAsideBusy takes the answers the store reported busy out of a batch,
// so that they are neither counted nor logged until they are saved or
// released.
func setAsideBusy(batch []answer, outcomes []store.Outcome, applied []store.Applied) (rest []answer, restOutcomes []store.Outcome, busy []answer) {
	isBusy := make(map[string]bool)
	for _, ap := range applied {
		if ap.Busy {
			isBusy[ap.OrderID] = true
		}
	}
	if len(isBusy) == 0 {
		return batch, outcomes, nil
	}
	for i, a := range batch {
		if isBusy[a.order.ID] {
			busy = append(busy, a)
			continue
		}
		rest = append(rest, a)
		restOutcomes = append(restOutcomes, outcomes[i])
	}
	return rest, restOutcomes, busy
}

// settleBusy is the end of the run for answers whose shop rows stayed
// locked: one more try after a moment, then their claims are released, so
// that the next run asks about them at once instead of waiting for the
// lease to lapse. They count as answers that could not be saved.
func (r *run) settleBusy(busy []answer) error {
	if len(busy) == 0 {
		return nil
	}
	select {
	case <-time.After(busyRetry):
	case <-r.db.Done():
	}
	busy, err := r.applyBatch(busy)
	if len(busy) == 0 {
		return err
	}
	ids := make([]string, len(busy))
	outcomes := make([]store.Outcome, len(busy))
	for i, a := range busy {
		ids[i] = a.order.ID
		outcomes[i] = a.outcome(r.cfg.Schedule)
	}
	r.log.Warn("a shop transaction held these orders' rows until the end of the run: znet's answers were not saved, and the orders will be asked again",
		"orders", len(ids), "first", ids[0])
	r.account(busy, outcomes, nil)
	start := time.Now()
	defer r.timeDB(start)
	return errors.Join(err, r.store.Release(r.db, r.id, ids))
}
