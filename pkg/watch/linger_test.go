package watch

import (
	"testing"

	"github.com/zwatch/zwatch/pkg/store"
)

// An answer with no request on its way after it is saved at once: waiting
// for company that cannot come would only delay its PIN. With a request on
// its way, what comes within the linger shares the answer's statement.
func TestTheApplierWaitsForCompanyOnlyWhenSomeIsOnItsWay(t *testing.T) {
	overtaken := func(id string) release {
		return release{why: releaseTakenOver, orders: []store.Order{{ID: id, IntegrationID: "znet-A"}}}
	}
	for _, onItsWay := range []int64{0, 1} {
		r := &run{}
		r.asking.Store(onItsWay)
		ap := newApplier(r, newHoldings())
		ap.answers, ap.releases = make(chan answer, 1), make(chan release, 1)
		ap.receiveRelease(overtaken("first"))
		ap.releases <- overtaken("second")
		ap.linger(&ap.answers, &ap.releases)
		left := len(ap.releases)
		if onItsWay == 0 && left != 1 {
			t.Errorf("no request on its way: the first release waited for the second")
		}
		if onItsWay == 1 && left != 0 {
			t.Errorf("a request on its way: the second release, there at once, was left for another statement")
		}
	}
}
