package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lib/pq"
	"github.com/pressly/goose/v3"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

func TestMigrateFreshShopSchema(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	ctx := context.Background()

	if _, err := db.Store.RequireMigrated(ctx); !errors.Is(err, store.ErrNotMigrated) {
		t.Fatalf("before migrate: RequireMigrated = %v, want ErrNotMigrated", err)
	}
	applied, err := db.Store.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 {
		t.Fatal("migrate applied nothing on a fresh shop schema")
	}
	if newer, err := db.Store.RequireMigrated(ctx); err != nil || len(newer) != 0 {
		t.Fatalf("after migrate: newer %v, %v", newer, err)
	}
	var referansType string
	db.Get(&referansType, `SELECT data_type || '(' || character_maximum_length || ')'
		FROM information_schema.columns
		WHERE table_name = 'product_orders' AND column_name = 'provider_referans'`)
	if referansType != "character varying(255)" {
		t.Errorf("provider_referans is %q, want character varying(255)", referansType)
	}
	var indexDef string
	db.Get(&indexDef, `SELECT pg_get_indexdef(indexrelid) FROM pg_index
		WHERE indexrelid = 'zwatch_product_orders_pollable_sent'::regclass AND indisvalid`)
	for _, want := range []string{`'sent'`, `'pending'`, `'processing'`, `"externalStatus"`} {
		if !strings.Contains(indexDef, want) {
			t.Errorf("pollable index %q does not mention %s", indexDef, want)
		}
	}
}

func TestMigrateKeepsExistingProviderReferans(t *testing.T) {
	t.Parallel()
	// A shop whose own migration already added the column, with data in it.
	db := storetest.NewShopOnly(t,
		`ALTER TABLE product_orders ADD COLUMN provider_referans varchar(255)`,
		`INSERT INTO product_orders (id, provider_referans) VALUES ('6f1c2d9e-0000-4000-8000-000000000001', '123456')`)
	if _, err := db.Store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var referans string
	db.Get(&referans, `SELECT provider_referans FROM product_orders WHERE id = '6f1c2d9e-0000-4000-8000-000000000001'`)
	if referans != "123456" {
		t.Errorf("provider_referans = %q after migrate, want the shop's 123456 kept", referans)
	}
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	t.Parallel()
	db := storetest.New(t) // already migrated once
	ctx := context.Background()
	var before int
	db.Get(&before, `SELECT count(*) FROM zwatch_schema_migrations`)
	applied, err := db.Store.Migrate(ctx)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if len(applied) != 0 {
		t.Errorf("second migrate applied %d migrations, want none", len(applied))
	}
	var after int
	db.Get(&after, `SELECT count(*) FROM zwatch_schema_migrations`)
	if after != before {
		t.Errorf("migration history grew from %d to %d rows", before, after)
	}
	status, err := db.Store.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range status {
		if !m.Applied {
			t.Errorf("migration %s not applied", m.Name)
		}
	}
}

// A row in goose's record saying the newest migration is not applied (a
// person's edit, an older goose's down): every command but migrate refuses
// to run until it is, and goose, counting any row as applied, would skip
// it. Before, migrate said there was nothing to do, and nothing ever ran
// again; now it says what to do, and changes nothing.
func TestMigrateNamesAMigrationRecordedAsNotApplied(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	var newest int64
	db.Get(&newest, `SELECT max(version_id) FROM zwatch_schema_migrations`)
	db.Exec(`UPDATE zwatch_schema_migrations SET is_applied = false
		WHERE id = (SELECT max(id) FROM zwatch_schema_migrations WHERE version_id = $1)`, newest)
	want := fmt.Sprintf("DELETE FROM zwatch_schema_migrations WHERE version_id = %d", newest)
	// The other commands, and migrate --status, say what migrate says:
	// "run zwatch migrate" sent the operator to its refusal.
	if _, err := db.Store.RequireMigrated(ctx); !errors.Is(err, store.ErrNotMigrated) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "out of date") {
		t.Fatalf("the commands' check: %v, want ErrNotMigrated saying %q", err, want)
	}
	status, err := db.Store.MigrationStatus(ctx)
	if err != nil || !slices.ContainsFunc(status, func(m store.MigrationState) bool { return m.Version == newest && m.Undone && !m.Applied }) {
		t.Errorf("migrate --status: %+v (%v), want migration %d pending, recorded as undone", status, err, newest)
	}
	var before int
	db.Get(&before, `SELECT count(*) FROM zwatch_schema_migrations`)
	applied, err := db.Store.Migrate(ctx)
	if err == nil {
		t.Fatalf("migrate applied %d migrations and said nothing, where goose skips the one recorded as not applied", len(applied))
	}
	if !strings.Contains(err.Error(), "as not applied") || !strings.Contains(err.Error(), want) {
		t.Errorf("migrate said %q; want the version named and %q", err, want)
	}
	var after int
	db.Get(&after, `SELECT count(*) FROM zwatch_schema_migrations`)
	if after != before || len(applied) != 0 {
		t.Errorf("migrate changed the record (%d rows, then %d) or applied %d migrations", before, after, len(applied))
	}
}

// A shop migrated by a build of main that carried migrations 10, 11 and 13
// but not yet 6 and 7 (they were written side by side) is brought up to
// date, not refused: every command would otherwise wait for a migrate that
// could never succeed.
func TestMigrateAppliesMigrationsOlderThanTheNewestApplied(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	ctx := context.Background()
	migrateAsAnOlderBuild(t, db, func(name string) bool {
		for _, v := range []string{"00001", "00002", "00003", "00004", "00005", "00010", "00011", "00013"} {
			if strings.HasPrefix(name, v+"_") {
				return true
			}
		}
		return false
	})

	if _, err := db.Store.Migrate(ctx); err != nil {
		t.Fatalf("migrate after an older build's 10, 11 and 13: %v", err)
	}
	if _, err := db.Store.RequireMigrated(ctx); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
}

// goose's default advisory lock is every goose user's: a shop migrating its
// own schema with goose at the same moment must not hold zwatch's migrate up
// (it waited five minutes, then failed).
func TestMigrateDoesNotWaitForAnotherGooseUser(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	const goosesDefaultLock = 4097083626
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Held by a session, as goose holds it, outside any transaction: an
	// open one would hold up the index builds (CREATE INDEX CONCURRENTLY
	// waits for every older transaction), whatever the lock.
	shopGoose, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shopGoose.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, goosesDefaultLock); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = shopGoose.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, goosesDefaultLock)
		_ = shopGoose.Close()
	}()
	if _, err := db.Store.Migrate(ctx); err != nil {
		t.Fatalf("migrate beside the shop's goose: %v", err)
	}
}

// The hint for an owner that cannot log in is written as key=value
// settings read it: a space in the role's name escaped for the server, and
// that backslash for the settings' quotes.
func TestRoleOptionEscapesForTheServerAndTheSettings(t *testing.T) {
	for role, want := range map[string]string{"shop_owner": "shop_owner", "shop owner": `shop\\ owner`, `a\b`: `a\\\\b`, "o'wner": `o\'wner`, "tab\towner": "tab\\\\\towner"} {
		if got := store.RoleOption(role); got != want {
			t.Errorf("RoleOption(%q) = %q, want %q", role, got, want)
		}
	}
}

// An operator who stops migrate while it waits, for a table a shop
// transaction reads or for an index build to see a long report's old
// snapshot through, reads one sentence that says what to do, not the
// migration library's joined errors; the next migrate finishes the work.
func TestMigrateStoppedMidWaySaysRunItAgain(t *testing.T) {
	t.Parallel()
	for name, holding := range map[string]string{
		"a table":    `SELECT count(*) FROM product_orders`,
		"a snapshot": `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; SELECT 1`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := storetest.NewShopOnly(t)
			report := db.BeginHolding(holding)
			ctx, stop := context.WithCancel(context.Background())
			go func() {
				db.WaitForLockWaiters(1)
				stop()
			}()

			_, err := db.Store.Migrate(ctx)

			if err == nil {
				t.Fatal("migrate stopped mid-way reported success")
			}
			if msg := err.Error(); !strings.Contains(msg, "stopped") || !strings.Contains(msg, "run zwatch migrate again") ||
				strings.Contains(msg, "\n") || strings.Contains(msg, "advisory") {
				t.Errorf("error %q: want one line saying migrate was stopped and to run it again", msg)
			}
			if err := report.Rollback(); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Store.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate after the stopped one: %v", err)
			}
			if _, err := db.Store.RequireMigrated(context.Background()); err != nil {
				t.Errorf("after migrating again: %v", err)
			}
			var invalid int
			db.Get(&invalid, `SELECT count(*) FROM pg_index WHERE NOT indisvalid`)
			if invalid != 0 {
				t.Errorf("%d invalid indexes left after migrating again", invalid)
			}
		})
	}
}

// Migrations applied before migrate was stopped are counted, and listed,
// however far it got: goose hands those of a pass that failed over in its
// error, not in its results, and "0 migrations applied before it" would
// have the operator believe nothing changed.
func TestMigrateStoppedAfterSomeSaysWhichWereApplied(t *testing.T) {
	t.Parallel()
	// The shop's own column: migration 1 need not lock product_orders, and
	// 2 takes nothing a report's snapshot holds; 3's index build waits for
	// that snapshot.
	db := storetest.NewShopOnly(t, `ALTER TABLE product_orders ADD COLUMN provider_referans varchar(255)`)
	db.BeginHolding(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; SELECT 1`)
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		db.WaitForLockWaiters(1)
		stop()
	}()

	applied, err := db.Store.Migrate(ctx)

	if names := migrationNames(applied); len(names) != 2 || !strings.HasPrefix(names[0], "00001_") || !strings.HasPrefix(names[1], "00002_") {
		t.Errorf("migrate stopped at migration 3 returned %v applied, want 00001 and 00002", names)
	}
	if err == nil || !strings.Contains(err.Error(), "2 migrations applied before it") {
		t.Errorf("migrate stopped at migration 3: %v; want it to count the 2 applied before it", err)
	}
}

// goose unlocks its session over the connection a stop's cancellation
// discards from another goroutine, and now and then reads it nil and
// panics (once in make test). Migrate stopped so says what a stop says,
// with the migrations applied before it counted from goose's record, and
// the next migrate finishes.
func TestMigrateStoppedWhileGooseUnlocksSaysRunItAgain(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t, `ALTER TABLE product_orders ADD COLUMN provider_referans varchar(255)`)
	report := db.BeginHolding(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; SELECT 1`)
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		db.WaitForLockWaiters(1)
		stop()
	}()
	store.SetGooseUp(db.Store, func(ctx context.Context, up func(context.Context) ([]*goose.MigrationResult, error)) ([]*goose.MigrationResult, error) {
		results, err := up(ctx)
		_ = racedLocker{}.SessionUnlock(ctx, nil)
		return results, err
	})

	applied, err := db.Store.Migrate(ctx)

	if names := migrationNames(applied); len(names) != 2 || !strings.HasPrefix(names[0], "00001_") || !strings.HasPrefix(names[1], "00002_") {
		t.Errorf("migrate stopped at migration 3 returned %v applied, want 00001 and 00002", names)
	}
	if err == nil || !strings.Contains(err.Error(), "stopped") || !strings.Contains(err.Error(), "2 migrations applied before it") ||
		!strings.Contains(err.Error(), "run zwatch migrate again") {
		t.Errorf("migrate stopped at migration 3: %v; want it stopped, the 2 applied before it counted, and to run it again", err)
	}
	if err := report.Rollback(); err != nil {
		t.Fatal(err)
	}
	store.SetGooseUp(db.Store, nil)
	if _, err := db.Store.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate after the stopped one: %v", err)
	}
	if _, err := db.Store.RequireMigrated(context.Background()); err != nil {
		t.Errorf("after migrating again: %v", err)
	}
}

// racedLocker's SessionUnlock panics as goose's did: on a connection a
// stop discarded meanwhile.
type racedLocker struct{}

func (racedLocker) SessionUnlock(ctx context.Context, discarded *sql.Conn) error {
	return discarded.PingContext(ctx)
}

// A panic in goose that no stop explains is a bug, and is not taken for a
// stop: the unlock's without a stop, and after a stop, one in database/sql
// elsewhere than under an unlock (a driver's bug in a migration's
// statement) or outside database/sql.
func TestMigratePassesOnAPanicAStopDoesNotExplain(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		stopped bool
		panics  func(context.Context)
	}{
		"no stop": {panics: func(ctx context.Context) {
			_ = racedLocker{}.SessionUnlock(ctx, nil)
		}},
		"a stop, a driver's bug in a statement": {stopped: true, panics: func(ctx context.Context) {
			var discarded *sql.Conn
			_, _ = discarded.ExecContext(ctx, "CREATE INDEX CONCURRENTLY ...")
		}},
		"a stop, outside database/sql": {stopped: true, panics: func(context.Context) {
			var next func()
			next() // a nil function: a runtime error of zwatch's own
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := storetest.NewShopOnly(t, `ALTER TABLE product_orders ADD COLUMN provider_referans varchar(255)`)
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			store.SetGooseUp(db.Store, func(ctx context.Context, up func(context.Context) ([]*goose.MigrationResult, error)) ([]*goose.MigrationResult, error) {
				if c.stopped {
					stop()
				}
				c.panics(ctx)
				return nil, nil
			})
			defer func() {
				if recover() == nil {
					t.Error("migrate took the panic for a stop")
				}
			}()
			_, _ = db.Store.Migrate(ctx)
		})
	}
}

// A pass that gave up on a lock and was tried again loses none of what it
// applied before it gave up: every migration is listed once.
func TestMigrateTriedAgainListsWhatEachPassApplied(t *testing.T) {
	t.Parallel()
	// With the shop's own column, migration 1 needs no lock; 2's foreign
	// keys wait for a shop transaction writing product_orders.
	db := storetest.NewShopOnly(t, `ALTER TABLE product_orders ADD COLUMN provider_referans varchar(255)`)
	checkout := db.BeginHolding(`LOCK TABLE product_orders IN ROW EXCLUSIVE MODE`)
	go func() {
		db.WaitForLockWaiters(1)
		// Until migration 2 gives up (lock_timeout), then gone before the
		// pass after it.
		for waiting := 1; waiting > 0; time.Sleep(10 * time.Millisecond) {
			db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
		}
		_ = checkout.Rollback()
	}()

	applied, err := db.Store.Migrate(context.Background())

	if err != nil {
		t.Fatalf("migrate tried again after a lock: %v", err)
	}
	all, err := db.Store.MigrationStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := migrationNames(all)
	if got := migrationNames(applied); !slices.Equal(got, want) {
		t.Errorf("migrate tried again after a lock listed %v as applied, want every one, %v", got, want)
	}
}

func migrationNames(states []store.MigrationState) []string {
	var names []string
	for _, m := range states {
		names = append(names, m.Name)
	}
	return names
}

// MigrateLockHolder finds zwatch's own lock, not goose's default.
func TestMigrateLockHolderIsTheSessionHoldingZwatchsLock(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	holder, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_lock(4097083626)`); err != nil {
		t.Fatal(err)
	}
	if h, err := db.Store.MigrateLockHolder(ctx); err != nil || h != nil {
		t.Errorf("goose's default lock held: holder %+v, %v; want none", h, err)
	}
	var pid int
	if err := holder.QueryRowContext(ctx, `SELECT pg_backend_pid() FROM pg_advisory_lock(3881151877)`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if h, err := db.Store.MigrateLockHolder(ctx); err != nil || h == nil || h.PID != pid {
		t.Errorf("zwatch's lock held by session %d: holder %+v, %v", pid, h, err)
	}
}

// Migration 00025 gives the waiting orders registered before zwatch kept
// each order's integration (00023) theirs, in batches of 1,000: every one
// of 2,500 here, an order naming no integration none, and the rows of
// finished orders, which no claim takes, are left as they were.
func TestMigrationFillsInTheWaitingOrdersIntegrations(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	ctx := context.Background()
	migrateAsAnOlderBuild(t, db, func(name string) bool { return name < "00025" })
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	waiting := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 2500, FirstReferans: 800000, SentAgo: time.Hour, Registered: true})
	finished := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 3, FirstReferans: 900000, SentAgo: time.Hour, Registered: true})
	db.Exec(`UPDATE zwatch_order_checks SET integration_id = NULL`)
	db.Exec(`UPDATE zwatch_order_checks SET finished_at = now() WHERE order_id = ANY($1::uuid[])`, pq.Array(finished))
	db.Exec(`UPDATE product_orders SET "providerId" = 'no-such-integration' WHERE id = $1`, waiting[0])

	if _, err := db.Store.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}

	var filled, none, finishedFilled int
	db.SQL.Get(&filled, `SELECT count(*) FROM zwatch_order_checks WHERE integration_id = $1::uuid`, integ)
	db.SQL.Get(&none, `SELECT count(*) FROM zwatch_order_checks WHERE integration_id IS NULL AND order_id = $1`, waiting[0])
	db.SQL.Get(&finishedFilled, `SELECT count(*) FROM zwatch_order_checks WHERE integration_id IS NOT NULL AND order_id = ANY($1::uuid[])`, pq.Array(finished))
	if filled != len(waiting)-1 || none != 1 || finishedFilled != 0 {
		t.Errorf("after 00025: %d waiting orders with their integration, want %d; the one naming none without: %v; finished ones filled in: %d",
			filled, len(waiting)-1, none == 1, finishedFilled)
	}
}

// migrateAsAnOlderBuild migrates db as a build carrying only the
// migrations whose file names carried says it had.
func migrateAsAnOlderBuild(t *testing.T, db *storetest.DB, carried func(name string) bool) {
	t.Helper()
	migrateAsBuild(t, db, olderBuild(t, carried))
}

// olderBuild is the migrations of a build that carried only those of this
// one that carried names.
func olderBuild(t *testing.T, carried func(name string) bool) fstest.MapFS {
	t.Helper()
	then := fstest.MapFS{}
	err := fs.WalkDir(store.Migrations(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !carried(name) {
			return err
		}
		body, err := fs.ReadFile(store.Migrations(), name)
		then[name] = &fstest.MapFile{Data: body}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return then
}

// migrateAsBuild migrates db as a build carrying the migrations in then.
func migrateAsBuild(t *testing.T, db *storetest.DB, then fstest.MapFS) {
	t.Helper()
	conn, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	older, err := goose.NewProvider(goose.DialectPostgres, conn, then,
		goose.WithTableName("zwatch_schema_migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := older.Up(context.Background()); err != nil {
		t.Fatalf("migrating as an older build: %v", err)
	}
}

// Migration 00025 waits for no row a run holds: an older zwatch, still
// running through the upgrade, releases its claims in the order it was
// given them, and a migration waiting for one of them while holding
// another deadlocked with it. Nor does it fail on a shop whose database
// defaults to repeatable read, where a page that met a row saved meanwhile
// could not be serialised. A review's finds. The row held is left for a
// claim; every other is filled in.
func TestMigrationFillsInTheIntegrationsPastRowsARunHolds(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	migrateAsAnOlderBuild(t, db, func(name string) bool { return name < "00025" })
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	ids := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 1500, FirstReferans: 800000, SentAgo: time.Hour, Registered: true})
	db.Exec(`UPDATE zwatch_order_checks SET integration_id = NULL`)
	db.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = %L', current_database(), 'repeatable read'); END $$`)
	// A serialisation failure needs a row saved between a page's snapshot
	// and its update, which a test cannot time: a page that fills a row in
	// at any isolation but read committed fails instead.
	db.Exec(`CREATE FUNCTION require_read_committed() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF current_setting('transaction_isolation') <> 'read committed' THEN
				RAISE EXCEPTION 'a page filled in at %', current_setting('transaction_isolation');
			END IF;
			RETURN NEW;
		END $$`)
	db.Exec(`CREATE TRIGGER require_read_committed BEFORE UPDATE ON zwatch_order_checks
		FOR EACH ROW EXECUTE FUNCTION require_read_committed()`)
	held, err := db.SQL.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	if _, err := held.Exec(`SELECT 1 FROM zwatch_order_checks WHERE order_id = $1 FOR UPDATE`, ids[700]); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(context.Background(), db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	migrated := make(chan error, 1)
	go func() {
		_, err := st.Migrate(ctx)
		migrated <- err
	}()
	// 00031 builds an index CONCURRENTLY, which waits for every
	// transaction open when it began, the run's too (README): once it
	// waits, 00025 is done, and the run may end.
	db.WaitForLockWaiters(1)
	if err := held.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-migrated; err != nil {
		t.Fatalf("migrate beside a run holding a row, on a database defaulting to repeatable read: %v", err)
	}
	var filled, heldFilled int
	db.Get(&filled, `SELECT count(*) FROM zwatch_order_checks WHERE integration_id = $1::uuid`, integ)
	db.Get(&heldFilled, `SELECT count(*) FROM zwatch_order_checks WHERE integration_id IS NOT NULL AND order_id = $1`, ids[700])
	if filled != len(ids)-1 || heldFilled != 0 {
		t.Errorf("%d orders filled in, want all %d but the one a run held (filled: %v)", filled, len(ids)-1, heldFilled == 1)
	}
}

// Migration 00025 commits a page at a time, so stopped half-way (killed,
// cancelled, or failing on one row) it leaves the pages before filled in
// and is not recorded as applied. Run again, it pages from the start,
// takes the rows still without their integration, and completes.
func TestMigrationFillingInIntegrationsStoppedHalfWayCompletesWhenRunAgain(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	ctx := context.Background()
	migrateAsAnOlderBuild(t, db, func(name string) bool { return name < "00025" })
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	ids := db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: 3500, FirstReferans: 800000, SentAgo: time.Hour, Registered: true})
	db.Exec(`UPDATE zwatch_order_checks SET integration_id = NULL`)
	// The third page fails: the row it stops on is the 2,500th along the
	// primary key, which the migration pages along.
	slices.Sort(ids)
	db.Exec(`CREATE FUNCTION stop_half_way() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'stopped half-way'; END $$`)
	db.Exec(`CREATE TRIGGER stop_half_way BEFORE UPDATE ON zwatch_order_checks FOR EACH ROW
		WHEN (NEW.order_id = '` + ids[2499] + `') EXECUTE FUNCTION stop_half_way()`)

	if _, err := db.Store.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "stopped half-way") {
		t.Fatalf("migrate with a page that fails: %v, want the page's error", err)
	}
	filled := func() (n int) {
		db.Get(&n, `SELECT count(*) FROM zwatch_order_checks WHERE integration_id = $1::uuid`, integ)
		return n
	}
	if n := filled(); n != 2000 {
		t.Errorf("stopped in its third page, 00025 left %d rows filled in, want the first two pages' 2,000", n)
	}
	if newer, err := db.Store.RequireMigrated(ctx); err == nil || len(newer) != 0 {
		t.Errorf("stopped half-way, 00025 counts as applied: %v, %v", newer, err)
	}

	db.Exec(`DROP TRIGGER stop_half_way ON zwatch_order_checks`)
	if _, err := db.Store.Migrate(ctx); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if n := filled(); n != len(ids) {
		t.Errorf("run again, 00025 left %d of %d rows filled in", n, len(ids))
	}
	if newer, err := db.Store.RequireMigrated(ctx); err != nil || len(newer) != 0 {
		t.Errorf("run again, migrations still pending: %v, %v", newer, err)
	}
}

// A database migrated by a build carrying migration 00026 as first written
// (2134166: zwatch_order_events.answered_at) counts 26 as applied and has no
// asked_at, which every save writes: migrate gives it the column, and the
// answers of the next run are saved, dated by their request.
func TestMigrateMendsTheFirstMigration26(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	ctx := context.Background()
	then := olderBuild(t, func(name string) bool { return name < "00026" })
	then["00026_events_answered_at.sql"] = &fstest.MapFile{Data: []byte(`-- +goose Up
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_events ADD COLUMN IF NOT EXISTS answered_at timestamptz;
-- +goose Down
ALTER TABLE zwatch_order_events DROP COLUMN IF EXISTS answered_at;
`)}
	migrateAsBuild(t, db, then)

	if _, err := db.Store.Migrate(ctx); err != nil {
		t.Fatalf("migrate after the first 00026: %v", err)
	}
	if _, err := db.Store.RequireMigrated(ctx); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	var columns string
	db.Get(&columns, `SELECT coalesce(string_agg(column_name::text, ',' ORDER BY column_name), '') FROM information_schema.columns
		WHERE table_name = 'zwatch_order_events' AND column_name IN ('asked_at', 'answered_at')`)
	if columns != "asked_at" {
		t.Errorf("zwatch_order_events has %q of asked_at and answered_at, want asked_at alone", columns)
	}

	order := claimOne(t, db, "2601")
	if _, err := db.Store.Apply(ctx, store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"},
		[]store.Outcome{{Order: order, Result: store.ResultDone, PIN: "PIN-2601", NextCheckIn: time.Minute, AskedAt: time.Now().Add(-5 * time.Second)}}); err != nil {
		t.Fatalf("saving an answer after the mend: %v", err)
	}
	var askedAgo float64
	db.Get(&askedAgo, `SELECT extract(epoch FROM now() - asked_at)::float8 FROM zwatch_order_events WHERE order_id = $1 AND to_status = 'completed'`, order.ID)
	if askedAgo < 4 || askedAgo > 60 {
		t.Errorf("the completion was asked %.1f s ago by its event, want about 5 s", askedAgo)
	}
}
