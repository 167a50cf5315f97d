package store

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// silentServer takes every connection and never says a word (a hung
// server or pooler, a port some other program listens on), until the test
// ends; it returns its address.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() }) // held open, silent
		}
	}()
	return ln.Addr().String()
}

// A host that takes the connection and never says a word does not hold a
// command forever: connecting gives up, and says the database is
// unreachable.
func TestAServerThatNeverAnswersIsGivenUpOn(t *testing.T) {
	t.Parallel()
	address := silentServer(t)

	ended := make(chan error, 1)
	go func() {
		st, err := Open(context.Background(), "postgres://zwatch:Hunter2Secret@"+address+"/shop?sslmode=disable")
		if st != nil {
			st.Close()
		}
		ended <- err
	}()
	select {
	case err := <-ended:
		if err == nil || !strings.Contains(err.Error(), "database unreachable") || strings.Contains(err.Error(), "Hunter2Secret") {
			t.Errorf("opening a silent server: %v; want it called unreachable, without the password", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("opening a server that never answers has not returned after 2 minutes")
	}
}

// Ctrl-C while such a host keeps zwatch waiting for its first answer (with
// TLS asked for or not) stops connecting at once, not after the connect
// timeout's seconds, and is said as cancelled: the operator's doing, not
// the database's.
func TestASignalWhileConnectingStopsItAtOnce(t *testing.T) {
	t.Parallel()
	address := silentServer(t)
	for name, open := range map[string]func(context.Context, string) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		for _, sslMode := range []string{"disable", "require"} {
			t.Run(name+"/sslmode="+sslMode, func(t *testing.T) {
				t.Parallel()
				ctx, stop := context.WithCancel(context.Background())
				time.AfterFunc(200*time.Millisecond, stop)
				started := time.Now()

				st, err := open(ctx, "postgres://zwatch@"+address+"/shop?sslmode="+sslMode)

				if st != nil {
					st.Close()
				}
				if took := time.Since(started); took > 2*time.Second {
					t.Errorf("connecting took %v after a signal 200 ms in; want it stopped at once, well before the %v connect timeout", took.Round(time.Millisecond), defaultConnectTimeout)
				}
				if !Cancelled(err) || strings.Contains(err.Error(), "unreachable") {
					t.Errorf("connecting stopped by a signal: %v; want it said as cancelled, not as the database unreachable", err)
				}
			})
		}
	}
}
