package store

import (
	"context"
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// Every TCP connection to the database tells the kernel to give up on a
// server that stopped answering within seconds, not after the system's
// minutes: keepalives, and a bound on data sent and never acknowledged.
func TestDatabaseConnectionsGiveUpOnADeadServerSoon(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := newDialer().DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []struct {
		name         string
		level, which int
		want         int
	}{
		{"SO_KEEPALIVE", unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1},
		{"TCP_KEEPIDLE", unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, int(deadIdle.Seconds())},
		{"TCP_KEEPINTVL", unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, int(deadInterval.Seconds())},
		{"TCP_KEEPCNT", unix.IPPROTO_TCP, unix.TCP_KEEPCNT, deadProbes},
		{"TCP_USER_TIMEOUT", unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, int(deadUnacked.Milliseconds())},
	} {
		var got int
		var getErr error
		if err := raw.Control(func(fd uintptr) { got, getErr = unix.GetsockoptInt(int(fd), opt.level, opt.which) }); err != nil {
			t.Fatal(err)
		}
		if getErr != nil || got != opt.want {
			t.Errorf("%s = %d (%v), want %d", opt.name, got, getErr, opt.want)
		}
	}
}

// A Unix socket, where nothing is lost on the way, takes no TCP option.
func TestDatabaseConnectionsOverAUnixSocket(t *testing.T) {
	path := t.TempDir() + "/.s.PGSQL.5432"
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := newDialer().DialContext(context.Background(), "unix", path)
	if err != nil {
		t.Fatalf("dialing a Unix socket: %v", err)
	}
	conn.Close()
}
