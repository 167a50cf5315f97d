// Package watch is one zwatch run: select due orders, claim them, ask znet
// about each with bounded concurrency, apply the answers and summarise. It
// holds the policy (limits, schedule, give-up, fault cut-off); the SQL lives
// in pkg/store and the wire format in pkg/znet.
package watch

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Config is one run's policy. Zero values are not defaults: start from
// DefaultConfig.
type Config struct {
	Batch          int           // orders claimed at most per claim
	Concurrency    int           // requests in flight in total
	PerIntegration int           // requests in flight per dealer panel
	Rate           float64       // requests per second per dealer panel; 0 is unlimited
	Timeout        time.Duration // one request
	MaxDuration    time.Duration // stop claiming after this, finish what is in flight
	FirstDelay     time.Duration // a newly sent order is first asked about this long after sentAt
	GiveUpAfter    time.Duration // counted from zwatch's first check
	Schedule       Schedule      // waits between checks of one order, when not learning
	DryRun         bool          // ask, but write nothing
	// FaultLimit integration-level faults in a row (empty body, HTML page,
	// unreachable) cut an integration off for the rest of the run.
	FaultLimit int
	// Loop keeps claiming newly due orders every Tick until Loop has passed;
	// zero claims once.
	Loop time.Duration
	Tick time.Duration

	// Learn plans each panel's checks from how it finished orders before
	// (issue 11; see Scheduler); false follows Schedule.
	Learn bool
	// TimeScale tells a learning run that time passes this many times
	// faster than the clock says: for benchmarks that compress time, so
	// that what is learned stays in the panels' own seconds. 0 or 1 in
	// production.
	TimeScale float64

	HTTPClient *http.Client // shared by every integration's client; nil: one per run
	Logger     *slog.Logger // nil: discard
	// Progress, when set, is called after each answer is applied, from one
	// goroutine.
	Progress func(Progress)
}

// Progress is a running count for a person watching a long run.
type Progress struct {
	Claimed, Done int
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

// SeedSchedule is zwatch's first schedule, a plain doubling, kept for
// comparison and for shops that prefer fewer requests to fast PINs.
var SeedSchedule = mustParseSchedule("60s,2m,4m,8m,15m,30m")

// DefaultConfig is check-pending's defaults.
func DefaultConfig() Config {
	return Config{
		Batch:          200,
		Concurrency:    8,
		PerIntegration: 4,
		Timeout:        20 * time.Second,
		MaxDuration:    4 * time.Minute,
		FirstDelay:     30 * time.Second,
		GiveUpAfter:    24 * time.Hour,
		Schedule:       DefaultSchedule,
		Learn:          true,
		FaultLimit:     3,
		Tick:           2 * time.Second,
	}
}

// Validate reports the first setting that makes no sense, worded for the
// flag an operator typed.
func (c Config) Validate() error {
	switch {
	case c.Batch < 1:
		return errors.New("--batch must be at least 1")
	case c.Concurrency < 1:
		return errors.New("--concurrency must be at least 1")
	case c.PerIntegration < 1:
		return errors.New("--per-integration must be at least 1")
	case c.Rate < 0:
		return errors.New("--rate must not be negative (0 means unlimited)")
	case c.Timeout <= 0:
		return errors.New("--timeout must be positive")
	case c.MaxDuration <= 0:
		return errors.New("--max-duration must be positive")
	case c.FirstDelay < 0:
		return errors.New("--first-delay must not be negative")
	case c.GiveUpAfter <= 0:
		return errors.New("--give-up-after must be positive")
	case c.TimeScale < 0:
		return errors.New("the time scale must not be negative")
	case len(c.Schedule) == 0:
		return errors.New("--schedule needs at least one step")
	case c.FaultLimit < 1:
		return errors.New("the integration fault limit must be at least 1")
	case c.Loop < 0:
		return errors.New("--loop must not be negative")
	case c.Loop > c.MaxDuration:
		return errors.New("--loop must not be longer than --max-duration, which bounds the whole run")
	case c.Loop > 0 && c.Tick <= 0:
		return errors.New("--tick must be positive")
	case c.Loop > 0 && c.DryRun:
		return errors.New("--dry-run asks once and writes nothing, so it cannot --loop")
	}
	return nil
}

// Schedule is the waits between checks of one order: after the n-th check
// the order waits Schedule[n-1], and the last step repeats.
type Schedule []time.Duration

// ParseSchedule reads a comma-separated list of Go durations, where D*N
// stands for N steps of D: "10s,10s,15s,1m" or "8s*4,50s*6,6m".
func ParseSchedule(s string) (Schedule, error) {
	var out Schedule
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		step, times := part, 1
		if i := strings.IndexByte(part, '*'); i >= 0 {
			n, err := strconv.Atoi(part[i+1:])
			if err != nil || n < 1 || n > 1000 {
				return nil, fmt.Errorf("--schedule %q: %q should repeat a step 1 to 1000 times, like 50s*6", s, part)
			}
			step, times = part[:i], n
		}
		d, err := time.ParseDuration(step)
		if err != nil {
			return nil, fmt.Errorf("--schedule %q: %q is not a duration like 30s or 2m", s, part)
		}
		if d <= 0 {
			return nil, fmt.Errorf("--schedule %q: every step must be positive", s)
		}
		for range times {
			out = append(out, d)
		}
	}
	return out, nil
}

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
func (s Schedule) Next(checks int) time.Duration {
	step := s[min(max(checks, 1), len(s))-1]
	f := 1 + jitter*(2*rand.Float64()-1)
	return time.Duration(float64(step) * f)
}
