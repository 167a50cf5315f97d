//go:build bench

package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// invocation is one zwatch process, as cron would start it.
type invocation struct {
	args    []string
	cmd     *exec.Cmd
	stdout  bytes.Buffer
	stderr  bytes.Buffer
	started time.Time

	// Filled in by wait.
	wall    time.Duration // from start to exit, process start-up included
	exit    int
	maxRSS  int64         // peak resident set, KiB, as the kernel counted it
	cpu     time.Duration // user and system time the process used
	summary runSummary
	err     error // could not start, could not be waited for, or no summary
}

// runSummary is the part of check-pending's JSON summary the benchmarks
// read.
type runSummary struct {
	Seconds   float64 `json:"duration_seconds"`
	DBSeconds float64 `json:"db_seconds"`
	StoppedBy string  `json:"stopped_by"`
	Total     struct {
		Asked, Completed, Processing, Failed, Errors, Skipped, Stuck, Overtaken int
	} `json:"total"`
}

// startZwatch starts bin with args against the database at dbURL.
func startZwatch(bin, dbURL string, args ...string) *invocation {
	inv := &invocation{args: append(args, "--database-url", dbURL)}
	inv.cmd = exec.Command(bin, inv.args...)
	inv.cmd.Stdout, inv.cmd.Stderr = &inv.stdout, &inv.stderr
	inv.started = time.Now()
	if err := inv.cmd.Start(); err != nil {
		inv.err = fmt.Errorf("starting zwatch: %w", err)
	}
	return inv
}

// wait waits for the process to exit and reads what it left. A check-pending
// run with -o json prints its summary on stdout.
func (inv *invocation) wait() {
	if inv.err != nil {
		return
	}
	err := inv.cmd.Wait()
	inv.wall = time.Since(inv.started)
	if ru, ok := inv.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		inv.maxRSS = ru.Maxrss // KiB on Linux
	}
	inv.cpu = inv.cmd.ProcessState.UserTime() + inv.cmd.ProcessState.SystemTime()
	inv.exit = inv.cmd.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		inv.err = fmt.Errorf("waiting for zwatch: %w", err)
		return
	}
	if inv.exit != 0 {
		inv.err = fmt.Errorf("zwatch %s exited with %d: %s", inv.args[0], inv.exit, inv.output())
	}
	if jerr := json.Unmarshal(inv.stdout.Bytes(), &inv.summary); jerr != nil && inv.err == nil {
		inv.err = fmt.Errorf("zwatch printed no JSON summary (%v): %s", jerr, inv.output())
	}
}

// sendTimes is when a worker started each request, per panel, read from
// the debug line zwatch writes for each answer (asked_at). It is empty
// unless the process ran with --log-level debug --log-format json. Lines
// that are not JSON (a failed run's last words) are passed over: the
// failure is inv.err's to report.
func (inv *invocation) sendTimes() (map[string][]time.Time, error) {
	sent := make(map[string][]time.Time)
	lines := 0
	for line := range bytes.Lines(inv.stderr.Bytes()) {
		if !bytes.HasPrefix(line, []byte("{")) {
			continue
		}
		var entry struct {
			Msg         string    `json:"msg"`
			Integration string    `json:"integration"`
			AskedAt     time.Time `json:"asked_at"`
		}
		if err := json.Unmarshal(line, &entry); err != nil {
			return nil, fmt.Errorf("zwatch wrote a log line that is not JSON (%v): %.200s", err, line)
		}
		if entry.Msg == "asked znet" {
			sent[entry.Integration] = append(sent[entry.Integration], entry.AskedAt)
			lines++
		}
	}
	// Every answer counted as asked has its line (answers the shop
	// overtook have one too, uncounted).
	if inv.err == nil && lines < inv.summary.Total.Asked {
		return nil, fmt.Errorf("zwatch asked znet %d times but wrote %d debug lines saying when", inv.summary.Total.Asked, lines)
	}
	return sent, nil
}

// output is what the process printed, cut to what a person reads in a
// failure message.
func (inv *invocation) output() string {
	var logs strings.Builder
	for line := range strings.Lines(inv.stderr.String()) {
		if !strings.Contains(line, `"level":"DEBUG"`) {
			logs.WriteString(line)
		}
	}
	s := strings.TrimSpace(logs.String() + "\n" + inv.stdout.String())
	if len(s) > 2000 {
		s = s[:1000] + "\n...\n" + s[len(s)-1000:]
	}
	return s
}
