package watch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An order zwatch gave up on stays stuck when a person checks it by hand
// and znet still says "waiting", and so does its give-up note in
// "lastMessage": the apply cleared zwatch's notes once znet answered, and
// staff saw an order zwatch no longer asks about with no word of why,
// while list --stuck and stats said it was stuck.
func TestACheckedStuckOrderKeepsItsGiveUpNote(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := stuckUnderAShortGiveUp(t, e, "88001")
	before := e.db.ReadOrder(id)
	if before.LastMessage == nil || !strings.HasPrefix(*before.LastMessage, "zwatch: ") {
		t.Fatalf("no give-up note after giving up: %v", before.LastMessage)
	}

	check, err := watch.CheckOrder(context.Background(), e.db.Store, e.config(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !check.GaveUp {
		t.Fatalf("check should say the order stays stuck: %+v", check)
	}
	if c := e.db.ReadCheck(id); c.GivenUpAt == nil {
		t.Fatal("the order is no longer stuck")
	}
	after := e.db.ReadOrder(id)
	if after.LastMessage == nil || !strings.HasPrefix(*after.LastMessage, "zwatch: ") {
		t.Errorf("the order stays stuck, but its give-up note in \"lastMessage\" was cleared: %v (was %q)",
			after.LastMessage, *before.LastMessage)
	}
}

// CheckOrder said "given up on" from the order's state as looked up
// before its claim; the claim registers the order as a run would, and
// starts a stuck order that the shop sent again afresh. A person who
// re-sent a stuck order and checked it was told it is stuck and to run
// retry --stuck, which would not even list it.
func TestACheckOfAStuckOrderSentAgainDoesNotSayItIsStuck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := stuckUnderAShortGiveUp(t, e, "88003")
	time.Sleep(10 * time.Millisecond)
	e.db.Resend(id, "88004")

	check, err := watch.CheckOrder(context.Background(), e.db.Store, e.config(), id)
	if err != nil {
		t.Fatal(err)
	}
	stuck := e.db.ReadCheck(id).GivenUpAt != nil
	if check.GaveUp != stuck {
		t.Errorf("check says gave up %v, but the order is stuck: %v (sent again, so started afresh)", check.GaveUp, stuck)
	}
}

// stuckUnderAShortGiveUp is an order with referans ref that runs with a
// cron line's --give-up-after 2h gave up on, while znet said "waiting".
func stuckUnderAShortGiveUp(t *testing.T, e *env, ref string) string {
	t.Helper()
	id := e.order(ref)
	e.znet.SetDefault(znettest.Waiting("bekliyor"))
	cfg := e.config()
	cfg.GiveUpAfter = 2 * time.Hour
	e.run(cfg)
	e.db.FirstCheckedAgo(id, 3*time.Hour)
	e.db.MakeAllDue()
	if sum := e.run(cfg); sum.Total.Stuck != 1 {
		t.Fatalf("the second run should give up on the order: %+v", sum.Total)
	}
	return id
}

// A check stopped by a signal before znet answered hands its claim back;
// where that fails too, the signal's words and what becomes of the claim
// are said in one line, and nothing of the order is recorded.
func TestACheckStoppedWhoseHandBackFailsSaysTheClaimLapses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("88105")
	ctx, signal := context.WithCancel(context.Background())
	defer signal()
	e.znet.SetResponder(func(string, int) znettest.Answer {
		e.db.Exec(`CREATE FUNCTION refuse_hand_back() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'no hand-back today'; END $$`)
		e.db.Exec(`CREATE TRIGGER refuse_hand_back BEFORE UPDATE ON zwatch_order_checks
			FOR EACH ROW EXECUTE FUNCTION refuse_hand_back()`)
		signal()
		return znettest.Waiting("").After(5 * time.Second)
	})

	check, err := watch.CheckOrder(ctx, e.db.Store, e.config(), id)

	if err == nil || !strings.Contains(err.Error(), "stopped by a signal before znet answered, so nothing was recorded") ||
		!strings.Contains(err.Error(), "lapses by itself within") {
		t.Errorf("a stopped check whose hand-back failed: %v", err)
	}
	if check == nil || !check.Stopped {
		t.Errorf("the check does not say it was stopped: %+v", check)
	}
	if c := e.db.ReadCheck(id); c.Attempts != 0 || c.ClaimedBy == nil {
		t.Errorf("bookkeeping after the check: %+v; want no attempt counted and the claim left to lapse", c)
	}
}
