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

// Runs are recorded on the database's clock, whatever the host's says: a
// host 10 minutes ahead (or one whose clock NTP then stepped back) would
// otherwise have its run taken for the newest for 10 minutes, and -q would
// say a panel's news from it in every run.
func TestRunsAreRecordedOnTheDatabasesClock(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	store.SetHostClock(db.Store, func() time.Time { return time.Now().Add(10 * time.Minute) })
	ahead := time.Now().Add(10 * time.Minute)
	if err := db.Store.RecordRun(ctx, store.Run{ID: "fast-host", Host: "h", StartedAt: ahead.Add(-2 * time.Second), FinishedAt: ahead}); err != nil {
		t.Fatal(err)
	}
	var off, took float64
	db.Get(&off, `SELECT extract(epoch FROM finished_at - now())::float8 FROM zwatch_runs WHERE run_id = 'fast-host'`)
	db.Get(&took, `SELECT extract(epoch FROM finished_at - started_at)::float8 FROM zwatch_runs WHERE run_id = 'fast-host'`)
	if off > 5 || off < -5 || took < 1.99 || took > 2.01 {
		t.Errorf("a run that ended just now on a host 10 minutes ahead is recorded %.0f s from the database's now, lasting %.2f s", off, took)
	}
}

// A run whose panels this zwatch cannot read (a newer zwatch's shape after
// a rollback, a hand's edit) failed stats whole, and made every quiet run
// warn (an operator adversary's find): it is read as naming none.
func TestARunWhosePanelsCannotBeReadStopsNoRead(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	now := time.Now()
	if err := db.Store.RecordRun(context.Background(), store.Run{ID: "good", Host: "h", StartedAt: now, FinishedAt: now,
		Panels: map[string]string{"a": store.PanelFailing}}); err != nil {
		t.Fatal(err)
	}
	db.Exec(`INSERT INTO zwatch_runs (run_id, host, started_at, finished_at, exit_status, panels)
		VALUES ('odd', 'h', now() - interval '1 minute', now() - interval '1 minute', 0, '"garbage"')`)
	runs, err := db.Store.LastRuns(context.Background(), 5)
	// Not nil: that is a run of a zwatch that kept no panels, which tells
	// that every panel its note does not name was up.
	if err != nil || len(runs) != 2 || len(runs[0].Panels) != 1 || runs[1].Panels == nil || len(runs[1].Panels) != 0 {
		t.Errorf("last runs %+v, %v: want both, the odd one naming no panel, and not read as a run that kept none", runs, err)
	}
}
