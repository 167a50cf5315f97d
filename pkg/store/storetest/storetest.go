// Package storetest gives tests a real PostgreSQL database of their own,
// with the shop's schema loaded and zwatch's migrations applied, and plays
// the shop's part: it inserts integrations and orders the way the shop does.
//
// The server comes from the environment (PG* variables, or DATABASE_URL),
// as `make test` sets it up with pg_virtualenv. Without one, tests fail: a
// suite that silently skips its database tests proves nothing.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zwatch/zwatch/pkg/store"
)

// DB is one test's database.
type DB struct {
	// URL reaches this database, for commands driven in-process.
	URL   string
	Store *store.Store
	SQL   *sqlx.DB
	name  string
	t     testing.TB
}

// New returns a fresh database with the shop's schema and zwatch's
// migrations, dropped when the test ends.
func New(t testing.TB) *DB {
	t.Helper()
	return create(t, migratedTemplate(t))
}

// NewEmpty returns a fresh database with no table at all: another database
// than the shop's, as settings that name the wrong one reach.
func NewEmpty(t testing.TB) *DB {
	t.Helper()
	return create(t, "template0")
}

// NewEncoded is New for a database whose server encoding is encoding
// (LATIN5, say, as a Turkish shop's may be), migrated as zwatch migrate
// does.
func NewEncoded(t testing.TB, encoding string) *DB {
	t.Helper()
	db := createWith(t, "template0", ` ENCODING `+pq.QuoteLiteral(encoding)+` LC_COLLATE 'C' LC_CTYPE 'C'`)
	db.Exec(hostSchema(t))
	if _, err := db.Store.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: migrating the %s database: %v", encoding, err)
	}
	return db
}

// NewShopOnly returns a fresh database with only the shop's schema, then
// extraSQL run on it: the state before anyone ran `zwatch migrate`.
func NewShopOnly(t testing.TB, extraSQL ...string) *DB {
	t.Helper()
	db := create(t, "template0")
	db.Exec(hostSchema(t))
	for _, q := range extraSQL {
		db.Exec(q)
	}
	return db
}

// Exec runs SQL the way the shop or a person would, failing the test on
// error.
func (db *DB) Exec(query string, args ...any) {
	db.t.Helper()
	if _, err := db.SQL.Exec(query, args...); err != nil {
		db.t.Fatalf("storetest: %v\n%s", err, query)
	}
}

// Get reads one value the way an operator with psql would.
func (db *DB) Get(dest any, query string, args ...any) {
	db.t.Helper()
	if err := db.SQL.Get(dest, query, args...); err != nil {
		db.t.Fatalf("storetest: %v\n%s", err, query)
	}
}

func create(t testing.TB, template string) *DB {
	t.Helper()
	return createWith(t, template, "")
}

// createWith is create with options of CREATE DATABASE after the template.
func createWith(t testing.TB, template, options string) *DB {
	t.Helper()
	admin := adminDB(t)
	name := "zwatch_test_" + randomSuffix()
	if _, err := admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s%s`, name, pq.QuoteIdentifier(template), options)); err != nil {
		t.Fatalf("storetest: creating test database: %v", err)
	}
	dbURL := withDatabase(t, name)
	sqlDB, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	db := &DB{URL: dbURL, Store: store.New(sqlDB), SQL: sqlx.NewDb(sqlDB, "postgres"), name: name, t: t}
	t.Cleanup(func() {
		sqlDB.Close()
		if _, err := admin.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("storetest: dropping %s: %v", name, err)
		}
		admin.Close()
	})
	return db
}

// adminURL is the server the environment points at.
func adminURL() string {
	if u := os.Getenv("ZWATCH_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return os.Getenv("DATABASE_URL") // empty: lib/pq reads the PG* variables
}

func adminDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", adminURL())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = db.PingContext(ctx)
	}
	if err != nil {
		t.Fatalf("storetest: no PostgreSQL reachable at %s (%v). "+
			"Run the tests with `make test`, which starts a throwaway server, "+
			"or point PG* variables or ZWATCH_TEST_DATABASE_URL at one.",
			store.Describe(adminURL()), err)
	}
	return db
}

// withDatabase is the admin connection settings with another database name,
// as a URL the zwatch commands accept.
func withDatabase(t testing.TB, name string) string {
	t.Helper()
	cfg, err := pq.NewConfig(adminURL())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	host := cfg.Host
	if host == "" {
		host = "localhost"
	}
	port := cfg.Port
	if port == 0 {
		port = 5432
	}
	u := url.URL{Scheme: "postgres", Host: fmt.Sprintf("%s:%d", host, port), Path: "/" + name}
	if filepath.IsAbs(host) {
		u.Host = ""
		q := url.Values{"host": {host}, "port": {fmt.Sprint(port)}}
		u.RawQuery = q.Encode()
	}
	if cfg.User != "" {
		u.User = url.UserPassword(cfg.User, cfg.Password)
	}
	q := u.Query()
	if cfg.SSLMode != "" {
		q.Set("sslmode", string(cfg.SSLMode))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// migratedTemplate builds, once per schema version across every test process,
// a template database with the shop's schema and zwatch's migrations. Copying
// a template is much faster than migrating each test's database, and the
// name carries a hash of the inputs so that a changed migration gets a new
// template.
func migratedTemplate(t testing.TB) string {
	t.Helper()
	schema := hostSchema(t)
	h := sha256.New()
	h.Write([]byte(schema))
	for _, m := range migrationSources(t) {
		h.Write(m)
	}
	sum := h.Sum(nil)
	name := "zwatch_template_" + hex.EncodeToString(sum[:6])

	admin := adminDB(t)
	defer admin.Close()
	ctx := context.Background()
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer conn.Close()
	// Test binaries of several packages run at once: one builds, the others wait.
	lockKey := int64(sum[0])<<24 | int64(sum[1])<<16 | int64(sum[2])<<8 | int64(sum[3])
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lockKey)

	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if exists {
		return name
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building+` TEMPLATE template0`); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	func() {
		db, err := sql.Open("postgres", withDatabase(t, building))
		if err != nil {
			t.Fatalf("storetest: %v", err)
		}
		defer db.Close()
		if _, err := db.Exec(schema); err != nil {
			t.Fatalf("storetest: loading the shop schema: %v", err)
		}
		if _, err := store.New(db).Migrate(ctx); err != nil {
			t.Fatalf("storetest: %v", err)
		}
	}()
	// Renaming last means a template that exists is always complete.
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return name
}

func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("storetest: cannot locate the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func hostSchema(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata", "host-schema.sql"))
	if err != nil {
		t.Fatalf("storetest: reading the shop schema: %v", err)
	}
	return string(b)
}

func migrationSources(t testing.TB) [][]byte {
	t.Helper()
	dir := store.Migrations()
	names, err := fs.Glob(dir, "*.sql")
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		b, err := fs.ReadFile(dir, n)
		if err != nil {
			t.Fatalf("storetest: %v", err)
		}
		out = append(out, b)
	}
	return out
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RunMigration runs again the statement between "+goose StatementBegin"
// and "+goose StatementEnd" of the migration whose file name begins with
// version, as migrate ran it: on rows a test wrote as an older zwatch
// left them, after the database was migrated.
func (db *DB) RunMigration(version string) {
	db.t.Helper()
	names, err := fs.Glob(store.Migrations(), version+"_*.sql")
	if err != nil || len(names) != 1 {
		db.t.Fatalf("storetest: migration %s: %v %v", version, names, err)
	}
	body, err := fs.ReadFile(store.Migrations(), names[0])
	if err != nil {
		db.t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(body), "-- +goose StatementBegin")
	statement, _, ok2 := strings.Cut(rest, "-- +goose StatementEnd")
	if !ok || !ok2 {
		db.t.Fatalf("storetest: migration %s has no statement block", names[0])
	}
	db.Exec(statement)
}
