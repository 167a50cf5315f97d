package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The history a fit reads: each panel's newest orders, as many as asked
// for, final ones with when znet last said the order was waiting, and the
// ones still waiting; nothing older than asked for; and an order the shop
// sent again is measured from its new sentAt, not from the sending it
// already finished.
func TestFinishHistoryIsEachPanelsNewest(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	a := db.AddIntegration(storetest.Integration{Name: "A"})
	b := db.AddIntegration(storetest.Integration{Name: "B"})
	var hist []storetest.Finished
	for i := range 30 {
		hist = append(hist, storetest.Finished{WaitingAt: 20 * time.Second, FinalAt: 30 * time.Second, Ago: time.Duration(i+1) * time.Minute})
	}
	db.AddFinishHistory(a, hist)
	db.AddFinishHistory(b, []storetest.Finished{
		{FinalAt: 15 * time.Second, Cancelled: true, Ago: time.Hour},
		{WaitingAt: 40 * time.Second, FinalAt: 60 * time.Second, Ago: 3 * 24 * time.Hour},
	})
	// Sent again a minute ago, after zwatch had finished with it: its old
	// final answer is from before this sending.
	resent := db.AddOrder(storetest.Order{IntegrationID: b, Referans: "r", ExternalStatus: "completed", Status: "approved"})
	db.AddEvent(resent, "completed", 5*time.Minute)
	db.Exec(`UPDATE product_orders SET "sentAt" = now() - interval '1 minute' WHERE id = $1`, resent)

	// Still waiting: last seen so 30 s after it was sent, 40 s ago; the
	// 30 s counted from the order's own sentAt, not from a later now(),
	// which a pause between the statements would add to.
	open := db.AddOrder(storetest.Order{IntegrationID: b, Referans: "w", SentAgo: 70 * time.Second})
	db.AddCheck(open, storetest.Check{Attempts: 1})
	db.Exec(`UPDATE zwatch_order_checks c SET waiting_seen_at = o."sentAt" + interval '30 seconds'
		FROM product_orders o WHERE o.id = c.order_id AND c.order_id = $1`, open)

	got, err := db.Store.FinishHistory(ctx, store.HistoryParams{Scan: 1000, PerPanel: 10, Within: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	perPanel := map[string][]store.FinishSample{}
	for _, s := range got {
		perPanel[s.IntegrationID] = append(perPanel[s.IntegrationID], s)
	}
	if n := len(perPanel[a]); n != 10 {
		t.Errorf("panel A: %d samples, want its newest 10", n)
	}
	for _, s := range perPanel[a] {
		if s.WaitingAge < 19 || s.WaitingAge > 21 || s.FinalAge < 29 || s.FinalAge > 31 || !s.Completed || s.GaveUp {
			t.Errorf("panel A: sample %+v, want waiting at 20 s, completed at 30 s", s)
		}
	}
	if len(perPanel[b]) != 2 {
		t.Fatalf("panel B: samples %+v, want the order still waiting and the cancelled order of an hour ago", perPanel[b])
	}
	for _, s := range perPanel[b] {
		switch {
		case s.Open && (s.WaitingAge < 29 || s.WaitingAge > 31):
			t.Errorf("panel B: sample %+v, want still waiting, last seen so at 30 s", s)
		case !s.Open && (s.Completed || s.WaitingAge != 0 || s.FinalAge < 14 || s.FinalAge > 16):
			t.Errorf("panel B: sample %+v, want cancelled at its first check, 15 s", s)
		}
	}
}

// A fit is saved and read back whole.
func TestPanelFitsRoundTrip(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	a := db.AddIntegration(storetest.Integration{Name: "A"})
	fit := store.PanelFit{IntegrationID: a, Finals: 250, Completions: 240, GaveUp: 3, OwnWeight: 1, FirstCheck: 12.5,
		Ages: []float64{0, 1, 2}, Survival: []float64{1, 0.5, 0.25}}
	if err := db.Store.SavePanelFits(ctx, []store.PanelFit{fit}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Store.PanelFits(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("fits %+v (%v), want the one saved", got, err)
	}
	g := got[0]
	if g.IntegrationID != a || g.Finals != 250 || g.Completions != 240 || g.GaveUp != 3 || g.OwnWeight != 1 ||
		g.FirstCheck != 12.5 || len(g.Survival) != 3 || g.Survival[2] != 0.25 {
		t.Errorf("read back %+v, want %+v", g, fit)
	}
}

// One run in an interval refits, even when the refit found nothing to save
// (a new shop's panels have no history): the runs after it, and a run
// starting at the same moment, do not read the history again until the
// interval has passed.
func TestRefitTurnIsTakenOncePerInterval(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	turns := make(chan bool, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			turn, err := db.Store.TakeRefitTurn(ctx, time.Minute)
			if err != nil {
				t.Error(err)
			}
			turns <- turn
		}()
	}
	wg.Wait()
	close(turns)
	taken := 0
	for turn := range turns {
		if turn {
			taken++
		}
	}
	if taken != 1 {
		t.Fatalf("4 runs starting together: %d took the refit turn, want exactly 1", taken)
	}
	if turn, err := db.Store.TakeRefitTurn(ctx, time.Minute); err != nil || turn {
		t.Errorf("a run a moment later: turn %v (%v), want none: nothing was saved, and it is too soon", turn, err)
	}
	db.Exec(`UPDATE zwatch_state SET moved_at = moved_at - interval '2 minutes' WHERE name = 'refit'`)
	if turn, err := db.Store.TakeRefitTurn(ctx, time.Minute); err != nil || !turn {
		t.Errorf("a run after the interval: turn %v (%v), want the turn", turn, err)
	}
}

// Of a backlog larger than the scan, each panel's share of it is read (at
// least 100 orders), the orders due soonest; and a switched-off panel's,
// due again every few minutes, is not read at all, so that it cannot push
// the waiting orders of the others out of their samples, which took a
// panel for faster than it is (helper-300).
func TestFinishHistoryReadsABoundedShareOfTheBacklog(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	a := db.AddIntegration(storetest.Integration{Name: "A"})
	off := db.AddIntegration(storetest.Integration{Name: "off", Disabled: true})
	waitingOf := func(integ string, n int, dueIn time.Duration) {
		for i := range n {
			open := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: fmt.Sprintf("%s-%d", integ[:8], i), SentAgo: 70 * time.Second})
			db.AddCheck(open, storetest.Check{Attempts: 1, NextCheckIn: dueIn + time.Duration(i)*time.Second})
			db.Exec(`UPDATE zwatch_order_checks SET waiting_seen_at = now() - interval '40 seconds', integration_id = $2::uuid WHERE order_id = $1`, open, integ)
		}
	}
	waitingOf(off, 150, time.Minute)
	waitingOf(a, 130, time.Hour)
	got, err := db.Store.FinishHistory(ctx, store.HistoryParams{Scan: 20, PerPanel: 1000, Within: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	perPanel := map[string]int{}
	for _, s := range got {
		if !s.Open {
			t.Errorf("sample %+v, want an order still waiting", s)
		}
		perPanel[s.IntegrationID]++
	}
	if perPanel[a] != 100 || perPanel[off] != 0 {
		t.Errorf("130 orders of panel A waiting and 150 of a switched-off one due sooner, a scan of 20: %d and %d samples, want 100 and none", perPanel[a], perPanel[off])
	}
}

// One sending is one sample: an order given up on, put back by retry
// --stuck and then completed is a completion, not a give-up as well; one
// put back and waiting again is a waiting order; and one staff set back
// to sent after its completion, found completed again, is its first
// completion only (helper-300: 300 such orders counted 400 completions).
func TestFinishHistoryCountsEachSendingOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	a := db.AddIntegration(storetest.Integration{Name: "A"})
	gaveUp := func(order string, ago time.Duration) {
		db.Exec(`INSERT INTO zwatch_order_events (order_id, at, kind, from_status, to_status, pin_delivered, run_id)
			VALUES ($1, now() - make_interval(secs => $2), 'gave_up', 'sent', 'processing', false, 'storetest')`, order, ago.Seconds())
	}
	retriedThenDone := db.AddOrder(storetest.Order{IntegrationID: a, Referans: "1", SentAgo: 3 * time.Hour, ExternalStatus: "completed", Status: "approved"})
	db.AddCheck(retriedThenDone, storetest.Check{Attempts: 9, FinishedAgo: time.Hour})
	gaveUp(retriedThenDone, 2*time.Hour)
	db.AddEvent(retriedThenDone, "completed", time.Hour)

	retriedWaiting := db.AddOrder(storetest.Order{IntegrationID: a, Referans: "2", SentAgo: 3 * time.Hour})
	db.AddCheck(retriedWaiting, storetest.Check{Attempts: 9, NextCheckIn: time.Minute})
	db.Exec(`UPDATE zwatch_order_checks SET waiting_seen_at = now() - interval '1 minute' WHERE order_id = $1`, retriedWaiting)
	gaveUp(retriedWaiting, 2*time.Hour)

	doneTwice := db.AddOrder(storetest.Order{IntegrationID: a, Referans: "3", SentAgo: 3 * time.Hour, ExternalStatus: "completed", Status: "approved"})
	db.AddCheck(doneTwice, storetest.Check{Attempts: 3, FinishedAgo: time.Minute})
	db.AddEvent(doneTwice, "completed", 150*time.Minute)
	db.AddEvent(doneTwice, "completed", time.Minute)

	// Set back to sent after its completion and waiting again: that
	// completion is its sample, not the wait (helper-302).
	doneThenWaiting := db.AddOrder(storetest.Order{IntegrationID: a, Referans: "4", SentAgo: 3 * time.Hour})
	db.AddCheck(doneThenWaiting, storetest.Check{Attempts: 3, NextCheckIn: time.Minute})
	db.Exec(`UPDATE zwatch_order_checks SET waiting_seen_at = now() - interval '1 minute', integration_id = $2::uuid WHERE order_id = $1`, doneThenWaiting, a)
	db.AddEvent(doneThenWaiting, "completed", 150*time.Minute)

	// Given up on, put back, and given up on again: the last give-up,
	// which knew the order waiting longest (helper-302).
	gaveUpTwice := db.AddOrder(storetest.Order{IntegrationID: a, Referans: "5", SentAgo: 3 * time.Hour})
	db.AddCheck(gaveUpTwice, storetest.Check{Attempts: 40, GivenUp: true})
	gaveUp(gaveUpTwice, 2*time.Hour)
	gaveUp(gaveUpTwice, 10*time.Minute)

	// A switched-off panel's answers: its waiting orders are not read, and
	// a fit of its finished ones alone would take it for faster than it
	// is (helper-302). It keeps the fit it has.
	off := db.AddIntegration(storetest.Integration{Name: "off", Disabled: true})
	db.AddFinishHistory(off, []storetest.Finished{{WaitingAt: 20 * time.Second, FinalAt: 30 * time.Second, Ago: time.Hour}})

	got, err := db.Store.FinishHistory(ctx, store.HistoryParams{Scan: 1000, PerPanel: 1000, Within: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var completed, open, gave int
	for _, s := range got {
		switch {
		case s.IntegrationID != a:
			t.Errorf("sample %+v of another panel than %s", s, a)
		case s.Completed && s.FinalAge > 30*60-60 && s.FinalAge < 30*60+60:
			completed++ // the first completion of the orders done twice and done then waiting, at 30 minutes
		case s.Completed && s.FinalAge > 2*3600-60 && s.FinalAge < 2*3600+60:
			completed++ // the retried order, completed at 2 hours
		case s.Open:
			open++
		case s.GaveUp && s.FinalAge > 170*60-60 && s.FinalAge < 170*60+60:
			gave++ // the last give-up, at 2 hours 50 minutes
		default:
			t.Errorf("sample %+v", s)
		}
	}
	if len(got) != 5 || completed != 3 || open != 1 || gave != 1 {
		t.Errorf("samples %+v: want five, three completions (at 2 hours, and two first ones at 30 minutes), one order waiting and one given up on at 2 hours 50 minutes", got)
	}
}

// A panel is learned from when znet was asked, not from when the answer
// was saved: a waiting answer saved a while later (it waited for company,
// or for the database) says the order was waiting when it was asked, and
// the final one that it was final then. The event's at stays the save,
// when the shop had the PIN.
func TestFinishHistoryDatesAnswersByTheirRequestNotTheirSave(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	order := claimOne(t, db, "4242") // sent a minute ago
	params := store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}
	now := time.Now()
	if _, err := db.Store.Apply(ctx, params, []store.Outcome{{Order: order, Result: store.ResultWaiting,
		NextCheckIn: time.Minute, AskedAt: now.Add(-40 * time.Second)}}); err != nil {
		t.Fatal(err)
	}
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() WHERE order_id = $1`, order.ID)
	claimed, err := db.Store.ClaimBatch(ctx, store.ClaimParams{RunID: "run-a", Limit: 1, Lease: time.Minute})
	if err != nil || len(claimed.Orders) != 1 {
		t.Fatalf("claimed %d orders again (%v), want 1", len(claimed.Orders), err)
	}
	now = time.Now()
	if _, err := db.Store.Apply(ctx, params, []store.Outcome{{Order: claimed.Orders[0], Result: store.ResultDone, PIN: "PIN-1",
		NextCheckIn: time.Minute, AskedAt: now.Add(-10 * time.Second)}}); err != nil {
		t.Fatal(err)
	}

	got, err := db.Store.FinishHistory(ctx, store.HistoryParams{Scan: 1000, PerPanel: 10, Within: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Completed {
		t.Fatalf("samples %+v, want the one completed order", got)
	}
	if s := got[0]; s.WaitingAge < 18 || s.WaitingAge > 23 || s.FinalAge < 48 || s.FinalAge > 53 {
		t.Errorf("sample %+v: want waiting at 20 s (asked 40 s ago, sent a minute ago) and final at 50 s (asked 10 s ago)", s)
	}
	var savedAge float64
	db.Get(&savedAge, `SELECT extract(epoch FROM ev.at - o."sentAt")::float8
		FROM zwatch_order_events ev JOIN product_orders o ON o.id = ev.order_id
		WHERE ev.order_id = $1 AND ev.to_status = 'completed'`, order.ID)
	if savedAge < 58 {
		t.Errorf("the completion's event is at %.1f s after sending, want its save, a minute after", savedAge)
	}
}
