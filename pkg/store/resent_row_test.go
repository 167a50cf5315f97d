package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// An order the shop sends again is a new sending to the learning, which
// reads the orders seen waiting newest registered first: registering
// brings its row back dated anew, without what znet said of the earlier
// sending. Kept, that put the row among the orders seen waiting by its
// first sending's date, or, sent again before it was asked, at the head of
// the index saying nothing (helper-317). Nor is what a panel said a sample
// of the panel the shop moves a waiting order to.
func TestRegisteringDatesAnOrderSentAgainAnewAndForgetsWhatZnetSaidOfItsLastSending(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	panelA, panelB := twoPanels(db)
	resent := db.AddOrder(storetest.Order{IntegrationID: panelA, Referans: "1", SentAgo: 49 * time.Hour})
	moved := db.AddOrder(storetest.Order{IntegrationID: panelA, Referans: "2", SentAgo: 10 * time.Minute})
	registerAgain(t, db)
	if !db.HasCheck(resent) || !db.HasCheck(moved) {
		t.Fatal("setting up: not registered")
	}
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = NULL, claim_expires_at = NULL, attempts = 2,
		created_at = now() - interval '49 hours', first_checked_at = now() - interval '49 hours',
		waiting_seen_at = now() - interval '49 hours', finished_at = now() - interval '48 hours'
		WHERE order_id = $1`, resent)
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = NULL, claim_expires_at = NULL, attempts = 2,
		waiting_seen_at = now() - interval '5 minutes', next_check_at = now() + interval '10 minutes'
		WHERE order_id = $1`, moved)
	db.Exec(`UPDATE product_orders SET "externalStatus" = 'sent', "sentAt" = now() - interval '1 minute' WHERE id = $1`, resent)
	db.Exec(`UPDATE product_orders SET "providerId" = $2 WHERE id = $1`, moved, panelB)
	registerAgain(t, db)

	var rows []struct {
		ID         string  `db:"order_id"`
		Finished   bool    `db:"finished"`
		CreatedAgo float64 `db:"created_ago"`
		Seen       bool    `db:"seen"`
	}
	if err := db.SQL.Select(&rows, `SELECT order_id::text, finished_at IS NOT NULL AS finished,
		extract(epoch FROM now() - created_at)::float8 AS created_ago, waiting_seen_at IS NOT NULL AS seen
		FROM zwatch_order_checks WHERE order_id IN ($1, $2)`, resent, moved); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		switch {
		case row.ID == resent && (row.Finished || row.Seen || row.CreatedAgo > 3600):
			t.Errorf("the order sent again a minute ago: finished %v, seen waiting %v, registered %.0f h ago; want back, unseen, registered now",
				row.Finished, row.Seen, row.CreatedAgo/3600)
		case row.ID == moved && row.Seen:
			t.Errorf("the order moved to panel B keeps what panel A said of it")
		}
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
}

// A waiting order the shop moves to another panel, which a claim takes
// before the sweep sees the move, forgets what its old panel said too: the
// claim books the new panel, and no sweep sees a move after it
// (helper-318).
func TestAMovedOrderAClaimTakesFirstForgetsWhatItsOldPanelSaid(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	panelA, panelB := twoPanels(db)
	order := db.AddOrder(storetest.Order{IntegrationID: panelA, Referans: "1", SentAgo: 2 * time.Hour})
	// A newer order of the shop's: registering's position is past the first.
	db.AddOrder(storetest.Order{IntegrationID: panelA, Referans: "2", SentAgo: time.Minute})
	db.MakeSweepDue()
	claimed, err := db.Store.ClaimBatch(ctx, firstChunk)
	if err != nil || len(claimed.Orders) != 2 {
		t.Fatalf("claimed %d (%v)", len(claimed.Orders), err)
	}
	params := store.ApplyParams{RunID: firstChunk.RunID, GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}
	var outs []store.Outcome
	for _, o := range claimed.Orders {
		outs = append(outs, store.Outcome{Order: o, Result: store.ResultWaiting, NextCheckIn: time.Hour})
	}
	if _, err := db.Store.Apply(ctx, params, outs); err != nil {
		t.Fatal(err)
	}
	// The shop moves it to panel B; it falls due before the next sweep.
	db.Exec(`UPDATE product_orders SET "providerId" = $2 WHERE id = $1`, order, panelB)
	db.MakeDue(order)
	claimed, err = db.Store.ClaimBatch(ctx, firstChunk)
	if err != nil || len(claimed.Orders) != 1 || claimed.Orders[0].IntegrationID != panelB {
		t.Fatalf("claimed %+v (%v)", claimed.Orders, err)
	}
	// Hand it back unasked, then let a full sweep look at it.
	if err := db.Store.Release(ctx, firstChunk.RunID, []string{order}); err != nil {
		t.Fatal(err)
	}
	registerAgain(t, db)
	var seen bool
	if err := db.SQL.Get(&seen, `SELECT waiting_seen_at IS NOT NULL FROM zwatch_order_checks WHERE order_id = $1`, order); err != nil {
		t.Fatal(err)
	}
	if seen {
		t.Errorf("the order moved to panel B keeps what panel A said of it (claim booked the move before the sweep)")
	}
}

// So does one staff decided, moved to panel B and set back to sent, the
// same sending, as registering brings it back (helper-318).
func TestARevivedOrderMovedToAnotherPanelForgetsWhatItsOldPanelSaid(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	panelA, panelB := twoPanels(db)
	order := registeredOrder(t, db, panelA, 2*time.Hour)
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = NULL, claim_expires_at = NULL, attempts = 2,
		last_result = 'waiting', waiting_seen_at = now() - interval '90 minutes', finished_at = now() - interval '1 hour'
		WHERE order_id = $1`, order)
	db.Exec(`UPDATE product_orders SET "providerId" = $2 WHERE id = $1`, order, panelB)
	registerAgain(t, db)
	var row struct {
		Finished bool `db:"finished"`
		Seen     bool `db:"seen"`
		Last     bool `db:"last"`
	}
	if err := db.SQL.Get(&row, `SELECT finished_at IS NOT NULL AS finished, waiting_seen_at IS NOT NULL AS seen,
		last_result IS NOT NULL AS last FROM zwatch_order_checks WHERE order_id = $1`, order); err != nil {
		t.Fatal(err)
	}
	if row.Finished || row.Last {
		t.Fatalf("setting up: %+v", row)
	}
	if row.Seen {
		t.Errorf("revived for panel B, it keeps what panel A said of it (last_result forgotten, waiting_seen_at not)")
	}
}

// And check --order of a stuck order the shop moved to panel B, which
// nothing else claims: its claim books B and forgets what panel A said,
// or B's final answer was a sample with A's waiting time (helper-319).
func TestCheckOfAStuckOrderMovedToAnotherPanelForgetsWhatItsOldPanelSaid(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	panelA, panelB := twoPanels(db)
	order := registeredOrder(t, db, panelA, 3*time.Hour)
	// Panel A said waiting an hour after it was sent; zwatch gave up.
	db.Exec(`UPDATE zwatch_order_checks c SET claimed_by = NULL, claim_expires_at = NULL, attempts = 5,
		last_result = 'waiting', waiting_seen_at = o."sentAt" + interval '1 hour', given_up_at = now() - interval '10 minutes',
		first_checked_at = o."sentAt"
		FROM product_orders o WHERE o.id = c.order_id AND c.order_id = $1`, order)
	db.Exec(`UPDATE product_orders SET "providerId" = $2 WHERE id = $1`, order, panelB)

	o, err := db.Store.ClaimOrder(ctx, "check-1", order, time.Minute)
	if err != nil || o.IntegrationID != panelB {
		t.Fatalf("claimed %+v (%v)", o, err)
	}
	var row struct {
		Integ string `db:"integ"`
		Seen  bool   `db:"seen"`
	}
	if err := db.SQL.Get(&row, `SELECT COALESCE(integration_id::text, '') AS integ, waiting_seen_at IS NOT NULL AS seen
		FROM zwatch_order_checks WHERE order_id = $1`, order); err != nil {
		t.Fatal(err)
	}
	if row.Integ != panelB || row.Seen {
		t.Errorf("after check --order's claim of the order moved to B: integration_id %s (B %s), waiting_seen_at kept %v", row.Integ, panelB, row.Seen)
	}
	if _, err := db.Store.Apply(ctx, store.ApplyParams{RunID: "check-1", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"},
		[]store.Outcome{{Order: o, Result: store.ResultCancelled, NextCheckIn: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Store.FinishHistory(ctx, store.HistoryParams{Scan: 1000, PerPanel: 10, Within: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if s.IntegrationID == panelB && s.WaitingAge > 0 {
			t.Errorf("panel B's sample carries panel A's waiting sighting: waiting at %.0f s, final at %.0f s", s.WaitingAge, s.FinalAge)
		}
	}
}

// A row an older zwatch registered without its panel has not moved when a
// claim books the panel: what znet said of the order stays a sample.
func TestARowThatNamedNoPanelKeepsWhatZnetSaidWhenAClaimBooksItsPanel(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	panel, _ := twoPanels(db)
	order := registeredOrder(t, db, panel, 2*time.Hour)
	db.Exec(`UPDATE zwatch_order_checks SET claimed_by = NULL, claim_expires_at = NULL, attempts = 2, integration_id = NULL,
		waiting_seen_at = now() - interval '90 minutes', next_check_at = now() - interval '1 second' WHERE order_id = $1`, order)
	claimed, err := db.Store.ClaimBatch(ctx, firstChunk)
	if err != nil || len(claimed.Orders) != 1 {
		t.Fatalf("claimed %d (%v)", len(claimed.Orders), err)
	}
	var seen bool
	db.Get(&seen, `SELECT waiting_seen_at IS NOT NULL FROM zwatch_order_checks WHERE order_id = $1 AND integration_id IS NOT NULL`, order)
	if !seen {
		t.Errorf("the claim that booked the order's panel forgot what znet said of it")
	}
}

// twoPanels are two znet integrations of two dealer accounts, A and B,
// whose panels are never asked.
func twoPanels(db *storetest.DB) (a, b string) {
	return db.AddIntegration(storetest.Integration{Name: "A", Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"}),
		db.AddIntegration(storetest.Integration{Name: "B", Kod: "k2", Sifre: "s", BaseURL: "http://127.0.0.1:2"})
}

// registeredOrder adds an order of panel, referans 1, sent sentAgo, and
// has a claim register it, as a run's first claim does.
func registeredOrder(t *testing.T, db *storetest.DB, panel string, sentAgo time.Duration) string {
	t.Helper()
	order := db.AddOrder(storetest.Order{IntegrationID: panel, Referans: "1", SentAgo: sentAgo})
	registerAgain(t, db)
	return order
}

// registerAgain has a claim register what the shop changed since.
func registerAgain(t *testing.T, db *storetest.DB) {
	t.Helper()
	db.MakeSweepDue()
	claimIDs(t, db, firstChunk)
}
