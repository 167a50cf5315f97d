package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/zwatch/zwatch/pkg/metrics"
	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// What check-pending leaves behind besides the shop's orders: a row in
// zwatch_runs, the metrics file, and a progress line for a person watching.

// reportGrace bounds recording a run that was stopped by a signal: what it
// did is still worth a row and a metrics file, but not a hang.
const reportGrace = 10 * time.Second

// checkMetricsFile refuses a --metrics-file that cannot work, before the run
// touches anything.
func (opts *CheckPendingOptions) checkMetricsFile() error {
	if opts.MetricsFile == "" {
		return nil
	}
	if opts.Config.DryRun {
		return usage("--dry-run writes nothing, so it cannot write --metrics-file")
	}
	dir := filepath.Dir(opts.MetricsFile)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usage("--metrics-file %s: the directory %s does not exist", opts.MetricsFile, dir)
	}
	return nil
}

// finishRun records the run in zwatch_runs and writes the metrics file, and
// returns err, the error check-pending exits with. st and summary are nil when
// the run could not start. Failing to record is logged but does not change
// the exit status: the orders were handled all the same.
func (opts *CheckPendingOptions) finishRun(ctx context.Context, cfg watch.Config, st *store.Store, started time.Time, summary *watch.Summary, err error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reportGrace)
	defer cancel()
	status := exitStatus(err)
	logger := cfg.Logger

	if summary != nil && !summary.DryRun {
		if rerr := st.RecordRun(ctx, summary.Record(status, err)); rerr != nil {
			logger.Warn("the run could not be recorded for zwatch stats", "err", rerr)
		}
	}
	if opts.MetricsFile == "" {
		return err
	}
	m := metrics.Run{Started: started, Finished: time.Now(), ExitStatus: status, Summary: summary}
	if summary != nil {
		orders, _, serr := st.OrderStats(ctx, store.StatsParams{FirstDelay: cfg.FirstDelay})
		if serr != nil {
			logger.Warn("pending orders are left out of the metrics file", "err", serr)
		}
		m.Orders = orders
	}
	werr := metrics.WriteFile(opts.MetricsFile, m)
	switch {
	case werr == nil:
	case err == nil:
		return fatal(werr)
	default:
		logger.Error("the metrics file was not written", "err", werr)
	}
	return err
}

// progressLine shows a long run's count on a terminal, rewriting one line;
// done ends it before the summary is printed.
func progressLine(w io.Writer) (show func(watch.Progress), done func()) {
	shown := false
	show = func(p watch.Progress) {
		shown = true
		fmt.Fprintf(w, "\r  asked %d/%d", p.Done, p.Claimed)
	}
	done = func() {
		if shown {
			fmt.Fprint(w, "\r\033[K") // erase the line
		}
	}
	return show, done
}
