package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// MigrateOptions are `zwatch migrate`'s flags.
type MigrateOptions struct {
	*GlobalOptions
	Status bool
}

func newMigrateCmd(g *GlobalOptions) *cobra.Command {
	opts := &MigrateOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:   "migrate",
		Short: "Create or update zwatch's tables and index in the shop's database",
		Long: `Apply zwatch's migrations, which are built into the binary.

zwatch owns only what it creates: its own tables (zwatch_order_checks for
scheduling and claiming, zwatch_order_events for the transition log,
zwatch_runs for the history of check-pending runs, zwatch_schema_migrations
for this history), a partial index on
product_orders over the orders still waiting for znet, built CONCURRENTLY so
the shop keeps writing meanwhile, and the column product_orders.provider_referans
where the shop does not have it yet. It never drops, rewrites or locks out
shop data.

Applied migrations are never run again: a second 'zwatch migrate' does
nothing. Every other command refuses to run until migrate has been run.`,
		Example: `  zwatch migrate --database-url "postgres://zwatch@db.internal/shop?sslmode=require"
  zwatch migrate --status`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runMigrate(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.Status, "status", false, "list zwatch's migrations and whether each is applied; change nothing")
	return c
}

func runMigrate(ctx context.Context, opts *MigrateOptions) error {
	st, err := opts.openStore(ctx, false)
	if err != nil {
		return err
	}
	defer st.Close()
	out := opts.IO.Out

	if opts.Status {
		states, err := st.MigrationStatus(ctx)
		if err != nil {
			return fatal(err)
		}
		for _, m := range states {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(out, "%-8s %s\n", state, m.Name)
		}
		return nil
	}

	applied, err := st.Migrate(ctx)
	for _, m := range applied {
		fmt.Fprintf(out, "applied %s\n", m.Name)
	}
	if err != nil {
		return fatal(err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(out, "zwatch's tables are up to date; nothing to do")
	}
	return nil
}
