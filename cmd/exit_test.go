package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/watch"
)

// Exit status 2 promises an operator that nothing changed. A command that
// fails in a way nobody foresaw may already have written, so its error
// exits 1; only errors marked as usage, or refused by cobra before any
// command ran, exit 2.
func TestExitStatusFailsSafe(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"no error", nil, ExitOK},
		{"usage", usage("--batch must be at least 1"), ExitUsage},
		{"fatal", fatal(errors.New("database unreachable")), ExitFatal},
		{"attention", attention, ExitAttention},
		{"usage wrapped by a caller", fmt.Errorf("check: %w", usage("bad")), ExitUsage},
		{"an error nobody marked", errors.New("disk full"), ExitFatal},
	} {
		if got := exitStatus(tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestUnmarkedErrorOfACommandThatRanExitsFatal(t *testing.T) {
	var errOut bytes.Buffer
	root := NewRootCmd(IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
	wrote := false
	root.AddCommand(&cobra.Command{
		Use:  "write-then-fail",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			wrote = true
			return errors.New("saving answers: connection reset by peer")
		},
	})
	code := execute(context.Background(), root, []string{"write-then-fail"}, &errOut)
	if !wrote || code != ExitFatal {
		t.Errorf("a command that wrote and failed: ran %v, exit %d, want 1", wrote, code)
	}
	if got := errOut.String(); got != "zwatch: saving answers: connection reset by peer\n" {
		t.Errorf("stderr: %q", got)
	}
}

// cobra checks some things after the persistent pre-run (required flags,
// flags that exclude each other) but still before the command's run: they
// are usage errors, and the command did not run.
func TestCobraRefusalsBeforeTheRunAreUsage(t *testing.T) {
	for _, args := range [][]string{
		{"guarded", "extra"},
		{"guarded"}, // --order missing
		{"guarded", "--order", "1", "--pending", "--stuck"},
		{"guarded", "--no-such-flag"},
		{"no-such-command"},
	} {
		var errOut bytes.Buffer
		root := NewRootCmd(IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
		ran := false
		c := &cobra.Command{
			Use:  "guarded",
			Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { ran = true; return nil },
		}
		c.Flags().String("order", "", "")
		c.Flags().Bool("pending", false, "")
		c.Flags().Bool("stuck", false, "")
		_ = c.MarkFlagRequired("order")
		c.MarkFlagsMutuallyExclusive("pending", "stuck")
		root.AddCommand(c)
		code := execute(context.Background(), root, args, &errOut)
		if code != ExitUsage || ran {
			t.Errorf("%v: exit %d, ran %v; want 2 and not run", args, code, ran)
		}
		if strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: want one line on stderr, got %q", args, errOut.String())
		}
	}
}

// A date centuries away in a shop's row reads as such, and neither loops
// nor crashes the table it is in.
func TestAgesPastWhatADurationHolds(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{time.Since(far), time.Until(time.Time{}), -time.Since(far), time.Since(time.Time{})} {
		if got := age(d); got != "centuries" && got != "in centuries" {
			t.Errorf("age(%d) = %q", d, got)
		}
	}
	huge := 3.2e10
	if got := seconds(&huge); got != "centuries" {
		t.Errorf("seconds(%g) = %q", huge, got)
	}
	if got := age(90 * time.Second); got != "1m" {
		t.Errorf("age(90s) = %q, want 1m", got)
	}
}

// A run whose database went away before it could hand its claims back
// does not say its unasked orders were released: it says they lapse, and
// when.
func TestSummaryOfClaimsNotHandedBack(t *testing.T) {
	for _, c := range []struct {
		summary watch.Summary
		want    []string
		not     string
	}{
		{watch.Summary{StoppedBy: "signal"}, []string{"stopped early by signal; unasked orders were released"}, "lapse"},
		{watch.Summary{StoppedBy: "signal", ClaimsLeft: 164},
			[]string{"stopped early by signal\n", "164 orders could not be handed back", "lapse by themselves within 45s"}, "released"},
		{watch.Summary{ClaimsLeft: 4}, []string{"4 orders could not be handed back"}, "released"},
	} {
		var out bytes.Buffer
		opts := &CheckPendingOptions{GlobalOptions: &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: io.Discard}}}
		if err := writeSummary(opts, &c.summary, runNews{}, errors.New("the database went away")); err != nil {
			t.Fatal(err)
		}
		for _, want := range c.want {
			if !strings.Contains(out.String(), want) {
				t.Errorf("summary %+v does not say %q:\n%s", c.summary, want, out.String())
			}
		}
		if strings.Contains(out.String(), c.not) {
			t.Errorf("summary %+v says %q:\n%s", c.summary, c.not, out.String())
		}
	}
}

// The driver's words stand in each of the errors a run joins; the line
// gives them once.
func TestTheDatabaseGoneIsSaidOnce(t *testing.T) {
	cause := "dial tcp 127.0.0.1:5432: connect: connection refused"
	line := "saving znet's answers: 4 could not be saved: " + cause + "; handing back the claims: releasing 164 claims: " + cause
	got := sayDatabaseGone(line, "host db port 5432 database shop", cause)
	want := "saving znet's answers: 4 could not be saved: " + cause + "; handing back the claims: releasing 164 claims: the same" +
		" (the database at host db port 5432 database shop went away or could not be reached: a restart, a failover, the network, or the server ending the session)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// stats shows its times to two parts: whole minutes read 112 s as 1m and
// a p99 of 339 s as 5m.
func TestStatsTimesKeepTheirSeconds(t *testing.T) {
	for s, want := range map[float64]string{
		45: "45s", 59.6: "1m00s", 79: "1m19s", 112: "1m52s", 339: "5m39s", 600: "10m00s",
		3*3600 + 5*60 + 40: "3h05m", -112: "in 1m52s", 50 * 3600: "2d2h",
	} {
		if got := seconds(&s); got != want {
			t.Errorf("seconds(%g) = %q, want %q", s, got, want)
		}
	}
}

// One order is one order: the summary's notes, the progress line, stats
// and migrate say "1 order was", not "1 orders were".
func TestCountsOfOneReadInTheSingular(t *testing.T) {
	s := watch.Summary{
		Total:         watch.Counts{Overtaken: 1},
		ClaimsLeft:    1,
		Integrations:  []watch.IntegrationSummary{{ID: "00000000-0000-4000-8000-000000000001", Name: "znet-A", NoBudget: 1}},
		Unsaved:       []string{"00000000-0000-4000-8000-00000000000a"},
		UnsavedLocked: 1,
	}
	var out bytes.Buffer
	opts := &CheckPendingOptions{GlobalOptions: &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: io.Discard}}}
	if err := writeSummary(opts, &s, runNews{}, errors.New("the database went away")); err != nil {
		t.Fatal(err)
	}
	s.UnsavedLocked = 0
	if err := writeSummary(opts, &s, runNews{}, errors.New("the database went away")); err != nil {
		t.Fatal(err)
	}
	p := &progressLine{expected: 3, started: time.Now(), last: watch.Progress{Claimed: 3, Done: 2, Completed: 1, Errors: 1}}
	fmt.Fprintln(&out, p.text(time.Now()))
	fmt.Fprintln(&out, learnedFrom(learnedLine{PanelReport: watch.PanelReport{Finals: 2, Completions: 1, OwnWeight: 1}}))
	fmt.Fprintln(&out, newerMigrations(1))
	text := out.String()
	for _, want := range []string{
		"1 order was decided by the shop or staff, or taken by another run, while this one asked; its change was kept",
		"1 order could not be handed back to the next runs (see the error): its claim lapses by itself within",
		"integration znet-A: 1 order was not asked because its request budget",
		"1 of znet's answers could not be saved: another transaction held a lock its statements needed",
		"; its order is asked again",
		"1 completed, 1 error;",
		"1 completion + 1 cancelled",
		"1 migration applied by a newer zwatch",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("does not say %q:\n%s", want, text)
		}
	}
	for _, plural := range []string{"1 orders", "1 errors", "1 completions", "1 migrations", "their orders are", "their change", "their claims"} {
		if strings.Contains(text, plural) {
			t.Errorf("says %q of one:\n%s", plural, text)
		}
	}
}

// The summary is on stdout and the error lines it points to on stderr: it
// does not send a person reading stdout (cron's mail of it, a file) to
// errors "above" that are not there.
func TestSummaryPointsToTheErrorsWhereTheyAre(t *testing.T) {
	s := watch.Summary{Unsaved: []string{"00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"}}
	var out bytes.Buffer
	opts := &CheckPendingOptions{GlobalOptions: &GlobalOptions{IO: IOStreams{Out: &out, ErrOut: io.Discard}}}
	if err := writeSummary(opts, &s, runNews{}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 of znet's answers could not be saved, and their orders are asked again: the error lines on stderr say why") || strings.Contains(out.String(), "above") {
		t.Errorf("the note on answers not saved:\n%s", out.String())
	}
}
