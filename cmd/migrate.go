package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
)

// MigrateOptions are `zwatch migrate`'s flags.
type MigrateOptions struct {
	*GlobalOptions
	Status      bool
	PrintGrants string // a role name
}

func newMigrateCmd(g *GlobalOptions) *cobra.Command {
	opts := &MigrateOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "migrate",
		Short: "Create or update zwatch's tables and index in the shop's database",
		Long: `Apply zwatch's migrations, which are built into the binary.

zwatch owns only what it creates: its own tables (zwatch_order_checks for
scheduling and claiming, zwatch_order_events for the transition log,
zwatch_runs for the history of check-pending runs, zwatch_state for what
runs on every host share, zwatch_panel_budgets for each dealer panel's
shared request budget, zwatch_panel_fits for what zwatch learned of each
panel, zwatch_schema_migrations for this history), a partial index on
product_orders over the orders still waiting for znet, built CONCURRENTLY so
the shop keeps writing meanwhile, and the column product_orders.provider_referans
where the shop does not have it yet. It never drops, rewrites or locks out
shop data.

Applied migrations are never run again: a second 'zwatch migrate' does
nothing. Every other command refuses to run until migrate has been run.

Run migrate as the owner of the shop's tables. Every other command needs
only the grants --print-grants prints, for the role zwatch runs as: SELECT on
what it reads, UPDATE on only the shop's columns it writes, and what each of
its own tables needs. --status and --print-grants change nothing.

Each run says which roles zwatch runs as (those --print-grants's SQL was
applied for, and roles logging in through them) lack grants its commands
need, such as on a table a migrate killed midway created, and then exits 3:
apply --print-grants for them before the new binary runs.`,
		Example: `  zwatch migrate --database-url "postgres://shop_owner@db.internal/shop?sslmode=require"
  zwatch migrate --status
  zwatch migrate --print-grants zwatch | psql "postgres://shop_owner@db.internal/shop"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Status && c.Flags().Changed("print-grants") {
				return usage("--status and --print-grants cannot be combined: each prints its own listing")
			}
			// GRANT ... TO public grants to every role; given as "public",
			// quotes and all, it was meant as the same.
			if strings.EqualFold(strings.Trim(opts.PrintGrants, `"`), "public") {
				return usage("--print-grants %s would grant the dealer passwords and the shop's orders to every role: name the role zwatch runs as", opts.PrintGrants)
			}
			return runMigrate(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.Status, "status", false, "list zwatch's migrations and whether each is applied; change nothing")
	nameFlag(c.Flags(), &opts.PrintGrants, "print-grants", "print the GRANT statements the role ROLE needs to run every command but migrate; change nothing")
	_ = c.Flags().SetAnnotation("print-grants", emptyValueSays, []string{"--print-grants needs the name of the role zwatch runs as"})
	return c
}

func runMigrate(ctx context.Context, opts *MigrateOptions) error {
	st, err := opts.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	out := opts.IO.Out

	// --print-grants and --status only read, and are as likely run by a
	// deploy's script or a monitor as by a person: a silent statement is
	// given up as list's are (awaitRead).
	if opts.PrintGrants != "" {
		type grantsRead struct {
			grants []string
			newer  []int64
		}
		r, err := awaitRead(ctx, opts.GlobalOptions, st, func() (grantsRead, error) {
			grants, newer, err := st.PrintableGrants(ctx, opts.PrintGrants)
			return grantsRead{grants, newer}, err
		})
		grants, newer := r.grants, r.newer
		if errors.Is(err, store.ErrNoSuchRole) {
			return usage("--print-grants: %w", err)
		}
		if err != nil {
			return fatal(err)
		}
		fmt.Fprintf(out, "-- What zwatch's role needs for every command but migrate, and nothing more.\n"+
			"-- Run as the owner of the tables, after zwatch migrate.\n")
		if len(newer) > 0 {
			// A comment, so that the script still runs; and on stderr, for
			// the person piping it into psql.
			warning := newerMigrations(len(newer)) + ": print the grants with the newest zwatch"
			fmt.Fprintln(out, "-- "+warning)
			noteOnStderr(opts.IO.ErrOut, warning)
		}
		for _, g := range grants {
			fmt.Fprintln(out, g)
		}
		return nil
	}

	if opts.Status {
		states, err := awaitRead(ctx, opts.GlobalOptions, st, func() ([]store.MigrationState, error) {
			return st.MigrationStatus(ctx)
		})
		if err != nil {
			return fatal(err)
		}
		pending, newer := 0, 0
		var undone error
		for _, m := range states {
			state := "pending"
			switch {
			case m.Newer:
				newer++
				state = "applied"
			case m.Applied:
				state = "applied"
			default:
				pending++
				if m.Undone && undone == nil {
					undone = store.RecordedUndone(m.Name, m.Version)
				}
			}
			fmt.Fprintf(out, "%-8s %s\n", state, m.Name)
		}
		if undone != nil {
			// "Run zwatch migrate" would send the operator to a refusal.
			fmt.Fprintf(out, "%d of %d migrations pending, but migrate refuses to run: %v\n", pending, len(states)-newer, undone)
		} else if pending > 0 {
			fmt.Fprintf(out, "%d of %d migrations pending: run zwatch migrate\n", pending, len(states)-newer)
		}
		if newer > 0 {
			fmt.Fprintln(out, newerMigrations(newer)+": run the newest zwatch")
		}
		return nil
	}

	// An unreadable lock table is no reason not to migrate: only the word
	// on a wait is lost.
	if holder, _ := st.MigrateLockHolder(ctx); holder != nil {
		noteOnStderr(opts.IO.ErrOut, waitingForMigrateLock(holder))
	}
	applied, err := st.Migrate(ctx)
	var created []string
	for _, m := range applied {
		fmt.Fprintf(out, "applied %s\n", m.Name)
		if store.CreatesARelation(m.Name) {
			created = append(created, m.Name)
		}
	}
	if err != nil {
		sayCreated(out, created)
		return fatal(err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(out, "zwatch's tables are up to date; nothing to do")
	}
	// As every other command does: a newer zwatch migrated this database,
	// and the one that was run may not know what it changed.
	if states, err := st.MigrationStatus(ctx); err == nil {
		newer := 0
		for _, m := range states {
			if m.Newer {
				newer++
			}
		}
		if newer > 0 {
			fmt.Fprintln(out, newerMigrations(newer)+": run the newest zwatch")
		}
	}
	// README, "Upgrading": the new zwatch fails every run until its role
	// may use what the migrations created. Read from the catalogue, not
	// from what this migrate applied: one killed and run again, or run
	// beside another, may have created a table without saying so.
	// The migrations are applied whatever it says: a catalogue it cannot
	// read (a locked-down pg_catalog) only loses the word.
	lacking, err := st.RolesLackingGrants(ctx)
	if err != nil {
		noteOnStderr(opts.IO.ErrOut, "the migrations are applied, but "+err.Error()+"; see that zwatch's role holds what zwatch migrate --print-grants ROLE prints")
	}
	for _, r := range lacking {
		fmt.Fprintf(out, "role %s lacks grants zwatch's commands need (%s): %s, and apply its SQL before zwatch runs as that role\n",
			inLine(string(escapeControls([]byte(r.Role)))), r.Lacking, printGrantsFor(r.Role))
	}
	if len(lacking) > 0 {
		return attention
	}
	sayCreated(out, created)
	return nil
}

// printGrantsFor is the command that prints role's grants, as a shell
// reads it: quoted, so that a name with a space, a "$(" or quotes pasted
// from the line is the name and nothing else. A name with a control or
// format character (a line break, a right-to-left mark) cannot be pasted
// as it reads, and is left to the operator.
func printGrantsFor(role string) string {
	switch {
	case strings.IndexFunc(role, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0:
		return "run zwatch migrate --print-grants with its name"
	case plainShellWord.MatchString(role):
		return "run zwatch migrate --print-grants " + role
	}
	return "run zwatch migrate --print-grants '" + strings.ReplaceAll(role, "'", `'\''`) + "'"
}

// plainShellWord is a name a shell reads as itself: not one that begins
// with "=", which zsh reads as a command's path, nor with "-".
var plainShellWord = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.@%+=:,/-]*$`)

// sayCreated names the migrations that created tables, which a role zwatch
// will run as needs grants on before it does.
func sayCreated(out io.Writer, created []string) {
	if len(created) > 0 {
		fmt.Fprintf(out, "%s created tables zwatch's role needs grants on: run zwatch migrate --print-grants ROLE and apply its SQL before zwatch runs as that role, unless it has them\n",
			strings.Join(created, ", "))
	}
}

// newerMigrations says that n migrations in the database came from a newer
// zwatch.
func newerMigrations(n int) string {
	return counted(n, "migration", "migrations") + " applied by a newer zwatch, which this one does not carry"
}

// waitingForMigrateLock says that migrate waits for another session's
// migration lock, which one, and how to end it if it is a migrate that
// was killed.
func waitingForMigrateLock(h *store.LockHolder) string {
	what := h.State
	if h.WaitEvent != "" {
		what += ", waiting on " + h.WaitEvent
	}
	if h.QuerySeconds != nil {
		what += fmt.Sprintf(", its last statement started %s ago", age(time.Duration(*h.QuerySeconds*float64(time.Second))))
	}
	name := ""
	if h.ApplicationName != "" {
		name = " " + inLine(h.ApplicationName)
	}
	return fmt.Sprintf("session %d%s (%s) holds zwatch's migration lock: migrate waits up to 5 minutes for it. "+
		"If it is a migrate that was killed, its statement goes on until it ends; SELECT pg_terminate_backend(%d) ends it, "+
		"and the next migrate finishes its work", h.PID, name, what, h.PID)
}
