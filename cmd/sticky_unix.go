//go:build unix

package cmd

import (
	"os"
	"syscall"
)

// stickyForbidsReplacing says whether a directory with the sticky bit (/tmp,
// a textfile directory shared by several users) keeps the user euid from
// replacing file in it: only the file's owner, the directory's, or root
// may rename over it there.
func stickyForbidsReplacing(dir, file os.FileInfo, euid int) bool {
	if dir.Mode()&os.ModeSticky == 0 || euid == 0 {
		return false
	}
	dirStat, ok := dir.Sys().(*syscall.Stat_t)
	fileStat, ok2 := file.Sys().(*syscall.Stat_t)
	if !ok || !ok2 {
		return false
	}
	return int(dirStat.Uid) != euid && int(fileStat.Uid) != euid
}
