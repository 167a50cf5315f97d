package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// One run is three parts that share no lock:
//
//	claimer  (claimer.go) one goroutine: claims due orders, hands each to its
//	         panel's lane, and claims more as the lanes take them
//	lanes    (lane.go) one per dealer panel: its workers, its pace and its
//	         fault count; all lanes share the run's request slots (slots.go)
//	applier  (apply.go) one goroutine: saves answers, releases what was not
//	         asked, and keeps the run's tally
//
// The claims they hold between them are in holdings (lease.go), whose
// heartbeat keeps them from lapsing while the run lives.

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
	type result struct {
		summary *Summary
		err     error
	}
	done := make(chan result, 1)
	go func() {
		defer r.stop()
		summary, err := r.execute()
		done <- result{summary, err}
	}()
	// Every part of the run ends by its own deadlines, the database's
	// included. A statement on a connection that a pooler or the network
	// holds open and silent outlives them all: the driver cancels it by
	// asking the server on a new connection, and waits for the old one all
	// the same. The run is then given up, so that the process exits and the
	// next one starts afresh; its claims lapse by themselves.
	mustEnd := cfg.MaxDuration + cfg.Timeout + dbGrace + hangGrace
	hung := time.NewTimer(mustEnd)
	defer hung.Stop()
	since := "it began"
	signalled := ctx.Done()
	for {
		select {
		case res := <-done:
			return res.summary, res.err
		case <-signalled:
			// After a signal the run's database work has dbGrace left
			// (newRun), not what is left of max-duration: a service
			// manager waits a minute or so before it kills the process,
			// which then records nothing.
			signalled = nil
			if afterStop := dbGrace + hangGrace; afterStop < mustEnd-time.Since(r.started) {
				mustEnd, since = afterStop, "it was told to stop"
				hung.Reset(afterStop)
			}
		case <-hung.C:
			r.sayPersonNotes()
			return nil, fmt.Errorf("the run did not end %s after %s: a database statement hangs (a connection pooler, or the network, holds its connection open and silent); "+
				"zwatch gives the run up so that the next one starts afresh, and its claimed orders are asked again once their claims lapse, within %s", mustEnd, since, ClaimLease)
		}
	}
}

// personNote is a log line of what a person must act on.
type personNote struct {
	msg   string
	attrs []any
}

// forAPerson logs what a person must act on (an order stuck, a PIN kept),
// which the run's summary says to them, at Info, and keeps it: a run
// given up as hung prints no summary, and says them at Warn then.
func (r *run) forAPerson(msg string, attrs ...any) {
	r.personNotes.Lock()
	defer r.personNotes.Unlock()
	if r.personNotes.said {
		r.log.Warn("after the run was given up: "+msg, attrs...)
		return
	}
	r.log.Info(msg, attrs...)
	r.personNotes.lines = append(r.personNotes.lines, personNote{msg, attrs})
}

// sayPersonNotes logs at Warn what the run kept for a person, for a run
// given up before its summary: -q shows warnings, and these transitions
// are written already, so no later run says them again.
func (r *run) sayPersonNotes() {
	r.personNotes.Lock()
	defer r.personNotes.Unlock()
	for _, n := range r.personNotes.lines {
		r.log.Warn("before the run was given up: "+n.msg, n.attrs...)
	}
	r.personNotes.said = true
}

// hangGrace is how long past its last deadline (max-duration, --timeout,
// dbGrace) a run may still take before it is given up as hung: the last
// release of its claims and stopping the give-up clocks of a panel cut
// off get lastStatementGrace each, and the rest ends at once.
const (
	hangGrace          = 15 * time.Second
	lastStatementGrace = 5 * time.Second
)

// run is what every part of one run shares: its settings, its identity and
// its deadlines, which none writes, and beside them the few things every
// part reaches for (the database time spent, the send times, the schedule).
type run struct {
	cfg     Config
	store   *store.Store
	log     *slog.Logger
	id      string
	host    string
	http    *http.Client
	started time.Time

	// abort is done when requests in flight must be cancelled (a signal).
	abort context.Context
	// newRequests is done when no request may start any more (abort or
	// MaxDuration); queued orders are then released unasked.
	newRequests context.Context
	// db outlives abort by dbGrace, so answers received are still saved.
	db   context.Context
	stop context.CancelFunc

	dbTime atomic.Int64   // nanoseconds spent in database calls
	sends  *sendBatch     // reserves the panels' send times (budget.go)
	sched  *Scheduler     // when each order is asked next (scheduler.go); set before any part starts
	refits sync.WaitGroup // a refit of the panels' fits beside the run (learn.go)
	// personNotes are the log lines of what a person must act on
	// (forAPerson), kept for a run given up as hung.
	personNotes struct {
		sync.Mutex
		lines []personNote
		said  bool // the run was given up: later ones are said at once
	}
	// renewNow asks the heartbeat to renew the run's claims at once, not
	// at its next beat (run.renewSoon).
	renewNow chan struct{}

	// asking counts the requests on their way: waiting for the panel's
	// pace or for its answer. The applier waits for their answers to save
	// them together with one that came (applier.linger).
	asking atomic.Int64

	// beat and stallBegan are when the stall watcher last ran and when the
	// last stall it found (stallNoted or more) began, as time since started
	// (monotonic): stalledSince reads them.
	beat, stallBegan atomic.Int64
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
		httpClient = znet.NewHTTPClient(cfg.PerIntegration, cfg.Timeout)
	}
	host, _ := os.Hostname()
	id := claimerID(host)
	newRequests, stopNewRequests := context.WithTimeout(ctx, cfg.MaxDuration)
	dbCtx, stopDB := context.WithTimeout(context.WithoutCancel(ctx), cfg.MaxDuration+cfg.Timeout+dbGrace)
	// Told to stop, the run saves what it holds for dbGrace more, and no
	// longer: its last deadline is then no concern of the signal's sender.
	stopDBAfterSignal := context.AfterFunc(ctx, func() { time.AfterFunc(dbGrace, stopDB) })
	r := &run{
		cfg:         cfg,
		store:       st,
		log:         logger.With("run", id),
		id:          id,
		host:        host,
		http:        httpClient,
		started:     time.Now(),
		abort:       ctx,
		newRequests: newRequests,
		db:          dbCtx,
		stop:        func() { stopNewRequests(); stopDBAfterSignal(); stopDB() },
		renewNow:    make(chan struct{}, 1),
	}
	r.sends = newSendBatch(newRequests, st, id, r.timeDB)
	return r
}

func (r *run) execute() (*Summary, error) {
	r.sched = r.newScheduler()
	held := newHoldings()
	slots := newSlots(r.cfg.Concurrency)
	ap := newApplier(r, held)
	cl := newClaimer(r, held, slots, ap)
	held.onDrop = cl.wake
	r.sends.steppedForward = func(step time.Duration) {
		held.shorten(step)
		if step >= renewAfterStep {
			r.renewSoon()
		}
	}
	r.sends.reachableAgain = r.renewSoon

	applied := make(chan error, 1)
	go func() { applied <- ap.loop() }()
	heartbeatDone := r.heartbeat(held)
	longestStall := r.watchForStalls()

	claimErr := cl.loop() // returns once every lane has drained
	for _, l := range cl.lanes() {
		l.pace.Close(r.db) // unused send times back to the other runs
		if missed := l.missedSendTimes.Load(); missed > 0 {
			r.log.Debug("send times reached too late to use", "integration", l.integration.Name, "dropped_late", missed)
		}
	}
	ap.close()
	applyErr := <-applied
	heartbeatDone()
	r.refits.Wait()

	lanes := cl.lanes()
	clockErr := r.stopGiveUpClocks(lanes)

	for _, l := range lanes {
		ap.tally.describe(l)
	}
	s := ap.summary()
	cl.locked.fill(s)
	s.TookOver = store.TakenOverList(cl.tookOver)
	s.RunID, s.Host, s.DryRun, s.StartedAt = r.id, r.host, r.cfg.DryRun, r.started
	s.Duration = time.Since(r.started)
	s.Seconds = s.Duration.Seconds()
	s.DBSeconds = time.Duration(r.dbTime.Load()).Seconds()
	s.EndedBy = r.endedBy(cl.cutShort(), ap.releasedAtDeadline())
	s.ClaimsLeft = ap.claimsNotHandedBack()
	if s.EndedBy == EndedBySignal || s.EndedBy == EndedByMaxDuration {
		s.StoppedBy = string(s.EndedBy)
	}
	err := errors.Join(claimErr, applyErr, clockErr)
	if stalled := longestStall(); err != nil && stalled > 0 {
		// The errors then are most likely the stall's: deadlines that ran
		// out while nothing ran, not the database's doing.
		err = fmt.Errorf("%w (this process did not run for %s during the run: it was stopped, or its host paused or starved it, while the run's deadlines ran on)",
			err, stalled.Round(time.Second))
	}
	return s, err
}

// stallNoted is how long the process must not have run for the run to
// say so: far longer than any pause of Go's own, or a busy host's.
const stallNoted = 10 * time.Second

// watchForStalls notes when the process does not run for stallNoted or
// more (SIGSTOP, a paused VM, a host starving it): the run's deadlines
// and its claims' leases ran on meanwhile, and what fails next is theirs.
// The returned function stops watching and says the longest stall, 0 if
// none.
func (r *run) watchForStalls() (longest func() time.Duration) {
	quit, done := make(chan struct{}), make(chan struct{})
	var worst time.Duration
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				now := time.Now()
				r.beat.Store(int64(now.Sub(r.started)))
				if stall := now.Sub(last) - time.Second; stall >= stallNoted {
					r.stallBegan.Store(int64(now.Sub(r.started) - stall))
					worst = max(worst, stall)
					r.log.Warn("this process did not run for a while (it was stopped, or its host paused or starved it): the run's deadlines ran on, and other runs may have taken its claims",
						"stalled", stall.Round(time.Second).String())
				}
				last = now
			}
		}
	}()
	return func() time.Duration {
		close(quit)
		<-done
		return worst
	}
}

// stalledSince says whether the process stopped running for stallNoted or
// more after t: found by the stall watcher, or not yet, because the
// watcher has not run since the process was let go on (a worker whose
// request timed out during the stall may wake first). A request started
// after the process went on again is not excused.
func (r *run) stalledSince(t time.Time) bool {
	now := time.Since(r.started)
	lastBeat := time.Duration(r.beat.Load())
	return now-lastBeat >= stallNoted || time.Duration(r.stallBegan.Load()) > t.Sub(r.started)
}

// endedBy says why the run ended. max-duration is named only when it cut
// something short: claiming that still had due orders to take, or orders
// that were claimed and then released unasked because no request could
// start any more. A loop that ran its course ended as planned, even when
// --loop equals --max-duration: the orders it claimed last and could not
// start are handed to the next run, as planned.
func (r *run) endedBy(claimingCutShort bool, releasedAtDeadline int) EndedBy {
	loopIsTheRun := r.cfg.Loop > 0 && r.cfg.Loop >= r.cfg.MaxDuration
	switch {
	case r.abort.Err() != nil:
		return EndedBySignal
	case claimingCutShort, releasedAtDeadline > 0 && !loopIsTheRun:
		return EndedByMaxDuration
	case r.cfg.Loop > 0:
		return EndedByLoop
	}
	return EndedByDone
}

// stopGiveUpClocks stops the give-up clocks of the orders whose answers made
// their panel failing (cut off, or reported failing), and of the orders such
// a panel's lane could not ask before the run ended: the panel was failing
// from then on. Their answers are saved and their claims released by now
// (the applier has finished).
func (r *run) stopGiveUpClocks(lanes []*lane) error {
	if r.cfg.DryRun {
		return nil
	}
	var faulted []string
	for _, l := range lanes {
		faulted = append(faulted, l.ordersToStopClocks()...)
	}
	if len(faulted) == 0 {
		return nil
	}
	// The run's database time, and lastStatementGrace past its end: after
	// a signal that time may have been spent on saving answers.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.db))
	defer cancel()
	defer context.AfterFunc(r.db, func() { time.AfterFunc(lastStatementGrace, cancel) })()
	defer r.timeDB(time.Now())
	held, err := r.store.StopGiveUpClocks(ctx, faulted)
	if len(held) > 0 {
		r.log.Warn("these orders' give-up clocks run on although their panel was failing: "+store.RowsHeldNote, "orders", held)
	}
	return err
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

// CheckClaimPrefix begins the claims of check --order, which records no
// run of its own: "check/" and then a run's id (host/pid/random).
const CheckClaimPrefix = "check/"

// IsCheckClaim says whether a claim's id is check --order's, not a run's
// of a host named "check": one part more.
func IsCheckClaim(id string) bool {
	return strings.HasPrefix(id, CheckClaimPrefix) && strings.Count(id, "/") == 3
}

// claimerID names a run or a check in the claims it takes: the host and
// the process, which an operator finds them by, and a random part, so that
// two of one process (or one after a restart with the same pid) never
// take each other's claims for their own.
func claimerID(host string) string {
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8])
}
