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

// firstRunHasTheTurn is db's own store's turn to report.
func firstRunHasTheTurn(t *testing.T, db *storetest.DB) *store.RunReportLock {
	t.Helper()
	lock, ok, err := db.Store.TakeRunReportTurn(context.Background(), time.Second)
	if !ok || err != nil {
		t.Fatalf("the first run: turn %v, %v", ok, err)
	}
	return lock
}

// One run at a time has the turn to report; the next has it once the
// first gives it up.
func TestOneRunAtATimeHasTheTurnToReport(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	first := firstRunHasTheTurn(t, db)
	second := openAnother(t, db)
	if lock, ok, err := second.TakeRunReportTurn(ctx, 300*time.Millisecond); ok || err != nil {
		lock.Release()
		t.Errorf("the second run, while the first has the turn: turn %v, %v; want none, and no error", ok, err)
	}
	first.Release()
	lock, ok, err := second.TakeRunReportTurn(ctx, time.Second)
	if !ok || err != nil {
		t.Errorf("the second run, once the first gave the turn up: turn %v, %v", ok, err)
	}
	lock.Release()
}

// A run stopped while it has the turn (SIGSTOP, a paused VM, a host lost)
// holds it no longer than any transaction of zwatch's: until the server's
// TCP keepalive gave up, hours, every run on every host waited for it
// (helper-348).
func TestAStoppedRunHoldsTheTurnNoLongerThanAnyTransaction(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	stopped := firstRunHasTheTurn(t, db)
	defer stopped.Release()
	time.Sleep(12 * time.Second) // past idleInTxLimit, 10 s
	lock, ok, err := openAnother(t, db).TakeRunReportTurn(ctx, 5*time.Second)
	defer lock.Release()
	if !ok {
		t.Errorf("12 s after the run that had the turn stopped, the next one did not get it in 5 s (err %v)", err)
	}
}

// A run waiting for the turn holds no transaction open between its tries:
// behind a pooler in transaction mode each such transaction holds a
// server connection, and on a pool of two, two waiting runs kept the run
// that had the turn from reading and recording until they gave up, each
// then mailing what the other did (helper-348).
func TestARunWaitingForTheTurnHoldsNoTransaction(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	first := firstRunHasTheTurn(t, db)
	defer first.Release()
	waited := make(chan bool)
	go func() {
		lock, ok, _ := openAnother(t, db).TakeRunReportTurn(ctx, 2*time.Second)
		lock.Release()
		waited <- ok
	}()
	time.Sleep(200 * time.Millisecond)
	const looks = 20
	both := 0
	for range looks {
		var inTx int
		db.Get(&inTx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
			  AND query LIKE '%pg_try_advisory_xact_lock(2054640208%'`)
		if inTx >= 2 {
			both++
		}
		time.Sleep(50 * time.Millisecond)
	}
	if both > looks/2 {
		t.Errorf("in %d of %d looks the waiting run sat in an open transaction beside the one that has the turn", both, looks)
	}
	if <-waited {
		t.Error("the waiting run got the turn the first still held")
	}
}
