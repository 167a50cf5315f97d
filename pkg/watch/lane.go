package watch

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// Pacer spaces the requests to one dealer panel: Wait returns when the next
// request may leave, and the latest moment it may still leave (zero: any
// time later), or ctx's error when it would not be in time. Close hands
// back what the run reserved and did not use.
type Pacer interface {
	Wait(ctx context.Context) (leaveBy time.Time, err error)
	Close(ctx context.Context)
}

// unpaced lets every request leave at once.
type unpaced struct{}

func (unpaced) Wait(context.Context) (time.Time, error) { return time.Time{}, nil }
func (unpaced) Close(context.Context)                   {}

// newPacer is a panel's pace for --rate requests a second, one budget for
// every run on every host (budget.go); 0 is unpaced. A dry run keeps its
// own pace instead: taking send times from the shared budget is a write,
// and a dry run writes nothing, so it works on a read-only database too.
// Like check --order, it is asked for by a person, once, and comes on top
// of the cron runs' budget.
func newPacer(r *run, in store.Integration) Pacer {
	switch {
	case r.cfg.Rate <= 0:
		return unpaced{}
	case r.cfg.DryRun:
		return ownPace{rate.NewLimiter(rate.Limit(r.cfg.Rate*BudgetMargin), 1)}
	}
	return newSharedBudget(r.sends, in, r.cfg.Rate, r.log)
}

// ownPace paces one run's requests to a panel by itself.
type ownPace struct{ limiter *rate.Limiter }

// Wait waits for the next send time until ctx ends. (rate.Limiter.Wait
// fails at once for a send time past ctx's deadline, max-duration's: the
// lane would take that for a budget it cannot reserve, not for the end of
// the run.) A dry run's pace is its own and comes on top of the cron
// runs' budget anyway: its requests have no latest moment.
func (p ownPace) Wait(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	r := p.limiter.Reserve()
	timer := time.NewTimer(r.Delay())
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
	// Both may be ready at once, and select picks either: a request must
	// not start after ctx ended.
	if err := ctx.Err(); err != nil {
		r.Cancel()
		return time.Time{}, err
	}
	return time.Time{}, nil
}

func (ownPace) Close(context.Context) {}

// lane is one dealer panel within a run: its client, its pace, the orders
// waiting for it, its workers and its fault count. Its state is its own,
// under its own lock; the workers reach the rest of the run only through
// the shared slots and the applier.
type lane struct {
	integration store.Integration
	client      *znet.Client
	pace        Pacer

	run     *run
	slots   *slots
	applier *applier

	// suspect says the panel's last answers were faults or timeouts, and
	// answered that it has answered anything in this run, a refusal too
	// (unlike usable); the slots give a suspect lane, or one not yet heard
	// from, less room. Read without the lock.
	suspect, answered atomic.Bool
	// missedSendTimes counts send times the lane's workers reached too
	// late to use (depart), for the run's debug log.
	missedSendTimes atomic.Int64

	mu      sync.Mutex
	ready   *sync.Cond // signalled when orders arrive or the lane closes
	queue   []store.Order
	closed  bool
	asking  map[string]time.Time // orders in flight, and since when
	streak  []string             // distinct orders whose requests failed in a row as panel faults
	fault   string               // the last of those faults
	failing bool
	reason  string

	// refusedSettings: the last fault is znet's empty body, its own word
	// that the dealer code, the password or the shop's IP is wrong.
	refusedSettings bool
	// panelsOwnFault: the last fault cannot be one order's doing: a page
	// that is not the API's (a wrong base URL), or a request that never
	// reached the panel (no connection, a host that drops it until the
	// deadline). A timeout after the request went out, or a server error,
	// may be: a panel's script that fails on one order alone.
	panelsOwnFault bool
	// unasked are the orders the lane released because the run could
	// start no more requests: should the panel be failing, their give-up
	// clocks stop too.
	unasked []string
	// usable says the panel gave an answer about an order in this run
	// that is not a refusal ("3|..."): done, waiting, cancelled, or one
	// zwatch could not use. refusedAny says it refused a request
	// ("3|..."); refusedAnew are the znet orders (referans numbers,
	// znet.ReferansNumber) it refused whose last request before was not
	// refused; refusal the last refusal's words.
	usable, refusedAny bool
	refusedAnew        map[string]bool
	refusal            string
}

func newLane(r *run, sl *slots, ap *applier, in store.Integration) *lane {
	l := &lane{integration: in, pace: newPacer(r, in), run: r, slots: sl, applier: ap,
		asking: make(map[string]time.Time)}
	l.ready = sync.NewCond(&l.mu)
	// A worker waiting for an order's time (next) must not outlast the
	// run's last moment to start a request.
	context.AfterFunc(r.newRequests, l.wakeWorkers)
	return l
}

// wakeWorkers wakes the workers waiting in next. It takes the lock, so
// that none is between looking at the queue and waiting, where the wake
// would pass it by.
func (l *lane) wakeWorkers() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ready.Broadcast()
}

// push queues orders for the lane's workers. A lane that was cut off takes
// none: they are released at once, with its other orders.
func (l *lane) push(orders []store.Order) {
	l.mu.Lock()
	if !l.failing {
		l.queue = append(l.queue, orders...)
		l.mu.Unlock()
		l.ready.Broadcast()
		return
	}
	l.mu.Unlock()
	l.applier.release(releasePanelFailing, orders)
}

// next waits for the next order; false once the lane is closed and empty.
// An order claimed ahead of its time is handed out when it falls due, or
// at once when the run may start no more requests (it is then released).
// Of the orders due, the first claimed goes first: claims take the orders
// due longest first.
func (l *lane) next() (store.Order, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if len(l.queue) == 0 {
			if l.closed {
				return store.Order{}, false
			}
			l.ready.Wait()
			continue
		}
		now, k := time.Now(), 0
		for i, o := range l.queue {
			if !o.DueAt.After(now) {
				k = i
				break
			}
			if o.DueAt.Before(l.queue[k].DueAt) {
				k = i
			}
		}
		wait := l.queue[k].DueAt.Sub(now)
		if wait <= 0 || l.run.newRequests.Err() != nil {
			o := l.queue[k]
			l.queue = slices.Delete(l.queue, k, k+1)
			return o, true
		}
		// Woken when it falls due, or sooner by an order pushed, the lane
		// closing or the end of new requests (newLane).
		due := time.AfterFunc(wait, l.wakeWorkers)
		l.ready.Wait()
		due.Stop()
	}
}

// close tells the workers that no more orders come; they finish the queue.
func (l *lane) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.ready.Broadcast()
}

// queued is how many orders wait for the lane's workers, leaving out
// those claimed ahead of their time: until then they want no slot.
func (l *lane) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	now, n := time.Now(), 0
	for _, o := range l.queue {
		if !o.DueAt.After(now) {
			n++
		}
	}
	return n
}

// slowAfter is how long a request may be in flight before its panel counts
// as slow: far longer than a panel that works takes, far shorter than the
// timeout a hanging one makes zwatch wait for.
const slowAfter = 3 * time.Second

// backlogFor is how much of its --rate a panel's lane holds, in orders
// due now, before the claims pass over the panel: more than it can ask
// before the claimer looks again (every second at most, and every tick).
const backlogFor = 2 * time.Second

// backlogOrders is how many orders due in a lane make a backlog
// (backlogFor of --rate, on the run's clock: a benchmark compressing time
// gives a rate that many times higher, for as many times shorter
// seconds), at least a round of the lane's workers and at most half of
// what the run holds, or a fast --rate would never have one; 0 without a
// --rate, which leaves a lane's pace to its workers and the panel.
func backlogOrders(cfg Config) int {
	if cfg.Rate <= 0 {
		return 0
	}
	n := max(cfg.PerIntegration, int(math.Ceil(cfg.Rate*backlogFor.Seconds()/max(1, cfg.TimeScale))))
	return min(n, max(1, heldAtMost(cfg)/2))
}

// parked is how many orders wait in the queue of a panel that will not
// ask them soon: one that is suspect, or slow right now, or has a backlog
// (more orders due than its --rate lets it ask within backlogFor). The
// claimer does not let them hold back the claims of other panels' orders,
// and its claims pass over the panel (store.ClaimParams.PassOver) until
// its lane has worked through them: each panel has its own budget, and
// one panel's backlog, oldest due, would otherwise fill every claim.
func (l *lane) parked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) == 0 {
		return 0
	}
	if l.suspect.Load() {
		return len(l.queue)
	}
	slow := min(slowAfter, l.run.cfg.Timeout/2)
	for _, since := range l.asking {
		if time.Since(since) > slow {
			return len(l.queue)
		}
	}
	if backlog := backlogOrders(l.run.cfg); backlog > 0 {
		now, due := time.Now(), 0
		for _, o := range l.queue {
			if !o.DueAt.After(now) {
				due++
			}
		}
		if due >= backlog {
			return len(l.queue)
		}
	}
	return 0
}

// work asks znet about the lane's orders, one at a time; PerIntegration of
// these run per lane.
func (l *lane) work() {
	for {
		o, ok := l.next()
		if !ok {
			return
		}
		l.askAndHandOver(o)
	}
}

// askAndHandOver asks about one order and hands the applier its answer, or
// the order back unasked.
func (l *lane) askAndHandOver(o store.Order) {
	r := l.run
	sl, ok := l.acquire()
	var (
		a        answer
		timedOut bool
	)
	// A request is on its way (run.asking) until the applier takes its
	// answer (applier.receive): an applier holding a PIN and seeing none
	// on its way saves it at once, and must neither leave out an answer
	// just back nor wait for one it already holds. Handed back unasked,
	// it stops being on its way here.
	onItsWay := false
	handBack := func(why releaseReason) {
		if onItsWay {
			r.asking.Add(-1)
		}
		l.applier.release(why, []store.Order{o})
	}
	if ok {
		r.asking.Add(1)
		onItsWay = true
		// The pace is waited for while holding the slot, so that
		// requests leave in the rhythm the panel was promised, not in a
		// burst later.
		a, timedOut, ok = l.ask(o)
		l.slots.release(sl)
	}
	switch {
	case !ok && a.claim == claimTakenOver:
		handBack(releaseTakenOver)
		return
	case !ok && a.claim == claimUnconfirmed:
		handBack(releaseUnconfirmed)
		return
	}
	if !ok {
		why := l.whyUnasked()
		if why == releaseAtDeadline {
			l.mu.Lock()
			l.unasked = append(l.unasked, o.ID)
			l.mu.Unlock()
		}
		handBack(why)
		return
	}
	if a.err != nil && r.abort.Err() != nil {
		// Cut short by a signal: znet may have seen it, but the order is
		// not to blame. Released without counting an attempt against it,
		// and told apart from the orders released unasked.
		handBack(releaseCutShort)
		return
	}
	if timedOut && r.stalledSince(a.askedAt) {
		// The deadline ran on while the process did not run (SIGSTOP, a
		// paused VM): the panel may well have answered in time. Neither
		// it nor the order is to blame; asked again, not cut off.
		r.log.Debug("a request timed out while the process did not run; the order is asked again",
			"order", o.ID, "integration", l.integration.Name)
		handBack(releaseStalled)
		return
	}
	cutOff := l.record(o, a.err, timedOut)
	a.onItsWay = onItsWay
	l.applier.answer(a)
	if cutOff {
		// Info, not a warning: the summary reports a failing panel, and
		// check-pending -q says so once rather than in every run's mail.
		r.log.Info("integration cut off for this run: its remaining orders are released unasked",
			"integration", l.integration.Name, "faults_in_a_row", r.cfg.FaultLimit, "err", a.err.Error())
		l.applier.release(releasePanelFailing, l.takeQueue())
	}
}

// acquire waits for a slot. It fails when the run may start no more
// requests or the panel was cut off meanwhile.
func (l *lane) acquire() (slot, bool) {
	r := l.run
	if r.newRequests.Err() != nil || l.isFailing() {
		return slot{}, false
	}
	return l.slots.acquire(r.newRequests, l)
}

// depart waits for the panel's pace and says when the request leaves. It
// fails when the run may start no more requests, the pace cannot be had or
// the panel was cut off meanwhile.
//
// The send time is checked here, at the moment the request is recorded as
// leaving (asked_at), not only when the pace woke the worker: a thread a
// busy host holds up between the two would otherwise use its send time
// late and crowd the next one into the same second at the panel. A send
// time missed so is dropped, and the next one taken. (What the HTTP client
// and the network add after this moment is the jitter the budget's
// spacing allows for.)
//
// Before the send time is checked, the order's claim is, if it may have
// lapsed (run.claimOf): after the wait for the pace, where a stopped
// run most likely was, and before the moment it leaves, so that the
// check's round trip does not make it leave late. Nothing leaves unless
// claim is claimOurs.
func (l *lane) depart(o store.Order) (start time.Time, ok bool, claim claimState) {
	r := l.run
	for {
		leaveBy, err := l.pace.Wait(r.newRequests)
		// A send time and the run's max-duration may fall due together,
		// and the pace's wait may then return either: no request starts
		// after the run may start no more.
		if err != nil || r.newRequests.Err() != nil || l.isFailing() {
			return time.Time{}, false, claimOurs
		}
		if claim := r.claimOf(l.applier.held, o); claim != claimOurs {
			return time.Time{}, false, claim
		}
		start = time.Now()
		if leaveBy.IsZero() || !start.After(leaveBy) {
			return start, true, claimOurs
		}
		l.missedSendTimes.Add(1)
	}
}

// whyUnasked says why an order the lane could not start is released.
func (l *lane) whyUnasked() releaseReason {
	switch {
	case l.isFailing():
		return releasePanelFailing
	case l.run.abort.Err() != nil:
		return releaseStopping
	case l.run.newRequests.Err() != nil:
		return releaseAtDeadline
	}
	// The panel's budget could not be reserved (the database is failing,
	// or the role lacks its grants): not max-duration's doing, and due
	// again at once all the same.
	return releaseNoBudget
}

// ask asks znet about one order, in the panel's pace. timedOut says the
// panel did not answer within the run's timeout (not that the run was
// stopped); asked is false when the request did not leave (depart), or
// the order's claim is not the run's to ask on (a.claim).
func (l *lane) ask(o store.Order) (a answer, timedOut, asked bool) {
	r := l.run
	start, ok, claim := l.depart(o)
	if claim != claimOurs {
		return answer{claim: claim}, false, false
	}
	if !ok {
		return answer{}, false, false
	}
	ctx, cancel := context.WithDeadline(r.abort, start.Add(r.cfg.Timeout))
	defer cancel()
	l.mu.Lock()
	l.asking[o.ID] = start
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.asking, o.ID)
		l.mu.Unlock()
	}()
	status, err := l.client.CheckPin(ctx, o.Referans)
	a = heard(o, status, err, start)
	a.lane = l
	if err != nil && r.abort.Err() == nil {
		var netErr net.Error
		timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded) ||
			errors.Is(err, context.DeadlineExceeded) ||
			(errors.As(err, &netErr) && netErr.Timeout())
	}
	return a, timedOut, true
}

// record counts panel faults in a row and reports whether this one cut the
// panel off. A fault is what says the whole panel is unusable (bad
// credentials, wrong base URL, unreachable), a request the panel did not
// answer in time, or an answer that is no znet answer (a server error, a
// firewall's page); it counts once per order, so that the cut-off needs
// FaultLimit different orders failing in a row. Any other answer, even an
// error an order can be blamed for (znet refusing the request), ends the
// streak.
func (l *lane) record(o store.Order, err error, timedOut bool) (cutOff bool) {
	orderID := o.ID
	if errors.Is(err, znet.ErrReferansUnusable) {
		// The request never left: the panel neither answered nor failed.
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil || !(timedOut || znet.IsIntegrationFault(err) || znet.IsPanelTrouble(err)) {
		l.streak = l.streak[:0]
		l.suspect.Store(false)
		l.answered.Store(true)
		if k, _ := znet.KindOf(err); k == znet.KindRejected {
			// Counted by znet's order: copies of one order, or "6150"
			// and "06150", are one refusal.
			number := znet.ReferansNumber(o.Referans)
			l.refusedAny, l.refusal = true, err.Error()
			if o.LastResult != refusedResult {
				if l.refusedAnew == nil {
					l.refusedAnew = make(map[string]bool)
				}
				l.refusedAnew[number] = true
			}
		} else {
			l.usable = true
		}
		return false
	}
	l.suspect.Store(true)
	l.fault = err.Error()
	k, _ := znet.KindOf(err)
	l.refusedSettings = k == znet.KindUnauthorized
	l.panelsOwnFault = k == znet.KindWrongBaseURL || k == znet.KindUnreachable || znet.NeverReached(err)
	for _, id := range l.streak {
		if id == orderID {
			return false
		}
	}
	l.streak = append(l.streak, orderID)
	if len(l.streak) < l.run.cfg.FaultLimit || l.failing {
		return false
	}
	l.failing = true
	l.reason = err.Error()
	if timedOut {
		l.reason = fmt.Sprintf("no answer within %s from %d orders in a row: %s", l.run.cfg.Timeout, len(l.streak), err)
	}
	return true
}

// takeQueue empties the queue, for release.
func (l *lane) takeQueue() []store.Order {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queue
	l.queue = nil
	return q
}

// fail cuts the lane off before it asked anything: the integration is gone
// or its settings cannot make a client.
func (l *lane) fail(reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failing = true
	l.reason = reason
}

// failingWhenUnanswered is how many distinct orders in a row must have
// failed with panel faults or timeouts, in a run the panel never answered,
// for the run to report the panel failing although it was not cut off.
const failingWhenUnanswered = 2

// state is whether the panel is failing, and why. A panel that was cut off
// is; so is one that never answered in the whole run while its requests
// kept failing: a panel with too few due orders to reach the cut-off in
// one run (or whose timeouts the run could not wait out) would otherwise
// never be reported, and its orders would go stuck without a word. One
// failed request is enough when it was answered with an empty body: znet
// sends one for a wrong dealer code or password or a foreign IP, never
// about an order, so a panel with one order due a run is reported too.
// (A page that is not the API's, or no answer, may be a moment's: it
// takes two, in this run or with the last run that asked the panel.) A
// refusal ends these counts, as an answer; one that refuses every order,
// and answers nothing else, is failing too (failingOnRefusals).
func (l *lane) state() (failing bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.failing:
		return true, l.reason
	case l.failingOnRefusals():
		return true, fmt.Sprintf("no usable answer, znet refused the requests about %d orders in a row that it had not refused before (most likely the dealer's account, not the orders): %s",
			l.refusedInARow(), l.refusal)
	case l.answered.Load():
		return false, ""
	}
	switch n := len(l.streak); {
	case n >= min(failingWhenUnanswered, l.run.cfg.FaultLimit):
		return true, fmt.Sprintf("no usable answer in this run, %d orders in a row failed: %s", n, l.fault)
	case n == 1 && l.refusedSettings:
		return true, "no usable answer in this run: " + l.fault
	case n == 1 && l.unansweredBefore():
		return true, "no usable answer in this run nor in the last that asked it: " + l.fault
	}
	return false, ""
}

// failingWhenRefused is how many orders in a row a panel must have
// refused ("3|...") that it had not refused before, with no other answer
// between, for a run to report it failing. znet refuses a request about
// an order it does not know, so one or two refusals are the orders', and
// an order refused again is no news; a panel that refuses every order it
// is asked about has most likely refused the dealer (a suspended
// account, API access withdrawn), and would otherwise run its orders
// into give-up without a word. The orders are counted across runs
// (Config.RefusedBefore), so that a shop with an order or two due a run
// is told too.
const failingWhenRefused = 3

// refusedResult is the last result of an order whose request znet refused.
var refusedResult = store.ErrorResult(znet.KindRejected.String())

// failingOnRefusals says the panel refused requests in this run and gave
// no other answer, and has refused failingWhenRefused orders or more in a
// row that it had not refused before. Its orders' give-up clocks run on
// (ordersToStopClocks): a refusal is an answer, and orders znet refuses
// for good must reach give-up. The caller holds l.mu.
func (l *lane) failingOnRefusals() bool {
	return !l.usable && l.refusedAny && l.refusedInARow() >= failingWhenRefused
}

// refusedInARow is how many orders the panel refused, not having refused
// them before, in this run and in the runs since its last answer about an
// order. The caller holds l.mu.
func (l *lane) refusedInARow() int {
	n := len(l.refusedAnew)
	for _, number := range l.run.cfg.RefusedBefore[l.integration.ID] {
		if !l.refusedAnew[number] {
			n++
		}
	}
	return n
}

// refusedOnly says the panel refused requests in this run, answered
// nothing else and is not failing; which of the orders it refused it had
// not refused before, for the run's verdict (store.RefusedOn); and the
// last refusal's words.
func (l *lane) refusedOnly() (refusedAnew []string, refusal string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing || l.usable || !l.refusedAny || l.failingOnRefusals() {
		return nil, "", false
	}
	return slices.Sorted(maps.Keys(l.refusedAnew)), l.refusal, true
}

// answeredUsably says the panel gave an answer about an order in this
// run that is not a refusal (Summary's Answered): a panel failing before
// that only refuses requests has not come back.
func (l *lane) answeredUsably() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.usable
}

// unansweredBefore says an earlier run left the panel without a usable
// answer (Config.UnansweredBefore) and this run's one fault makes it
// failing: a fault of the panel's own, or one of another order than the
// one that faulted before. One order that fails alone, again and again,
// while the panel answers the others, would otherwise have the panel
// called failing each time it alone was due, and its give-up clock
// stopped for good; a failing verdict names no order, and the one that
// made it so may be this one (a panel back from an outage whose script
// hangs on it). The caller holds l.mu.
func (l *lane) unansweredBefore() bool {
	order, ok := l.run.cfg.UnansweredBefore[l.integration.ID]
	switch {
	case !ok:
		return false
	case l.panelsOwnFault:
		return true
	}
	return order != "" && order != l.streak[0]
}

// faultedOn is the order whose failed request was all the run heard of
// the panel, too little to be failing by this run alone
// (Config.UnansweredBefore); "" if none was.
func (l *lane) faultedOn() string {
	failing, _ := l.state()
	l.mu.Lock()
	defer l.mu.Unlock()
	if failing || l.answered.Load() || len(l.streak) == 0 {
		return ""
	}
	return l.streak[len(l.streak)-1]
}

func (l *lane) isFailing() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failing
}

func (l *lane) isSuspect() bool { return l.suspect.Load() }

// isUnheard says the panel has not answered yet in this run.
func (l *lane) isUnheard() bool { return !l.answered.Load() }

// ordersToStopClocks lists, if the lane is failing, the orders whose
// faults made it so and those it held but could not ask before the run
// ended, whose give-up clocks stop (store.StopGiveUpClocks). Failing is
// cut off, or reported failing because the panel never answered in the run:
// a panel with fewer orders than it takes to cut it off, or one that hangs
// longer than a run can wait out the cut-off, is as broken, and its
// orders' give-up clocks stop all the same. A panel failing on refusals
// answers, and stops none: orders znet refuses for good must reach
// give-up.
func (l *lane) ordersToStopClocks() []string {
	if failing, _ := l.state(); !failing {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failingOnRefusals() && !l.failing {
		return nil
	}
	return append(append([]string(nil), l.streak...), l.unasked...)
}
