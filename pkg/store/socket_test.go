package store

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With no host named in the settings or the environment, zwatch connects
// to the server's Unix socket for the port, as psql does, not to localhost
// over TCP, which Debian's pg_hba.conf refuses to a role that logs in by
// peer: psql worked and zwatch did not, from the same environment
// (helper-372). A host named anywhere is kept.
func TestNoHostNamedConnectsToTheLocalSocketAsPsqlDoes(t *testing.T) {
	dir, port := t.TempDir(), "29871"
	saved := socketDirs
	socketDirs = []string{filepath.Join(dir, "none"), dir}
	t.Cleanup(func() { socketDirs = saved })
	ln, err := net.Listen("unix", filepath.Join(dir, ".s.PGSQL."+port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	reached := make(chan struct{}, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			reached <- struct{}{}
			c.Close()
		}
	}()
	for _, env := range []string{"PGHOST", "PGHOSTADDR", "PGSERVICE"} {
		t.Setenv(env, "") // restored after the test
		os.Unsetenv(env)
	}
	t.Setenv("PGPORT", port)
	t.Setenv("PGSSLMODE", "require") // not used on a socket, as libpq does not
	t.Setenv("PGCONNECT_TIMEOUT", "2")
	for _, c := range []struct {
		settings, pghost string
		socket           bool
	}{
		{"", "", true},
		{"postgres:///shop", "", true},
		{"dbname=shop user=zwatch", "", true},
		{"host=localhost dbname=shop", "", false},
		{"postgres://localhost/shop", "", false},
		{"dbname=shop", "localhost", false},
	} {
		if os.Unsetenv("PGHOST"); c.pghost != "" {
			t.Setenv("PGHOST", c.pghost)
		}
		st, err := Open(context.Background(), c.settings)
		if st != nil {
			st.Close()
		}
		got := false
		for len(reached) > 0 {
			<-reached
			got = true
		}
		if got != c.socket {
			t.Errorf("settings %q, PGHOST %q: the socket reached %v, want %v (%v)", c.settings, c.pghost, got, c.socket, err)
		}
		if where := Describe(c.settings); strings.Contains(where, dir) != c.socket {
			t.Errorf("settings %q, PGHOST %q: described as %q", c.settings, c.pghost, where)
		}
	}
}
