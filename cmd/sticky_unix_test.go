//go:build unix

package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

// In a directory with the sticky bit, such as /tmp or a textfile directory
// shared by several users, only the file's owner, the directory's, or root
// may rename over the file: a run as anyone else saved its orders and then
// failed on the metrics file, every run. check-pending refuses it first.
func TestStickyDirectoryKeepsAnotherUsersFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "zwatch.prom")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirInfo, _ := os.Stat(dir)
	fileInfo, _ := os.Stat(path)
	owner := os.Geteuid() // of both
	for _, c := range []struct {
		name string
		euid int
		want bool
	}{
		{"another user", owner + 1, true},
		{"the owner", owner, false},
		{"root", 0, false},
	} {
		if got := stickyForbidsReplacing(dirInfo, fileInfo, c.euid); got != c.want {
			t.Errorf("%s: stickyForbidsReplacing = %v, want %v", c.name, got, c.want)
		}
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	dirInfo, _ = os.Stat(dir)
	if stickyForbidsReplacing(dirInfo, fileInfo, owner+1) {
		t.Error("a directory without the sticky bit keeps no one from replacing the file")
	}
}
