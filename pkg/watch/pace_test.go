package watch

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// A request must not start once its context has ended, even when the next
// send time is now: both were ready to the same select, which picked either.
func TestOwnPaceRefusesAnEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 1000 {
		pace := ownPace{rate.NewLimiter(5, 1)} // its first send time is now
		if _, err := pace.Wait(ctx); err == nil {
			t.Fatal("Wait let a request start after its context ended")
		}
	}
}

// scriptedPace hands out the latest moments to leave it was given, one per
// Wait, as a budget would whose worker a busy host held up.
type scriptedPace struct{ leaveBy []time.Time }

func (p *scriptedPace) Wait(context.Context) (time.Time, error) {
	at := p.leaveBy[0]
	p.leaveBy = p.leaveBy[1:]
	return at, nil
}
func (*scriptedPace) Close(context.Context) {}

// A send time the worker reaches after its latest moment, because the host
// held the thread up between the pace and the request, is not used late: it
// would crowd the next one into the same second at the panel. The request
// leaves on the next send time.
func TestASendTimeReachedLateIsDropped(t *testing.T) {
	now := time.Now()
	pace := &scriptedPace{leaveBy: []time.Time{now.Add(-time.Millisecond), now.Add(time.Hour)}}
	l := &lane{pace: pace, run: &run{newRequests: context.Background()}}
	start, ok := l.depart()
	if !ok {
		t.Fatal("depart failed")
	}
	if len(pace.leaveBy) != 0 {
		t.Fatalf("the request left on the send time it reached late")
	}
	if got := l.departedLate.Load(); got != 1 {
		t.Errorf("%d send times counted as reached late, want 1", got)
	}
	if start.Before(now) {
		t.Errorf("the request left at %v, before the pace let it", start)
	}
}
