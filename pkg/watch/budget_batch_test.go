package watch

import (
	"context"
	"database/sql"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The panels of a run that ask for send times at the same moment (the
// workers a claim woke) get them in one statement, not one each: with a
// panel's order or two per claim, one each would be a statement per
// request. A caller that leaves does not take the others' reservations with
// it.
func TestPanelsReservingAtOnceShareOneStatement(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	sb := newSendBatch(ctx, db.Store, "run-a", func(time.Time) {})
	const interval = 200 * time.Millisecond

	var panels []string
	for range 4 {
		panels = append(panels, db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"}))
	}
	leaving := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})

	// Another caller is gathering: these wait for its statement.
	sb.mu.Lock()
	sb.leading = true
	sb.mu.Unlock()
	got := make([]*sendAsk, len(panels))
	var wg sync.WaitGroup
	for k, id := range panels {
		wg.Go(func() {
			got[k] = sb.reserve(ctx, store.SendsWanted{IntegrationID: id, Count: 1 + k, Interval: interval})
		})
	}
	gone, leave := context.WithCancel(ctx)
	left := make(chan *sendAsk)
	go func() {
		left <- sb.reserve(gone, store.SendsWanted{IntegrationID: leaving, Count: 1, Interval: interval})
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		sb.mu.Lock()
		n := len(sb.asks)
		sb.mu.Unlock()
		if n == len(panels)+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers asked, want %d", n, len(panels)+1)
		}
	}
	leave()
	if a := <-left; a.err == nil {
		t.Error("a caller that left got no error")
	}
	sb.lead()
	wg.Wait()

	for k, a := range got {
		if a.err != nil || a.held.Count != 1+k || a.held.Interval != interval {
			t.Errorf("panel %d: %+v, want %d send times %s apart", k, a, 1+k, interval)
		}
	}
	var writers int
	db.Get(&writers, `SELECT count(DISTINCT xmin::text) FROM zwatch_panel_budgets WHERE integration_id = ANY ($1::uuid[])`,
		pq.Array(append(panels, leaving)))
	if writers != 1 {
		t.Errorf("the panels' budgets were written by %d transactions, want one", writers)
	}
	if sb.leading || len(sb.asks) != 0 {
		t.Errorf("after the batch: leading %v, %d callers left asking", sb.leading, len(sb.asks))
	}
}

// A run whose first reservation waits (for a connection of its pool, busy
// with claims and saves, or for the budget's row, locked by another run)
// still places its send times where the database's clock has them: the
// wait is not taken for travel. Two runs at 1 request a second then never
// send two within one second. Before, the database's reading was taken for
// the middle of the whole wait, and the second run sent ~250 ms early.
func TestASlowReservationDoesNotPutSendTimesEarly(t *testing.T) {
	t.Parallel()
	for _, busy := range []string{"pool", "row lock"} {
		t.Run(busy, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			integ := store.Integration{ID: db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"}), Name: "p"}
			ctx := context.Background()
			sqlB, err := sql.Open("postgres", db.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer sqlB.Close()
			sqlB.SetMaxOpenConns(1)
			a := newSharedBudget(newSendBatch(ctx, db.Store, "run-a", func(time.Time) {}), integ, 1, slog.New(slog.DiscardHandler))
			b := newSharedBudget(newSendBatch(ctx, store.New(sqlB), "run-b", func(time.Time) {}), integ, 1, slog.New(slog.DiscardHandler))

			var (
				mu   sync.Mutex
				sent []time.Time
			)
			until := time.Now().Add(6 * time.Second)
			send := func(bud *sharedBudget) {
				for time.Now().Before(until) {
					if _, err := bud.Wait(ctx); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					sent = append(sent, time.Now())
					mu.Unlock()
				}
			}
			var wg sync.WaitGroup
			wg.Go(func() { send(a) })
			time.Sleep(1500 * time.Millisecond) // A's reservations made the budget's row
			switch busy {
			case "pool":
				conn, err := sqlB.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				time.AfterFunc(500*time.Millisecond, func() { conn.Close() })
			case "row lock":
				tx, err := db.SQL.Begin()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(`SELECT 1 FROM zwatch_panel_budgets WHERE integration_id = $1 FOR UPDATE`, integ.ID); err != nil {
					t.Fatal(err)
				}
				time.AfterFunc(500*time.Millisecond, func() { tx.Rollback() })
			}
			wg.Go(func() { send(b) })
			wg.Wait()

			slices.SortFunc(sent, time.Time.Compare)
			for i := range sent {
				n := 0
				for j := i; j < len(sent) && sent[j].Sub(sent[i]) < time.Second; j++ {
					n++
				}
				if n > 1 {
					t.Errorf("%d requests left within one second from %v at 1 a second (of %d)", n, sent[i], len(sent))
					break
				}
			}
		})
	}
}
