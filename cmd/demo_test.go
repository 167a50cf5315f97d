//go:build demo

package cmd_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The demo is the whole binary at work: migrate, check-pending run after run
// against fake panels, list. It is also the first thing a newcomer runs.
func TestDemoSettlesEveryOrderAndShowsNoSecret(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	r := zwatch(t, db, "demo", "--orders", "60", "--pace", "1s", "--timeout", "60s")
	if r.code != 0 {
		t.Fatalf("demo: exit %d\n%s", r.code, r.all())
	}

	got := map[string]int{}
	total := 0
	for integration, states := range db.OrdersByState() {
		for state, n := range states {
			got[integration+" "+state] += n
			total += n
		}
	}
	if total != 60 {
		t.Errorf("the demo seeded %d orders, want 60: %v", total, got)
	}
	for key, n := range got {
		if !strings.HasSuffix(key, " completed") && !strings.HasSuffix(key, " failed") &&
			!strings.HasSuffix(key, " stuck") && !strings.HasSuffix(key, " held") {
			t.Errorf("%d orders of %s: neither final, stuck nor held for a failing panel", n, key)
		}
	}
	// The healthy panel delivers and cancels; the one with the changed
	// password gets every order stuck, or held while it is failing.
	for _, key := range []string{"znet-oyundunyasi completed", "znet-oyundunyasi failed"} {
		if got[key] == 0 {
			t.Errorf("no orders of %s; by state: %v", key, got)
		}
	}
	if got["znet-pinmarket stuck"]+got["znet-pinmarket held"] == 0 {
		t.Errorf("no stuck or held orders of znet-pinmarket; by state: %v", got)
	}
	if got["znet-pinmarket completed"]+got["znet-pinmarket failed"] > 0 {
		t.Errorf("the panel with the wrong password settled orders: %v", got)
	}

	// Piped to a file, the demo is one transcript: the commands' logs are
	// text lines in it, not JSON, and nothing goes to stderr.
	if r.stderr != "" {
		t.Errorf("the demo wrote to stderr:\n%s", r.stderr)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "{") {
			t.Errorf("a JSON line in the demo's output: %s", line)
		}
	}
	// It ends by summing up what it showed, with the database's figures.
	var completed, failed, stuck, held int
	for key, n := range got {
		switch {
		case strings.HasSuffix(key, " completed"):
			completed += n
		case strings.HasSuffix(key, " failed"):
			failed += n
		case strings.HasSuffix(key, " stuck"):
			stuck += n
		case strings.HasSuffix(key, " held"):
			held += n
		}
	}
	summary := r.stdout[max(strings.LastIndex(r.stdout, "In sum:"), 0):]
	for _, want := range []string{
		fmt.Sprintf("%6d PINs saved", completed),
		fmt.Sprintf("%6d cancelled orders left for refund", failed),
		fmt.Sprintf("%6d stuck", stuck),
		"of znet-pinmarket: znet answered with an empty body",
		"runs exited 3",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("the demo's summary lacks %q:\n%s", want, summary)
		}
	}
	if want := fmt.Sprintf("%6d held", held); held > 0 && !strings.Contains(summary, want) {
		t.Errorf("the demo's summary lacks %q:\n%s", want, summary)
	}

	for _, want := range []string{
		"$ zwatch migrate", "$ zwatch check-pending", "every order is final, stuck or held",
		"integration znet-pinmarket is failing: znet answered with an empty body",
		"$ zwatch list --completed", "$ zwatch list --stuck", "••••-",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, r.stdout)
		}
	}
	secrets := db.Secrets()
	if len(secrets) < 3 {
		t.Fatalf("expected two passwords and some PINs, got %d secrets", len(secrets))
	}
	assertNoSecret(t, "the demo's output", r.all(), secrets...)
}

func TestDemoRefusesADatabaseWithShopData(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("1")
	r := zwatch(t, s.db, "demo", "--pace", "1s")
	if r.code != 2 {
		t.Fatalf("demo on a shop with data: exit %d, want 2\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "refusing to seed fake orders")
	if strings.Contains(r.stdout, "zwatch") {
		t.Errorf("the refused demo printed:\n%s", r.stdout)
	}
	orders, integrations := s.db.ShopRows()
	if orders != 1 || integrations != 1 {
		t.Errorf("the refused demo changed the shop: %d orders, %d integrations", orders, integrations)
	}
	if s.znet.TotalRequests() != 0 {
		t.Errorf("the refused demo asked znet %d times", s.znet.TotalRequests())
	}
}

func TestDemoNeedsTheShopSchema(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t, `DROP TABLE product_orders`)
	r := zwatch(t, db, "demo")
	if r.code != 1 {
		t.Fatalf("demo without the shop's tables: exit %d, want 1\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "load the shop's schema first")
}

// A pace check-pending's schedule would refuse is refused before the demo
// migrates or seeds anything (a review's find: it seeded 300 orders, then
// stopped with exit 1).
func TestDemoRefusesAPaceLongerThanAScheduleStep(t *testing.T) {
	t.Parallel()
	db := storetest.NewShopOnly(t)
	for pace, want := range map[string]string{"31m": "--pace must be at most 30m", "100ms": "--pace must be at least 1s"} {
		r := zwatch(t, db, "demo", "--pace", pace)
		if r.code != 2 {
			t.Fatalf("demo --pace %s: exit %d, want 2\n%s", pace, r.code, r.all())
		}
		oneLine(t, r.stderr, want)
		if orders, integrations := db.ShopRows(); orders != 0 || integrations != 0 {
			t.Errorf("the refused demo seeded %d orders, %d integrations", orders, integrations)
		}
	}
}
