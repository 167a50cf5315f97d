package watch

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// maxApplyBatch bounds how many answers one database statement applies.
// Each statement costs the shop's database about 0.3 ms before its first
// order, as much as five orders' writes, so the first answer of a batch
// waits for company:
//   - a final answer (a PIN, a cancellation), whose customer is waiting,
//     for applyLinger at most, enough for a panel's next answer (its
//     requests leave a pace apart, 200 ms at 5 a second), and not at all
//     when no request is on its way that could join it (run.asking);
//   - a "still waiting" answer or a release, which nobody waits on, for
//     quietLinger: orders are asked as they fall due, spread over each
//     second, and most answers of a run are these.
const (
	maxApplyBatch = 200
	applyLinger   = 250 * time.Millisecond
	quietLinger   = time.Second
)

// applyTimeout bounds one statement of the applier, so that a database that
// stopped answering cannot hold the run's answers hostage; retryFirst and
// retryMost are the first and the longest wait before trying again, and
// retryRefusedRow the wait for an answer the database refused for what its
// own row holds (keepForLater).
const (
	applyTimeout    = 20 * time.Second
	retryFirst      = 250 * time.Millisecond
	retryMost       = 5 * time.Second
	retryRefusedRow = 30 * time.Second
)

// shopRowGrace is how long the end of a run keeps trying answers whose
// order row a transaction of the shop holds, every shopRowPoll. A checkout
// or a staff edit holds a row for milliseconds, and the answer is saved a
// moment later; released instead, the order would be asked again, a
// request of the panel's budget spent on an answer already in hand. A
// transaction that holds the row longer is not waited for: the claim is
// handed back, and the next run asks again.
const (
	shopRowGrace = 3 * time.Second
	shopRowPoll  = 100 * time.Millisecond
)

// releaseReason is why a claimed order goes back unasked. Each reason says
// how long the order then waits.
type releaseReason int

const (
	releaseStopping     releaseReason = iota // a signal, or the run cannot go on: due again at once
	releaseAtDeadline                        // max-duration came first: due again at once
	releasePanelFailing                      // its panel was cut off: due after panelRetry, give-up clock stopped
	releaseNotSaved                          // znet answered but the answer could not be saved: due again at once
	releaseNoBudget                          // its panel's shared budget could not be reserved: due after panelRetry
	releaseTakenOver                         // its claim lapsed and another run holds it: not ours to ask or hand back
	releaseStalled                           // its request timed out while the process did not run: due again at once
	releaseShopHeld                          // znet answered but the shop held the order's row to the end: see store.ReleaseShopHeld
	releaseUnconfirmed                       // its claim may have lapsed while the database could not be asked: due again at once
	releaseCutShort                          // its request was in flight when a signal came: asked, not answered; due again at once
)

// ShopHeldAlarm is how long the shop may hold an order's row, answer after
// answer, before a run calls a person: a shop transaction is over in
// moments, and one left open (or row-level security that lets zwatch read
// an order but not update it) keeps the customer's PIN unsaved for good.
const ShopHeldAlarm = 10 * time.Minute

// release is orders handed back unasked.
type release struct {
	why    releaseReason
	orders []store.Order
}

// pendingAnswer is an answer waiting to be saved.
type pendingAnswer struct {
	answer
	outcome store.Outcome
	// notBefore delays the next try of an answer that failed alone.
	notBefore time.Time
	tries     int
	lastErr   error
	// saveBroke: a COMMIT saving the answer lost its connection before
	// its answer came, and may have been made: the database then has the
	// answer saved, and the next try finds the order changed.
	saveBroke bool
}

// savingFailed notes err, a failure to save the answer.
func (p *pendingAnswer) savingFailed(err error) {
	p.lastErr = err
	if store.CommitUnconfirmed(err) {
		p.saveBroke = true
	}
}

// applier saves answers and releases unasked claims, in one goroutine that
// alone owns the run's tally: no lock, and the progress callback and the
// logs run with nothing held.
//
// Answers the database cannot take now (it is restarting; one shop row is
// locked) are kept and tried again, so that an answer znet gave is saved
// once the database is back. What is still unsaved when the run ends is
// released, so that the next run asks again at once instead of waiting for
// the claim to lapse.
type applier struct {
	run  *run
	held *holdings

	answers  chan answer
	releases chan release

	// Owned by the applier's goroutine.
	backlog    []*pendingAnswer
	unreleased map[releaseReason][]string
	// claimsLeft is how many claims the run's end could not hand back:
	// they lapse by themselves within ClaimLease.
	claimsLeft  int
	dbFailing   bool
	retryAt     time.Time
	retryWait   time.Duration
	saved       int // answers saved
	done        int // answers saved, predicted or given up on, for progress
	atDeadline  int // orders released because max-duration came first
	tally       tally
	stuckOrders []string
	// stuckUnusable: the stuck orders whose last answer zwatch could not
	// use, and why; the others had no final answer by the give-up time.
	stuckUnusable []UnusableAnswer
	pinTooLong    []string
	codesTooMany  []string
	// sharedReferans: stuck orders whose referans another order carries.
	sharedReferans []SharedReferans
	// pinTaken: stuck orders whose answer the shop's unique index refused.
	pinTaken []PINTaken
	// pinIndex is the shop's unique index on the PIN alone, read when
	// first needed (shopPINIndex); predictedPINs, for a dry run, the PINs
	// it predicted saved (wouldBeTaken).
	pinIndex      *pinIndexRead
	predictedPINs map[string]bool
	// takenPINs are the PINs of those whose save waited at the index, for
	// the run's other answers with the same PIN, which would wait alike
	// (applyAlone).
	takenPINs map[string]store.Taken
	// pinsGiven is, of each PIN the run's answers gave, the first order
	// given it (sameAsEarlier), or the one a save found had it before.
	pinsGiven map[[sha256.Size]byte]pinGiven
	pinKept   []string
	// pinNotStored: orders completed whose row stored no PIN, or part.
	pinNotStored []string
	// cancelledHoldingPIN: orders znet cancelled that hold a PIN.
	cancelledHoldingPIN []string
	// shopHeld: orders whose row the shop has held for over ShopHeldAlarm.
	shopHeld      []string
	unsaved       []string
	unsavedLocked int // of unsaved, those that waited in vain for a lock
	// notSaved is last_error of each order released unsaved
	// (releaseNotSaved): why its answer was not saved, its PINs masked.
	notSaved map[string]string
	// heldResults is the result of the answer of each order released for
	// the shop holding its row (releaseShopHeld), to book.
	heldResults map[string]string
	// unconfirmed: answers whose COMMIT lost its connection, and whose
	// order had changed when they were saved again, or that were still
	// unsaved at the end (Summary.Unconfirmed).
	unconfirmed []string
	// unusable is each order's reason, while its last answer saved was one
	// zwatch could not use: a looping run asks an order several times.
	unusable map[string]string
	// noBudget: the orders released unasked for want of budget, counted once.
	noBudget    map[string]bool
	changes     []Change
	lastSaveErr error
	// names: how a person finds each order a list above names (Summary.Named).
	names map[string]OrderName
	// splitWarned: a batch the database refused was said once; every
	// batch after it fails alike when a grant or a trigger is the reason,
	// and the end of the run says which answers were lost (logUnsaved).
	splitWarned bool
}

func newApplier(r *run, held *holdings) *applier {
	return &applier{
		run:         r,
		held:        held,
		answers:     make(chan answer, r.cfg.Concurrency),
		releases:    make(chan release, r.cfg.Concurrency),
		unreleased:  make(map[releaseReason][]string),
		notSaved:    make(map[string]string),
		heldResults: make(map[string]string),
	}
}

// answer hands the applier one asked order.
func (ap *applier) answer(a answer) { ap.answers <- a }

// release hands the applier orders to give back unasked. This is the one
// way an order leaves the run unasked, and the one place it is counted.
func (ap *applier) release(why releaseReason, orders []store.Order) {
	if len(orders) > 0 {
		ap.releases <- release{why: why, orders: orders}
	}
}

// close says that no answer or release will come any more.
func (ap *applier) close() {
	close(ap.answers)
	close(ap.releases)
}

// loop saves answers as they come, in batches: whatever arrives while the
// first waits for company (linger; up to maxApplyBatch) goes into one
// statement. A quiet run so writes each PIN within moments; a busy one
// writes dozens per round trip, which keeps the database's share of a run
// small.
func (ap *applier) loop() error {
	answers, releases := ap.answers, ap.releases
	for answers != nil || releases != nil {
		var retry <-chan time.Time
		if wait, ok := ap.nextTry(); ok {
			retry = time.After(wait)
		}
		select {
		case a, ok := <-answers:
			if !ok {
				answers = nil
				continue
			}
			ap.receive(a)
		case rel, ok := <-releases:
			if !ok {
				releases = nil
				continue
			}
			ap.receiveRelease(rel)
		case <-retry:
			ap.flush(ap.run.db)
			continue
		}
		ap.linger(&answers, &releases)
		ap.flush(ap.run.db)
	}
	return ap.finish()
}

// linger collects what arrives shortly after the first answer or release,
// so that one statement saves or releases them together: for quietLinger,
// or applyLinger from the first final answer among them, or not at all
// once no request is on its way that could join a final answer.
func (ap *applier) linger(answers *chan answer, releases *chan release) {
	final := ap.holdsFinal()
	linger := time.NewTimer(ap.lingerFor(final))
	defer linger.Stop()
	for n := 1; n < maxApplyBatch && (*answers != nil || *releases != nil); n++ {
		if final && ap.run.asking.Load() == 0 {
			// Nothing more on its way: what has come joins, and no wait.
			if !ap.receiveReady(answers, releases) {
				return
			}
			continue
		}
		select {
		case a, ok := <-*answers:
			if !ok {
				*answers = nil
				continue
			}
			ap.receive(a)
			if !final && ap.backlog[len(ap.backlog)-1].final() {
				final = true
				linger.Reset(ap.lingerFor(true))
			}
		case rel, ok := <-*releases:
			if !ok {
				*releases = nil
				continue
			}
			ap.receiveRelease(rel)
		case <-linger.C:
			return
		}
	}
}

// receiveReady takes an answer or a release that has come, if one has,
// without waiting.
func (ap *applier) receiveReady(answers *chan answer, releases *chan release) bool {
	select {
	case a, ok := <-*answers:
		if !ok {
			*answers = nil
		} else {
			ap.receive(a)
		}
	case rel, ok := <-*releases:
		if !ok {
			*releases = nil
		} else {
			ap.receiveRelease(rel)
		}
	default:
		return false
	}
	return true
}

// holdsFinal says that a final answer waits to be saved in the next
// statement: one kept for a later try (its shop row held) is not in it.
func (ap *applier) holdsFinal() bool {
	now := time.Now()
	return slices.ContainsFunc(ap.backlog, func(p *pendingAnswer) bool {
		return !p.notBefore.After(now) && p.final()
	})
}

// final says the answer ends the order's wait: a PIN or a cancellation.
func (p *pendingAnswer) final() bool {
	_, final, _ := p.outcome.Result.ExternalStatus()
	return final
}

// lingerFor is how long a batch waits for company (applyLinger with a final
// answer in it, else quietLinger), on the run's clock: a run whose time is
// compressed (Config.TimeScale) waits as long as a real one would in its
// own time.
func (ap *applier) lingerFor(final bool) time.Duration {
	d := quietLinger
	if final {
		d = applyLinger
	}
	if scale := ap.run.cfg.TimeScale; scale > 1 {
		return time.Duration(float64(d) / scale)
	}
	return d
}

func (ap *applier) receive(a answer) {
	if a.onItsWay {
		ap.run.asking.Add(-1)
	}
	if ap.noBudget[a.order.ID] {
		// Released for want of budget, then asked after all.
		delete(ap.noBudget, a.order.ID)
		ap.tallyOf(a.order).NoBudget--
	}
	ap.backlog = append(ap.backlog, &pendingAnswer{answer: a, outcome: a.outcome(ap.run.sched)})
}

func (ap *applier) receiveRelease(rel release) {
	ids := orderIDs(rel.orders)
	if rel.why == releaseTakenOver {
		// Another run asks about them: counted as overtaken, let go of
		// without a statement, since the claims are not the run's.
		for _, o := range rel.orders {
			ap.tallyOf(o).Overtaken++
		}
		ap.held.drop(ids)
		return
	}
	for _, o := range rel.orders {
		in := ap.tallyOf(o)
		if rel.why == releaseCutShort || rel.why == releaseStalled {
			// The panel may have heard it, and may have answered.
			in.Asked++
			in.CutShort++
		} else {
			in.Skipped++
		}
	}
	switch rel.why {
	case releaseAtDeadline:
		ap.atDeadline += len(rel.orders)
	case releaseNoBudget:
		// Orders, not releases: a looping run claims the same orders
		// again, a panelRetry later, while the budget cannot be reserved.
		if ap.noBudget == nil {
			ap.noBudget = map[string]bool{}
		}
		for _, o := range rel.orders {
			if !ap.noBudget[o.ID] {
				ap.noBudget[o.ID] = true
				ap.tallyOf(o).NoBudget++
			}
		}
	}
	if ap.run.cfg.DryRun {
		ap.held.drop(ids) // a dry run claimed nothing
		return
	}
	ap.unreleased[rel.why] = append(ap.unreleased[rel.why], ids...)
}

// nextTry is how long until kept answers or releases should be tried again.
func (ap *applier) nextTry() (time.Duration, bool) {
	if !ap.dbFailing && len(ap.backlog) == 0 {
		return 0, false
	}
	when := ap.retryAt
	if !ap.dbFailing {
		when = time.Time{}
		for _, p := range ap.backlog {
			if when.IsZero() || p.notBefore.Before(when) {
				when = p.notBefore
			}
		}
	}
	return max(time.Until(when), 0), true
}

// flush saves what can be saved now and releases what waits for release.
func (ap *applier) flush(ctx context.Context) {
	if ap.dbFailing && time.Now().Before(ap.retryAt) {
		return
	}
	ok := ap.flushAnswers(ctx) && ap.flushReleases(ctx)
	switch {
	case ok && ap.dbFailing:
		ap.dbFailing, ap.retryWait = false, 0
		// At the failure's level: -q mailed the failure, and must mail
		// its end, or the mail reads as answers lost.
		ap.run.log.Warn("the database takes answers again", "kept", len(ap.backlog))
		ap.run.renewSoon()
	case !ok:
		if !ap.dbFailing {
			ap.run.log.Warn("the database does not take answers now; keeping them and trying again",
				"kept", len(ap.backlog), "err", ap.lastSaveErr)
		}
		ap.dbFailing = true
		ap.retryWait = min(max(2*ap.retryWait, retryFirst), retryMost)
		ap.retryAt = time.Now().Add(ap.retryWait)
	}
}

// flushAnswers saves the kept answers that are due a try, in batches. It
// reports false when the database is down, and trying the rest now is
// pointless.
func (ap *applier) flushAnswers(ctx context.Context) bool {
	now := time.Now()
	var due, later []*pendingAnswer
	for _, p := range ap.backlog {
		if p.notBefore.After(now) {
			later = append(later, p)
		} else {
			due = append(due, p)
		}
	}
	ap.backlog = later
	for len(due) > 0 {
		n := min(len(due), maxApplyBatch)
		batch := due[:n]
		due = due[n:]
		if !ap.applyBatch(ctx, batch) {
			ap.backlog = append(ap.backlog, due...)
			return false
		}
	}
	return true
}

// applyBatch applies one batch. Should the batch statement fail while the
// database answers, each order is tried alone, so that one order the
// database refuses cannot keep the others' answers, and their PINs, from
// being saved. It reports false when the database is down.
func (ap *applier) applyBatch(ctx context.Context, batch []*pendingAnswer) bool {
	r := ap.run
	if r.cfg.DryRun {
		ap.predict(ctx, batch)
		return true
	}
	outcomes := make([]store.Outcome, len(batch))
	for i, p := range batch {
		if taken, ok := ap.sameAsEarlier(ctx, p); ok {
			p.outcome.Taken = taken
		}
		ap.holdForTakenPIN(p)
		p.outcome.PINBucket = keptBucket(p.outcome)
		outcomes[i] = p.outcome
	}
	applied, err := ap.apply(ctx, outcomes)
	if err == nil {
		ap.account(ap.setAsideBusy(batch, applied), applied)
		return true
	}
	ap.lastSaveErr = err
	if store.CommitUnconfirmed(err) {
		// Each answer of the batch may be saved: tried again alone, one
		// that finds its order changed is unconfirmed, not overtaken.
		for _, p := range batch {
			p.saveBroke = true
		}
	}
	if !ap.reachable(ctx) {
		// The database is down: keep the whole batch for when it is back,
		// rather than fail each answer alone against it.
		for _, p := range batch {
			p.savingFailed(err)
		}
		ap.backlog = append(ap.backlog, batch...)
		return false
	}
	if len(batch) == 1 {
		// It was alone already: the same statement now would fail alike,
		// and wait for a lock a second time, but for an answer held for a
		// person instead (applyAlone).
		if one, err := ap.applyAlone(ctx, batch[0], outcomes[0], err); err != nil {
			ap.keepForLater(batch[0], err)
		} else {
			ap.account(ap.setAsideBusy(batch, one), one)
		}
		return true
	}
	log := r.log.Warn
	if ap.splitWarned {
		log = r.log.Debug
	}
	log("saving a batch of answers failed; saving them one by one", "orders", len(batch), "err", err)
	ap.splitWarned = true
	// Answers that waited in vain for a lock alone too. Two in a row say
	// the lock is on all of them (a LOCK TABLE or ALTER TABLE of the
	// shop's, a stopped run's rows until the server ends its transaction):
	// the rest would wait as long, a second each, holding up every answer
	// behind them, and are tried again later. One order that alone meets
	// a lock (a shop trigger's) lets the others through. Kept behind the
	// rest, so that the next try does not meet them first again.
	var locked []*pendingAnswer
	var lockErrs []error
	for i, p := range batch {
		if ap.holdForTakenPIN(p) {
			// An answer before it in the batch found the PIN taken.
			outcomes[i].Taken = p.outcome.Taken
		}
		one, err := ap.applyAlone(ctx, p, outcomes[i], nil)
		if err != nil && store.GaveUpOnALock(err) {
			locked, lockErrs = append(locked, p), append(lockErrs, err)
			if len(locked) >= 2 && locked[len(locked)-2] == batch[i-1] {
				for _, rest := range batch[i+1:] {
					ap.keepForLater(rest, err)
				}
				r.log.Debug("two answers in a row waited in vain for a lock; trying the rest later", "kept", len(batch)-i-1)
				break
			}
			continue
		}
		if err != nil {
			ap.keepForLater(p, err)
			continue
		}
		ap.account(ap.setAsideBusy(batch[i:i+1], one), one)
	}
	for k, p := range locked {
		ap.keepForLater(p, lockErrs[k])
	}
	// Whatever failed alone, the database answers: the orders it refused
	// (a shop trigger, a row held by a long transaction) wait for their own
	// retry, and do not hold the other answers back.
	return true
}

// reachable says whether the database answers at all.
func (ap *applier) reachable(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	start := time.Now()
	defer ap.run.timeDB(start)
	return ap.run.store.Reachable(ctx) == nil
}

func (ap *applier) apply(ctx context.Context, outcomes []store.Outcome) ([]store.Applied, error) {
	r := ap.run
	ctx, cancel := context.WithTimeout(ctx, applyTimeout)
	defer cancel()
	start := time.Now()
	defer r.timeDB(start)
	params := store.ApplyParams{RunID: r.id, GiveUpAfter: r.cfg.GiveUpAfter, GiveUpNote: giveUpNote(r.cfg.GiveUpAfter)}
	applied, err := r.store.Apply(ctx, params, outcomes)
	r.log.Debug("saved answers", "orders", len(outcomes), "took", time.Since(start).Round(time.Microsecond), "ok", err == nil)
	hidden := hideSavePINs(ctx, r.store, err, outcomes)
	if index, refused := store.IndexRefused(err); refused {
		// Kept apart from the server's words, which the PINs are hidden
		// from and which may not be reachable behind that.
		return applied, indexRefusedError{index: index, waited: store.GaveUpOnALock(err), err: hidden}
	}
	return applied, hidden
}

// indexRefusedError is a save the shop's unique index refused, or waited
// at for another row of the same value (store.IndexRefused), its words'
// PINs hidden.
type indexRefusedError struct {
	index string
	// waited: the save waited a second at the index for a shop
	// transaction holding the row of the order that has the value.
	waited bool
	err    error
}

func (e indexRefusedError) Error() string { return e.err.Error() }
func (e indexRefusedError) Unwrap() error { return e.err }

// holdForTakenPIN holds p for a person, without a try, where an answer
// of the run with the same PIN waited a second at the shop's index on the
// PIN alone for a transaction holding the order that has it (applyAlone):
// p's save would wait and be held alike. An order that holds a PIN
// already keeps it, and writes none: staff may have pasted this very one,
// for which the other was held. It says whether p is so held now.
func (ap *applier) holdForTakenPIN(p *pendingAnswer) bool {
	taken, ok := ap.takenPINs[p.outcome.PIN]
	if !ok || p.outcome.Taken.Held() || p.outcome.Result != store.ResultDone || p.outcome.PIN == "" ||
		store.TrimPIN(p.order.HeldPIN) != "" {
		return false
	}
	p.outcome.Taken = taken
	return true
}

// heldSameAsEarlier is the result of an answer sameAsEarlier held, and
// heldGivenBefore of one whose PIN zwatch saved on another order before
// (store.Taken's Before).
const (
	heldSameAsEarlier = "its PIN given to another order in the run"
	heldGivenBefore   = "its PIN saved on another order before"
)

// comparedPIN says whether a run compares pin with its other answers'
// (sameAsEarlier): a code of 12 letters and digits or more, both among
// them, or of 16 digits or more. What a panel may echo in a top-up's PIN
// field for a player or a product is shorter ("PUBG 325 UC"), or digits
// alone: an account number, a national id (11), a phone number (10 to 14,
// "+90 532 123 45 67"), which two top-ups of one player share. Shorter
// PINs sold go uncompared: a hold of a top-up already credited is the
// worse miss for a shop selling them every minute.
func comparedPIN(pin string) bool {
	letters, digits := 0, 0
	for _, a := range alnums(pin) {
		if unicode.IsDigit(a.r) {
			digits++
		} else {
			letters++
		}
	}
	return letters > 0 && digits > 0 && letters+digits >= 12 || letters == 0 && digits >= 16
}

// sameAsEarlier says whether znet gave p's order the PIN an earlier answer
// of the run gave another order, and if so holds p's for a person
// (store.Taken's SameAs): a panel answering about another referans than
// it was asked gives one customer's PIN to every order it is asked about.
// The first order's answer stands, unless another rule holds it (the
// referans it shares, a PIN too long): nothing tells which order the PIN
// is really for, and the later ones name it. Compared across all of the
// shop's znet integrations, whatever tenant or dealer account an order is
// of: a cache in front of a panel that leaves the query out of its key
// mixes up the answers of every dealer code asking through it, and knows
// no tenants, and one panel may be named by two addresses (helper-352);
// no panel sells one PIN twice. Two orders of one
// integration carrying one referans are the shared-referans guard's
// (store.SharedReferans), and a shop whose unique index on "pinCode" alone
// refuses a PIN any other order holds has it held in the index's words.
func (ap *applier) sameAsEarlier(ctx context.Context, p *pendingAnswer) (store.Taken, bool) {
	out := p.outcome
	pin := store.TrimPIN(out.PIN)
	if out.Result != store.ResultDone || out.Taken.Held() || !comparedPIN(pin) {
		return store.Taken{}, false
	}
	key := pinKey(pin)
	given, ok := ap.pinsGiven[key]
	if !ok {
		ap.givePIN(key, p.order, pin)
		return store.Taken{}, false
	}
	first := given.order
	// An order that holds a PIN already keeps it and writes none
	// (holdForTakenPIN): nothing of the other's reaches it. One referans,
	// however spelt, of one integration is one znet order, which the
	// shared-referans rule holds; of two integration rows, that rule's
	// account may not be this key's (it trims spaces alone), and the PIN
	// is held here. The player's account echoed is no PIN (echoesPlayer).
	if first.ID == p.order.ID || store.TrimPIN(p.order.HeldPIN) != "" ||
		first.IntegrationID == p.order.IntegrationID && znet.ReferansNumber(first.Referans) == znet.ReferansNumber(p.order.Referans) ||
		echoesPlayer(pin, first) || echoesPlayer(pin, p.order) {
		return store.Taken{}, false
	}
	// Spelt alike, it is the shop's unique index's to refuse, in its
	// words; it does not compare other spellings of it.
	if given.spelt == sha256.Sum256([]byte(pin)) && ap.shopPINIndex(ctx).ok {
		return store.Taken{}, false
	}
	ap.name(first) // the summary names the order that kept the PIN
	return store.Taken{SameAs: first.ID, SameAsCalled: store.OrderCalled(first.ID, first.OrderNo)}, true
}

// pinGiven is the order a PIN went to, and how the PIN was spelt, as a
// digest: a unique index of the shop's on "pinCode" refuses that spelling
// alone.
type pinGiven struct {
	order store.Order
	spelt [sha256.Size]byte
}

// givePIN records that pin, of pinKey key, went to order o.
func (ap *applier) givePIN(key [sha256.Size]byte, o store.Order, pin string) {
	if ap.pinsGiven == nil {
		ap.pinsGiven = make(map[[sha256.Size]byte]pinGiven)
	}
	ap.pinsGiven[key] = pinGiven{order: o, spelt: sha256.Sum256([]byte(store.TrimPIN(pin)))}
}

// pinKey is what a run compares its answers' PINs by, and what zwatch
// keeps a bucket of (pinBucket): SHA-256 of the PIN's letters and digits
// in capitals, as the store compares a PIN with what a row holds (a shop
// trigger may store it so, and a panel may spell one PIN two ways).
// Hashed, so that the PINs stay in memory no longer than their answers.
func pinKey(pin string) [sha256.Size]byte {
	return sha256.Sum256([]byte(pinLetters(pin)))
}

// pinLetters is a PIN's letters and digits in capitals: one PIN, however
// a panel, a shop trigger or staff spell it.
func pinLetters(pin string) string {
	var letters strings.Builder
	for _, a := range alnums(pin) {
		letters.WriteRune(unicode.ToUpper(a.r))
	}
	return letters.String()
}

// echoesPlayer says whether pin is, by its letters and digits, what order
// o's customer typed for the player ("userIdentifier"): a top-up panel
// echoing the player's account (a Steam ID, an e-mail address) in the PIN
// field for each of the player's top-ups, which is no PIN to hold another
// order for. The store's look-up of the PINs saved before passes over it
// alike.
func echoesPlayer(pin string, o store.Order) bool {
	player := pinLetters(o.UserIdentifier)
	return player != "" && player == pinLetters(pin)
}

// pinBucket is what zwatch keeps of a PIN it saved, to find another order
// given it later (store.Outcome.PINBucket): 16 bits of its pinKey, as
// migration 00037 makes it in SQL. Tens of millions of a 16-digit PIN's
// candidates share a bucket, even with its last four digits known (list
// shows them), so that it tells nothing of the customer's PIN to whoever
// reads zwatch's table or the server's locks; a week of a busy shop's
// completions, one or two to a bucket, are still found along its index.
func pinBucket(pin string) *int32 {
	key := pinKey(pin)
	bucket := int32(binary.BigEndian.Uint16(key[:2]))
	return &bucket
}

// keptBucket is the PIN bucket of o's completion, for the store to compare
// with the PINs zwatch saved before and keep once saved; nil where the PIN
// is not compared (comparedPIN), or held, or the order keeps a PIN of its
// own other than znet's. An order holding znet's very PIN, however spelt
// (staff typed it in from the dealer panel), keeps its bucket too: the
// next order given that PIN is held. Kept where the shop has a unique
// index on "pinCode" too: the index refuses the PIN spelt alike, and the
// store leaves that one to it, but not another spelling.
func keptBucket(o store.Outcome) *int32 {
	pin := store.TrimPIN(o.PIN)
	own := pinLetters(o.Order.HeldPIN)
	if o.Result != store.ResultDone || o.Taken.Held() || !comparedPIN(pin) || own != "" && own != pinLetters(pin) {
		return nil
	}
	return pinBucket(pin)
}

// applyAlone saves one answer alone, as a batch that failed is saved. A
// completion the shop's unique index on "pinCode" refused (another order
// holds its PIN, or a shop transaction holds the row of one that has it,
// which the save waited for) is saved again as held for a person, and is
// from then on. Where it waited, the run's later answers with that PIN
// are held so too, without a try and a second's wait each, where the
// index is on the PIN alone (applyBatch); a refusal costs no wait, and is
// left to the index, which knows whether the PIN is still another's.
// Other answers, and refusals of other indexes (one approved order a
// customer, a number a trigger counts), are the refusals they were, tried
// again later. tried is the error of a save of it alone already made;
// nil: none was.
func (ap *applier) applyAlone(ctx context.Context, p *pendingAnswer, o store.Outcome, tried error) ([]store.Applied, error) {
	var applied []store.Applied
	err := tried
	if tried == nil {
		applied, err = ap.apply(ctx, []store.Outcome{o})
	}
	var refused indexRefusedError
	if o.Result != store.ResultDone || o.PIN == "" || o.Taken.Held() || !errors.As(err, &refused) {
		return applied, err
	}
	taken, ok := ap.run.store.TakenBy(ctx, refused.index)
	if !ok {
		return applied, err
	}
	p.outcome.Taken, o.Taken = taken, taken
	if taken.PINAlone && refused.waited {
		if ap.takenPINs == nil {
			ap.takenPINs = make(map[string]store.Taken)
		}
		ap.takenPINs[o.PIN] = taken
	}
	return ap.apply(ctx, []store.Outcome{o})
}

// keepForLater is the one place an answer that could not be saved now goes:
// it is tried again after a wait that grows with each try, and released
// when the run ends unsaved. An answer whose shop row a transaction holds
// belongs here too.
func (ap *applier) keepForLater(p *pendingAnswer, err error) {
	p.tries++
	p.savingFailed(err)
	wait := min(retryFirst<<min(p.tries, 5), retryMost)
	if refusedTheRow(err) {
		// A trigger's exception or a constraint refuses the same row alike
		// until a person changes it: tried every few seconds, 20 such
		// answers cost the shop's database 1,458 statements in a 12-second
		// loop. The run's end tries it once more (finish).
		wait = retryRefusedRow
	}
	p.notBefore = time.Now().Add(wait)
	ap.backlog = append(ap.backlog, p)
}

// onlyShopHeldDue makes the kept answers whose order row a transaction of
// the shop held due at once, puts the others (the database refused them)
// off past until, and returns how many are held.
func (ap *applier) onlyShopHeldDue(until time.Time) (held int) {
	for _, p := range ap.backlog {
		if errors.Is(p.lastErr, errShopHoldsRow) {
			p.notBefore = time.Time{}
			held++
		} else {
			p.notBefore = until.Add(time.Second)
		}
	}
	return held
}

// errShopHoldsRow is why a busy answer waits: the store never waits for a
// shop row lock, so the other orders' answers go on at normal speed.
var errShopHoldsRow = errors.New("a transaction of the shop holds the order's row")

// setAsideBusy keeps for later the answers whose shop row a transaction
// held (the store skipped them), and returns the rest of the batch. They
// are neither counted nor logged until they are saved or released.
func (ap *applier) setAsideBusy(batch []*pendingAnswer, applied []store.Applied) []*pendingAnswer {
	busy := make(map[string]bool)
	for _, a := range applied {
		if a.Busy {
			busy[a.OrderID] = true
		}
	}
	if len(busy) == 0 {
		return batch
	}
	rest := make([]*pendingAnswer, 0, len(batch)-len(busy))
	var waiting []string
	for _, p := range batch {
		if busy[p.order.ID] {
			ap.name(p.order) // ShopHeld may name it
			ap.keepForLater(p, errShopHoldsRow)
			waiting = append(waiting, p.order.ID)
			continue
		}
		rest = append(rest, p)
	}
	ap.held.waitOnShop(waiting)
	return rest
}

// flushReleases hands back the claims waiting for release; false when the
// database refused.
func (ap *applier) flushReleases(ctx context.Context) bool {
	r := ap.run
	for why, ids := range ap.unreleased {
		var (
			heldLong []store.ShopHeld
			rowsHeld []string
		)
		release := func(ctx context.Context) (err error) {
			switch why {
			case releaseShopHeld:
				results := make([]string, len(ids))
				for k, id := range ids {
					results[k] = ap.heldResults[id]
				}
				heldLong, rowsHeld, err = r.store.ReleaseShopHeld(ctx, r.id, ids, results, ShopHeldAlarm, MaxCheckWait)
				return err
			case releaseNotSaved:
				notes := make([]string, len(ids))
				for k, id := range ids {
					notes[k] = ap.notSaved[id]
				}
				rowsHeld, err = r.store.ReleaseUnsaved(ctx, r.id, ids, notes)
				return err
			}
			p := store.ReleaseParams{RunID: r.id, OrderIDs: ids}
			switch why {
			case releasePanelFailing:
				p.Wait, p.PanelFailing = r.panelRetry(), true
			case releaseNoBudget:
				// The budget failed for BudgetGiveUp already: due again at
				// once, they would be claimed and released as fast as the
				// database answers, a million row updates a minute for 300
				// orders. Their give-up clocks run on: the panel is not to
				// blame.
				p.Wait = r.panelRetry()
			}
			rowsHeld, err = r.store.ReleaseClaims(ctx, p)
			return err
		}
		start := time.Now()
		ctx, cancel := context.WithTimeout(ctx, applyTimeout)
		err := release(ctx)
		cancel()
		r.timeDB(start)
		if err != nil {
			ap.lastSaveErr = err
			return false
		}
		delete(ap.unreleased, why)
		ap.held.drop(ids)
		ap.callForShopHeld(heldLong)
		if len(rowsHeld) > 0 {
			r.log.Warn("these orders' claims were not handed back, and lapse by themselves within "+ClaimLease.String()+": "+store.RowsHeldNote,
				"orders", rowsHeld)
		}
	}
	return true
}

// callForShopHeld calls a person for the orders whose row the shop has held
// for longer than ShopHeldAlarm.
func (ap *applier) callForShopHeld(heldLong []store.ShopHeld) {
	for _, h := range heldLong {
		ap.shopHeld = append(ap.shopHeld, h.OrderID)
		ap.run.log.Error(shopHeldFor(h)+", so znet's answers about it cannot be saved: "+shopHeldCause+"; the order is asked again less often meanwhile",
			"order", h.OrderID)
	}
}

// shopHeldFor says how long the shop has held h's row, a run's log and
// check --order alike.
func shopHeldFor(h store.ShopHeld) string {
	return "a transaction of the shop has held the order's row for " + h.For.Round(time.Minute).String()
}

// shopHeldCause is what holds an order's row for so long.
const shopHeldCause = "a transaction left open (see pg_stat_activity), or row-level security that lets zwatch read the order but not update it"

// finish tries to save what is still kept: at once, and while the
// database does not answer, again for up to dbGrace; those whose row the
// shop holds, again for up to shopRowGrace. Answers the database refuses
// one by one are not worth the wait. It then releases the claims of
// answers it could not save. The run fails when the database refused
// answers and took none, or the claims could not be handed back.
func (ap *applier) finish() error {
	r := ap.run
	ctx, cancel := context.WithTimeout(r.db, dbGrace)
	defer cancel()
	for _, p := range ap.backlog {
		p.notBefore = time.Time{}
	}
	shopLetGoBy := time.Now().Add(shopRowGrace)
	for ctx.Err() == nil && (len(ap.backlog) > 0 || len(ap.unreleased) > 0) {
		ap.flush(ctx)
		wait := time.Until(ap.retryAt)
		if !ap.dbFailing {
			if time.Now().After(shopLetGoBy) || ap.onlyShopHeldDue(shopLetGoBy) == 0 {
				break
			}
			wait = shopRowPoll
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
	unsaved := ap.backlog
	ap.backlog = nil
	var refused []*pendingAnswer
	reasons := logUnsaved(r.log, unsaved)
	for _, p := range unsaved {
		ap.account([]*pendingAnswer{p}, nil)
		if !errors.Is(p.lastErr, errShopHoldsRow) {
			// The database refused it. A row the shop held to the end is
			// its own business: its claim goes back (ReleaseShopHeld), and a
			// later run asks znet again.
			refused = append(refused, p)
			switch {
			case p.saveBroke:
				// Not "asked again": the lost commit may have finished it.
				ap.unconfirmedSave(p.order)
			default:
				ap.unsaved = append(ap.unsaved, p.order.ID)
				if store.GaveUpOnALock(p.lastErr) {
					ap.unsavedLocked++
				}
			}
		}
		why := releaseNotSaved
		if errors.Is(p.lastErr, errShopHoldsRow) {
			why = releaseShopHeld
			ap.heldResults[p.order.ID] = p.outcome.LastResult()
		} else {
			// For list: the order is asked again at once, run after run
			// while the refusal lasts, and nothing else would say why.
			ap.notSaved[p.order.ID] = notSavedNote(reasons[p.order.ID])
		}
		ap.unreleased[why] = append(ap.unreleased[why], p.order.ID)
	}
	var releaseErr error
	if len(ap.unreleased) > 0 {
		// One last try, however long the outage: claims handed back now
		// are asked again at once instead of in ClaimLease.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.db), lastStatementGrace)
		defer cancel()
		if !ap.flushReleases(ctx) {
			for _, ids := range ap.unreleased {
				ap.claimsLeft += len(ids)
			}
			releaseErr = fmt.Errorf("handing back the claims of unasked or unsaved orders (they lapse by themselves within %s): %w",
				ClaimLease, ap.lastSaveErr)
		}
	}
	// A run whose every answer was refused fails: zwatch's role, the
	// database or a trigger of the shop's turns all alike away. One order
	// refused for what its own row holds, alone in its run, is that
	// order's: exit 3 with its note, as beside any saved answer.
	oneRowRefused := len(refused) == 1 && refusedTheRow(refused[0].lastErr)
	if len(refused) > 0 && ((ap.saved == 0 && !oneRowRefused) || releaseErr != nil) {
		cause := refused[len(refused)-1].lastErr
		if cause == nil { // never tried: the database was not answering
			cause = ap.lastSaveErr
		}
		return errors.Join(fmt.Errorf("saving znet's answers: %d could not be saved: %w", len(refused), cause), releaseErr)
	}
	return releaseErr
}

// logUnsaved says which answers could not be saved, a line for each
// reason: a grant the role lacks or a shop trigger refuses every order
// alike, and the operator needs the reason once and the orders it took.
// It returns each order's reason as its own row keeps it (last_error):
// with its id, and its PINs masked as list shows them.
func logUnsaved(log *slog.Logger, unsaved []*pendingAnswer) map[string]string {
	var reasons []string
	orders := make(map[string][]string)
	held := make(map[string]bool)
	masked := make(map[string]string) // a batch's cause and PINs: the cause masked
	unknown := make(map[string]bool)  // whether the answers may be saved
	byOrder := make(map[string]string, len(unsaved))
	maskedOwn := make(map[string]string) // as masked, for byOrder
	for _, p := range unsaved {
		reason := whyUnsaved(p, func() string { return unsavedReason(p, masked) })
		byOrder[p.order.ID] = whyUnsaved(p, func() string { return unsavedCause(p, maskedOwn, MaskPIN) })
		if _, ok := orders[reason]; !ok {
			reasons = append(reasons, reason)
		}
		orders[reason] = append(orders[reason], p.order.ID)
		held[reason] = errors.Is(p.lastErr, errShopHoldsRow)
		unknown[reason] = p.saveBroke
	}
	for _, reason := range reasons {
		ids := orders[reason]
		// Said before the claims are handed back, which may fail too (the
		// database gone): the line must hold either way.
		msg := "could not save znet's answers; the next runs ask again, as soon as their claims are handed back or lapse (" + ClaimLease.String() + ")"
		if len(ids) == 1 {
			msg = "could not save znet's answer; the next runs ask again, as soon as its claim is handed back or lapses (" + ClaimLease.String() + ")"
		}
		if unknown[reason] {
			msg = "could not tell whether znet's answers were saved; the next runs ask again those that were not, as soon as their claims are handed back or lapse (" + ClaimLease.String() + ")"
		}
		level := slog.LevelError
		if held[reason] {
			// The shop's own business, no refusal: the run does not ask
			// for a person (exit 0), and -q's mail must not either.
			level = slog.LevelInfo
		}
		log.Log(context.Background(), level, msg, "orders", len(ids), "ids", ids[:min(len(ids), unsavedOrdersLogged)], "err", reason)
	}
	return byOrder
}

// notSavedNote is last_error of an order whose answer the database did
// not take, for the reason given.
func notSavedNote(reason string) string { return "znet's answer was not saved: " + reason }

// whyUnsaved is why p's answer could not be saved, cause saying what the
// database said.
func whyUnsaved(p *pendingAnswer, cause func() string) string {
	reason := "not tried: the database did not answer"
	if p.lastErr != nil {
		reason = cause()
	}
	if p.saveBroke {
		// Not "the next runs ask again": the lost COMMIT may have been
		// made, and the order may be final (Summary.Unconfirmed).
		reason = "the connection broke as an earlier try was committed, so whether it was saved cannot be told; since then: " + reason
	}
	return reason
}

// unsavedReason is why p's answer could not be saved, as its line says it:
// the cause, without the store's count of the batch it failed in, and with
// what is the order's own in its place, "<pin>" and "<id>", so that one
// cause is one line. A shop trigger's message may quote the PIN, which is
// never logged, and the order's id, which would make a line of each order
// it refused. The error may be the whole batch's, masked of all its PINs
// (hidePINs): the cause under that mask is masked of them all again.
//
// The answers of one batch share its error and its PINs: masked keeps the
// cause masked of them once, by the cause and the PINs, where masking it
// with every PIN of the batch for each of its answers took 200 × 200
// passes over the text, seconds at the end of a run whose database had
// gone.
func unsavedReason(p *pendingAnswer, masked map[string]string) string {
	return strings.ReplaceAll(unsavedCause(p, masked, func(string) string { return "<pin>" }), p.order.ID, "<id>")
}

// unsavedCause is the cause of p's unsaved answer, without the store's
// count of the batch it failed in, with each PIN it may quote written as
// mask writes it; masked keeps what one mask made of each cause.
func unsavedCause(p *pendingAnswer, masked map[string]string, mask func(code string) string) string {
	cause := rootCause(p.lastErr).Error()
	var pins []string
	var batch pinsHiddenError
	if errors.As(p.lastErr, &batch) {
		pins = batch.pins
	}
	for _, own := range append([]string{p.outcome.PIN}, p.outcome.ShopCodes...) {
		if own != "" && !slices.Contains(pins, own) {
			pins = append(slices.Clip(pins), own)
		}
	}
	key := cause + "\x00" + strings.Join(pins, "\x00")
	reason, ok := masked[key]
	if !ok {
		reason = hideAllPINs(cause, pins, mask)
		masked[key] = reason
	}
	return reason
}

// rootCause is the innermost error err wraps.
func rootCause(err error) error {
	for {
		inner := errors.Unwrap(err)
		if inner == nil {
			return err
		}
		err = inner
	}
}

// sayableIfSaved says whether p's answer, had its lost COMMIT been made,
// may have done what a run must say: a final answer (the order completed
// or cancelled, or held for a PIN too long or a referans shared), or any
// answer of an order due to be given up on. A "still waiting" answer
// saved only counts an attempt, and the order is asked again.
func (ap *applier) sayableIfSaved(p *pendingAnswer) bool {
	if _, final, _ := p.outcome.Result.ExternalStatus(); final {
		return true
	}
	first := p.order.FirstCheckedAt
	// On the database's clock, which set the first check and gives up; a
	// minute's grace for the reading of it.
	return first != nil && ap.run.sched.DatabaseNow().Sub(*first) >= ap.run.cfg.GiveUpAfter-time.Minute
}

// gaveUp counts p's order, of integration in, as given up on by its
// answer: stuck, and for the answer's reason if it was unusable.
func (ap *applier) gaveUp(in *IntegrationSummary, p *pendingAnswer) {
	in.Stuck++
	ap.stuckOrders = append(ap.stuckOrders, p.order.ID)
	if reason, ok := p.answer.unusableReason(); ok {
		ap.stuckUnusable = append(ap.stuckUnusable, UnusableAnswer{OrderID: p.order.ID, Reason: reason})
	}
}

// givesUp says, for a dry run, whether saving p's answer would give its
// order up, as the apply does: not final, and first asked longer ago than
// the give-up time, on the database's clock.
func (ap *applier) givesUp(p *pendingAnswer) bool {
	if _, final, _ := p.outcome.Result.ExternalStatus(); final {
		return false
	}
	first := p.order.FirstCheckedAt
	return first != nil && !ap.run.sched.DatabaseNow().Before(first.Add(ap.run.cfg.GiveUpAfter))
}

// unconfirmedSave lists o among the orders whose save's commit the lost
// connection did not confirm (Summary.Unconfirmed), once.
func (ap *applier) unconfirmedSave(o store.Order) {
	if !slices.Contains(ap.unconfirmed, o.ID) {
		ap.unconfirmed = append(ap.unconfirmed, o.ID)
		ap.name(o)
	}
}

// unsavedOrdersLogged is how many of a reason's orders its line names (the
// first ones); the summary (unsaved_orders) names them all.
const unsavedOrdersLogged = 20

// account adds answers to the tally and logs one line per order. applied
// is nil for answers that could not be saved.
func (ap *applier) account(batch []*pendingAnswer, applied []store.Applied) {
	byID := make(map[string]store.Applied, len(applied))
	for _, a := range applied {
		byID[a.OrderID] = a
	}
	ids := make([]string, 0, len(batch))
	for _, p := range batch {
		in := ap.tallyOf(p.order)
		res, saved := byID[p.order.ID]
		result := string(p.outcome.Result)
		switch {
		case !saved:
			in.Asked++
			in.Errors++
			result = "not saved"
		case res.Overtaken && p.saveBroke && ap.sayableIfSaved(p):
			// This run's own save, whose commit the lost connection did
			// not confirm, or the shop's change meanwhile: which, nothing
			// here tells, and a stuck order or a PIN to compare would
			// otherwise be said by no run.
			in.Asked++
			in.Errors++
			result = "unconfirmed (the connection broke as the answer was committed, and the order had changed when it was saved again)"
			ap.unconfirmedSave(p.order)
		case res.Overtaken:
			in.Asked++
			in.Overtaken++
			result = "overtaken (the shop, a person or another run changed or took the order)"
		case res.PINTooLong:
			in.Asked++
			in.Errors++
			result = "PIN does not fit the shop's column"
		case res.CodesTooMany:
			in.Asked++
			in.Errors++
			result = "codes do not fit the shop's column"
		case res.SharedWith != "":
			in.Asked++
			in.Errors++
			result = "referans shared with another order"
		case res.PINTaken:
			in.Asked++
			in.Errors++
			result = "refused by the shop's unique index"
			switch {
			case res.Taken.Before:
				result = heldGivenBefore
			case res.Taken.Index == "":
				result = heldSameAsEarlier
			}
		case res.Unwritten:
			// The database took the statement and wrote nothing: no run
			// will fare better until a person looks, and none may count
			// the order done meanwhile.
			in.Asked++
			in.Errors++
			result = "not saved"
			if !slices.Contains(ap.unsaved, p.order.ID) { // a loop asks it again
				ap.unsaved = append(ap.unsaved, p.order.ID)
			}
			ap.run.log.Error("the shop's database did not write znet's answer: a BEFORE UPDATE trigger of the shop's skipped zwatch's update "+
				"or left the row as it was; the next runs ask again", "order", p.order.ID, "integration", p.lane.integration.Name)
		default:
			in.count(p.outcome.Result)
		}
		if res.GaveUp || res.SharedWith != "" || res.HeldUnsaved() || res.PINKept || res.PINNotStored {
			ap.name(p.order)
		}
		if res.GaveUp {
			ap.gaveUp(in, p)
		}
		// What a person must act on is the summary's to say, once: logged
		// at Warn too, -q said each twice in one cron mail. The log has it
		// at Info, for a log read in time order, and a run given up as hung,
		// which prints no summary, says it at Warn then (forAPerson).
		if res.SharedWith != "" {
			ap.sharedReferans = append(ap.sharedReferans, SharedReferans{OrderID: p.order.ID, Other: res.SharedWith})
			ap.run.forAPerson("another order of the integration carries the same referans, and znet has one order for it: "+
				"znet's answer was not saved to this one, left for a person to find whose it is",
				"order", p.order.ID, "other_order", res.SharedWith, "integration", p.lane.integration.Name)
		}
		if res.PINTooLong {
			ap.pinTooLong = append(ap.pinTooLong, p.order.ID)
			ap.run.forAPerson("znet's PIN does not fit the shop's pinCode column (too long, or characters its encoding lacks): not saved, not approved, order left for a person",
				"order", p.order.ID, "integration", p.lane.integration.Name)
		}
		if res.PINTaken {
			taken := res.Taken
			if taken.Before {
				ap.name(res.GivenBefore) // the summary names the order that has the PIN
				// The run's later answers with this PIN are held naming
				// the order that has it, not this one, which has none.
				ap.givePIN(pinKey(p.outcome.PIN), res.GivenBefore, p.outcome.PIN)
			}
			ap.pinTaken = append(ap.pinTaken, PINTaken{OrderID: p.order.ID, Index: taken.Index, SameAs: taken.SameAs, Before: taken.Before})
			ap.run.forAPerson(taken.Problem(), "order", p.order.ID, "integration", p.lane.integration.Name)
		}
		if res.CodesTooMany {
			ap.codesTooMany = append(ap.codesTooMany, p.order.ID)
			ap.run.forAPerson(store.CodesTooManyProblem+": not saved, not approved, order left for a person",
				"order", p.order.ID, "integration", p.lane.integration.Name)
		}
		if res.PINNotStored {
			ap.pinNotStored = append(ap.pinNotStored, p.order.ID)
			ap.run.forAPerson("the shop's database took znet's completion but stored no PIN, or only its beginning (a trigger of the shop's that keeps \"pinCode\" blank, moves the PIN elsewhere or cuts it): make sure the customer has the PIN, from the dealer panel",
				"order", p.order.ID, "integration", p.lane.integration.Name)
		}
		switch {
		case res.PINKept && res.ToStatus == "failed":
			ap.cancelledHoldingPIN = append(ap.cancelledHoldingPIN, p.order.ID)
			ap.run.forAPerson("znet cancelled an order that holds a PIN (delivered by hand?): it is marked failed; check it on the dealer panel before refunding",
				"order", p.order.ID, "integration", p.lane.integration.Name)
		case res.PINKept:
			ap.pinKept = append(ap.pinKept, p.order.ID)
			ap.run.forAPerson("znet completed the order with a PIN other than the one it already held: the order's own was kept and the order not approved; compare them on the dealer panel",
				"order", p.order.ID, "integration", p.lane.integration.Name)
		case res.GaveUp && res.SharedWith == "" && !res.HeldUnsaved():
			ap.run.forAPerson("zwatch gave up on the order: it is stuck; check it on the dealer panel",
				"order", p.order.ID, "integration", p.lane.integration.Name)
		}
		if saved {
			// A stuck order has its own line.
			ap.noteAnswer(p.answer, !res.GaveUp && !res.Overtaken)
		}
		ap.logAnswer(p.answer, result)
		ids = append(ids, p.order.ID)
	}
	if applied != nil {
		ap.saved += len(batch)
		ap.held.drop(ids)
	}
	ap.done += len(batch)
	ap.progress()
}

// noteAnswer keeps, for the summary, whether an order's last answer from
// znet was one in its format that said nothing zwatch can use, and says so
// when it was: the order counts as an error and is asked again, but a
// person should look (Summary.Unusable). An order answered usably since,
// or given up on (askedAgain false), is not listed; a timeout or another
// error since tells nothing new of it.
func (ap *applier) noteAnswer(a answer, askedAgain bool) {
	if !askedAgain || a.err == nil {
		delete(ap.unusable, a.order.ID)
		return
	}
	reason, ok := a.unusableReason()
	if !ok {
		return
	}
	ap.name(a.order)
	if ap.unusable == nil {
		ap.unusable = map[string]string{}
	}
	// Said once a run, and again only if the reason changes: a looping run
	// asks such an order every few seconds.
	level := slog.LevelWarn
	if ap.unusable[a.order.ID] == reason {
		level = slog.LevelDebug
	}
	ap.unusable[a.order.ID] = reason
	ap.run.log.Log(context.Background(), level, "znet's answer about the order could not be used: it is asked again, and ends stuck if znet keeps answering so; check it on the dealer panel",
		"order", a.order.ID, "integration", a.lane.integration.Name, "reason", reason)
}

// unusableReason is why znet's answer could not be used, when it is an
// answer in znet's format that says nothing zwatch can use; without the
// PIN the order holds already, as its error is told (heldPINHidden).
func (a answer) unusableReason() (string, bool) {
	var zerr *znet.Error
	if !errors.As(a.err, &zerr) || zerr.Kind != znet.KindUnusable {
		return "", false
	}
	return HideHeldPIN(zerr.Message, a.order.HeldPIN), true
}

// heldUnsaved is, for a dry run, the list of the summary that a
// completion held for a person would be in, as the apply decides it
// (store.Applied.HeldUnsaved), and why; nil for one it would save.
func (ap *applier) heldUnsaved(ctx context.Context, out store.Outcome) (*[]string, string) {
	switch pinTooLong, codesTooMany := ap.run.store.WouldHold(ctx, out); {
	case pinTooLong:
		return &ap.pinTooLong, "PIN does not fit the shop's column"
	case codesTooMany:
		return &ap.codesTooMany, "codes do not fit the shop's column"
	}
	return nil, ""
}

// predictStuck counts, for a dry run, an answer a real run would save
// nothing of, giving its order up for a person.
func (ap *applier) predictStuck(p *pendingAnswer, why string) {
	in := ap.tallyOf(p.order)
	in.Asked++
	in.Errors++
	in.Stuck++
	ap.stuckOrders = append(ap.stuckOrders, p.order.ID)
	ap.noteAnswer(p.answer, false)
	ap.logAnswer(p.answer, why)
}

// predict is account for a dry run: what the answers would change.
func (ap *applier) predict(ctx context.Context, batch []*pendingAnswer) {
	ids := make([]string, 0, len(batch))
	outcomes := make([]store.Outcome, len(batch))
	for i, p := range batch {
		outcomes[i] = p.outcome
		outcomes[i].PINBucket = keptBucket(p.outcome)
	}
	// An order that cannot be read is taken to share no referans, the
	// prediction of a dry run only; nor any PIN saved before.
	shared, _ := ap.run.store.SharedReferans(ctx, outcomes)
	givenBefore, _ := ap.run.store.PINGivenBefore(ctx, outcomes)
	for _, p := range batch {
		ap.name(p.order) // a list of the summary may name it
		out := p.outcome
		// Where a real run compares the PIN: before any other hold, which
		// the apply statement decides (applyBatch).
		if taken, ok := ap.sameAsEarlier(ctx, p); ok {
			ap.predictStuck(p, heldSameAsEarlier)
			ap.pinTaken = append(ap.pinTaken, PINTaken{OrderID: p.order.ID, SameAs: taken.SameAs})
			ids = append(ids, p.order.ID)
			continue
		}
		if list, why := ap.heldUnsaved(ctx, out); list != nil {
			// What a real run would do: save nothing, leave it for a person.
			ap.predictStuck(p, why)
			*list = append(*list, p.order.ID)
			ids = append(ids, p.order.ID)
			continue
		}
		if other, ok := shared[p.order.ID]; ok && out.Result == store.ResultDone {
			// What a real run would do: save nothing of the answer, give
			// the order up and name the other, for a person.
			ap.predictStuck(p, "referans shared with another order")
			ap.sharedReferans = append(ap.sharedReferans, SharedReferans{OrderID: p.order.ID, Other: other})
			ids = append(ids, p.order.ID)
			continue
		}
		if other, ok := givenBefore[p.order.ID]; ok {
			// What a real run would do: hold it for the PIN zwatch saved
			// on the other before, and name that one.
			ap.predictStuck(p, heldGivenBefore)
			ap.name(other)
			ap.pinTaken = append(ap.pinTaken, PINTaken{OrderID: p.order.ID, SameAs: other.ID, Before: true})
			ids = append(ids, p.order.ID)
			continue
		}
		if taken, ok := ap.wouldBeTaken(ctx, p); ok {
			// What a real run would do: the index refuses the PIN another
			// order holds, and the order is held for a person.
			ap.predictStuck(p, "refused by the shop's unique index")
			ap.pinTaken = append(ap.pinTaken, PINTaken{OrderID: p.order.ID, Index: taken.Index})
			ids = append(ids, p.order.ID)
			continue
		}
		in := ap.tallyOf(p.order)
		in.count(out.Result)
		givesUp := ap.givesUp(p)
		if givesUp {
			// What a real run would do: save the answer, give the order up.
			ap.gaveUp(in, p)
		}
		to := externalStatusFor(out.Result, p.order.ExternalStatus)
		pin := out.PIN != ""
		switch {
		case out.Result == store.ResultDone && pin && store.KeepsOwnPIN(ap.shopPIN(ctx, p.order.ID), out.PIN):
			// What a real run would do: complete it, keep its own PIN, and
			// leave the two for a person to compare.
			pin = false
			ap.pinKept = append(ap.pinKept, p.order.ID)
		case out.Result == store.ResultCancelled && ap.shopPIN(ctx, p.order.ID) != "":
			ap.cancelledHoldingPIN = append(ap.cancelledHoldingPIN, p.order.ID)
		}
		if to != p.order.ExternalStatus || pin {
			ap.changes = append(ap.changes, Change{
				OrderID: p.order.ID, From: p.order.ExternalStatus, To: to, PIN: pin,
			})
		}
		ap.noteAnswer(p.answer, !givesUp)
		ap.logAnswer(p.answer, string(out.Result))
		ids = append(ids, p.order.ID)
	}
	ap.held.drop(ids)
	ap.done += len(batch)
	ap.progress()
}

// wouldBeTaken says, for a dry run, whether the shop's unique index on
// "pinCode" alone would refuse p's PIN: another order holds it, or an
// answer of this dry run was predicted to save it. It reads the catalogue
// once a run, and an answer's PIN along that index.
func (ap *applier) wouldBeTaken(ctx context.Context, p *pendingAnswer) (store.Taken, bool) {
	out := p.outcome
	if out.Result != store.ResultDone || out.PIN == "" {
		return store.Taken{}, false
	}
	// A shop without the index reads nothing more.
	if !ap.shopPINIndex(ctx).ok || ap.shopPIN(ctx, p.order.ID) != "" {
		return store.Taken{}, false
	}
	pin := store.TrimPIN(out.PIN)
	if ap.predictedPINs[pin] || ap.run.store.PINElsewhere(ctx, pin, p.order.ID) {
		return ap.pinIndex.index, true
	}
	if ap.predictedPINs == nil {
		ap.predictedPINs = make(map[string]bool)
	}
	ap.predictedPINs[pin] = true
	return store.Taken{}, false
}

// pinIndexRead is store.PINIndex's answer, read once a run.
type pinIndexRead struct {
	index store.Taken
	ok    bool
}

// shopPINIndex is the shop's unique index on "pinCode" alone, read once a
// run, when first needed.
func (ap *applier) shopPINIndex(ctx context.Context) pinIndexRead {
	if ap.pinIndex == nil {
		index, ok := ap.run.store.PINIndex(ctx)
		ap.pinIndex = &pinIndexRead{index, ok}
	}
	return *ap.pinIndex
}

// shopPIN is, for a dry run, the PIN the order holds as the apply would
// find it ("": none); an order that cannot be read is taken to hold none,
// the prediction of a dry run only.
func (ap *applier) shopPIN(ctx context.Context, orderID string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	state, err := ap.run.store.LookupOrder(ctx, orderID)
	if err != nil || state.PIN == nil {
		return ""
	}
	return store.TrimPIN(*state.PIN)
}

// progress tells a person watching how far the run is. The applier holds
// no lock, so a slow terminal slows only the applier.
func (ap *applier) progress() {
	if ap.run.cfg.Progress != nil {
		p := Progress{Claimed: ap.held.claimed(), Done: ap.done}
		for _, in := range ap.tally.byID {
			p.Completed += in.Completed
			p.Errors += in.Errors
		}
		ap.run.cfg.Progress(p)
	}
}

// tallyOf is the tally of an order's panel, where its outcome is counted.
func (ap *applier) tallyOf(o store.Order) *IntegrationSummary {
	return ap.tally.of(o.IntegrationID)
}

// releasedAtDeadline is how many orders were released because max-duration
// came first; read once loop has returned.
func (ap *applier) releasedAtDeadline() int { return ap.atDeadline }

// claimsNotHandedBack is how many claims the run left to lapse.
func (ap *applier) claimsNotHandedBack() int { return ap.claimsLeft }

// summary is the run's account; read once loop has returned.
func (ap *applier) summary() *Summary {
	s := &Summary{StuckOrders: ap.stuckOrders, StuckUnusable: ap.stuckUnusable, PINTooLong: ap.pinTooLong, CodesTooMany: ap.codesTooMany, SharedReferans: ap.sharedReferans,
		PINTaken: ap.pinTaken, PINKept: ap.pinKept, PINNotStored: ap.pinNotStored, CancelledHoldingPIN: ap.cancelledHoldingPIN, ShopHeld: ap.shopHeld, Unsaved: ap.unsaved, UnsavedLocked: ap.unsavedLocked, Unconfirmed: ap.unconfirmed, Changes: ap.changes}
	for id, reason := range ap.unusable {
		s.Unusable = append(s.Unusable, UnusableAnswer{OrderID: id, Reason: reason})
	}
	ap.tally.fill(s)
	named := slices.Concat(s.StuckOrders, s.PINKept, s.PINNotStored, s.CancelledHoldingPIN, s.ShopHeld, s.Unconfirmed)
	for _, u := range s.Unusable {
		named = append(named, u.OrderID)
	}
	for _, ch := range s.Changes {
		named = append(named, ch.OrderID)
	}
	for _, v := range s.PINTaken {
		named = append(named, v.SameAs) // the order that kept the PIN
	}
	for _, id := range named {
		if name, ok := ap.names[id]; ok {
			if s.Named == nil {
				s.Named = make(map[string]OrderName)
			}
			s.Named[id] = name
		}
	}
	return s
}

// name keeps how a person finds order o, for a list of the summary that
// names it.
func (ap *applier) name(o store.Order) {
	if ap.names == nil {
		ap.names = make(map[string]OrderName)
	}
	ap.names[o.ID] = OrderName{OrderNo: o.OrderNo, Referans: o.Referans}
}

// logAnswer is the debug line for one order. It names the order, the panel,
// when its worker started the request, the time znet took and the result;
// never the PIN, never the password. The line is written when the answer is
// saved, so asked_at is what tells how requests were spaced on their way to
// a panel.
func (ap *applier) logAnswer(a answer, result string) {
	attrs := []any{
		"order", a.order.ID,
		"integration", a.lane.integration.Name,
		"asked_at", a.askedAt,
		"took", a.took.Round(time.Millisecond),
		"result", result,
	}
	if a.err != nil {
		attrs = append(attrs, "err", a.err.Error())
		var zerr *znet.Error
		if errors.As(a.err, &zerr) {
			attrs = append(attrs, "kind", zerr.Kind.String())
		}
	}
	ap.run.log.Debug("asked znet", attrs...)
}
