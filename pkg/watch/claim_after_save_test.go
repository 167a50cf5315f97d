package watch_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An answer saved ends the order's claim, and the order may be due again at
// once: its next check came while the answer waited for the database. A
// claim the run makes before it has let go of the order (here held up by
// a slow log) takes the order on a new claim; the run asks it again now,
// not once that claim lapses unasked, ClaimLease later, as it did when the
// loop test found twenty orders waiting 46 s (7bdbe4e).
func TestAnOrderClaimedAgainAsItsAnswerIsSavedIsAskedAgainSoon(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ref := referans(16000)
	e.order(ref)
	var (
		mu    sync.Mutex
		asked []time.Time
	)
	e.znet.SetResponder(func(_ string, call int) znettest.Answer {
		mu.Lock()
		asked = append(asked, time.Now())
		mu.Unlock()
		if call < 2 {
			return znettest.Waiting("")
		}
		return znettest.Done("PIN-"+ref, "ok")
	})
	cfg := e.config()
	cfg.Schedule = watch.Schedule{watch.MinCheckWait}
	cfg.Loop, cfg.MaxDuration, cfg.Tick = 2*time.Minute, 3*time.Minute, 100*time.Millisecond
	// The line each saved answer logs comes after the save and before the
	// run lets go of the order; the first is held up until the order is
	// due again and claims have had time to take it.
	slow := &slowFirstAnswer{Handler: cfg.Logger.Handler(), delay: 3 * watch.MinCheckWait, once: new(sync.Once), held: new(atomic.Bool)}
	cfg.Logger = slog.New(slow)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		for ctx.Err() == nil && e.db.OrdersIn("completed") < 1 {
			time.Sleep(50 * time.Millisecond)
		}
		stop()
	}()
	if _, err := watch.Run(ctx, e.db.Store, cfg); err != nil {
		t.Fatal(err)
	}

	// Without the hold-up (a log line renamed), nothing here tells the
	// race from its absence.
	if !slow.held.Load() {
		t.Fatal(`no line "asked znet" was logged to hold up the first answer`)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 2 {
		t.Fatalf("the order was asked %d times, want twice (waiting, done)", len(asked))
	}
	// The first answer's log line was held up 3 s; a claim lapsing would
	// have taken 45 s more.
	if gap := asked[1].Sub(asked[0]); gap > watch.ClaimLease/2 {
		t.Errorf("the order was asked again %s after its first answer, due after %s: the claim taken while its answer was saved was left to lapse",
			gap.Round(time.Millisecond), watch.MinCheckWait)
	}
}

// slowFirstAnswer holds up, by delay, the goroutine that logs the first
// answer asked about, and notes it did (held); every other line passes at
// once.
type slowFirstAnswer struct {
	slog.Handler
	delay time.Duration
	once  *sync.Once
	held  *atomic.Bool
}

func (h *slowFirstAnswer) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &slowFirstAnswer{Handler: h.Handler.WithAttrs(attrs), delay: h.delay, once: h.once, held: h.held}
}

func (h *slowFirstAnswer) WithGroup(name string) slog.Handler {
	return &slowFirstAnswer{Handler: h.Handler.WithGroup(name), delay: h.delay, once: h.once, held: h.held}
}

func (h *slowFirstAnswer) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "asked znet" {
		h.once.Do(func() {
			time.Sleep(h.delay)
			h.held.Store(true)
		})
	}
	return h.Handler.Handle(ctx, r)
}
