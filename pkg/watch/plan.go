package watch

import (
	"math"
	"slices"
	"time"
)

// CheckPlan is when to ask about a panel's orders: from any age at which
// an order was found waiting, the age at which to ask next. It is the
// optimum, for the panel's finishing times, of what a customer's wait
// costs against what a request costs (planTables.plan).
type CheckPlan struct {
	next []float64 // next[i]: the age to ask at after finding the order waiting at planAges[i]
	// checks is the plan's path: the ages an order that is never final
	// is asked at.
	checks []float64
	// RequestsPerOrder is what the plan costs an average order, until it is
	// final or zwatch gives up; PerFinishing leaves out the orders that
	// never finish, which the plan asks about every MaxGap until GiveUp.
	RequestsPerOrder, PerFinishing float64
	// Cost is the exchange rate the plan was made with: seconds of a
	// customer's wait one request is worth. Fixed plans follow a fixed
	// schedule instead.
	Cost  float64
	Fixed bool
	// atSent: the claim asks about an order at its sentAt, before any
	// wait (--first-delay 0). That check finds every order waiting and
	// costs each a request; the plan goes on from there.
	atSent bool
	// Past the last of planAges, the plan asks every floorGap until
	// floorEnd, as a run does (Scheduler.Next): a give-up later than the
	// ages reach.
	floorGap, floorEnd float64
}

// The ages a plan asks at: every second for the first three minutes, where
// most panels finish most orders, then 2% apart, to a day and a half, but
// never more than MaxCheckWait apart: from 25 hours on, 2% is more than
// the 30 minutes an order may wait to be asked, and a plan could not keep
// to that floor there (a give-up of 30 hours had gaps of 5 hours). A
// give-up later than the ages reach is asked every MaxGap past them
// (CheckPlan.floorGap).
var planAges = func() []float64 {
	ages := []float64{0}
	for a := 1.0; a <= 180; a++ {
		ages = append(ages, a)
	}
	for a := 180 * 1.02; a <= 36*3600; a = min(a*1.02, a+MaxCheckWait.Seconds()) {
		ages = append(ages, math.Round(a))
	}
	return ages
}()

// minSurv is the least share of orders a request is counted for: past the
// ages at which a panel finishes any orders, a request costs next to
// nothing by the fit, and the plan must still ask as rarely as it may.
const minSurv = 1e-4

// PlanLimits are what every plan keeps to.
type PlanLimits struct {
	MinFirst time.Duration // the first check this long after sentAt
	// FreeFirst lets the plan put the first check anywhere from MinFirst
	// on: when the claim registers the panel's orders at the plan's first
	// check (a learned panel) rather than at --first-delay.
	FreeFirst bool
	MaxGap    time.Duration // a waiting order is asked at least this often
	GiveUp    time.Duration // no plan past this after the first check
}

// planTables are what every plan for one distribution shares: on
// planAges, the share not final, prefix sums of the finishing mass in
// (ages[k-1], ages[k]] and of its first and second moments (taken at the
// cell's middle), and the mass finished 10 s and 60 s before each age.
type planTables struct {
	surv, p0, p1, p2, before10, before60 []float64
	// before holds the mass finished d seconds before each age, for the
	// other d that plans price (planCost.LateAt), made on first use.
	before map[float64][]float64
}

func newPlanTables(f *Finishing) *planTables {
	n := len(planAges)
	t := &planTables{surv: make([]float64, n), p0: make([]float64, n), p1: make([]float64, n), p2: make([]float64, n),
		before10: make([]float64, n), before60: make([]float64, n)}
	for k, a := range planAges {
		t.surv[k] = f.SurvAt(a)
		if k == 0 {
			continue
		}
		m := t.surv[k-1] - t.surv[k]
		mid := (planAges[k-1] + a) / 2
		t.p0[k], t.p1[k], t.p2[k] = t.p0[k-1]+m, t.p1[k-1]+m*mid, t.p2[k-1]+m*mid*mid
	}
	t.before10, t.before60 = t.massBefore(10), t.massBefore(60)
	t.before = map[float64][]float64{10: t.before10, 60: t.before60}
	return t
}

// massBefore is, at each plan age, the mass finished d seconds before it.
func (t *planTables) massBefore(d float64) []float64 {
	n := len(planAges)
	out := make([]float64, n)
	for i, a := range planAges {
		age := a - d
		if age <= 0 {
			continue
		}
		k := planIndex(age)
		if k+1 >= n {
			out[i] = t.p0[n-1]
			continue
		}
		frac := (age - planAges[k]) / (planAges[k+1] - planAges[k])
		out[i] = t.p0[k] + frac*(t.p0[k+1]-t.p0[k])
	}
	return out
}

// beforeBy is massBefore(d), kept.
func (t *planTables) beforeBy(d float64) []float64 {
	b, ok := t.before[d]
	if !ok {
		b = t.massBefore(d)
		t.before[d] = b
	}
	return b
}

// plan makes the plan that minimises, over the panel's orders, the
// expected cost of the customers' waits (from znet finishing an order to
// zwatch asking about it, priced by pc) plus pc.PerRequest for every
// request, within lim: the first check at lim.MinFirst (or later, if
// lim.FreeFirst), then every lim.MaxGap at least, until lim.GiveUp after
// it. Orders that will not finish by the panel's history cost requests and
// save no wait, so the plan asks about old orders rarely where the panel
// finishes few.
//
// It is a dynamic program over planAges: the state is the age at which an
// order was last found waiting.
func (t *planTables) plan(f *Finishing, pc planCost, lim PlanLimits) *CheckPlan {
	cost, maxGap, giveUp, minFirst := pc.PerRequest, lim.MaxGap.Seconds(), lim.GiveUp.Seconds(), lim.MinFirst.Seconds()
	n := len(planAges)
	surv, p0, p1, p2 := t.surv, t.p0, t.p1, t.p2
	last := n - 1
	for last > 0 && planAges[last] > giveUp+minFirst {
		last--
	}
	// The claim registers every order minFirst after sentAt (unless the
	// plan is free to choose): that is the first check.
	first := min(planIndex(minFirst), last)
	if planAges[first] < minFirst && first < last {
		first++
	}
	var beforeLate []float64
	if pc.OverLate > 0 {
		beforeLate = t.beforeBy(pc.LateAt)
	}
	value := make([]float64, n)
	next := make([]float64, n)
	for i := last; i >= 0; i-- {
		if i == last {
			next[i] = math.Inf(1)
			continue
		}
		best, bestJ := math.Inf(1), -1
		for j := i + 1; j <= last; j++ {
			b := planAges[j]
			if b-planAges[i] > maxGap {
				break
			}
			// From sentAt the next check is the first one, where it is
			// fixed. A first check at sentAt itself is the state i == 0:
			// the plan goes on from it as from any other.
			if i == 0 && first > 0 && (j < first || j > first && !lim.FreeFirst) {
				continue
			}
			d0, d1, d2 := p0[j]-p0[i], p1[j]-p1[i], p2[j]-p2[i]
			wait := b*d0 - d1
			waitSq := b*b*d0 - 2*b*d1 + d2
			c := cost*max(surv[i], minSurv) + wait + waitSq/pc.Scale
			// Orders that finished more than 10 s or 60 s before b.
			if pc.Over10 > 0 {
				c += pc.Over10 * max(t.before10[j]-p0[i], 0)
			}
			if pc.Over60 > 0 {
				c += pc.Over60 * max(t.before60[j]-p0[i], 0)
			}
			if beforeLate != nil {
				c += pc.OverLate * max(beforeLate[j]-p0[i], 0)
			}
			// What the waits up to b cost only grows with b, and what comes
			// after b costs nothing less than nothing: once they alone cost
			// as much as the best next check found, no later one is better.
			// Cutting the search there halves the time PlanFor takes for a
			// panel that keeps the promise (25 ms to 13 ms for issue 11's
			// fast panel), time a run spends before saving its first answers.
			if c >= best {
				break
			}
			c += value[j]
			if c < best {
				best, bestJ = c, j
			}
		}
		if bestJ < 0 {
			// Nothing within maxGap (the end of the plan): ask at the end.
			bestJ = last
			best = value[last]
		}
		value[i], next[i] = best, planAges[bestJ]
	}
	plan := &CheckPlan{next: next, Cost: cost}
	plan.keepTo(lim)
	plan.count(f)
	return plan
}

// FixedPlan is a fixed schedule as a plan: the first check firstDelay
// after sentAt, then the schedule's steps, the last one repeating, until
// giveUp after the first check. Each panel's choice includes it, so that a
// panel like the PIN profile keeps the schedule built for it.
func FixedPlan(f *Finishing, schedule Schedule, firstDelay time.Duration, lim PlanLimits) *CheckPlan {
	var checks []float64
	age := max(firstDelay, lim.MinFirst).Seconds()
	end := age + lim.GiveUp.Seconds()
	for k := 0; age <= end; k++ {
		checks = append(checks, age)
		age += min(schedule[min(k, len(schedule)-1)], lim.MaxGap).Seconds()
	}
	next := make([]float64, len(planAges))
	j := 0
	for i, a := range planAges {
		for j < len(checks) && checks[j] <= a {
			j++
		}
		next[i] = math.Inf(1)
		if j < len(checks) {
			next[i] = checks[j]
		}
	}
	plan := &CheckPlan{next: next, Fixed: true}
	plan.keepTo(lim)
	plan.count(f)
	return plan
}

// keepTo has the plan start with a check at sentAt where lim's first
// check is there, and ask every lim.MaxGap past the last of planAges, to
// lim.GiveUp after its first check.
func (p *CheckPlan) keepTo(lim PlanLimits) {
	p.atSent = lim.MinFirst <= 0 && !lim.FreeFirst
	p.floorGap, p.floorEnd = lim.MaxGap.Seconds(), p.First()+lim.GiveUp.Seconds()
}

// path is the checks an order meets that is never final, from sentAt.
func (p *CheckPlan) path() []float64 {
	var checks []float64
	if p.atSent {
		checks = append(checks, 0)
	}
	age := 0.0
	for {
		next := p.Next(age)
		if math.IsInf(next, 1) || next <= age {
			break
		}
		checks = append(checks, next)
		age = next
	}
	// Past the ages the plan is kept on, every floorGap to its end: from
	// a last check about where those ages end (a saved plan edited by hand
	// may hold any), to an end no give-up lies beyond.
	end := planAges[len(planAges)-1]
	if p.floorGap > 0 && age >= end-p.floorGap && age <= end+p.floorGap && p.floorEnd <= end+(MaxGiveUpAfter+MaxCheckWait).Seconds() {
		for age+p.floorGap <= p.floorEnd {
			age += p.floorGap
			checks = append(checks, age)
		}
	}
	return checks
}

// count works out what the plan costs an order of f, and keeps its path.
func (p *CheckPlan) count(f *Finishing) {
	p.checks = p.path()
	p.RequestsPerOrder, p.PerFinishing = requests(f, p.checks)
}

// requests is what checks cost an order of f on average, and an order of
// f that finishes: each check is made of the orders still waiting then.
func requests(f *Finishing, checks []float64) (perOrder, perFinishing float64) {
	// An order still waiting at the last check is given up on: it never
	// finishes as far as the plan goes, and what it cost is not a
	// finishing order's, as its wait is no finishing order's (predict).
	never := f.Surv[gridPoints-1]
	if len(checks) > 0 {
		never = f.SurvAt(checks[len(checks)-1])
	}
	prev := 0.0
	for _, c := range checks {
		s := f.SurvAt(prev)
		perOrder += s
		perFinishing += s - never
		prev = c
	}
	if never < 1 {
		perFinishing /= 1 - never
	}
	return perOrder, perFinishing
}

// planIndex is the last plan age at or below age.
func planIndex(age float64) int {
	lo, hi := 0, len(planAges)-1
	if age >= planAges[hi] {
		return hi
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if planAges[mid] <= age {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Next is the age at which to ask about an order next that was found
// waiting at age; +Inf past the end of the plan.
func (p *CheckPlan) Next(age float64) float64 {
	i := planIndex(max(age, 0))
	// A fixed plan's ages lie between the grid's: the next one after the
	// grid point below age may still be at or before age.
	for p.next[i] <= age && i+1 < len(p.next) {
		i++
	}
	if p.next[i] <= age {
		return math.Inf(1)
	}
	return p.next[i]
}

// lateShare is how late, as a share of the gap to the plan's next check,
// a check may come and still count as the planned one (see After), and
// how early, as a share of the gap before it, up to earlyMost seconds.
const (
	lateShare = 0.25
	earlyMost = 1.0
)

// After is the age at which to ask next about an order found waiting at
// age. A check that came a little after one of the plan's checks (the
// claim's tick, the answer's time, a second whose budget was spent) is
// that check, and the order keeps to the plan's path: planning afresh
// from the later age (Next) may skip a check the path makes, where the
// plan's costs are near a tie, and a lag of a second or two would then
// cost a long wait to the orders that finish just after it. A check that
// came later than that is planned from its own age.
//
// So is one that came a moment before one of the plan's checks: the claim
// hands out an order at its due time, which the host reads off the
// database's clock to within a round trip. Planned afresh, the check
// would fall due again at once, and ask an order the plan asks once twice.
func (p *CheckPlan) After(age float64) float64 {
	k, _ := slices.BinarySearch(p.checks, age)
	if k < len(p.checks) && p.checks[k] == age {
		k++
	}
	// checks[k-1] <= age < checks[k]
	if k < len(p.checks) {
		before := 0.0
		if k > 0 {
			before = p.checks[k-1]
		}
		if p.checks[k]-age <= min(lateShare*(p.checks[k]-before), earlyMost) {
			if k+1 < len(p.checks) {
				return p.checks[k+1]
			}
			return p.Next(p.checks[k])
		}
	}
	if k > 0 && k < len(p.checks) {
		planned, next := p.checks[k-1], p.checks[k]
		if age-planned <= lateShare*(next-planned) {
			return next
		}
	}
	return p.Next(age)
}

// First is the age at which to ask about a new order the first time.
func (p *CheckPlan) First() float64 {
	if p.atSent {
		return 0
	}
	return p.next[0]
}

// waitSpan is the ages between two of a plan's checks, and the share of
// the orders not final at the first of them.
type waitSpan struct{ from, to, survFrom float64 }

// spans are the plan's checks as waitSpans, leaving out those in which
// next to no order finishes (past the panel's finishing times, where a
// plan asks every MaxCheckWait until it gives up): they change no share a
// quantile is read from, and each reading of one would look them up.
func spans(f *Finishing, checks []float64) []waitSpan {
	out := make([]waitSpan, 0, len(checks))
	prev, survPrev := 0.0, 1.0
	for _, c := range checks {
		survC := f.SurvAt(c)
		if survPrev-survC > 1e-9 {
			out = append(out, waitSpan{from: prev, to: c, survFrom: survPrev})
		}
		prev, survPrev = c, survC
	}
	return out
}

// longer is the share of the orders finishing within the plan (finished
// of them) that wait more than d seconds to be asked, spans being the
// plan's path.
func longer(f *Finishing, spans []waitSpan, finished, d float64) float64 {
	if finished <= 0 {
		return 0
	}
	share := 0.0
	for _, s := range spans {
		if s.to-d > s.from {
			share += s.survFrom - f.SurvAt(s.to-d)
		}
	}
	return share / finished
}

// shareLonger is the share of the orders finishing within the plan that
// wait more than d seconds to be asked.
func (p *CheckPlan) shareLonger(f *Finishing, d float64) float64 {
	checks := p.path()
	if len(checks) == 0 {
		return 0
	}
	return longer(f, spans(f, checks), 1-f.SurvAt(checks[len(checks)-1]), d)
}

// finishedWithin is the share of orders that finish within the plan, by
// its last check: after it, zwatch has given up.
func (p *CheckPlan) finishedWithin(f *Finishing) float64 {
	checks := p.path()
	if len(checks) == 0 {
		return 0
	}
	return 1 - f.SurvAt(checks[len(checks)-1])
}

// Predicted is what a plan promises for a panel's orders: the median and
// 95th and 99th percentiles of the wait from znet finishing an order to
// zwatch asking, in seconds, and the requests an order costs.
type Predicted struct {
	Median           float64 `json:"median_seconds"`
	P95              float64 `json:"p95_seconds"`
	P99              float64 `json:"p99_seconds"`
	RequestsPerOrder float64 `json:"requests_per_order"`
	// PerFinishing leaves out the checks of orders that never finish:
	// the requests an order that does finish costs.
	PerFinishing float64 `json:"requests_per_finishing_order"`
}

// Predict is what the plan achieves on the finishing times f, were every
// check made on time.
func (p *CheckPlan) Predict(f *Finishing) Predicted {
	return p.predict(f, true)
}

// predict is Predict, leaving out the p99 (which choosing does not need)
// unless asked.
func (p *CheckPlan) predict(f *Finishing, p99 bool) Predicted {
	checks := p.path()
	// Orders finishing after the last check are zwatch's give-up, not a
	// wait: the promise is about the orders finishing within the plan.
	finished := 0.0
	if len(checks) > 0 {
		finished = 1 - f.SurvAt(checks[len(checks)-1])
	}
	// Counted on f, not taken from the fit the plan was made for: the
	// benchmark scores a plan on the true finishing times too.
	var out Predicted
	out.RequestsPerOrder, out.PerFinishing = requests(f, checks)
	if finished <= 0 || len(checks) == 0 {
		return out
	}
	spans := spans(f, checks)
	longer := func(d float64) float64 { return longer(f, spans, finished, d) }
	quantile := func(q float64) float64 {
		lo, hi := 0.0, 2*MaxCheckWait.Seconds()
		if longer(hi) > 1-q {
			return math.Inf(1)
		}
		for range 24 { // to within a few milliseconds
			mid := (lo + hi) / 2
			if longer(mid) > 1-q {
				lo = mid
			} else {
				hi = mid
			}
		}
		return hi
	}
	out.Median, out.P95 = quantile(0.5), quantile(0.95)
	if p99 {
		out.P99 = quantile(0.99)
	}
	return out
}

// The promise zwatch plans for (issue 6's targets, with a margin for the
// claim's tick and the time answers take): the median PIN within
// planMedian seconds of znet finishing it, 95% within planP95.
const (
	planMedian = 9.0
	planP95    = 55.0
	// maxPerFinishing is issue 6's bound on requests per order.
	maxPerFinishing = 6.0
)

// planMenu is the exchange rates PlanFor chooses from, each kind from
// the fewest requests to the most: seconds of wait one request is worth,
// how fast a long wait's cost grows, and the extra cost of a wait longer
// than 10 s and 60 s.
var planMenu = func() []planCost {
	var menu []planCost
	for _, steps := range [][2]float64{{0, 0}, {30, 0}, {30, 300}, {0, 1000}, {0, 3000}} {
		for _, scale := range []float64{60, math.Inf(1)} {
			for _, cost := range []float64{40, 20, 10, 5, 2.5} {
				menu = append(menu, planCost{PerRequest: cost, Scale: scale, Over10: steps[0], Over60: steps[1]})
			}
		}
	}
	return menu
}()

// planCost is what a plan minimises: a wait of d seconds costs
// d + d²/Scale, plus Over10 if d > 10 and Over60 if d > 60, and every
// request PerRequest.
type planCost struct {
	PerRequest, Scale, Over10, Over60 float64
	// OverLate is the extra cost of a wait longer than LateAt seconds.
	LateAt, OverLate float64
}

// PlanFor is the plan for a panel with finishing times f, chosen from the
// menu and the fixed schedule: within the bounds on requests (a finishing
// order at most perFinishingBound, an order on average at most maxRequests,
// the panel's rate budget; +Inf: no bound), one that keeps zwatch's
// promise (planMedian, planP95) if any does, and of those the one with
// the best median and p95 for the requests; if none does, the one
// closest to the promise.
func PlanFor(f *Finishing, fixed Schedule, firstDelay time.Duration, lim PlanLimits, maxRequests float64) (*CheckPlan, Predicted) {
	var (
		best     *CheckPlan
		bestPred Predicted
	)
	perFinishing := perFinishingBound(f, lim)
	better := func(p Predicted) bool {
		if best == nil {
			return true
		}
		inBudget := p.RequestsPerOrder <= maxRequests && p.PerFinishing <= perFinishing
		bestInBudget := bestPred.RequestsPerOrder <= maxRequests && bestPred.PerFinishing <= perFinishing
		if inBudget != bestInBudget {
			return inBudget
		}
		if !inBudget {
			return p.RequestsPerOrder < bestPred.RequestsPerOrder
		}
		keeps, bestKeeps := p.keeps(), bestPred.keeps()
		if keeps != bestKeeps {
			return keeps
		}
		if keeps {
			return p.score() < bestPred.score()
		}
		return p.shortfall() < bestPred.shortfall()
	}
	consider := func(plan *CheckPlan) {
		pred := plan.predict(f, false)
		if better(pred) {
			best, bestPred = plan, pred
		}
	}
	if len(fixed) > 0 {
		consider(FixedPlan(f, fixed, firstDelay, lim))
	}
	tables := newPlanTables(f)
	for _, pc := range planMenu {
		consider(tables.plan(f, pc, lim))
	}
	if !bestPred.keeps() {
		// No plan keeps the promise within the bounds (a slow panel, or one
		// like the PIN profile, whose schedule needs a hair more than the
		// bounds allow): spend the requests the bounds allow, finding for
		// each kind of plan by bisection the exchange rate at which it just
		// fits.
		for _, pc := range planFallbacks {
			lo, hi := 0.5, 80.0 // seconds per request: more requests at lo
			for range 8 {
				pc.PerRequest = math.Sqrt(lo * hi)
				plan := tables.plan(f, pc, lim)
				pred := plan.predict(f, false)
				if pred.RequestsPerOrder <= maxRequests && pred.PerFinishing <= perFinishing {
					hi = pc.PerRequest
				} else {
					lo = pc.PerRequest
				}
				consider(plan)
			}
		}
	}
	return best, best.Predict(f)
}

// perFinishingBound is the most a plan for f may spend on a finishing
// order: maxPerFinishing, or more where the 30-minute floor alone costs
// over floorSpare requests, which every plan pays whatever it asks before.
// A panel finishing a third of its orders 12 hours late pays about 8 more
// for them at the floor; with maxPerFinishing alone every plan was over
// it, and the cheapest was chosen, which asked the other two thirds at
// 72 s and then at 18 minutes (helper-300).
func perFinishingBound(f *Finishing, lim PlanLimits) float64 {
	var floor []float64
	gap := lim.MaxGap.Seconds()
	first := max(lim.MinFirst.Seconds(), 1)
	if gap <= 0 {
		return maxPerFinishing
	}
	for age := first; age <= first+lim.GiveUp.Seconds() && len(floor) < 100000; age += gap {
		floor = append(floor, age)
	}
	_, floorCost := requests(f, floor)
	return max(maxPerFinishing, floorCost+maxPerFinishing-floorSpare)
}

// floorSpare is what the 30-minute floor alone may cost a finishing order
// before the bound grows with it: the floor costs 1.86 on the PIN profile
// and at most 2.0 on issue 11's slow panel, and stays under floorSpare on
// fits of every benchmarked panel from 20 histories each, whose plans did
// not change. It does not cover the early checks a late order is asked at
// too: a third of a panel's orders final a day late, within a 48h
// --give-up-after, still gets the cheapest plan.
const floorSpare = 2.5

// score weighs a plan that keeps the promise: a request is worth
// scoreRequest seconds off twice the median plus the p95.
func (p Predicted) score() float64 { return 2*p.Median + p.P95 + scoreRequest*p.PerFinishing }

// scoreRequest is 10 s: at 15, a panel that finishes fast but leaves some
// orders unfinished (issue 11's second panel) kept a median of 6.5 s
// where 2.8 requests instead of 2.4 per finishing order buy 5.6 s, well
// within its budget; a PIN-like panel's choice (the fixed schedule, the
// only plan that keeps the promise) and a slow panel's (none keeps it)
// do not depend on it.
const scoreRequest = 10.0

// planFallbacks are the kinds of plan PlanFor bisects for when no plan
// keeps the promise within the bounds: minded of the tail (waits over 60 s
// or over the promised p95 cost more), as a slow panel needs, and of the
// median (long waits cost more, and waits over 10 s), as a panel like the
// PIN profile needs. Pricing the waits over the p95 itself, rather than
// over 60 s only, bought issue 11's slow panel a p95 2 s shorter (56 s
// against 58 s) for the same 6 requests per finishing order.
var planFallbacks = []planCost{
	{Scale: math.Inf(1), Over60: 1000}, {Scale: math.Inf(1), Over60: 3000}, {Scale: math.Inf(1), Over10: 30, Over60: 300},
	{Scale: 60}, {Scale: 60, Over10: 30}, {Scale: 60, Over60: 1000},
	{Scale: math.Inf(1), LateAt: planP95, OverLate: 300}, {Scale: 60, LateAt: planP95, OverLate: 300},
}

// shortfall is how far a plan misses the promise. A plan that keeps the
// p95 misses by its median only, and is better than any that misses the
// p95: a panel like the PIN profile, which no plan serves within the
// bounds, then keeps the tail and comes as close to the median as the
// requests allow, instead of giving up its median for a p95 far below the
// promise. Of plans that miss the p95 (a slow panel, which cannot have a
// short median at any sensible price, but can have a short tail), the one
// with the shortest p95 is best.
func (p Predicted) shortfall() float64 {
	if p.P95 <= planP95 {
		return p.Median / planMedian
	}
	return 1e3 + p.P95/planP95 + 0.1*p.Median/planMedian
}

func (p Predicted) keeps() bool { return p.Median <= planMedian && p.P95 <= planP95 }
