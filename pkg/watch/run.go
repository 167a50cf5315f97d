package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// maxApplyBatch bounds how many answers one database statement applies, and
// applyLinger how long the first answer of a batch waits for company: long
// enough to batch a busy run, far too short for a customer to notice.
const (
	maxApplyBatch = 200
	applyLinger   = 25 * time.Millisecond
)

// dbGrace bounds the database work a run still does after it was told to
// stop: saving answers already received and releasing unused claims. It is
// not cut short by the signal, because an answer znet gave must be kept.
const dbGrace = 30 * time.Second

// Run is one check-pending: claim due orders, ask znet, apply, summarise.
//
// ctx is the run's life: cancelling it (SIGINT, SIGTERM) stops claiming,
// cancels requests in flight and releases what was not asked. MaxDuration
// stops claiming and starting requests, and lets those in flight finish.
//
// The error is for what makes the whole run fail (the database is gone);
// trouble with single orders or panels is in the Summary.
func Run(ctx context.Context, st *store.Store, cfg Config) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := newRun(ctx, st, cfg)
	defer r.stop()
	return r.execute()
}

type run struct {
	cfg   Config
	store *store.Store
	log   *slog.Logger
	id    string
	http  *http.Client

	// abort is done when requests in flight must be cancelled (a signal).
	abort context.Context
	// newRequests is done when no request may start any more (abort or
	// MaxDuration); queued orders are then released unasked.
	newRequests context.Context
	stop        context.CancelFunc
	// db outlives abort by dbGrace, so answers received are still saved.
	db context.Context

	slots    chan struct{} // one per request in flight, across panels
	answers  chan answer
	workers  errgroup.Group
	inFlight atomic.Int64 // claimed and not yet applied or released
	dbTime   atomic.Int64 // nanoseconds spent in database calls
	sched    *Scheduler   // when each order is asked next (scheduler.go)

	mu        sync.Mutex
	lanes     map[string]*lane
	tally     tally
	unasked   []string // released at the end of the run, due again at once
	postponed []string // of panels cut off: released, due after panelRetry
	summary   Summary
	applied   int
	claimed   int
}

// lane is one dealer panel within a run: its client, its own limits and its
// fault count.
type lane struct {
	integration store.Integration
	client      *znet.Client
	limiter     *rate.Limiter // nil: unlimited
	queue       chan store.Order

	mu          sync.Mutex
	faultsInRow int
	failing     bool
	reason      string
}

func newRun(ctx context.Context, st *store.Store, cfg Config) *run {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		// One client for every panel of the run, so that connections to
		// each panel are reused across its workers.
		httpClient = znet.NewHTTPClient(cfg.PerIntegration)
	}
	host, _ := os.Hostname()
	id := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8])
	newRequests, stopNewRequests := context.WithTimeout(ctx, cfg.MaxDuration)
	dbCtx, stopDB := context.WithTimeout(context.WithoutCancel(ctx), cfg.MaxDuration+cfg.Timeout+dbGrace)
	r := &run{
		cfg:         cfg,
		store:       st,
		log:         logger.With("run", id),
		id:          id,
		http:        httpClient,
		abort:       ctx,
		newRequests: newRequests,
		stop:        func() { stopNewRequests(); stopDB() },
		db:          dbCtx,
		slots:       make(chan struct{}, cfg.Concurrency),
		answers:     make(chan answer, cfg.Concurrency),
		lanes:       make(map[string]*lane),
	}
	r.summary = Summary{RunID: id, Host: host, DryRun: cfg.DryRun, StartedAt: time.Now()}
	return r
}

func (r *run) execute() (*Summary, error) {
	r.sched = r.newScheduler()
	applyDone := make(chan error, 1)
	go func() { applyDone <- r.applyAnswers() }()

	claimErr := r.claimUntilDone()

	r.mu.Lock()
	for _, l := range r.lanes {
		close(l.queue)
	}
	r.mu.Unlock()
	_ = r.workers.Wait() // workers report through answers and the tally, never by error
	close(r.answers)
	applyErr := <-applyDone

	releaseErr := r.releaseUnasked()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.summary.Duration = time.Since(r.summary.StartedAt)
	r.summary.Seconds = r.summary.Duration.Seconds()
	r.summary.DBSeconds = time.Duration(r.dbTime.Load()).Seconds()
	switch {
	case r.abort.Err() != nil:
		r.summary.StoppedBy = "signal"
	case r.newRequests.Err() != nil:
		r.summary.StoppedBy = "max-duration"
	}
	for _, l := range r.lanes {
		if failing, reason := l.state(); failing {
			in := r.tally.of(l.integration.ID, l.integration.Name)
			in.Failing, in.Reason = true, reason
		}
	}
	r.tally.fill(&r.summary)
	summary := r.summary
	return &summary, errors.Join(claimErr, applyErr, releaseErr)
}

// claimUntilDone claims once, or in loop mode every Tick until Loop has
// passed, handing each order to its panel's lane.
func (r *run) claimUntilDone() error {
	claiming := r.newRequests
	if r.cfg.Loop > 0 {
		var cancel context.CancelFunc
		claiming, cancel = context.WithTimeout(r.newRequests, r.cfg.Loop)
		defer cancel()
	}
	tick := time.NewTicker(max(r.cfg.Tick, time.Millisecond))
	defer tick.Stop()
	failures := 0
	for {
		err := r.claimOnce(claiming)
		switch {
		case err != nil && claiming.Err() != nil:
			return nil // stopping while claiming is not a failure
		case err != nil && (r.cfg.Loop == 0 || failures+1 >= maxClaimFailures):
			return err
		case err != nil:
			// A looping run outlives a passing fault (a deadlock victim, a
			// restarting server) and tries again on the next tick.
			failures++
			r.log.Warn("claiming due orders failed; trying again on the next tick", "err", err)
		default:
			failures = 0
		}
		if r.cfg.Loop == 0 {
			return nil
		}
		select {
		case <-claiming.Done():
			return nil
		case <-tick.C:
		}
	}
}

// maxLaneQueue bounds the orders waiting for one panel's workers, so that a
// huge --batch does not allocate a huge queue for every panel up front.
const maxLaneQueue = 1024

// maxClaimFailures claims in a row may fail before a looping run gives up.
const maxClaimFailures = 3

// claimChunk bounds one claim transaction. A large batch is claimed in
// chunks, so that the first requests leave while the rest is being claimed
// and no claim holds many row locks at once.
const claimChunk = 256

// registerAhead is how many chunks of new orders one claim registers.
const registerAhead = 4

// maxShortClaims bounds the claims in a row that come back short while
// registering says more is due, so that a run cannot spin on a race.
const maxShortClaims = 20

// claimOnce claims what fits into the run now: up to Batch orders, minus
// those still in flight.
func (r *run) claimOnce(ctx context.Context) error {
	room := r.cfg.Batch - int(r.inFlight.Load())
	if room <= 0 || ctx.Err() != nil {
		return nil
	}
	if r.cfg.DryRun {
		start := time.Now()
		orders, err := r.store.Due(ctx, r.cfg.FirstDelay, room)
		r.timeDB(start)
		if err != nil {
			return err
		}
		return r.dispatch(orders)
	}
	// Each chunk registers a few chunks' worth of new orders, so that the
	// first requests leave at once, the rest is registered while they are
	// under way, and runs started together find registered orders to claim.
	// A short claim means nothing more is due, unless registering says
	// otherwise: a run that lost the race to register the same new orders
	// claims, on its next try, what the winner registered.
	shortButMore := 0
	for room > 0 && ctx.Err() == nil {
		chunk := min(room, claimChunk)
		start := time.Now()
		claimed, err := r.store.ClaimBatch(ctx, store.ClaimParams{
			RunID:      r.id,
			Limit:      chunk,
			Register:   min(room, registerAhead*claimChunk),
			FirstDelay: r.cfg.FirstDelay,
			Lease:      r.lease(),
		})
		r.timeDB(start)
		if err != nil {
			return err
		}
		orders := claimed.Orders
		if err := r.dispatch(orders); err != nil {
			return err
		}
		if len(orders) < chunk {
			if !claimed.MoreDue || shortButMore >= maxShortClaims {
				return nil // nothing more is due
			}
			shortButMore++
		} else {
			shortButMore = 0
		}
		room -= len(orders)
	}
	return nil
}

// lease outlasts everything the run may still do with a claim, so that no
// second run takes an order this one is about to ask about; if this run
// dies, the claim lapses by itself.
func (r *run) lease() time.Duration {
	left := r.cfg.MaxDuration - time.Since(r.summary.StartedAt)
	return max(left, 0) + r.cfg.Timeout + dbGrace + time.Minute
}

func (r *run) dispatch(orders []store.Order) error {
	if len(orders) == 0 {
		return nil
	}
	r.inFlight.Add(int64(len(orders)))
	r.mu.Lock()
	r.claimed += len(orders)
	r.mu.Unlock()
	r.log.Debug("claimed orders", "count", len(orders))
	var unknown []string
	r.mu.Lock()
	for _, o := range orders {
		if _, ok := r.lanes[o.IntegrationID]; !ok {
			unknown = append(unknown, o.IntegrationID)
		}
	}
	r.mu.Unlock()
	if len(unknown) > 0 {
		integrations, err := r.store.Integrations(r.db, unknown)
		if err != nil {
			r.skipAll(orders)
			return err
		}
		r.mu.Lock()
		for _, id := range unknown {
			if _, ok := r.lanes[id]; ok {
				continue
			}
			in, ok := integrations[id]
			if !ok {
				in = store.Integration{ID: id, Name: id}
			}
			r.lanes[id] = r.openLane(in, ok)
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	lanes := make([]*lane, len(orders))
	for i, o := range orders {
		lanes[i] = r.lanes[o.IntegrationID]
	}
	r.mu.Unlock()
	// Outside the lock: a full queue makes the claimer wait for the panel's
	// workers, which never need the claimer to go on.
	for i, o := range orders {
		lanes[i].queue <- o
	}
	return nil
}

// openLane starts an integration's workers. An integration that cannot even
// build a client (no such row any more, a base URL that is not a URL) is
// failing from the start: its orders are released unasked.
func (r *run) openLane(in store.Integration, found bool) *lane {
	l := &lane{integration: in, queue: make(chan store.Order, min(r.cfg.Batch, maxLaneQueue))}
	switch {
	case !found:
		l.fail("the integration no longer exists or is no longer a znet one")
	default:
		client, err := znet.NewClient(in.BaseURL, in.DealerCode, in.Password.Reveal(), r.http)
		if err != nil {
			l.fail(err.Error())
		}
		l.client = client
	}
	if r.cfg.Rate > 0 {
		// Requests leave evenly spaced, 10% wider than the rate asks:
		// connection set-up and scheduling jitter on a busy host shift
		// arrival times, and the panel must never count more than --rate
		// in any second.
		l.limiter = rate.NewLimiter(rate.Limit(r.cfg.Rate*0.9), 1)
	}
	r.tally.of(in.ID, in.Name)
	for range r.cfg.PerIntegration {
		r.workers.Go(func() error {
			r.work(l)
			return nil
		})
	}
	return l
}

// work asks znet about one panel's orders, one at a time; PerIntegration
// of these run per panel, and all of them share the run's slots.
func (r *run) work(l *lane) {
	for o := range l.queue {
		if !r.acquire(l) {
			r.skip(l, o)
			continue
		}
		a := r.ask(l, o)
		<-r.slots
		if a.err != nil && r.abort.Err() != nil {
			// Cut short by a signal: znet may not have seen it, and the
			// order is not to blame. Released without counting an attempt.
			r.skip(l, o)
			continue
		}
		if l.record(a.err, r.cfg.FaultLimit) {
			r.log.Warn("integration cut off for this run: its remaining orders are released unasked",
				"integration", l.integration.Name, "faults_in_a_row", r.cfg.FaultLimit, "err", a.err.Error())
		}
		r.answers <- a
	}
}

// acquire waits for the panel's rate and a slot. It fails when the run
// may start no more requests or the panel was cut off meanwhile.
func (r *run) acquire(l *lane) bool {
	if r.newRequests.Err() != nil || l.isFailing() {
		return false
	}
	select {
	case r.slots <- struct{}{}:
	case <-r.newRequests.Done():
		return false
	}
	// The rate is waited for while holding the slot, so that requests
	// leave in the rhythm the panel was promised, not in a burst later.
	if l.limiter != nil {
		if err := l.limiter.Wait(r.newRequests); err != nil {
			<-r.slots
			return false
		}
	}
	if l.isFailing() {
		<-r.slots
		return false
	}
	return true
}

func (r *run) ask(l *lane, o store.Order) answer {
	ctx, cancel := context.WithTimeout(r.abort, r.cfg.Timeout)
	defer cancel()
	start := time.Now()
	status, err := l.client.CheckPin(ctx, o.Referans)
	return answer{order: o, lane: l, status: status, err: err, took: time.Since(start), askedAt: start}
}

// skip releases an order unasked at the end of the run. The orders of a
// panel that was cut off wait a while before they are due again.
func (r *run) skip(l *lane, o store.Order) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l.isFailing() {
		r.postponed = append(r.postponed, o.ID)
	} else {
		r.unasked = append(r.unasked, o.ID)
	}
	r.tally.of(l.integration.ID, l.integration.Name).Skipped++
	r.inFlight.Add(-1)
}

func (r *run) skipAll(orders []store.Order) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range orders {
		r.unasked = append(r.unasked, o.ID)
		r.inFlight.Add(-1)
	}
}

func (r *run) releaseUnasked() error {
	r.mu.Lock()
	unasked, postponed := r.unasked, r.postponed
	r.mu.Unlock()
	if r.cfg.DryRun {
		return nil
	}
	defer r.timeDB(time.Now())
	return errors.Join(
		r.store.Release(r.db, r.id, unasked),
		r.store.ReleaseFor(r.db, r.id, postponed, r.panelRetry()),
	)
}

// panelRetry is how long the orders of a panel that was cut off wait before
// they are due again: were they due at once, the next run would claim that
// broken panel's orders first, oldest due first, and never reach the other
// panels' orders. At least a minute, so that a fast schedule does not
// hammer a panel that is down, unless --give-up-after is so short (a demo,
// a test) that a minute would keep zwatch from ever giving up in time.
func (r *run) panelRetry() time.Duration {
	return max(r.cfg.Schedule.Next(1), min(time.Minute, r.cfg.GiveUpAfter/10))
}

// timeDB adds the time since start to the run's database time.
func (r *run) timeDB(start time.Time) {
	r.dbTime.Add(int64(time.Since(start)))
}

// record counts integration-level faults in a row and reports whether this
// fault cut the panel off. A panel that answered anything an order could be
// blamed for is not failing.
func (l *lane) record(err error, limit int) (cutOff bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil || !znet.IsIntegrationFault(err) {
		l.faultsInRow = 0
		return false
	}
	l.faultsInRow++
	if l.faultsInRow >= limit && !l.failing {
		l.failing = true
		l.reason = err.Error()
		return true
	}
	return false
}

func (l *lane) fail(reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failing = true
	l.reason = reason
}

func (l *lane) state() (failing bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failing, l.reason
}

func (l *lane) isFailing() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failing
}
