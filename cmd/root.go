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
	"log"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	// ask about (unknown, final, decided by staff, not znet, disabled
	// integration, no referans), or another run is asking about it now.
	ExitNotPollable = 4
)

// IOStreams are a command's standard streams. Terminal says whether ErrOut
// is a terminal a person watches: logs there are text rather than JSON, and
// a long check-pending shows its progress there.
type IOStreams struct {
	In       io.Reader
	Out      io.Writer
	ErrOut   io.Writer
	Terminal bool
	// DumbTerminal says the terminal cannot move its cursor (TERM=dumb:
	// Emacs' shell, a serial console): a progress line drawn over itself
	// would show its escapes ("^[[K") on every update.
	DumbTerminal bool
}

// SystemStreams are the process's own.
func SystemStreams() IOStreams {
	return IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		Terminal:     term.IsTerminal(int(os.Stderr.Fd())),
		DumbTerminal: os.Getenv("TERM") == "dumb",
	}
}

// GlobalOptions are the flags every command shares.
type GlobalOptions struct {
	IO          IOStreams
	DatabaseURL string
	LogFormat   string // auto, text or json
	LogLevel    string // debug, info, warn or error
	// readsOnly: the command line about to run writes nothing to the
	// database (see readsOnly).
	readsOnly bool
	// readGiveUp: how long a command waits for its database work before
	// giving it up as a silence; 0 is the command's own (readHangs,
	// startHangs, reportGrace and readStopGrace). Tests shorten it.
	readGiveUp time.Duration
}

// exitError carries a status out of a command: commands mark their errors
// with usage, fatal or attention.
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

// exitStatus is the one mapping from a command's error to zwatch's status.
// Only errors marked usage exit 2, which promises that nothing changed; an
// error nobody marked exits 1, because the command may have written before
// it failed.
func exitStatus(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return ExitFatal
}

// Main runs zwatch with args and returns the exit status.
func Main(ctx context.Context, args []string, streams IOStreams) int {
	// Go's HTTP client writes to the standard logger when a panel sends
	// bytes nobody asked for, after an answer ("Unsolicited response
	// received on idle HTTP channel starting with %q"), quoting them: a
	// PHP page's tail may repeat the request, password and all, which
	// went to stderr and cron's mail. zwatch logs through slog; the
	// standard logger is silenced, and the connection is dropped all the
	// same.
	log.SetOutput(io.Discard)
	out := &commandOutput{w: streams.Out}
	streams.Out = out
	code := execute(ctx, NewRootCmd(streams), args, streams.ErrOut)
	if out.err != nil && (code == ExitOK || code == ExitAttention) {
		// The command did its work, but what it printed was lost.
		fmt.Fprintf(streams.ErrOut, "zwatch: writing the output: %v\n", out.err)
		return ExitFatal
	}
	return code
}

// execute runs the command line on root. An error cobra returns before any
// command's run started (an unknown command or flag, arguments where none
// are taken, flags that exclude each other) is a usage error: nothing ran.
func execute(ctx context.Context, root *cobra.Command, args []string, errOut io.Writer) int {
	started := false
	var mark func(*cobra.Command)
	mark = func(c *cobra.Command) {
		if run := c.RunE; run != nil {
			c.RunE = func(c *cobra.Command, args []string) error { started = true; return run(c, args) }
		}
		for _, sub := range c.Commands() {
			mark(sub)
		}
	}
	mark(root)
	// zwatch alone shows its help; so did zwatch with a word cobra did not
	// take for a command, where "zwatch bogus" is a usage error: an empty
	// one (a cron line's "$CMD", unset) or a command after "--", with the
	// exit status 0 no alert sees. Such a word is refused as bogus is.
	var unknown error
	showHelp := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, a []string) {
		if words := c.Flags().Args(); c == root && len(words) > 0 {
			unknown = fmt.Errorf("unknown command %q for %q%s", words[0], c.CommandPath(), cobraStyleSuggestions(c, words[0]))
			if sub, _, err := c.Find(words[:1]); err == nil && sub != c {
				unknown = fmt.Errorf("%q after \"--\" is no command: put the command before \"--\"", words[0])
			}
			return
		}
		// Flags and no command: `zwatch --database-url $DB check-pending`
		// with DB unset took check-pending for the URL, and ran nothing.
		if c == root && c.Flags().NFlag() > 0 && !c.Flags().Changed("help") {
			unknown = noCommand(c, args)
			return
		}
		showHelp(c, a)
	})
	root.SetArgs(args)
	ran, err := root.ExecuteContextC(ctx)
	if err == nil && unknown != nil {
		err = unknown
	}
	if flag, value := commandTakenAsValue(root, args); err != nil && unknown == nil && !started && ran == root && flag != "" {
		// The same with the command's flags after it, as the cron line
		// has them: cobra said "unknown shorthand flag: 'q' in -q", or
		// took the metrics file's path for the command.
		err = fmt.Errorf("no command was given: %s took %q for its value (a variable left empty before it?) (see %s --help)", flag, value, root.CommandPath())
	}
	if err != nil && !started && !errors.As(err, new(*exitError)) {
		err = &exitError{code: ExitUsage, err: err}
	}
	if signalled(ctx, err) {
		err = stoppedBySignal(ran.Name())
	}
	if err != nil && err.Error() != "" {
		// A name or a trigger's message from the shop's rows may hold what
		// a terminal acts on, as stdout's text may (commandOutput).
		fmt.Fprintf(errOut, "zwatch: %s\n", escapeControls([]byte(errorLine(err, args, root, ran))))
	}
	return exitStatus(err)
}

// noCommand is the error of root given flags and no command. It names
// the flags, not their values (a URL may hold a password), but for one
// that took a command's name.
func noCommand(root *cobra.Command, args []string) error {
	var names []string
	root.Flags().Visit(func(f *pflag.Flag) { names = append(names, "--"+f.Name) })
	took := ""
	if flag, value := commandTakenAsValue(root, args); flag != "" {
		took = fmt.Sprintf(": %s took %q for its value (a variable left empty before it?)", flag, value)
	}
	return fmt.Errorf("no command was given, only %s%s (see %s --help)", strings.Join(names, ", "), took, root.CommandPath())
}

// commandTakenAsValue is the first of root's flags on the command line
// args ("--name") that took for its value the name of one of root's
// commands, and that value; "" if none did.
func commandTakenAsValue(root *cobra.Command, args []string) (flag, value string) {
	for i := 0; i+1 < len(args) && args[i] != "--"; i++ {
		var f *pflag.Flag
		if name, ok := strings.CutPrefix(args[i], "--"); ok && !strings.Contains(name, "=") {
			f = root.PersistentFlags().Lookup(name)
		} else if short, ok := strings.CutPrefix(args[i], "-"); ok && len(short) == 1 {
			f = root.PersistentFlags().ShorthandLookup(short)
		}
		if f == nil || f.NoOptDefVal != "" { // none of root's, or one that takes no value
			continue
		}
		if sub, _, err := root.Find(args[i+1 : i+2]); err == nil && sub != root {
			return "--" + f.Name, args[i+1]
		}
		i++ // past its value
	}
	return "", ""
}

// errorLine is err as the one line a command that failed writes: cron
// mails it, and an operator reads it at a glance. It says what to do where
// the error alone would not (a database gone, a lock, a grant).
func errorLine(err error, args []string, root, ran *cobra.Command) string {
	// It may quote arguments, where a password can stand by mistake:
	// hidden first, while it still reads as it was given (its line breaks
	// not yet made "; ", its control characters not escaped).
	line := store.RedactPasswordsOf(withSuggestionsInLine(err.Error()), append(args, passwordSettingsOfTheEnvironment()...), ownWords(root))
	line = strings.ReplaceAll(line, "\n", "; ")
	if where, cause, ok := store.ConnectionBroke(err); ok {
		line = sayDatabaseGone(line, where, cause)
	}
	migrating := ran.Name() == "migrate" && !ran.Flags().Changed("status") && !ran.Flags().Changed("print-grants")
	if store.GaveUpOnALock(err) && ran.Name() != "migrate" && !strings.Contains(line, "holds a lock") {
		line += " (another transaction held a lock zwatch needed all the while: the shop's LOCK TABLE, a migration or a VACUUM FULL, another zwatch run's, or a person's transaction left open on zwatch's tables; try again when it is done)"
	}
	// migrate's role is the owner, not zwatch's; its --status and
	// --print-grants only read, and are run as either.
	if table, ok := store.DeniedOutsideGrants(err); ok && ran.Name() != "migrate" {
		line += fmt.Sprintf(" (zwatch itself never touches %s: a trigger or rule of the shop's does, on zwatch's behalf; grant the role zwatch connects as what it needs there, or make the trigger SECURITY DEFINER)", table)
	} else if store.WentReadOnly(err) {
		line += " (the database became read-only while zwatch ran: a switchover, a failover, or default_transaction_read_only set; zwatch wrote nothing more)"
	} else if store.RefusedByAPolicy(err) {
		line += " (a row-level security policy of the shop's refuses the row as zwatch would write it: its WITH CHECK must let zwatch's role write what README's \"What an answer does\" lists, or the role needs BYPASSRLS; no grant helps)"
	} else if store.StatementTimedOut(err) {
		line += " (a statement_timeout set for the role zwatch connects as, or the database, cut its statement short: zwatch bounds its own statements, " +
			"and waits up to 10 s for another run's registering of new orders; " + store.StatementTimeoutAdvice + ")"
	} else if store.LacksAGrant(err) && !migrating {
		line += " (the role zwatch connects as lacks a grant: the owner of the shop's tables runs what `zwatch migrate --print-grants ROLE` prints, after every migrate that adds a table)"
	}
	return line
}

// signalled says whether err is only a signal's doing: the command's
// context ended, and err is the cancellation (Go's word for it, or the
// database's), not a fault found meanwhile.
func signalled(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && store.Cancelled(err)
}

// stoppedBySignal words a command a signal stopped before it finished,
// where the driver's "canceling statement due to user request" or Go's
// "context canceled" would read as the database's fault ("database
// unreachable: ... context canceled").
func stoppedBySignal(command string) error {
	switch command {
	case "check":
		// As a check stopped while znet thinks: znet could not be asked.
		return &exitError{code: ExitAttention, err: errors.New("check was stopped by a signal before znet was asked: nothing was recorded")}
	}
	return fatal(fmt.Errorf("%s was stopped by a signal before it finished", command))
}

// sayDatabaseGone words the line of a command whose database went away:
// the driver's words for it stand in each of the errors a run joins (the
// answers not saved, the claims not handed back), so they are given once,
// and what they mean is said once, with the database's name.
func sayDatabaseGone(line, where, cause string) string {
	if i := strings.Index(line, cause); cause != "" && i >= 0 {
		end := i + len(cause)
		line = line[:end] + strings.ReplaceAll(line[end:], cause, "the same")
	}
	database := "the database"
	if where != "" {
		database += " at " + where
	}
	return line + " (" + database + " went away or could not be reached: a restart, a failover, the network, or the server ending the session)"
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

It runs from cron: 'zwatch check-pending' claims due orders, a bounded
batch at a time, for most of a minute, asks znet about each with limited
concurrency, and commits what it learns. Operators look with
'zwatch check --order REF' and 'zwatch list'.
zwatch never moves money: it never places, refunds or rejects an order.

Exit status: 0 done; 1 fatal (database unreachable, migrations missing,
or an error zwatch did not foresee); 2 usage error (flags, arguments or
database settings that cannot be read), nothing changed; 3 done,
but a person should look (a panel failing, orders stuck, answers not saved;
each command's help says which); 4 (check) the order is not zwatch's to ask
about, or another run is asking about it right now.`,
		Example: `  zwatch migrate --database-url postgres://shop_owner@db/shop   # as the tables' owner
  zwatch check-pending -q
  zwatch check --order 1010
  zwatch list --pending --limit 20`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Global flags are checked before any command touches anything.
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			if err := refuseEmptyValues(c); err != nil {
				return err
			}
			opts.readsOnly = readsOnly(c)
			_, err := opts.logger(false)
			return err
		},
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(flagValueError)

	pf := root.PersistentFlags()
	// The default is resolved when the flag is read, not shown in --help:
	// a URL in the environment may carry a password.
	pf.StringVar(&opts.DatabaseURL, "database-url", "",
		"the shop's PostgreSQL, as a postgres:// URL or libpq key=value settings\n(default $DATABASE_URL; with neither, the PG* variables as psql uses them,\nwhich also fill in what a URL leaves out: its password, its database)")
	stringEnumFlag(root, pf, &opts.LogFormat, "log-format", "", "auto", []string{"auto", "text", "json"},
		"log format on stderr (auto: text on a terminal, json otherwise)")
	stringEnumFlag(root, pf, &opts.LogLevel, "log-level", "", "info", []string{"debug", "info", "warn", "error"},
		"least important log level shown (debug: one line per order check-pending asks; check prints all it knows)")
	setVersion(root)

	root.AddCommand(
		newMigrateCmd(opts),
		newCheckPendingCmd(opts),
		newCheckCmd(opts),
		newListCmd(opts),
		newStatsCmd(opts),
		newBalanceCmd(opts),
		newVersionCmd(opts),
		newRetryCmd(opts),
	)
	root.AddCommand(demoCommands(opts)...) // none in the binary an operator installs
	refuseUnknownShells(root)
	completeNoFiles(root)
	refuseArguments(root)
	refuseUnknownHelpTopics(root)
	return root
}

// cobraSuggestions is how cobra ends an unknown command's error: a blank
// line, its question, and one tab-indented name a line.
var cobraSuggestions = regexp.MustCompile(`\s*\n\s*Did you mean this\?\n((?:\t[^\n]*\n?)+)$`)

// cobraStyleSuggestions are the commands of c like word, as cobra writes
// them after "unknown command" (withSuggestionsInLine reads them).
func cobraStyleSuggestions(c *cobra.Command, word string) string {
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // as cobra's own suggestions
	}
	names := c.SuggestionsFor(word)
	if len(names) == 0 || strings.TrimSpace(word) == "" { // every name begins with nothing
		return ""
	}
	return "\n\nDid you mean this?\n\t" + strings.Join(names, "\n\t") + "\n"
}

// withSuggestionsInLine is msg with cobra's suggestions as one clause:
// `unknown command "lst" for "zwatch" (did you mean list?)`.
func withSuggestionsInLine(msg string) string {
	m := cobraSuggestions.FindStringSubmatchIndex(msg)
	if m == nil {
		return msg
	}
	names := strings.Fields(msg[m[2]:m[3]])
	return msg[:m[0]] + " (did you mean " + strings.Join(names, " or ") + "?)"
}

// logger builds the slog logger the flags ask for; quiet raises the level
// to warnings, so that a cron job mails only what needs a person.
func (g *GlobalOptions) logger(quiet bool) (*slog.Logger, error) {
	return g.loggerTo(g.IO.ErrOut, quiet)
}

// loggerTo is logger writing to w: stderr, or a progress line that keeps
// its own line clear of the log's.
func (g *GlobalOptions) loggerTo(w io.Writer, quiet bool) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.LogLevel)); err != nil {
		return nil, usage("--log-level %q: want debug, info, warn or error", g.LogLevel)
	}
	if quiet && level < slog.LevelWarn {
		level = slog.LevelWarn
	}
	// JSON escapes control characters below U+0020 only: an integration's
	// name holding U+202E would reverse the rest of the line in cron's mail.
	w = escapingWriter{w}
	hopts := &slog.HandlerOptions{Level: level}
	// JSON would write durations as integer nanoseconds; "20.177s" is what
	// a person and time.ParseDuration both read.
	jopts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationsAsText}
	switch g.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, jopts)), nil
	case "auto":
		if g.IO.Terminal {
			return slog.New(slog.NewTextHandler(w, hopts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, jopts)), nil
	}
	return nil, usage("--log-format %q: want text, json or auto", g.LogFormat)
}

// openStore connects to the shop's database. A command that needs zwatch's
// migrations checks for them with its first statement, awaited with the
// rest of its work (withStoreAwaited, readBeforeTheRun).
func (g *GlobalOptions) openStore(ctx context.Context) (*store.Store, error) {
	databaseURL := g.DatabaseURL
	flag := "--database-url"
	if databaseURL == "" {
		databaseURL, flag = os.Getenv("DATABASE_URL"), "$DATABASE_URL"
	}
	// White space around the settings (an env file's, a pasted line's) is
	// never part of them; left in front of a URL, it would make the driver
	// read the URL as key=value settings.
	if trimmed := strings.TrimSpace(databaseURL); trimmed != databaseURL {
		if trimmed == "" {
			return nil, usage("%s is blank; give a postgres:// URL or key=value settings, or leave it out for the PG* variables", flag)
		}
		databaseURL = trimmed
	}
	if err := checkDatabaseURL(flag, databaseURL); err != nil {
		return nil, err
	}
	// lib/pq prints the database's whole conversation to stderr when
	// PQGO_DEBUG=1 (read as the process starts, too early to unset): the
	// integrations' passwords, the PINs written, the database's own
	// password. zwatch refuses to connect so rather than print them;
	// commands that never connect (version, help) are not its concern.
	if os.Getenv("PQGO_DEBUG") == "1" {
		return nil, usage("PQGO_DEBUG=1 is set: the PostgreSQL driver would print the database's whole conversation to stderr, " +
			"dealer passwords, PINs and the database password with it; unset it (--log-level debug shows what zwatch does)")
	}
	open := store.Open
	if g.readsOnly {
		open = store.OpenReadOnly
	}
	st, err := open(ctx, databaseURL)
	if errors.Is(err, store.ErrInvalidSettings) {
		if databaseURL == "" {
			flag = "the PG* variables"
		}
		return nil, usage("%s: %w", flag, err)
	}
	if err != nil {
		return nil, fatal(connectionHint(err))
	}
	return st, nil
}

// warnNewer warns of the migrations a newer zwatch applied, if any. Not
// refused: rolling a binary back must not stop the shop's PINs. But a
// person should know, in every run's mail.
func (g *GlobalOptions) warnNewer(newer []int64) {
	if len(newer) == 0 {
		return
	}
	if logger, err := g.logger(false); err == nil {
		logger.Warn("the database has zwatch migrations this zwatch does not carry: a newer zwatch migrated it, and this one may not know what changed; run the newest zwatch",
			"versions", newer)
	}
}

// readsOnly says whether the command line c writes nothing to the database.
// Such a command line runs on a read-only role or database, or a hot
// standby, in READ ONLY transactions; any other refuses them before it does
// anything. A command not named here writes.
func readsOnly(c *cobra.Command) bool {
	on := func(flag string) bool {
		f := c.Flags().Lookup(flag)
		return f != nil && f.Changed && f.Value.String() != "false"
	}
	switch c.Name() {
	case "list", "stats":
		return true
	case "migrate":
		return on("status") || on("print-grants")
	case "balance":
		return !on("save")
	case "check-pending", "check":
		return on("dry-run")
	}
	return false
}

// connectionHint adds to a connection error where its settings come from, or
// what still works on a read-only database.
func connectionHint(err error) error {
	var ce *store.ConnectError
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Problem {
	case store.NoTLS, store.AuthFailed, store.NoDatabase:
		return fmt.Errorf("%w (from --database-url, else $DATABASE_URL, else the PG* variables and ~/.pgpass)", err)
	case store.ReadOnly, store.HotStandby:
		return fmt.Errorf("%w (list, stats, balance, migrate --status, migrate --print-grants and --dry-run only read, and work there)", err)
	}
	return err
}

// completeNoFiles makes shell completion offer no file names for a flag
// whose value is none (an integration, an order, a role, a duration), as
// cobra otherwise does: only --metrics-file takes a path.
func completeNoFiles(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		register := func(f *pflag.Flag) {
			if f.Value.Type() == "bool" || f.Name == "metrics-file" || f.Name == "help" {
				return
			}
			if _, ok := c.GetFlagCompletionFunc(f.Name); !ok {
				_ = c.RegisterFlagCompletionFunc(f.Name, cobra.NoFileCompletions)
			}
		}
		c.LocalNonPersistentFlags().VisitAll(register)
		c.PersistentFlags().VisitAll(register)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// ownWords says whether a word is one of the command line's own: a
// command's name or a flag (with its value after "=", or a shorthand with
// its value run on). A password pasted on the command line does not run on
// into one; a word that only looks like a flag ("-S3cret") may be a piece
// of it.
func ownWords(root *cobra.Command) func(string) bool {
	names := map[string]bool{"-": true, "--": true}
	long := map[string]bool{"help": true}
	short := map[string]bool{"h": true}
	addFlag := func(f *pflag.Flag) {
		long[f.Name] = true
		if f.Shorthand != "" {
			short[f.Shorthand] = true
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		names[c.Name()] = true
		for _, alias := range c.Aliases {
			names[alias] = true
		}
		c.Flags().VisitAll(addFlag)
		c.PersistentFlags().VisitAll(addFlag)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return func(word string) bool {
		if names[word] {
			return true
		}
		if name, ok := strings.CutPrefix(word, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			return long[name]
		}
		if letters, ok := strings.CutPrefix(word, "-"); ok && letters != "" {
			return short[letters[:1]]
		}
		return false
	}
}

// passwordSettingsOfTheEnvironment are the database settings the
// environment holds a password in, as settings RedactPasswordsOf reads:
// $DATABASE_URL, and $PGPASSWORD as a password key. crontab.example and a
// systemd unit put the password there; an argument quoted in a usage
// error may hold it by mistake as well as one beside --database-url.
func passwordSettingsOfTheEnvironment() []string {
	var settings []string
	if url := os.Getenv("DATABASE_URL"); url != "" {
		settings = append(settings, url)
	}
	if pw := os.Getenv("PGPASSWORD"); pw != "" {
		settings = append(settings, "password="+pw)
	}
	return settings
}
