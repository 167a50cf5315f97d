package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// In one batch, an order whose row a shop transaction holds and an order the
// shop deleted since the claim are both left unwritten, but they are not
// the same: the held one keeps its claim and no attempt is counted, so that
// its answer is saved a moment later; the deleted one is finished with. The
// other orders of the batch are saved at once.
func TestApplyTellsAHeldRowFromADeletedOne(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Name: "znet-apply", BaseURL: "http://127.0.0.1:9", Kod: "bayi", Sifre: "sifre"})
	const first = 7_100_000
	ids := db.AddSentOrders(storetest.SentOrders{
		IntegrationID: integ, Count: 3, FirstReferans: first, SentAgo: 10 * time.Minute, Registered: true,
	})
	outcomes := make([]store.Outcome, len(ids))
	for i, id := range ids {
		db.TakeClaim(id, "run-1")
		outcomes[i] = store.Outcome{
			Order:  store.Order{ID: id, IntegrationID: integ, Referans: strconv.Itoa(first + i), ExternalStatus: "sent"},
			Result: store.ResultWaiting, Message: "işleniyor", NextCheckIn: time.Minute,
		}
	}
	saved, held, deleted := ids[0], ids[1], ids[2]
	db.DeleteOrder(deleted)
	release := db.HoldOrderLock(held)
	defer release()

	applied, err := db.Store.Apply(context.Background(),
		store.ApplyParams{RunID: "run-1", GiveUpAfter: 24 * time.Hour, GiveUpNote: "zwatch: gave up"}, outcomes)
	if err != nil {
		t.Fatal(err)
	}

	byID := make(map[string]store.Applied)
	for _, a := range applied {
		byID[a.OrderID] = a
	}
	if a := byID[saved]; !a.Written || a.Busy || a.Overtaken {
		t.Errorf("the free order: %+v, want written", a)
	}
	if a := byID[held]; a.Written || !a.Busy || a.Overtaken {
		t.Errorf("the order the shop holds: %+v, want busy, not written", a)
	}
	if a := byID[deleted]; a.Written || a.Busy || !a.Overtaken {
		t.Errorf("the deleted order: %+v, want overtaken, not busy", a)
	}
	if c := db.ReadCheck(held); c.ClaimedBy == nil || *c.ClaimedBy != "run-1" || c.Attempts != 1 || c.FinishedAt != nil {
		t.Errorf("bookkeeping of the held order %+v: want still claimed, no attempt counted, not finished", c)
	}
	if c := db.ReadCheck(deleted); c.ClaimedBy != nil || c.FinishedAt == nil {
		t.Errorf("bookkeeping of the deleted order %+v: want the claim cleared and finished with", c)
	}
	if row := db.ReadOrder(saved); row.ExternalStatus != "processing" {
		t.Errorf("the free order's row %+v: want processing", row)
	}
}
