package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// BenchmarkApply is the apply path alone: one statement for a batch of
// answers, against a real PostgreSQL (`go test -bench Apply ./pkg/store`
// with PG* variables set). ns/order is what one answer costs the database.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("waiting/%d", n), func(b *testing.B) {
			// "Still waiting" leaves the orders pollable, so every
			// iteration applies the same batch to the same rows.
			db := storetest.New(b)
			orders := applyBenchOrders(db, n)
			outcomes := make([]store.Outcome, n)
			for i, o := range orders {
				outcomes[i] = store.Outcome{Order: o, Result: store.ResultWaiting, Message: "Sipariş işleniyor", NextCheckIn: time.Minute}
			}
			benchmarkApply(b, db, n, func() []store.Outcome {
				// The apply hands the claim back: claimed again, off the clock.
				b.StopTimer()
				defer b.StartTimer()
				for _, o := range orders {
					db.TakeClaim(o.ID, applyBenchRun)
				}
				return outcomes
			})
		})
		b.Run(fmt.Sprintf("done/%d", n), func(b *testing.B) {
			// A PIN is saved once: every iteration needs orders of its own,
			// sent before the clock starts.
			db := storetest.New(b)
			next := func() []store.Outcome {
				b.StopTimer()
				defer b.StartTimer()
				outcomes := make([]store.Outcome, n)
				for i, o := range applyBenchOrders(db, n) {
					outcomes[i] = store.Outcome{Order: o, Result: store.ResultDone, PIN: "ABCD-EFGH-JKLM-NPQR",
						Message: "İşlem tamamlandı", LastMessage: "znet: completed, PIN saved", NextCheckIn: time.Minute}
				}
				return outcomes
			}
			benchmarkApply(b, db, n, next)
		})
		b.Run(fmt.Sprintf("done-compared/%d", n), func(b *testing.B) {
			// As done, each PIN the order's own and compared with those
			// saved before (Outcome.PINBucket), as a run's are: what the
			// guard against one PIN for two orders adds to a save.
			db := storetest.New(b)
			saved := 0
			next := func() []store.Outcome {
				b.StopTimer()
				defer b.StartTimer()
				outcomes := make([]store.Outcome, n)
				for i, o := range applyBenchOrders(db, n) {
					saved++
					pin := fmt.Sprintf("ABCD-EFGH-%08d", saved)
					bucket := int32(saved)
					outcomes[i] = store.Outcome{Order: o, Result: store.ResultDone, PIN: pin, PINBucket: &bucket,
						Message: "İşlem tamamlandı", LastMessage: "znet: completed, PIN saved", NextCheckIn: time.Minute}
				}
				return outcomes
			}
			benchmarkApply(b, db, n, next)
		})
	}
}

func benchmarkApply(b *testing.B, db *storetest.DB, n int, outcomes func() []store.Outcome) {
	ctx := context.Background()
	params := store.ApplyParams{RunID: applyBenchRun, GiveUpAfter: 24 * time.Hour, GiveUpNote: "zwatch: gave up"}
	for b.Loop() {
		batch := outcomes()
		applied, err := db.Store.Apply(ctx, params, batch)
		if err != nil {
			b.Fatal(err)
		}
		if len(applied) != n || !applied[0].Written {
			b.Fatalf("applied %d of %d answers (first: %+v)", len(applied), n, applied[0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/order")
}

var applyBenchReferans = 5_000_000

// applyBenchRun holds the claims the benchmark applies under: the apply
// writes only an order its run has claimed.
const applyBenchRun = "bench"

// applyBenchOrders sends n orders and registers them, as a run's claim
// would hand them to the apply.
func applyBenchOrders(db *storetest.DB, n int) []store.Order {
	integ := db.AddIntegration(storetest.Integration{Name: "znet-bench", BaseURL: "http://127.0.0.1:9", Kod: "bayi", Sifre: "sifre"})
	ids := db.AddSentOrders(storetest.SentOrders{
		IntegrationID: integ, Count: n, FirstReferans: applyBenchReferans, SentAgo: 10 * time.Minute, Registered: true,
	})
	orders := make([]store.Order, n)
	for i, id := range ids {
		db.TakeClaim(id, applyBenchRun)
		orders[i] = store.Order{ID: id, IntegrationID: integ, Referans: fmt.Sprint(applyBenchReferans + i), ExternalStatus: "sent"}
	}
	applyBenchReferans += n
	return orders
}
