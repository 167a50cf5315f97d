package watch

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A final answer is saved without waiting for its panel's plan, which can
// take a tenth of a second of CPU to make: the PIN it carries must not wait
// behind it. An answer that leaves its order waiting needs the plan, which
// is then made beside the caller (Prepare) and is ready once made.
func TestFinalAnswersNeedNoPlan(t *testing.T) {
	sched := NewLearningScheduler(PINProfile(), nil, DefaultConfig().Schedule, 15*time.Second, 24*time.Hour, 1)
	sent := time.Now().Add(-20 * time.Second)
	order := store.Order{ID: "o-1", IntegrationID: "panel-a", SentAt: &sent, Attempts: 1}

	for _, status := range []znet.Status{znet.StatusDone, znet.StatusCancelled} {
		a := answer{order: order, status: znet.PinStatus{Status: status, PIN: "AB12-CD34"}, askedAt: time.Now()}
		if !a.plannable(sched) {
			t.Errorf("a %v answer waits for its panel's plan", status)
		}
		if out := a.outcome(sched); out.NextCheckIn <= 0 {
			t.Errorf("a %v answer's order, should it stay pollable, is due again in %s", status, out.NextCheckIn)
		}
	}
	if n := len(sched.plans); n != 0 {
		t.Errorf("final answers had %d plans made", n)
	}

	waiting := answer{order: order, status: znet.PinStatus{Status: znet.StatusWaiting}, askedAt: time.Now()}
	if waiting.plannable(sched) {
		t.Fatal("a waiting answer's plan was ready before anyone made it")
	}
	sched.Prepare(order.IntegrationID)
	deadline := time.Now().Add(30 * time.Second)
	for !waiting.plannable(sched) {
		if time.Now().After(deadline) {
			t.Fatal("the plan Prepare started was never ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if out := waiting.outcome(sched); out.NextCheckIn <= 0 {
		t.Errorf("a waiting order is due again in %s", out.NextCheckIn)
	}
}
