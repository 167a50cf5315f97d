package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// ListOptions are `zwatch list`'s flags.
type ListOptions struct {
	*GlobalOptions
	Pending, Paused, Stuck, Failed, Completed bool
	TenantID, Integration, Order              string
	Limit                                     int
	FirstDelay                                time.Duration
	ShowPIN                                   bool
	Output                                    string
}

func newListCmd(g *GlobalOptions) *cobra.Command {
	opts := &ListOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "list [--pending | --paused | --stuck | --failed | --completed] [--order REF]",
		Short: "List znet orders: waiting, paused, stuck, failed or completed",
		Long: `List znet orders in one state, as a table an operator reads at a glance:
order number, short id, tenant, integration, external status, age since it
was sent, zwatch's attempts, next check and last error. PINs are masked
(••••-GH78) unless --show-pin is given. When more orders match than --limit
shows, a last line says how many more there are.

  --pending    still waiting for znet, oldest first (the default)
  --paused     waiting, but their integration is disabled, so zwatch does not
               ask about them until it is enabled again
  --stuck      zwatch gave up on them; check them on the dealer panel
  --failed     cancelled at znet, as zwatch found them, newest answer first
  --completed  done, as zwatch found them, newest answer first

--failed and --completed read zwatch's log of answers (the newest 10,000 of
all panels, kept 90 days; a list says how far back it read when it stopped
there), not the shop's whole history, which has no index to read them by:
an order the shop finished without zwatch, or an older one, is found with
--order.

--order finds one order the way a customer names it: its order number, the
beginning of its id, or its id; it is listed whatever its state unless a
state is given too. A sent order zwatch never asks about says why in its
status: "sent (not asked: no referans)" or "sent (not asked: handled by
staff)". --integration takes the integration's name or the beginning of
its id, and --tenant the tenant's id or its beginning.`,
		Example: `  zwatch list --pending --limit 20
  zwatch list --order 1010 --show-pin
  zwatch list --stuck --integration znet-A
  zwatch list --completed --tenant 1b2c3d4e -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.Pending, "pending", false, "orders still waiting for znet (default)")
	f.BoolVar(&opts.Paused, "paused", false, "waiting orders of disabled integrations, which zwatch does not ask about")
	f.BoolVar(&opts.Stuck, "stuck", false, "orders zwatch gave up on")
	f.BoolVar(&opts.Failed, "failed", false, "orders zwatch found cancelled at znet")
	f.BoolVar(&opts.Completed, "completed", false, "orders zwatch found done at znet")
	nameFlag(f, &opts.Order, "order", "only this order: its number, the beginning of its id, or its id")
	nameFlag(f, &opts.TenantID, "tenant", "only this tenant's orders: its id, or the beginning of it as the TENANT column shows it")
	nameFlag(f, &opts.Integration, "integration", "only this integration's orders: its name, or the beginning of its id")
	intFlag(f, &opts.Limit, "limit", 50, "orders at most")
	f.DurationVar(&opts.FirstDelay, "first-delay", watch.DefaultConfig().FirstDelay, "check-pending's --first-delay, for when the next run first asks an order (of a panel not learned yet)")
	f.BoolVar(&opts.ShowPIN, "show-pin", false, "print PINs in full (they are the customers' secrets)")
	addOutputFlag(c, &opts.Output, "output format")
	return c
}

// listedOrder is one order of list's JSON output.
type listedOrder struct {
	ID             string     `json:"id"`
	OrderNo        *int64     `json:"order_no,omitempty"`
	TenantID       *string    `json:"tenant_id,omitempty"`
	IntegrationID  string     `json:"integration_id"`
	Integration    string     `json:"integration"`
	ExternalStatus string     `json:"external_status"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	AgeSeconds     *int64     `json:"age_seconds,omitempty"` // nil: sent at an infinite time, a placeholder
	Attempts       int        `json:"attempts"`
	NextCheckAt    *time.Time `json:"next_check_at,omitempty"`
	// ClaimedUntil: a run is asking znet about the order (or was killed
	// while it did), and no other run asks before then.
	ClaimedUntil *time.Time `json:"claimed_until,omitempty"`
	GivenUpAt    *time.Time `json:"given_up_at,omitempty"` // stuck: zwatch gave up on it
	Paused       bool       `json:"paused,omitempty"`      // waiting, its integration disabled
	// NotAsked is why an order the shop has as sent is never asked about:
	// "staff" (its shop status is no longer pending) or "no_referans".
	NotAsked  string `json:"not_asked,omitempty"`
	LastError string `json:"last_error,omitempty"`
	PIN       string `json:"pin,omitempty"`
}

// state is the list the flags ask for.
func (opts *ListOptions) state() string {
	switch {
	case opts.Paused:
		return "paused"
	case opts.Stuck:
		return "stuck"
	case opts.Failed:
		return "failed"
	case opts.Completed:
		return "completed"
	case opts.Order != "" && !opts.Pending:
		return "any"
	}
	return "pending"
}

func runList(ctx context.Context, opts *ListOptions) error {
	var states []string
	for _, st := range []struct {
		flag string
		set  bool
	}{{"--pending", opts.Pending}, {"--paused", opts.Paused}, {"--stuck", opts.Stuck}, {"--failed", opts.Failed}, {"--completed", opts.Completed}} {
		if st.set {
			states = append(states, st.flag)
		}
	}
	if len(states) > 1 {
		last := len(states) - 1
		return usage("%s and %s cannot be combined: list shows one state at a time", strings.Join(states[:last], ", "), states[last])
	}
	if opts.Limit < 1 {
		return usage("--limit must be at least 1")
	}
	// Held to what check-pending takes, as stats holds it.
	cfg := watch.DefaultConfig()
	cfg.FirstDelay = opts.FirstDelay
	if err := cfg.Validate(); err != nil {
		return configUsage(err)
	}
	if opts.TenantID != "" {
		if err := checkTenantRef("--tenant", opts.TenantID); err != nil {
			return err
		}
	}
	var ref store.OrderRef
	if opts.Order != "" {
		var err error
		if ref, err = parseOrderRef("--order", opts.Order); err != nil {
			return err
		}
	}
	return opts.withStoreReading(ctx, func(st *store.Store) (func() error, error) {
		filter := store.ListFilter{State: opts.state(), Limit: opts.Limit, FirstDelay: opts.FirstDelay}
		if opts.TenantID != "" {
			tenant, err := resolveTenant(ctx, st, "--tenant", opts.TenantID)
			if err != nil {
				return nil, err
			}
			filter.TenantID = tenant
		}
		var disabledNote string
		if opts.Integration != "" {
			in, err := resolveIntegration(ctx, st, "--integration", opts.Integration)
			if err != nil {
				return nil, err
			}
			filter.IntegrationID = in.ID
			// An empty list would read as nothing waiting, or nothing stuck.
			switch {
			case in.Enabled:
			case filter.State == "pending":
				disabledNote = fmt.Sprintf("integration %s is disabled: its waiting orders are paused, not pending (list --paused)", inLine(in.Name))
			case filter.State == "stuck":
				disabledNote = fmt.Sprintf("integration %s is disabled: its waiting orders are paused, those zwatch gave up on too (list --paused)", inLine(in.Name))
			}
		}
		var matches []store.OrderMatch
		if opts.Order != "" {
			// No such order at all is bad input, and so is another
			// provider's, which no list of znet orders holds (below); one
			// that exists in another state, tenant or integration is an
			// empty list.
			var err error
			if matches, err = st.FindOrders(ctx, ref, maxNotZnetShown+1); err != nil {
				return nil, fatal(err)
			}
			if len(matches) == 0 {
				return nil, usage("--order %s: %s", opts.Order, noSuchOrder(opts.Order, ref))
			}
			filter.Order = ref
		}
		listed, err := st.ListOrders(ctx, filter)
		if err != nil {
			return nil, fatal(err)
		}
		if len(listed.Orders) == 0 && len(matches) > 0 {
			why, err := notZnetOrders(ctx, st, matches)
			if err != nil {
				return nil, err
			}
			if why != "" {
				return nil, usage("--order %s: %s", opts.Order, why)
			}
		}
		var notes []string
		if disabledNote != "" {
			notes = append(notes, disabledNote)
		}
		if len(listed.Orders) == 0 && st.RowSecurityHides(ctx) {
			// helper-285: with no policy that lets zwatch see every
			// tenant's orders, the list was empty without a word.
			notes = append(notes, "row-level security on product_orders hides every order from this role, no policy letting it read them: none is listed, nor asked about (README, Database grants)")
		}
		return func() error { return opts.print(listed, notes) }, nil
	})
}

// maxNotZnetShown is how many orders of another provider list --order
// words before it stops looking.
const maxNotZnetShown = 5

// notZnetOrders says, in check's words, why matches are in no list of znet
// orders when every one of them is another provider's (or no
// integration's); empty when one may be znet's, or when there are more
// than maxNotZnetShown.
func notZnetOrders(ctx context.Context, st *store.Store, matches []store.OrderMatch) (string, error) {
	if len(matches) > maxNotZnetShown {
		return "", nil
	}
	var why []string
	for _, m := range matches {
		state, err := st.LookupOrder(ctx, m.ID)
		if errors.Is(err, store.ErrOrderNotFound) {
			return "", nil // deleted meanwhile: the list is just empty
		}
		if err != nil {
			return "", fatal(err)
		}
		reason := watch.NotZnet(state)
		if reason == "" {
			return "", nil
		}
		why = append(why, reason)
	}
	return strings.Join(why, "; "), nil
}

// print writes the list, and its notes below it, or on stderr beside
// JSON.
func (opts *ListOptions) print(listed store.Listed, notes []string) error {
	rows := listed.Orders
	now := time.Now()
	if len(rows) > 0 {
		now = rows[0].ReadAt // the database's clock, which the times are on
	}
	out := make([]listedOrder, len(rows))
	matching := 0
	for i, r := range rows {
		o := listedOrder{
			ID: r.ID, OrderNo: r.OrderNo, TenantID: r.TenantID, IntegrationID: r.IntegrationID, Integration: r.Integration,
			ExternalStatus: r.ExternalStatus, SentAt: inUTC(r.SentAt), Attempts: r.Attempts, NextCheckAt: inUTC(r.NextCheckAt),
			ClaimedUntil: inUTC(r.ClaimedUntil),
		}
		// As the lists read them: a disabled integration's waiting orders
		// are paused, given up on or not (the table says paused); an
		// order staff decided is neither.
		if r.Waiting && r.GivenUpAt != nil {
			o.GivenUpAt = inUTC(r.GivenUpAt)
		}
		o.Paused = r.Waiting && !r.IntegrationEnabled
		o.NotAsked = string(r.NotAsked)
		if r.SentAt != nil && store.SentAtCounts(*r.SentAt, now) {
			seconds := int64(now.Sub(*r.SentAt).Seconds())
			o.AgeSeconds = &seconds
		}
		pin := ""
		if r.PIN != nil {
			pin = *r.PIN
			o.PIN = pinShown(pin, opts.ShowPIN)
		}
		switch {
		case r.LastError != nil:
			// znet's words may quote the PIN the order holds, in a row an
			// older zwatch wrote.
			o.LastError = *r.LastError
			if !opts.ShowPIN {
				o.LastError = watch.HideHeldPIN(o.LastError, pin)
			}
		case r.ZwatchNote != nil:
			// Else the note zwatch left for a person, masked as the shop's
			// message is: words written after its prefix may name codes.
			o.LastError = *r.ZwatchNote
			if !opts.ShowPIN {
				o.LastError = watch.HideStoredMessage(o.LastError, pin)
			}
		}
		out[i] = o
		matching = r.Matching
	}
	err := render(opts.IO.Out, opts.Output, out, func() error {
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
			// Held by a run or a check: being asked, or its claim to lapse
			// after one was killed (stats counts it not due either; retry
			// --stuck leaves a stuck one alone until then).
			if o.ClaimedUntil != nil && o.ClaimedUntil.After(now) {
				next = "claimed " + age(o.ClaimedUntil.Sub(now))
			}
			sentAgo := "-"
			if o.AgeSeconds != nil {
				sentAgo = age(time.Duration(*o.AgeSeconds) * time.Second)
			}
			// A stuck or paused order's next check is blank, as a final
			// order's: say why.
			status := o.ExternalStatus
			switch {
			case o.Paused:
				status += " (paused)"
			case o.GivenUpAt != nil:
				status += " (stuck)"
			case o.NotAsked == string(store.NotPollableStaff):
				status += " (not asked: handled by staff)"
			case o.NotAsked == string(store.NotPollableNoReferans):
				status += " (not asked: no referans)"
			}
			t.Append(orderNo, shortID(o.ID), tenant, o.Integration, status,
				sentAgo, o.Attempts, next, ellipsis(o.LastError, 40), o.PIN)
		}
		if len(out) == 0 {
			// A line, as retry's empty list: a bare header reads as a
			// list cut off.
			none := "no orders"
			if state := opts.state(); state != "any" {
				none = "no " + state + " orders"
			}
			if _, err := fmt.Fprintln(opts.IO.Out, none); err != nil {
				return err
			}
		} else if err := t.Render(); err != nil {
			return err
		}
		if err := moreNotShown(opts.IO.Out, len(out), matching, listed.ReadSince != nil); err != nil {
			return err
		}
		if listed.ReadSince != nil {
			if _, err := fmt.Fprintln(opts.IO.Out, readBackTo(*listed.ReadSince)); err != nil {
				return err
			}
		}
		for _, note := range notes {
			if _, err := fmt.Fprintln(opts.IO.Out, note); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && opts.Output == formatJSON {
		// JSON stays the list; a script's log, or its operator, reads
		// these: a script counting the list's elements (jq length) would
		// otherwise take the first --limit for all.
		if more := moreNotShownText(len(out), matching, listed.ReadSince != nil); more != "" {
			noteOnStderr(opts.IO.ErrOut, more)
		}
		if listed.ReadSince != nil {
			noteOnStderr(opts.IO.ErrOut, readBackTo(*listed.ReadSince))
		}
		for _, note := range notes {
			noteOnStderr(opts.IO.ErrOut, note)
		}
	}
	return err
}

// readBackTo says how far back a list of finished orders read.
func readBackTo(since time.Time) string {
	return fmt.Sprintf("Read back to %s only, zwatch's newest %d such answers: --order finds an older order", shownTime(since), store.ListCountCap)
}

// moreNotShown ends a table cut at --limit with how many rows it left out.
func moreNotShown(w io.Writer, shown, matching int, capped bool) error {
	if more := moreNotShownText(shown, matching, capped); more != "" {
		_, err := fmt.Fprintln(w, more)
		return err
	}
	return nil
}

// moreNotShownText says how many rows a list cut at --limit left out; at
// least that many when it stopped reading at a cap. Empty when none.
func moreNotShownText(shown, matching int, capped bool) string {
	if matching <= shown {
		return ""
	}
	more := fmt.Sprintf("%d more not shown", matching-shown)
	if capped || matching >= store.ListCountCap {
		more = fmt.Sprintf("at least %d more not shown", matching-shown)
	}
	return more + " (raise --limit, or narrow with --integration, --tenant or --order)"
}
