//go:build !linux

package store

import "syscall"

// limitUnacked does nothing where TCP_USER_TIMEOUT is unknown: there the
// keepalives alone bound how long a dead connection is waited for.
func limitUnacked(string, string, syscall.RawConn) error { return nil }
