package watch

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// Scheduler decides when an order that is still waiting is asked about
// next.
//
// Learning (the default), it follows its panel's CheckPlan: the checks
// that, for how that panel finishes orders (learned from zwatch's history,
// the PIN profile until there is enough), keep zwatch's promise at the
// fewest requests, or come closest to it. A plan is a function of the
// order's age, not of how often it was asked, so an order asked late (the
// panel's budget was spent) is asked next where the plan says for its age,
// and orders that by the panel's history will not finish soon are asked
// rarely (every MaxCheckWait at least) and stop eating the budget. When
// more orders are due than the budget allows, the claim takes those due
// the longest first: they have gathered the most probability of having
// finished.
//
// Not learning (an operator gave --schedule), it follows the fixed
// schedule by the number of checks, as zwatch always did.
type Scheduler struct {
	fixed      Schedule
	learn      bool
	firstDelay time.Duration
	lim        PlanLimits
	// scale is how many seconds of the plans' time pass in one second of
	// the clock: 1, except in benchmarks that compress time.
	scale  float64
	prior  *Finishing
	panels map[string]*Finishing
	// giveUp is --give-up-after, on the clock: no order is left due past
	// the moment zwatch gives up on it (Next).
	giveUp time.Duration

	mu        sync.Mutex
	plans     map[string]*CheckPlan
	predicted map[string]Predicted

	// dbAhead is how far the database's clock, on which an order's SentAt
	// is, runs ahead of this host's (nanoseconds; negative: behind).
	dbAhead atomic.Int64
}

// MaxCheckWait is issue 11's floor on how often an order is asked: the
// longest a waiting order goes between two checks until zwatch gives up.
const MaxCheckWait = 30 * time.Minute

// minCheckWait keeps an order that was asked late from being asked again
// at once.
const minCheckWait = 2 * time.Second

// NewFixedScheduler follows schedule by the number of checks, until
// giveUp after an order's first check.
func NewFixedScheduler(schedule Schedule, giveUp time.Duration) *Scheduler {
	return &Scheduler{fixed: schedule, scale: 1, giveUp: giveUp}
}

// NewLearningScheduler plans each panel's checks from its finishing times
// (panels, by integration id; the others get prior). The first check is
// firstDelay after sentAt, when the claim registers an order; schedule is
// the fixed schedule every panel's plan is compared with. scale compresses
// time for benchmarks (1 otherwise).
func NewLearningScheduler(prior *Finishing, panels map[string]*Finishing, schedule Schedule, firstDelay, giveUp time.Duration, scale float64) *Scheduler {
	if scale <= 0 {
		scale = 1
	}
	sim := func(d time.Duration) time.Duration { return time.Duration(float64(d) * scale) }
	return &Scheduler{
		fixed: schedule, learn: true, firstDelay: sim(firstDelay), scale: scale, giveUp: giveUp,
		lim:   PlanLimits{MinFirst: sim(firstDelay), MaxGap: MaxCheckWait, GiveUp: sim(giveUp)},
		prior: prior, panels: panels,
		plans: make(map[string]*CheckPlan), predicted: make(map[string]Predicted),
	}
}

// Learning says whether the scheduler plans from the panels' history.
func (s *Scheduler) Learning() bool { return s.learn }

// Finishing is the finishing times the scheduler uses for a panel.
func (s *Scheduler) Finishing(integrationID string) *Finishing {
	if f, ok := s.panels[integrationID]; ok && f != nil && f.Weight > 0 {
		return f
	}
	return s.prior
}

// Plan is the panel's plan and what it promises, made on first use.
func (s *Scheduler) Plan(integrationID string) (*CheckPlan, Predicted) {
	key := integrationID
	if f, ok := s.panels[integrationID]; !ok || f == nil || f.Weight == 0 {
		key = "" // every panel without enough history shares the prior's plan
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.plans[key]; ok {
		return p, s.predicted[key]
	}
	f := s.Finishing(integrationID)
	var (
		plan *CheckPlan
		pred Predicted
	)
	if own, ok := s.panels[integrationID]; ok && own != nil {
		// Made by the refit, for these settings: the prior's plan where
		// the panel's own history is still too short.
		plan = own.saved.planFor(f, planKey(s.fixed, s.firstDelay, s.lim.GiveUp, f), panelLimits(f, s.firstDelay, s.lim.GiveUp))
	}
	if plan != nil {
		pred = plan.Predict(f)
	} else {
		plan, pred = panelPlan(f, s.fixed, s.firstDelay, s.lim.GiveUp)
	}
	s.plans[key], s.predicted[key] = plan, pred
	return plan, pred
}

// panelPlan is the plan a run follows for a panel whose orders finish as f
// says, firstDelay and giveUp on the plans' clock: first asked where its
// fit chose (a learned panel), else firstDelay after sentAt.
func panelPlan(f *Finishing, fixed Schedule, firstDelay, giveUp time.Duration) (*CheckPlan, Predicted) {
	return PlanFor(f, fixed, firstDelay, panelLimits(f, firstDelay, giveUp), math.Inf(1))
}

// panelLimits are what a run's plan for a panel whose orders finish as f
// says keeps to: its first check where its fit chose (a learned panel),
// else firstDelay after sentAt.
func panelLimits(f *Finishing, firstDelay, giveUp time.Duration) PlanLimits {
	lim := PlanLimits{MinFirst: firstDelay, MaxGap: MaxCheckWait, GiveUp: giveUp}
	if f.Weight > 0 && f.FirstCheck > 0 {
		// Bounded, as registering bounds it (store.firstCheckMost): a saved
		// first check past the 30-minute floor is a hand edit, and one past
		// what a Duration holds would wrap around.
		lim.MinFirst = time.Duration(min(f.FirstCheck, MaxCheckWait.Seconds()) * float64(time.Second))
	}
	return lim
}

// planVersion names the planner's rules in a saved plan's key, so that a
// plan saved by a zwatch that planned otherwise is made afresh, not
// followed. Raise it with any change to what PlanFor chooses.
const planVersion = 3

// planKey names the planner and the settings a plan is made for: the
// fixed schedule it is compared with, firstDelay and giveUp on the plans'
// clock, the ages it is kept on, and the finishing times it was made for.
// The last tells a plan from the fit beside it in the row: a refit by a
// zwatch that saves no plan (one older than saved plans) replaces the fit
// and leaves the plan, which was made for the fit before.
func planKey(fixed Schedule, firstDelay, giveUp time.Duration, f *Finishing) string {
	return fmt.Sprintf("planner %d; schedule %s; first delay %gs; give up %gs; ages %d; fit %s",
		planVersion, fixed, firstDelay.Seconds(), giveUp.Seconds(), len(planAges), fitPrint(f))
}

// fitPrint tells finishing times apart: a hash of their survival, each
// share to 9 significant digits. The database hands a float8 back exactly
// only where extra_float_digits is positive (PostgreSQL 12's default; 11's
// and a DBA's 0 give 15 digits, which rounded again to 9 come out the same
// but for a one-in-a-million share), and a run computing the PIN profile on
// another machine may differ in the last bits; one refit's fit differs
// from another's far above the 9th digit.
func fitPrint(f *Finishing) string {
	h := fnv.New64a()
	var b []byte
	for _, v := range f.Surv {
		b = strconv.AppendFloat(b[:0], v, 'g', 9, 64)
		h.Write(append(b, ' '))
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// savedPlan is a panel's plan as the refit saved it with the fit.
type savedPlan struct {
	key   string
	next  []float64 // as CheckPlan.next
	cost  float64
	fixed bool
}

// planFor is the saved plan for orders that finish as f says, when it was
// made for key; nil otherwise, or when nothing was saved.
func (sp *savedPlan) planFor(f *Finishing, key string, lim PlanLimits) *CheckPlan {
	if sp == nil || sp.key != key {
		return nil
	}
	plan := &CheckPlan{next: sp.next, Cost: sp.cost, Fixed: sp.fixed}
	plan.keepTo(lim)
	plan.count(f)
	return plan
}

// encodeNext is plan.next for a float8[] column: -1 for never.
func encodeNext(next []float64) []float64 {
	out := make([]float64, len(next))
	for i, n := range next {
		out[i] = n
		if math.IsInf(n, 1) {
			out[i] = -1
		}
	}
	return out
}

// decodeNext reads encodeNext's; nil for anything it does not write, or
// on another grid of ages.
func decodeNext(saved []float64) []float64 {
	if len(saved) != len(planAges) {
		return nil
	}
	out := make([]float64, len(saved))
	for i, n := range saved {
		switch {
		case n == -1:
			out[i] = math.Inf(1)
		case n > 0 && !math.IsInf(n, 0) && !math.IsNaN(n):
			out[i] = n
		default:
			return nil
		}
	}
	return out
}

// ReadDatabaseClock notes that the database's clock showed dbNow at this
// host's localNow (a claim's reading of it, off by the commit's round trip
// at most), so that Next can place this host's times on it.
func (s *Scheduler) ReadDatabaseClock(dbNow, localNow time.Time) {
	s.dbAhead.Store(int64(dbNow.Sub(localNow)))
}

// DatabaseNow is the database's clock now, as the last reading placed it
// on this host's; this host's clock before any reading.
func (s *Scheduler) DatabaseNow() time.Time {
	return time.Now().Add(time.Duration(s.dbAhead.Load()))
}

// Next is how long after now an order asked about at askedAt, and found
// waiting (or not answered), is due again.
func (s *Scheduler) Next(o store.Order, askedAt, now time.Time) time.Duration {
	maxWait := time.Duration(float64(MaxCheckWait) / s.scale)
	minWait := time.Duration(float64(minCheckWait) / s.scale)
	if !s.learn || o.SentAt == nil {
		// Counted from the request, as a plan's ages are: a step from the
		// answer would add the panel's time to answer to every step, and
		// a step of 30 minutes would pass the floor. The least wait is
		// never more than the step: --schedule 1s, and a benchmark's
		// steps divided by its time scale, are followed as given.
		step := min(s.fixed.Next(o.Attempts+1), maxWait)
		return s.notPastGiveUp(o, askedAt, now, max(step-now.Sub(askedAt), min(step, minWait)), minWait)
	}
	hostAskedAt, hostNow := askedAt, now
	plan, _ := s.Plan(o.IntegrationID)
	// On the database's clock, as SentAt is: a host minutes off would
	// otherwise plan every order from the wrong age.
	ahead := time.Duration(s.dbAhead.Load())
	askedAt, now = askedAt.Add(ahead), now.Add(ahead)
	asked := askedAt.Sub(*o.SentAt).Seconds() * s.scale
	wait := maxWait
	// A check the floor comes before anyway is not converted: a plan's age
	// past what a Duration holds (+Inf, or a saved plan someone edited)
	// would wrap around to a wait in the past.
	if target := plan.After(asked); target-asked < MaxCheckWait.Seconds() {
		at := o.SentAt.Add(time.Duration(target / s.scale * float64(time.Second)))
		wait = at.Sub(now)
	}
	// The floor counts from the last check, not from now.
	wait = min(wait, maxWait-now.Sub(askedAt))
	return s.notPastGiveUp(o, hostAskedAt, hostNow, max(wait, minWait), minWait)
}

// notPastGiveUp is wait, cut to end when zwatch gives up on the order,
// --give-up-after after its first check (on the database's clock, which
// gives up). No plan asks at that moment, and the next check after it may
// be a step of 30 minutes away: the order would go stuck, and a person
// hear of it, up to half an hour late (helper-355).
func (s *Scheduler) notPastGiveUp(o store.Order, askedAt, now time.Time, wait, minWait time.Duration) time.Duration {
	if s.giveUp <= 0 {
		return wait
	}
	first := askedAt // the order's first check is this one
	if o.FirstCheckedAt != nil {
		first = o.FirstCheckedAt.Add(-time.Duration(s.dbAhead.Load()))
	}
	if left := first.Add(s.giveUp).Sub(now); left > 0 && left < wait {
		return max(left, min(wait, minWait))
	}
	return wait
}
