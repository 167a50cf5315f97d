package cmd_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Two checks of one order shared one claim id, "check/" and the order's:
// the first, stopped past its lease while znet was asked (Ctrl-Z, a paused
// host), took the second's claim for its own when it woke. Its older
// "waiting" was saved over the second's claim, and the second's PIN dropped
// as overtaken (helper-257). Each check's claim is its own now: the first's
// stale answer is the one not saved.
func TestAStalledCheckDoesNotSaveOverTheNextChecksPIN(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("4711")
	release1, release2 := make(chan znettest.Answer), make(chan znettest.Answer)
	asked := make(chan int, 4)
	s.znet.SetResponder(func(ref string, call int) znettest.Answer {
		asked <- call
		if call == 1 {
			return <-release1
		}
		return <-release2
	})
	var out1, out2 bytes.Buffer
	wait1 := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out1, ErrOut: &out1},
		"check", "--order", id, "--timeout", "2m", "--database-url", s.db.URL)
	<-asked
	s.db.ExpireClaims() // the first check stalled past its lease
	wait2 := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out2, ErrOut: &out2},
		"check", "--order", id, "--timeout", "2m", "--database-url", s.db.URL)
	select {
	case <-asked:
	case <-time.After(20 * time.Second):
		t.Fatalf("the second check did not ask znet:\n%s", out2.String())
	}
	release1 <- znettest.Waiting("bekliyor")
	wait1(30 * time.Second)
	release2 <- znettest.Done("NEWP-ABCD-1234-WXYZ", "tamam")
	wait2(30 * time.Second)

	if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != "NEWP-ABCD-1234-WXYZ" {
		t.Errorf("the order: %s, PIN %v; want znet's newer answer saved, its PIN with it\nfirst check:\n%s\nsecond check:\n%s",
			row.ExternalStatus, row.PINCode, out1.String(), out2.String())
	}
	if !strings.Contains(out1.String(), "another run or check took it") {
		t.Errorf("the stalled check does not say its answer was overtaken:\n%s", out1.String())
	}
}
