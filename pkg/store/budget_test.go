package store_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// Runs reserving send times on one panel at the same time never get the
// same moment: every send time handed out is at least an interval from every
// other, whoever took it.
func TestReserveSendsNeverHandsOutOneMomentTwice(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	other := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	const interval = 5 * time.Millisecond
	ctx := context.Background()

	var (
		mu    sync.Mutex
		times []time.Time
		wg    sync.WaitGroup
	)
	for run := range 6 {
		wg.Go(func() {
			for k := range 10 {
				got, err := reserve(ctx, db, integ, "run-"+string(rune('a'+run)), 1+k%3, interval)
				if err != nil {
					t.Error(err)
					return
				}
				if got.First.Before(got.DBNow.Add(-time.Millisecond)) {
					t.Errorf("a reservation starts at %s, before the database's now %s", got.First, got.DBNow)
				}
				mu.Lock()
				for i := range got.Count {
					times = append(times, got.At(i))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < interval {
			t.Fatalf("send times %d and %d are %s apart, less than the interval %s", i-1, i, gap, interval)
		}
	}

	// Another panel's budget is its own.
	got, err := reserve(ctx, db, other, "run-z", 1, interval)
	if err != nil {
		t.Fatal(err)
	}
	if !got.First.Before(times[len(times)-1]) {
		t.Errorf("the other panel's first send time %s waits behind the first panel's %s", got.First, times[len(times)-1])
	}
}

// Unused send times go back only while nobody has reserved after them.
func TestReturnSendsOnlyTheUntouchedEnd(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	ctx := context.Background()
	const interval = time.Second

	a, err := reserve(ctx, db, integ, "run-a", 10, interval)
	if err != nil {
		t.Fatal(err)
	}
	b, err := reserve(ctx, db, integ, "run-b", 2, interval)
	if err != nil {
		t.Fatal(err)
	}
	if !b.First.Equal(a.End()) {
		t.Fatalf("run b's send times start at %s, want right after run a's, %s", b.First, a.End())
	}
	// Run a ends early: its end is behind run b's, so it stays taken.
	if returned, err := db.Store.ReturnSends(ctx, integ, a.At(3), a.End()); err != nil || returned {
		t.Fatalf("returning send times another run reserved after: returned %v, %v", returned, err)
	}
	// Run b ends early: its last send time is free again.
	if returned, err := db.Store.ReturnSends(ctx, integ, b.At(1), b.End()); err != nil || !returned {
		t.Fatalf("returning the untouched end: returned %v, %v", returned, err)
	}
	c, err := reserve(ctx, db, integ, "run-c", 1, interval)
	if err != nil {
		t.Fatal(err)
	}
	if !c.First.Equal(b.At(1)) {
		t.Errorf("after the return the next send time is %s, want run b's unused %s", c.First, b.At(1))
	}
	if ahead := db.BudgetReservedAhead(integ); ahead < 11*interval || ahead > 13*interval {
		t.Errorf("%s of the budget reserved ahead, want the 12 send times still held", ahead)
	}
}

// A budget that nobody used is not saved up: after a quiet spell the next
// send time is now, not the time the last reservation ended.
func TestReserveSendsSavesNothingUp(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	ctx := context.Background()
	db.Exec(`INSERT INTO zwatch_panel_budgets (integration_id, next_free_at) VALUES ($1, now() - interval '1 hour')`, integ)
	got, err := reserve(ctx, db, integ, "run-a", 3, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if lag := got.DBNow.Sub(got.First); lag < 0 || lag > time.Second {
		t.Errorf("after an hour unused the reservation starts %s before the database's now, want at now", lag)
	}
}

// The database's clock stepped back (NTP, a DBA correcting it) after a
// reservation: the clock's row lies minutes in the future. The next
// reservation starts where the fast clock's queue ended, moved back by the
// step (a second ahead here): were it to wait for the row's time, zwatch
// would ask znet nothing for as long as the step.
func TestReserveSendsAfterTheDatabasesClockSteppedBack(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	ctx := context.Background()
	// As a reservation made while the clock was 10 minutes fast left it.
	db.Exec(`INSERT INTO zwatch_panel_budgets (integration_id, next_free_at, reserved_by, reserved_at)
		VALUES ($1, now() + interval '10 minutes 1 second', 'run-fast', now() + interval '10 minutes')`, integ)
	for range 2 {
		got, err := reserve(ctx, db, integ, "run-a", 3, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if ahead := got.First.Sub(got.DBNow); ahead > 2*time.Second {
			t.Fatalf("after the database's clock stepped back 10 minutes, the first send time is %s ahead of its now", ahead)
		}
	}
}

// Panels asking at the same moment get their send times in one statement.
// Runs doing so at once, naming the panels in either order,
// beside runs reserving for one panel, neither deadlock nor get one moment
// twice on any panel.
func TestReservingForSeveralPanelsAtOnceNeverHandsOutOneMomentTwice(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	panels := make([]string, 3)
	for k := range panels {
		panels[k] = db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	}
	const interval = 3 * time.Millisecond

	var (
		mu    sync.Mutex
		times = make(map[string][]time.Time)
		wg    sync.WaitGroup
	)
	for run := range 6 {
		wg.Go(func() {
			runID := "run-" + string(rune('a'+run))
			for k := range 15 {
				var wanted []store.SendsWanted
				for j := range panels {
					// Every order of panels, forwards or backwards, and
					// now and then one panel alone.
					p := panels[(j+run)%len(panels)]
					if run%2 == 1 {
						p = panels[len(panels)-1-(j+run)%len(panels)]
					}
					wanted = append(wanted, store.SendsWanted{IntegrationID: p, Count: 1 + (k+j)%3, Interval: interval})
					if k%4 == 3 {
						break
					}
				}
				got, err := db.Store.ReserveSendsFor(ctx, runID, wanted)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for i, w := range wanted {
					if got[i].Count != w.Count {
						t.Errorf("asked for %d send times on %s, got %d", w.Count, w.IntegrationID, got[i].Count)
					}
					for n := range got[i].Count {
						times[w.IntegrationID] = append(times[w.IntegrationID], got[i].At(n))
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, p := range panels {
		ts := times[p]
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < interval {
				t.Fatalf("panel %s: send times %d and %d are %s apart, less than the interval %s", p, i-1, i, gap, interval)
			}
		}
	}

	// One panel named twice is refused, and moves no clock.
	clocks := func() string {
		var s string
		db.Get(&s, `SELECT string_agg(next_free_at::text, ',' ORDER BY integration_id) FROM zwatch_panel_budgets`)
		return s
	}
	before := clocks()
	_, err := db.Store.ReserveSendsFor(ctx, "run-z", []store.SendsWanted{
		{IntegrationID: panels[0], Count: 1, Interval: interval},
		{IntegrationID: strings.ToUpper(panels[0]), Count: 1, Interval: interval},
	})
	if err == nil {
		t.Fatal("a reservation naming one panel twice was accepted")
	}
	if after := clocks(); after != before {
		t.Errorf("a refused reservation moved the panels' clocks: %s, then %s", before, after)
	}
}

// reserve reserves count send times, interval apart, on one panel's budget.
func reserve(ctx context.Context, db *storetest.DB, integrationID, runID string, count int, interval time.Duration) (store.SendTimes, error) {
	got, err := db.Store.ReserveSendsFor(ctx, runID, []store.SendsWanted{{IntegrationID: integrationID, Count: count, Interval: interval}})
	if err != nil {
		return store.SendTimes{}, err
	}
	return got[0], nil
}

// Where the shop made repeatable read its database's default, a
// reservation that waited for another run's to commit is not lost to a
// serialization failure: it is sent again, and starts after the other.
func TestReserveSendsUnderRepeatableReadWaitsItsTurn(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	ctx := context.Background()
	if _, err := reserve(ctx, db, integ, "run-a", 1, time.Millisecond); err != nil { // the panel's row
		t.Fatal(err)
	}
	db.Exec(`ALTER DATABASE ` + db.Name() + ` SET default_transaction_isolation = 'repeatable read'`)
	st, err := store.Open(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// Another run's reservation, not yet committed, holds the row.
	other, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	var otherUntil time.Time
	if err := other.QueryRow(`UPDATE zwatch_panel_budgets SET next_free_at = clock_timestamp() + interval '1 second',
		reserved_by = 'run-b' WHERE integration_id = $1 RETURNING next_free_at`, integ).Scan(&otherUntil); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var got []store.SendTimes
	go func() {
		var err error
		got, err = st.ReserveSendsFor(ctx, "run-c", []store.SendsWanted{{IntegrationID: integ, Count: 1, Interval: time.Millisecond}})
		done <- err
	}()
	db.WaitForLockWaiters(1) // it waits for the row
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("reserving after another run's reservation, at repeatable read: %v", err)
	}
	if got[0].First.Before(otherUntil) {
		t.Errorf("the reservation starts at %s, inside the other run's second (until %s)", got[0].First, otherUntil)
	}
}

// A connection the pool kept that the server has closed since (a restart,
// a failover, pg_terminate_backend) costs a reservation nothing: it is
// tried on another, as database/sql does for a statement on the pool.
func TestAReservationOutlivesItsPoolsClosedConnection(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	ctx := context.Background()
	other, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	st := store.New(other)
	wanted := []store.SendsWanted{{IntegrationID: integ, Count: 1, Interval: time.Second}}
	if _, err := st.ReserveSendsFor(ctx, "run-a", wanted); err != nil {
		t.Fatal(err)
	}
	var ended int
	db.Get(&ended, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if ended == 0 {
		t.Fatal("no connection of the pool was ended")
	}
	if _, err := st.ReserveSendsFor(ctx, "run-a", wanted); err != nil {
		t.Errorf("the reservation after the pool's connection was closed: %v", err)
	}
}
