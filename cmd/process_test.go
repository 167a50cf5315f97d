package cmd_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// These tests run the real binary, because what they check (a process
// killed or signalled mid-flight) cannot happen in-process.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func zwatchBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "zwatch-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "zwatch")
		out, err := exec.Command("go", "build", "-o", binPath, "..").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building zwatch: %v", buildErr)
	}
	return binPath
}

// startZwatch starts the binary against the shop's database.
func startZwatch(t *testing.T, s *shop, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	c := exec.Command(zwatchBinary(t), append(onceUnlessLooping(args), "--database-url", s.db.URL)...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Process.Kill() })
	return c, &out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestKilledRunLosesNothing(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var ids []string
	for i := range 12 {
		ids = append(ids, s.order("7"+strings.Repeat("0", i)))
	}
	s.znet.SetDefault(znettest.DoneEach("KILL-PIN-1", "ok").After(time.Minute))

	c, _ := startZwatch(t, s, "check-pending", "--concurrency", "6", "--per-integration", "6")
	waitFor(t, "requests in flight", func() bool { return s.znet.TotalRequests() >= 6 })
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.Wait()

	// The dead run's claims hold until they lapse: a run now asks nothing
	// the dead one may still have had in flight.
	if claimed := s.db.Bookkeeping().Claimed; claimed != 12 {
		t.Fatalf("%d orders claimed after the kill, want all 12", claimed)
	}
	s.znet.SetDefault(znettest.DoneEach("KILL-PIN-1", "ok"))
	s.znet.Reset()
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 || s.znet.TotalRequests() != 0 {
		t.Fatalf("a run while the claims hold asked znet %d times (exit %d)\n%s", s.znet.TotalRequests(), r.code, r.all())
	}

	// Once the lease has lapsed, a later run completes everything, and
	// says, even to cron, that it took over a run that ended without
	// letting go: the killed run records nothing of itself.
	s.db.ExpireClaims()
	r := zwatch(t, s.db, "check-pending", "-q")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	for _, id := range ids {
		if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" || !strings.HasPrefix(*row.PINCode, "KILL-PIN-1-") {
			t.Errorf("order %s after the kill: %+v", id, row)
		}
	}
	killed := fmt.Sprintf("/%d/", c.Process.Pid) // the run's id: host/pid/…
	if !strings.Contains(r.all(), "took over 12 orders from run ") || !strings.Contains(r.all(), killed) {
		t.Errorf("the run that took the killed run's orders over said nothing of it, or did not name the run (%s):\n%s", killed, r.all())
	}
	stats := zwatch(t, s.db, "stats")
	if !strings.Contains(stats.stdout, fmt.Sprintf("took over 12 orders of a run killed? (%d/", c.Process.Pid)) {
		t.Errorf("stats does not show that a run took over a killed run's orders:\n%s", stats.all())
	}
	var recorded string
	s.db.Get(&recorded, `SELECT COALESCE(string_agg(took_over::text, ' '), '') FROM zwatch_runs WHERE took_over IS NOT NULL`)
	if !strings.Contains(recorded, killed) || !strings.HasSuffix(recorded, ": 12}") {
		t.Errorf("zwatch_runs.took_over: %q, want the killed run and its 12 orders", recorded)
	}
}

// SIGHUP too: a run started from an ssh session that closes, a supervisor's
// reload; by default it ended the process at once, unrecorded.
func TestSignalReleasesUnaskedOrders(t *testing.T) {
	t.Parallel()
	// Under nohup this process ignores SIGHUP, and so would the zwatch it
	// starts, which keeps an ignored SIGHUP ignored (main.go): an ignored
	// signal stays so across exec, a handled one does not.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			var ids []string
			for i := range 10 {
				ids = append(ids, s.order("8"+strings.Repeat("1", i)))
			}
			s.znet.SetDefault(znettest.Waiting("").After(time.Minute))

			c, out := startZwatch(t, s, "check-pending", "--loop", "5m", "--max-duration", "10m", "--tick", "100ms")
			waitFor(t, "requests in flight", func() bool { return s.znet.TotalRequests() >= 4 })
			if err := c.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			// The requests in flight would hang for a minute and the loop
			// for five: only a clean stop ends the process within them.
			exited := make(chan error, 1)
			go func() { exited <- c.Wait() }()
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("exit after %s: %v\n%s", sig, err, out)
				}
			case <-time.After(45 * time.Second):
				_ = c.Process.Kill()
				<-exited
				t.Fatalf("zwatch did not stop on %s:\n%s", sig, out)
			}
			if !strings.Contains(out.String(), "stopped early by signal") {
				t.Errorf("the summary should say the run was stopped:\n%s", out)
			}
			if b := s.db.Bookkeeping(); b.Claimed != 0 || b.Attempts != 0 {
				t.Errorf("%d claims left and %d attempts counted after %s, want none", b.Claimed, b.Attempts, sig)
			}
			for _, id := range ids {
				if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.LastSyncAt != nil {
					t.Errorf("order %s changed by a cancelled request: %+v", id, row)
				}
			}
		})
	}
}

// Output to a pipe nobody reads any more (| head -1 after the first line)
// does not kill a run halfway: it saves every answer, records itself, and
// exits 1, the output lost.
func TestARunWhoseOutputPipeClosesFinishesItsWork(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var ids []string
	for _, ref := range []string{"191", "192", "193"} {
		ids = append(ids, s.order(ref))
		s.znet.Script(ref, znettest.Done("PIPE-PIN-"+ref, "tamam"))
	}
	read, write, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	read.Close()
	c := exec.Command(zwatchBinary(t), "check-pending", "--loop", "0", "--log-level", "debug", "--database-url", s.db.URL)
	c.Stdout, c.Stderr = write, write
	err = c.Run()
	write.Close()

	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("a run writing to a closed pipe: %v, want exit status 1", err)
	}
	for _, id := range ids {
		if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" {
			t.Errorf("order %s after the run: %+v, want completed", id, row)
		}
	}
	if runs := stats(t, s.db).Runs; len(runs) != 1 || runs[0].ExitStatus != 1 {
		t.Errorf("runs recorded: %+v, want one with exit status 1", runs)
	}
}

// A run the operator's host stops (SIGSTOP, a paused VM) lets its deadlines
// and its claims' leases run on while nothing runs: it says so when it goes
// on, so that what fails next is not taken for the database's doing.
func TestAStoppedRunSaysItWasStopped(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	// One at a time, 300 ms each: the run lasts 3.6 s, so the stop comes
	// in the middle however late a busy machine delivers it.
	for i := range 12 {
		s.order(strconv.Itoa(930 + i))
	}
	s.znet.SetDefault(znettest.DoneEach("STOP-PIN", "ok").After(300 * time.Millisecond))
	c, out := startZwatch(t, s, "check-pending", "--per-integration", "1", "--log-format", "text")
	waitFor(t, "a request in flight", func() bool { return s.znet.TotalRequests() >= 1 })
	if err := c.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(12 * time.Second) // past what the run notes: not a bound on speed
	if err := c.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	_ = c.Wait()
	if !strings.Contains(out.String(), "this process did not run for a while") {
		t.Errorf("a run stopped for 12 s does not say so:\n%s", out.String())
	}
}

// A request whose deadline ran out while the process was stopped (SIGSTOP
// past --timeout) is no fault of the panel's: it is not cut off, no alarm
// is raised, and the order is asked again rather than booked an error; the
// summary counts it asked and cut short.
func TestARequestTimedOutWhileStoppedIsNoPanelFault(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var ids []string
	for i := range 6 {
		ids = append(ids, s.order("95"+string(rune('0'+i))))
	}
	s.znet.SetDefault(znettest.DoneEach("STALL-PIN", "ok").After(time.Second))
	// Three requests in flight at the stop: three faults in a row would cut
	// the panel off.
	c, out := startZwatch(t, s, "check-pending", "--per-integration", "3", "--timeout", "3s", "--log-format", "text")
	waitFor(t, "three requests in flight", func() bool { return s.znet.TotalRequests() >= 3 })
	if err := c.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(12 * time.Second) // past --timeout and what the run notes as a stall: not a bound on speed
	if err := c.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	err := c.Wait()

	if err != nil || strings.Contains(out.String(), "FAILING") || strings.Contains(out.String(), "cut off") {
		t.Errorf("a run stopped past --timeout: %v, want exit 0 and no panel failing\n%s", err, out.String())
	}
	completed := 0
	for _, id := range ids {
		if s.db.ReadOrder(id).ExternalStatus == "completed" {
			completed++
		} else if c := s.db.ReadCheck(id); c.LastError != nil || c.ClaimedBy != nil {
			t.Errorf("order %s not completed: %+v, want no error booked and its claim handed back", id, c)
		}
	}
	if completed < 3 {
		t.Errorf("%d of 6 orders completed, want every order but those in flight during the stop", completed)
	}
	// The panel heard them: asked and cut short, not released unasked. How
	// many of the three were still waiting when the stop came is the
	// host's timing: one, under a loaded host's run of the whole suite.
	if !strings.Contains(out.String(), " cut short (a signal, or the process stopped while they waited)") {
		t.Errorf("the summary does not count the requests in flight during the stop as cut short:\n%s", out.String())
	}
}
