package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel zwatch has learned is first asked about an order when its plan
// says, here ten minutes after the order was sent, not --first-delay
// (15 s) after. An order the shop sent again after zwatch gave up on it is a new
// order to that panel, and waits as long. What the operator reads must be
// what the run does: the dry run ("what would change") must not ask about
// orders the run leaves alone, stats must not count them as due now, and
// list must say when they will be asked.
func TestAnOrderSentAgainWaitsForTheLearnedFirstCheckAsANewOneDoes(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.LearnFirstCheck(s.integ, "600")
	fresh := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7101", OrderNo: 7101, SentAgo: 30 * time.Second})
	resent := s.resentAfterGiveUp("7102", 7102, "7103", 30*time.Second)
	s.znet.Script("7101", znettest.Done("PIN-7101-ABCD-EFGH", "tamam"))
	s.znet.Script("7103", znettest.Done("PIN-7103-ABCD-EFGH", "tamam"))

	dry := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	var report struct {
		Changes []struct {
			OrderID string `json:"order_id"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(dry.stdout), &report); err != nil || dry.code != 0 {
		t.Fatalf("check-pending --dry-run -o json: exit %d, %v\n%s", dry.code, err, dry.all())
	}
	if len(report.Changes) != 0 || s.znet.Requests("7101")+s.znet.Requests("7103") != 0 {
		t.Errorf("the dry run asked znet %d times and promised %v; the run asks about neither order before ten minutes are up\n%s",
			s.znet.Requests("7101")+s.znet.Requests("7103"), report.Changes, dry.all())
	}

	st := zwatch(t, s.db, "stats", "-o", "json")
	var stats struct {
		Total struct {
			Sent  int `json:"sent"`
			Due   int `json:"due"`
			Stuck int `json:"stuck"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(st.stdout), &stats); err != nil || stats.Total.Sent != 2 || stats.Total.Due != 0 || stats.Total.Stuck != 0 {
		t.Errorf("stats: %+v (%v), want 2 sent, none stuck and none due for minutes\n%s", stats.Total, err, st.all())
	}
	for list, want := range map[string]int{"--pending": 2, "--stuck": 0} {
		r := zwatch(t, s.db, "list", list, "-o", "json")
		var listed []struct {
			Attempts  int        `json:"attempts"`
			GivenUpAt *time.Time `json:"given_up_at"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != want {
			t.Errorf("list %s: %d orders (%v), want %d\n%s", list, len(listed), err, want, r.all())
		}
		for _, o := range listed {
			if o.Attempts != 0 || o.GivenUpAt != nil {
				t.Errorf("list %s: %+v, want an order sent again shown as new: no attempts, not given up on", list, o)
			}
		}
	}

	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	for _, id := range []string{fresh, resent} {
		if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.PINCode != nil {
			t.Errorf("order %s was asked about half a minute after it was sent: %+v", id, row)
		}
		r := zwatch(t, s.db, "list", "--order", id, "-o", "json")
		var listed []struct {
			NextCheckAt *time.Time `json:"next_check_at"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 1 {
			t.Fatalf("list --order %s: %v\n%s", id, err, r.all())
		}
		if at := listed[0].NextCheckAt; at == nil || at.Before(time.Now().Add(8*time.Minute)) || at.After(time.Now().Add(570*time.Second)) {
			t.Errorf("list --order %s: next check at %v, want ten minutes after the order was sent, in about 9½ minutes", id, at)
		}
	}
	if n := s.znet.Requests("7101") + s.znet.Requests("7103"); n != 0 {
		t.Errorf("znet was asked %d times about orders its plan asks ten minutes after they were sent", n)
	}
}

// An order zwatch gave up on and also finished with (staff decided it
// while a check asked, and took the decision back since) is one the next
// run revives at once, as any reopened order: list --stuck called it
// stuck and "due", list --pending left it out, and stats counted it due
// and not stuck (a review's find). Each now reads it as the run does.
func TestAnOrderReopenedAfterZwatchGaveUpOnItIsPendingAndDue(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	reopened := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7201", OrderNo: 7201, SentAgo: 3 * time.Hour})
	s.db.AddCheck(reopened, storetest.Check{GivenUp: true, FinishedAgo: time.Minute, Attempts: 9})
	// Reopened moments after it was sent, before --first-delay was up:
	// due at once all the same.
	soon := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7202", OrderNo: 7202, SentAgo: 5 * time.Second})
	s.db.AddCheck(soon, storetest.Check{FinishedAgo: 2 * time.Second, Attempts: 1})

	for list, want := range map[string]int{"--pending": 2, "--stuck": 0} {
		r := zwatch(t, s.db, "list", list, "-o", "json")
		var listed []struct {
			NextCheckAt *time.Time `json:"next_check_at"`
			GivenUpAt   *time.Time `json:"given_up_at"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != want {
			t.Errorf("list %s: %d orders (%v), want %d\n%s", list, len(listed), err, want, r.all())
		}
		for _, o := range listed {
			if o.NextCheckAt == nil || o.NextCheckAt.After(time.Now().Add(5*time.Second)) || o.GivenUpAt != nil {
				t.Errorf("list %s: %+v, want due now and not given up on", list, o)
			}
		}
	}
	if r := zwatch(t, s.db, "list", "--pending"); strings.Contains(r.stdout, "stuck") {
		t.Errorf("list --pending calls the reopened order stuck:\n%s", r.all())
	}
	s.znet.Script("7201", znettest.Waiting(""))
	if r := zwatch(t, s.db, "check", "--order", reopened, "--dry-run"); strings.Contains(r.stdout, "given up") {
		t.Errorf("check --order --dry-run says the reopened order stays given up on, which the real check revives:\n%s", r.all())
	}
	st := zwatch(t, s.db, "stats", "-o", "json")
	var stats struct {
		Total struct {
			Due   int `json:"due"`
			Stuck int `json:"stuck"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(st.stdout), &stats); err != nil || stats.Total.Due != 2 || stats.Total.Stuck != 0 {
		t.Errorf("stats: %+v (%v), want both due and not stuck\n%s", stats.Total, err, st.all())
	}
	before := s.znet.Requests("7201")
	s.znet.Script("7202", znettest.Waiting(""))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 || s.znet.Requests("7201") != before+1 || s.znet.Requests("7202") != 1 {
		t.Errorf("check-pending: exit %d, znet asked %d and %d times, want each asked once\n%s", r.code, s.znet.Requests("7201")-before, s.znet.Requests("7202"), r.all())
	}
}

// check --order of an order the shop sent again after zwatch gave up on
// it asks it as a new order, as the real check does (its claim revives
// it): the dry run said it stayed stuck (a review's find).
func TestCheckOrderDryRunOfAnOrderSentAgainIsNoStuckOne(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.resentAfterGiveUp("7301", 7301, "7302", 0)
	s.znet.Script("7302", znettest.Waiting(""))

	for _, args := range [][]string{{"check", "--order", id, "--dry-run"}, {"check", "--order", id}} {
		r := zwatch(t, s.db, args...)
		if r.code != 0 || strings.Contains(r.stdout, "given up") {
			t.Errorf("%q of an order sent again: exit %d, want it asked as a new one, not stuck\n%s", args, r.code, r.all())
		}
	}
	if c := s.db.ReadCheck(id); c.GivenUpAt != nil || c.Attempts != 1 {
		t.Errorf("after check --order: %+v, want not given up, its one attempt counted", c)
	}
}
