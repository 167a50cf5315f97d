package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
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
	loopGiven   bool // --loop was on the command line
}

func newCheckPendingCmd(g *GlobalOptions) *cobra.Command {
	opts := &CheckPendingOptions{GlobalOptions: g, Config: watch.DefaultConfig()}
	c := &cobra.Command{
		Use:   "check-pending",
		Short: "Ask znet about due orders and save their status and PIN (the cron job)",
		Long: `Claim due znet orders, a bounded batch at a time, for --loop (58s), ask
znet about each one, and save the answers to the shop's database. This is
the job cron runs every minute; --loop 0 claims once, and again as
answers free room while more is due, and ends when nothing due is left
(or at --max-duration).

An order is asked about when its externalStatus is sent, pending or
processing, the shop's own status is still pending, it belongs to an enabled
znet integration and it has a referans. It is due --first-delay after it was
sent (a learned panel's plan may choose its own first check), then when its
dealer panel's plan says: zwatch learns from its own
history how long each panel takes to finish orders, and asks where a PIN is
most likely waiting, every 30 minutes at least. Given --schedule, it follows
that instead, after each wait of --schedule (with 10% jitter).

Runs may overlap, on one host or many: each claims its orders in one short
transaction (FOR UPDATE SKIP LOCKED) and no order is asked about by two runs
at once. A claim lapses by itself if a run dies.

What an answer does to the order:
  done       externalStatus completed, pinCode, completedAt, durationMs,
             status approved, approvedAt, providerMessage, lastMessage,
             lastSyncAt
  waiting    externalStatus processing, providerMessage, lastSyncAt; asked
             again later
  cancelled  externalStatus failed, providerMessage, lastSyncAt (the refund
             is the shop's job)
  error      nothing on the order; recorded in zwatch's table, asked again later
A change the shop or a person made meanwhile always wins, a final state is
never moved back and a PIN is never overwritten: an order that already
holds a PIN other than znet's keeps it, and the run names it (exit 3).

After --give-up-after of polling an order zwatch stops asking, marks it stuck
and says so in lastMessage; time during which the order's panel was failing
does not count, and 'zwatch retry --stuck' brings stuck orders back. After 3
integration-level faults in a row on different orders (empty body, HTML page,
unreachable panel, no answer within --timeout, a server error, a page that is
not znet's) an integration's remaining orders are released unasked for this
run. A panel that refuses the requests ("3|...") about 3 orders in a row
that it had not refused before, in this run and the last hour's, and
answers nothing else is reported failing too, but not cut off: its
orders' give-up clocks run on.

Every run but a dry run is recorded in zwatch_runs, for 'zwatch stats'. On a
terminal the run shows its progress on stderr. With --metrics-file it leaves
Prometheus metrics for node_exporter's textfile collector, also when it fails
(the file's directory is checked before the run starts):
  zwatch_last_run_timestamp_seconds, zwatch_last_run_duration_seconds,
  zwatch_last_run_exit_status         the run itself
  zwatch_last_run_orders{result}      completed, processing, failed, error,
                                      overtaken, skipped, stuck, cut_short
  zwatch_integration_up               0 the run reported the panel failing
                                      (cut off, or no answer while orders
                                      kept failing, or only refusals of 3
                                      orders not refused before, or
                                      failing before and no answer since),
                                      1 otherwise
  zwatch_pending_orders, zwatch_oldest_pending_order_age_seconds
                                      the orders zwatch still asks about
  zwatch_stuck_orders                 the orders zwatch gave up on
  zwatch_paused_orders                waiting orders of disabled integrations,
                                      which zwatch does not ask about
The per-panel ones are labelled integration_id and integration.

How long a run lasts: it claims newly due orders every --tick until --loop
has passed, and asks what it claimed, at the pace --rate allows, until
--max-duration: a --loop shorter than --max-duration leaves it time to
finish a large backlog. Nothing new is asked after --max-duration (orders
not yet asked are released for the next run), and requests in flight then
get up to --timeout. The defaults (loop and max-duration 58s) fit a cron
line that starts a run every minute.

With -q a run prints only what a person should read: once, a panel that
starts failing, orders that became stuck, and a panel that answers again;
in every run while it lasts, answers the database would not take, answers
zwatch could not use, orders released for want of their panel's budget,
and due orders whose row of zwatch_order_checks another transaction holds;
in the run that asks it again, an order whose row the shop has held for
over 10 minutes. A panel that was already
failing in the last run that asked it (of the last 30) is not reported
again (the exit status stays 3 until it answers again; zwatch stats shows
it).

Exit status: 0 the run completed (errors on single orders are normal);
1 fatal; 2 usage error; 3 the run completed but an integration is failing,
orders became stuck (or had a PIN too long for the shop's column, codes
too many for it, or a referans another order carries), an order already
held a PIN other than
znet's, znet cancelled an order holding a PIN, a shop transaction has held
an order's row for over 10 minutes (said in the run that asks it), another
transaction holds a due order's row of zwatch_order_checks, some of znet's
answers could not be
saved or used (an unknown status, a done answer cut short, a corrupt
PIN), or a panel's request budget could not be reserved; a --dry-run exits as
the run it foresees would. SIGINT, SIGTERM or SIGHUP
stop it cleanly: nothing more is claimed, requests in flight are cancelled
and unasked orders are released.`,
		Example: `  # what cron runs every minute (crontab.example)
  zwatch check-pending -q --metrics-file /var/lib/node_exporter/textfile/zwatch.prom

  # ask about the orders due until none is, then stop, with a summary
  zwatch check-pending --loop 0

  # see what would change, write nothing
  zwatch check-pending --dry-run --batch 20

  # a gentler pace for every panel: give all of the shop's runs, cron's
  # too, the same --rate (a slower one holds the others back)
  zwatch check-pending --per-integration 2 --rate 1`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.loopGiven = c.Flags().Changed("loop")
			// A schedule the operator gives is followed as given.
			opts.Config.Learn = !c.Flags().Changed("schedule")
			return runCheckPending(c.Context(), opts)
		},
	}
	cfg := &opts.Config
	f := c.Flags()
	intFlag(f, &cfg.Batch, "batch", cfg.Batch, "orders the run holds at once at most (claimed, not yet answered), and at most 32 per --concurrency slot;\n"+
		"it claims more as they are answered. Orders behind a slow or failing panel, or one with a backlog, count\n"+
		"apart, up to another --batch of them (README, \"One run\")")
	intFlag(f, &cfg.Concurrency, "concurrency", cfg.Concurrency, "requests to znet in flight at most, in total (1 to 1000)")
	intFlag(f, &cfg.PerIntegration, "per-integration", cfg.PerIntegration, "requests in flight at most per znet integration (one dealer panel; 1 to 1000)")
	f.Var((*rateValue)(&cfg.Rate), "rate", "requests per second at most per integration, by every run on every host together (a --dry-run keeps it by itself, on top), from 0.1 to 1000; 0 is unlimited")
	f.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "time one request to znet may take, from 1s to 2m")
	f.DurationVar(&cfg.MaxDuration, "max-duration", cfg.MaxDuration, "ask nothing new after this long, from 1s to 24h; requests in flight get --timeout to finish")
	f.DurationVar(&cfg.FirstDelay, "first-delay", cfg.FirstDelay, "wait this long after an order was sent before asking about it the first time, at most 30m (a learned panel's plan may choose otherwise)")
	f.DurationVar(&cfg.GiveUpAfter, "give-up-after", cfg.GiveUpAfter, "stop asking about an order this long after zwatch first asked, and mark it stuck; from 1s to 720h (30 days)")
	opts.Schedule = cfg.Schedule.String()
	f.Var(scheduleValue{&opts.Schedule}, "schedule", "follow these waits between checks of one order, comma-separated; the last repeats.\n"+
		"Without it zwatch learns each panel and plans its checks, starting from the PIN schedule\n"+cfg.Schedule.String()+" (README, \"The schedule\"); giving that schedule turns learning off")
	// Leaving the flag out is not the same as giving the PIN schedule
	// (learning is on): help must not print it as the flag's default.
	f.Lookup("schedule").DefValue = ""
	f.Float64Var(&cfg.TimeScale, "time-scale", 0, "benchmarks only: time passes this many times faster than the clock")
	_ = f.MarkHidden("time-scale")
	f.DurationVar(&cfg.Loop, "loop", cfg.Loop, "claim newly due orders every --tick this long (claimed orders are still asked after it, "+
		"until --max-duration); 0 takes what is due now, claiming again as answers free room while more is, "+
		"and stops; a dry run reads up to --batch due orders once; the default is cut to a shorter --max-duration")
	f.DurationVar(&cfg.Tick, "tick", cfg.Tick, "how often a looping run looks for newly due orders, at least 100ms (each look also takes those falling due before the next, asked at their time)")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "ask znet and print what would change; write nothing, claim nothing")
	addOutputFlag(c, &opts.Output, "summary format")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing unless something needs a person (for cron): a panel failing once; answers\n"+
		"not saved or not used, and orders released for want of budget, in every run while they last; with -o json too")
	f.StringVar(&opts.MetricsFile, "metrics-file", "", "after the run, write Prometheus metrics to this file for node_exporter's textfile collector\n(a name ending in .prom, e.g. /var/lib/node_exporter/textfile/zwatch.prom), replacing it atomically")
	return c
}

// config is the run's watch.Config, its flags checked and --loop's default
// resolved.
func (opts *CheckPendingOptions) config() (watch.Config, error) {
	schedule, err := watch.ParseSchedule(opts.Schedule)
	if err != nil {
		// The flag refuses such a value as it is given (scheduleValue):
		// this is for options a caller of the package filled in itself,
		// said as the flag says it.
		return watch.Config{}, usage("--schedule was given %q: %w", ellipsis(opts.Schedule, 60), err)
	}
	cfg := opts.Config
	cfg.Schedule = schedule
	if !opts.loopGiven {
		// The default loop fits the default run; a run given a shorter
		// --max-duration loops that long.
		cfg.Loop = min(cfg.Loop, cfg.MaxDuration)
	}
	validate := func(cfg watch.Config) error {
		err := cfg.Validate()
		var fe *watch.FieldError
		if errors.As(err, &fe) && fe.Field == "Loop" && fe.Other == "Tick" && !opts.loopGiven {
			// The operator gave --tick, not --loop: say it of --tick.
			return usage("--tick %s must be at most --loop, which is %s (%s by default, no longer than --max-duration)",
				cfg.Tick, cfg.Loop, watch.DefaultLoop)
		}
		if err != nil {
			return configUsage(err)
		}
		return nil
	}
	if cfg.DryRun && !opts.loopGiven {
		// Checked first as the run it foresees: a cron line whose --tick
		// that run refuses is refused with --dry-run too (helper-351).
		foreseen := cfg
		foreseen.DryRun = false
		if err := validate(foreseen); err != nil {
			return watch.Config{}, err
		}
		cfg.Loop = 0 // a dry run asks once
	}
	if err := validate(cfg); err != nil {
		return watch.Config{}, err
	}
	return cfg, nil
}

// errStoppedBeforeTheRun is a signal (a service stopped, a deploy) that came
// while check-pending connected: it exits as a run stopped early would,
// not as a fault an alert on the exit status should page for.
var errStoppedBeforeTheRun = &exitError{code: ExitOK,
	err: errors.New("check-pending was stopped by a signal before the run began: nothing was claimed, and the next run takes over")}

func runCheckPending(ctx context.Context, opts *CheckPendingOptions) error {
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	if err := opts.checkMetricsFile(); err != nil {
		return err
	}
	var progress *progressLine
	logTo := opts.IO.ErrOut
	if opts.IO.Terminal && !opts.IO.DumbTerminal && !opts.Quiet {
		progress = newProgressLine(opts.IO.ErrOut, cfg)
		logTo = progress
	}
	logger, err := opts.loggerTo(logTo, opts.Quiet)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	started := time.Now()

	failedBeforeTheRun := func(err error) error {
		if signalled(ctx, err) {
			err = errStoppedBeforeTheRun
		}
		return opts.finishRun(ctx, cfg, nil, started, nil, err)
	}
	st, err := opts.openStore(ctx)
	if err != nil {
		return failedBeforeTheRun(err)
	}
	defer st.Close()
	before, err := opts.readBeforeTheRun(ctx, st, cfg, progress != nil && cfg.Loop == 0)
	if err != nil {
		return failedBeforeTheRun(err)
	}
	after := &afterTheRun{st: st, giveUp: opts.readGiveUp}
	cfg.UnansweredBefore = before.unanswered
	cfg.RefusedBefore = before.refused

	if progress != nil {
		progress.start(before.due)
		cfg.Progress = progress.show
	}
	summary, err := watch.Run(ctx, st, cfg)
	if progress != nil {
		progress.end()
	}
	if summary == nil {
		return opts.finishRun(ctx, cfg, after, started, nil, fatal(err))
	}
	logger.Info("run finished", "run", summary.RunID, "asked", summary.Total.Asked,
		"completed", summary.Total.Completed, "errors", summary.Total.Errors,
		"took", summary.Duration.Round(time.Millisecond))
	previous := before.previous
	if !summary.DryRun {
		turn, reread, ok := opts.takeReportTurn(ctx, after, cfg)
		defer giveUpReportTurn(ctx, after, cfg, turn) // once the run is recorded (finishRun)
		if ok {
			previous = reread
		}
	}
	news := compareWithPrevious(previous, summary)
	ran := &ranRun{summary: summary, news: news}
	if len(news.carried) > 0 {
		ran.orders, ran.ordersRead = news.forgetPanelsNobodyWaitsOn(ctx, after, cfg, err != nil), true
	}
	if werr := writeSummary(opts, summary, news, err); werr != nil && err == nil {
		err = werr
	}
	switch {
	case err != nil:
		err = fatal(err)
	case summary.NeedsAttention(), len(news.carried) > 0:
		// A panel that failed in the last run and did not answer in this
		// one (too few of its orders were due to cut it off again, or
		// none) still fails: an alert on the exit status must not clear.
		err = attention
	}
	return opts.finishRun(ctx, cfg, after, started, ran, err)
}

// writeSummary prints the run's summary: always without -q, and with -q
// only when a person has something to read (runNews.worthSaying: a panel
// that started failing or answers again, stuck orders, answers not saved
// or not usable, PINs kept, orders released for want of budget; or runErr
// after the run did something: a run that did nothing is its error's one
// line).
func writeSummary(opts *CheckPendingOptions, s *watch.Summary, news runNews, runErr error) error {
	didSomething := s.Total != (watch.Counts{})
	if opts.Quiet && !news.worthSaying(s) && (runErr == nil || !didSomething) {
		return nil
	}
	out := opts.IO.Out
	if opts.Output == formatJSON {
		// Its start in UTC, as every command's JSON writes times, not in
		// the host's zone.
		inUTC := *s
		inUTC.StartedAt = s.StartedAt.UTC()
		return writeJSON(out, pendingJSON{Summary: &inUTC, StillFailing: news.stillFailing()})
	}
	if s.DryRun {
		// Its notes below read as a run's ("order … is stuck"): this line
		// says whose.
		fmt.Fprintln(out, "dry run: nothing was written; below is what a real run would do and say")
	}
	t := newTable(out, "integration", "id", "asked", "completed", "processing", "failed", "errors", "skipped", "stuck", "state")
	for _, in := range s.Integrations {
		state := "ok"
		if _, still := news.carried[in.ID]; in.Failing || still {
			state = "FAILING"
		}
		t.Append(in.Name, shortID(in.ID), in.Asked, in.Completed, in.Processing, in.Failed, in.Errors, in.Skipped, in.Stuck, state)
	}
	tot := s.Total
	t.Footer("total", "", tot.Asked, tot.Completed, tot.Processing, tot.Failed, tot.Errors, tot.Skipped, tot.Stuck, "")
	if err := t.Render(); err != nil {
		return err
	}
	for _, note := range summaryNotes(s, news) {
		fmt.Fprintln(out, note)
	}
	fmt.Fprintf(out, "run %s took %s\n", s.RunID, s.Duration.Round(time.Millisecond))
	if err := outputErr(out); err != nil {
		// Before the run is recorded: its record and metrics say exit 1 too.
		return fmt.Errorf("writing the output: %w", err)
	}
	return nil
}

// summaryNotes are the lines under the summary's table: what a person
// should know of the run, each in a sentence that says what to do.
func summaryNotes(s *watch.Summary, news runNews) []string {
	tot := s.Total
	var notes []string
	if tot.Overtaken > 0 {
		notes = append(notes, fmt.Sprintf("%s decided by the shop or staff, or taken by another run, while this one asked; %s kept",
			counted(tot.Overtaken, "order was", "orders were"), byCount(tot.Overtaken, "its change was", "their change was")))
	}
	if s.StoppedBy != "" {
		note := "stopped early by " + s.StoppedBy
		if s.ClaimsLeft == 0 {
			note += "; unasked orders were released"
		}
		notes = append(notes, note)
	}
	if tot.CutShort > 0 {
		notes = append(notes, fmt.Sprintf("%s cut short (a signal, or the process stopped while they waited), which the panel may have answered: %s asked again",
			counted(tot.CutShort, "request was", "requests were"), byCount(tot.CutShort, "its order is", "their orders are")))
	}
	if s.ClaimsLeft > 0 {
		// The database went away before they could be handed back.
		notes = append(notes, fmt.Sprintf("%s could not be handed back to the next runs (see the error): %s within %s",
			counted(s.ClaimsLeft, "order", "orders"), byCount(s.ClaimsLeft, "its claim lapses by itself", "their claims lapse by themselves"), watch.ClaimLease))
	}
	for _, t := range s.TookOver {
		if watch.IsCheckClaim(t.RunID) {
			notes = append(notes, fmt.Sprintf("took over %s from a check --order (%s), whose %s lapsed: that check was killed, lost its host or its database, or was stopped or held up past its lease",
				counted(t.Orders, "order", "orders"), inLine(t.RunID), byCount(t.Orders, "claim on it had", "claims on them had")))
			continue
		}
		notes = append(notes, fmt.Sprintf("took over %s from run %s, whose %s lapsed: that run was killed (OOM, a timeout's SIGKILL), lost its host or its database, or was stopped or held up past its lease; zwatch stats shows whether it recorded itself later, and that host's logs say why",
			counted(t.Orders, "order", "orders"), inLine(t.RunID), byCount(t.Orders, "claim on it had", "claims on them had")))
	}
	for _, in := range s.FailingIntegrations() {
		still := ""
		if !news.newlyFailing[in.ID] {
			still = " still"
		}
		notes = append(notes, fmt.Sprintf("integration %s is%s failing: %s", inLine(in.Name), still, in.Reason))
	}
	for _, in := range news.stillFailing() {
		notes = append(notes, fmt.Sprintf("integration %s is still failing: it failed in an earlier run and has not answered since (%s)", inLine(in.Name), in.Reason))
	}
	for _, in := range s.Integrations {
		if in.NoBudget > 0 {
			notes = append(notes, fmt.Sprintf("integration %s: %s not asked because its request budget could not be reserved for %s or more (see the warning): the database was failing, restarting or read-only, another transaction held its row in zwatch_panel_budgets, or the role lacks its grants there", inLine(in.Name), counted(in.NoBudget, "order was", "orders were"), watch.BudgetGiveUp))
		}
	}
	for _, name := range news.recovered {
		notes = append(notes, fmt.Sprintf("integration %s answers again", inLine(name)))
	}
	notes = aLineEach(notes, s.StuckOrders, func(id string) string {
		if i := slices.IndexFunc(s.SharedReferans, func(sr watch.SharedReferans) bool { return sr.OrderID == id }); i >= 0 {
			return fmt.Sprintf("order %s is stuck: %s", namedOrder(s, id), store.SharedReferansProblem(s.SharedReferans[i].Other))
		}
		if i := slices.IndexFunc(s.PINTaken, func(v watch.PINTaken) bool { return v.OrderID == id }); i >= 0 {
			taken := s.PINTaken[i].Taken()
			if taken.SameAs != "" {
				// With its referans, to ask znet whose the PIN is.
				taken.SameAsCalled = namedOrder(s, taken.SameAs)
			}
			return fmt.Sprintf("order %s is stuck: %s", namedOrder(s, id), taken.Problem())
		}
		if slices.Contains(s.PINTooLong, id) {
			return fmt.Sprintf("order %s is stuck: znet's PIN does not fit the shop's pinCode column and was not saved; deliver it by hand from the dealer panel", namedOrder(s, id))
		}
		if slices.Contains(s.CodesTooMany, id) {
			return fmt.Sprintf("order %s is stuck: %s, and the PIN may be one of them, so none was saved; deliver them by hand from the dealer panel", namedOrder(s, id), store.CodesTooManyProblem)
		}
		if i := slices.IndexFunc(s.StuckUnusable, func(u watch.UnusableAnswer) bool { return u.OrderID == id }); i >= 0 {
			return fmt.Sprintf("order %s is stuck: znet's answers could not be used up to the give-up time (%s); check it on the dealer panel", namedOrder(s, id), s.StuckUnusable[i].Reason)
		}
		return fmt.Sprintf("order %s is stuck: no final answer after the give-up time; check it on the dealer panel", namedOrder(s, id))
	}, func(more int) string {
		return fmt.Sprintf("%s stuck in this run: zwatch list --stuck lists them all, and why", counted(more, "more order became", "more orders became"))
	})
	notes = aLineEach(notes, s.PINKept, func(id string) string {
		return fmt.Sprintf("order %s already held a PIN other than the one znet completed it with: its own was kept, znet's not written and the order not approved; compare them on the dealer panel", namedOrder(s, id))
	}, func(more int) string {
		return fmt.Sprintf("%s already held a PIN other than znet's, which was kept, %s not approved: %s \"lastMessage\" says so; compare the PINs on the dealer panel",
			counted(more, "more order", "more orders"), byCount(more, "the order", "the orders"), byCount(more, "its", "each one's"))
	})
	notes = aLineEach(notes, s.PINNotStored, func(id string) string {
		return fmt.Sprintf("order %s: the shop's database took znet's completion but stored no PIN, or only its beginning (a trigger of the shop's that keeps \"pinCode\" blank, moves the PIN elsewhere, which belongs AFTER UPDATE, or cuts it): make sure the customer has the PIN, from the dealer panel", namedOrder(s, id))
	}, func(more int) string {
		return fmt.Sprintf("%s completed without the PIN whole in %s: zwatch list --completed shows %s, %s last error beginning \"PIN not stored whole\"; make sure %s has the PIN, from the dealer panel",
			counted(more, "more order was", "more orders were"), byCount(more, "its row", "their rows"), byCount(more, "it", "them"), byCount(more, "its", "their"),
			byCount(more, "the customer", "each customer"))
	})
	notes = aLineEach(notes, s.ShopHeld, func(id string) string {
		return fmt.Sprintf("order %s: a transaction of the shop has held its row for over %s, so znet's answer cannot be saved; end that transaction (pg_stat_activity), or let zwatch's role update the order under row-level security", namedOrder(s, id), watch.ShopHeldAlarm)
	}, func(more int) string {
		return fmt.Sprintf("%s held by a transaction of the shop for over %s, %s unsaved: end that transaction (pg_stat_activity)",
			counted(more, "more order's row is", "more orders' rows are"), watch.ShopHeldAlarm, byCount(more, "its answer", "their answers"))
	})
	notes = aLineEach(notes, s.RowHeld, func(id string) string {
		return fmt.Sprintf("order %s is due, but another transaction holds its row of zwatch_order_checks, so no run can claim it: it is not asked about, nor given up on, until that transaction ends; end it (pg_stat_activity: state 'idle in transaction')", namedOrder(s, id))
	}, func(more int) string {
		return fmt.Sprintf("%s due, held by another transaction in zwatch_order_checks, and not asked about: end that transaction (pg_stat_activity)",
			counted(more, "more order is", "more orders are"))
	})
	notes = aLineEach(notes, s.CancelledHoldingPIN, func(id string) string {
		return fmt.Sprintf("order %s was cancelled at znet but holds a PIN (delivered by hand?): it is marked failed; check it on the dealer panel before refunding", namedOrder(s, id))
	}, func(more int) string {
		return fmt.Sprintf("%s cancelled at znet while holding a PIN, and marked failed: %s \"lastMessage\" says so; check %s on the dealer panel before refunding",
			counted(more, "more order was", "more orders were"), byCount(more, "its", "each one's"), byCount(more, "it", "them"))
	})
	for _, group := range unusableByReason(s) {
		it := "it is asked again on its schedule, and ends stuck if znet keeps answering so: check it on the dealer panel"
		if group.many {
			it = "they are asked again on their schedule, and end stuck if znet keeps answering so: check them on the dealer panel"
		}
		notes = append(notes, fmt.Sprintf("%s: znet's answer could not be used (%s); %s", group.orders, group.reason, it))
	}
	switch {
	case len(s.Unsaved) > 0 && s.UnsavedLocked == len(s.Unsaved):
		notes = append(notes, fmt.Sprintf("%d of znet's answers could not be saved: another transaction held a lock %s statements needed all the while "+
			"(the shop's LOCK TABLE, a migration, VACUUM FULL, or a person's transaction left open on zwatch_order_checks?); %s asked again", len(s.Unsaved), byCount(len(s.Unsaved), "its", "their"), byCount(len(s.Unsaved), "its order is", "their orders are")))
	case len(s.Unsaved) > 0:
		notes = append(notes, fmt.Sprintf("%d of znet's answers could not be saved, and %s asked again: the error lines on stderr say why (the database gone, or a statement it refused); if a refusal repeats, check the role's grants and the database's log", len(s.Unsaved), byCount(len(s.Unsaved), "its order is", "their orders are")))
	}
	// A line each, however many: their ids are nowhere else once the
	// run's mail is read.
	for _, id := range s.Unconfirmed {
		notes = append(notes, fmt.Sprintf("order %s: the connection to the database broke as znet's answer was committed, and whether the commit was made cannot be told: "+
			"the database may have the answer (and what it said, a stuck order or a PIN kept, no run says), or the shop changed the order meanwhile, "+
			"or it is asked again: check it (zwatch list --order %s)", namedOrder(s, id), id))
	}
	for _, ch := range s.Changes {
		pin := ""
		if ch.PIN {
			pin = " with PIN"
		}
		notes = append(notes, fmt.Sprintf("would change order %s: %s -> %s%s", namedOrder(s, ch.OrderID), ch.From, ch.To, pin))
	}
	return notes
}

// scheduleValue is --schedule's text, each value of it read as a schedule
// when given: a wrapper's --schedule after the cron line's takes its place,
// but the cron line's must be a schedule too, as --rate's must be a number.
type scheduleValue struct{ text *string }

func (v scheduleValue) String() string { return *v.text }
func (v scheduleValue) Type() string   { return "string" }

func (v scheduleValue) Set(s string) error {
	if _, err := watch.ParseSchedule(s); err != nil {
		return err
	}
	*v.text = s
	return nil
}
