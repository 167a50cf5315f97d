//go:build bench || demo

package store_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The benchmarks read the claim's plans from ExplainClaim: it must run the
// statements a claim runs, with every parameter they take (a learned
// panel's first check among them), and leave nothing behind.
func TestExplainClaimRunsTheClaimsStatements(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.LearnFirstCheck(integ, "20")
	order := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", SentAgo: time.Hour})

	plans, err := db.Store.ExplainClaim(context.Background(), learningChunk)
	if err != nil {
		t.Fatal(err)
	}

	for _, step := range []string{"-- enlist", "-- purge", "-- claim"} {
		if !strings.Contains(plans, step) {
			t.Errorf("no plan of the claim's %q statement in:\n%s", strings.TrimPrefix(step, "-- "), plans)
		}
	}
	if db.HasCheck(order) {
		t.Error("explaining the claim registered an order: its transaction must be rolled back")
	}
}

// On 4 million orders, reading product_orders through for `list
// --completed` took 12-17 s and sorted 400 MB on disk. The final lists walk
// zwatch's index of its answers and look each order up by primary key.
func TestTheFinalListsPlansReadZwatchsIndex(t *testing.T) {
	t.Parallel()
	db, lists := finalListsShop(t)
	for state := range lists {
		plan, err := db.Store.ExplainFinalList(context.Background(), state)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "Seq Scan on product_orders") || !strings.Contains(plan, "zwatch_order_events_final") {
			t.Errorf("the %s list does not read zwatch's answers by their index, or reads product_orders through:\n%s", state, plan)
		}
	}
}

// A claim that passes over a panel with a backlog (ClaimParams.PassOver)
// takes every other panel's due orders, and those of orders zwatch has not
// placed with a panel yet, however much older the backlog's are; and it
// finds them along the index by panel, never reading the backlog through:
// 20,000 due orders of one panel, 30 other panels with one each.
func TestAClaimPassesOverAPanelWithABacklog(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integration := func() string {
		return db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	}
	backlogged := integration()
	db.AddWaitingOrders(storetest.WaitingOrders{IntegrationIDs: []string{backlogged}, Count: 20000, FirstReferans: 3_000_000, DueWithin: time.Minute})
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 hour' + make_interval(secs => 3000 * random())`)
	var others []string
	for range 30 {
		others = append(others, integration())
	}
	db.AddWaitingOrders(storetest.WaitingOrders{IntegrationIDs: others, Count: 30, FirstReferans: 4_000_000, DueWithin: time.Minute})
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 second' WHERE next_check_at > now()`)
	// Registered by a zwatch before it kept each order's panel.
	db.Exec(`UPDATE zwatch_order_checks SET integration_id = NULL
		WHERE order_id = (SELECT order_id FROM zwatch_order_checks WHERE integration_id = $1::uuid LIMIT 1)`, others[0])
	db.VacuumAnalyze()

	p := firstChunk
	p.Register, p.Limit, p.PassOver = 0, 50, []string{backlogged}
	plans, err := db.Store.ExplainClaim(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	claimPlan := plans[strings.Index(plans, "-- claim"):]
	if !strings.Contains(claimPlan, "zwatch_order_checks_due_by_panel") || strings.Contains(claimPlan, "Seq Scan on zwatch_order_checks") {
		t.Errorf("the claim does not find the other panels' orders along the index by panel:\n%s", claimPlan)
	}

	claimed, byPanel := claimByPanel(t, db, p)
	if len(claimed.Orders) != 30 || byPanel[backlogged] != 0 || len(byPanel) != 30 {
		t.Errorf("claimed %d orders of %d panels, %d of them the backlog's; want the 30 other panels' one each",
			len(claimed.Orders), len(byPanel), byPanel[backlogged])
	}
}

// A claim that passes over a panel locks only the orders it takes: it
// read the other panels' due orders, up to its limit of each, and locked
// them all (a row write each), keeping its limit of them; after an outage,
// when every panel has a backlog, thousands of rows a claim, once a
// second. A review's find.
func TestAClaimPassingOverAPanelLocksOnlyWhatItTakes(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integrations := panelsWithBacklogs(db, 21, 300)

	p := firstChunk
	p.Register, p.Limit, p.PassOver, p.PerPanel = 0, 50, integrations[:1], 10
	plans, err := db.Store.ExplainClaim(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	locked := 0
	lockRows := regexp.MustCompile(`LockRows .*\(actual time=\S+ rows=(\d+) loops=(\d+)\)`)
	for _, m := range lockRows.FindAllStringSubmatch(plans[strings.Index(plans, "-- claim"):], -1) {
		rows, _ := strconv.Atoi(m[1])
		loops, _ := strconv.Atoi(m[2])
		locked += rows * loops
	}
	if locked != p.Limit {
		t.Errorf("a claim of %d orders locked %d rows", p.Limit, locked)
	}
	claimed, byPanel := claimByPanel(t, db, p)
	for integ, n := range byPanel {
		if n > p.PerPanel || integ == integrations[0] {
			t.Errorf("the claim gave panel %s %d orders, want at most %d and none of the panel passed over", integ, n, p.PerPanel)
		}
	}
	if len(claimed.Orders) != p.Limit {
		t.Errorf("claimed %d orders, want %d", len(claimed.Orders), p.Limit)
	}
}

// An order the shop moves off a panel with a backlog to another one is
// claimed for its new panel although the old one is passed over. A claim
// passing over a panel finds orders by the panel zwatch booked them
// under, and the booking followed the shop only when a claim took the
// order, which no claim passing over its old panel did: an adversary's
// moved orders were first asked 218 s later, their new panel idle. The
// sweep, or registering when the shop sends the order again, books them
// with their new panel.
func TestAnOrderMovedOffAPanelWithABacklogIsClaimedForItsNewPanel(t *testing.T) {
	t.Parallel()
	for name, move := range map[string]string{
		"its panel changed":           `UPDATE product_orders SET "providerId" = $2 WHERE id = $1`,
		"sent again to another panel": `UPDATE product_orders SET "providerId" = $2, provider_referans = '7000001', "sentAt" = now() - interval '1 minute' WHERE id = $1`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			backlogged := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
			idle := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
			db.AddWaitingOrders(storetest.WaitingOrders{IntegrationIDs: []string{backlogged}, Count: 100, FirstReferans: 6_000_000})
			db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 minute'`)
			var moved string
			db.Get(&moved, `SELECT order_id::text FROM zwatch_order_checks ORDER BY order_id LIMIT 1`)
			db.Exec(move, moved, idle)
			db.MakeSweepDue()

			p := firstChunk
			p.PassOver = []string{backlogged}
			claimed, byPanel := claimByPanel(t, db, p)
			if len(claimed.Orders) != 1 || claimed.Orders[0].ID != moved || byPanel[idle] != 1 {
				t.Errorf("claimed %d orders (by panel %v), want the one moved to the idle panel", len(claimed.Orders), byPanel)
			}
		})
	}
}

// claimByPanel claims as p says, and counts the orders taken by panel.
func claimByPanel(t *testing.T, db *storetest.DB, p store.ClaimParams) (store.Claimed, map[string]int) {
	t.Helper()
	claimed, err := db.Store.ClaimBatch(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	byPanel := make(map[string]int)
	for _, o := range claimed.Orders {
		byPanel[o.IntegrationID]++
	}
	return claimed, byPanel
}

// The waiting orders the history samples, and those of no known panel
// that a claim passing over panels takes, are read along the index by
// panel: ordered by next_check_at alone, both walked the index of every
// panel's due orders, filtering out all but the few that name none (the
// history: 80,000 rows to find none).
func TestTheHistoryAndTheClaimReadEachPanelsWaitingOrdersAlongItsIndex(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	var panels []string
	for _, name := range []string{"A", "B", "C"} {
		panels = append(panels, db.AddIntegration(storetest.Integration{Name: name}))
	}
	for _, id := range panels {
		db.Exec(`WITH o AS (
			INSERT INTO product_orders (id, "tenantId", status, "providerId", provider_referans, "externalStatus", "sentAt", "createdAt")
			SELECT gen_random_uuid(), gen_random_uuid(), 'pending', $1, 'r' || g, 'sent', now() - interval '1 hour', now() - interval '1 hour'
			FROM generate_series(1, 20000) g RETURNING id)
			INSERT INTO zwatch_order_checks (order_id, attempts, first_checked_at, last_checked_at, waiting_seen_at, next_check_at, integration_id)
			SELECT id, 3, now() - interval '59 minutes', now() - interval '1 minute', now() - interval '1 minute',
			       now() + random() * interval '30 minutes', $1::uuid
			FROM o`, id)
	}
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 minute'
		WHERE order_id IN (SELECT order_id FROM zwatch_order_checks LIMIT 5000)`)
	// Finished orders whose rows name no panel, as those of a zwatch from
	// before migration 00023 do: the planner then expects some waiting.
	finished := make([]storetest.Finished, 5000)
	for i := range finished {
		finished[i] = storetest.Finished{WaitingAt: 20 * time.Second, FinalAt: 30 * time.Second, Ago: time.Hour}
	}
	db.AddFinishHistory(panels[0], finished)
	db.Exec(`ANALYZE`)

	var history []string
	if err := db.SQL.SelectContext(ctx, &history, `EXPLAIN `+store.FinishHistorySQL, 20000, 2000, 7*86400.0); err != nil {
		t.Fatal(err)
	}
	claim, err := db.Store.ExplainClaim(ctx, store.ClaimParams{RunID: "run-1", Limit: 10, Register: 10, FirstDelay: 30 * time.Second,
		Lease: time.Minute, PassOver: panels[:1], PerPanel: 10})
	if err != nil {
		t.Fatal(err)
	}
	// Only the parts that read them: the claim's branch by panel, which
	// this does not cover, may take either index as the statistics fall.
	// The history's two branches (each panel's, and the orders naming
	// none) each read the index of orders seen waiting, and nothing else
	// of zwatch_order_checks.
	for what, read := range map[string]struct {
		part, index string
		reads       int
	}{
		"the history's waiting_checks": {cteOf(strings.Join(history, "\n"), "waiting_checks"), "zwatch_order_checks_seen_waiting", 2},
		"the claim's panel_unknown":    {cteOf(claim, "panel_unknown"), "zwatch_order_checks_due_by_panel", 1},
	} {
		if read.part == "" || strings.Count(read.part, " on zwatch_order_checks ") != read.reads ||
			strings.Count(read.part, "using "+read.index+" on") != read.reads {
			t.Errorf("%s does not read the waiting orders along %s alone:\n%s\n%s", what, read.index, read.part, strings.Join(history, "\n")+"\n"+claim)
		}
	}
	// Whether each waiting order was answered before, in its sending, is a
	// probe of the events' index by order, not a read of every final event
	// (helper-303).
	if plan := strings.Join(history, "\n"); !strings.Contains(plan, "using zwatch_order_events_order on") {
		t.Errorf("the history's plan does not look up the waiting orders' answers by order:\n%s", plan)
	}
}

// cteOf is the part of an EXPLAIN's text under "CTE name": the lines
// after it indented deeper; "" if there is none.
func cteOf(plan, name string) string {
	lines := strings.Split(plan, "\n")
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	for i, l := range lines {
		if strings.TrimSpace(l) != "CTE "+name {
			continue
		}
		end := i + 1
		for end < len(lines) && indent(lines[end]) > indent(l) {
			end++
		}
		return strings.Join(lines[i:end], "\n")
	}
	return ""
}

// The look for due orders whose rows a transaction holds reads each
// panel's longest due along the index by panel, and the shop's orders by
// primary key: its cost is the panels', not the waiting orders'.
func TestTheLookForHeldRowsReadsEachPanelsLongestDue(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	panelsWithBacklogs(db, 3, 10000)

	plan, err := db.Store.ExplainLockedDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "zwatch_order_checks_due_by_panel") || strings.Contains(plan, "Seq Scan on zwatch_order_checks") ||
		strings.Contains(plan, "Seq Scan on product_orders") {
		t.Errorf("the look does not read each panel's longest due along the index by panel:\n%s", plan)
	}
}

// panelsWithBacklogs adds panels znet integrations, each with orders
// waiting orders due between 10 minutes and an hour ago, analysed.
func panelsWithBacklogs(db *storetest.DB, panels, orders int) []string {
	var ids []string
	for range panels {
		ids = append(ids, db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"}))
	}
	db.AddWaitingOrders(storetest.WaitingOrders{IntegrationIDs: ids, Count: panels * orders, FirstReferans: 5_000_000, DueWithin: time.Minute})
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 hour' + make_interval(secs => 3000 * random())`)
	db.VacuumAnalyze()
	return ids
}
