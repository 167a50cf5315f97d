package cmd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A save whose COMMIT the server made but whose answer zwatch never heard
// (a failover, the network dropping the connection at that moment) was
// saved again, found the order changed, and counted it overtaken: a run
// that gave an order up, its PIN too long, exited 0 and said nothing of
// it, and no later run does (helper-177). Now the run says it cannot
// confirm the save, names the order, and exits 3.
func TestASaveWhoseCommitWasNotHeardIsSaidUnconfirmed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("7901")
	s.znet.Script("7901", znettest.Done(strings.Repeat("L8", 100), "tamam")) // too long for "pinCode": given up on
	r := zwatchAt(t, commitUnheard(t, s), "check-pending", "-q", "--loop", "0")

	if check := s.db.ReadCheck(id); check.GivenUpAt == nil {
		t.Fatalf("the order after the lost commit: %+v; want it given up on by the commit zwatch did not hear of\n%s", check, r.all())
	}
	if r.code != cmd.ExitAttention || !strings.Contains(r.all(), "order 1004 ("+id+", referans 7901): the connection to the database broke") {
		t.Errorf("check-pending: exit %d, want %d and a line naming the order whose save is unconfirmed:\n%s", r.code, cmd.ExitAttention, r.all())
	}
}

// So are the answers of a batch, which are saved again one by one (a
// review's find: only an answer saved alone was said unconfirmed).
func TestABatchWhoseCommitWasNotHeardIsSaidUnconfirmed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ids := []string{s.order("7911"), s.order("7912")}
	for _, ref := range []string{"7911", "7912"} {
		s.znet.Script(ref, znettest.Done(strings.Repeat("L8", 100), "tamam"))
	}
	// Both answers come back together, and are saved in one statement.
	s.znet.SetLatency(200 * time.Millisecond)
	r := zwatchAt(t, commitUnheard(t, s), "check-pending", "-q", "--loop", "0")

	for _, id := range ids {
		if check := s.db.ReadCheck(id); check.GivenUpAt == nil {
			t.Fatalf("an order after the lost commit: %+v; want it given up on by the commit zwatch did not hear of\n%s", check, r.all())
		}
		if !strings.Contains(r.all(), id+", referans 791") || !strings.Contains(r.all(), "the connection to the database broke") {
			t.Errorf("check-pending does not name order %s as unconfirmed:\n%s", id, r.all())
		}
	}
	if r.code != cmd.ExitAttention {
		t.Errorf("check-pending: exit %d, want %d:\n%s", r.code, cmd.ExitAttention, r.all())
	}
}

// A "still waiting" answer whose COMMIT was lost only counted an attempt,
// saved or not: it is no person's business (a review's find: every such
// order of the batch was named, exit 3).
func TestAWaitingAnswerWhoseCommitWasNotHeardIsNoAlarm(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	for _, ref := range []string{"7921", "7922", "7923"} {
		s.order(ref)
		s.znet.Script(ref, znettest.Waiting("bekliyor"))
	}
	s.znet.SetLatency(200 * time.Millisecond)
	r := zwatchAt(t, commitUnheard(t, s), "check-pending", "-q", "--loop", "0")

	if r.code != cmd.ExitOK || strings.Contains(r.all(), "the connection to the database broke") {
		t.Errorf("check-pending: exit %d, want %d and no order named unconfirmed:\n%s", r.code, cmd.ExitOK, r.all())
	}
}

// check --order said of such a save that the database did not take the
// answer, so it was not saved, of an order the database had completed,
// its PIN saved (helper-177).
func TestACheckWhoseCommitWasNotHeardSaysItCannotTell(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("7902")
	s.znet.Script("7902", znettest.Done("LOST-ACK-PIN-7902", "tamam"))
	r := zwatchAt(t, commitUnheard(t, s), "check", "--order", id)

	if got := s.db.ReadOrder(id); got.ExternalStatus != "completed" {
		t.Fatalf("the order after the lost commit: %+v; want it completed by the commit zwatch did not hear of\n%s", got, r.all())
	}
	if r.code != cmd.ExitFatal || !strings.Contains(r.all(), "whether it was saved cannot be told") || strings.Contains(r.all(), "so it was not saved") {
		t.Errorf("check: exit %d, want %d and a line saying whether it was saved cannot be told:\n%s", r.code, cmd.ExitFatal, r.all())
	}
	assertNoSecret(t, "the output", r.all(), "LOST-ACK-PIN-7902")
}

// commitUnheard is a way to the shop's database on which the first save
// of znet's answers is committed and its connection dropped before zwatch
// hears so: a relay that passes the COMMIT after the save's statement
// on, then closes zwatch's side.
// The test fails if the relay never cut: a save's statement no longer
// holding the words would otherwise leave the tests testing nothing.
func commitUnheard(t *testing.T, s *shop) string {
	proxy := s.db.Proxy()
	proxy.CutAfter("asked_ago_seconds float8, hold_note text", "COMMIT")
	t.Cleanup(func() {
		if !proxy.Cut() {
			t.Error("the relay never cut a save's COMMIT: the test tested nothing")
		}
	})
	return proxy.URL
}

// retry --stuck and balance --save whose COMMIT the server made but whose
// answer zwatch never heard said only that the database went away, as if
// nothing was written (a fault adversary's find): each says its write may
// or may not have been made.
func TestARetryOrBalanceWhoseCommitWasNotHeardSaysItMayHaveBeenMade(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	stuck := s.order("7921")
	s.db.AddCheck(stuck, storetest.Check{Attempts: 40, GivenUp: true})
	s.znet.SetBalance("12755.23")
	for _, tc := range []struct {
		args    []string
		armedBy string
		want    string
	}{
		{[]string{"retry", "--stuck"}, "SELECT count(*)", "may or may not have been put back into polling"},
		{[]string{"balance", "--save"}, "AS saved_as", "may or may not have been saved"},
	} {
		proxy := s.db.Proxy()
		proxy.CutAfter(tc.armedBy, "COMMIT")
		r := zwatchAt(t, proxy.URL, tc.args...)
		if !proxy.Cut() {
			t.Fatalf("%v: the relay never cut the COMMIT: the test tested nothing\n%s", tc.args, r.all())
		}
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, want 1 and %q\n%s", tc.args, r.code, tc.want, r.all())
		}
	}
}

// A check whose claim the server committed but whose COMMIT zwatch never
// heard says the claim may hold, and by when it lapses: the operator's
// next check is turned away as "another run is asking" until then
// (helper-320).
func TestACheckWhoseClaimWasNotHeardSaysWhenItLapses(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("7903")
	proxy := s.db.Proxy()
	proxy.CutAfter("claim one order for a manual check", "COMMIT")
	r := zwatchAt(t, proxy.URL, "check", "--order", id)
	if !proxy.Cut() {
		t.Fatalf("the relay never cut the claim's COMMIT: the test tested nothing\n%s", r.all())
	}
	if r.code != cmd.ExitFatal || !strings.Contains(r.stderr, "if the claim was taken, it lapses by itself within 1m20s") {
		t.Errorf("exit %d, want %d and a line saying by when the claim lapses:\n%s", r.code, cmd.ExitFatal, r.all())
	}
	if s.znet.TotalRequests() != 0 {
		t.Errorf("znet was asked %d times after a claim zwatch could not confirm", s.znet.TotalRequests())
	}
}
