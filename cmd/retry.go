package cmd

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
)

// RetryOptions are `zwatch retry`'s flags.
type RetryOptions struct {
	*GlobalOptions
	Stuck       bool
	Integration string // a name, an id or the beginning of one
	Output      string
}

func newRetryCmd(g *GlobalOptions) *cobra.Command {
	opts := &RetryOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "retry --stuck [--integration NAME]",
		Short: "Poll orders zwatch gave up on again",
		Long: `Put the orders zwatch gave up on (stuck: no final answer within
--give-up-after) back into polling, for instance once a dealer panel that was
broken is fixed. Each is due at once, keeps its attempts, and gets a fresh
give-up clock; the event log records that it was retried.

Only orders still waiting for znet are retried: a stuck order the shop or
staff decided meanwhile stays theirs. A disabled integration's orders are
paused, not stuck, and are not retried. A stuck order a check is asking about
(zwatch check --order, or one killed while it asked: "claimed" in list
--stuck), or whose row another transaction holds, is left alone, and a line
says how many were (on stderr with -o json). The next check-pending run asks
about the rest.`,
		Example: `  zwatch list --stuck
  zwatch retry --stuck
  zwatch retry --stuck --integration znet-A`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runRetry(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.Stuck, "stuck", false, "retry the orders zwatch gave up on (required)")
	nameFlag(f, &opts.Integration, "integration", "only this integration's orders: its name, or the beginning of its id")
	addOutputFlag(c, &opts.Output, "output format")
	return c
}

func runRetry(ctx context.Context, opts *RetryOptions) error {
	if !opts.Stuck {
		return usage("say which orders to retry: --stuck")
	}
	// Set once the statement that puts the orders back is sent: read by
	// the words of a retry given up on.
	var retrying atomic.Bool
	return opts.withStoreAwaited(ctx, ctx, cmp.Or(opts.readGiveUp, readHangs), func(st *store.Store) func() error {
		var integrationID, none string
		none = "no stuck orders to retry"
		if opts.Integration != "" {
			in, err := resolveIntegration(ctx, st, "--integration", opts.Integration)
			if err != nil {
				return func() error { return err }
			}
			integrationID = in.ID
			if !in.Enabled {
				none = fmt.Sprintf("no stuck orders to retry: integration %s is disabled, and its waiting orders are paused (list --paused) until it is enabled", inLine(in.Name))
			}
		}
		retrying.Store(true)
		retried, held, err := st.RetryStuck(ctx, store.RetryStuckParams{IntegrationID: integrationID})
		if store.CommitUnconfirmed(err) {
			// The server may have made the COMMIT it never answered.
			return func() error { return fatal(fmt.Errorf("%w; %s", err, retryUnknown)) }
		}
		if err != nil {
			return func() error { return fatal(err) }
		}
		return func() error { return printRetried(opts, retried, held, none) }
	}, func() string {
		if retrying.Load() {
			return retryUnknown
		}
		return "no order was retried"
	})
}

// retryUnknown is what a retry says whose end it never heard. One
// transaction: all of them or none.
const retryUnknown = "the stuck orders may or may not have been put back into polling, all of them or none; zwatch list --stuck shows those still stuck"

// printRetried prints the orders retry put back, or none, which says why
// there were none, and how many stuck ones it left alone because a check
// held them (on stderr with -o json, whose list holds those retried).
func printRetried(opts *RetryOptions, retried []store.Retried, held int, none string) error {
	if retried == nil {
		retried = []store.Retried{}
	}
	err := render(opts.IO.Out, opts.Output, retried, func() error {
		if len(retried) == 0 {
			if held > 0 {
				return nil
			}
			_, err := fmt.Fprintln(opts.IO.Out, none)
			return err
		}
		t := newTable(opts.IO.Out, "order", "id", "integration")
		for _, o := range retried {
			orderNo := ""
			if o.OrderNo != nil {
				orderNo = strconv.FormatInt(*o.OrderNo, 10)
			}
			t.Append(orderNo, shortID(o.OrderID), o.Integration)
		}
		if err := t.Render(); err != nil {
			return err
		}
		what := fmt.Sprintf("%d stuck orders are", len(retried))
		if len(retried) == 1 {
			what = "1 stuck order is"
		}
		_, err := fmt.Fprintf(opts.IO.Out, "%s polled again from the next check-pending run\n", what)
		return err
	})
	if err != nil || held == 0 {
		return err
	}
	// Beside JSON, on stderr, it is a note as list writes one there.
	note, prefix := opts.IO.Out, ""
	if opts.Output == "json" {
		note, prefix = opts.IO.ErrOut, "zwatch: "
	}
	// Counted after the retry's statement, in a snapshot of its own: a run
	// that gave orders up meanwhile is counted here too.
	_, err = fmt.Fprintf(note, "%s%s left alone: a check is asking znet about %s now (zwatch check --order, or one killed while it asked: list --stuck shows until when), another transaction holds %s row, or a run gave %s up while this retry ran; run retry --stuck again once it ends\n",
		prefix, counted(held, "stuck order was", "stuck orders were"), byCount(held, "it", "them"), byCount(held, "its", "their"), byCount(held, "it", "them"))
	return err
}
