package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/watch"
)

// CheckOptions are `zwatch check`'s flags.
type CheckOptions struct {
	*GlobalOptions
	OrderID string
	Timeout time.Duration
	DryRun  bool
	ShowPIN bool
	Output  string
}

func newCheckCmd(g *GlobalOptions) *cobra.Command {
	opts := &CheckOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "check --order ID",
		Short: "Ask znet about one order now and apply the answer",
		Long: `Ask znet about one order now, whatever its schedule, and apply the answer
exactly as check-pending would. It prints what znet said and what changed.

An order zwatch must not ask about (unknown, already final, decided by staff,
not a znet order, no referans) is explained in one line, and nothing is asked
or written. The PIN is masked (••••-GH78) unless --show-pin is given.

Exit status: 0 znet was asked (whatever it answered, see the output);
1 fatal; 2 the order id is malformed; 3 znet could not be asked or gave no
usable answer; 4 the order is not zwatch's to ask about.`,
		Example: `  zwatch check --order 3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44
  zwatch check --order 3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44 --dry-run --show-pin`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runCheck(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.OrderID, "order", "", "the order's id (product_orders.id, a UUID); required")
	f.DurationVar(&opts.Timeout, "timeout", watch.DefaultConfig().Timeout, "time the request to znet may take")
	f.BoolVar(&opts.DryRun, "dry-run", false, "ask znet and print what would change; write nothing")
	f.BoolVar(&opts.ShowPIN, "show-pin", false, "print the PIN in full (it is the customer's secret)")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return c
}

// checkReport is check's JSON output.
type checkReport struct {
	OrderID     string `json:"order_id"`
	NotPollable string `json:"not_pollable,omitempty"`
	Integration string `json:"integration,omitempty"`
	Referans    string `json:"referans,omitempty"`
	Answer      string `json:"answer,omitempty"` // waiting, done, cancelled or error
	PIN         string `json:"pin,omitempty"`    // masked unless --show-pin
	Description string `json:"description,omitempty"`
	Error       string `json:"error,omitempty"`
	TookMs      int64  `json:"took_ms,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	Written     bool   `json:"written"`
	PINSaved    bool   `json:"pin_saved"`
	Overtaken   bool   `json:"overtaken"`
	GaveUp      bool   `json:"gave_up"`
	PINTooLong  bool   `json:"pin_too_long"`
	DryRun      bool   `json:"dry_run"`
}

func runCheck(ctx context.Context, opts *CheckOptions) error {
	if opts.OrderID == "" {
		return usage("--order is required: the order's id, a UUID")
	}
	id, err := uuid.Parse(opts.OrderID)
	if err != nil {
		return usage("--order %q is not an order id (a UUID like 3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44)", opts.OrderID)
	}
	if err := outputFormat(opts.Output); err != nil {
		return err
	}
	if opts.Timeout <= 0 {
		return usage("--timeout must be positive")
	}
	st, err := opts.openStore(ctx, true)
	if err != nil {
		return err
	}
	defer st.Close()

	cfg := watch.DefaultConfig()
	cfg.Timeout = opts.Timeout
	cfg.DryRun = opts.DryRun
	check, err := watch.CheckOrder(ctx, st, cfg, id.String())
	if err != nil {
		return fatal(err)
	}
	report := checkReport{
		OrderID: id.String(), NotPollable: check.NotPollable, Integration: check.Integration,
		Referans: check.State.Referans, From: check.From, To: check.To, Written: check.Written,
		PINSaved: check.PINSaved, Overtaken: check.Overtaken, GaveUp: check.GaveUp, PINTooLong: check.PINTooLong, DryRun: check.DryRun,
	}
	asked := check.NotPollable == ""
	if asked {
		report.TookMs = check.Took.Milliseconds()
		if check.Err != nil {
			report.Answer, report.Error = "error", check.Err.Error()
		} else {
			report.Answer = check.Answer.Status.String()
			report.PIN = pinShown(check.Answer.PIN, opts.ShowPIN)
			report.Description = check.Answer.Description
			if !opts.ShowPIN {
				report.Description = watch.HidePIN(report.Description, check.Answer.PIN)
			}
		}
	}
	if opts.Output == "json" {
		if err := writeJSON(opts.IO.Out, report); err != nil {
			return fatal(err)
		}
	} else {
		printCheck(opts, report)
	}
	switch {
	case !asked:
		return &exitError{code: ExitNotPollable, err: fmt.Errorf("")}
	case check.Err != nil, check.PINTooLong:
		return attention
	}
	return nil
}

func printCheck(opts *CheckOptions, r checkReport) {
	out := opts.IO.Out
	if r.NotPollable != "" {
		fmt.Fprintln(out, r.NotPollable)
		return
	}
	fmt.Fprintf(out, "order %s, integration %s, referans %s\n", r.OrderID, r.Integration, r.Referans)
	switch {
	case r.Error != "":
		fmt.Fprintf(out, "znet: %s (after %dms)\n", r.Error, r.TookMs)
	default:
		line := "znet: " + r.Answer
		if r.PIN != "" {
			line += ", PIN " + r.PIN
		}
		if r.Description != "" {
			line += fmt.Sprintf(", %q", r.Description)
		}
		fmt.Fprintf(out, "%s (after %dms)\n", line, r.TookMs)
	}
	verb := "changed"
	if r.DryRun {
		verb = "would change"
	}
	switch {
	case r.Overtaken:
		fmt.Fprintln(out, "unchanged: the shop or staff changed the order meanwhile, and their change was kept")
	case r.From != r.To || r.PINSaved:
		line := fmt.Sprintf("%s: externalStatus %s -> %s", verb, r.From, r.To)
		if r.PINSaved || (r.DryRun && r.Answer == "done" && r.PIN != "") {
			line += ", PIN saved, status approved"
		}
		fmt.Fprintln(out, line)
	case r.Error != "":
		fmt.Fprintln(out, "unchanged: the error was recorded in zwatch's table and the order will be asked again")
	default:
		fmt.Fprintf(out, "unchanged: externalStatus stays %s\n", r.To)
	}
	if r.PINTooLong {
		fmt.Fprintln(out, "znet's PIN does not fit the shop's pinCode column: it was not saved and the order not approved; deliver it by hand from the dealer panel")
	}
	if r.GaveUp {
		fmt.Fprintln(out, "zwatch has given up on this order: it is marked stuck and no longer asked about by check-pending")
	}
}
