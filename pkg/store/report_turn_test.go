package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// openAnother is a second run's store on db: another process's connections.
func openAnother(t *testing.T, db *storetest.DB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// firstRunHasTheTurn is db's own store's turn to report, held for held.
func firstRunHasTheTurn(t *testing.T, db *storetest.DB, held time.Duration) *store.RunReportTurn {
	t.Helper()
	turn, ok, err := db.Store.TakeRunReportTurn(context.Background(), time.Second, held)
	if !ok || err != nil {
		t.Fatalf("the first run: turn %v, %v", ok, err)
	}
	return turn
}

// One run at a time has the turn to report; the next has it once the
// first gives it up.
func TestOneRunAtATimeHasTheTurnToReport(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	first := firstRunHasTheTurn(t, db, time.Minute)
	second := openAnother(t, db)
	if _, ok, err := second.TakeRunReportTurn(ctx, 300*time.Millisecond, time.Minute); ok || err != nil {
		t.Errorf("the second run, while the first has the turn: turn %v, %v; want none, and no error", ok, err)
	}
	if err := db.Store.GiveUpRunReportTurn(ctx, first); err != nil {
		t.Fatal(err)
	}
	turn, ok, err := second.TakeRunReportTurn(ctx, time.Second, time.Minute)
	if !ok || err != nil {
		t.Fatalf("the second run, once the first gave the turn up: turn %v, %v", ok, err)
	}
	// A run whose turn ran out, given up late, leaves the next run's alone.
	if err := db.Store.GiveUpRunReportTurn(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Store.TakeRunReportTurn(ctx, 300*time.Millisecond, time.Minute); ok {
		t.Error("a turn given up a second time ended the next run's")
	}
	if err := second.GiveUpRunReportTurn(ctx, turn); err != nil {
		t.Fatal(err)
	}
}

// A run stopped while it has the turn (SIGKILL, a paused VM, a host lost)
// holds it no longer than the turn lasts: a lock held by the server until
// its TCP keepalive gave up kept every run on every host waiting for hours
// (helper-348).
func TestAStoppedRunHoldsTheTurnNoLongerThanItLasts(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	firstRunHasTheTurn(t, db, 2*time.Second) // and is never given up
	if _, ok, err := openAnother(t, db).TakeRunReportTurn(context.Background(), 5*time.Second, time.Minute); !ok {
		t.Errorf("the turn of a run stopped while it had it, which lasts 2 s, did not come in 5 s (err %v)", err)
	}
}

// Neither a run waiting for the turn nor the one that has it holds a
// transaction open: behind a pooler in transaction mode such a
// transaction holds a server connection, and on a pool of one the run
// that had the turn waited on itself until the server ended it, while a
// waiting run held it on a pool of two (helper-348, helper-349).
func TestTheTurnToReportHoldsNoTransactionOpen(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	first := firstRunHasTheTurn(t, db, time.Minute)
	waited, another := make(chan bool), openAnother(t, db)
	go func() {
		_, ok, _ := another.TakeRunReportTurn(context.Background(), 3*time.Second, time.Minute)
		waited <- ok
	}()
	// Each of the waiting run's tries is a short transaction, and a look
	// may fall between its statements (often so on a busy host under
	// -race): what must not be there is a transaction begun well before
	// the look, as one held for the whole wait or the whole turn was. The
	// looks begin late enough for one held from a waiting run's start,
	// 200 ms slow on a busy host, to be half a second old at the first
	// (helper-384), and end within the wait.
	time.Sleep(700 * time.Millisecond)
	const looks = 20
	open := 0
	for range looks {
		var longOpen int
		db.Get(&longOpen, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			  AND xact_start < statement_timestamp() - interval '500 milliseconds'`)
		if longOpen > 0 {
			open++
		}
		time.Sleep(50 * time.Millisecond)
	}
	if open > looks/2 {
		t.Errorf("in %d of %d looks a transaction begun over half a second before had stayed open while one run had the turn and another waited for it", open, looks)
	}
	if <-waited {
		t.Error("the waiting run got the turn the first still held")
	}
	if err := db.Store.GiveUpRunReportTurn(context.Background(), first); err != nil {
		t.Fatal(err)
	}
}
