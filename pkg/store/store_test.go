package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

// Only the connection breaking is called so: a refusal, a statement
// timeout or zwatch's own deadline is not the database going away.
func TestConnectionBrokeSortsTheDriversErrors(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	for _, c := range []struct {
		err   error
		broke bool
	}{
		{reset, true},
		{fmt.Errorf("saving: %w", driver.ErrBadConn), true},
		{io.ErrUnexpectedEOF, true},
		{&pq.Error{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{&pq.Error{Code: "08006"}, true},
		{&pq.Error{Code: "57014", Message: "canceling statement due to statement timeout"}, false},
		{&pq.Error{Code: "42501", Message: "permission denied for table product_orders"}, false},
		{fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded}), false},
		{context.Canceled, false},
		{errors.New("pq: a shop trigger said no"), false},
	} {
		got := connectionBroke(c.err)
		if broke := errors.As(got, new(*connectionBrokeError)); broke != c.broke {
			t.Errorf("connectionBroke(%v) = %q, want broken %v", c.err, got, c.broke)
		}
		if !errors.Is(got, c.err) {
			t.Errorf("connectionBroke(%v) lost the driver's error", c.err)
		}
	}
	if twice := connectionBroke(connectionBroke(reset)); strings.Count(twice.Error(), "broke") != 1 {
		t.Errorf("said twice: %q", twice)
	}
}
