package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// What every command shares besides --output (output.go): opening the
// store, and wording the library's errors for the flags an operator typed.

// withStoreReading is for a command that reads and then prints (list,
// stats): what read hands back prints only if the reads ended within
// readHangs of the start-up (withStoreAwaited).
func (g *GlobalOptions) withStoreReading(ctx context.Context, read func(*store.Store) (print func() error, err error)) error {
	return g.withStoreAwaited(ctx, ctx, cmp.Or(g.readGiveUp, readHangs), func(st *store.Store) func() error {
		print, err := read(st)
		if err != nil {
			return func() error { return err }
		}
		return print
	}, func() string { return "nothing was printed" })
}

// withStoreAwaited opens the shop's database, checks that zwatch's
// migrations are there and has work do the command's database work, all
// of which must end within limit of the start-up (awaitDatabase), or
// readStopGrace once stop is done: ctx, or for work that ends in a save a
// signal must not cut short, context.WithoutCancel(ctx). The start-up
// itself is bounded by connect_timeout on each host (store.Open). work
// writes nothing: it hands back finish, the rest of the command (printing,
// and for balance the panels and the saves, bounded there), which runs
// only if work came back in time and returns the command's error. If it
// did not, givenUp says what the command did and did not do; work must
// keep what givenUp reads safe to read meanwhile.
func (g *GlobalOptions) withStoreAwaited(ctx, stop context.Context, limit time.Duration, work func(*store.Store) (finish func() error), givenUp func() string) error {
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	type result struct {
		newer  []int64 // migrations a newer zwatch applied
		finish func() error
	}
	r, within, ok := awaitDatabase(stop, limit, func() result {
		newer, err := st.RequireMigrated(ctx)
		if err != nil {
			return result{finish: func() error { return fatal(err) }}
		}
		return result{newer, work(st)}
	})
	if !ok {
		return silentDatabase(st, within, givenUp())
	}
	// Everything written, the warning of newer migrations too, is written
	// here, after the work came back: never by work given up on.
	g.warnNewer(r.newer)
	return r.finish()
}

// awaitDatabase runs work, which talks to the database, on a goroutine of
// its own and waits for it at most limit, or readStopGrace once ctx is
// done; ok is false if it gave up, and within says after how long. A
// statement on a connection that a pooler or the network holds open and
// silent never ends: the driver cancels it by asking the server on a new
// connection and waits for the old one all the same, and keepalives do
// not notice a silence the kernel still acknowledges. Run from cron to
// feed a monitor, a command would wait for ever, and the next ones beside
// it. Work given up on is left to the process's end: the caller must
// neither wait for it nor read what it writes.
func awaitDatabase[T any](ctx context.Context, limit time.Duration, work func() T) (result T, within string, ok bool) {
	done := make(chan T, 1)
	go func() { done <- work() }()
	hung := time.NewTimer(limit)
	defer hung.Stop()
	began, within := time.Now(), fmt.Sprintf("within %s", limit)
	stopped := ctx.Done()
	for {
		select {
		case r := <-done:
			return r, "", true
		case <-stopped:
			// Told to stop, a statement ends within a round trip, its
			// cancel answered; one that does not is the silence above, and
			// a person who pressed Ctrl-C once should not have to again.
			stopped = nil
			if readStopGrace < limit-time.Since(began) {
				hung.Reset(readStopGrace)
				within = fmt.Sprintf("%s after zwatch was told to stop", readStopGrace)
			}
		case <-hung.C:
			select {
			case r := <-done: // ended as the timer fired
				return r, "", true
			default:
			}
			var none T
			return none, within, false
		}
	}
}

// awaitRead is awaitDatabase for a read that prints nothing until it came
// back (migrate --status and --print-grants): within readHangs, and given
// up as a silence after which nothing was printed, an error for the
// caller to class as it classes the read's own.
func awaitRead[T any](ctx context.Context, g *GlobalOptions, st *store.Store, read func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	r, within, ok := awaitDatabase(ctx, cmp.Or(g.readGiveUp, readHangs), func() result {
		v, err := read()
		return result{v, err}
	})
	if !ok {
		return r.v, silence(st, within, "nothing was printed")
	}
	return r.v, r.err
}

// silentDatabase is the fatal error of a command that gave up on a silent
// statement (awaitDatabase); consequence says what the command did and did
// not do.
func silentDatabase(st *store.Store, within, consequence string) error {
	return fatal(silence(st, within, consequence))
}

// silence is silentDatabase's words, for joining with other errors.
func silence(st *store.Store, within, consequence string) error {
	return fmt.Errorf("the database (%s) did not answer %s: a statement hangs, its connection held open and silent; "+
		"%s; look at the connection pooler (PgBouncer, say) or the network between zwatch and the database", st.Where(), within, consequence)
}

// readHangs is how long list, stats, balance and migrate --status wait
// for their reads. Those are bounded by indexes and LIMITs, and take well
// under a second on a healthy shop database; a minute is a database in
// trouble, and two are past what a person at the terminal or a monitor's
// cron line waits for. readStopGrace is how long they wait once told to
// stop.
//
// startHangs is how long check-pending waits for its reads before the run
// (zwatch's migrations, the last runs): they take milliseconds, and cron
// starts the next run a minute later, so a start-up given up within half
// of that never has another waiting beside it.
const (
	readHangs     = 2 * time.Minute
	readStopGrace = 5 * time.Second
	startHangs    = 30 * time.Second
)

// checkDatabaseURL refuses a URL of another database before the driver
// reads it as key=value settings and complains about a missing "=". Only a
// real scheme counts: key=value settings may hold "://" in a quoted
// password, which must be neither refused nor printed.
func checkDatabaseURL(flag, url string) error {
	scheme, _, isURL := strings.Cut(url, "://")
	if isURL && urlScheme.MatchString(scheme) && scheme != "postgres" && scheme != "postgresql" {
		return usage("%s: a %s:// URL is not PostgreSQL; want postgres://user@host/database or key=value settings like host=db dbname=shop", flag, scheme)
	}
	return nil
}

// urlScheme is what RFC 3986 allows before "://".
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)

// refuseUnknownShells makes `zwatch completion tcsh` a usage error: cobra's
// completion command would print its help and exit 0.
func refuseUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sub := range c.Commands() {
			shells = append(shells, sub.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			return usage("completion %q: no such shell; want %s", args[0], oneOf(shells))
		}
	}
}

// refuseUnknownHelpTopics makes `zwatch help nosuch` a usage error: cobra's
// help command prints "Unknown help topic" and the usage on standard output
// and exits 0, quoting what it was given, which may be settings with a
// password pasted in the wrong place.
func refuseUnknownHelpTopics(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() != "help" {
			continue
		}
		c.RunE = func(_ *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return usage("help %q: no such command (see zwatch --help)", strings.Join(args, " "))
			}
			return target.Help()
		}
		c.Run = nil
	}
}

// refuseArguments words the refusal of an argument by a command that takes
// none for a person: cobra says `unknown command "1010" for "zwatch check"`,
// as if a command had been meant, where the operator forgot a flag.
func refuseArguments(root *cobra.Command) {
	for _, c := range root.Commands() {
		check := c.Args
		if check == nil || c.HasSubCommands() || check(c, nil) != nil || check(c, []string{"x"}) == nil {
			continue // takes arguments: cobra's words are right
		}
		c.Args = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			// A flag that took the next flag for its value leaves that
			// flag's value over as an argument: the empty variable is
			// what to say ("--metrics-file $PROM --loop 0", PROM unset).
			if err := refuseEmptyValues(c); err != nil {
				return err
			}
			hint := ""
			if _, err := parseOrderRef("--order", args[0]); err == nil && c.Flags().Lookup("order") != nil {
				hint = fmt.Sprintf("; name the order with --order %s", args[0])
			}
			return usage("%s takes no arguments, got %q%s (see %s --help)",
				c.CommandPath(), strings.Join(args, " "), hint, c.CommandPath())
		}
	}
}

// emptyValueSays annotates a flag with what to say when it is given an
// empty value, where the general words would say less.
const emptyValueSays = "zwatch_empty_value_says"

// refuseEmptyValues refuses a flag given an empty value. Left to itself an
// empty filter means no filter: `retry --stuck --integration "$PANEL"`
// with the variable unset would retry every integration's orders.
//
// It also refuses two other slips a value of text can hide:
//   - a value that is not UTF-8, a name typed on a terminal set to
//     another encoding ("Çark" in ISO-8859-9): the database would refuse
//     it with its own words, and exit 1 as for a fault;
//   - a value that is another of the command's flags: `--metrics-file
//     $PROM -q` with PROM unset took "-q" for the file, wrote it, and ran
//     without -q.
func refuseEmptyValues(c *cobra.Command) error {
	var err error
	c.Flags().Visit(func(f *pflag.Flag) {
		if err != nil || f.Value.Type() != "string" {
			return
		}
		err = valueSlip(c, f, f.Value.String())
	})
	return err
}

// valueSlip is the usage error for flag f of c given value, where value is
// one of the slips refuseEmptyValues names; nil where it is none. A value
// the flag's own parser refuses is checked for them too (flagValueError):
// "--schedule -q" is a variable left empty, not a schedule that is wrong.
func valueSlip(c *cobra.Command, f *pflag.Flag, value string) error {
	switch {
	case strings.TrimSpace(value) == "":
		return emptyValue(c, f)
	case !utf8.ValidString(value):
		// Not quoted: --database-url's may hold a password that
		// redaction, which reads text, would not find.
		return usage("--%s was given text that is not UTF-8: set the terminal or the script to UTF-8, as the shop's database is", f.Name)
	case isFlagOf(c, value):
		// Its name only: "--database-url=postgres://zwatch:...@db/shop"
		// taken for another flag's value holds the password.
		if name, _, given := strings.Cut(value, "="); given {
			value = name + "=…"
		}
		return usage("--%s was given %q, another flag: its own value is missing (a variable left empty before it?)", f.Name, value)
	}
	return nil
}

// isFlagOf says whether word is one of c's flags, as a command line would
// give it: --name, --name=value, -x.
func isFlagOf(c *cobra.Command, word string) bool {
	if name, ok := strings.CutPrefix(word, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		return name != "" && c.Flags().Lookup(name) != nil
	}
	if short, ok := strings.CutPrefix(word, "-"); ok && len(short) == 1 { // pflag looks up one byte only
		return c.Flags().ShorthandLookup(short) != nil
	}
	return false
}

// emptyValue is the usage error for flag f of c given an empty value.
func emptyValue(c *cobra.Command, f *pflag.Flag) error {
	if says := f.Annotations[emptyValueSays]; len(says) > 0 {
		return usage("%s", says[0])
	}
	return usage("--%s was given an empty value (see %s --help)", f.Name, c.CommandPath())
}

// flagValueError words an error pflag met parsing c's flags. An empty
// value (a variable in the cron line that was not set) is said as
// refuseEmptyValues says it, and a number or a duration that is none is
// said in the operator's words, not the parser's ("strconv.ParseInt:
// parsing \"x\": invalid syntax").
func flagValueError(c *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) {
		f, value := invalid.GetFlag(), invalid.GetValue()
		if err := valueSlip(c, f, value); err != nil {
			return err
		}
		tooLarge := outOfRange(f, value, invalid)
		value = ellipsis(value, 60) // a value pasted long is named by its beginning
		if want, ok := flagValueKinds[f.Value.Type()]; ok {
			if tooLarge {
				return usage("--%s was given %q, which is out of range (see %s --help)", f.Name, value, c.CommandPath())
			}
			return usage("--%s was given %q, which is not %s (see %s --help)", f.Name, value, want, c.CommandPath())
		}
		// A value of zwatch's own (rateValue) says what is wrong itself.
		return usage("--%s was given %q: %w (see %s --help)", f.Name, value, invalid.Unwrap(), c.CommandPath())
	}
	return usage("%w (see %s --help)", err, c.CommandPath())
}

// outOfRange says whether value, which f refused with err, is written as
// f's type takes it but too far from zero for it ("99999999999999999999",
// "9999999h"): time.ParseDuration says so in the words it has for bad
// syntax.
func outOfRange(f *pflag.Flag, value string, err error) bool {
	if f.Value.Type() == "duration" {
		return durationSyntax.MatchString(value)
	}
	return errors.Is(err, strconv.ErrRange)
}

var durationSyntax = regexp.MustCompile(`^[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$`)

// intFlag defines an int flag read in base 10 (decimalInt).
func intFlag(f *pflag.FlagSet, p *int, name string, value int, usage string) {
	*p = value
	f.Var(decimalInt{p}, name, usage)
}

// decimalInt is an int flag's value read in base 10: pflag's own reads
// "010" as octal 8 and takes "0x10" and "1_0", where an operator who
// writes --per-integration 010 means ten (a bad-input adversary's find).
type decimalInt struct{ p *int }

func (d decimalInt) String() string { return strconv.Itoa(*d.p) }
func (d decimalInt) Type() string   { return "int" } // flagValueKinds words it

func (d decimalInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	*d.p = n
	return nil
}

// flagValueKinds names what a value of each of pflag's types must be.
var flagValueKinds = map[string]string{
	"int":      "a whole number",
	"int64":    "a whole number",
	"uint":     "a whole number of zero or more",
	"float64":  "a number",
	"duration": "a duration such as 45s, 5m or 1h30m",
	"bool":     "true or false",
}

// durationsAsText is a slog ReplaceAttr that writes durations as Go
// duration strings (20.177s) instead of integer nanoseconds.
func durationsAsText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// configFlags names the flag behind each watch.Config field.
var configFlags = map[string]string{
	"Batch": "--batch", "Concurrency": "--concurrency", "PerIntegration": "--per-integration",
	"Rate": "--rate", "Timeout": "--timeout", "MaxDuration": "--max-duration",
	"FirstDelay": "--first-delay", "GiveUpAfter": "--give-up-after", "Schedule": "--schedule",
	"Loop": "--loop", "Tick": "--tick", "DryRun": "--dry-run", "TimeScale": "--time-scale",
}

// flagError is a library error worded for the flags: its message is the
// operator's, its chain the library's.
type flagError struct {
	msg string
	err error
}

func (e *flagError) Error() string { return e.msg }
func (e *flagError) Unwrap() error { return e.err }

// configUsage words a watch.Config error for check-pending's flags, as a
// usage error.
func configUsage(err error) error {
	var fe *watch.FieldError
	if !errors.As(err, &fe) {
		return usage("%w", err)
	}
	flag := func(field string) string {
		if f, ok := configFlags[field]; ok {
			return f
		}
		return field
	}
	problem := fe.Problem
	if fe.Other != "" {
		problem = strings.ReplaceAll(problem, fe.Other, flag(fe.Other))
	}
	return &exitError{code: ExitUsage, err: &flagError{msg: fmt.Sprintf("%s %s", flag(fe.Field), problem), err: err}}
}
