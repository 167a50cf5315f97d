package watch

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/zwatch/zwatch/pkg/store"
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
	if len(p.leaveBy) == 0 {
		return time.Time{}, errors.New("no send time left")
	}
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
	next := now.Add(time.Hour)
	pace := &scriptedPace{leaveBy: []time.Time{now.Add(-time.Millisecond), next}}
	l := &lane{pace: pace, run: &run{newRequests: context.Background(), cfg: Config{DryRun: true}}, applier: &applier{held: newHoldings()}}
	start, ok, _ := l.depart(store.Order{})
	if !ok {
		t.Fatal("the request did not leave on the send time after the missed one")
	}
	if len(pace.leaveBy) != 0 || start.After(next) {
		t.Fatal("the request left on the send time it reached late")
	}
	if got := l.missedSendTimes.Load(); got != 1 {
		t.Errorf("%d send times counted as reached late, want 1", got)
	}
}

// A send time that falls due with the run's max-duration does not start a
// request once the run may start no more.
func TestNoRequestLeavesAfterTheRunMayStartNoMore(t *testing.T) {
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	pace := &scriptedPace{leaveBy: []time.Time{time.Now().Add(time.Hour)}}
	l := &lane{pace: pace, run: &run{newRequests: ended, cfg: Config{DryRun: true}}, applier: &applier{held: newHoldings()}}
	if _, ok, _ := l.depart(store.Order{}); ok {
		t.Fatal("a request left after the run's new requests ended")
	}
}
