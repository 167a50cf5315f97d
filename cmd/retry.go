package cmd

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
)

// RetryOptions are `zwatch retry`'s flags.
type RetryOptions struct {
	*GlobalOptions
	Stuck         bool
	IntegrationID string
	Output        string
}

func newRetryCmd(g *GlobalOptions) *cobra.Command {
	opts := &RetryOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "retry --stuck [--integration ID]",
		Short: "Poll orders zwatch gave up on again",
		Long: `Put the orders zwatch gave up on (stuck: no final answer within
--give-up-after) back into polling, for instance once a dealer panel that was
broken is fixed. Each is due at once, keeps its attempts, and gets a fresh
give-up clock; the event log records that it was retried.

Only orders still waiting for znet are retried: a stuck order the shop or
staff decided meanwhile stays theirs. Orders a run is asking about right now
are left alone. The next check-pending run asks about the rest.`,
		Example: `  zwatch list --stuck
  zwatch retry --stuck
  zwatch retry --stuck --integration 7d3c1a52-0f4e-4b8a-9c6d-1e2f3a4b5c6d`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runRetry(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.Stuck, "stuck", false, "retry the orders zwatch gave up on (required)")
	f.StringVar(&opts.IntegrationID, "integration", "", "only this integration's orders (integration id)")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return c
}

func runRetry(ctx context.Context, opts *RetryOptions) error {
	if !opts.Stuck {
		return usage("say which orders to retry: --stuck")
	}
	if opts.IntegrationID != "" {
		if _, err := uuid.Parse(opts.IntegrationID); err != nil {
			return usage("--integration %q is not an id (a UUID)", opts.IntegrationID)
		}
	}
	if err := outputFormat(opts.Output); err != nil {
		return err
	}
	st, err := opts.openStore(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()

	retried, err := st.RetryStuck(ctx, store.RetryStuckParams{IntegrationID: opts.IntegrationID})
	if err != nil {
		return fatal(err)
	}
	if opts.Output == "json" {
		if retried == nil {
			retried = []store.Retried{}
		}
		if err := writeJSON(opts.IO.Out, retried); err != nil {
			return fatal(err)
		}
		return nil
	}
	if len(retried) == 0 {
		fmt.Fprintln(opts.IO.Out, "no stuck orders to retry")
		return nil
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
		return fatal(err)
	}
	fmt.Fprintf(opts.IO.Out, "%d stuck orders are polled again from the next check-pending run\n", len(retried))
	return nil
}
