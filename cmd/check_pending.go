package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/watch"
)

// CheckPendingOptions are `zwatch check-pending`'s flags.
type CheckPendingOptions struct {
	*GlobalOptions
	Config      watch.Config
	Schedule    string
	Output      string
	Quiet       bool
	MetricsFile string
}

func newCheckPendingCmd(g *GlobalOptions) *cobra.Command {
	opts := &CheckPendingOptions{GlobalOptions: g, Config: watch.DefaultConfig()}
	c := &cobra.Command{
		Use:   "check-pending",
		Short: "Ask znet about due orders and save their status and PIN (the cron job)",
		Long: `Take a bounded batch of due znet orders, ask znet about each one, and save
the answers to the shop's database. This is the job cron runs.

An order is asked about when its externalStatus is sent, pending or
processing, the shop's own status is still pending, it belongs to an enabled
znet integration and it has a referans. It is due --first-delay after it was
sent, then when its dealer panel's plan says: zwatch learns from its own
history how long each panel takes to finish orders, and asks where a PIN is
most likely waiting, every 30 minutes at least. Given --schedule, it follows
that instead, after each wait of --schedule (with 10% jitter).

Runs may overlap, on one host or many: each claims its orders in one short
transaction (FOR UPDATE SKIP LOCKED) and no order is asked about by two runs
at once. A claim lapses by itself if a run dies.

What an answer does to the order:
  done       externalStatus completed, pinCode, completedAt, durationMs,
             status approved, approvedAt, providerMessage, lastMessage
  waiting    externalStatus processing, providerMessage; asked again later
  cancelled  externalStatus failed, providerMessage (the refund is the shop's job)
  error      nothing on the order; recorded in zwatch's table, asked again later
A change the shop or a person made meanwhile always wins, a final state is
never moved back and a PIN is never overwritten.

After --give-up-after of polling an order zwatch stops asking, marks it stuck
and says so in lastMessage. After 3 integration-level faults in a row (empty
body, HTML page, unreachable panel) an integration's remaining orders are
released unasked for this run.

Every run but a dry run is recorded in zwatch_runs, for 'zwatch stats'. On a
terminal the run shows its progress on stderr. With --metrics-file it leaves
Prometheus metrics for node_exporter's textfile collector, also when it fails:
  zwatch_last_run_timestamp_seconds, zwatch_last_run_duration_seconds,
  zwatch_last_run_exit_status         the run itself
  zwatch_last_run_orders{result}      completed, processing, failed, error,
                                      overtaken, skipped, stuck
  zwatch_integration_up{integration}  1 panel answered, 0 cut off as failing
  zwatch_pending_orders, zwatch_oldest_pending_order_age_seconds,
  zwatch_stuck_orders{integration}    the waiting orders after the run

Exit status: 0 the run completed (errors on single orders are normal);
1 fatal; 2 usage error; 3 the run completed but an integration is failing or
orders became stuck. SIGINT/SIGTERM stop it cleanly: nothing more is claimed,
requests in flight are cancelled and unasked orders are released.`,
		Example: `  # what cron runs every 2 minutes
  zwatch check-pending -q --max-duration 100s

  # see what would change, write nothing
  zwatch check-pending --dry-run --batch 20

  # a gentler pace for a fragile dealer panel
  zwatch check-pending --per-integration 2 --rate 1`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			// A schedule the operator gives is followed as given.
			opts.Config.Learn = !c.Flags().Changed("schedule")
			return runCheckPending(c.Context(), opts)
		},
	}
	cfg := &opts.Config
	f := c.Flags()
	f.IntVar(&cfg.Batch, "batch", cfg.Batch, "orders claimed at most per run (with --loop: in the run at once)")
	f.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "requests to znet in flight at most, in total")
	f.IntVar(&cfg.PerIntegration, "per-integration", cfg.PerIntegration, "requests in flight at most per znet integration (one dealer panel)")
	f.Float64Var(&cfg.Rate, "rate", 0, "requests per second at most per integration; 0 is unlimited")
	f.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "time one request to znet may take")
	f.DurationVar(&cfg.MaxDuration, "max-duration", cfg.MaxDuration, "stop claiming after this long and finish what is in flight")
	f.DurationVar(&cfg.FirstDelay, "first-delay", cfg.FirstDelay, "wait this long after an order was sent before asking about it the first time")
	f.DurationVar(&cfg.GiveUpAfter, "give-up-after", cfg.GiveUpAfter, "stop asking about an order this long after zwatch first asked, and mark it stuck")
	f.StringVar(&opts.Schedule, "schedule", cfg.Schedule.String(), "waits between checks of one order, comma-separated; the last repeats.\nWithout it zwatch learns each panel and plans its checks (README, \"The schedule\")")
	f.Float64Var(&cfg.TimeScale, "time-scale", 0, "benchmarks only: time passes this many times faster than the clock")
	_ = f.MarkHidden("time-scale")
	f.DurationVar(&cfg.Loop, "loop", 0, "keep claiming orders as they become due until this long has passed (e.g. 58s from a once-a-minute cron); 0 claims once")
	f.DurationVar(&cfg.Tick, "tick", cfg.Tick, "with --loop: how often to look for newly due orders")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "ask znet and print what would change; write nothing, claim nothing")
	f.StringVarP(&opts.Output, "output", "o", "table", "summary format: table or json")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing unless something needs a person (for cron)")
	f.StringVar(&opts.MetricsFile, "metrics-file", "", "after the run, write Prometheus metrics to this file for node_exporter's textfile collector\n(e.g. /var/lib/prometheus/node-exporter/zwatch.prom), replacing it atomically")
	return c
}

func runCheckPending(ctx context.Context, opts *CheckPendingOptions) error {
	if err := outputFormat(opts.Output); err != nil {
		return err
	}
	schedule, err := watch.ParseSchedule(opts.Schedule)
	if err != nil {
		return usage("%v", err)
	}
	cfg := opts.Config
	cfg.Schedule = schedule
	if err := cfg.Validate(); err != nil {
		return usage("%v", err)
	}
	if err := opts.checkMetricsFile(); err != nil {
		return err
	}
	logger, err := opts.logger(opts.Quiet)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	started := time.Now()

	st, err := opts.openStore(ctx, true)
	if err != nil {
		return opts.finishRun(ctx, cfg, nil, started, nil, err)
	}
	defer st.Close()

	endProgress := func() {}
	if opts.IO.Terminal && !opts.Quiet {
		cfg.Progress, endProgress = progressLine(opts.IO.ErrOut)
	}
	summary, err := watch.Run(ctx, st, cfg)
	endProgress()
	if summary == nil {
		return opts.finishRun(ctx, cfg, st, started, nil, fatal(err))
	}
	logger.Info("run finished", "run", summary.RunID, "asked", summary.Total.Asked,
		"completed", summary.Total.Completed, "errors", summary.Total.Errors,
		"took", summary.Duration.Round(time.Millisecond))
	if !opts.Quiet || summary.NeedsAttention() || err != nil {
		if werr := writeSummary(opts, summary); werr != nil && err == nil {
			err = werr
		}
	}
	switch {
	case err != nil:
		err = fatal(err)
	case summary.NeedsAttention():
		err = attention
	}
	return opts.finishRun(ctx, cfg, st, started, summary, err)
}

func writeSummary(opts *CheckPendingOptions, s *watch.Summary) error {
	out := opts.IO.Out
	if opts.Output == "json" {
		return writeJSON(out, s)
	}
	if s.DryRun {
		fmt.Fprintln(out, "dry run: nothing was written")
	}
	t := newTable(out, "integration", "asked", "completed", "processing", "failed", "errors", "skipped", "stuck", "state")
	for _, in := range s.Integrations {
		state := "ok"
		if in.Failing {
			state = "FAILING"
		}
		t.Append(in.Name, in.Asked, in.Completed, in.Processing, in.Failed, in.Errors, in.Skipped, in.Stuck, state)
	}
	tot := s.Total
	t.Footer("total", tot.Asked, tot.Completed, tot.Processing, tot.Failed, tot.Errors, tot.Skipped, tot.Stuck, "")
	if err := t.Render(); err != nil {
		return err
	}
	var notes []string
	if tot.Overtaken > 0 {
		notes = append(notes, fmt.Sprintf("%d orders were decided by the shop or staff while zwatch asked; their change was kept", tot.Overtaken))
	}
	if s.StoppedBy != "" {
		notes = append(notes, "stopped early by "+s.StoppedBy+"; unasked orders were released")
	}
	for _, in := range s.FailingIntegrations() {
		notes = append(notes, fmt.Sprintf("integration %s is failing: %s", in.Name, in.Reason))
	}
	for _, id := range s.StuckOrders {
		notes = append(notes, fmt.Sprintf("order %s is stuck: no final answer after the give-up time; check it on the dealer panel", id))
	}
	for _, ch := range s.Changes {
		pin := ""
		if ch.PIN {
			pin = " with PIN"
		}
		notes = append(notes, fmt.Sprintf("would change order %s: %s -> %s%s", ch.OrderID, ch.From, ch.To, pin))
	}
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	fmt.Fprintf(out, "run %s took %s\n", s.RunID, s.Duration.Round(time.Millisecond))
	return nil
}
