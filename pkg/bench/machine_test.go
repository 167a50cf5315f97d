//go:build bench

package bench

import (
	"bufio"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// machine is where the figures came from.
type machine struct {
	CPUs      int
	CPUModel  string
	MemoryGiB float64
	Kernel    string
	LoadAvg   string // at the start: others' work on a shared machine shows here
	GoVersion string // the binary's
	Revision  string // the commit the binary was built from
	Postgres  string
	Settings  [][2]string // the server settings that matter for the figures
	Started   time.Time
}

// pgSettings are reported with the figures: durability and memory change
// what a commit and a scan cost.
var pgSettings = []string{
	"fsync", "synchronous_commit", "shared_buffers", "effective_cache_size", "work_mem",
	"maintenance_work_mem", "max_wal_size", "random_page_cost", "max_connections", "shared_preload_libraries",
}

func describeMachine(t *testing.T, bin string) machine {
	load := strings.Fields(readFile("/proc/loadavg"))
	m := machine{
		CPUs:      runtime.NumCPU(),
		CPUModel:  cpuModel(),
		MemoryGiB: memTotalGiB(),
		Kernel:    strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		LoadAvg:   strings.Join(load[:min(3, len(load))], " "),
		Started:   time.Now(),
		GoVersion: runtime.Version(),
		Revision:  "unknown",
	}
	if bi, err := buildinfo.ReadFile(bin); err == nil {
		m.GoVersion = bi.GoVersion
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			m.Revision = rev[:min(12, len(rev))]
			if modified == "true" {
				m.Revision += " with uncommitted changes"
			}
		}
	}
	if m.Revision == "unknown" {
		// Built with -buildvcs=false (GOFLAGS may say so): ask git about
		// the tree the binary was most likely built from.
		m.Revision = gitRevision(repoRoot(t))
	}
	db := storetest.New(t)
	m.Postgres = db.Setting("server_version")
	for _, name := range pgSettings {
		m.Settings = append(m.Settings, [2]string{name, db.Setting(name)})
	}
	return m
}

func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// cpuTimes is the host's CPU time so far, from /proc/stat: all of it and
// the part the hypervisor gave to other guests while this one wanted it
// (steal). On a shared virtual machine steal takes from the benchmark
// what it takes from zwatch, and at time ÷ 40 a millisecond lost is 40
// simulated ones, so the figures say how much was stolen.
type cpuTimes struct{ total, stolen uint64 }

func readCPUTimes() cpuTimes {
	line, _, _ := strings.Cut(readFile("/proc/stat"), "\n")
	fields := strings.Fields(line)
	var t cpuTimes
	if len(fields) < 9 || fields[0] != "cpu" {
		return t
	}
	for i, f := range fields[1:] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return cpuTimes{}
		}
		// user nice system idle iowait irq softirq steal; guest time is
		// counted in user already.
		if i < 8 {
			t.total += n
		}
		if i == 7 {
			t.stolen = n
		}
	}
	return t
}

// stolenSince is the share of the host's CPU time stolen since t, or -1
// where /proc/stat does not tell.
func (t cpuTimes) stolenSince() float64 {
	now := readCPUTimes()
	if t.total == 0 || now.total <= t.total {
		return -1
	}
	return float64(now.stolen-t.stolen) / float64(now.total-t.total)
}

func cpuModel() string {
	sc := bufio.NewScanner(strings.NewReader(readFile("/proc/cpuinfo")))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

func memTotalGiB() float64 {
	sc := bufio.NewScanner(strings.NewReader(readFile("/proc/meminfo")))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kib, err := strconv.ParseFloat(f[1], 64)
			if err == nil {
				return kib / (1 << 20)
			}
		}
	}
	return 0
}

func (m machine) settings() string {
	parts := make([]string, len(m.Settings))
	for i, s := range m.Settings {
		parts[i] = fmt.Sprintf("%s=%s", s[0], s[1])
	}
	return strings.Join(parts, ", ")
}

func gitRevision(dir string) string {
	rev, err := exec.Command("git", "-C", dir, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	out := strings.TrimSpace(string(rev))
	if status, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(status) > 0 {
		out += " with uncommitted changes"
	}
	return out
}
