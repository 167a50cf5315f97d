package store

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

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

// blackholed is a loopback address whose connects hang, as a powered-off
// host's do: its listen queue is full, and nothing accepts.
func blackholed(t *testing.T) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*unix.SockaddrInet4).Port))
	for filled := 0; ; filled++ {
		conn, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { conn.Close() })
		if filled > 10 {
			t.Fatal("could not fill the listen queue")
		}
	}
}

// refusingServer answers every start-up: password authentication failed.
func refusingServer(t *testing.T) string {
	return serve(t, func(c net.Conn) {
		var header [8]byte
		if _, err := io.ReadFull(c, header[:]); err != nil {
			return
		}
		_, _ = io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(header[:4])-8))
		body := "SFATAL\x00VFATAL\x00C28P01\x00Mpassword authentication failed for user \"u\"\x00\x00"
		msg := []byte{'E', 0, 0, 0, 0}
		binary.BigEndian.PutUint32(msg[1:], uint32(len(body)+4))
		_, _ = c.Write(append(msg, body...))
	})
}

// A failover list whose first host refuses the password at once and whose
// second does not answer the dial says the password was refused. The
// first host's connect_timeout, left running after the driver moved on,
// went off while the second was dialed, and the command said the first
// host had taken the connection and never finished starting: a database
// unreachable, where the operator has a password to fix (a review's find).
func TestAHostsLimitEndsWhenTheDriverMovesOn(t *testing.T) {
	t.Parallel()
	refusingHost, refusingPort, _ := net.SplitHostPort(refusingServer(t))
	deadHost, deadPort, _ := net.SplitHostPort(blackholed(t))
	_, err := Open(context.Background(), "host="+refusingHost+","+deadHost+" port="+refusingPort+","+deadPort+
		" user=u dbname=d connect_timeout=2 sslmode=disable")
	var connectErr *ConnectError
	if !errors.As(err, &connectErr) || connectErr.Problem != AuthFailed || strings.Contains(err.Error(), "did not finish starting") {
		t.Errorf("a list whose first host refused the password and whose second never answered the dial: %v, want the password refused", err)
	}
}
