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
	Schedule       Schedule      // waits between checks of one order
	DryRun         bool          // ask, but write nothing
	// FaultLimit integration-level faults in a row (empty body, HTML page,
	// unreachable) cut an integration off for the rest of the run.
	FaultLimit int
	// Loop keeps claiming newly due orders every Tick until Loop has passed;
	// zero claims once.
	Loop time.Duration
	Tick time.Duration

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
// the last step repeats.
var DefaultSchedule = Schedule{
	60 * time.Second, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
	15 * time.Minute, 30 * time.Minute,
}

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
	case len(c.Schedule) == 0:
		return errors.New("--schedule needs at least one step")
	case c.FaultLimit < 1:
		return errors.New("the integration fault limit must be at least 1")
	case c.Loop < 0:
		return errors.New("--loop must not be negative")
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

// ParseSchedule reads a comma-separated list of Go durations, e.g.
// "10s,10s,15s,1m".
func ParseSchedule(s string) (Schedule, error) {
	var out Schedule
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		d, err := time.ParseDuration(part)
		if err != nil {
			return nil, fmt.Errorf("--schedule %q: %q is not a duration like 30s or 2m", s, part)
		}
		if d <= 0 {
			return nil, fmt.Errorf("--schedule %q: every step must be positive", s)
		}
		out = append(out, d)
	}
	return out, nil
}

// String is the flag form of the schedule.
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = compactDuration(d)
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
