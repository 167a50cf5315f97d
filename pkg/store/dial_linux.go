package store

import (
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// limitUnacked sets TCP_USER_TIMEOUT on a TCP socket (not on a Unix one,
// where nothing is lost on the way): the kernel closes the connection once
// data it sent has gone deadUnacked without an acknowledgement.
func limitUnacked(network, _ string, c syscall.RawConn) error {
	if !strings.HasPrefix(network, "tcp") {
		return nil
	}
	var setErr error
	err := c.Control(func(fd uintptr) {
		setErr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, int(deadUnacked.Milliseconds()))
	})
	if err != nil {
		return err
	}
	return setErr
}
