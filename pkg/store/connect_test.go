package store

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// A host that takes the connection and never says a word (a hung server or
// pooler, a port some other program listens on) does not hold a command
// forever: connecting gives up, and says the database is unreachable.
func TestAServerThatNeverAnswersIsGivenUpOn(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close() // held open, silent, until the test ends
		}
	}()

	ended := make(chan error, 1)
	go func() {
		st, err := Open(context.Background(), "postgres://zwatch:Hunter2Secret@"+ln.Addr().String()+"/shop?sslmode=disable")
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
