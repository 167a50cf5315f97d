package watch

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// A transaction holding an order's row of zwatch_order_checks (a person's
// UPDATE left uncommitted in psql) hides the order from every claim, which
// skips locked rows without a word: it is not asked, nor given up on, and
// every run would end well. A run looks for such rows now and then, and
// calls a person for each it finds held, unchanged, at two looks.
const (
	// lockedRowsLookEvery is how often a run looks, beside its claims,
	// and lockedRowsJitter how much later at most: one look at a time
	// across every run (store.LockedDueOrders), and two runs started by
	// one cron minute must not meet at each look, one of them looking at
	// nothing.
	lockedRowsLookEvery = 15 * time.Second
	lockedRowsJitter    = 5 * time.Second
	// lockedRowsConfirmAfter is how far apart two looks must be to tell a
	// transaction that holds a row from a claim holding it for a moment.
	lockedRowsConfirmAfter = 5 * time.Second
)

// lockedRows is what a run's looks found.
type lockedRows struct {
	nextLook time.Time
	// seen is, for each order found held at the last look, when it was
	// first found so and the row's version then.
	seen map[string]lockedSighting
	// called are the orders a person was called for, in the order found.
	called []store.LockedDue
	// lookFailed: a look failed, which was said.
	lookFailed bool
}

type lockedSighting struct {
	version string
	since   time.Time
}

// lookForLockedRows looks for held rows: every lockedRowsLookEvery or a
// little later, and once more as the run ends (last) if a row found held
// could be told by then. A look that fails is said once a run, as a
// warning: it comes right after a claim that worked, so the database
// answers, and a look that fails every time (a grant missing) would leave
// held rows unsaid for good.
func (c *claimer) lookForLockedRows(last bool) {
	r := c.run
	l := &c.locked
	if r.cfg.DryRun {
		return
	}
	now := time.Now()
	switch {
	case !last && now.Before(l.nextLook):
		return
	case last && !l.couldConfirm(now):
		return
	}
	l.nextLook = now.Add(lockedRowsLookEvery + rand.N(lockedRowsJitter))
	ctx, cancel := context.WithTimeout(r.db, 5*time.Second)
	defer cancel()
	start := time.Now()
	found, looked, err := r.store.LockedDueOrders(ctx, c.held.list())
	r.timeDB(start)
	if err == nil && !looked {
		return // another run's look was under way: the next look tells
	}
	if err != nil {
		if !l.lookFailed {
			r.log.Warn("looking for due orders whose row another transaction holds failed; such orders would not be named", "err", err)
		}
		l.lookFailed = true
		return
	}
	seen := make(map[string]lockedSighting, len(found))
	for _, f := range found {
		before, ok := l.seen[f.OrderID]
		if !ok || before.version != f.Version {
			seen[f.OrderID] = lockedSighting{version: f.Version, since: now}
			continue
		}
		seen[f.OrderID] = before
		if now.Sub(before.since) >= lockedRowsConfirmAfter && !l.wasCalled(f.OrderID) {
			l.called = append(l.called, f)
			r.log.Error("another transaction holds this order's row of zwatch_order_checks, so no run can claim it: it is not asked about, nor given up on, until that transaction ends; "+
				"end it (pg_stat_activity: state 'idle in transaction')",
				"order", f.OrderID, "due_for", f.LookedAtDB.Sub(f.DueSince).Round(time.Second))
		}
	}
	l.seen = seen
	// A row found held is looked at again as soon as that can tell, not
	// a whole interval later: within the same run, whose first claim may
	// have come seconds into it.
	if soon := now.Add(lockedRowsConfirmAfter + rand.N(time.Second)); l.couldConfirm(soon) && soon.Before(l.nextLook) {
		l.nextLook = soon
	}
}

// couldConfirm says whether a look now could confirm a row found held.
func (l *lockedRows) couldConfirm(now time.Time) bool {
	for id, s := range l.seen {
		if !l.wasCalled(id) && now.Sub(s.since) >= lockedRowsConfirmAfter {
			return true
		}
	}
	return false
}

func (l *lockedRows) wasCalled(orderID string) bool {
	for _, f := range l.called {
		if f.OrderID == orderID {
			return true
		}
	}
	return false
}

// fill names the orders called for in s.
func (l *lockedRows) fill(s *Summary) {
	for _, f := range l.called {
		s.RowHeld = append(s.RowHeld, f.OrderID)
		if s.Named == nil {
			s.Named = make(map[string]OrderName)
		}
		s.Named[f.OrderID] = OrderName{OrderNo: f.OrderNo, Referans: f.Referans}
	}
}
