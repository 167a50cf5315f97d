package watch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Staff approve an order by mistake and undo it a minute later: zwatch
// takes it up again where it left off.
func TestOrderThatComesBackIsPolledAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("12001")
	e.znet.Script("12001", znettest.Waiting(""), znettest.Done("BACK-PIN", "ok"))
	e.run(e.config())

	e.db.Decide(id, "approved", "")
	e.db.MakeDue(id)
	e.run(e.config()) // leaves it alone: it is staff's now
	e.db.Decide(id, "pending", "")
	e.db.MakeDue(id)
	e.run(e.config())

	if row := e.db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil {
		t.Errorf("order after staff undid their decision: %+v, want it polled to completion", row)
	}
	if c := e.db.ReadCheck(id); c.Attempts != 2 {
		t.Errorf("%d attempts, want 2: the order kept its history", c.Attempts)
	}
}

// The shop sends an order zwatch had given up on again, with a new
// referans: it starts over, attempts and give-up clock included, and an
// operator's check of it does not find it stuck.
func TestResentOrderStartsOver(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("13001")
	e.znet.Script("13001", znettest.Waiting(""))
	e.run(e.config())
	e.db.FirstCheckedAgo(id, 25*time.Hour)
	e.db.MakeDue(id)
	if sum := e.run(e.config()); sum.Total.Stuck != 1 {
		t.Fatalf("setting up: the order did not get stuck: %+v", sum.Total)
	}

	e.db.Resend(id, "13002")
	e.znet.Script("13002", znettest.Waiting(""))
	check, err := watch.CheckOrder(context.Background(), e.db.Store, e.config(), id)
	if err != nil {
		t.Fatal(err)
	}

	if check.NotPollable != "" || check.GaveUp || check.To != "processing" {
		t.Errorf("check of the re-sent order: %+v, want it asked and not stuck", check)
	}
	c := e.db.ReadCheck(id)
	if c.Attempts != 1 || c.GivenUpAt != nil {
		t.Errorf("bookkeeping %+v: want a fresh start (1 attempt, not given up)", c)
	}
}

// Another run took over the order's claim (this one's lapsed while it
// stalled): that run asks and writes, this one's late answer is dropped.
func TestAnswerOfALapsedClaimIsDropped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("14001")
	e.znet.SetResponder(func(ref string, call int) znettest.Answer {
		e.db.TakeClaim(id, "another-run")
		return znettest.Done("LATE-PIN", "ok")
	})

	sum := e.run(e.config())

	if sum.Total.Overtaken != 1 {
		t.Errorf("summary %+v, want the answer counted as overtaken", sum.Total)
	}
	if row := e.db.ReadOrder(id); row.ExternalStatus != "sent" || row.PINCode != nil {
		t.Errorf("the late answer was written: %+v", row)
	}
	if c := e.db.ReadCheck(id); c.ClaimedBy == nil || *c.ClaimedBy != "another-run" || c.Attempts != 0 {
		t.Errorf("bookkeeping %+v: the other run's claim must stand", c)
	}
}

// znet sometimes repeats the PIN in its description. The description goes
// to the event log, "lastMessage" and logs, where the PIN must not.
func TestPINInTheDescriptionIsMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("15001")
	e.znet.Script("15001", znettest.Done("AB12-CD34-EF56-GH78", "PIN: AB12-CD34-EF56-GH78 teslim edildi"))

	e.run(e.config())

	row := e.db.ReadOrder(id)
	if *row.PINCode != "AB12-CD34-EF56-GH78" {
		t.Fatalf("pinCode = %v, want the PIN", row.PINCode)
	}
	for what, text := range map[string]*string{"providerMessage": row.ProviderMessage, "lastMessage": row.LastMessage} {
		if text == nil || strings.Contains(*text, "AB12-CD34") || !strings.Contains(*text, "••••-GH78") {
			t.Errorf("%s = %v, want the PIN masked", what, text)
		}
	}
	if n := e.db.ZwatchRowsMentioning("AB12-CD34"); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the PIN in clear", n)
	}
	assertNoSecrets(t, "logs", e.logs.String(), "AB12-CD34")
}

// A waiting or cancelled answer has no PIN to deliver, but a panel may fill
// its PIN field all the same, with a code it holds back or took back, and
// repeat it in the description: that went to "providerMessage", the events
// and the logs whole.
func TestAWithheldPINInTheDescriptionIsMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	waiting, cancelled := e.order("15101"), e.order("15102")
	e.znet.Script("15101", znettest.Raw(200, []byte("OK|1|QW7R-9TZK-4MNB-8HJD|Kodunuz QW7R-9TZK-4MNB-8HJD onay bekliyor")))
	e.znet.Script("15102", znettest.Raw(200, []byte("OK|3|ZX8C-5VBN-2LKJ-7HGF|İptal: ZX8C-5VBN-2LKJ-7HGF geri alındı")))
	lines := e.order("15103")
	e.znet.Script("15103", znettest.Raw(200, []byte("OK|3|PL4K-MN7B<br />RT2Y-UI8O|Kodlar: PL4K-MN7B<br />RT2Y-UI8O iptal")))

	e.run(e.config())

	for id, want := range map[string]string{waiting: "processing", cancelled: "failed", lines: "failed"} {
		row := e.db.ReadOrder(id)
		if row.ExternalStatus != want || row.PINCode != nil {
			t.Errorf("order %s: externalStatus %q, pinCode %v; want %q and no PIN", id, row.ExternalStatus, row.PINCode, want)
		}
		if row.ProviderMessage == nil || !strings.Contains(*row.ProviderMessage, "••••") {
			t.Errorf("order %s: providerMessage = %v, want the code masked", id, row.ProviderMessage)
		}
	}
	for _, code := range []string{"QW7R-9TZK", "ZX8C-5VBN", "PL4K-MN7B", "RT2Y-UI8O"} {
		if strings.Contains(e.db.Snapshot(), code) {
			t.Errorf("the database holds the withheld code %s in clear", code)
		}
		assertNoSecrets(t, "logs", e.logs.String(), code)
	}
}
