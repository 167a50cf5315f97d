// Package store holds every SQL statement zwatch runs. It knows the shop's
// tables (product_orders, integrations) and zwatch's own (zwatch_*), and
// nothing of HTTP or of znet's wire format.
//
// The shop's tables are not zwatch's: statements here write only the columns
// zwatch's issues name, and every write to a shop row is a compare-and-set
// that loses quietly to a change the shop or a person made first.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Store is zwatch's handle on the shop's database.
type Store struct {
	db *sqlx.DB
}

// Open connects to the database named by databaseURL, which is either a
// postgres:// URL or libpq key=value settings. An empty databaseURL means the
// standard PG* environment variables, as psql uses them.
//
// The error names host, port and database but never the password.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	target := Describe(databaseURL)
	cfg, err := pq.NewConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database settings are not valid: %s", redactDSNError(err, databaseURL))
	}
	if cfg.FallbackApplicationName == "" {
		cfg.FallbackApplicationName = "zwatch"
	}
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("database settings are not valid: %s", redactDSNError(err, databaseURL))
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	// A cron job with a bounded fan-out needs few connections; staying small
	// keeps several overlapping runs well inside the shop's max_connections.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(time.Minute)

	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database unreachable: cannot connect to %s: %s", target, redactDSNError(err, databaseURL))
	}
	return &Store{db: db}, nil
}

// New wraps an open database handle; tests use it.
func New(db *sql.DB) *Store { return &Store{db: sqlx.NewDb(db, "postgres")} }

// Close releases the connections.
func (s *Store) Close() error { return s.db.Close() }

// Describe names the database a connection string points at, as
// "host:port/database", for messages an operator reads. It never includes the
// password.
func Describe(databaseURL string) string {
	cfg, err := pq.NewConfig(databaseURL)
	if err != nil {
		return "the configured database"
	}
	host := cfg.Host
	if host == "" {
		host = "localhost"
	}
	port := "5432"
	if cfg.Port != 0 {
		port = strconv.Itoa(int(cfg.Port))
	}
	database := cfg.Database
	if database == "" {
		database = cfg.User
	}
	if database == "" {
		database = os.Getenv("USER")
	}
	return fmt.Sprintf("host %s port %s database %s", host, port, database)
}

var (
	urlUserinfo   = regexp.MustCompile(`//[^/@\s"]*@`)
	passwordField = regexp.MustCompile(`(?i)password\s*=\s*('[^']*'|\S+)`)
)

// redactDSNError removes the password from a driver or URL parsing error:
// both quote the connection string back in some paths.
func redactDSNError(err error, databaseURL string) string {
	msg := err.Error()
	if cfg, perr := pq.NewConfig(databaseURL); perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "REDACTED")
	}
	msg = urlUserinfo.ReplaceAllString(msg, "//REDACTED@")
	return passwordField.ReplaceAllString(msg, "password=REDACTED")
}

// inTx runs fn in a transaction and commits it. Whatever way fn leaves (an
// error, a panic, a cancelled context), a transaction not committed is
// rolled back, so no connection goes back to the pool mid-transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op that returns sql.ErrTxDone
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
