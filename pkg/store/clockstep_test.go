package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The database's clock stepped back minutes (NTP, a DBA correcting a fast
// clock): the turns zwatch_state records were taken "in the future". The
// sweep and the refit must still come round: waiting for the recorded time
// to pass, every run swept nothing, and an order only the sweep finds
// waited as long as the step.
func TestTurnsComeRoundAfterTheDatabasesClockSteppedBack(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	newest := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", SentAgo: time.Minute})
	if ids := claimIDs(t, db, firstChunk); !slices.Equal(ids, []string{newest}) {
		t.Fatalf("setting up: claimed %v, want the newest order", ids)
	}
	taken, err := db.Store.TakeRefitTurn(context.Background(), 5*time.Minute)
	if err != nil || !taken {
		t.Fatalf("setting up: the first refit turn: %v, %v", taken, err)
	}

	// As runs on a clock 10 minutes fast left them.
	db.Exec(`UPDATE zwatch_state SET moved_at = now() + interval '10 minutes' WHERE name IN ('sweep', 'refit')`)
	late := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2", SentAgo: 30 * time.Minute}) // committed late: only a sweep finds it
	if got := claimIDs(t, db, firstChunk); !slices.Contains(got, late) {
		t.Errorf("after the database's clock stepped back, the sweep did not run: claimed %v", got)
	}
	if taken, err := db.Store.TakeRefitTurn(context.Background(), 5*time.Minute); err != nil || !taken {
		t.Errorf("after the database's clock stepped back, no run takes the refit turn (%v)", err)
	}
}
