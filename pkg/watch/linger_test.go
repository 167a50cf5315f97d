package watch

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// A final answer (a PIN, a cancellation) with no request on its way after
// it is saved at once, with the answers that have come meanwhile (a
// request counts as on its way until its answer has come): its customer is
// waiting. Otherwise the applier waits for company, so that the answers
// of a busy panel, and the "still waiting" answers that are most of a
// run's, share their statements; a final answer that comes while they
// wait ends the wait.
func TestTheApplierSavesAFinalAnswerAtOnceWhenNoneCouldJoinIt(t *testing.T) {
	newApplierAsking := func(onItsWay int64) *applier {
		r := &run{sched: NewFixedScheduler(DefaultSchedule, 24*time.Hour)}
		r.asking.Store(onItsWay)
		ap := newApplier(r, newHoldings())
		ap.answers, ap.releases = make(chan answer, 2), make(chan release, 1)
		return ap
	}
	for _, tt := range []struct {
		name     string
		first    znet.Status
		onItsWay int64
		joined   bool
	}{
		{"a PIN, nothing on its way", znet.StatusDone, 0, true},
		{"a cancellation, nothing on its way", znet.StatusCancelled, 0, true},
		{"a PIN, a request on its way", znet.StatusDone, 1, true},
		{"still waiting, nothing on its way", znet.StatusWaiting, 0, true},
	} {
		ap := newApplierAsking(tt.onItsWay)
		ap.receive(answerOf("first", tt.first))
		ap.answers <- answerOf("second", znet.StatusWaiting)
		ap.linger(&ap.answers, &ap.releases)
		if joined := len(ap.answers) == 0; joined != tt.joined {
			t.Errorf("%s: the answer there at once joined the first's statement: %v, want %v", tt.name, joined, tt.joined)
		}
	}

	ap := newApplierAsking(0)
	ap.receive(answerOf("waiting", znet.StatusWaiting))
	ap.answers <- answerOf("done", znet.StatusDone)
	ap.answers <- answerOf("waiting too", znet.StatusWaiting)
	ap.linger(&ap.answers, &ap.releases)
	if len(ap.backlog) != 3 || len(ap.answers) != 0 {
		t.Errorf("a PIN came while a waiting answer waited for company, nothing on its way: %d answers in the statement, %d left, want 3 and 0",
			len(ap.backlog), len(ap.answers))
	}
}

// A request is on its way until the applier takes its answer: taken, the
// PIN it brought is saved at once, not after waiting for itself.
func TestAnAnswerTakenIsNoLongerOnItsWay(t *testing.T) {
	r := &run{sched: NewFixedScheduler(DefaultSchedule, 24*time.Hour)}
	r.asking.Store(1)
	ap := newApplier(r, newHoldings())
	a := answerOf("done", znet.StatusDone)
	a.onItsWay = true
	ap.receive(a)
	if n := r.asking.Load(); n != 0 {
		t.Errorf("%d requests on their way after the only one's answer was taken, want 0", n)
	}
}

// answerOf is an answer of status for the order id, a PIN with a done one.
func answerOf(id string, status znet.Status) answer {
	ps := znet.PinStatus{Status: status}
	if status == znet.StatusDone {
		ps.PIN = "QW7R-9TZK-ABCD-8HJD"
	}
	return answer{order: store.Order{ID: id, IntegrationID: "znet-A"}, status: ps}
}
