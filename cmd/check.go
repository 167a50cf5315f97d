package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
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
		Use:   "check --order REF",
		Short: "Ask znet about one order now and apply the answer, or show a final order",
		Long: `Ask znet about one order now, whatever its schedule, and apply the answer
exactly as check-pending would. It prints what znet said and what changed.
It leaves giving up to check-pending's --give-up-after: an order still
waiting stays pending (one check-pending gave up on stays stuck), unless it
was first asked longer ago than the longest --give-up-after, 30 days.

The order is named the way a customer or 'zwatch list' names it: its order
number (1010), the beginning of its id (9b84a6d1, at least 4 hex digits, 8
if they are all digits, which are read as an order number otherwise) or its
whole id. A reference that fits more than one order lists them.

An order that is already final is not asked about: check shows what the shop
holds of it (status, PIN, when it completed, znet's last message). Any other
order zwatch must not ask about (unknown, decided by staff, not a znet order,
disabled integration, no referans) is explained in one line, and nothing is
asked or written. The PIN is masked (••••-GH78) unless --show-pin is given.

Exit status: 0 znet was asked (whatever it answered, see the output); 1
fatal (an answer the database would not take is shown first, its PIN
masked; a database that leaves a statement unanswered is given up 2 minutes
and --timeout after connecting, a signal or not, and the line says whether
znet was asked); 2 the order reference is malformed or fits several orders;
3 znet could not be asked (a signal stopping the request too) or gave no
usable answer, its PIN (or a top-up's codes) does not fit, its PIN
differs from the one the order already holds (which is kept), znet
cancelled an order holding a PIN,
another order carries the same referans, a shop transaction held the
order's row so the answer was not saved (try again in a moment), a
trigger of the shop's left the row unwritten, or the order is held for a
person because its PIN was another order's (nothing but a cancellation is
saved: 'zwatch retry --stuck' is the decision to save it); 4 the order is not zwatch's
to ask about (a final order's facts are shown, and it exits 4 all the
same), or another run or check is asking znet about it right now (try again
in a minute; the line says by when its claim lapses).`,
		Example: `  zwatch check --order 1010
  zwatch check --order 9b84a6d1 --show-pin
  zwatch check --order 3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44 --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runCheck(c.Context(), opts)
		},
	}
	f := c.Flags()
	nameFlag(f, &opts.OrderID, "order", "the order: its number, the beginning of its id, or its id; required")
	f.DurationVar(&opts.Timeout, "timeout", watch.DefaultConfig().Timeout, "time the request to znet may take, from 1s to 2m")
	f.BoolVar(&opts.DryRun, "dry-run", false, "ask znet and print what would change; write nothing")
	f.BoolVar(&opts.ShowPIN, "show-pin", false, "print the PIN in full (it is the customer's secret)")
	addOutputFlag(c, &opts.Output, "output format")
	return c
}

// checkReport is check's JSON output.
type checkReport struct {
	OrderID     string `json:"order_id,omitempty"`
	Order       string `json:"order,omitempty"` // the reference as typed, when no order has it
	OrderNo     *int64 `json:"order_no,omitempty"`
	NotPollable string `json:"not_pollable,omitempty"`
	Integration string `json:"integration,omitempty"`
	Referans    string `json:"referans,omitempty"`
	Answer      string `json:"answer,omitempty"` // waiting, done, cancelled or error
	PIN         string `json:"pin,omitempty"`    // masked unless --show-pin
	Description string `json:"description,omitempty"`
	Error       string `json:"error,omitempty"`
	NotSent     bool   `json:"request_not_sent,omitempty"` // the error kept the request from leaving
	TookMs      *int64 `json:"took_ms,omitempty"`          // set when the request left, 0 when znet answered within 1ms
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	Written     bool   `json:"written"`
	PINSaved    bool   `json:"pin_saved"` // the order holds znet's PIN
	// PINWouldBeSaved: a dry run's pin_saved, which stays false as
	// nothing was written.
	PINWouldBeSaved bool `json:"pin_would_be_saved"`
	Overtaken       bool `json:"overtaken"`
	GaveUp          bool `json:"gave_up"`
	PINTooLong      bool `json:"pin_too_long"`
	// CodesTooMany: a top-up's words name more codes than the shop's
	// providerMessage holds whole; nothing of the answer was saved.
	CodesTooMany bool `json:"codes_too_many"`
	// SharedWith: another order of the integration carries the same
	// referans; znet's answer was not saved to this one.
	SharedWith string `json:"shared_referans_with,omitempty"`
	// UniqueIndexRefused names the shop's unique index on "pinCode" that
	// refused the completion (another order holds its PIN); nothing of it
	// was saved.
	UniqueIndexRefused string `json:"unique_index_refused,omitempty"`
	// SamePINAs is the order zwatch saved the PIN znet gave this one on
	// before; nothing of the completion was saved.
	SamePINAs string `json:"same_pin_as,omitempty"`
	// SamePINSavedBefore: zwatch saved it there before, not in this check.
	SamePINSavedBefore bool `json:"same_pin_saved_before,omitempty"`
	// taken is the hold as the store words it, for the text.
	taken   store.Taken
	PINKept bool `json:"pin_kept"`
	// PINNotStored: completed, and the shop's database stored no PIN, or
	// only its beginning.
	PINNotStored bool   `json:"pin_not_stored,omitempty"`
	NotSaved     string `json:"not_saved,omitempty"`
	Stopped      bool   `json:"stopped,omitempty"` // a signal cut the request short; nothing recorded
	DryRun       bool   `json:"dry_run"`
	// Final is what the shop holds of an order that was already final;
	// znet was not asked.
	Final *finalOrder `json:"final,omitempty"`
}

// finalOrder is a final order as the shop's row tells it.
type finalOrder struct {
	Status          string     `json:"status"`
	ExternalStatus  string     `json:"external_status"`
	PIN             string     `json:"pin,omitempty"` // masked unless --show-pin
	SentAt          *time.Time `json:"sent_at,omitempty"`
	CompletedAt     *time.Time `json:"completed_at,omitempty"`
	LastSyncAt      *time.Time `json:"last_sync_at,omitempty"`
	ProviderMessage string     `json:"provider_message,omitempty"`
	// ZwatchNote is a note zwatch left in "lastMessage" (a PIN other than
	// the order's own, one held back): what a person still has to do.
	ZwatchNote string `json:"zwatch_note,omitempty"`
}

func runCheck(ctx context.Context, opts *CheckOptions) error {
	if opts.OrderID == "" {
		return usage("--order is required: the order's number, the beginning of its id, or its id")
	}
	ref, err := parseOrderRef("--order", opts.OrderID)
	if err != nil {
		return err
	}
	if err := requireTimeout(opts.Timeout); err != nil {
		return err
	}
	// What a check given up on says of how far it got: checking is when
	// the order went to CheckOrder, which may claim it; asked, whether the
	// request to znet left.
	var (
		checking atomic.Pointer[time.Time]
		asked    atomic.Bool
	)
	// A signal does not shorten the wait: the work ends in saving znet's
	// answer, which a Ctrl-C must not cut short (a second one ends zwatch).
	limit := cmp.Or(opts.readGiveUp, readHangs) + opts.Timeout
	return opts.withStoreAwaited(ctx, context.WithoutCancel(ctx), limit, func(st *store.Store) func() error {
		id, err := resolveOrder(ctx, st, "--order", opts.OrderID, ref)
		if errors.Is(err, errNoSuchOrder) {
			report := checkReport{Order: opts.OrderID, NotPollable: fmt.Sprintf("order %s does not exist: %s", opts.OrderID, noSuchOrder(opts.OrderID, ref))}
			return func() error { return opts.finish(report, &watch.OrderCheck{NotPollable: report.NotPollable}) }
		}
		if err != nil {
			return func() error { return err }
		}
		cfg := watch.DefaultConfig()
		cfg.Timeout = opts.Timeout
		// When to stop polling an order is the cron line's
		// --give-up-after, which check cannot know: with check's own 24h,
		// a look by hand at an order a 72h line still polls gave it up,
		// and its PIN waited for retry --stuck. check gives up only where
		// any run would have: past the longest --give-up-after.
		cfg.GiveUpAfter = watch.MaxGiveUpAfter
		cfg.DryRun = opts.DryRun
		cfg.Asking = func() { asked.Store(true) }
		now := time.Now()
		checking.Store(&now)
		check, err := watch.CheckOrder(ctx, st, cfg, id)
		return func() error { return opts.conclude(id, check, err) }
	}, func() string {
		since := checking.Load()
		switch {
		case since == nil:
			return "znet was not asked, and nothing was written"
		case opts.DryRun && !asked.Load():
			return "znet was not asked, and a dry run writes nothing"
		case opts.DryRun:
			return "znet was asked, and what it answered was not printed; a dry run writes nothing"
		}
		claim := claimLapses(time.Since(*since), watch.CheckLease(opts.Timeout), opts.OrderID)
		if !asked.Load() {
			return "znet was not asked; " + claim
		}
		return "znet was asked, and what it answered was not printed and may or may not have been saved; " + claim
	})
}

// claimLapses says by when a claim check may have taken on the order
// lapses, elapsed since it may have been taken, and what to do then.
func claimLapses(elapsed, lease time.Duration, order string) string {
	then := fmt.Sprintf("zwatch check --order %s shows what the order holds, asking znet again if it must", order)
	if left := lease - elapsed; left > 0 {
		return fmt.Sprintf("a claim this check may hold on the order lapses within %s, and %s", left.Round(time.Second), then)
	}
	return "any claim this check took on the order has lapsed: " + then
}

// conclude prints what CheckOrder saw and did, and ends with check's exit
// status.
func (opts *CheckOptions) conclude(id string, check *watch.OrderCheck, err error) error {
	if settingsErr := (*watch.PanelSettingsError)(nil); errors.As(err, &settingsErr) {
		// znet could not be asked, as when it does not answer: the
		// integration's row needs a person, the database is fine. JSON
		// says so as for a panel that did not answer; the line on
		// stderr is for a person.
		if opts.Output == formatJSON {
			report := opts.report(id, check)
			report.Answer, report.Error = "error", err.Error()
			if err := writeJSON(opts.IO.Out, report); err != nil {
				return err
			}
		}
		return &exitError{code: ExitAttention, err: err}
	}
	if err != nil {
		if check != nil && check.NotSaved != "" {
			// znet answered and its answer could not be saved: the
			// operator sees what it said before the error that stops us.
			_ = opts.finish(opts.report(id, check), check)
		}
		return fatal(err)
	}
	return opts.finish(opts.report(id, check), check)
}

// report is what check tells of the order, the PIN masked unless asked.
func (opts *CheckOptions) report(id string, check *watch.OrderCheck) checkReport {
	state := check.State
	report := checkReport{
		OrderID: id, OrderNo: state.OrderNo, NotPollable: check.NotPollable, Integration: check.Integration,
		Referans: state.Referans, From: check.From, To: check.To, Written: check.Written,
		PINSaved: check.PINSaved, PINWouldBeSaved: check.WouldSavePIN, Overtaken: check.Overtaken, GaveUp: check.GaveUp, PINTooLong: check.PINTooLong, CodesTooMany: check.CodesTooMany, PINKept: check.PINKept, PINNotStored: check.PINNotStored, SharedWith: check.SharedWith,
		UniqueIndexRefused: check.Taken.Index, SamePINAs: check.Taken.SameAs, SamePINSavedBefore: check.Taken.Before, taken: check.Taken,
		NotSaved: check.NotSaved, Stopped: check.Stopped, DryRun: check.DryRun,
	}
	if state.ExternalStatus == "completed" || state.ExternalStatus == "failed" {
		pin := ""
		if state.PIN != nil {
			pin = *state.PIN
		}
		final := &finalOrder{
			Status: state.Status, ExternalStatus: state.ExternalStatus, PIN: pinShown(pin, opts.ShowPIN),
			SentAt: inUTC(state.SentAt), CompletedAt: inUTC(state.CompletedAt), LastSyncAt: inUTC(state.LastSyncAt),
		}
		if state.ProviderMessage != nil {
			final.ProviderMessage = *state.ProviderMessage
			if !opts.ShowPIN {
				final.ProviderMessage = watch.HideStoredMessage(final.ProviderMessage, pin)
			}
		}
		final.ZwatchNote = state.ZwatchNote()
		report.Final = final
	}
	if check.NotPollable == "" {
		if !check.NotAsked() {
			took := check.Took.Milliseconds()
			report.TookMs = &took
		}
		if check.Err != nil {
			report.Answer, report.Error, report.NotSent = "error", check.Err.Error(), check.NotAsked()
		} else {
			report.Answer = check.Answer.Status.String()
			report.PIN = pinShown(check.Answer.PIN, opts.ShowPIN)
			report.Description = check.Answer.Description
			if !opts.ShowPIN {
				report.Description = check.Description()
			}
		}
	}
	return report
}

// finish prints the report and ends with check's exit status. Why an order
// was not asked, with no final order's facts to follow, is a line on
// stderr, as bad input's is: a script that keeps stdout only keeps the
// exit status and loses nothing it could read.
func (opts *CheckOptions) finish(report checkReport, check *watch.OrderCheck) error {
	if check.NotPollable != "" && report.Final == nil && opts.Output != formatJSON {
		return &exitError{code: ExitNotPollable, err: errors.New(inLine(check.NotPollable))}
	}
	if err := render(opts.IO.Out, opts.Output, report, func() error {
		printCheck(opts, report)
		return nil
	}); err != nil {
		return err
	}
	switch {
	case check.NotPollable != "":
		return &exitError{code: ExitNotPollable, err: errors.New("")}
	case check.Err != nil, check.PINTooLong, check.CodesTooMany, check.PINKept, check.PINNotStored, check.SharedWith != "", check.NotSaved != "", check.Taken.Held():
		return attention
	}
	return nil
}

func printCheck(opts *CheckOptions, r checkReport) {
	out := opts.IO.Out
	if r.Final != nil {
		printFinal(opts, r)
		return
	}
	fmt.Fprintf(out, "order %s, integration %s, referans %s\n", store.OrderCalled(r.OrderID, r.OrderNo), inLine(r.Integration), inLine(r.Referans))
	var took int64 // milliseconds; an order asked about has them
	if r.TookMs != nil {
		took = *r.TookMs
	}
	if r.Stopped {
		fmt.Fprintf(out, "stopped by a signal after %dms, before znet answered: nothing was recorded, and the next run asks again\n", took)
		return
	}
	switch {
	case r.NotSent:
		fmt.Fprintf(out, "znet was not asked: %s\n", r.Error)
	case r.Error != "":
		fmt.Fprintf(out, "no usable answer from znet after %dms: %s\n", took, r.Error)
	default:
		line := "znet: " + r.Answer
		if r.PIN != "" {
			line += ", PIN " + inLine(r.PIN)
		}
		if r.Description != "" {
			line += fmt.Sprintf(", %q", r.Description)
		}
		fmt.Fprintf(out, "%s (after %dms)\n", line, took)
	}
	verb := "changed"
	if r.DryRun {
		verb = "would change"
	}
	switch {
	case r.NotSaved != "":
		fmt.Fprintln(out, "unchanged: "+r.NotSaved)
	case r.Overtaken:
		fmt.Fprintln(out, "unchanged: the shop or staff changed the order meanwhile, or another run or check took it, and their change was kept")
	case r.From != r.To || r.PINSaved:
		line := fmt.Sprintf("%s: externalStatus %s -> %s", verb, r.From, r.To)
		switch {
		case r.PINKept && r.To == "completed":
			line += ", the order's own PIN kept, not approved"
		case r.PINKept:
		case r.PINSaved || r.PINWouldBeSaved:
			line += ", PIN saved, status approved"
		case r.PINNotStored:
			line += ", status approved, PIN not stored whole"
		}
		fmt.Fprintln(out, line)
	case r.Error != "" && r.DryRun && r.GaveUp:
		fmt.Fprintln(out, "unchanged: a dry run records nothing; a real check would record the error in zwatch's table")
	case r.Error != "" && r.DryRun:
		fmt.Fprintln(out, "unchanged: a dry run records nothing; a real check would record the error in zwatch's table and ask again later")
	case r.Error != "" && r.GaveUp:
		// The line below says it is not asked again.
		fmt.Fprintln(out, "unchanged: the error was recorded in zwatch's table")
	case r.Error != "":
		fmt.Fprintln(out, "unchanged: the error was recorded in zwatch's table and the order will be asked again")
	default:
		fmt.Fprintf(out, "unchanged: externalStatus stays %s\n", r.To)
	}
	if r.SharedWith != "" {
		fmt.Fprintln(out, store.SharedReferansProblem(r.SharedWith))
	}
	if r.taken.Held() {
		fmt.Fprintln(out, r.taken.Problem())
	}
	if r.PINTooLong {
		fmt.Fprintln(out, "znet's PIN does not fit the shop's pinCode column: it was not saved and the order not approved; deliver it by hand from the dealer panel")
	}
	if r.CodesTooMany {
		fmt.Fprintln(out, store.CodesTooManyProblem+", and the PIN may be one of them: none was saved and the order not approved; deliver them by hand from the dealer panel")
	}
	switch {
	case r.PINKept && r.To == "failed":
		fmt.Fprintln(out, "the order holds a PIN (delivered by hand?) although znet cancelled it: check it on the dealer panel before refunding")
	case r.PINKept:
		fmt.Fprintln(out, "the order already held a PIN other than znet's: its own was kept, znet's not written and the order not approved; compare them on the dealer panel")
	case r.PINNotStored:
		fmt.Fprintln(out, "the shop's database took the completion but stored no PIN, or only its beginning (a trigger of the shop's that keeps \"pinCode\" blank, moves the PIN elsewhere or cuts it): make sure the customer has the PIN, from the dealer panel")
	}
	switch {
	case r.GaveUp && r.DryRun:
		// A dry run marks nothing: the order may be stuck already, or a
		// real check would make it so.
		fmt.Fprintln(out, "zwatch has given up on this order, or a real check would: stuck, it is no longer asked about by check-pending (`zwatch retry --stuck` puts it back)")
	case r.GaveUp:
		fmt.Fprintln(out, "zwatch has given up on this order: it is marked stuck and no longer asked about by check-pending (`zwatch retry --stuck` puts it back)")
	}
}

// printFinal shows what the shop holds of a final order; znet was not asked.
func printFinal(opts *CheckOptions, r checkReport) {
	out, f := opts.IO.Out, r.Final
	fmt.Fprintln(out, inLine(r.NotPollable))
	line := fmt.Sprintf("order %s, integration %s, referans %s: %s", store.OrderCalled(r.OrderID, r.OrderNo), inLine(r.Integration), inLine(r.Referans), f.ExternalStatus)
	if f.PIN != "" {
		line += ", PIN " + inLine(f.PIN)
	}
	fmt.Fprintln(out, line)
	when := func(what string, at *time.Time) {
		if at != nil {
			fmt.Fprintf(out, "  %-12s %s\n", what, shownTime(*at))
		}
	}
	when("sent", f.SentAt)
	when("completed", f.CompletedAt)
	when("last asked", f.LastSyncAt)
	fmt.Fprintf(out, "  %-12s %s\n", "shop status", inLine(f.Status))
	if f.ProviderMessage != "" {
		fmt.Fprintf(out, "  %-12s %q\n", "znet said", f.ProviderMessage)
	}
	if f.ZwatchNote != "" {
		fmt.Fprintf(out, "  %-12s %s\n", "zwatch said", inLine(f.ZwatchNote))
	}
}
