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
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/pressly/goose/v3"
)

// Store is zwatch's handle on the shop's database.
type Store struct {
	db *sqlx.DB
	// readOnly: opened with OpenReadOnly; transactions are READ ONLY.
	readOnly bool
	// where names the database for an operator: "host H port P database
	// D"; empty for New.
	where string

	// encoding is what the server's encoding holds (nil: any text), which
	// the texts zwatch writes are fitted to (encoding.go), read at the
	// first save.
	encodingMu   sync.Mutex
	encodingRead bool
	encoding     func(rune) bool
	// encodingBytes: the server's encoding is SQL_ASCII, whose varchar
	// lengths count bytes.
	encodingBytes bool

	// shopTable is what applyStatement reads of product_orders at the
	// first save: whether a key is among the columns zwatch writes, and
	// whether the table generates "durationMs" itself.
	shopTableMu   sync.Mutex
	shopTableRead bool
	shopTable     shopTable

	// hostNow is this host's clock (time.Now; a test sets another), which
	// RecordRun moves run times from onto the database's.
	hostNow func() time.Time
	// gooseUp is goose's up as Migrate calls it (nil: as it is); a test
	// sets one that ends in goose's panic on a stop.
	gooseUp func(ctx context.Context, up func(context.Context) ([]*goose.MigrationResult, error)) ([]*goose.MigrationResult, error)
}

// Open connects to the database named by databaseURL, which is either a
// postgres:// URL or libpq key=value settings, for a command that writes. An
// empty databaseURL means the standard PG* environment variables, as psql
// uses them.
//
// It refuses a session that cannot write: a role or database with
// default_transaction_read_only on, or a hot standby. The Go driver begins
// every transaction READ WRITE, overriding the DBA's read-only default, so
// zwatch asks for read-write sessions (target_session_attrs=read-write) and
// gets none there: every connection of the pool is checked as it is made,
// before anything is written.
//
// Errors are *ConnectError, or ErrInvalidSettings wrapped for settings
// that cannot be read; they name host, port and database but never the
// password.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return open(ctx, databaseURL, false)
}

// OpenReadOnly is Open for a command that only reads. It works on a
// read-only role or database and on a hot standby, and its transactions are
// READ ONLY. (Its sessions are not made read-only at startup: a
// default_transaction_read_only startup parameter is refused by connection
// poolers such as PgBouncer.)
func OpenReadOnly(ctx context.Context, databaseURL string) (*Store, error) {
	return open(ctx, databaseURL, true)
}

// A shop's row may hold '-infinity' or 'infinity' where a time belongs (a
// "sentAt" typed by hand, a placeholder for "never"). The driver hands such
// a value over as text, which no time.Time takes, and one order's row would
// then fail every statement that reads it with the others: the claim, list,
// the history. They are read as the first and the last time there is
// instead, and written back as the infinities they were.
func init() {
	pq.EnableInfinityTs(time.Time{}, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC))
}

// defaultConnectTimeout is how long connecting may take, the TLS and
// startup exchange included, unless the settings give connect_timeout.
const defaultConnectTimeout = 10 * time.Second

// leastStartup is the least time Open gives each start-up the driver may
// try, on top of the limit connect_timeout sets on each (starting).
const leastStartup = 10 * time.Second

// ErrInvalidSettings is a connection string (or PG* variable) that cannot be
// read: the operator's input, refused before zwatch connects anywhere.
var ErrInvalidSettings = errors.New("database settings are not valid")

func open(ctx context.Context, databaseURL string, readOnly bool) (*Store, error) {
	if isPostgresURL(databaseURL) && passwordSpilled(databaseURL) {
		// A password pasted unescaped with an "@" and then a "/", "?" or
		// "#" in it ("p@ss/word") parses: its piece after the "@" reads as
		// the host, the rest as the database, a parameter or a fragment.
		// Connecting would look the piece up in DNS and name it in every
		// error line; the driver would quote a parameter's value.
		return nil, fmt.Errorf("%w: %s", ErrInvalidSettings, notAValidURL(databaseURL))
	}
	if isPostgresURL(databaseURL) && severalPortsInURL(databaseURL) {
		// In a URL the driver takes "db1:5432,db2" for one host, and every
		// run said "database unreachable", sending the operator to the
		// network.
		return nil, fmt.Errorf("%w: %q names several hosts each with its own port, which the Go driver reads only from key=value settings: "+
			"write them as host=db1,db2 port=5432,5433 dbname=... user=..., or give one port after the last host (db1,db2:5432)", ErrInvalidSettings, redactedURL(databaseURL))
	}
	cfg, err := pq.NewConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSettings, redactDSNError(err, databaseURL))
	}
	// The driver reads a fallback name only from the URL, not from its
	// Config: set after parsing, it named no session, and a DBA could not
	// tell zwatch's sessions in pg_stat_activity from the shop's. A name
	// the URL or PGAPPNAME gives is kept.
	if cfg.ApplicationName == "" {
		cfg.ApplicationName = "zwatch"
	}
	if cfg.ConnectTimeout <= 0 { // libpq reads a negative one as 0 too
		// Without connect_timeout the driver waits for the server's first
		// answer forever, whatever the context says: a host that accepts
		// the connection and says nothing (a hung server or pooler, a
		// wrong port taken by another program) would hold every command,
		// and a cron job's runs would pile up.
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	if !readOnly {
		cfg.TargetSessionAttrs = pq.TargetSessionAttrsReadWrite
	}
	// A statement with parameters outside a transaction goes out in one
	// round trip rather than two (parse, then bind): behind a pooler in
	// transaction mode (PgBouncer), the server connection may change
	// between the two, and the bind then meets no statement or, worse,
	// another client's ("unnamed prepared statement does not exist",
	// "invalid input syntax"). zwatch sends no []byte parameter, the one
	// thing this also changes.
	cfg.BinaryParameters = true
	connector, err := newStoppableConnector(cfg, !readOnly)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSettings, redactDSNError(err, databaseURL))
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	// A cron job with a bounded fan-out needs few connections; staying small
	// keeps several overlapping runs well inside the shop's max_connections.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(time.Minute)

	// Each try of the start-up, the first queries on its connection
	// included, ends with what its host has left of connect_timeout
	// (starting, in dial.go), or at once on a signal, which
	// stoppableConnector watches for. The connector tries each host of a
	// failover list in turn, the driver each twice under sslmode=prefer or
	// allow, and under target_session_attrs=prefer-standby the list twice: this
	// deadline, on top, only keeps it from dialing again past them all.
	startCtx, cancelStart := context.WithTimeout(ctx, time.Duration(startupTries(cfg))*max(cfg.ConnectTimeout, leastStartup))
	defer cancelStart()
	first, err := db.Conn(startCtx)
	if err != nil {
		db.Close()
		if pqErr := pq.As(err); pqErr != nil && (pqErr.Code == pqerror.UndefinedObject || pqErr.Code == pqerror.InvalidParameterValue) {
			// The server refused a run-time setting the connection string
			// passed on (a mistyped key such as connect_timout, or a bad
			// value in options): settings that cannot be read, as psql
			// would refuse them before connecting.
			return nil, fmt.Errorf("%w: %s answered: %s: check the connection settings for a mistyped key or value",
				ErrInvalidSettings, passwordLeftOut("the database server at host "+serverOf(cfg), cfg), redactDSNError(pqErr, databaseURL))
		}
		return nil, connectError(cfg, databaseURL, err)
	}
	_ = first.Close()
	return &Store{db: db, readOnly: readOnly, where: whereOf(cfg)}, nil
}

// sessionWritableSQL asks the server whether a session of this role, in
// this database, can write: outside a transaction, transaction_read_only is
// the session's default.
const sessionWritableSQL = `
SELECT current_setting('transaction_read_only') = 'on' AS read_only,
       pg_is_in_recovery()                             AS standby`

// startupTries is how many start-ups the driver may try for cfg, one
// after another.
func startupTries(cfg pq.Config) int {
	tries := 1 + len(cfg.Multi)
	if cfg.SSLMode == pq.SSLModePrefer || cfg.SSLMode == pq.SSLModeAllow {
		tries *= 2 // with TLS and without
	}
	if cfg.TargetSessionAttrs == pq.TargetSessionAttrsPreferStandby {
		tries *= 2 // a standby, then any host
	}
	return tries
}

// requireWritable asks the server itself, on each connection made for a
// command that writes, before it is used. target_session_attrs trusts the
// parameters reported at startup, and a pooler such as PgBouncer reports
// those of the first server connection it made, maybe long before the
// DBA's switch; the driver would then begin READ WRITE, overriding the
// role's read-only default.
func requireWritable(ctx context.Context, conn driver.Conn) error {
	queryer, ok := conn.(driver.QueryerContext)
	if !ok {
		return nil
	}
	rows, err := queryer.QueryContext(ctx, sessionWritableSQL, nil)
	if err != nil {
		return fmt.Errorf("asking whether the session takes writes: %w", err)
	}
	session := make([]driver.Value, 2) // read_only, standby
	err = rows.Next(session)
	if closeErr := rows.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("asking whether the session takes writes: %w", err)
	}
	switch {
	case session[1] == true:
		return errors.New(pqHotStandby)
	case session[0] == true:
		return errors.New(pqReadOnlySession)
	}
	return nil
}

// New wraps an open database handle; tests use it.
func New(db *sql.DB) *Store { return &Store{db: sqlx.NewDb(db, "postgres")} }

// Where names the database for an operator, as Describe does.
func (s *Store) Where() string { return s.where }

// Close releases the connections.
func (s *Store) Close() error { return s.db.Close() }

// Describe names the database a connection string points at, as
// "host H port P database D", for messages an operator reads. It never
// includes the password.
func Describe(databaseURL string) string {
	cfg, err := pq.NewConfig(databaseURL)
	if err != nil {
		return "the configured database"
	}
	return whereOf(cfg)
}

// whereOf is Describe for settings already read. A database or host named
// as the password is said as neither.
func whereOf(cfg pq.Config) string {
	where := "host " + serverOf(cfg) + " database " + databaseOf(cfg)
	if cfg.Password != "" {
		where = redactPassword(where, cfg.Password)
	}
	return where
}

// serverOf names the server of cfg as "HOST port PORT".
func serverOf(cfg pq.Config) string {
	host := cfg.Host
	if host == "" {
		host = "localhost"
	}
	port := "5432"
	if cfg.Port != 0 {
		port = strconv.Itoa(int(cfg.Port))
	}
	return host + " port " + port
}

// databaseOf is the database cfg names, defaulting as libpq does.
func databaseOf(cfg pq.Config) string {
	database := cfg.Database
	if database == "" {
		database = cfg.User
	}
	if database == "" {
		database = os.Getenv("USER")
	}
	return database
}

// inTx runs fn in a transaction and commits it. Whatever way fn leaves (an
// error, a panic, a cancelled context), a transaction not committed is
// rolled back, so no connection goes back to the pool mid-transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.inTxWaiting(ctx, "", fn)
}

// idleInTxLimit ends, on the server, a transaction of zwatch's whose client
// stopped sending (a process stopped or frozen, a host or network lost in
// the middle): its locks (the registering cursor every claim takes, the
// shop rows an answer writes) would otherwise stay until the server's TCP
// keepalive gives up, two hours by Linux's defaults, and every run would
// claim nothing meanwhile. zwatch sends a transaction's statements one
// after another with nothing slow between them, so a pause of seconds is
// no work of its own.
const idleInTxLimit = "10s"

// inTxWaiting is inTx whose statements wait at most lockTimeout (as
// PostgreSQL reads it, e.g. '1s'; empty: the session's setting) for a
// lock, set with the idle limit in the same round trip.
//
// A statement its own deadline cut short (a save's grace after a signal, a
// run's last try at handing back claims) comes back as a cutShortError:
// lib/pq words that cancel as it words a signal's, and a command would
// say "stopped by a signal" of a statement that took too long.
func (s *Store) inTxWaiting(ctx context.Context, lockTimeout string, fn func(tx *sqlx.Tx) error) error {
	began := time.Now()
	deadline, _ := ctx.Deadline()
	begun, err := s.inTxOnce(ctx, lockTimeout, fn)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && (Cancelled(err) || nothingButTheDeadline(err)) {
		return &cutShortError{after: time.Since(began), left: deadline.Sub(began), unbegun: !begun}
	}
	return err
}

// nothingButTheDeadline says whether err is a context's deadline and no
// other fault: database/sql's answer, in Go's words ("context deadline
// exceeded"), to a statement or BEGIN whose deadline passed before the
// database had it, which a run's last moments meet.
func nothingButTheDeadline(err error) bool {
	for err != nil {
		if err == context.DeadlineExceeded {
			return true
		}
		wrapped, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = wrapped.Unwrap()
	}
	return false
}

// inTxOnce says too whether the transaction began: a BEGIN that failed
// at its deadline waited for a connection (the pool's all busy, or a new
// one not yet accepted) or for the database to begin, and the statement
// never reached it.
func (s *Store) inTxOnce(ctx context.Context, lockTimeout string, fn func(tx *sqlx.Tx) error) (begun bool, err error) {
	// The driver begins READ WRITE unless told READ ONLY, whatever the
	// session's default (see the settings below). READ COMMITTED, whatever
	// the role's or the database's default (a shop may set repeatable read
	// or serializable for its own code): the claim's SKIP LOCKED, the
	// compare-and-set of answers and the budgets' clocks rely on its
	// re-check of a row another transaction changed meanwhile, where a
	// stricter level fails the statement instead, and overlapping runs
	// would fail each other.
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted, ReadOnly: s.readOnly})
	if err != nil {
		return false, s.connectionBroke(err)
	}
	defer tx.Rollback() // after Commit, a no-op that returns sql.ErrTxDone
	// LOCAL: for this transaction only, also where a pool hands the
	// server's session to others between transactions.
	settings := `SET LOCAL idle_in_transaction_session_timeout = '` + idleInTxLimit + `'`
	// No JIT: it compiles a statement whose estimate passes jit_above_cost,
	// and the guards' estimates grow with the 7 days of rows zwatch keeps
	// (json_to_recordset is taken for 100 rows whatever it holds).
	// Compiling took 30-700 ms of the server's CPU, inside the transaction
	// that saves PINs, for a statement that runs in under a millisecond
	// (helper-357). zwatch's statements are short; none gains from it.
	settings += `; SET LOCAL jit = off`
	if !s.readOnly {
		// The driver began READ WRITE, overriding the session's default: a
		// server made read-only since the connection was checked (ALTER
		// SYSTEM and a reload, before a switchover) would still be written
		// for the rest of a run. The default it has now decides.
		settings += `; SELECT set_config('transaction_read_only', current_setting('default_transaction_read_only'), true)`
	}
	if lockTimeout != "" {
		settings += `; SET LOCAL lock_timeout = '` + lockTimeout + `'`
	}
	if _, err := tx.ExecContext(ctx, settings); err != nil {
		return true, s.connectionBroke(err)
	}
	if err := fn(tx); err != nil {
		return true, s.connectionBroke(err)
	}
	err = s.connectionBroke(tx.Commit())
	if _, _, broke := ConnectionBroke(err); broke {
		return true, &commitUnconfirmedError{err}
	}
	return true, err
}

// commitUnconfirmedError is a COMMIT whose connection broke before its
// answer came: the server may have made it, and what the transaction
// wrote may be there.
type commitUnconfirmedError struct{ err error }

func (e *commitUnconfirmedError) Error() string { return e.err.Error() }
func (e *commitUnconfirmedError) Unwrap() error { return e.err }

// CommitUnconfirmed says whether err is a COMMIT whose connection broke
// before its answer came: whether the server made it, nothing tells.
func CommitUnconfirmed(err error) bool {
	var e *commitUnconfirmedError
	return errors.As(err, &e)
}

// connectionBrokeError marks a statement that failed because the
// database went away under it or could not be reached: the server
// restarting or failing over, the network between, or the server ending
// the session (lib/pq reports every FATAL mid-session, idle timeouts and
// pg_terminate_backend among them, as "driver: bad connection"). Its text
// is the driver's; ConnectionBroke lets the line an operator reads say
// once what the driver's words ("read tcp ...: connection reset by peer")
// do not, and which database it was, however many of a run's errors it
// joins.
type connectionBrokeError struct {
	err   error
	where string // Store.where
}

func (e *connectionBrokeError) Error() string { return e.err.Error() }
func (e *connectionBrokeError) Unwrap() error { return e.err }

// ConnectionBroke says whether err, or any error it joins, is a statement
// that failed because the database went away or could not be reached;
// where names the database ("host H port P database D", or empty), and
// cause is the driver's words for the first such failure.
func ConnectionBroke(err error) (where, cause string, ok bool) {
	var broke *connectionBrokeError
	if !errors.As(err, &broke) {
		return "", "", false
	}
	return broke.where, broke.err.Error(), true
}

// connectionBroke marks an error that is the database going away, and
// passes any other error on as it is.
func (s *Store) connectionBroke(err error) error {
	if err == nil || errors.As(err, new(*connectionBrokeError)) {
		return err
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// A FATAL reaches here only while connecting: the server starting
		// up or shutting down, the database closed to connections, no
		// connection slot free. A refused password (class 28) is the
		// settings' fault, not the database going away.
		if pqErr.Code.Class() == "08" || pqErr.Fatal() && pqErr.Code.Class() != "28" { // connection_exception
			return &connectionBrokeError{err: err, where: s.where}
		}
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err // zwatch's own deadline or a signal, not the database's doing
	}
	var netErr net.Error
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &netErr) {
		return &connectionBrokeError{err: err, where: s.where}
	}
	return err
}

// shopLockWait bounds how long a statement that reads the shop's tables
// waits for a lock one of the shop's transactions holds on them. An ALTER
// TABLE, a VACUUM FULL or a LOCK TABLE can hold product_orders for
// minutes; waiting, every cron run would stack one more process and one
// more connection behind it, each a minute apart, and a person's list or
// stats would hang with no word of why.
const shopLockWait = "5s"

// shopLockedError is a statement that gave up waiting for a lock another
// transaction holds (the shop's, mostly), said in words; the driver's
// error stays behind it for errors.As.
// It keeps the step that waited ("claiming due orders"), which the
// statement's error was wrapped in: without it, a lock on zwatch's own
// table read as the shop's (helper-353).
type shopLockedError struct {
	err  error
	step string
}

func (e *shopLockedError) Error() string {
	said := "another transaction holds a lock on the rows or tables zwatch reads " +
		"(the shop's migration, LOCK TABLE, VACUUM FULL or a long checkout, or a person's on zwatch's own tables?), and zwatch does not wait for it: try again when that transaction is done"
	if e.step != "" {
		return e.step + ": " + said
	}
	return said
}
func (e *shopLockedError) Unwrap() error { return e.err }

// GaveUpOnALock says whether err is a statement that gave up waiting for
// a lock (lock_timeout): another transaction holds what it needs, and
// trying again at once would wait as long.
func GaveUpOnALock(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "55P03" // lock_not_available
}

// ShopRefused says whether err is the database refusing a statement in
// words the shop's code may have written (a trigger's RAISE, under any
// SQLSTATE it chose, a constraint), which may quote what its rows hold,
// PINs among them. Only the server's own words for its state are not: a
// connection lost or refused (class 08), a shutdown or restart (57P01,
// 57P02, 57P03), a cancel or statement timeout (57014), a lock given up
// on (55P03), a deadlock or serialization failure (40P01, 40001),
// resources, disk or an internal error (classes 53, 58, XX), unless a
// function of the shop's was running: a trigger may RAISE under any of
// those codes too, and its words are then its own.
func ShopRefused(err error) bool {
	var pqErr *pq.Error
	// A trigger's RAISE EXCEPTION is an ERROR; a FATAL is the server's,
	// while connecting (the database closed to connections, 55000, too).
	if !errors.As(err, &pqErr) || pqErr.Fatal() || errors.As(err, new(*connectionBrokeError)) {
		return false
	}
	// The context of an error raised in PL/pgSQL, PL/Python, PL/Perl or
	// PL/Tcl code names its function: "PL/pgSQL function guard() line 3 at
	// RAISE". Taking the server's own words in a trigger for the shop's
	// costs only the read of the orders' PINs to mask them.
	if strings.Contains(pqErr.Where, "PL/") {
		return true
	}
	switch pqErr.Code.Class() {
	case "08", "53", "58", "XX":
		return false
	}
	switch pqErr.Code {
	case "57P01", "57P02", "57P03", "57014", "55P03", "40P01", "40001":
		return false
	}
	return true
}

// RefusedTheRow says whether err is the database refusing a statement for
// what one row holds or would hold: a trigger of the shop's raising its
// own exception (raise_exception), a constraint (class 23), a value it
// cannot take (class 22). Another row would fare otherwise; a grant
// missing, even on a table a trigger writes, or a database that is
// read-only or gone would refuse every row alike.
func RefusedTheRow(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Fatal() || errors.As(err, new(*connectionBrokeError)) {
		return false
	}
	class := pqErr.Code.Class()
	return pqErr.Code == "P0001" || class == "22" || class == "23"
}

// Cancelled says whether err is nothing but statements or connections
// cancelled by their context: Go's word for it, the database's ("canceling
// statement due to user request", which lib/pq asks for when a context
// ends), or a connection given up so (Stopped). Every error err joins must
// be one: a fault found meanwhile (an answer the database refused, a claim
// not handed back, a statement_timeout, which shares the code) is not.
func Cancelled(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case *pq.Error:
		return cancelledByUs(e)
	case *ConnectError:
		return e.Problem == Stopped
	case interface{ Unwrap() []error }:
		joined := e.Unwrap()
		for _, inner := range joined {
			if !Cancelled(inner) {
				return false
			}
		}
		return len(joined) > 0
	case interface{ Unwrap() error }:
		return Cancelled(e.Unwrap())
	}
	return err == context.Canceled
}

// cancelledByUs says whether a query_canceled is the cancel lib/pq asks
// for when a context ends. The server words it in its own lc_messages
// ("canceling statement due to user request" in English, "storniere
// Anfrage wegen Benutzeraufforderung" in German), so only the English
// words of a statement_timeout, which shares the code, are told apart;
// every caller asks only once its own context has ended.
func cancelledByUs(e *pq.Error) bool {
	return e.Code == "57014" && !statementTimedOut(e)
}

// statementTimedOut says whether e is the server cancelling a statement
// for the statement_timeout set for zwatch's role or the database: its
// English words only, the code being a signal's too (cancelledByUs).
func statementTimedOut(e *pq.Error) bool {
	return e.Code == "57014" && strings.Contains(e.Message, "statement timeout")
}

// StatementTimeoutAdvice is what to do about a statement_timeout, set for
// zwatch's role or the database, that cuts zwatch's statements short.
const StatementTimeoutAdvice = "ALTER ROLE ... SET statement_timeout = '30s', or RESET it"

// beyondEncoding says whether err is the server refusing a text it cannot
// convert to its encoding (untranslatable_character,
// character_not_in_repertoire): a name typed with a character the
// database cannot hold ("İstanbul" in a LATIN1 one), which no row of it
// can match.
func beyondEncoding(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "22P05" || pqErr.Code == "22021")
}

// LacksAGrant says whether err is the database refusing the role a
// privilege (insufficient_privilege): a grant missing, which the driver's
// "permission denied for table ..." does not say how to give.
func LacksAGrant(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "42501" && !strings.Contains(pqErr.Message, "row-level security")
}

// WentReadOnly says whether err is a write refused because the database
// is read-only (read_only_sql_transaction): made so during the run, as
// before a switchover, or a standby promoted the other way.
func WentReadOnly(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "25006"
}

// RefusedByAPolicy says whether err is a row-level security policy of the
// shop's refusing a row zwatch writes ("new row violates row-level
// security policy", insufficient_privilege as a missing grant is): no grant
// helps, the policy's WITH CHECK does not let the row be.
func RefusedByAPolicy(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "42501" && strings.Contains(pqErr.Message, "row-level security")
}

// StatementTimedOut says whether err is, or wraps, statementTimedOut's.
func StatementTimedOut(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && statementTimedOut(pqErr)
}

// DeniedOutsideGrants names the table or sequence a refused privilege is
// on (insufficient_privilege: "permission denied for table audit_log"),
// when it is none the printed grants cover: a trigger or rule of the
// shop's wrote there on zwatch's behalf, and the grants would not help.
func DeniedOutsideGrants(err error) (string, bool) {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "42501" {
		return "", false
	}
	m := deniedOn.FindStringSubmatch(pqErr.Message)
	if m == nil {
		return "", false
	}
	for _, g := range RuntimeGrants {
		if g.Name == m[1] || strings.HasPrefix(g.Name, m[1]+" ") {
			return "", false
		}
	}
	return m[1], true
}

var deniedOn = regexp.MustCompile(`^permission denied for (?:table|sequence|relation) (\S+)$`)

// lockWaitGivenUp says so of an error that is a lock_timeout, and passes
// any other error on as it is.
func lockWaitGivenUp(err error) error {
	var pqErr *pq.Error
	if !GaveUpOnALock(err) || !errors.As(err, &pqErr) {
		return err
	}
	step, _ := strings.CutSuffix(err.Error(), pqErr.Error())
	return &shopLockedError{err: err, step: strings.TrimSuffix(step, ": ")}
}

// readShop runs fn, whose statements read the shop's tables, in a
// transaction that waits at most shopLockWait for any lock.
func (s *Store) readShop(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return lockWaitGivenUp(s.inTxWaiting(ctx, shopLockWait, fn))
}

// onOwnTables runs fn, whose statements use zwatch's own bookkeeping
// (the migrations' record, the runs, the panels' fits and the refit's
// turn), in a transaction that waits at most shopLockWait for any lock.
// Runs hold those locks for milliseconds; a longer wait is a person's
// transaction left open, or a LOCK TABLE, which a run would otherwise
// wait on until its own deadlines (108 s, and nothing asked) or until the
// command gave the statement up as a silent connection.
func (s *Store) onOwnTables(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return lockWaitGivenUp(s.inTxWaiting(ctx, shopLockWait, fn))
}

// againIfSerialization runs one statement outside a transaction, and again
// (up to 5 times in all) while the database fails it as a serialization
// failure. At READ COMMITTED, the default, a statement on a row another
// transaction changed meanwhile reads the row again and goes on; where the
// shop made repeatable read or serializable the default, it fails instead,
// having changed nothing. For the statements that must stay one round
// trip; the others run in inTx, at READ COMMITTED.
func (s *Store) againIfSerialization(statement func() error) error {
	for attempt := 1; ; attempt++ {
		err := statement()
		var pqErr *pq.Error
		if attempt < 5 && errors.As(err, &pqErr) && pqErr.Code == "40001" { // serialization_failure
			continue
		}
		return s.connectionBroke(err)
	}
}

// ConnectProblem sorts failed connections by what the operator has to do.
type ConnectProblem int

const (
	// Unreachable: nothing answered (host, port, network, server down).
	Unreachable ConnectProblem = iota
	// NoTLS: the server offers no TLS and sslmode insists on it.
	NoTLS
	// AuthFailed: the server answered and refused the user or password.
	AuthFailed
	// NoDatabase: the server answered; the database does not exist.
	NoDatabase
	// Refused: the server answered and refused for another reason
	// (pg_hba.conf, CONNECT privilege, too many connections, starting up).
	Refused
	// ReadOnly: the session is read-only (default_transaction_read_only for
	// the role, the database or the server) and the command writes.
	ReadOnly
	// HotStandby: the server is a read-only replica and the command writes.
	HotStandby
	// Stopped: connecting was cancelled (a signal); no fault of the
	// database's.
	Stopped
)

// ConnectError is a connection that failed, worded for the operator. It
// holds the driver's message with any password removed, and never the
// connection string.
type ConnectError struct {
	Problem ConnectProblem
	msg     string
}

func (e *ConnectError) Error() string { return e.msg }

// lib/pq says so, in these words, when target_session_attrs=read-write finds
// a session it cannot write in; requireWritable says the same.
const (
	pqReadOnlySession = "session is read-only"
	pqHotStandby      = "server is in hot standby mode"
)

// connectError says what went wrong connecting to cfg, and what to do,
// the password left out where it is also the user's, the database's or the
// host's name (helper-383): each caller may print it as it stands.
func connectError(cfg pq.Config, databaseURL string, err error) *ConnectError {
	e := describeConnectError(cfg, databaseURL, err)
	e.msg = passwordLeftOut(e.msg, cfg)
	return e
}

// passwordLeftOut is msg without cfg's password, as written and as %q
// quotes it (a name holding a quote or a backslash).
func passwordLeftOut(msg string, cfg pq.Config) string {
	if cfg.Password == "" {
		return msg
	}
	// The quoted form first: the password as written may stand inside it.
	return redactPassword(redactPassword(msg, quotedForm(cfg.Password)), cfg.Password)
}

// describeConnectError is connectError before the password is left out.
// "Database unreachable" is kept for when nothing answered: a server that
// refused the password or the database name did answer.
func describeConnectError(cfg pq.Config, databaseURL string, err error) *ConnectError {
	server := "the database server at host " + serverOf(cfg)
	detail := redactDSNError(err, databaseURL)
	pqErr := pq.As(err)
	switch {
	case errors.Is(err, context.Canceled):
		return &ConnectError{Stopped, fmt.Sprintf("connecting to database %q at host %s was cancelled", databaseOf(cfg), serverOf(cfg))}
	case errors.Is(err, pq.ErrSSLNotSupported) && cfg.SSLMode == pq.SSLModeAllow:
		// allow tries without TLS first, and with it only after the server
		// refused that try; the driver keeps no word of why it did.
		return &ConnectError{NoTLS, fmt.Sprintf("%s refused the connection to database %q without SSL (TLS), "+
			"and offers no SSL for sslmode=allow's second try; the Go driver drops the server's reason: "+
			"check the user, password and database name in the connection settings (sslmode=disable shows the reason)",
			server, databaseOf(cfg))}
	case errors.Is(err, pq.ErrSSLNotSupported):
		return &ConnectError{NoTLS, fmt.Sprintf("%s does not offer SSL (TLS), and sslmode=%s insists on it "+
			"(the Go driver's default is require, psql's is prefer): set sslmode=disable, or prefer, "+
			"in the connection settings", server, sslModeOf(cfg))}
	case pqErr != nil && pqErr.Code == pqerror.InvalidPassword:
		return &ConnectError{AuthFailed, fmt.Sprintf("%s answered: authentication failed for user %q: "+
			"check the user and password in the connection settings (a password file, ~/.pgpass or $PGPASSFILE, "+
			"is read only if no one but its owner may read it: chmod 600)%s", server, cfg.User, overTCPHint(cfg, databaseURL))}
	case pqErr != nil && pqErr.Code == pqerror.InvalidCatalogName:
		return &ConnectError{NoDatabase, fmt.Sprintf("%s answered: database %q does not exist: "+
			"check the database name (dbname) in the connection settings", server, databaseOf(cfg))}
	case pqErr != nil && statementTimedOut(pqErr):
		// The server took the connection; the statement_timeout set for
		// the role or the database cancelled the first statements zwatch
		// sends on it (is it writable?): nothing to do with pg_hba or a
		// password.
		return &ConnectError{Refused, fmt.Sprintf("%s took the connection to database %q as user %q, then cancelled "+
			"zwatch's first statement on it: %s: a statement_timeout set for the user or the database is too short "+
			"(%s)", server, databaseOf(cfg), cfg.User, redactDSNError(pqErr, databaseURL), StatementTimeoutAdvice)}
	case pqErr != nil:
		return &ConnectError{Refused, fmt.Sprintf("%s answered and refused the connection to database %q: %s%s",
			server, databaseOf(cfg), redactDSNError(pqErr, databaseURL), overTCPHint(cfg, databaseURL))}
	case strings.Contains(detail, pqReadOnlySession):
		return &ConnectError{ReadOnly, fmt.Sprintf("database %q at host %s is read-only for this session "+
			"(default_transaction_read_only is on for user %q, the database or the server), and this command writes: "+
			"it did nothing", databaseOf(cfg), serverOf(cfg), cfg.User)}
	case strings.Contains(detail, pqHotStandby):
		return &ConnectError{HotStandby, fmt.Sprintf("%s is a hot standby (a read-only replica), and this command "+
			"writes: it did nothing; point it at the primary", server)}
	}
	return &ConnectError{Unreachable, fmt.Sprintf("database unreachable: cannot connect to %s: %s%s",
		"host "+serverOf(cfg)+" database "+databaseOf(cfg), detail, overTCPHint(cfg, databaseURL))}
}

// overTCPHint says, where neither the settings nor the environment name a
// host, that the Go driver then connects to localhost over TCP, and psql
// to the server's Unix socket: the same environment that lets psql in
// (Debian's pg_hba.conf: peer login on the socket, a password over TCP)
// may refuse zwatch, or find no server listening on TCP (helper-372).
// Settings that name localhost, or a service, are taken as naming a host:
// PGHOST would not change them (helper-378). An empty host (PGHOST= in a
// crontab) is none: the Go driver dials the local system over TCP, psql
// the socket. zwatch does not look for the socket itself: psql's place for
// it is where libpq was built to look, and a guess (/tmp, which any local
// user may write) could hand the password to another program (helper-375).
func overTCPHint(cfg pq.Config, settings string) string {
	if cfg.Host != "localhost" && cfg.Host != "" || len(cfg.Multi) > 0 || cfg.Hostaddr.IsValid() ||
		os.Getenv("PGHOST") != "" || os.Getenv("PGHOSTADDR") != "" || os.Getenv("PGSERVICE") != "" ||
		namesAServer(settings) {
		return ""
	}
	return "; with no host given, zwatch connects to localhost over TCP, and psql to the local Unix socket: " +
		"PGHOST=/var/run/postgresql has zwatch connect as psql does"
}

// namesAServer tells whether settings, a URL or key=value pairs, give a
// host, a host address or a service, as lib/pq reads them: only the keys,
// so that a database, user or password holding the word "localhost" or
// "service" is not taken for one (helper-381). Where a host is named, even
// an empty one, PGHOST changes nothing, and the hint would be wrong
// (helper-382). Settings it cannot read are taken as naming one: the hint
// is then left out, as where it would be wrong.
func namesAServer(settings string) bool {
	isServerKey := func(key string) bool { return key == "host" || key == "hostaddr" || key == "service" }
	if strings.HasPrefix(settings, "postgres://") || strings.HasPrefix(settings, "postgresql://") {
		u, err := url.Parse(settings)
		if err != nil {
			return true
		}
		// lib/pq writes each query key into its settings as it stands, and
		// leaves out empty values: a key that is not a plain word may
		// carry a pair of its own.
		query := u.Query()
		for key := range query {
			if isServerKey(key) && query.Get(key) != "" ||
				strings.IndexFunc(key, func(r rune) bool { return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
				return true
			}
		}
		return u.Hostname() != ""
	}
	// Pairs as lib/pq reads them: key = value, split at Unicode spaces, the
	// value bare or in single quotes, a backslash escaping what follows.
	rest := []rune(settings)
	skipSpaces := func() {
		for len(rest) > 0 && unicode.IsSpace(rest[0]) {
			rest = rest[1:]
		}
	}
	for skipSpaces(); len(rest) > 0; skipSpaces() {
		end := slices.IndexFunc(rest, func(r rune) bool { return r == '=' || unicode.IsSpace(r) })
		if end <= 0 {
			return true
		}
		if isServerKey(string(rest[:end])) {
			return true
		}
		rest = rest[end:]
		skipSpaces()
		if len(rest) == 0 || rest[0] != '=' {
			return true
		}
		rest = rest[1:]
		skipSpaces()
		quoted := len(rest) > 0 && rest[0] == '\''
		if quoted {
			rest = rest[1:]
		}
		for len(rest) > 0 && !(quoted && rest[0] == '\'' || !quoted && unicode.IsSpace(rest[0])) {
			if rest[0] == '\\' && len(rest) > 1 {
				rest = rest[1:]
			}
			rest = rest[1:]
		}
		if quoted {
			if len(rest) == 0 {
				return true
			}
			rest = rest[1:]
		}
	}
	return false
}

func sslModeOf(cfg pq.Config) string {
	if cfg.SSLMode == "" {
		return string(pq.SSLModeRequire)
	}
	return string(cfg.SSLMode)
}
