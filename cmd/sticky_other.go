//go:build !unix

package cmd

import "os"

// stickyKeeps: only Unix directories have the sticky bit.
func stickyKeeps(dir, file os.FileInfo, euid int) bool { return false }
