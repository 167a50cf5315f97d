package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// BalanceOptions are `zwatch balance`'s flags.
type BalanceOptions struct {
	*GlobalOptions
	IntegrationID string
	Save          bool
	Timeout       time.Duration
	Concurrency   int
	Output        string
	// saveWithin bounds the saving, 0 saveGrace; saveGiveUp is how long
	// it is waited for, 0 saveWithin and readStopGrace. Tests shorten them.
	saveWithin, saveGiveUp time.Duration
}

func newBalanceCmd(g *GlobalOptions) *cobra.Command {
	opts := &BalanceOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "balance [--integration NAME] [--save]",
		Short: "Ask each znet dealer panel for its balance: a health check of panels and credentials",
		Long: `Ask the panel of every znet integration for the dealer's balance, the
cheapest znet call and one without side effects. It tells whether the panel
answers and accepts the credentials zwatch holds for it: a health check to run
before blaming zwatch. Each integration gets one state:

  ok              the panel answered and accepted the credentials; balance in TRY
  unauthorized    znet answered with an empty body: the dealer code or password
                  is wrong, this host's IP is not whitelisted at znet, or API
                  access is off for the dealer
  unreachable     no connection: the host name does not resolve, nothing
                  listens, or TLS fails
  wrong_base_url  an HTML page, an HTTP 4xx or a redirect: the base URL
                  points somewhere else
  misconfigured   no request can be built: base URL, dealer code or password is
                  missing or malformed
  error           anything else: a timeout, a server error, an unreadable answer
  disabled        the integration is switched off and was not asked; name it
                  with --integration to ask it anyway, e.g. before switching it
                  back on

--integration takes the integration's name, its id, or the beginning of its
id (the ID column).

With --save, the balance of each integration that answered ok is written to
integrations.balance and "balanceUpdatedAt", the only columns of the shop's
integrations zwatch ever writes; where the column rounds it to its scale,
SAVED says what it holds ("as 1.235"). The dealer password is never printed.

Exit status: 0 every integration asked is ok; 1 fatal; 2 usage error;
3 at least one integration asked is not ok.`,
		Example: `  zwatch balance
  zwatch balance --integration znet-A
  zwatch balance --integration 7d3c1a52
  zwatch balance --save -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runBalance(c.Context(), opts)
		},
	}
	f := c.Flags()
	nameFlag(f, &opts.IntegrationID, "integration", "ask only this integration, even if it is disabled: its name, or the beginning of its id")
	f.BoolVar(&opts.Save, "save", false, `write the balances of the integrations that answered ok to integrations.balance and "balanceUpdatedAt"`)
	f.DurationVar(&opts.Timeout, "timeout", watch.DefaultConfig().Timeout, "time one panel may take to answer, from 1s to 2m")
	intFlag(f, &opts.Concurrency, "concurrency", 4, "panels asked at once (1 to 1000)")
	addOutputFlag(c, &opts.Output, "output format")
	return c
}

// panelLine is one integration of balance's JSON output.
type panelLine struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TenantID string `json:"tenant_id"`
	Enabled  bool   `json:"enabled"`
	State    string `json:"state"`
	Balance  string `json:"balance,omitempty"` // TRY
	Error    string `json:"error,omitempty"`
	TookMs   int64  `json:"took_ms"`
	Saved    bool   `json:"saved"`
	// SavedAs is the balance as the shop's column holds it, where it
	// rounded znet's to its scale.
	SavedAs string `json:"saved_as,omitempty"`
}

func runBalance(ctx context.Context, opts *BalanceOptions) error {
	if err := requireTimeout(opts.Timeout); err != nil {
		return err
	}
	if opts.Concurrency < 1 || opts.Concurrency > watch.MaxWorkers {
		return usage("--concurrency must be from 1 to %d", watch.MaxWorkers)
	}
	// A health check run from cron must end whatever the database does:
	// the reading, before any panel is asked, is awaited as list's is
	// (withStoreAwaited), and the saving in save.
	return opts.withStoreAwaited(ctx, ctx, cmp.Or(opts.readGiveUp, readHangs), func(st *store.Store) func() error {
		if opts.IntegrationID == "" {
			integrations, err := st.ZnetIntegrations(ctx)
			if err != nil {
				return func() error { return fatal(err) }
			}
			return func() error { return opts.askAndSave(ctx, st, integrations) }
		}
		in, err := resolveIntegration(ctx, st, "--integration", opts.IntegrationID)
		if err != nil {
			return func() error { return err }
		}
		return func() error { return opts.askAndSave(ctx, st, []store.Integration{in}) }
	}, func() string { return "no panel was asked" })
}

// saveGrace bounds the saving of the balances read, which a signal does
// not cut short: 30 s, as for a run's answers.
const saveGrace = 30 * time.Second

// askAndSave asks the integrations' panels, saves what they said with
// --save, and prints it.
func (opts *BalanceOptions) askAndSave(ctx context.Context, st *store.Store, integrations []store.Integration) error {
	checks := watch.CheckBalances(ctx, integrations, watch.BalanceConfig{
		Timeout:     opts.Timeout,
		Concurrency: opts.Concurrency,
		AskDisabled: opts.IntegrationID != "",
	})
	lines := make([]panelLine, len(checks))
	failing := false
	for i, c := range checks {
		in := c.Integration
		lines[i] = panelLine{
			ID: in.ID, Name: in.Name, TenantID: in.TenantID, Enabled: in.Enabled,
			State: string(c.State), Balance: c.Balance, TookMs: c.Took.Milliseconds(),
		}
		if c.Err != nil {
			lines[i].Error = c.Err.Error()
		}
		failing = failing || c.Failing()
	}
	var saveErr error
	if opts.Save {
		saveErr = opts.save(ctx, st, checks, lines)
	}

	renderErr := render(opts.IO.Out, opts.Output, lines, func() error { return printPanels(opts, lines) })
	// A balance not saved is the database's fault and says more than an
	// output that could not be written.
	if saveErr != nil {
		return saveErr
	}
	if renderErr != nil {
		return renderErr
	}
	if failing {
		return attention
	}
	return nil
}

// save writes the balances of the panels that answered ok, and marks
// their lines saved. A balance a panel gave before a signal is still
// saved, as a run saves the answers it received; the save is bounded as a
// run's is, and the wait for it a little longer, for a cancel the server
// answers. Its error is fatal.
func (opts *BalanceOptions) save(ctx context.Context, st *store.Store, checks []watch.BalanceCheck, lines []panelLine) error {
	within := cmp.Or(opts.saveWithin, saveGrace)
	saveCtx, cancelSave := context.WithTimeout(context.WithoutCancel(ctx), within)
	defer cancelSave()
	// Shared with a save given up on, which may still write them.
	var (
		mu     sync.Mutex
		saved  = make([]bool, len(checks))
		as     = make([]string, len(checks))
		errs   []error
		saving = -1 // the check whose balance is being saved
	)
	_, waited, ok := awaitDatabase(context.WithoutCancel(ctx), cmp.Or(opts.saveGiveUp, within+readStopGrace), func() struct{} {
		for i, c := range checks {
			if c.State != watch.PanelOK {
				continue
			}
			mu.Lock()
			saving = i
			mu.Unlock()
			savedAs, err := st.SaveBalance(saveCtx, c.Integration, c.Balance)
			mu.Lock()
			saved[i], as[i], saving = err == nil, savedAs, -1
			errs = append(errs, err)
			mu.Unlock()
		}
		return struct{}{}
	})
	mu.Lock()
	defer mu.Unlock()
	for i := range lines {
		lines[i].Saved = saved[i]
		lines[i].SavedAs = as[i]
	}
	// Errors of saves that ended are said too: a balance not saved for a
	// reason of its own (a shop transaction holding its row) is not
	// blamed on the silence.
	err := errors.Join(errs...)
	if !ok {
		unknown := "the one being saved"
		if saving >= 0 {
			in := checks[saving].Integration
			unknown = fmt.Sprintf("that of %s (%s)", inLine(in.Name), in.ID)
		}
		err = errors.Join(err, silence(st, waited, "the balances printed were read from the panels: those marked saved were saved, "+
			unknown+" may or may not have been, and the rest were not"))
	}
	if err != nil {
		return fatal(err)
	}
	return nil
}

func printPanels(opts *BalanceOptions, lines []panelLine) error {
	out := opts.IO.Out
	if len(lines) == 0 {
		// A line, as list's empty list: a bare header reads as a table
		// cut off.
		_, err := fmt.Fprintln(out, "no znet integrations")
		return err
	}
	header := []any{"INTEGRATION", "ID", "TENANT", "STATE", "BALANCE (TRY)", "TOOK"}
	if opts.Save {
		header = append(header, "SAVED")
	}
	t := newFigureTable(out, header...)
	for _, l := range lines {
		took := ""
		if l.State != string(watch.PanelDisabled) && l.State != string(watch.PanelMisconfigured) {
			took = fmt.Sprintf("%dms", l.TookMs)
		}
		row := []any{l.Name, shortID(l.ID), shortID(l.TenantID), l.State, l.Balance, took}
		if opts.Save {
			saved := ""
			switch {
			case l.SavedAs != "":
				saved = "as " + l.SavedAs
			case l.Saved:
				saved = "yes"
			}
			row = append(row, saved)
		}
		t.Append(row...)
	}
	if err := t.Render(); err != nil {
		return err
	}
	// Whole sentences below the table: the hint at their end is the point.
	for _, l := range lines {
		if l.Error != "" {
			fmt.Fprintf(out, "%s (%s): %s\n", inLine(l.Name), l.ID, l.Error)
		}
	}
	return nil
}
