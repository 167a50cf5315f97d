package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

func TestRecordRunKeepsTheTableSmall(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	// As if check-pending had run in a tight loop: more runs than are kept,
	// all within the month.
	db.Exec(`INSERT INTO zwatch_runs (run_id, host, started_at, finished_at, exit_status)
		SELECT 'loop-' || g, 'h', now() - make_interval(secs => g), now() - make_interval(secs => g), 0
		FROM generate_series(1, $1) g`, store.RunsKept+10)
	db.Exec(`INSERT INTO zwatch_runs (run_id, host, started_at, finished_at, exit_status)
		VALUES ('ancient', 'h', now() - interval '1 year', now() - interval '1 year', 0)`)

	now := time.Now()
	if err := db.Store.RecordRun(ctx, store.Run{ID: "newest", Host: "h", StartedAt: now, FinishedAt: now}); err != nil {
		t.Fatal(err)
	}

	var kept int
	var oldestKept string
	db.Get(&kept, `SELECT count(*) FROM zwatch_runs`)
	db.Get(&oldestKept, `SELECT run_id FROM zwatch_runs ORDER BY started_at LIMIT 1`)
	if kept != store.RunsKept || oldestKept != fmt.Sprintf("loop-%d", store.RunsKept-1) {
		t.Errorf("%d runs kept, the oldest %s: want the newest %d", kept, oldestKept, store.RunsKept)
	}
	runs, err := db.Store.LastRuns(ctx, 2)
	if err != nil || len(runs) != 2 || runs[0].ID != "newest" || runs[1].ID != "loop-1" {
		t.Errorf("last runs %+v, %v", runs, err)
	}
}

// The reads outside a transaction say that the database went away, as the
// claim and the answers do, so that the operator's error line names the
// database (cmd's sayDatabaseGone) instead of a bare "connection refused".
func TestReadsSayTheDatabaseWentAway(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	end := db.Outage()
	defer end()
	reads := map[string]func() error{
		"LastRuns":        func() error { _, err := db.Store.LastRuns(ctx, 5); return err },
		"PanelFits":       func() error { _, err := db.Store.PanelFits(ctx); return err },
		"RequireMigrated": func() error { _, err := db.Store.RequireMigrated(ctx); return err },
		"PrintableGrants": func() error { _, _, err := db.Store.PrintableGrants(ctx, "zwatch"); return err },
	}
	for name, read := range reads {
		err := read()
		if _, _, broke := store.ConnectionBroke(err); !broke {
			t.Errorf("%s during an outage: %v, not marked as the database gone", name, err)
		}
	}
}
