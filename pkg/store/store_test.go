package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

// Only the database going away is called so: a refusal, a statement
// timeout or zwatch's own deadline is not.
func TestConnectionBrokeSortsTheDriversErrors(t *testing.T) {
	st := &Store{where: "host db.internal port 5432 database shop"}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	for _, c := range []struct {
		err   error
		broke bool
	}{
		{reset, true},
		{fmt.Errorf("saving: %w", driver.ErrBadConn), true},
		{io.ErrUnexpectedEOF, true},
		{&pq.Error{Severity: "FATAL", Code: "57P03", Message: "the database system is shutting down"}, true},
		{&pq.Error{Severity: "FATAL", Code: "55000", Message: `database "shop" is not currently accepting connections`}, true},
		{&pq.Error{Severity: "FATAL", Code: "28P01", Message: `password authentication failed for user "zwatch"`}, false},
		{&pq.Error{Severity: "ERROR", Code: "55000", Message: "object not in prerequisite state"}, false},
		{&pq.Error{Code: "08006"}, true},
		{&pq.Error{Code: "57014", Message: "canceling statement due to statement timeout"}, false},
		{&pq.Error{Code: "42501", Message: "permission denied for table product_orders"}, false},
		{fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded}), false},
		{context.Canceled, false},
		{errors.New("pq: a shop trigger said no"), false},
	} {
		got := st.connectionBroke(c.err)
		if _, _, broke := ConnectionBroke(got); broke != c.broke {
			t.Errorf("connectionBroke(%v) = %q, want broken %v", c.err, got, c.broke)
		}
		if !errors.Is(got, c.err) {
			t.Errorf("connectionBroke(%v) lost the driver's error", c.err)
		}
	}
	if got := st.connectionBroke(reset); got.Error() != reset.Error() {
		t.Errorf("the driver's words %q became %q", reset, got)
	}
	joined := errors.Join(errors.New("claiming"), fmt.Errorf("saving: %w", st.connectionBroke(reset)))
	if where, cause, ok := ConnectionBroke(joined); !ok || where != st.where || cause != reset.Error() {
		t.Errorf("a run's joined errors give %q, %q, %v: want the database and the driver's words", where, cause, ok)
	}
}

// A refusal in words the shop's code may have written, under any SQLSTATE
// a trigger chose, is read for the PINs it may quote; the server's words
// for its own state are not.
func TestShopRefusedTellsTheShopsWordsFromTheServers(t *testing.T) {
	st := &Store{where: "host db.internal port 5432 database shop"}
	for _, c := range []struct {
		err  error
		shop bool
	}{
		{&pq.Error{Severity: "ERROR", Code: "P0001", Message: "order was delivered PIN X; refusing to fail it"}, true},
		{&pq.Error{Severity: "ERROR", Code: "55000", Message: "order was delivered; refusing to fail it"}, true},
		{&pq.Error{Severity: "ERROR", Code: "23514", Message: `new row violates check constraint "pin_format"`}, true},
		{&pq.Error{Severity: "ERROR", Code: "42501", Message: "permission denied for table audit_log"}, true},
		{st.connectionBroke(&pq.Error{Severity: "FATAL", Code: "55000", Message: `database "shop" is not currently accepting connections`}), false},
		{&pq.Error{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}, false},
		{&pq.Error{Severity: "ERROR", Code: "55P03", Message: "canceling statement due to lock timeout"}, false},
		{&pq.Error{Severity: "ERROR", Code: "57014", Message: "canceling statement due to statement timeout"}, false},
		{&pq.Error{Severity: "ERROR", Code: "40P01", Message: "deadlock detected"}, false},
		{&pq.Error{Severity: "ERROR", Code: "40001", Message: "order was delivered PIN X", Where: "PL/pgSQL function keep_delivered() line 4 at RAISE"}, true},
		{&pq.Error{Severity: "ERROR", Code: "57014", Message: "canceling statement due to statement timeout",
			Where: "SQL statement \"SELECT pg_sleep(10)\"\nPL/pgSQL function slow_audit() line 2 at PERFORM"}, true},
		{&pq.Error{Severity: "ERROR", Code: "53100", Message: "could not extend file"}, false},
		{&pq.Error{Code: "08006"}, false},
		{fmt.Errorf("saving: %w", driver.ErrBadConn), false},
	} {
		if got := ShopRefused(c.err); got != c.shop {
			t.Errorf("ShopRefused(%v) = %v, want %v", c.err, got, c.shop)
		}
	}
}

// The server words its errors in its lc_messages, which a shop's DBA sets
// to the shop's language (initdb takes the host's locale): the cancel
// lib/pq asks for when a signal ends a command's context then reads
// "storniere Anfrage wegen Benutzeraufforderung", not "canceling statement
// due to user request". It is the same cancel, with the same code: a check
// stopped so exited 1 with the driver's words where it exits 3, and a
// migrate said "applying zwatch's migrations: partial migration error"
// where it says it was stopped by a signal and to run it again. Every
// caller asks only once its own context has ended.
func TestACancelInTheServersLanguageIsACancel(t *testing.T) {
	german := &pq.Error{Severity: "FEHLER", Code: "57014", Message: "storniere Anfrage wegen Benutzeraufforderung"}
	if !Cancelled(german) {
		t.Errorf("Cancelled(%q) = false: the server's cancel in German is not taken for one", german.Message)
	}
	if !Cancelled(fmt.Errorf("finding the order: %w", german)) {
		t.Errorf("Cancelled of a wrapped %q = false", german.Message)
	}
	// As goose hands a migration stopped so over: the cancelled statement
	// joined with its failure to unlock over the cancelled connection.
	partial := errors.Join(german, errors.New("failed to execute pg_advisory_unlock: driver: bad connection"))
	if !cancelledStatement(partial) {
		t.Errorf("cancelledStatement(%v) = false: migrate would not say it was stopped by a signal", partial)
	}
	if timeout := (&pq.Error{Code: "57014", Message: "canceling statement due to statement timeout"}); Cancelled(timeout) {
		t.Errorf("Cancelled(%q) = true: a statement_timeout is no cancel of zwatch's", timeout.Message)
	}
}
