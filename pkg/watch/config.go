// Package watch is zwatch's work with the dealer panels. Run is one
// check-pending: claim due orders, ask each panel about its orders in a lane
// of its own with bounded concurrency, apply the answers as they arrive,
// schedule the next check or give up, and summarise. CheckOrder asks about
// one order now, as a run would (zwatch check); CheckBalances asks each panel
// for its balance (zwatch balance). The package holds the policy (limits,
// schedule, give-up, fault cut-off) and builds panel clients from the shop's
// integrations; the SQL lives in pkg/store and the wire format in pkg/znet.
package watch

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is one run's policy. Zero values are not defaults: start from
// DefaultConfig.
type Config struct {
	Batch          int           // orders the run holds at once at most: claimed, not yet answered or released
	Concurrency    int           // requests in flight in total
	PerIntegration int           // requests in flight per dealer panel
	Rate           float64       // requests per second per dealer panel; 0 is unlimited
	Timeout        time.Duration // one request
	MaxDuration    time.Duration // claim and start no request after this; release what is queued, let those in flight finish
	FirstDelay     time.Duration // a newly sent order is first asked about this long after sentAt
	GiveUpAfter    time.Duration // counted from zwatch's first check
	Schedule       Schedule      // waits between checks of one order, when not learning
	DryRun         bool          // ask, but write nothing
	// FaultLimit integration-level faults in a row (empty body, HTML page,
	// unreachable) cut an integration off for the rest of the run.
	FaultLimit int
	// UnansweredBefore are the integrations (by id) that earlier runs
	// left without a usable answer: the newest to ask them found them
	// failing (""), or faulted by one order's request (store.FaultedOn,
	// store.StillFailingFaultedOn: that order's id), and none answered
	// since. One fault in this run, with no answer, makes them failing if
	// no order can have caused it, or if it is of another order than the
	// one named.
	// A panel broken for good with one order due at a time (a wrong base
	// URL's HTML page, a host gone dark) would otherwise fault once a run, and
	// never be reported until its orders went stuck a day later; one
	// order the panel fails on alone is that order's trouble.
	UnansweredBefore map[string]string
	// RefusedBefore are, by integration id, the orders (referans numbers,
	// znet.ReferansNumber) that the runs since the panel's last answer
	// about an order found refused ("3|...") and not refused before
	// (RefusedBefore): with this run's, enough of them make the panel
	// failing (failingWhenRefused).
	RefusedBefore map[string][]string
	// Loop keeps claiming newly due orders every Tick until Loop has passed;
	// zero takes what is due now, in as many claims as room allows, and
	// stops.
	Loop time.Duration
	Tick time.Duration

	// Learn plans each panel's checks from how it finished orders before
	// (issue 11; see Scheduler); false follows Schedule.
	Learn bool
	// TimeScale tells a run that time passes this many times faster than
	// the clock says: for benchmarks that compress time, so that what a
	// learning run learns stays in the panels' own seconds, and so that
	// saving answers waits for company no longer than it would in real
	// time. 0 or 1 in production.
	TimeScale float64

	HTTPClient *http.Client // shared by every integration's client; nil: one per run
	Logger     *slog.Logger // nil: discard
	// Progress, when set, is called after each answer is applied, from one
	// goroutine.
	Progress func(Progress)
	// Asking, when set, is called as CheckOrder's request to znet leaves:
	// check words a wait it gave up on by whether znet was asked.
	Asking func()
}

// Progress is a running count for a person watching a long run.
type Progress struct {
	Claimed int // orders claimed so far
	Done    int // of those, answered and saved, or released unasked
	// Completed and Errors are the answers so far that saved a PIN and that
	// were no usable answer.
	Completed, Errors int
}

// DefaultSchedule is the wait after the 1st, 2nd, ... check of an order;
// the last step repeats. It is built for PIN orders, from how znet panels
// finish them (see README, "The schedule"): most finish within a minute or
// two, a few in the minutes after, and a second group around half an hour,
// when a person at the dealer handles them. So zwatch asks every 8 seconds
// at first, every 50 seconds for the next five minutes, hardly at all in the
// quiet stretch, every 50 seconds again around the half hour, and then
// rarely. Together with a 15-second first delay this delivers half the PINs
// within 10 seconds and 95% within a minute of znet finishing them, at under
// 6 requests per order.
var DefaultSchedule = mustParseSchedule("8s*4,50s*6,6m,15m,50s*16,2m,5m,10m,30m")

// The recommended set-up, and so check-pending's defaults: a run every
// minute from cron that loops for 58 seconds, claiming what fell due every
// second, first asking about an order 15 seconds after it was sent (the
// DefaultSchedule was built for that), and asking each dealer panel at most
// 5 times a second.
const (
	DefaultLoop       = 58 * time.Second
	DefaultFirstDelay = 15 * time.Second
	DefaultTick       = time.Second
	DefaultRate       = 5
)

// MaxTimeout bounds one request to znet (Timeout). A panel that has not
// answered in two minutes will not; and the order a request asks about
// stays claimed while the request may take, so that an hour's timeout, its
// process killed, would keep `check --order`'s order from every run for
// the hour.
const MaxTimeout = 2 * time.Minute

// MinTimeout bounds a request's timeout (Timeout) from below: a slip such
// as --timeout 1ns sends nothing, and says a healthy panel is failing.
// No panel answers much faster than this on a busy day.
const MinTimeout = time.Second

// MinCheckWait bounds a step of a schedule from below: a slip such as
// --schedule 50ms*6 for 50s*6 would ask one order on every tick of a
// loop, and spend the panel's whole budget on it. A learned plan asks no
// more often either.
const MinCheckWait = time.Second

// MinGiveUpAfter bounds GiveUpAfter from below: a slip such as
// --give-up-after 1ns gives up on every order at its first answer, and
// writes a note into every one of them that only retry --stuck undoes.
// (The demo gives up after six seconds, to show it.)
const MinGiveUpAfter = time.Second

// MinTick bounds how often a looping run claims (Tick): every claim is a
// statement on the shop's database, and a slip such as --tick 1ms would
// run it a thousand times a second for as long as the loop lasts. A run
// whose time is compressed (TimeScale) is held to it on its own clock.
const MinTick = 100 * time.Millisecond

// MinMaxDuration bounds MaxDuration from below: a run that may start no
// request after a few milliseconds claims nothing, and would end every
// cron minute having done nothing, with nobody told.
const MinMaxDuration = time.Second

// MaxWorkers bounds Concurrency and PerIntegration: each is a channel's
// room and a goroutine per panel, and a slip such as --concurrency
// 2000000000 took the process down out of memory, with a Go trace, where
// a usage error belongs. No panel answers faster for more: --rate paces
// the requests, and each waits for its panel.
const MaxWorkers = 1000

// MaxMaxDuration bounds MaxDuration from above: runs are cron's or a
// systemd timer's of a minute, and the run's last deadline, MaxDuration
// with the timeout and grace after it, must not overflow (a value near
// Go's largest duration gave a run up as hung the moment it began).
const MaxMaxDuration = 24 * time.Hour

// MaxGiveUpAfter bounds GiveUpAfter: an order znet has not finished in a
// month is a person's business, and asking it every half hour meanwhile
// costs the panel some 1,500 requests.
const MaxGiveUpAfter = 30 * 24 * time.Hour

// The rates a run may pace a panel at (Rate), besides 0 for no pace. All
// runs share each panel's clock, which moves by the spacing of the run
// that reserves: below MinRate one run's reservation would hold every
// other run on the panel for minutes, and above MaxRate the spacing is
// finer than a busy host keeps time, for a panel no dealer runs.
const (
	MinRate = 0.1
	MaxRate = 1000
)

// DefaultConfig is check-pending's defaults, the recommended set-up. It
// loops (Loop) and is rate-limited (Rate): a caller that wants one claim of
// the due orders sets Loop to 0, and one that wants no pace sets Rate to 0.
func DefaultConfig() Config {
	return Config{
		Batch:          200,
		Concurrency:    8,
		PerIntegration: 4,
		Rate:           DefaultRate,
		Timeout:        20 * time.Second,
		MaxDuration:    DefaultLoop,
		FirstDelay:     DefaultFirstDelay,
		GiveUpAfter:    24 * time.Hour,
		Schedule:       DefaultSchedule,
		Learn:          true,
		FaultLimit:     3,
		Loop:           DefaultLoop,
		Tick:           DefaultTick,
	}
}

// FieldError is a Config setting that makes no sense. It names Config's
// fields, not any command's flags: the command that filled in the field
// words the message for its own flag.
type FieldError struct {
	Field   string // the Config field, e.g. "Batch"
	Problem string // e.g. "must be at least 1"; may name Other
	Other   string // the other Config field Problem names, if any
}

func (e *FieldError) Error() string { return e.Field + " " + e.Problem }

func fieldError(field, problem string) error {
	return &FieldError{Field: field, Problem: problem}
}

// TimeoutProblem is what is wrong with d as the time one request to znet
// may take (Timeout); "" if nothing. The commands that ask znet outside a
// run check their --timeout with it too.
func TimeoutProblem(d time.Duration) string {
	switch {
	case d <= 0:
		return "must be from " + MinTimeout.String() + " to " + compactDuration(MaxTimeout)
	case d < MinTimeout:
		return timeoutTooShort
	case d > MaxTimeout:
		return "must be at most " + compactDuration(MaxTimeout) +
			": a panel silent that long is not answering"
	}
	return ""
}

var timeoutTooShort = "must be at least " + MinTimeout.String() + ": no panel answers sooner, and each would be said to be failing"

// onItsClock is d of the clock in seconds of the run's own time, which
// passes TimeScale times faster where a benchmark compresses it.
func (c Config) onItsClock(d time.Duration) float64 { return d.Seconds() * max(1, c.TimeScale) }

// Validate reports the first setting that makes no sense, as a *FieldError.
func (c Config) Validate() error {
	switch {
	case c.Batch < 1:
		return fieldError("Batch", "must be at least 1")
	case c.Concurrency < 1 || c.Concurrency > MaxWorkers:
		return fieldError("Concurrency", fmt.Sprintf("must be from 1 to %d", MaxWorkers))
	case c.PerIntegration < 1 || c.PerIntegration > MaxWorkers:
		return fieldError("PerIntegration", fmt.Sprintf("must be from 1 to %d", MaxWorkers))
	case !(c.Rate == 0 || c.Rate >= MinRate && c.Rate <= MaxRate): // NaN too
		return fieldError("Rate", fmt.Sprintf("must be from %g to %g requests a second, or 0 for no limit", float64(MinRate), float64(MaxRate)))
	case !(c.TimeScale >= 0) || math.IsInf(c.TimeScale, 1): // NaN too
		return fieldError("TimeScale", "must be a number, 0 or more")
	// The floor on the run's own clock, as Tick's; the rest as given.
	case c.Timeout > 0 && c.onItsClock(c.Timeout) < MinTimeout.Seconds():
		return fieldError("Timeout", timeoutTooShort)
	case c.Timeout <= 0 || c.Timeout > MaxTimeout:
		return fieldError("Timeout", TimeoutProblem(c.Timeout))
	case c.MaxDuration <= 0:
		return fieldError("MaxDuration", "must be positive")
	case c.MaxDuration > MaxMaxDuration:
		return fieldError("MaxDuration", "must be at most "+compactDuration(MaxMaxDuration)+": a run is cron's of a minute")
	case c.onItsClock(c.MaxDuration) < MinMaxDuration.Seconds():
		return fieldError("MaxDuration", "must be at least "+MinMaxDuration.String()+": a run needs that long to claim and ask")
	case c.FirstDelay < 0:
		return fieldError("FirstDelay", "must not be negative")
	// The plans ask at whole seconds: a first check within the first
	// second but after sentAt was planned at 1 s, and the run asked again
	// 2 s on, a request no plan made or counted (helper-381).
	case c.FirstDelay > 0 && time.Duration(float64(c.FirstDelay)*cmp.Or(c.TimeScale, 1)) < time.Second: // as the scheduler scales it
		return fieldError("FirstDelay", "must be 0 (at once) or at least 1s")
	case c.FirstDelay > MaxCheckWait:
		return fieldError("FirstDelay", "must be at most "+compactDuration(MaxCheckWait)+": a new order waits no longer than any other to be asked")
	case c.GiveUpAfter <= 0:
		return fieldError("GiveUpAfter", "must be positive")
	case c.onItsClock(c.GiveUpAfter) < MinGiveUpAfter.Seconds():
		return fieldError("GiveUpAfter", "must be at least "+MinGiveUpAfter.String()+": zwatch would give up on every order at its first answer")
	case c.GiveUpAfter > MaxGiveUpAfter:
		return fieldError("GiveUpAfter", "must be at most "+compactDuration(MaxGiveUpAfter)+": an order znet has not finished by then is a person's business")
	case len(c.Schedule) == 0:
		return fieldError("Schedule", "needs at least one step")
	case c.onItsClock(slices.Min(c.Schedule)) < MinCheckWait.Seconds():
		return fieldError("Schedule", "must not have a step shorter than "+MinCheckWait.String()+
			": zwatch would ask an order again on every tick, and spend the panel's budget on it")
	case c.FaultLimit < 1:
		return fieldError("FaultLimit", "must be at least 1")
	case c.Loop < 0:
		return fieldError("Loop", "must not be negative")
	case c.Loop > c.MaxDuration:
		return &FieldError{Field: "Loop", Other: "MaxDuration",
			Problem: "must not be longer than MaxDuration, which bounds the whole run"}
	// A run that does not loop never ticks, but a tick that makes no
	// sense is a slip all the same: said, not silently run past.
	case c.Tick <= 0:
		return fieldError("Tick", "must be positive")
	case c.onItsClock(c.Tick) < MinTick.Seconds():
		return fieldError("Tick", "must be at least "+MinTick.String()+": every tick claims with a statement on the shop's database")
	case c.Loop > 0 && c.Loop < c.Tick:
		return &FieldError{Field: "Loop", Other: "Tick",
			Problem: "must be 0 or at least Tick: a loop shorter than one tick claims only once"}
	case c.Loop > 0 && c.DryRun:
		return &FieldError{Field: "Loop", Other: "DryRun",
			Problem: "must be 0 with DryRun: a dry run asks once and writes nothing"}
	}
	return nil
}

// Schedule is the waits between checks of one order: after the n-th check
// the order waits Schedule[n-1], and the last step repeats.
type Schedule []time.Duration

// ParseSchedule reads a comma-separated list of Go durations, where D*N
// stands for N steps of D: "10s,10s,15s,1m" or "8s*4,50s*6,6m". Its errors
// name the step at fault, by its first 30 characters (a step pasted long
// is no longer one line), not where s came from.
func ParseSchedule(s string) (Schedule, error) {
	var out Schedule
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		step, times := part, 1
		if i := strings.IndexByte(part, '*'); i >= 0 {
			n, err := strconv.Atoi(part[i+1:])
			if err != nil || n < 1 || n > MaxScheduleSteps || strings.ContainsAny(part[i+1:], "+-") {
				return nil, fmt.Errorf("%.30q should repeat a step 1 to %d times, like 50s*6", part, MaxScheduleSteps)
			}
			step, times = part[:i], n
		}
		d, err := time.ParseDuration(step)
		if err != nil {
			return nil, fmt.Errorf("%.30q is not a duration like 30s or 2m", part)
		}
		if d <= 0 {
			return nil, fmt.Errorf("%.30q: every step must be positive", part)
		}
		if d > MaxCheckWait {
			// A careless 1000h would leave the orders one run asked
			// untouched for weeks, and no command undoes it.
			return nil, fmt.Errorf("%.30q: a step may be at most %s: every waiting order is asked at least every %s", part, compactDuration(MaxCheckWait), compactDuration(MaxCheckWait))
		}
		if len(out)+times > MaxScheduleSteps {
			return nil, fmt.Errorf("the schedule has more than %d steps: its last step repeats, so no schedule needs more", MaxScheduleSteps)
		}
		for range times {
			out = append(out, d)
		}
	}
	return out, nil
}

// MaxScheduleSteps bounds a schedule's steps: a pasted schedule of a
// hundred thousand took seconds and hundreds of megabytes to read, before
// the run had done anything.
const MaxScheduleSteps = 1000

func mustParseSchedule(s string) Schedule {
	sched, err := ParseSchedule(s)
	if err != nil {
		panic(err)
	}
	return sched
}

// String is the flag form of the schedule, with repeated steps folded.
func (s Schedule) String() string {
	var parts []string
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		part := compactDuration(s[i])
		if n := j - i; n > 1 {
			part += "*" + strconv.Itoa(n)
		}
		parts = append(parts, part)
		i = j
	}
	return strings.Join(parts, ",")
}

// compactDuration writes 2m rather than time's 2m0s.
func compactDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

// jitter is the share by which a wait is randomly lengthened or shortened,
// so that orders sent together do not stay in lock-step for hours.
const jitter = 0.1

// Next is the wait after an order's checks-th check (counting from 1).
// Jitter never takes it past MaxCheckWait: a step of 30 minutes, which
// the schedule allows, would otherwise leave half the orders unasked for
// up to 33.
func (s Schedule) Next(checks int) time.Duration {
	step := s[min(max(checks, 1), len(s))-1]
	f := 1 + jitter*(2*rand.Float64()-1)
	return min(time.Duration(float64(step)*f), MaxCheckWait)
}
