package watch

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/znet"
)

// A final answer kept for a later try (its shop row held by a transaction
// of the shop, retried every few seconds, possibly for the whole of a
// --loop run) is not part of the next statement: it must not make every
// "still waiting" answer after it skip the wait for company. Otherwise
// one held PIN puts every answer of the run into a statement of its own,
// the cost 19e6c29 took away.
func TestAFinalAnswerKeptForLaterDoesNotCutTheWaitForCompany(t *testing.T) {
	r := &run{sched: NewFixedScheduler(DefaultSchedule, 24*time.Hour)}
	ap := newApplier(r, newHoldings())
	ap.answers, ap.releases = make(chan answer, 2), make(chan release, 1)

	// A PIN whose row the shop holds, kept and tried again in a while.
	ap.receive(answerOf("held", znet.StatusDone))
	kept := ap.backlog[0]
	ap.backlog = nil
	ap.keepForLater(kept, errShopHoldsRow)
	kept.notBefore = time.Now().Add(time.Minute)

	ap.receive(answerOf("waiting", znet.StatusWaiting))
	ap.answers <- answerOf("waiting too", znet.StatusWaiting)
	ap.linger(&ap.answers, &ap.releases)
	if len(ap.answers) != 0 {
		t.Errorf("a waiting answer there at once was left for a statement of its own, because a PIN kept for later (not due) counted as the batch's final answer")
	}
}
