package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"

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

// MigrationState is one migration as `zwatch migrate --status` shows it.
type MigrationState struct {
	Version int64
	Name    string
	Applied bool
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
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, s.db.DB, files,
		goose.WithTableName(versionTable),
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
}

// Migrate applies every pending migration and returns the ones it applied.
// Applied migrations are never re-run, so a second call is a no-op.
func (s *Store) Migrate(ctx context.Context) ([]MigrationState, error) {
	provider, err := s.migrator()
	if err != nil {
		return nil, err
	}
	results, err := provider.Up(ctx)
	applied := make([]MigrationState, 0, len(results))
	for _, r := range results {
		if r.Error == nil {
			applied = append(applied, MigrationState{Version: r.Source.Version, Name: path.Base(r.Source.Path), Applied: true})
		}
	}
	if err != nil {
		return applied, fmt.Errorf("applying zwatch's migrations: %w", err)
	}
	return applied, nil
}

// MigrationStatus lists every migration this binary carries and whether the
// database has it.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	provider, err := s.migrator()
	if err != nil {
		return nil, err
	}
	statuses, err := provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading zwatch's migration status: %w", err)
	}
	out := make([]MigrationState, 0, len(statuses))
	for _, st := range statuses {
		out = append(out, MigrationState{
			Version: st.Source.Version,
			Name:    path.Base(st.Source.Path),
			Applied: st.State == goose.StateApplied,
		})
	}
	return out, nil
}

// RequireMigrated returns ErrNotMigrated unless every migration this binary
// carries has been applied. Commands other than migrate call it first, so
// that they never run against a half-built schema.
func (s *Store) RequireMigrated(ctx context.Context) error {
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT to_regclass($1) IS NOT NULL`, versionTable); err != nil {
		return fmt.Errorf("checking zwatch's migrations: %w", err)
	}
	if !exists {
		return ErrNotMigrated
	}
	provider, err := s.migrator()
	if err != nil {
		return err
	}
	pending, err := provider.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("checking zwatch's migrations: %w", err)
	}
	if pending {
		return ErrNotMigrated
	}
	return nil
}
