package cmd

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// StatsOptions are `zwatch stats`' flags.
type StatsOptions struct {
	*GlobalOptions
	Runs        int
	FirstDelay  time.Duration
	GiveUpAfter time.Duration
	Output      string
}

func newStatsCmd(g *GlobalOptions) *cobra.Command {
	opts := &StatsOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "stats",
		Short: "Show what is waiting, how old, what is stuck, and how the last runs went",
		Long: `Show at a glance, per znet integration and in total, whether zwatch keeps up:

  sent, pending, processing  orders zwatch still asks about, by externalStatus
  due                        of those, the ones the next check-pending asks about;
                             an order zwatch has not seen yet, or one sent again,
                             is due when its panel's learned plan first asks, or
                             --first-delay after it was sent (give the one cron
                             uses; a cron line with --schedule asks every new
                             order --first-delay after, which a learned first
                             check may come before or after)
  paused                     waiting orders of a disabled integration: zwatch
                             does not ask about them, and they are in no other
                             figure (nor in the total's ages) until it is
                             enabled again
  age p50, p95, oldest       how long ago those orders were sent: median, 95th
                             percentile and oldest
  stuck                      orders zwatch gave up on (see 'zwatch list --stuck');
                             they are not in the ages
  completed, failed 1h, 24h  orders zwatch saw completed, or cancelled at znet, in
                             the last hour and the last 24 hours
  to complete p50            median time from sentAt to completion, over the
                             completions of the last 24 hours

Completed and failed count what zwatch itself saved (its event log), not what
the shop or staff did by other means: each order once for each time the shop
sent it, for the panel that answered (an answer saved before migration 00032,
for the integration the order names now). No figure counts over all finished
orders, so stats stays cheap on a shop with millions of them.

Each integration is shown with the beginning of its id, which --integration
of list and balance takes as well as its name.

Then what zwatch learned of each panel, which check-pending plans from
unless given --schedule: what it rests on (completions; the PIN profile
until a panel has enough; a check-pending run without --schedule refits
each panel every 5 minutes at most), when its orders finish (median, 95th
percentile, the share that never does), when the plan asks first, and the
time to PIN and requests per order the plan gives, with a small histogram of
that time, and how long after sending the plan asks about an order that stays
waiting: when an order will be asked next, up to --give-up-after (give the
one cron uses, as for --first-delay: the plan is made for both).

Then the last check-pending runs, newest first: start, duration, orders asked,
completed and without an answer (errors), exit status, host, and a note: why
a run failed, which panels were failing, and whose orders it took over: a
run killed (or whose host was lost) records nothing of itself, and the run
that found its claims lapsed names it ("took over 12 orders of a run
killed? (4242/1f0c9a3e)": its process id on the host shown, or its whole
id on another host; "a run held up, ended later" where it recorded itself
after all, stopped or paused past its lease; "a check --order killed or
held up" for a check's claim). Dry runs are not recorded; runs are kept
for 30 days, and at most 25000 of them.`,
		Example: `  zwatch stats
  zwatch stats --runs 30
  zwatch stats -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runStats(c.Context(), opts)
		},
	}
	f := c.Flags()
	intFlag(f, &opts.Runs, "runs", 10, "last check-pending runs shown; 0 shows none")
	f.DurationVar(&opts.FirstDelay, "first-delay", watch.DefaultConfig().FirstDelay, "check-pending's --first-delay, for counting the orders due now and for the plan")
	f.DurationVar(&opts.GiveUpAfter, "give-up-after", watch.DefaultConfig().GiveUpAfter, "check-pending's --give-up-after, for the plan")
	addOutputFlag(c, &opts.Output, "output format")
	return c
}

// statsReport is stats' JSON output.
type statsReport struct {
	Integrations []store.OrderStats `json:"integrations"`
	Total        store.OrderStats   `json:"total"`
	Runs         []runLine          `json:"runs"`
	Learned      []learnedLine      `json:"learned"`
}

type runLine struct {
	store.Run
	Seconds float64 `json:"duration_seconds"`
}

func runStats(ctx context.Context, opts *StatsOptions) error {
	if opts.Runs < 0 {
		return usage("--runs must not be negative")
	}
	// check-pending's --first-delay and --give-up-after, held to what
	// check-pending takes.
	cfg := watch.DefaultConfig()
	cfg.FirstDelay, cfg.GiveUpAfter = opts.FirstDelay, opts.GiveUpAfter
	if err := cfg.Validate(); err != nil {
		return configUsage(err)
	}
	return opts.withStoreReading(ctx, func(st *store.Store) (func() error, error) {
		integrations, total, err := st.OrderStats(ctx, store.StatsParams{
			FirstDelay: opts.FirstDelay,
			// As the default cron line, which learns: stats has no
			// --schedule (its help says what a fixed one changes).
			LearnedFirstChecks: true,
			Finished:           true,
		})
		if err != nil {
			return nil, fatal(err)
		}
		report := statsReport{Integrations: integrations, Total: total, Runs: []runLine{}}
		if opts.Runs > 0 {
			runs, err := st.LastRuns(ctx, opts.Runs)
			if err != nil {
				return nil, fatal(err)
			}
			for _, r := range runs {
				// JSON's times in UTC, as every command's: the database
				// hands them over in its session's time zone.
				r.StartedAt, r.FinishedAt = r.StartedAt.UTC(), r.FinishedAt.UTC()
				report.Runs = append(report.Runs, runLine{Run: r, Seconds: r.FinishedAt.Sub(r.StartedAt).Seconds()})
			}
		}
		if report.Learned, err = learnedPanels(ctx, st, opts, integrations); err != nil {
			return nil, fatal(err)
		}
		return func() error {
			return render(opts.IO.Out, opts.Output, report, func() error { return printStats(opts, report) })
		}, nil
	})
}

func printStats(opts *StatsOptions, r statsReport) error {
	out := opts.IO.Out
	name := func(s store.OrderStats) string {
		if !s.Enabled {
			return s.Name + " (disabled)"
		}
		return s.Name
	}

	fmt.Fprintln(out, "Waiting for znet")
	t := newFigureTable(out, "INTEGRATION", "ID", "SENT", "PENDING", "PROCESSING", "DUE", "AGE P50", "AGE P95", "OLDEST", "STUCK", "PAUSED")
	for _, s := range r.Integrations {
		t.Append(name(s), shortID(s.IntegrationID), s.Sent, s.Pending, s.Processing, s.Due, seconds(s.AgeMedian), seconds(s.AgeP95), seconds(s.AgeOldest), s.Stuck, s.Paused)
	}
	tot := r.Total
	t.Footer("total", "", tot.Sent, tot.Pending, tot.Processing, tot.Due, seconds(tot.AgeMedian), seconds(tot.AgeP95), seconds(tot.AgeOldest), tot.Stuck, tot.Paused)
	if err := t.Render(); err != nil {
		return err
	}

	fmt.Fprintln(out, "\nFinished, as zwatch saw it")
	t = newFigureTable(out, "INTEGRATION", "ID", "COMPLETED 1H", "COMPLETED 24H", "FAILED 1H", "FAILED 24H", "TO COMPLETE P50")
	for _, s := range r.Integrations {
		t.Append(name(s), shortID(s.IntegrationID), s.Completed1h, s.Completed24h, s.Failed1h, s.Failed24h, seconds(s.ToComplete))
	}
	t.Footer("total", "", tot.Completed1h, tot.Completed24h, tot.Failed1h, tot.Failed24h, seconds(tot.ToComplete))
	if err := t.Render(); err != nil {
		return err
	}

	if err := printLearned(out, r.Learned); err != nil {
		return err
	}

	if opts.Runs == 0 {
		return nil
	}
	fmt.Fprintln(out, "\nLast runs of check-pending")
	if len(r.Runs) == 0 {
		fmt.Fprintln(out, "none recorded yet")
		return nil
	}
	t = newTable(out, "started", "took", "asked", "completed", "errors", "exit", "host", "note")
	for _, run := range r.Runs {
		note := run.Error // a failure, or failing panels, say more than how the run stopped
		if note == "" && run.StoppedBy != "" {
			note = "stopped by " + run.StoppedBy
		}
		// What it took over first: a run that died tells of itself nowhere
		// else, and a long note is cut.
		note = strings.Join(slices.DeleteFunc([]string{tookOverNote(run.TookOver, run.Host), countsFirst(note)}, func(s string) bool { return s == "" }), "; ")
		took := time.Duration(run.Seconds * float64(time.Second)).Round(time.Millisecond)
		t.Append(shownTime(run.StartedAt), took, run.Asked, run.Completed, run.Errors,
			run.ExitStatus, run.Host, ellipsis(note, 50))
	}
	return t.Render()
}

// tookOverNote names the runs a run took orders over from, their claims
// lapsed (store.Run.TookOver): a killed run records nothing of itself, so
// this is where a person sees that one was; one that recorded itself
// later was stopped or held up past its lease. Which it was comes before
// the run's id, which a long note cuts; a run of the same host is named by
// its process id and the rest of its id, the host being in the table's
// column.
func tookOverNote(tookOver []store.TakenOver, host string) string {
	var parts []string
	for _, t := range tookOver {
		id, which := t.RunID, "a run killed?"
		if watch.IsCheckClaim(id) {
			// check --order records no run: held up or killed, it cannot
			// tell.
			id, which = strings.TrimPrefix(id, watch.CheckClaimPrefix), "a check --order killed or held up"
		}
		if rest, ok := strings.CutPrefix(id, host+"/"); ok {
			id = rest
		}
		if t.RecordedItself {
			which = "a run held up, ended later"
		}
		parts = append(parts, fmt.Sprintf("%s of %s (%s)", counted(t.Orders, "order", "orders"), which, id))
	}
	if len(parts) == 0 {
		return ""
	}
	return "took over " + strings.Join(parts, ", ")
}

// countsFirst is a run's note for the table's narrow cell: what else made
// the run exit 3 ("2 orders became stuck") before its failing panels,
// named without their ids. The note lists the panels first, with ids, and
// a long panel name cut the counts off.
func countsFirst(note string) string {
	panels, ok := strings.CutPrefix(note, watch.FailingNotePrefix)
	if !ok {
		return note
	}
	var names, rest []string
	for _, part := range strings.Split(panels, "; ") {
		if i := strings.LastIndex(part, " ("); i > 0 && strings.HasSuffix(part, ")") {
			names = append(names, part[:i])
		} else {
			rest = append(rest, part)
		}
	}
	return strings.Join(append(rest, "failing: "+strings.Join(names, ", ")), "; ")
}

// newFigureTable is newTable for headers with figures in them, shown as
// written: the automatic formatting would turn "P95" into "P 95".
func newFigureTable(w io.Writer, header ...any) *table {
	t := newTable(w)
	t.Options(tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header(header...)
	return t
}

// seconds shows an age or a duration in seconds as statsTime does; nothing
// when there was nothing to measure.
func seconds(s *float64) string {
	if s == nil {
		return "-"
	}
	if math.Abs(*s) >= math.MaxInt64/float64(time.Second) {
		return "centuries"
	}
	return statsTime(time.Duration(*s * float64(time.Second)))
}

// statsTime is age to the second under an hour, two parts always (45s,
// 1m52s, 3h05m, 2d4h): age's whole minutes showed 112 s as 1m and a p99 of
// 339 s as 5m, where a minute is a third of the figure.
func statsTime(d time.Duration) string {
	if d == math.MinInt64 || d == math.MaxInt64 {
		return age(d)
	}
	d = d.Round(time.Second)
	switch {
	case d < 0 && d > -time.Hour:
		return "in " + statsTime(-d)
	case d >= time.Minute && d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return age(d)
}

// learnedLine is one panel in stats' section on what zwatch learned
// (issue 11).
type learnedLine struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	watch.PanelReport
}

// shownName is the panel's name as its row and its histogram show it.
func (l learnedLine) shownName() string {
	if !l.Enabled {
		return l.Name + " (disabled)"
	}
	return l.Name
}

// learnedPanels is what zwatch learned of each integration, from the last
// fits the runs saved, and what the plan made from it promises.
func learnedPanels(ctx context.Context, st *store.Store, opts *StatsOptions, integrations []store.OrderStats) ([]learnedLine, error) {
	ids := make([]string, len(integrations))
	for i, in := range integrations {
		ids[i] = in.IntegrationID
	}
	cfg := watch.DefaultConfig()
	cfg.FirstDelay, cfg.GiveUpAfter = opts.FirstDelay, opts.GiveUpAfter
	reports, err := watch.ReportPanels(ctx, st, cfg, ids)
	if err != nil {
		return nil, err
	}
	lines := make([]learnedLine, len(reports))
	for i, r := range reports {
		lines[i] = learnedLine{Name: integrations[i].Name, Enabled: integrations[i].Enabled, PanelReport: roundedShares(r)}
	}
	return lines, nil
}

// roundedShares is r with its shares (never finishing, the histogram's)
// to 4 decimals: a fit in which every order finishes has a share of 1 less
// float rounding never finishing, which -o json showed as 1.1e-16.
func roundedShares(r watch.PanelReport) watch.PanelReport {
	r.Never = roundedShare(r.Never)
	if r.Histogram != nil {
		h := make([]float64, len(r.Histogram))
		for i, share := range r.Histogram {
			h[i] = roundedShare(share)
		}
		r.Histogram = h
	}
	return r
}

func roundedShare(v float64) float64 {
	v = math.Round(v*1e4) / 1e4
	if v == 0 {
		return 0 // not -0, which JSON writes so
	}
	return v
}

// learnedFrom says what a panel's fit rests on.
func learnedFrom(l learnedLine) string {
	// A panel's cancellations are final answers the fit rests on too:
	// one that cancels all it gets has no completion, and a fit.
	own := counted(l.Completions, "completion", "completions")
	if cancelled := l.Finals - l.Completions; cancelled > 0 {
		own += fmt.Sprintf(" + %d cancelled", cancelled)
	}
	// Orders given up on say only that they finished late, if at all:
	// a panel whose every order was given up on has history, but nothing
	// the fit can rest on.
	if l.GaveUp > 0 {
		own += fmt.Sprintf(", %d given up on", l.GaveUp)
	}
	switch {
	case l.OwnWeight >= 1:
		return own
	case l.OwnWeight > 0:
		return own + " + PIN profile"
	case l.Finals > watch.MinFinalsToLearn:
		// Enough answers that do not tell the panel apart from the PIN
		// profile, or that never saw an order waiting (all final at
		// their first check): they say only that orders finish by then.
		return fmt.Sprintf("PIN profile (%s: not told apart from it)", own)
	case l.Finals > 0 || l.GaveUp > 0:
		return fmt.Sprintf("PIN profile (%s: too few)", own)
	}
	// No fit saved yet: runs that plan from what they learned (not those
	// given --schedule) refit every few minutes.
	return "PIN profile (not learned yet)"
}

// printLearned shows, per panel, what zwatch learned of its finishing
// times, what it rests on, and the time to PIN its plan gives, with a
// small histogram of that time.
func printLearned(out io.Writer, lines []learnedLine) error {
	if len(lines) == 0 {
		return nil
	}
	fmt.Fprintln(out, "\nWhat zwatch learned of each panel (without --schedule, check-pending plans from it)")
	t := newFigureTable(out, "INTEGRATION", "ID", "LEARNED FROM", "FINISHES P50", "P95", "NEVER", "FIRST ASK",
		"TO PIN P50", "P95", "P99", "REQUESTS/ORDER")
	for _, l := range lines {
		t.Append(l.shownName(), shortID(l.IntegrationID), learnedFrom(l), secondsOf(l.FinishMedian), secondsOf(l.FinishP95), fmt.Sprintf("%.0f%%", 100*l.Never),
			secondsOf(watch.Figure(l.FirstCheck)), secondsOf(l.ToPIN.Median), secondsOf(l.ToPIN.P95), secondsOf(l.ToPIN.P99),
			fmt.Sprintf("%.1f", l.ToPIN.RequestsPerOrder))
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, l := range lines {
		if l.Completions == 0 && l.Finals > 0 && l.OwnWeight > 0 {
			fmt.Fprintf(out, "%s: none of its final answers was a PIN: its times are to a final answer (a cancellation)\n", inLine(l.shownName()))
		}
	}
	for _, l := range lines {
		fmt.Fprintf(out, "\n%s: time to PIN, as planned\n", inLine(l.shownName()))
		if l.Histogram == nil {
			fmt.Fprintln(out, "  none: by what zwatch learned, this panel's orders finish only after it gives up on them")
			continue
		}
		lower := "0"
		for i, share := range l.Histogram {
			label := "more"
			if i < len(watch.ToPINBins) {
				label = lower + "-" + compactSeconds(watch.ToPINBins[i])
				lower = compactSeconds(watch.ToPINBins[i])
			}
			fmt.Fprintf(out, "  %-9s %-30s %3.0f%%\n", label, strings.Repeat("#", int(math.Round(30*share))), 100*share)
		}
	}
	for _, l := range lines {
		if len(l.Checks) == 0 {
			continue
		}
		// A disabled integration's orders are paused: none is asked.
		when := ""
		if !l.Enabled {
			when = "once it is enabled, "
		}
		fmt.Fprintf(out, "\n%s: %san order still waiting is asked this long after it was sent: %s\n", inLine(l.shownName()), when, checksInWords(l.Checks))
	}
	return nil
}

// shownChecks is how many of a plan's checks stats names: those of the
// first minutes, where a person wonders why an order was not asked yet.
const shownChecks = 8

// checksInWords names a plan's first checks and sums up the rest.
func checksInWords(checks []float64) string {
	var named []string
	for _, c := range checks[:min(len(checks), shownChecks)] {
		named = append(named, seconds(&c))
	}
	if rest := len(checks) - len(named); rest > 0 {
		last := checks[len(checks)-1]
		return fmt.Sprintf("%s, then %d more, the last at %s, before zwatch gives up on it", strings.Join(named, ", "), rest, seconds(&last))
	}
	return strings.Join(named, ", ")
}

// secondsOf shows a time in seconds as seconds does, "-" for none.
func secondsOf(s watch.Figure) string {
	if s.None() {
		return "-"
	}
	v := float64(s)
	return seconds(&v)
}

func compactSeconds(s float64) string {
	switch {
	case s >= 60 && math.Mod(s, 60) == 0:
		return fmt.Sprintf("%.0fm", s/60)
	}
	return fmt.Sprintf("%.0fs", s)
}
