package cmd

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// learnedLine is one panel in stats' section on what zwatch learned
// (issue 11).
type learnedLine struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	watch.PanelReport
}

// learnedPanels is what zwatch learned of each integration, from the last
// fits the runs saved, and what the plan made from it promises.
func learnedPanels(ctx context.Context, st *store.Store, opts *StatsOptions, integrations []store.OrderStats) ([]learnedLine, error) {
	ids := make([]string, len(integrations))
	for i, in := range integrations {
		ids[i] = in.IntegrationID
	}
	cfg := watch.DefaultConfig()
	cfg.FirstDelay = opts.FirstDelay
	reports, err := watch.ReportPanels(ctx, st, cfg, ids)
	if err != nil {
		return nil, err
	}
	lines := make([]learnedLine, len(reports))
	for i, r := range reports {
		lines[i] = learnedLine{Name: integrations[i].Name, Enabled: integrations[i].Enabled, PanelReport: r}
	}
	return lines, nil
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
		// A panel's cancellations are final answers the fit rests on too:
		// one that cancels all it gets has no completion, and a fit.
		own := fmt.Sprintf("%d completions", l.Completions)
		if cancelled := l.Finals - l.Completions; cancelled > 0 {
			own += fmt.Sprintf(" + %d cancelled", cancelled)
		}
		from := "PIN profile (no history yet)"
		switch {
		case l.OwnWeight >= 1:
			from = own
		case l.OwnWeight > 0:
			from = own + " + PIN profile"
		case l.Finals > 0:
			from = fmt.Sprintf("PIN profile (%s: too few)", own)
		}
		name := l.Name
		if !l.Enabled {
			name += " (disabled)"
		}
		t.Append(name, shortID(l.IntegrationID), from, secondsOf(l.FinishMedian), secondsOf(l.FinishP95), fmt.Sprintf("%.0f%%", 100*l.Never),
			secondsOf(watch.Figure(l.FirstCheck)), secondsOf(l.ToPIN.Median), secondsOf(l.ToPIN.P95), secondsOf(l.ToPIN.P99),
			fmt.Sprintf("%.1f", l.ToPIN.RequestsPerOrder))
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintf(out, "\n%s: time to PIN, as planned\n", inLine(l.Name))
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
	return nil
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
