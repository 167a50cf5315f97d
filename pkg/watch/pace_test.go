package watch

import (
	"context"
	"testing"

	"golang.org/x/time/rate"
)

// A request must not start once its context has ended, even when the next
// send time is now: both were ready to the same select, which picked either.
func TestOwnPaceRefusesAnEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 1000 {
		pace := ownPace{rate.NewLimiter(5, 1)} // its first send time is now
		if err := pace.Wait(ctx); err == nil {
			t.Fatal("Wait let a request start after its context ended")
		}
	}
}
