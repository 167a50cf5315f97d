package cmd_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// twoHosts runs check-pending -q twice at once, as the same crontab line on
// two hosts does, each run ending as the other does; it returns what each
// printed, for cron to mail.
func twoHosts(t *testing.T, s *shop) (mails [2]string) {
	t.Helper()
	args := []string{"check-pending", "-q", "--loop", "0", "--batch", "1", "--per-integration", "1", "--database-url", s.db.URL}
	var out, errOut [2]bytes.Buffer
	var ended [2]func(time.Duration) int
	for k := range ended {
		ended[k] = zwatchInBackground(t, t.Context(), cmd.IOStreams{Out: &out[k], ErrOut: &errOut[k]}, args...)
	}
	for k := range ended {
		code := ended[k](time.Minute)
		mails[k] = out[k].String() + errOut[k].String()
		t.Logf("host %d: exit %d\n%s", k+1, code, mails[k])
	}
	return mails
}

// said is how many of the mails hold what.
func said(mails [2]string, what string) int {
	n := 0
	for _, m := range mails {
		if strings.Contains(m, what) {
			n++
		}
	}
	return n
}

// Two hosts' runs of one cron minute, both begun before either recorded
// what it found, each mailed the panel as newly failing (helper-346): each
// read at its start only the runs before them. The run that reports
// second reads again what the first recorded.
func TestTwoHostsMailAPanelThatStartsFailingOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("71")
	s.order("72")
	// Both runs are under way before either answer comes.
	s.znet.SetDown(znettest.Empty().After(2 * time.Second))
	s.db.MakeAllDue()
	if n := said(twoHosts(t, s), "is failing"); n != 1 {
		t.Errorf("the panel's failing was mailed by %d hosts, want 1", n)
	}
}

// The same for a panel that answers again.
func TestTwoHostsMailAPanelThatAnswersAgainOnce(t *testing.T) {
	t.Parallel()
	s, ids, _, _ := shopWithAFailingPanel(t, "81", "82", "83")
	s.znet.SetDown(nil)
	for _, ref := range []string{"81", "82", "83"} {
		s.znet.Script(ref, znettest.Waiting("bekliyor").After(2*time.Second))
	}
	s.db.ExpireClaims()
	for _, id := range ids {
		s.db.MakeDue(id)
	}
	if n := said(twoHosts(t, s), "answers again"); n != 1 {
		t.Errorf("the panel's answering again was mailed by %d hosts, want 1", n)
	}
}
