package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// A save that waits, after its transaction began, for another run's save
// of a PIN in the same bucket (up to the lock timeout) schedules its
// waiting orders from when they were decided, not that wait earlier: the
// statement counted the next check from the transaction's now(), and a
// --schedule 5s order came due 4.1 s after its answer (helper-349). The
// same holds for when the order was seen waiting.
func TestAWaitForAPINBucketDoesNotMakeTheNextCheckEarly(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Name: "znet-zz", BaseURL: "http://127.0.0.1:9", Kod: "bayi", Sifre: "sifre"})
	const first = 7_300_000
	ids := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 2, FirstReferans: first, SentAgo: 10 * time.Minute, Registered: true})
	for _, id := range ids {
		db.TakeClaim(id, "run-1")
	}
	bucket := int32(77)
	var decidedDB time.Time
	db.Get(&decidedDB, `SELECT clock_timestamp()`)
	decided := time.Now()
	outcomes := []store.Outcome{
		{Order: store.Order{ID: ids[0], IntegrationID: integ, Referans: strconv.Itoa(first), ExternalStatus: "sent"},
			Result: store.ResultDone, PIN: "ZZZZ-1111-2222", PINBucket: &bucket, LastMessage: "znet: completed, PIN saved",
			NextCheckIn: 5 * time.Second, DecidedAt: decided, AskedAt: decided},
		{Order: store.Order{ID: ids[1], IntegrationID: integ, Referans: strconv.Itoa(first + 1), ExternalStatus: "sent"},
			Result: store.ResultWaiting, Message: "bekliyor", NextCheckIn: 5 * time.Second, DecidedAt: decided, AskedAt: decided},
	}
	// Another run saves a PIN of the same bucket for 900 ms.
	other := db.BeginHolding(`SELECT pg_advisory_xact_lock(2054640718, 77)`)
	go func() { time.Sleep(900 * time.Millisecond); other.Rollback() }()
	if _, err := db.Store.Apply(context.Background(), store.ApplyParams{RunID: "run-1", GiveUpAfter: 24 * time.Hour, GiveUpNote: "zwatch: gave up"}, outcomes); err != nil {
		t.Fatal(err)
	}
	var saved struct {
		Next time.Time `db:"next_check_at"`
		Seen time.Time `db:"waiting_seen_at"`
	}
	db.Get(&saved, `SELECT next_check_at, waiting_seen_at FROM zwatch_order_checks WHERE order_id = $1`, ids[1])
	next := saved.Next
	if d := saved.Seen.Sub(decidedDB); d < -200*time.Millisecond || d > 200*time.Millisecond {
		t.Errorf("seen waiting %s after it was asked, want when it was asked", d.Round(time.Millisecond))
	}
	after := next.Sub(decidedDB)
	t.Logf("the waiting order is due %s after its answer was decided (NextCheckIn 5s)", after.Round(time.Millisecond))
	if after < 5*time.Second-200*time.Millisecond {
		t.Errorf("due %s after the answer, %s early: the wait for the PIN bucket after BEGIN was taken off the delay counted from BEGIN's now()",
			after.Round(time.Millisecond), (5*time.Second - after).Round(time.Millisecond))
	}
}
