// Package cmd is zwatch's command line: flags, help and output. Each
// command is an options struct and a run function that writes to the
// injected streams, so tests drive commands in-process. The work itself is
// in pkg/watch, the SQL in pkg/store and znet in pkg/znet.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/zwatch/zwatch/pkg/store"
)

// Exit statuses, the same for every command. The README documents them.
const (
	ExitOK        = 0 // done; order-level errors are normal life
	ExitFatal     = 1 // the database is unreachable, migrations are missing, ...
	ExitUsage     = 2 // bad flags, arguments or input; nothing was changed
	ExitAttention = 3 // done, but a person should look: a panel is failing, orders got stuck
	// ExitNotPollable: `zwatch check --order` found an order zwatch must not
	// ask about (unknown, final, decided by staff, not znet, no referans).
	ExitNotPollable = 4
)

// IOStreams are a command's standard streams. Terminal says whether Out is
// a terminal a person watches (progress, text logs).
type IOStreams struct {
	In       io.Reader
	Out      io.Writer
	ErrOut   io.Writer
	Terminal bool
}

// SystemStreams are the process's own.
func SystemStreams() IOStreams {
	return IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		Terminal: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// GlobalOptions are the flags every command shares.
type GlobalOptions struct {
	IO          IOStreams
	DatabaseURL string
	LogFormat   string // auto, text or json
	LogLevel    string // debug, info, warn or error
}

// exitError carries a status out of a command. Errors that are not
// exitErrors come from cobra itself (unknown flag, missing argument) and
// are usage errors.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func fatal(err error) error { return &exitError{code: ExitFatal, err: err} }
func usage(format string, a ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, a...)}
}

// attention ends a command that did its work but wants a person to look.
// Its message has already been printed.
var attention = &exitError{code: ExitAttention, err: errors.New("")}

// Main runs zwatch with args and returns the exit status.
func Main(ctx context.Context, args []string, streams IOStreams) int {
	root := NewRootCmd(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitStatus(err)
	if msg := err.Error(); msg != "" {
		// One line: cron mails it, and an operator reads it at a glance.
		fmt.Fprintf(streams.ErrOut, "zwatch: %s\n", strings.ReplaceAll(msg, "\n", "; "))
	}
	return code
}

// NewRootCmd builds the command tree.
func NewRootCmd(streams IOStreams) *cobra.Command {
	opts := &GlobalOptions{IO: streams}
	root := &cobra.Command{
		Use:   "zwatch",
		Short: "Watch znet orders and save their status and PIN to the shop's database",
		Long: `zwatch closes the loop between the shop and znet, the dealer platform that
fulfils its game PIN and top-up orders. The shop sends an order to znet and
marks it 'sent'; zwatch asks znet about every such order until it is done or
cancelled, and writes the final status and the PIN back to the shop's
PostgreSQL database.

It runs from cron: 'zwatch check-pending' takes a bounded batch of due
orders, asks znet about each with limited concurrency, and commits what it
learns. Operators look with 'zwatch check --order ID' and 'zwatch list'.
zwatch never moves money: it never places, refunds or rejects an order.

Exit status: 0 done; 1 fatal (database unreachable, migrations missing);
2 usage error, nothing changed; 3 done, but an integration is failing or
orders became stuck; 4 (check) the order is not zwatch's to ask about.`,
		Example: `  zwatch migrate --database-url postgres://zwatch@db/shop
  zwatch check-pending -q
  zwatch check --order 3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44
  zwatch list --pending --limit 20`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Global flags are checked before any command touches anything.
		PersistentPreRunE: func(*cobra.Command, []string) error {
			_, err := opts.logger(false)
			return err
		},
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usage("%v (see zwatch %s --help)", err, c.Name())
	})

	pf := root.PersistentFlags()
	// The default is resolved when the flag is read, not shown in --help:
	// a URL in the environment may carry a password.
	pf.StringVar(&opts.DatabaseURL, "database-url", "",
		"the shop's PostgreSQL, as a postgres:// URL or libpq key=value settings\n(default $DATABASE_URL; with neither, the PG* variables as psql uses them)")
	pf.StringVar(&opts.LogFormat, "log-format", "auto", "log format on stderr: text, json, or auto (text on a terminal, json otherwise)")
	pf.StringVar(&opts.LogLevel, "log-level", "info", "least important log level shown: debug (one line per order), info, warn, error")

	root.AddCommand(
		newMigrateCmd(opts),
		newCheckPendingCmd(opts),
		newCheckCmd(opts),
		newListCmd(opts),
		newStatsCmd(opts),
		newBalanceCmd(opts),
		newRetryCmd(opts),
		newDemoCmd(opts),
	)
	return root
}

// logger builds the slog logger the flags ask for; quiet raises the level
// to warnings, so that a cron job mails only what needs a person.
func (g *GlobalOptions) logger(quiet bool) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.LogLevel)); err != nil {
		return nil, usage("--log-level %q: want debug, info, warn or error", g.LogLevel)
	}
	if quiet && level < slog.LevelWarn {
		level = slog.LevelWarn
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch g.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(g.IO.ErrOut, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(g.IO.ErrOut, hopts)), nil
	case "auto":
		if g.IO.Terminal {
			return slog.New(slog.NewTextHandler(g.IO.ErrOut, hopts)), nil
		}
		return slog.New(slog.NewJSONHandler(g.IO.ErrOut, hopts)), nil
	}
	return nil, usage("--log-format %q: want text, json or auto", g.LogFormat)
}

// openStore connects to the shop's database and, unless the command is
// migrate, makes sure zwatch's migrations are there.
func (g *GlobalOptions) openStore(ctx context.Context, requireMigrated bool) (*store.Store, error) {
	databaseURL := g.DatabaseURL
	if databaseURL == "" {
		databaseURL = os.Getenv("DATABASE_URL")
	}
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return nil, fatal(err)
	}
	if requireMigrated {
		if err := st.RequireMigrated(ctx); err != nil {
			st.Close()
			return nil, fatal(err)
		}
	}
	return st, nil
}
