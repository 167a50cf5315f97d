package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// zwatch's bookkeeping is the size of the work, not of the shop's history:
// a claim deletes the rows of orders finished longer ago than
// FinishedKeptFor, and only those.
func TestClaimDeletesLongFinishedBookkeeping(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	old := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", ExternalStatus: "completed", Status: "approved"})
	recent := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2", ExternalStatus: "completed", Status: "approved"})
	waiting := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "3"})
	db.AddCheck(old, storetest.Check{FinishedAgo: store.FinishedKeptFor + time.Hour})
	db.AddCheck(recent, storetest.Check{FinishedAgo: time.Hour})

	if _, err := db.Store.ClaimBatch(context.Background(), store.ClaimParams{
		RunID: "run-1", Limit: 10, Register: 10, FirstDelay: 30 * time.Second, Lease: time.Minute,
	}); err != nil {
		t.Fatal(err)
	}

	if db.HasCheck(old) {
		t.Error("the row of an order finished long ago is still there")
	}
	if !db.HasCheck(recent) || !db.HasCheck(waiting) {
		t.Error("a recently finished order's row, or a waiting order's, was deleted")
	}
}
