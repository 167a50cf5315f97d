package watch

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// One round trip held up for 10 s (a network stall on the run's first
// reservation, which lapses whole), then trips as quick as ever: the next
// reservation must not take five seconds of the panel's budget for send
// times "lost on the way back" that a quick trip does not lose. Held ahead
// so, every other run sharing the panel waits behind them, and a run killed
// meanwhile wastes them: budgetHorizon bounds what a run reserves ahead.
func TestOneSlowTripDoesNotReserveSecondsOfThePanelsBudget(t *testing.T) {
	rate := 5.0
	b := &sharedBudget{interval: time.Duration(float64(time.Second) / (rate * BudgetMargin))}
	now := time.Now()
	dbNow := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	slow := store.SendTimes{First: dbNow, Count: 1, Interval: b.interval, DBStart: dbNow, DBNow: dbNow,
		Sent: now.Add(-10 * time.Second), Received: now}
	b.clock.observe(slow)
	b.held, b.next, b.chunk, b.lapsedInARow = slow, 1, 1, 1 // it lapsed on the way back
	b.waiting = 1

	perHorizon := max(1, int(budgetHorizon/b.interval))
	count := b.chunkSize() + b.lostOnTheWay()
	if span := time.Duration(count) * b.interval; count > 2*perHorizon {
		t.Errorf("after one 10 s trip, a lone worker reserves %d send times (%s of the panel's budget), more than twice the %s horizon",
			count, span, budgetHorizon)
	}
}
