package cmd

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
)

// ListOptions are `zwatch list`'s flags.
type ListOptions struct {
	*GlobalOptions
	Pending, Stuck, Failed, Completed bool
	TenantID, IntegrationID           string
	Limit                             int
	ShowPIN                           bool
	Output                            string
}

func newListCmd(g *GlobalOptions) *cobra.Command {
	opts := &ListOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "list [--pending | --stuck | --failed | --completed]",
		Short: "List znet orders: waiting, stuck, failed or completed",
		Long: `List znet orders in one state, as a table an operator reads at a glance:
order number, short id, tenant, integration, external status, age since it
was sent, zwatch's attempts, next check and last error. PINs are masked
(••••-GH78) unless --show-pin is given.

  --pending    still waiting for znet, oldest first (the default)
  --stuck      zwatch gave up on them; check them on the dealer panel
  --failed     cancelled at znet, newest first
  --completed  done, newest first`,
		Example: `  zwatch list --pending --limit 20
  zwatch list --stuck --integration 7d3c1a52-0f4e-4b8a-9c6d-1e2f3a4b5c6d
  zwatch list --completed --tenant 1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9 --show-pin -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.Pending, "pending", false, "orders still waiting for znet (default)")
	f.BoolVar(&opts.Stuck, "stuck", false, "orders zwatch gave up on")
	f.BoolVar(&opts.Failed, "failed", false, "orders znet cancelled")
	f.BoolVar(&opts.Completed, "completed", false, "orders znet finished")
	c.MarkFlagsMutuallyExclusive("pending", "stuck", "failed", "completed")
	f.StringVar(&opts.TenantID, "tenant", "", "only this tenant's orders (tenant id)")
	f.StringVar(&opts.IntegrationID, "integration", "", "only this integration's orders (integration id)")
	f.IntVar(&opts.Limit, "limit", 50, "orders at most")
	f.BoolVar(&opts.ShowPIN, "show-pin", false, "print PINs in full (they are the customers' secrets)")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return c
}

// listedOrder is one order of list's JSON output.
type listedOrder struct {
	ID             string     `json:"id"`
	OrderNo        *int64     `json:"order_no,omitempty"`
	TenantID       *string    `json:"tenant_id,omitempty"`
	Integration    string     `json:"integration"`
	ExternalStatus string     `json:"external_status"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	AgeSeconds     int64      `json:"age_seconds"`
	Attempts       int        `json:"attempts"`
	NextCheckAt    *time.Time `json:"next_check_at,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	PIN            string     `json:"pin,omitempty"`
}

func runList(ctx context.Context, opts *ListOptions) error {
	state := "pending"
	switch {
	case opts.Stuck:
		state = "stuck"
	case opts.Failed:
		state = "failed"
	case opts.Completed:
		state = "completed"
	}
	if opts.Limit < 1 {
		return usage("--limit must be at least 1")
	}
	for flag, id := range map[string]string{"--tenant": opts.TenantID, "--integration": opts.IntegrationID} {
		if id == "" {
			continue
		}
		if _, err := uuid.Parse(id); err != nil {
			return usage("%s %q is not an id (a UUID)", flag, id)
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

	rows, err := st.ListOrders(ctx, store.ListFilter{
		State: state, TenantID: opts.TenantID, IntegrationID: opts.IntegrationID, Limit: opts.Limit,
	})
	if err != nil {
		return fatal(err)
	}
	now := time.Now()
	out := make([]listedOrder, len(rows))
	for i, r := range rows {
		o := listedOrder{
			ID: r.ID, OrderNo: r.OrderNo, TenantID: r.TenantID, Integration: r.Integration,
			ExternalStatus: r.ExternalStatus, SentAt: r.SentAt, Attempts: r.Attempts, NextCheckAt: r.NextCheckAt,
		}
		if r.SentAt != nil {
			o.AgeSeconds = int64(now.Sub(*r.SentAt).Seconds())
		}
		if r.LastError != nil {
			o.LastError = *r.LastError
		}
		if r.PIN != nil {
			o.PIN = pinShown(*r.PIN, opts.ShowPIN)
		}
		out[i] = o
	}
	if opts.Output == "json" {
		if err := writeJSON(opts.IO.Out, out); err != nil {
			return fatal(err)
		}
		return nil
	}
	t := newTable(opts.IO.Out, "order", "id", "tenant", "integration", "status", "age", "attempts", "next check", "last error", "pin")
	for _, o := range out {
		orderNo := ""
		if o.OrderNo != nil {
			orderNo = strconv.FormatInt(*o.OrderNo, 10)
		}
		tenant := ""
		if o.TenantID != nil {
			tenant = shortID(*o.TenantID)
		}
		next := ""
		if o.NextCheckAt != nil {
			next = age(-now.Sub(*o.NextCheckAt))
			if !o.NextCheckAt.After(now) {
				next = "due"
			}
		}
		t.Append(orderNo, shortID(o.ID), tenant, o.Integration, o.ExternalStatus,
			age(time.Duration(o.AgeSeconds)*time.Second), o.Attempts, next, ellipsis(o.LastError, 40), o.PIN)
	}
	if err := t.Render(); err != nil {
		return fatal(err)
	}
	return nil
}
