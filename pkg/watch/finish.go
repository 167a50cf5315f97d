package watch

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"
)

// Finishing is how a dealer panel finishes orders: the share of orders not
// yet final (done or cancelled) at each age, counted from sentAt. It may
// level off above zero: orders that never finish. zwatch learns one per
// panel from its own history (FitFinishing) and starts from the PIN
// profile (PINProfile), the distribution the default schedule was built for.
type Finishing struct {
	// Surv[k] is the share not final at age gridAges[k]; Surv[0] is 1 and
	// the values never rise.
	Surv []float64
	// Finals is how many final answers (done or cancelled) the fit rests
	// on, Completions how many of them were done, Censored how many orders
	// zwatch gave up on; all zero for the prior alone.
	Finals, Completions, Censored int
	// Weight is the share of the panel's own fit in Surv, the rest being
	// the prior: 0 up to MinFinalsToLearn, 1 from trustFinals on.
	Weight float64
	// FirstCheck is how long after sentAt the claim registers the panel's
	// orders, in the plans' seconds, as its plan chose when it was fitted;
	// 0 for --first-delay.
	FirstCheck float64
	// saved is the plan the refit made with the fit; nil: none.
	saved *savedPlan
}

// The grid of ages the distribution is kept on: 0, then from gridFirst
// seconds up, each point gridStep times the one before, to past a day (the
// default give-up). Relative steps suit finishing times, which spread over
// four orders of magnitude.
const (
	gridFirst  = 1.0
	gridStep   = 1.04
	gridPoints = 310 // gridAges[309] ≈ 50 h
)

var gridAges = func() []float64 {
	ages := make([]float64, gridPoints)
	for k := 1; k < gridPoints; k++ {
		ages[k] = gridFirst * math.Pow(gridStep, float64(k-1))
	}
	return ages
}()

// GridAges is the ages, in seconds, at which Surv is given.
func GridAges() []float64 { return slices.Clone(gridAges) }

// The PIN profile (issue 6, README "The schedule"): 90% finish (done or
// cancelled) log-normally with a median of 40 s and a 95th percentile of 5
// minutes, 10% around half an hour, when a person at the dealer handles them.
const (
	pinMedian    = 40.0
	pinP95       = 300.0
	pinLongShare = 0.10
	pinLongWait  = 1800.0
	pinLongSigma = 0.1
	z95          = 1.6448536269514722
)

// PINProfile is the prior every panel starts from.
func PINProfile() *Finishing {
	sigma := math.Log(pinP95/pinMedian) / z95
	f := &Finishing{Surv: make([]float64, gridPoints)}
	for k, a := range gridAges {
		if a == 0 {
			f.Surv[k] = 1
			continue
		}
		f.Surv[k] = (1-pinLongShare)*logNormalSurv(a, pinMedian, sigma) + pinLongShare*logNormalSurv(a, pinLongWait, pinLongSigma)
	}
	return f
}

// LogNormalFinishing is a panel where a share never finishes and the rest
// finish log-normally; for simulations and tests.
func LogNormalFinishing(median, sigma, never float64) *Finishing {
	f := &Finishing{Surv: make([]float64, gridPoints)}
	for k, a := range gridAges {
		f.Surv[k] = 1
		if a > 0 {
			f.Surv[k] = never + (1-never)*logNormalSurv(a, median, sigma)
		}
	}
	return f
}

// SampledFinishing is a panel whose orders took takes seconds to finish,
// one value an order; a take past the grid's last age (about 50 h), such
// as +Inf, or NaN, is an order that never finishes. The benchmark scores
// a learned plan on the finishing times it drew orders from with it.
func SampledFinishing(takes []float64) *Finishing {
	sorted := make([]float64, len(takes))
	for i, t := range takes {
		if math.IsNaN(t) {
			t = math.Inf(1) // NaN would sort first, as finished at once
		}
		sorted[i] = t
	}
	slices.Sort(sorted)
	f := &Finishing{Surv: make([]float64, gridPoints)}
	for k, a := range gridAges {
		// The share still waiting at a: those that take longer than a.
		finished, _ := slices.BinarySearch(sorted, math.Nextafter(a, math.Inf(1)))
		f.Surv[k] = 1 - float64(finished)/float64(max(len(sorted), 1))
	}
	f.Surv[0] = 1
	return f
}

func logNormalSurv(age, median, sigma float64) float64 {
	return 0.5 * math.Erfc(math.Log(age/median)/(sigma*math.Sqrt2))
}

// SurvAt is the share not final at age seconds, linear between grid points.
func (f *Finishing) SurvAt(age float64) float64 {
	if age <= 0 {
		return 1
	}
	k := gridIndex(age)
	if k >= gridPoints-1 {
		return f.Surv[gridPoints-1]
	}
	a0, a1 := gridAges[k], gridAges[k+1]
	return f.Surv[k] + (f.Surv[k+1]-f.Surv[k])*(age-a0)/(a1-a0)
}

// gridIndex is the last grid point at or below age.
func gridIndex(age float64) int {
	if age < gridFirst {
		return 0
	}
	k := 1 + int(math.Floor(math.Log(age/gridFirst)/math.Log(gridStep)))
	// Rounding may put age a hair on the wrong side of a point.
	for k > 1 && gridAges[min(k, gridPoints-1)] > age {
		k--
	}
	for k+1 < gridPoints && gridAges[k+1] <= age {
		k++
	}
	return min(k, gridPoints-1)
}

// AgeWhenSurv is the first age at which the share not final has fallen to
// s, or +Inf when it never does.
func (f *Finishing) AgeWhenSurv(s float64) float64 {
	if s >= 1 {
		return 0
	}
	k, found := slices.BinarySearchFunc(f.Surv, s, func(v, target float64) int {
		// Surv does not rise: "before" while still above the target.
		switch {
		case v > target:
			return -1
		case v < target:
			return 1
		}
		return 0
	})
	if found {
		for k > 0 && f.Surv[k-1] == s {
			k--
		}
		return gridAges[k]
	}
	if k >= gridPoints {
		return math.Inf(1)
	}
	if k == 0 {
		return gridAges[0] // below s from the start: orders final at once
	}
	// Between k-1 (above s) and k (below s).
	s0, s1 := f.Surv[k-1], f.Surv[k]
	a0, a1 := gridAges[k-1], gridAges[k]
	return a0 + (a1-a0)*(s0-s)/(s0-s1)
}

// FinishedShare is the share of orders that ever become final within the
// grid: one minus the share that never does.
func (f *Finishing) FinishedShare() float64 { return 1 - f.Surv[gridPoints-1] }

// Quantile is the age by which the share q of the orders that do finish
// have finished: Quantile(0.5) is the median finishing time. NaN when none
// finish.
func (f *Finishing) Quantile(q float64) float64 {
	done := f.FinishedShare()
	if done <= 0 {
		return math.NaN()
	}
	return f.AgeWhenSurv(1 - q*done)
}

// blend is the panel's own fit where it has enough history, the prior
// where not, and a mixture in between.
func blend(own, prior *Finishing, weight float64) *Finishing {
	out := &Finishing{Surv: make([]float64, gridPoints), Finals: own.Finals, Completions: own.Completions,
		Censored: own.Censored, Weight: weight}
	for k := range out.Surv {
		out.Surv[k] = weight*own.Surv[k] + (1-weight)*prior.Surv[k]
	}
	return out
}

// FinishObservation is what zwatch saw of one order, ages in seconds from
// sentAt: it was still waiting at WaitingAge (0 when no check found it
// waiting) and final at FinalAge, so it finished in between; or, GaveUp,
// it was still waiting at FinalAge when zwatch stopped asking; or, Open,
// it is still waiting, last seen so at WaitingAge.
type FinishObservation struct {
	WaitingAge, FinalAge    float64
	GaveUp, Completed, Open bool
}

// How much history a panel's own fit needs: up to MinFinalsToLearn final
// answers the prior alone decides (a fit from 50 orders is not reliable);
// from trustFinals on, the panel's own fit alone; in between, a mixture
// that leans towards the panel's fit as its history grows.
const (
	MinFinalsToLearn = 50
	trustFinals      = 200
)

// minSeenWaiting is how many final answers must have come after the order
// was seen waiting before the panel's own fit is used. Answers that were
// all final at their first check say only that the orders finished by
// then, not when: any shape fits them, and the fit's guess (all within 2 s
// of sending, for orders final at 20 and 40 s) made a plan that asked at 3
// and 5 s and then not for 18 minutes, where orders finishing at 6 s
// waited that long. The prior's plan asks such a panel at its first
// check, as the history shows answers then.
const minSeenWaiting = 10

// FitFinishing learns a panel's finishing times from what zwatch saw of
// the orders sent since some time (all of them: those still waiting too,
// or a fit made while slow orders wait would take the panel for faster
// than it is), starting from the prior.
//
// zwatch never sees the moment an order finishes, only that it was waiting
// at one check and final at the next: each observation is an interval, and
// an order zwatch gave up on is known only to take longer than it waited.
// The fit is the maximum-likelihood distribution for such data (Turnbull's
// self-consistency algorithm) on the grid of ages, started from the
// panel's log-normal (startingMass) so that where the data cannot tell
// (within one interval) a shape like the panel's stays, then smoothed over
// a few neighbouring grid cells. Where the log-normal itself explains the
// answers about as well (shapeExplains), it is the fit, up to the last
// final answer (shapeThenFit). The ages before the first check, where no
// answer tells anything, keep the shape of the panel's first minutes
// (spreadBlind).
func FitFinishing(obs []FinishObservation, prior *Finishing) *Finishing {
	own := &Finishing{}
	seenWaiting := 0
	for _, o := range obs {
		switch {
		case o.Open:
		case o.GaveUp:
			own.Censored++
		default:
			own.Finals++
			if o.Completed {
				own.Completions++
			}
			if o.WaitingAge > 0 {
				seenWaiting++
			}
		}
	}
	weight := min(1, max(0, float64(own.Finals-MinFinalsToLearn)/float64(trustFinals-MinFinalsToLearn)))
	if weight == 0 || seenWaiting < minSeenWaiting {
		return blend(own.withSurv(prior.Surv), prior, 0)
	}
	// Cells: k < gridPoints-1 is (gridAges[k], gridAges[k+1]], the last one
	// "after the grid", which is where orders that never finish are.
	cells := gridPoints
	last := lastFinalAge(obs)
	shape := fitLogNormal(obs, last)
	mass := startingMass(prior, shape, last)
	spreadBlind(mass, obs)
	for k := range mass {
		mass[k] = max(mass[k], 1e-6) // every cell possible at the start
	}
	type span struct {
		first int
		w     []float64 // share of each cell from first on inside the interval
	}
	spans := make([]span, len(obs))
	for i, o := range obs {
		lo, hi := max(o.WaitingAge, 0), max(o.FinalAge, o.WaitingAge, 0)
		if o.Open {
			// Still waiting: it finishes after lo, or never.
			hi = math.Inf(1)
		}
		if o.GaveUp {
			// Nothing is known of an order after zwatch gave up on it, a day
			// on: as far as asking goes, it never finishes.
			spans[i] = span{first: cells - 1, w: []float64{1}}
			continue
		}
		if hi-lo < 1e-3 {
			lo = max(hi-1e-3, 0)
		}
		first := gridIndex(lo)
		if first >= cells-1 {
			spans[i] = span{first: cells - 1, w: []float64{1}}
			continue
		}
		var w []float64
		for k := first; k < cells; k++ {
			if k == cells-1 {
				if math.IsInf(hi, 1) {
					w = append(w, 1)
				}
				break
			}
			a0, a1 := gridAges[k], gridAges[k+1]
			if a0 >= hi {
				break
			}
			overlap := (min(a1, hi) - max(a0, lo)) / (a1 - a0)
			w = append(w, max(overlap, 0))
		}
		spans[i] = span{first: first, w: w}
	}
	next := make([]float64, cells)
	for range 200 {
		clear(next)
		for _, sp := range spans {
			total := 0.0
			for j, w := range sp.w {
				total += w * mass[sp.first+j]
			}
			if total <= 0 {
				continue
			}
			for j, w := range sp.w {
				next[sp.first+j] += w * mass[sp.first+j] / total
			}
		}
		n := float64(len(spans))
		for k := range mass {
			mass[k] = next[k] / n
		}
	}
	// A light smoothing over neighbouring cells (each 4% of the age apart),
	// so that the schedule does not snap to the few ages where one sample
	// of orders happened to finish.
	kernel := []float64{1, 2, 3, 2, 1}
	smooth := make([]float64, cells)
	for k := range cells - 1 {
		sum, wsum := 0.0, 0.0
		for j, w := range kernel {
			m := k + j - len(kernel)/2
			if m < 0 || m >= cells-1 {
				continue
			}
			sum += w * mass[m]
			wsum += w
		}
		smooth[k] = sum / wsum
	}
	smooth[cells-1] = mass[cells-1]
	total := 0.0
	for _, m := range smooth {
		total += m
	}
	surv := make([]float64, gridPoints)
	left := 1.0
	for k := range gridPoints {
		surv[k] = max(left, 0)
		if k < cells-1 {
			left -= smooth[k] / total
		}
	}
	if shape != nil {
		// Where a log-normal explains the answers as well, the fit's
		// differences from it are chance, and would move the plan from
		// refit to refit.
		smooth := shapeThenFit(shape, surv, last)
		if logLikelihood(surv, obs)-logLikelihood(smooth, obs) < shapeExplains*float64(len(obs)) {
			surv = smooth
		}
	}
	if logLikelihood(surv, obs)-logLikelihood(prior.Surv, obs) < priorExplains {
		// The prior explains the panel's answers about as well as the
		// panel's own fit: what sets them apart is chance, and a plan made
		// for the chance differences is worse for the panel than the one
		// made for the prior.
		return blend(own.withSurv(prior.Surv), prior, 0)
	}
	return blend(own.withSurv(surv), prior, weight)
}

// neverAtStart is the least share of orders the fit starts out taking for
// never finishing. The answers cannot tell an order that will finish after
// the last of them from one that never will, so the fit keeps the share it
// starts from between the two: were it the PIN profile's (none), every
// order still waiting after the panel's finishing times would be taken for
// one finishing later still, and planned for, where on a panel that leaves
// some orders unfinished it almost certainly never finishes.
const neverAtStart = 0.01

// priorExplains is how much likelier (in natural log) a panel's answers
// must be by its own fit than by the prior before zwatch plans from the
// fit. The fit has one free share per interval between check ages, a few
// dozen, so on the prior's own orders it comes out likelier by about half
// that; a panel that differs gains hundreds from 200 answers on.
const priorExplains = 30

// shapeExplains is how much likelier (in natural log), for each answer, a
// panel's answers must be by the self-consistency fit than by the panel's
// log-normal (shapeThenFit) before zwatch plans from the former. The
// log-normal has three free numbers, the fit one per cell the answers
// mark out: on a log-normal panel's answers the fit comes out likelier
// only by chance; on a panel's that is not log-normal, by an amount that
// grows with the answers. In the
// simulation, from 1,000 answers on (the 40 this allows): issue 11's
// slow panel, and its panel where 12% never finish, 2 to 25; the PIN
// profile and the fast panel with 3% near half an hour, 80 to 355. At 200
// answers (8 allowed) the fast panel gained 27 to 32, and its log-normal
// (a median of 1 s where the panel's is 5 s) would have replaced the fit.
// Planned from the fit, the slow panel's plans moved with each refit (a
// p95 of 54 to 70 s on its true finishing times); from the log-normal,
// 53 to 56 s.
const shapeExplains = 0.04

// logLikelihood is how likely the observations are by the share not final
// surv.
func logLikelihood(surv []float64, obs []FinishObservation) float64 {
	f := Finishing{Surv: surv}
	ll := 0.0
	for _, o := range obs {
		var p float64
		switch {
		case o.GaveUp:
			p = f.SurvAt(o.FinalAge)
		case o.Open:
			p = f.SurvAt(o.WaitingAge)
		default:
			p = f.SurvAt(o.WaitingAge) - f.SurvAt(max(o.FinalAge, o.WaitingAge))
		}
		ll += math.Log(max(p, 1e-9))
	}
	return ll
}

// firstAsked is the youngest age at which zwatch asked any of the orders
// observed: before it no answer tells when an order finished.
func firstAsked(obs []FinishObservation) float64 {
	first := math.Inf(1)
	for _, o := range obs {
		switch {
		case o.WaitingAge > 0:
			first = min(first, o.WaitingAge)
		case !o.Open && !o.GaveUp && o.FinalAge > 0:
			first = min(first, o.FinalAge)
		}
	}
	return first
}

// spreadBlind spreads the starting mass of the ages before the first check
// over them as the panel's early log-normal (earlyLogNormal) does, evenly
// where there is none. No answer can tell when, before its first check, an
// order finished, so the fit keeps there whatever shape it starts from. The
// prior's shape (a panel with a median of 40 s, whose few early orders
// finish just before the first check) would tell the plan that asking
// earlier finds nothing, and a fast panel's plan would never ask early
// enough to learn otherwise. An even spread says only that they finished
// some time before it, but on a panel that finishes most orders in the
// first seconds it put them too late: issue 11's fast panel (median 5 s)
// kept 79% waiting at 4 s where 58% are, and its plans promised medians
// 1 to 4 s shorter than they gave.
func spreadBlind(mass []float64, obs []FinishObservation) {
	blind := firstAsked(obs)
	if math.IsInf(blind, 1) || blind <= gridAges[1] {
		return // no ages before the first check on the grid
	}
	total := 0.0
	k := 0
	for ; k+1 < len(gridAges) && gridAges[k+1] <= blind; k++ {
		total += mass[k]
	}
	if shape := earlyLogNormal(obs, blind); shape != nil {
		if inShape := 1 - shape.Surv[k]; inShape > 0 {
			for j := range k {
				mass[j] = total * (shape.Surv[j] - shape.Surv[j+1]) / inShape
			}
			return
		}
	}
	for j := range k {
		mass[j] = total * (gridAges[j+1] - gridAges[j]) / gridAges[k]
	}
}

// earlyReach is how far past the first check, as a multiple of its age,
// the answers that shape the ages before it reach (earlyLogNormal). The
// first check is the youngest age any order was asked at, so one order
// asked early narrows the reach with it: at the PIN schedule's 15 s it is
// five minutes, at 3 s one minute, both past the bulk of a fast panel's
// orders.
const earlyReach = 20

// earlyLogNormal is the log-normal, with a share finishing later or never,
// that makes a panel's answers up to earlyReach times its first check
// likeliest: the shape the ages before the first check are given. An
// order still waiting at the reach counts as waiting there, one that
// finished past it as waiting when it was last seen so, so that a second,
// late mode (the PIN profile's half hour, orders a person at the dealer
// handles) does not bend the slope of the first minutes it is extrapolated
// from. Nil where fitLogNormal gives none (a panel whose early median is
// under its search's bound of a second, too: spreadBlind then spreads
// evenly).
func earlyLogNormal(obs []FinishObservation, blind float64) *Finishing {
	reach := earlyReach * blind
	early := make([]FinishObservation, 0, len(obs))
	for _, o := range obs {
		switch {
		case o.WaitingAge >= reach, o.GaveUp && o.FinalAge >= reach:
			o = FinishObservation{WaitingAge: reach, Open: true}
		case o.Open, o.GaveUp:
		case o.FinalAge > reach:
			// Finished after it was last seen waiting, before reach or after.
			o = FinishObservation{WaitingAge: o.WaitingAge, Open: true}
		}
		early = append(early, o)
	}
	return fitLogNormal(early, lastFinalAge(early)) // none past reach
}

func (f *Finishing) withSurv(surv []float64) *Finishing {
	g := *f
	g.Surv = surv
	return &g
}

// fitLogNormal is the log-normal, with a share that never finishes, that
// makes a panel's answers likeliest; nil without a final answer to fit,
// or when none within plausible bounds does.
// It gives the fit its shape where the answers cannot tell (startingMass).
func fitLogNormal(obs []FinishObservation, last float64) *Finishing {
	// Orders seen in the same interval weigh together. The checks of a
	// fixed schedule mark out a few dozen; a plan's, each asked a little
	// after its age, nearly one an order: 2,000 such answers take the
	// search about 60 ms, once every refit.
	type interval struct {
		lo, hi float64 // +Inf: still waiting, or given up, at lo
	}
	counts := make(map[interval]float64)
	// For the search's start: the ages at which orders were found final,
	// and how many are still waiting after the last of them.
	var finalAges []float64
	after := 0.0
	for _, o := range obs {
		switch lo := max(o.WaitingAge, 0); {
		case o.GaveUp:
			counts[interval{max(o.FinalAge, 0), math.Inf(1)}]++
			after++
		case o.Open:
			counts[interval{lo, math.Inf(1)}]++
			if o.WaitingAge >= last {
				after++
			}
		default:
			// As in FitFinishing: an order found final at the age it was
			// last seen waiting finished just before.
			hi := max(o.FinalAge, lo)
			counts[interval{max(min(lo, hi-1e-3), 0), hi}]++
			finalAges = append(finalAges, math.Sqrt(max(lo, 1)*max(hi, 1)))
		}
	}
	if len(finalAges) == 0 {
		return nil
	}
	type weighed struct {
		logLo, logHi float64 // -Inf for an age of 0, +Inf for "later"
		n            float64
	}
	data := make([]weighed, 0, len(counts))
	for iv, n := range counts {
		data = append(data, weighed{math.Log(iv.lo), math.Log(iv.hi), n})
	}
	// The share not final at log age x, of a log-normal with log median
	// mu and spread sigma, and a share never that never finishes; none at
	// +Inf: an order still waiting finishes later, or never.
	surv := func(x, mu, sigma, never float64) float64 {
		switch {
		case math.IsInf(x, -1):
			return 1
		case math.IsInf(x, 1):
			return 0
		}
		return never + (1-never)*0.5*math.Erfc((x-mu)/(sigma*math.Sqrt2))
	}
	// The parameters are searched as log median, log sigma and the log
	// odds of never finishing, each held within what a panel may
	// plausibly do.
	bounds := [3][2]float64{{0, math.Log(36 * 3600)}, {math.Log(0.1), math.Log(4)}, {-9, 3}}
	clamp := func(x []float64) (mu, sigma, never float64) {
		var p [3]float64
		for i := range p {
			p[i] = min(max(x[i], bounds[i][0]), bounds[i][1])
		}
		return p[0], math.Exp(p[1]), 1 / (1 + math.Exp(-p[2]))
	}
	negLoglik := func(x []float64) float64 {
		mu, sigma, never := clamp(x)
		ll := 0.0
		for _, d := range data {
			ll += d.n * math.Log(max(surv(d.logLo, mu, sigma, never)-surv(d.logHi, mu, sigma, never), 1e-12))
		}
		return -ll
	}
	// Started where the answers point: the median of the ages orders were
	// found final at, and the share still waiting after the last of them.
	slices.Sort(finalAges)
	never := min(max(after/float64(len(obs)), 1e-3), 0.9)
	start := []float64{math.Log(finalAges[len(finalAges)/2]), 0, math.Log(never / (1 - never))}
	result, err := optimize.Minimize(optimize.Problem{Func: negLoglik}, start, nil, &optimize.NelderMead{})
	if err != nil {
		return nil
	}
	// A median or spread at the end of what is plausible is no log-normal
	// of the panel's: the answers are shaped otherwise (most orders finished
	// before the first check, and a few very late).
	for i := range 2 {
		if result.X[i] <= bounds[i][0]+1e-3 || result.X[i] >= bounds[i][1]-1e-3 {
			return nil
		}
	}
	mu, sigma, never := clamp(result.X)
	return LogNormalFinishing(math.Exp(mu), sigma, never)
}

// startingMass is the share of the orders in each cell the
// self-consistency fit starts from. It moves mass between the intervals
// the answers mark out, but keeps, within each, the shape it starts from.
//
// Up to the last final answer that shape is the panel's own (fitLogNormal):
// an interval between two checks far apart (the PIN schedule's 6 and 15
// minutes) holds a quarter of a slow panel's orders, and started from the
// PIN profile the fit put them all where the profile's orders finish, near
// half an hour. The plan then left those ages unasked, and the panel's p95
// with them.
//
// After it the start is the prior's, beside neverAtStart: there the answers
// cannot tell an order finishing later than any did from one that never
// finishes, and the split the fit starts from is kept.
func startingMass(prior, shape *Finishing, last float64) []float64 {
	never := gridPoints - 1
	mass := make([]float64, gridPoints)
	for k := range never {
		mass[k] = prior.Surv[k] - prior.Surv[k+1]
	}
	mass[never] = max(prior.Surv[never], neverAtStart)
	if shape == nil {
		return mass
	}
	for k := 0; k < never && gridAges[k] < last; k++ {
		mass[k] = shape.Surv[k] - shape.Surv[k+1]
	}
	return mass
}

// lastFinalAge is the oldest age at which an order was found final.
func lastFinalAge(obs []FinishObservation) float64 {
	last := 0.0
	for _, o := range obs {
		if !o.Open && !o.GaveUp {
			last = max(last, o.FinalAge)
		}
	}
	return last
}

// shapeThenFit is the panel's log-normal up to the last final answer, and
// after it the self-consistency fit's surv, scaled to go on from there.
// After the last final answer the answers cannot tell an order finishing
// later from one that never finishes, and the log-normal's share never
// finishing would take every order still waiting then for lost.
func shapeThenFit(shape *Finishing, surv []float64, last float64) []float64 {
	out := slices.Clone(shape.Surv)
	fitAtLast := (&Finishing{Surv: surv}).SurvAt(last)
	if fitAtLast <= 0 {
		return out
	}
	scale := shape.SurvAt(last) / fitAtLast
	for k, a := range gridAges {
		if a > last {
			out[k] = min(surv[k]*scale, out[max(k-1, 0)])
		}
	}
	return out
}
