package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// A "sentAt" placeholder at the very end of PostgreSQL's range (a shop's
// "never" as the largest timestamp it could write) is one order's odd
// value: it must not fail the claim, and with it every other order's
// registration and the sweep that finds orders staff put back. The README
// promises that neither infinity nor 9999-12-31 "stops the others".
func TestASentAtAtTheEndOfTimeStopsNoOtherOrder(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	putBack := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", SentAgo: time.Hour})
	db.AddCheck(putBack, storetest.Check{NextCheckIn: -time.Second, Attempts: 3})
	db.Decide(putBack, "approved", "")
	odd := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2", SentAgo: time.Hour})
	db.SetSentAt(odd, "294276-12-31 23:59:59+00")
	for range 2 {
		db.MakeSweepDue()
		if _, err := db.Store.ClaimBatch(context.Background(), firstChunk); err != nil {
			t.Fatalf("a claim failed for one order's \"sentAt\": %v", err)
		}
	}

	db.Decide(putBack, "pending", "")
	fresh := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "3", SentAgo: time.Minute})
	db.MakeSweepDue()
	claimed, err := db.Store.ClaimBatch(context.Background(), firstChunk)
	if err != nil {
		t.Fatalf("a claim failed for one order's \"sentAt\": %v", err)
	}
	var ids []string
	for _, o := range claimed.Orders {
		ids = append(ids, o.ID)
	}
	for id, what := range map[string]string{putBack: "put back by staff", fresh: "newly sent"} {
		if !slices.Contains(ids, id) {
			t.Errorf("the order %s was not claimed (claimed %v)", what, ids)
		}
	}
}
