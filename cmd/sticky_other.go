//go:build !unix

package cmd

import "os"

// stickyForbidsReplacing: only Unix directories have the sticky bit.
func stickyForbidsReplacing(dir, file os.FileInfo, euid int) bool { return false }
