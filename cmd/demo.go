//go:build demo

package cmd

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// The demo is built only with -tags demo (make demo builds bin/zwatch-demo):
// it links fake panels (net/http/httptest, znettest) and seeding SQL that the
// binary an operator installs must not carry. Without the tag, demo_off.go
// adds no command.
func demoCommands(g *GlobalOptions) []*cobra.Command {
	return []*cobra.Command{newDemoCmd(g)}
}

// DemoOptions are `zwatch demo`'s flags.
type DemoOptions struct {
	*GlobalOptions
	Orders  int
	Pace    time.Duration
	Timeout time.Duration
}

func newDemoCmd(g *GlobalOptions) *cobra.Command {
	opts := &DemoOptions{GlobalOptions: g}
	c := &cobra.Command{
		Use:    "demo",
		Hidden: true,
		Short:  "Show zwatch at work on a throwaway database with fake orders and fake znet panels",
		Long: `A demonstration for a development machine; 'make demo' runs it on a
throwaway PostgreSQL. NEVER point it at a shop's real database: it writes
made-up integrations and orders. It refuses to run, and changes nothing,
unless product_orders and integrations are both empty, which no real shop's
are.

It starts two fake znet panels on 127.0.0.1 inside this process, runs
'zwatch migrate', plays the shop by seeding orders for two tenants as if
they had just been sent to znet, then runs 'zwatch check-pending' every
--pace with a schedule of --pace until every order is final, stuck or held for a failing panel, printing
a count per state after each run and why a run exited 3, shows 'zwatch list'
and 'zwatch stats', and ends with a summary: PINs saved, cancelled orders
left for the shop to refund, orders stuck and why. Every zwatch command is
the real one, run in-process with the same flags and output; their logs are
printed in line with their output, as text.

The first tenant's panel behaves like a busy, healthy one: most orders are
delivered after one or two waits, some are cancelled, a few fail once, a few
are never found or never finish (and become stuck after six paces). The
second tenant's dealer password was changed on the panel and not in the
shop, so its panel answers with an empty body and zwatch reports the
integration failing.

The shop's schema must already be there; the demo does not create the
shop's tables (make demo loads testdata/host-schema.sql with psql).

Exit status: 0 every order became final, stuck or held; 1 fatal, or orders were
still open after --timeout; 2 usage error, or the database is not empty.`,
		Example: `  make demo
  zwatch demo --database-url postgres://localhost/zwatch_demo --orders 100 --pace 2s`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runDemo(c.Context(), opts)
		},
	}
	f := c.Flags()
	intFlag(f, &opts.Orders, "orders", 300, "orders to seed, across both tenants (10 to 5000)")
	f.DurationVar(&opts.Pace, "pace", time.Second, "time between check-pending runs, and each wait of the demo's schedule; orders are given up on after six")
	f.DurationVar(&opts.Timeout, "timeout", 50*time.Second, "stop, and exit 1, if orders are still open after this long")
	return c
}

// demoPanel is one tenant's znet dealer account and its fake panel.
type demoPanel struct {
	tenant      string // the tenant's name, for the reader; the shop has only ids
	integration store.DemoIntegration
	fake        *znettest.Server
	story       string
	orders      int
	firstNo     int
}

func runDemo(ctx context.Context, opts *DemoOptions) error {
	switch {
	case opts.Orders < 10 || opts.Orders > 5000:
		return usage("--orders must be between 10 and 5000")
	// The demo's schedule is --pace, which check-pending would refuse only
	// after the demo had seeded its orders.
	case opts.Pace < watch.MinCheckWait:
		return usage("--pace must be at least %s", watch.MinCheckWait)
	case opts.Pace > watch.MaxCheckWait:
		return usage("--pace must be at most 30m")
	case opts.Timeout <= 0:
		return usage("--timeout must be positive")
	}
	st, err := opts.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := demoMayRun(ctx, st, demoDatabaseURL(opts.GlobalOptions)); err != nil {
		return err
	}

	out := opts.IO.Out
	panels := newDemoPanels(opts.Orders)
	for _, p := range panels {
		defer p.fake.Close()
	}
	fmt.Fprintln(out, "zwatch demo: a made-up shop with two tenants, each with its own fake znet panel on loopback")
	for _, p := range panels {
		fmt.Fprintf(out, "  %-13s tenant %s, integration %s at %s\n  %-13s %s\n",
			p.tenant, shortID(p.integration.TenantID), p.integration.Name, p.fake.URL, "", p.story)
	}

	d := &demoRun{ctx: ctx, opts: opts}
	fmt.Fprintln(out)
	if code := d.zwatch("migrate"); code != ExitOK {
		return fatal(fmt.Errorf("the demo stopped: zwatch migrate exited with status %d", code))
	}

	integrations, orders := demoOrders(panels)
	if err := st.SeedDemo(ctx, integrations, orders); err != nil {
		if errors.Is(err, store.ErrShopNotEmpty) {
			return fatal(errors.New("the demo stopped before seeding: someone else wrote shop data into the database meanwhile"))
		}
		return fatal(err)
	}
	fmt.Fprintf(out, "\nthe shop sent %d orders to znet over the last %s:", len(orders), age(demoSentSpan))
	for i, p := range panels {
		sep := ","
		if i == len(panels)-1 {
			sep = "\n\n"
		}
		fmt.Fprintf(out, " %d for %s%s", p.orders, p.tenant, sep)
	}

	if err := d.checkUntilSettled(st); err != nil {
		return err
	}

	fmt.Fprintln(out)
	d.zwatch("list", "--completed", "--limit", "5")
	fmt.Fprintln(out)
	d.zwatch("list", "--stuck", "--limit", "8")
	fmt.Fprintln(out)
	// With the flags the runs had, for the orders due and the plan.
	d.zwatch("stats", "--runs", "5", "--first-delay", "0", "--give-up-after", (6 * d.opts.Pace).String())

	fmt.Fprintln(out)
	if err := d.summarise(st, len(orders)); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nthat was the demo: the fake panels are stopped; make demo drops its database.")
	return nil
}

// demoMayRun refuses any database that already holds shop data: the demo
// must never write made-up orders into a real shop.
func demoMayRun(ctx context.Context, st *store.Store, databaseURL string) error {
	rows, err := st.CountShopRows(ctx)
	switch {
	case errors.Is(err, store.ErrNoShopSchema):
		return fatal(fmt.Errorf("%w in %s: load the shop's schema first (make demo does: psql -f testdata/host-schema.sql)",
			err, store.Describe(databaseURL)))
	case err != nil:
		return fatal(err)
	case !rows.Empty():
		return usage("refusing to seed fake orders into %s: it already has %s and %s, so it may be a real shop's; "+
			"the demo runs only on an empty throwaway database (make demo starts one)",
			store.Describe(databaseURL), demoCount(rows.Orders, "order"), demoCount(rows.Integrations, "integration"))
	}
	return nil
}

func demoCount(n int64, what string) string {
	s := fmt.Sprintf("%d %ss", n, what)
	switch {
	case n == 1:
		s = "1 " + what
	case n >= 1000:
		s = fmt.Sprintf("1000 or more %ss", what)
	}
	return s
}

// demoDatabaseURL is the setting openStore used, for messages.
func demoDatabaseURL(g *GlobalOptions) string {
	if g.DatabaseURL != "" {
		return g.DatabaseURL
	}
	return os.Getenv("DATABASE_URL")
}

// demoSentSpan is how far back the seeded orders were sent.
const demoSentSpan = 5 * time.Minute

func newDemoPanels(orders int) []*demoPanel {
	healthy := &demoPanel{
		tenant: "Oyun Dünyası",
		story:  "a busy, healthy panel: most orders are delivered after a wait or two",
		integration: store.DemoIntegration{
			ID: uuid.NewString(), TenantID: uuid.NewString(), Name: "znet-oyundunyasi",
			DealerCode: "bayi-1042", Password: store.Secret(randomPassword()),
		},
		firstNo: 10421,
	}
	healthy.fake = znettest.NewServer(healthy.integration.DealerCode, healthy.integration.Password.Reveal())
	healthy.fake.SetResponder(znettest.Lifelike)

	// The dealer changed the password on the panel; the shop still has the
	// old one, so every call gets znet's empty body.
	rotated := &demoPanel{
		tenant: "Pin Market",
		story:  "its dealer password was changed on the panel but not in the shop",
		integration: store.DemoIntegration{
			ID: uuid.NewString(), TenantID: uuid.NewString(), Name: "znet-pinmarket",
			DealerCode: "bayi-2207", Password: store.Secret(randomPassword()),
		},
		firstNo: 3307,
	}
	rotated.fake = znettest.NewServer(rotated.integration.DealerCode, randomPassword())
	rotated.fake.SetResponder(znettest.Lifelike)

	// A small tenant: a failing panel's orders are asked about only a few
	// per run, so this also bounds how long they take to become stuck.
	rotated.orders = max(orders/12, 1)
	healthy.orders = orders - rotated.orders
	for _, p := range []*demoPanel{healthy, rotated} {
		p.integration.BaseURL = p.fake.URL
	}
	return []*demoPanel{healthy, rotated}
}

func randomPassword() string {
	return "demo-" + rand.Text()[:16]
}

// demoOrders interleaves the tenants' orders in time, the oldest sent
// demoSentSpan ago and the newest a few seconds ago.
func demoOrders(panels []*demoPanel) ([]store.DemoIntegration, []store.DemoOrder) {
	var (
		integrations []store.DemoIntegration
		total        int
	)
	for _, p := range panels {
		integrations = append(integrations, p.integration)
		total += p.orders
	}
	prices := []string{"35.00", "72.50", "149.90", "18.75", "310.00", "54.00"}
	orders := make([]store.DemoOrder, 0, total)
	made := make([]int, len(panels))
	for k := range total {
		// Spread each tenant's orders evenly over the whole span.
		p := 0
		for i, panel := range panels {
			if float64(made[i])/float64(panel.orders) < float64(made[p])/float64(panels[p].orders) {
				p = i
			}
		}
		panel := panels[p]
		orders = append(orders, store.DemoOrder{
			ID:            uuid.NewString(),
			TenantID:      panel.integration.TenantID,
			OrderNo:       panel.firstNo + made[p],
			IntegrationID: panel.integration.ID,
			Referans:      strconv.Itoa(48210001 + k),
			Player:        strconv.Itoa(510000000 + 7919*k%89999999),
			Price:         prices[k%len(prices)],
			SentAgo:       demoSentSpan - time.Duration(k)*(demoSentSpan-5*time.Second)/time.Duration(total),
		})
		made[p]++
	}
	return integrations, orders
}

// demoRun drives zwatch's own command line in-process, the way cron would
// run the binary, and keeps count of how its check-pending runs ended.
type demoRun struct {
	ctx  context.Context
	opts *DemoOptions

	runs, attention        int           // check-pending runs, and those that exited 3
	failingRuns, stuckRuns int           // runs with a panel cut off, runs in which orders became stuck
	took                   time.Duration // from the first run until every order was settled
}

// zwatch runs one zwatch command and prints it with its output. Its logs go
// to the same stream, in order and as text, so that the demo reads as one
// transcript on a terminal and in a file alike.
func (d *demoRun) zwatch(args ...string) int {
	fmt.Fprintf(d.opts.IO.Out, "$ zwatch %s\n", strings.Join(args, " "))
	return d.zwatchTo(d.opts.IO.Out, d.opts.IO.Out, args...)
}

func (d *demoRun) zwatchTo(out, errOut io.Writer, args ...string) int {
	logFormat := d.opts.LogFormat
	if logFormat == "auto" {
		logFormat = "text" // a person reads the demo, wherever its output goes
	}
	args = append(args, "--log-format", logFormat, "--log-level", d.opts.LogLevel)
	if d.opts.DatabaseURL != "" {
		args = append(args, "--database-url", d.opts.DatabaseURL)
	}
	// Not a terminal: a progress line would leave carriage returns in a file.
	return Main(d.ctx, args, IOStreams{Out: out, ErrOut: errOut})
}

// checkUntilSettled runs check-pending every pace until no order is open.
// The first run is shown in full; after each, one line counts the orders by
// state and says why the run exited 3, if it did.
func (d *demoRun) checkUntilSettled(st *store.Store) error {
	pace := d.opts.Pace
	args := []string{"check-pending", "--loop", "0", "--rate", "0", "--first-delay", "0",
		"--schedule", pace.String(), "--give-up-after", (6 * pace).String()}
	out := d.opts.IO.Out
	start := time.Now()
	deadline := time.NewTimer(d.opts.Timeout)
	defer deadline.Stop()
	for run := 1; ; run++ {
		var code int
		began := time.Now()
		if run == 1 {
			code = d.zwatch(args...)
			fmt.Fprintf(out, "\n$ zwatch %s   # every %s from now on, output hidden\n", strings.Join(args, " "), pace)
			fmt.Fprintln(out, "# orders by state after each run, and why a run exited 3: 3 says a person should look")
		} else {
			var quiet bytes.Buffer
			code = d.zwatchTo(io.Discard, &quiet, args...)
			if code != ExitOK && code != ExitAttention {
				d.opts.IO.ErrOut.Write(quiet.Bytes())
			}
		}
		took := time.Since(began)
		if d.ctx.Err() != nil {
			return fatal(fmt.Errorf("the demo was interrupted: %w", d.ctx.Err()))
		}
		if code != ExitOK && code != ExitAttention {
			return fatal(fmt.Errorf("the demo stopped: zwatch check-pending exited with status %d", code))
		}
		why, err := d.count(st, code)
		if err != nil {
			return fatal(err)
		}
		p, err := st.CountDemoProgress(d.ctx)
		if err != nil {
			return fatal(err)
		}
		fmt.Fprintf(out, "run %2d  exit %d  %5s   sent %3d   processing %3d   completed %3d   failed %3d   stuck %3d   held %3d%s\n",
			run, code, took.Round(10*time.Millisecond), p.Sent, p.Processing, p.Completed, p.Failed, p.Stuck, p.Held, why)
		if p.Open() == 0 {
			d.took = time.Since(start)
			fmt.Fprintf(out, "every order is final, stuck or held for its failing panel after %d runs in %s\n", run, d.took.Round(100*time.Millisecond))
			return nil
		}
		select {
		case <-d.ctx.Done():
			return fatal(fmt.Errorf("the demo was interrupted: %w", d.ctx.Err()))
		case <-deadline.C:
			return fatal(fmt.Errorf("the demo gave up: %s still open after %s", counted(p.Open(), "order was", "orders were"), d.opts.Timeout))
		case <-time.After(pace):
		}
	}
}

// count adds the run that just exited with code to the tally, from the row
// check-pending recorded in zwatch_runs, and says why it exited 3.
func (d *demoRun) count(st *store.Store, code int) (string, error) {
	d.runs++
	if code != ExitAttention {
		return "", nil
	}
	d.attention++
	runs, err := st.LastRuns(d.ctx, 1)
	if err != nil || len(runs) == 0 {
		return "", err
	}
	var why []string
	if r := runs[0]; r.Failing > 0 {
		d.failingRuns++
		why = append(why, demoCount(int64(r.Failing), "panel")+" failing")
	}
	if r := runs[0]; r.Stuck > 0 {
		d.stuckRuns++
		why = append(why, fmt.Sprintf("%d became stuck", r.Stuck))
	}
	if len(why) == 0 {
		return "", nil
	}
	return "   <- " + strings.Join(why, ", "), nil
}

// summarise ends the demo with what it showed: PINs saved, orders left to
// the shop to refund, orders stuck and why, and what the exit statuses meant.
func (d *demoRun) summarise(st *store.Store, orders int) error {
	outcomes, reasons, err := st.DemoOutcomes(d.ctx)
	if err != nil {
		return fatal(err)
	}
	var total store.DemoOutcome
	for _, o := range outcomes {
		total.PINsSaved += o.PINsSaved
		total.Refunds += o.Refunds
		total.Stuck += o.Stuck
		total.Held += o.Held
	}
	out := d.opts.IO.Out
	giveUp := 6 * d.opts.Pace
	fmt.Fprintf(out, "In sum: %d orders, %d runs of check-pending, %s until every order was settled.\n",
		orders, d.runs, d.took.Round(100*time.Millisecond))
	fmt.Fprintf(out, "%6d PINs saved: znet delivered them; each PIN is in \"pinCode\" and the order is approved\n", total.PINsSaved)
	fmt.Fprintf(out, "%6d cancelled orders left for refund: znet cancelled them, zwatch set \"externalStatus\" failed\n"+
		"       and left the shop's status pending; refunding is the shop's job, zwatch never moves money\n", total.Refunds)
	fmt.Fprintf(out, "%6d stuck: no final answer within --give-up-after %s; zwatch stopped asking, and a person\n"+
		"       should look at them on the dealer panel:\n", total.Stuck, giveUp)
	printReasons := func(held bool) {
		for _, r := range reasons {
			if r.Held != held {
				continue
			}
			why := r.LastError
			switch {
			case why == "" && held:
				why = "not asked: released unasked once the panel was cut off"
			case why == "":
				why = "znet kept saying it was still working on them"
			}
			fmt.Fprintf(out, "%10d of %s: %s\n", r.Orders, r.Integration, why)
		}
	}
	printReasons(false)
	if total.Held > 0 {
		fmt.Fprintf(out, "%6d held: their panel is failing, so zwatch stopped their give-up clock instead of giving up\n"+
			"       on them; fix the panel's settings and they are asked again (zwatch balance tells what is wrong):\n", total.Held)
		printReasons(true)
	}
	fmt.Fprintf(out, "%d of the %d runs exited 3, which says \"done, but a person should look\": %s found a panel\n"+
		"failing (cut off for the rest of the run, or still failing from a run before); in %s, orders became stuck.",
		d.attention, d.runs, demoCount(int64(d.failingRuns), "run"), demoCount(int64(d.stuckRuns), "run"))
	if d.attention < d.runs {
		fmt.Fprint(out, " The other runs exited 0: an error on a single\n"+
			"order (a panel's bad moment) is normal life, and the order is asked again later.")
	}
	fmt.Fprintln(out)
	return nil
}
