package watch

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseScheduleRoundTrips(t *testing.T) {
	for in, want := range map[string]string{
		"60s,2m,4m":                   "1m,2m,4m",
		"8s*4, 50s*2,6m":              "8s*4,50s*2,6m",
		"10s,10s,1500ms":              "10s*2,1.5s",
		"8s*4,50s*6,6m,15m,50s*16,2m": "8s*4,50s*6,6m,15m,50s*16,2m",
	} {
		s, err := ParseSchedule(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := s.String(); got != want {
			t.Errorf("ParseSchedule(%q).String() = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "10s,,1m", "soon", "10s*0", "10s*x", "-5s", "0s", "10s*+5", "1m," + strings.Repeat("10s*500,", 2) + "1m"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted it", bad)
		}
	}
}

func TestScheduleNextStaysWithinJitter(t *testing.T) {
	s := Schedule{10 * time.Second, time.Minute}
	for range 1000 {
		if d := s.Next(1); d < 9*time.Second || d > 11*time.Second {
			t.Fatalf("first wait %s, want 10s ±10%%", d)
		}
		if d := s.Next(50); d < 54*time.Second || d > 66*time.Second {
			t.Fatalf("wait after the 50th check %s, want the last step (1m) ±10%%", d)
		}
	}
}

// Config is built in code by bench and tests as well as by check-pending,
// so its errors name its fields and never a command's flags.
func TestValidateNamesConfigFieldsNotFlags(t *testing.T) {
	for field, change := range map[string]func(*Config){
		"Batch":       func(c *Config) { c.Batch = 0 },
		"Rate":        func(c *Config) { c.Rate = -1 },
		"MaxDuration": func(c *Config) { c.MaxDuration = 0 },
		"Loop":        func(c *Config) { c.Loop = 2 * c.MaxDuration },
		"Tick":        func(c *Config) { c.Tick = 0 },
	} {
		cfg := DefaultConfig()
		change(&cfg)
		err := cfg.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != field || strings.Contains(err.Error(), "--") {
			t.Errorf("%s: Validate() = %v, want a *FieldError for %s naming no flag", field, err, field)
		}
	}
	for _, rate := range []float64{math.NaN(), math.Inf(1), MaxRate * 2, MinRate / 2} {
		cfg := DefaultConfig()
		cfg.Rate = rate
		if err := cfg.Validate(); err == nil {
			t.Errorf("Rate %g validates; it once divided by zero or paced every run for hours", rate)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
	if _, err := ParseSchedule("10s,soon"); err == nil || strings.Contains(err.Error(), "--") {
		t.Errorf("ParseSchedule error %v: want the step at fault, and no flag", err)
	}
}

// A slip of the unit (ms for s, ns for h) is refused; a benchmark that
// compresses time (TimeScale) is held to the floors on its own clock.
func TestFloorsAreHeldOnTheRunsOwnClock(t *testing.T) {
	for field, change := range map[string]func(*Config){
		"Schedule":    func(c *Config) { c.Schedule = Schedule{8 * time.Second, 50 * time.Millisecond} },
		"GiveUpAfter": func(c *Config) { c.GiveUpAfter = time.Nanosecond },
		"Timeout":     func(c *Config) { c.Timeout = 10 * time.Millisecond },
	} {
		cfg := DefaultConfig()
		change(&cfg)
		var fe *FieldError
		if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s below its floor: Validate() = %v", field, err)
		}
	}
	cfg := DefaultConfig()
	cfg.TimeScale = 40
	cfg.Schedule, cfg.GiveUpAfter, cfg.Timeout = Schedule{200 * time.Millisecond}, 36*time.Minute, 250*time.Millisecond
	cfg.Tick, cfg.Loop, cfg.MaxDuration = 2500*time.Microsecond, 1450*time.Millisecond, 1450*time.Millisecond
	if err := cfg.Validate(); err != nil {
		t.Errorf("a benchmark's compressed defaults: %v", err)
	}
	cfg.Timeout = 3 * time.Minute
	if err := cfg.Validate(); err == nil {
		t.Errorf("a timeout past MaxTimeout validates")
	}
}

// A first check after sentAt but within the plans' first second is
// refused, on the plans' clock: planned at 1 s, it cost a request no plan
// counted (helper-381, helper-382). At sentAt, or from 1 s, it is taken.
func TestAFirstDelayInsideThePlansFirstSecondIsRefused(t *testing.T) {
	for _, c := range []struct {
		firstDelay time.Duration
		scale      float64
		refused    bool
	}{
		{0, 0, false}, {time.Nanosecond, 0, true}, {999 * time.Millisecond, 0, true}, {time.Second, 0, false},
		{375 * time.Millisecond, 40, false}, // a benchmark's 15 s at ÷ 40
		{20 * time.Millisecond, 40, true},
		{1200 * time.Millisecond, 0.5, true},            // 0.6 s on the plans' clock
		{99 * time.Millisecond, 10.1010101010101, true}, // 999.999999 ms, as the scheduler scales it
		{100 * time.Millisecond, 10, false},
	} {
		cfg := DefaultConfig()
		cfg.FirstDelay, cfg.TimeScale = c.firstDelay, c.scale
		var fe *FieldError
		if err := cfg.Validate(); (errors.As(err, &fe) && fe.Field == "FirstDelay") != c.refused || !c.refused && err != nil {
			t.Errorf("FirstDelay %v at scale %g: Validate() = %v, want refused: %v", c.firstDelay, c.scale, err, c.refused)
		}
	}
}

// A compressed clock that is no number cannot lift the floors of --tick
// and --max-duration: max(1, NaN) is NaN, and nothing is less than NaN.
func TestTimeScaleThatIsNoNumberIsRefused(t *testing.T) {
	for _, scale := range []float64{math.NaN(), math.Inf(1), -1} {
		cfg := DefaultConfig()
		cfg.TimeScale, cfg.Tick, cfg.MaxDuration = scale, time.Nanosecond, time.Nanosecond
		var fe *FieldError
		if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != "TimeScale" {
			t.Errorf("TimeScale %v: Validate() = %v, want it refused", scale, err)
		}
	}
}
