package watch_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A broken panel that holds too few orders to be cut off (fewer than the
// fault limit) is still reported failing, and its orders' give-up clocks
// stop as a cut-off panel's do: a small dealer's orders are not lost over a
// weekend either.
func TestBrokenPanelWithTwoOrdersStopsTheirGiveUpClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := []string{e.order(referans(15000)), e.order(referans(15001))}
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	for _, id := range ids {
		e.db.FirstCheckedAgo(id, 20*time.Hour)
	}

	e.znet.SetDown(znettest.Empty())
	for range 3 {
		e.db.MakeAllDue()
		sum := e.run(e.config())
		if sum.Total.Stuck != 0 {
			t.Fatalf("orders given up on while their panel was failing: %+v", sum.Total)
		}
		if len(sum.FailingIntegrations()) != 1 {
			t.Fatalf("the broken panel is not reported failing: %+v", sum.Integrations)
		}
		for _, id := range ids {
			if e.db.PanelFailingSince(id) == nil {
				t.Fatalf("order %s: its give-up clock still runs while its panel is reported failing", id)
			}
		}
		e.db.Age(20 * time.Hour)
	}

	e.znet.SetDown(nil)
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Stuck != 0 || sum.Total.Processing != len(ids) {
		t.Errorf("after the panel came back: %+v, want both asked and none stuck", sum.Total)
	}
}

// An operator's check of an order whose give-up clock a failing panel
// stopped counts the time as a run would: not at all. Asked the moment the
// panel is back, the order is not given up on.
func TestCheckOrderDoesNotCountTheTimeItsPanelFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.orders(4, 15100)
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	for _, id := range ids {
		e.db.FirstCheckedAgo(id, 20*time.Hour)
	}

	// The panel breaks for two days.
	e.znet.SetDown(znettest.Empty())
	e.db.MakeAllDue()
	if sum := e.run(e.config()); len(sum.FailingIntegrations()) != 1 || sum.Total.Stuck != 0 {
		t.Fatalf("run while the panel is down: %+v", sum.Total)
	}
	e.db.Age(48 * time.Hour)

	// It is fixed, and the operator looks at one order at once.
	e.znet.SetDown(nil)
	check, err := watch.CheckOrder(context.Background(), e.db.Store, e.config(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if check.GaveUp || check.Err != nil || check.NotPollable != "" {
		t.Errorf("check --order after the panel came back: gave up %v, err %v, not pollable %q; want asked and still polled",
			check.GaveUp, check.Err, check.NotPollable)
	}
	if c := e.db.ReadCheck(ids[0]); c.GivenUpAt != nil || e.db.PanelFailingSince(ids[0]) != nil {
		t.Errorf("order %s after check: given up at %v, clock stopped since %v; want polled with its clock running",
			ids[0], c.GivenUpAt, e.db.PanelFailingSince(ids[0]))
	}
}

// A panel that accepts connections and never answers, with timeouts too
// long for a run to reach the cut-off, is reported failing run after run:
// the time it hangs does not count toward giving up either, for the orders
// the run asked and for those it held and could not ask before it ended.
func TestHangingPanelNotCutOffStopsTheGiveUpClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.orders(6, 15200)
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	for _, id := range ids {
		e.db.FirstCheckedAgo(id, 20*time.Hour)
	}

	// The panel hangs for a weekend: each run times out on two orders, is
	// over before a third can time out, and releases the rest unasked.
	e.znet.SetDefault(znettest.Waiting("").After(time.Hour))
	cfg := e.config()
	// Half a timeout to spare for the run's start: a first claim 600 ms
	// late on a busy host left it a half second no answer could fill
	// (helper-380).
	cfg.Timeout, cfg.MaxDuration, cfg.PerIntegration = 3*time.Second, 4500*time.Millisecond, 1
	for range 3 {
		e.db.MakeAllDue()
		sum := e.run(cfg)
		if sum.Total.Stuck != 0 || len(sum.FailingIntegrations()) != 1 {
			t.Fatalf("run while the panel hangs: %+v, failing %d; want none stuck and the panel reported failing",
				sum.Total, len(sum.FailingIntegrations()))
		}
		e.db.Age(20 * time.Hour)
	}

	e.znet.SetDefault(znettest.Waiting(""))
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Stuck != 0 || sum.Total.Processing != len(ids) {
		t.Errorf("after the panel answered again: %+v, want all %d asked and none stuck", sum.Total, len(ids))
	}
}

// Staff switching an integration off for a long weekend pause its orders:
// that time does not count toward giving up, as a failing panel's does
// not. Before, the first run after the integration came back gave each
// order up at its first check.
func TestAPausedOrderIsNotGivenUpOnWhenItsIntegrationReturns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order(referans(16000))
	e.znet.SetDefault(znettest.Waiting(""))
	if sum := e.run(e.config()); sum.Total.Processing != 1 {
		t.Fatalf("first run: %+v", sum.Total)
	}
	e.db.EnableIntegration(e.integ, false)
	for range 3 { // the weekend's runs
		e.db.Age(20 * time.Hour)
		e.db.MakeAllDue()
		if sum := e.run(e.config()); sum.Total.Stuck != 0 {
			t.Fatalf("a paused order was given up on: %+v", sum.Total)
		}
	}
	e.db.EnableIntegration(e.integ, true)
	e.db.MakeAllDue()
	sum := e.run(e.config())
	if sum.Total.Asked != 1 || sum.Total.Stuck != 0 || e.db.ReadCheck(id).GivenUpAt != nil {
		t.Errorf("the order, asked once before its integration was switched off and once after, was given up on: %+v", sum.Total)
	}
}

// --schedule allows steps of 30 minutes, the floor itself: the schedule's
// ±10 % jitter must not take a wait past it.
func TestAFixedScheduleKeepsThe30MinuteFloor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting("Bekliyor"))
	e.orders(40, 7000)
	e.db.Exec(`UPDATE product_orders SET "sentAt" = now() - interval '1 minute'`)
	cfg := e.config()
	schedule, err := watch.ParseSchedule("30m")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Schedule = schedule
	if sum := e.run(cfg); sum.Total.Asked != 40 {
		t.Fatalf("asked %d orders, want 40", sum.Total.Asked)
	}
	var over int
	var worst float64
	e.db.Get(&over, `SELECT count(*) FROM zwatch_order_checks WHERE next_check_at - last_checked_at > interval '30 minutes'`)
	e.db.Get(&worst, `SELECT max(extract(epoch FROM next_check_at - last_checked_at))::float8 FROM zwatch_order_checks`)
	if over > 0 {
		t.Errorf("%d of 40 waiting orders are next asked more than 30 minutes after their last check (the longest wait %.1f minutes)", over, worst/60)
	}
}

// Stopping the give-up clocks of a panel cut off is the run's last
// statement: on a database slow to take it (a busy shop, a trigger of its
// own) it has the run's database time, not a few seconds, or the orders'
// clocks ran on and the run exited 1.
func TestGiveUpClocksStopOnASlowDatabase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.orders(4, 15200)
	e.znet.SetDown(znettest.Empty())
	e.db.Exec(`CREATE FUNCTION slow_clock_stop() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.panel_failing_since IS NOT NULL AND OLD.panel_failing_since IS NULL THEN
				PERFORM pg_sleep(1.6);
			END IF;
			RETURN NEW;
		END $$`)
	e.db.Exec(`CREATE TRIGGER slow_clock_stop BEFORE UPDATE ON zwatch_order_checks FOR EACH ROW EXECUTE FUNCTION slow_clock_stop()`)

	if _, err := watch.Run(context.Background(), e.db.Store, e.config()); err != nil {
		t.Errorf("the run failed: %v", err)
	}
	for _, id := range ids {
		if e.db.PanelFailingSince(id) == nil {
			t.Errorf("order %s: its give-up clock was not stopped", id)
		}
	}
}

// A shop that suppresses updates changing nothing (PostgreSQL's own
// suppress_redundant_updates_trigger) skips zwatch's give-up when the order
// already holds the give-up note and znet gives no status to write: an
// order znet refuses to answer about, retried after a give-up, refused for
// another day. zwatch has given up all the same: the order is stuck, not
// asked again at every floor for ever.
func TestGiveUpSkippedAsNoChangeStillStopsAsking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ref := referans(15600)
	id := e.order(ref)
	e.order(referans(15601))
	e.znet.SetDefault(znettest.Waiting(""))
	e.znet.Script(ref, znettest.Rejected("3", "Geçersiz istek"))
	e.run(e.config())
	e.db.FirstCheckedAgo(id, 25*time.Hour)
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Stuck != 1 {
		t.Fatalf("first give-up: %+v", sum.Total)
	}
	note := e.db.ReadOrder(id).LastMessage

	// Retried; a day later znet still refuses, and the shop now suppresses
	// updates that change nothing.
	if _, _, err := e.db.Store.RetryStuck(context.Background(), store.RetryStuckParams{}); err != nil {
		t.Fatal(err)
	}
	e.db.Exec(`CREATE TRIGGER zz_suppress BEFORE UPDATE ON product_orders
		FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()`)
	e.run(e.config())
	e.db.FirstCheckedAgo(id, 25*time.Hour)
	e.db.MakeAllDue()
	sum := e.run(e.config())

	if c := e.db.ReadCheck(id); c.GivenUpAt == nil || sum.Total.Stuck != 1 {
		t.Errorf("given up at %v, stuck %d: want the order given up on again", c.GivenUpAt, sum.Total.Stuck)
	}
	if got := e.db.ReadOrder(id).LastMessage; got == nil || note == nil || *got != *note {
		t.Errorf("lastMessage %v, want the give-up note %v", got, note)
	}
	if events := e.db.Events(id); len(events) == 0 || events[len(events)-1].Kind != "gave_up" {
		t.Errorf("events %+v: want the give-up logged last", events)
	}
	e.db.MakeAllDue()
	before := e.znet.Requests(ref)
	e.run(e.config())
	if after := e.znet.Requests(ref); after != before {
		t.Errorf("the order given up on was asked again (%d requests)", after-before)
	}
}

// An answer due to give the order up that a shop trigger leaves unwritten
// (returning NULL) gives nothing up: the order is asked again, as every
// unwritten answer is, and no person is told it is stuck.
func TestAnUnwrittenAnswerGivesNothingUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order(referans(15700))
	e.znet.SetDefault(znettest.Waiting(""))
	e.run(e.config())
	e.db.FirstCheckedAgo(id, 25*time.Hour)
	e.db.SkipWrites(id, false)
	e.db.MakeAllDue()

	sum := e.run(e.config())

	if c := e.db.ReadCheck(id); c.GivenUpAt != nil || sum.Total.Stuck != 0 || len(sum.Unsaved) != 1 {
		t.Errorf("given up at %v, stuck %d, unsaved %v: want the answer unsaved and the order asked again", c.GivenUpAt, sum.Total.Stuck, sum.Unsaved)
	}
	if events := e.db.Events(id); len(events) > 0 && events[len(events)-1].Kind == "gave_up" {
		t.Errorf("events %+v: a give-up logged for an answer nothing was written of", events)
	}
}

// A waiting order is due again when zwatch gives up on it. No plan asks
// at that moment, and the check after it may be 30 minutes on: the order
// went stuck, and a person heard of it, up to half an hour late, with
// here with --give-up-after 10m (helper-355).
func TestAWaitingOrderIsDueAgainWhenItIsGivenUpOn(t *testing.T) {
	t.Parallel()
	for _, schedule := range []string{"learned", "30m"} {
		e := newEnv(t)
		e.znet.SetDefault(znettest.Waiting("Bekliyor"))
		id := e.order(referans(15200))
		cfg := e.config()
		cfg.GiveUpAfter = 10 * time.Minute
		if schedule != "learned" {
			fixed, err := watch.ParseSchedule(schedule)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Schedule = fixed
		}
		e.run(cfg)
		e.db.FirstCheckedAgo(id, cfg.GiveUpAfter-time.Minute)
		e.db.MakeAllDue()
		if sum := e.run(cfg); sum.Total.Asked != 1 || sum.Total.Stuck != 0 {
			t.Fatalf("%s: %+v, want the order asked and not given up on yet", schedule, sum.Total)
		}
		var past float64
		e.db.Get(&past, `SELECT extract(epoch FROM next_check_at - (first_checked_at + make_interval(secs => $2)))::float8
			FROM zwatch_order_checks WHERE order_id = $1`, id, cfg.GiveUpAfter.Seconds())
		if past > 5 {
			t.Errorf("%s: the order is next asked %.0f s after zwatch gives up on it, want at that moment", schedule, past)
		}
	}
}
