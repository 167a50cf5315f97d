package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is zwatch's own record of applied migrations. It is not
// goose's default name: a shop that uses goose itself keeps its own history.
const versionTable = "zwatch_schema_migrations"

// ErrNotMigrated means zwatch's tables are missing or older than this binary.
var ErrNotMigrated = errors.New("zwatch's tables are missing or out of date: run zwatch migrate")

// ErrNotShopDatabase means the database has neither zwatch's tables nor the
// shop's: the settings name another database.
var ErrNotShopDatabase = errors.New("this is not the shop's database")

// MigrationState is one migration as `zwatch migrate --status` shows it.
type MigrationState struct {
	Version int64
	Name    string
	Applied bool
	// Newer: applied, but this binary does not carry it; a newer zwatch
	// migrated the database.
	Newer bool
	// Undone: not applied, and goose's record has a row saying so, which
	// migrate refuses (RecordedUndone says why and what to do).
	Undone bool
}

// Migrations returns the migration files this binary carries.
func Migrations() fs.FS {
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return files
}

func (s *Store) migrator() (*goose.Provider, error) {
	files := Migrations()
	// Two operators running migrate at once must not both build the index:
	// a session advisory lock serialises them without touching shop tables.
	// Its key is zwatch's own: goose's default is every goose user's, and a
	// shop migrating its own schema with goose would wait for zwatch's
	// migrate, or zwatch's for the shop's, five minutes and then fail.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrateLockID))
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, s.db.DB, files,
		goose.WithTableName(versionTable),
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
		// Main once carried migrations 10, 11 and 13 before 6 and 7 (they
		// were written side by side): a shop migrated by such a build has
		// versions below its highest still to apply. Each migration stands
		// on its own, so they are applied late rather than refused, which
		// would leave every command waiting for a migrate that can never
		// succeed.
		goose.WithAllowOutofOrder(true),
	)
}

// migrateLockID is the advisory lock key migrate holds while it works, in
// the shop's database: CRC-32 of "zwatch migrate", as goose's default is of
// "goose". Builds before it held goose's default, 4097083626.
var migrateLockID = int64(crc32.ChecksumIEEE([]byte("zwatch migrate")))

// LockHolder is another session holding zwatch's migration lock.
type LockHolder struct {
	PID             int    `db:"pid"`
	ApplicationName string `db:"application_name"`
	State           string `db:"state"`
	WaitEvent       string `db:"wait_event"`
	// QuerySeconds is how long its statement has run, on the database's
	// clock; nil: none.
	QuerySeconds *float64 `db:"query_seconds"`
}

// MigrateLockHolder is the other session holding migrate's advisory lock
// now, nil if none: Migrate waits 5 minutes for it in silence. A migrate
// killed while it built an index CONCURRENTLY leaves its session on the
// server holding the lock until that statement ends.
func (s *Store) MigrateLockHolder(ctx context.Context) (*LockHolder, error) {
	var holders []LockHolder
	err := s.db.SelectContext(ctx, &holders, `
		SELECT a.pid, COALESCE(a.application_name, '') AS application_name, COALESCE(a.state, '') AS state,
		       COALESCE(a.wait_event_type || ': ' || a.wait_event, '') AS wait_event,
		       extract(epoch FROM clock_timestamp() - a.query_start)::float8 AS query_seconds
		FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid
		-- A bigint advisory key is held as classid (high half), objid
		-- (low half) and objsubid 1.
		-- Advisory locks are the database's own; pg_locks shows every
		-- database's.
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid
		  AND l.pid <> pg_backend_pid()
		LIMIT 1`, migrateLockID)
	if err != nil || len(holders) == 0 {
		return nil, err
	}
	return &holders[0], nil
}

// Migrate applies every pending migration and returns the ones it applied,
// also when it fails or is stopped part-way (those stay applied).
// Applied migrations are never re-run, so a second call is a no-op.
func (s *Store) Migrate(ctx context.Context) ([]MigrationState, error) {
	provider, err := s.migrator()
	if err != nil {
		return nil, err
	}
	// Nothing is created in a database that is not the shop's (goose's
	// version table would be, before the first migration failed on the
	// missing product_orders).
	applied, undone, err := s.appliedMigrations(ctx)
	switch {
	case errors.Is(err, ErrNotShopDatabase):
		return nil, err
	case LacksAGrant(err):
		// A role that may not read zwatch's version table (the run-time
		// role of an older zwatch's grants): canMigrate names the owner
		// to run as, where goose would say "permission denied".
		if cerr := s.canMigrate(ctx, false, true); cerr != nil {
			return nil, cerr
		}
		return nil, err
	case errors.As(err, new(tablesElsewhereError)):
		// Migrating, goose would make a version table of its own where
		// the search path leads, and apply the first migration again:
		// canMigrate says why it would go astray, where it knows.
		if cerr := s.canMigrate(ctx, false, true); cerr != nil {
			return nil, cerr
		}
		return nil, err
	case err == nil:
		pending := slices.DeleteFunc(provider.ListSources(), func(src *goose.Source) bool { return applied[src.Version] })
		if err := noneRecordedUndone(pending, undone); err != nil {
			return nil, err
		}
		// Nor one that cannot finish, or would build out of the run-time
		// role's reach (canMigrate): goose would first create its version
		// table, where it then stands in the way of the right migrate.
		if len(pending) > 0 {
			if err := s.canMigrate(ctx, len(applied) == 0, slices.ContainsFunc(pending, altersShop)); err != nil {
				return nil, err
			}
		}
	}
	var done []MigrationState
	for try := 1; ; try++ {
		up := provider.Up
		if s.gooseUp != nil {
			up = func(ctx context.Context) ([]*goose.MigrationResult, error) { return s.gooseUp(ctx, provider.Up) }
		}
		results, err := upUntilStopped(ctx, up)
		// A pass that fails returns no results: goose hands the
		// migrations it applied before the failure over in its error.
		// They are kept all the same, and the operator's count and list
		// must hold them, through a retry too.
		if partial := (*goose.PartialError)(nil); errors.As(err, &partial) {
			results = partial.Applied
		}
		for _, r := range results {
			if r.Error == nil {
				done = append(done, MigrationState{Version: r.Source.Version, Name: path.Base(r.Source.Path), Applied: true})
			}
		}
		switch {
		case err == nil:
			return done, nil
		case strings.Contains(err.Error(), "failed to acquire lock"):
			// goose's words for its five minutes of asking in vain.
			return done, fmt.Errorf("another zwatch migrate held the migration lock (advisory lock %d, in pg_locks as objid %d) for 5 minutes: "+
				"let it finish, or end the session holding it, then run zwatch migrate again: %w", migrateLockID, uint32(migrateLockID), err)
		case errors.As(err, new(unlockRacedStopError)):
			// goose's results went with its panic: its record says what
			// this pass applied before the stop.
			done = s.appliedSinceStart(ctx, provider, applied, done)
			return done, stoppedMigrating(len(done))
		case ctx.Err() != nil && (errors.Is(err, context.Canceled) || cancelledStatement(err)):
			// Stopped by a signal. goose's error joins the cancelled
			// statement with its failure to unlock over the cancelled
			// connection (so not Cancelled's every error); what the
			// operator needs is that nothing is lost. A migration cut short
			// was rolled back, or (an index built concurrently) is dropped
			// and rebuilt by the next migrate.
			return done, stoppedMigrating(len(done))
		case !GaveUpOnALock(err):
			return done, fmt.Errorf("applying zwatch's migrations: %w", err)
		case try < migrateLockTries:
			// The migrations that lock the shop's product_orders wait for
			// it half a second at most: every shop query on the table
			// queues behind the waiting lock. A transaction in the way is
			// often done a moment later.
			select {
			case <-time.After(migrateLockPause):
				continue
			case <-ctx.Done():
				return done, stoppedMigrating(len(done))
			}
		}
		return done, fmt.Errorf("another transaction held a table this migration needed, in each of %d tries (a shop transaction on product_orders, a pg_dump, a zwatch run), "+
			"so migrate gave up rather than make the shop's queries wait behind it (%s applied before it): run zwatch migrate again when that transaction is done: %w", try, counted(len(done), "migration"), err)
	}
}

// upUntilStopped runs goose's up, and takes the panic a stop can cause
// in it for a stop. goose runs a migration in a transaction on the
// connection that holds its session lock, and unlocks on that connection
// once up returns. When ctx ends, database/sql's watch over the
// transaction discards the connection from a goroutine of its own; should
// that land between goose's unlock checking the connection is open and
// using it, the unlock reads a nil connection and panics (seen once in
// `make test`, goose v3.30, Go 1.26). The lock went with the connection's
// session, and what was applied stays applied: nothing is lost that the
// stopped migrate's error does not already say. Any other panic, and a
// runtime error elsewhere than in database/sql's handle on the connection
// under a session unlock (a driver's bug in a migration's statement), is a
// bug of goose's, the driver's or zwatch's own, and is passed on.
func upUntilStopped(ctx context.Context, up func(context.Context) ([]*goose.MigrationResult, error)) (results []*goose.MigrationResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			_, runtimeFault := p.(runtime.Error)
			stack := string(debug.Stack())
			if !runtimeFault || ctx.Err() == nil || !strings.Contains(stack, ".SessionUnlock(") || !strings.Contains(stack, "database/sql.(*Conn).") {
				panic(p)
			}
			results, err = nil, unlockRacedStopError{fmt.Errorf("goose's unlock over the connection a stop discarded: %v: %w", p, ctx.Err())}
		}
	}()
	return up(ctx)
}

// unlockRacedStopError is a stop that upUntilStopped took goose's panic for.
type unlockRacedStopError struct{ error }

func (e unlockRacedStopError) Unwrap() error { return e.error }

// appliedSinceStart is done, or, if longer, the migrations goose's record
// holds that were not applied when migrate began (applied; nil if it could
// not be read then). It reads the record on a context of its own: ctx has
// ended. A migrate that ran in between, before this one had the lock, is
// counted as this one's; its tables need the same grants, and the advice
// the same: run zwatch migrate again.
func (s *Store) appliedSinceStart(ctx context.Context, provider *goose.Provider, applied map[int64]bool, done []MigrationState) []MigrationState {
	if applied == nil {
		return done
	}
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	now, _, err := s.appliedMigrations(readCtx)
	if err != nil {
		return done
	}
	var since []MigrationState
	for _, src := range provider.ListSources() {
		if now[src.Version] && !applied[src.Version] {
			since = append(since, MigrationState{Version: src.Version, Name: path.Base(src.Path), Applied: true})
		}
	}
	if len(since) < len(done) {
		return done
	}
	return since
}

// stoppedMigrating is migrate stopped by a signal, applied migrations
// before it kept. It is worded, and wraps no cancellation, so that cmd
// passes it on as it is.
func stoppedMigrating(applied int) error {
	return fmt.Errorf("migrate was stopped by a signal before it finished (%s applied before it, and kept): run zwatch migrate again", counted(applied, "migration"))
}

// cancelledStatement says whether any statement err joins was cancelled
// at its caller's request.
func cancelledStatement(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && cancelledByUs(pqErr)
}

// tablesElsewhereError is zwatch's tables found off the role's search
// path, said in words.
type tablesElsewhereError string

func (e tablesElsewhereError) Error() string { return string(e) }

// migrateLockTries is how many times migrate tries a migration that could
// not have a table's lock, migrateLockPause apart.
const (
	migrateLockTries = 10
	migrateLockPause = 2 * time.Second
)

// migrateCheckSQL: whether the role is the owner of product_orders (as
// found on the search path), or may act as it (a superuser, a member), and
// the schemas of that table and of what the migrations create; no row
// without the table.
const migrateCheckSQL = `
SELECT c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS owns,
       pg_has_role(current_user, c.relowner, 'USAGE') AS may_act_as_owner,
       pg_get_userbyid(c.relowner) AS owner,
       current_user AS role,
       c.relnamespace::regnamespace::text AS shop_schema,
       COALESCE(quote_ident(current_schema()), '') AS first_schema,
       quote_ident(current_user) AS role_quoted,
       c.relkind = 'p' AS partitioned,
       has_schema_privilege(c.relnamespace, 'CREATE') AS may_create,
       -- Who may apply migrations where zwatch's tables stand: the owner
       -- of its version table, which goose writes for each, itself. A
       -- superuser or a member of its role could, but the tables those
       -- migrations create would be theirs, out of reach of the owner's
       -- grants.
       COALESCE(v.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user), true) AS owns_versions,
       COALESCE(pg_get_userbyid(v.relowner), '') AS versions_owner
FROM pg_class c
LEFT JOIN pg_class v ON v.oid = to_regclass(quote_ident($1)) -- where goose finds it: on the search path
WHERE c.oid = to_regclass('product_orders')`

// canMigrate refuses, before anything is created, a migrate that could not
// finish or would build in the wrong place: by a role that does not own
// product_orders, or with a search path whose first schema (where goose and
// the migrations create zwatch's tables) is not the shop's, as the default
// "$user", public makes it for an owner with a schema of its own name.
// Those tables would then be out of the run-time role's reach, and the
// migrations' look for the shop's columns would look in the wrong schema.
//
// The schemas are looked at only on a database never migrated, where
// goose would create its version table first: where zwatch's tables stand
// already, the shop made that layout work. The owner is looked at there
// too (the owner itself: a superuser would make zwatch's tables its own),
// and wherever a pending migration alters or indexes product_orders
// (shopAltered: a role that may act as the owner, as whoever made zwatch's
// tables there did); one that alters only zwatch's tables may be applied
// by the role that owns them. A partitioned product_orders is refused where
// a pending migration would index it (see below).
func (s *Store) canMigrate(ctx context.Context, fresh, shopAltered bool) error {
	var found []struct {
		Owns        bool   `db:"owns"`
		MayActAs    bool   `db:"may_act_as_owner"`
		Owner       string `db:"owner"`
		Role        string `db:"role"`
		ShopSchema  string `db:"shop_schema"`
		FirstSchema string `db:"first_schema"`
		RoleQuoted  string `db:"role_quoted"`
		Partitioned bool   `db:"partitioned"`
		MayCreate   bool   `db:"may_create"`
		OwnsVersion bool   `db:"owns_versions"`
		Versions    string `db:"versions_owner"`
	}
	if err := s.db.SelectContext(ctx, &found, migrateCheckSQL, versionTable); err != nil {
		return s.connectionBroke(err)
	}
	switch {
	case len(found) != 1:
		return nil
	case fresh && !found[0].Owns && found[0].MayActAs:
		// A superuser, or a member of the owner's role: the migrations
		// would succeed, but zwatch's tables would be its own, and the
		// owner could neither read their versions nor grant them to
		// zwatch's role. Where they stand already, whoever made them
		// may go on migrating them.
		return fmt.Errorf("role %s is not the owner of product_orders, %s, and zwatch's tables would belong to %s, out of reach of the grants %s gives: "+
			"run zwatch migrate as %s, or, for an owner that cannot log in, add options='-c role=%s' to the connection settings (nothing was changed)",
			found[0].Role, found[0].Owner, found[0].Role, found[0].Owner, found[0].Owner, roleOption(found[0].Owner))
	case (fresh || shopAltered) && !found[0].MayActAs:
		return fmt.Errorf("role %s does not own product_orders, which zwatch's migrations alter and index: run zwatch migrate as its owner, %s (nothing was changed)",
			found[0].Role, found[0].Owner)
	case !fresh && !found[0].OwnsVersion:
		// The run-time role, say, after an upgrade: goose would apply the
		// first migration and fail to record it ("permission denied for
		// table zwatch_schema_migrations"). A superuser would apply them
		// all, and own the tables they create: zwatch's role could then
		// be granted nothing there.
		return fmt.Errorf("role %s is not the owner of zwatch's tables, %s, and the pending migrations would change them or add tables it would not own: "+
			"run zwatch migrate as %s, or, for an owner that cannot log in, add options='-c role=%s' to the connection settings (nothing was changed)",
			found[0].Role, found[0].Versions, found[0].Versions, roleOption(found[0].Versions))
	case shopAltered && found[0].Partitioned:
		// The index zwatch's claim reads is built CONCURRENTLY, so that the
		// shop keeps writing, which PostgreSQL cannot do on a partitioned
		// table: refused before migrations 1 and 2 are applied without it.
		return errors.New("product_orders is a partitioned table, on which zwatch's migrations cannot build their index without blocking the shop's writes; zwatch does not support it (nothing was changed)")
	case fresh && found[0].FirstSchema != found[0].ShopSchema:
		return fmt.Errorf("product_orders is in schema %s, but zwatch's tables would be created in %s, the first schema on the search path: "+
			"put %s first (ALTER ROLE %s SET search_path = %s, or in the connection settings), then run zwatch migrate again (nothing was changed)",
			found[0].ShopSchema, found[0].FirstSchema, found[0].ShopSchema, found[0].RoleQuoted, found[0].ShopSchema)
	case fresh && !found[0].MayCreate:
		// PostgreSQL 15 no longer lets every role create in public: goose
		// said so in its own words, "failed to initialize: create version
		// table: ... permission denied for schema public".
		return fmt.Errorf("role %s owns product_orders but may not create tables in its schema, %s, where zwatch's tables go: "+
			"as the schema's owner or a superuser, GRANT CREATE ON SCHEMA %s TO %s, then run zwatch migrate again (nothing was changed)",
			found[0].Role, found[0].ShopSchema, found[0].ShopSchema, found[0].RoleQuoted)
	}
	return nil
}

// roleOption is a role's name as it is written in options='-c role=...'
// among key=value settings: the server splits options at white space
// unless a backslash escapes it, and the settings' quotes take a backslash
// of their own ("shop owner" as shop\\ owner), as a quote does (o\'wner).
func roleOption(role string) string {
	var b strings.Builder
	for _, r := range role {
		switch {
		case r == '\\':
			b.WriteString(`\\\\`)
		case unicode.IsSpace(r):
			b.WriteString(`\\`)
			b.WriteRune(r)
		case r == '\'':
			b.WriteString(`\'`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MigrationStatus lists every migration this binary carries and whether the
// database has it. It writes nothing, and needs nothing but SELECT on the
// version table: goose's own status would create that table on a database
// never migrated, and wait for a migrate that is running.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	provider, err := s.migrator()
	if err != nil {
		return nil, err
	}
	applied, undone, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading zwatch's migration status: %w", err)
	}
	sources := provider.ListSources()
	out := make([]MigrationState, 0, len(sources))
	for _, src := range sources {
		out = append(out, MigrationState{
			Version: src.Version,
			Name:    path.Base(src.Path),
			Applied: applied[src.Version],
			Undone:  !applied[src.Version] && slices.Contains(undone, src.Version),
		})
		delete(applied, src.Version)
	}
	// What is left was applied by a newer zwatch (appliedMigrationsSQL
	// leaves out goose's row 0).
	newer := slices.Sorted(maps.Keys(applied))
	for _, v := range newer {
		out = append(out, MigrationState{Version: v, Name: fmt.Sprintf("%05d (not in this zwatch)", v), Applied: true, Newer: true})
	}
	return out, nil
}

// RequireMigrated returns ErrNotMigrated unless every migration this binary
// carries has been applied. Commands other than migrate call it first, so
// that they never run against a half-built schema. newer lists the
// migrations applied that this binary does not carry: a newer zwatch
// migrated the database, and this one may not know what it changed.
func (s *Store) RequireMigrated(ctx context.Context) (newer []int64, err error) {
	states, err := s.MigrationStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("checking zwatch's migrations: %w", err)
	}
	for _, m := range states {
		switch {
		case m.Undone:
			// "Run zwatch migrate" would send the operator to a refusal.
			return nil, notMigratedError{RecordedUndone(m.Name, m.Version)}
		case !m.Applied:
			return nil, ErrNotMigrated
		case m.Newer:
			newer = append(newer, m.Version)
		}
	}
	return newer, nil
}

// versionTableExistsSQL finds zwatch's version table where goose looks for
// it: in the first schema of the search path.
const versionTableExistsSQL = `
SELECT current_schema() IS NOT NULL AS has_schema,
       current_user AS role,
       current_database() AS database,
       -- As --print-grants writes them, quoted where SQL needs it.
       quote_ident(current_user) AS role_quoted,
       quote_ident(current_database()) AS database_quoted,
       current_setting('search_path') AS search_path,
       to_regclass('product_orders') IS NOT NULL AND to_regclass('integrations') IS NOT NULL AS has_shop,
       -- Where else the version table is: zwatch's tables off the role's
       -- search path, or behind a schema of its own that comes first.
       COALESCE((SELECT string_agg(quote_ident(schemaname), ', ' ORDER BY schemaname)
                 FROM pg_catalog.pg_tables
                 WHERE tablename = $1 AND schemaname IS DISTINCT FROM current_schema()), '') AS elsewhere,
       EXISTS (
	SELECT 1
	FROM pg_catalog.pg_tables
	WHERE schemaname = current_schema()
	  AND tablename = $1 -- versionTable
) AS exists`

// appliedMigrationsSQL reads goose's record: a version is applied when its
// latest row says so (goose's version 0 is the table's own birth, not a
// migration).
const appliedMigrationsSQL = `
SELECT version_id, is_applied
FROM (
	SELECT DISTINCT ON (version_id) version_id, is_applied
	FROM ` + versionTable + `
	ORDER BY version_id, id DESC
) latest
WHERE version_id > 0`

// noneRecordedUndone refuses to migrate when a pending migration has a row
// in goose's record that says it is not applied: a person's edit, or the
// record of an older goose's down. zwatch reads such a version as not
// applied, as that goose did, and every command but migrate refuses to
// run; goose's provider, which applies the migrations, counts any version
// with a row as applied, and would skip it and say there is nothing to
// do. Which is right, only the schema tells: a person must look.
func noneRecordedUndone(pending []*goose.Source, undone []int64) error {
	for _, src := range pending {
		if slices.Contains(undone, src.Version) {
			return RecordedUndone(path.Base(src.Path), src.Version)
		}
	}
	return nil
}

// RecordedUndone is why migrate refuses a migration goose's record says is
// not applied (noneRecordedUndone), and what a person does about it.
func RecordedUndone(name string, version int64) error {
	return fmt.Errorf("%s records migration %s as not applied (is_applied is false on its latest row: a person's edit, or an older goose's down), "+
		"and goose, which applies zwatch's migrations, counts a version with any row as applied and would skip it: "+
		"if its changes are in place, set is_applied back to true on that row; if not, delete the version's rows "+
		"(DELETE FROM %s WHERE version_id = %d) and run zwatch migrate again",
		versionTable, name, versionTable, version)
}

// notMigratedError is ErrNotMigrated with its own words.
type notMigratedError struct{ error }

func (notMigratedError) Is(target error) bool { return target == ErrNotMigrated }

// appliedMigrations is the set of applied versions, and the versions
// recorded as not applied (see noneRecordedUndone); both empty, and no
// error, on a database zwatch was never migrated on.
func (s *Store) appliedMigrations(ctx context.Context) (applied map[int64]bool, undone []int64, err error) {
	var found struct {
		HasSchema  bool   `db:"has_schema"`
		Role       string `db:"role"`
		Database   string `db:"database"`
		RoleQ      string `db:"role_quoted"`
		DatabaseQ  string `db:"database_quoted"`
		SearchPath string `db:"search_path"`
		HasShop    bool   `db:"has_shop"`
		Elsewhere  string `db:"elsewhere"`
		Exists     bool   `db:"exists"`
	}
	if err := s.db.GetContext(ctx, &found, versionTableExistsSQL, versionTable); err != nil {
		return nil, nil, s.connectionBroke(err)
	}
	if !found.HasSchema {
		// current_schema() skips the schemas the role may not use: without
		// USAGE on public, zwatch's tables look missing, and "run zwatch
		// migrate" would be the wrong advice.
		return nil, nil, fmt.Errorf("role %s may use no schema on its search_path (%s), so zwatch's tables are out of its reach: grant it USAGE on their schema, as zwatch migrate --print-grants prints",
			found.Role, found.SearchPath)
	}
	applied = map[int64]bool{}
	if !found.Exists && strings.Contains(found.Elsewhere, ",") {
		// Migrating, goose would make a version table of its own where
		// the search path leads, and apply migration 1 again.
		return nil, nil, tablesElsewhereError(fmt.Sprintf("zwatch's tables are in the schemas %[1]s, none of which comes first on role %[2]s's search path (%[3]s): "+
			"put the one beside the shop's product_orders first (ALTER ROLE %[4]s IN DATABASE %[5]s SET search_path = ..., or options='-c search_path=...' in the connection settings)",
			found.Elsewhere, found.Role, found.SearchPath, found.RoleQ, found.DatabaseQ))
	}
	if !found.Exists && found.Elsewhere != "" {
		// "Run zwatch migrate" would be the wrong advice: the owner's
		// migrate finds them, and says there is nothing to do.
		path := found.Elsewhere
		if path != "public" {
			path += ", public"
		}
		return nil, nil, tablesElsewhereError(fmt.Sprintf("zwatch's tables are in schema %[1]s, which does not come first on role %[2]s's search path (%[3]s): "+
			"ALTER ROLE %[5]s IN DATABASE %[6]s SET search_path = %[4]s (as a superuser, or as %[2]s itself), or add options='-c search_path=%[4]s' to the connection settings, as zwatch migrate --print-grants prints",
			found.Elsewhere, found.Role, found.SearchPath, path, found.RoleQ, found.DatabaseQ))
	}
	if !found.Exists && !found.HasShop {
		// Neither zwatch's tables nor the shop's: the settings name
		// another database, and "run zwatch migrate" would be the wrong
		// advice (migrate refuses it too).
		return nil, nil, fmt.Errorf("%w: database %s has no product_orders and integrations tables on the search path (%s); "+
			"check --database-url, $DATABASE_URL or PGDATABASE", ErrNotShopDatabase, found.Database, found.SearchPath)
	}
	if !found.Exists {
		return applied, nil, nil
	}
	var versions []struct {
		Version int64 `db:"version_id"`
		Applied bool  `db:"is_applied"`
	}
	if err := s.onOwnTables(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &versions, appliedMigrationsSQL)
	}); err != nil {
		return nil, nil, err
	}
	for _, v := range versions {
		if v.Applied {
			applied[v.Version] = true
		} else {
			undone = append(undone, v.Version)
		}
	}
	return applied, undone, nil
}

// altersShop says whether a migration alters or indexes product_orders,
// which only its owner may, and which PostgreSQL cannot index
// CONCURRENTLY when it is partitioned.
func altersShop(src *goose.Source) bool {
	body, err := fs.ReadFile(Migrations(), path.Base(src.Path))
	return err != nil || shopAlteration.Match(sqlComment.ReplaceAll(body, nil))
}

// CreatesARelation says whether the migration named name (as
// MigrationState.Name) creates a table or a sequence, which zwatch's
// run-time role is then granted nothing on until the owner applies
// --print-grants again.
func CreatesARelation(name string) bool {
	body, err := fs.ReadFile(Migrations(), name)
	return err == nil && relationCreation.Match(sqlComment.ReplaceAll(body, nil))
}

var (
	relationCreation = regexp.MustCompile(`(?i)\bCREATE\s+(UNLOGGED\s+)?(TABLE|SEQUENCE)\b`)
	shopAlteration   = regexp.MustCompile(`(?i)(ALTER TABLE|ON)\s+product_orders\b`)
	sqlComment       = regexp.MustCompile(`--[^\n]*`)
)
