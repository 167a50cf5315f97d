package cmd_test

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A shop that keys its PINs (a unique index on "pinCode", so that no PIN
// is delivered twice) and a panel that hands one PIN out to three orders:
// the first order saved keeps it, the other two are held for a person, a
// line each saying so, and the other orders of the run are saved. Before,
// the two were asked again run after run, their refusal said in a line
// about grants, and two such refusals alone in a run failed it (exit 1).
// The PIN is in no line and none of zwatch's rows, though the server's
// words for the refusal quote it. Where the index is not on the PIN alone,
// the run holds the two before the index sees them, as it holds them on a
// shop without one (TestAPanelGivingOnePINToEveryOrderHasItSavedOnce), and
// says so in its own words.
func TestAPINZnetGivesTwiceIsHeldForAPerson(t *testing.T) {
	const twice = "TW1C-E4PN-7QK2-XZ9R"
	for _, tc := range []struct {
		name, index string
		inRun       bool
	}{
		{"a unique index on pinCode", `CREATE UNIQUE INDEX shop_pin_once ON product_orders ("pinCode")`, false},
		{"a partial one, with the tenant", `CREATE UNIQUE INDEX shop_pin_once ON product_orders ("tenantId", "pinCode") WHERE "pinCode" IS NOT NULL`, true},
		{"a deferred constraint, refusing at COMMIT", `ALTER TABLE product_orders ADD CONSTRAINT shop_pin_once UNIQUE ("pinCode") DEFERRABLE INITIALLY DEFERRED`, false},
		{"an index on the PIN's letters", `CREATE UNIQUE INDEX shop_pin_once ON product_orders (upper("pinCode"))`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShop(t)
			s.db.Exec(tc.index)
			var twiceIDs, otherIDs []string
			for i := range 6 {
				ref := fmt.Sprint(18200 + i)
				id := s.order(ref)
				if i%2 == 0 {
					s.znet.Script(ref, znettest.Done(twice, "tamam"))
					twiceIDs = append(twiceIDs, id)
				} else {
					s.znet.Script(ref, znettest.Done(fmt.Sprintf("ONCE-%d-PIN", i), "tamam"))
					otherIDs = append(otherIDs, id)
				}
			}
			s.db.Exec(`UPDATE product_orders SET "tenantId" = (SELECT min("tenantId"::text)::uuid FROM product_orders)`)

			r := zwatch(t, s.db, "check-pending")

			if r.code != 3 {
				t.Errorf("exit %d, want 3 (a person should look)\n%s", r.code, r.all())
			}
			assertNoSecret(t, "the run's output", r.all(), twice)
			assertNoPINInZwatchTables(t, s, twice)
			for _, id := range otherIDs {
				if o := s.db.ReadOrder(id); o.ExternalStatus != "completed" {
					t.Errorf("order %s with a PIN of its own: %s, want completed", id[:8], o.ExternalStatus)
				}
			}
			var kept, held []string
			for _, id := range twiceIDs {
				switch o := s.db.ReadOrder(id); o.ExternalStatus {
				case "completed":
					kept = append(kept, id)
				case "sent":
					held = append(held, id)
					if o.PINCode != nil || o.LastMessage == nil || !strings.HasPrefix(*o.LastMessage, "zwatch: ") {
						t.Errorf("held order %s: pinCode %v, lastMessage %v; want no PIN and zwatch's note for staff", id[:8], o.PINCode, o.LastMessage)
					}
					c := s.db.ReadCheck(id)
					why := `unique index "shop_pin_once"`
					if tc.inRun {
						why = "the PIN it gave order "
					}
					if c.GivenUpAt == nil || c.ClaimedBy != nil || c.LastError == nil || !strings.Contains(*c.LastError, why) {
						t.Errorf("held order %s: %+v; want it given up on (stuck), its claim handed back, and last_error saying %q", id[:8], c, why)
					}
				default:
					t.Errorf("order %s given the PIN twice: %s", id[:8], o.ExternalStatus)
				}
			}
			if len(kept) != 1 || len(held) != 2 {
				t.Fatalf("of the three orders znet gave one PIN, %d completed and %d held; want 1 and 2\n%s", len(kept), len(held), r.all())
			}
			for _, id := range held {
				line := "is stuck: znet gave this order a PIN another order already holds"
				if tc.inRun {
					line = "is stuck: znet gave this order the PIN it gave order 1005 (" + kept[0] + ", referans "
				}
				if !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, line) {
					t.Errorf("stdout does not name held order %s with %q:\n%s", id, line, r.stdout)
				}
			}
			if strings.Contains(r.all(), "grants") {
				t.Errorf("the output sends the operator to the role's grants:\n%s", r.all())
			}

			// The next run leaves the held orders to the person: znet is not
			// asked about them again, and nothing is wrong meanwhile.
			s.db.ExpireClaims()
			s.db.MakeAllDue()
			again := zwatch(t, s.db, "check-pending")
			if again.code != 0 {
				t.Errorf("the next run: exit %d, want 0\n%s", again.code, again.all())
			}
			for i := 0; i < 6; i += 2 {
				if n := s.znet.Requests(fmt.Sprint(18200 + i)); n != 1 {
					t.Errorf("znet asked about referans %d %d times, want once", 18200+i, n)
				}
			}

			// A person puts one back and checks it by hand: the same answer
			// is held the same way, and said so.
			if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
				t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
			}
			c := zwatch(t, s.db, "check", "--order", held[0], "-o", "json")
			// Where the run held them in its own words, the check holds it
			// for the PIN zwatch saved on the first order before the index
			// sees it.
			why := `"unique_index_refused": "shop_pin_once"`
			if tc.inRun {
				why = `"same_pin_as": "` + kept[0] + `",
  "same_pin_saved_before": true`
			}
			if c.code != 3 || !strings.Contains(c.stdout, why) || !strings.Contains(c.stdout, `"gave_up": true`) {
				t.Errorf("check --order of a held order put back: exit %d, want 3, the index named and the order given up on\n%s", c.code, c.all())
			}
			assertNoSecret(t, "check --order", c.all(), twice)
			if o := s.db.ReadOrder(held[0]); o.ExternalStatus != "sent" || o.PINCode != nil {
				t.Errorf("check --order wrote the PIN another order holds: %+v", o)
			}
		})
	}
}

// The order that has the PIN, held by a shop transaction (a mailer, staff
// in psql) when znet hands its PIN to two more orders: their saves wait a
// second at the index for that transaction, and are held for a person as
// a refused one is, the second without a wait of its own. The other
// orders' PINs are saved in the same run, and the run does not send the
// operator after a table lock. Before, two such waits in a row kept every
// answer behind them unsaved, as if the table were locked. The note staff
// read fits "lastMessage" whole, under the long names ORMs give indexes.
// The server says such a wait only in its lc_messages words: in German too
// (each language PostgreSQL translates is read; the store's tests feed
// every translation's line), where before the waits read as a locked
// table.
func TestOrdersWaitingForTheOrderThatHasTheirPINHoldUpNoOther(t *testing.T) {
	for _, language := range []string{"", "de_DE.UTF-8"} {
		t.Run("lc_messages "+cmp.Or(language, "as the server's"), func(t *testing.T) {
			ordersWaitingForThePINsOrder(t, language)
		})
	}
}

func ordersWaitingForThePINsOrder(t *testing.T, language string) {
	const twice = "OWNR-4PN-77QK-X2ZR"
	const index = "UQ_4f2a9c1e7b3d5a8f6c0e2b9d4a7"
	s := newShop(t)
	if language != "" {
		serverSpeaks(t, s, language)
	}
	s.db.Exec(`ALTER TABLE product_orders ADD CONSTRAINT "` + index + `" UNIQUE ("pinCode")`)
	owner := s.order("18300")
	s.db.Exec(`UPDATE product_orders SET "pinCode" = $2, "externalStatus" = 'completed', status = 'approved' WHERE id = $1`, owner, twice)
	var waiting, others []string
	for i := 1; i <= 8; i++ {
		ref := fmt.Sprint(18300 + i)
		id := s.order(ref)
		if i == 2 || i == 3 {
			s.znet.Script(ref, znettest.Done(twice, "tamam"))
			waiting = append(waiting, id)
		} else {
			s.znet.Script(ref, znettest.Done(fmt.Sprintf("OWN-%d-PIN", i), "tamam"))
			others = append(others, id)
		}
	}
	tx := s.db.BeginHolding(`UPDATE product_orders SET "lastMessage" = 'mailing the PIN' WHERE id = $1`, owner)
	defer tx.Rollback()

	r := zwatch(t, s.db, "check-pending")

	if r.code != 3 {
		t.Errorf("exit %d, want 3: two orders were given a PIN another order has\n%s", r.code, r.all())
	}
	for _, id := range others {
		if o := s.db.ReadOrder(id); o.ExternalStatus != "completed" {
			t.Errorf("order %s: %s, want completed beside the two that wait", id[:8], o.ExternalStatus)
		}
	}
	if strings.Contains(r.all(), "LOCK TABLE") || strings.Contains(r.all(), "grants") {
		t.Errorf("the output sends the operator after a table lock or the grants:\n%s", r.all())
	}
	for _, id := range waiting {
		o, c := s.db.ReadOrder(id), s.db.ReadCheck(id)
		if o.ExternalStatus != "sent" || o.PINCode != nil || c.GivenUpAt == nil || c.LastError == nil || !strings.Contains(*c.LastError, "a PIN another order already holds") {
			t.Errorf("order %s: %+v, %+v; want it held for a person, no PIN written", id[:8], o, c)
		}
		if o.LastMessage == nil || !strings.HasSuffix(*o.LastMessage, "ask znet whose it is") {
			t.Errorf("order %s: lastMessage %v, want zwatch's note whole", id[:8], o.LastMessage)
		}
		if !strings.Contains(r.stdout, id+", referans") {
			t.Errorf("stdout does not name held order %s:\n%s", id, r.stdout)
		}
	}
	assertNoSecret(t, "the run's output", r.all(), twice)
}

// A refusal for what other orders hold now is no reason to give up on a
// waiting answer: a shop that lets a customer have one order in flight
// refuses the second's "processing" until the first is done, and it is
// saved then (helper-286). Only a done answer is held for a person.
func TestAWaitingAnswerAUniqueIndexRefusesIsAskedAgain(t *testing.T) {
	s := newShop(t)
	s.db.Exec(`CREATE UNIQUE INDEX one_in_flight ON product_orders ("userId") WHERE "externalStatus" = 'processing'`)
	s.order("18400")
	second := s.order("18401")
	s.db.Exec(`UPDATE product_orders SET "userId" = '00000000-0000-4000-8000-000000000001'`)
	s.znet.Script("18400", znettest.Waiting("isleniyor"), znettest.Done("FIRST-PIN-0001", "tamam"))
	s.znet.Script("18401", znettest.Waiting("isleniyor"), znettest.Done("SECOND-PIN-0002", "tamam"))
	for range 3 {
		zwatch(t, s.db, "check-pending")
		s.db.ExpireClaims()
		s.db.MakeAllDue()
	}
	if o, c := s.db.ReadOrder(second), s.db.ReadCheck(second); o.ExternalStatus != "completed" || c.GivenUpAt != nil {
		t.Errorf("the second order: %s, given up %v; want completed once the first was done (znet asked %d times)", o.ExternalStatus, c.GivenUpAt, s.znet.Requests("18401"))
	}
}

// On a shop whose PINs are unique within a tenant, the shop's index keeps
// a PIN of one tenant's order from another of that tenant only. zwatch's
// own comparison knows no tenants, dealer accounts nor panels (no panel
// sells one PIN twice; a cache in front of one answers every dealer code
// asking through it alike: TestOnePINForOrdersOfTwoDealerAccountsIsHeld):
// another tenant's order, on a panel of its own, given the PIN the run's
// answers gave the first tenant's orders, is held for a person too, not
// delivered as a second customer's.
func TestAPINGivenInOneTenantIsHeldInAnother(t *testing.T) {
	const twice = "TNNT-4PN-77QK-X2ZR"
	s := newShop(t)
	s.db.Exec(`CREATE UNIQUE INDEX pin_once_a_tenant ON product_orders ("tenantId", "pinCode")`)
	owner := s.order("18500")
	s.db.Exec(`UPDATE product_orders SET "pinCode" = $2, "externalStatus" = 'completed', status = 'approved',
		"tenantId" = '00000000-0000-4000-8000-00000000000a' WHERE id = $1`, owner, twice)
	var sameTenant []string
	for i := 1; i <= 3; i++ {
		sameTenant = append(sameTenant, s.order(fmt.Sprint(18500+i)))
		s.znet.Script(fmt.Sprint(18500+i), znettest.Done(twice, "tamam"))
	}
	s.db.Exec(`UPDATE product_orders SET "tenantId" = '00000000-0000-4000-8000-00000000000a' WHERE id = ANY ($1)`, pq.Array(sameTenant))
	// The other tenant's, answered after the first tenant's orders were
	// held, in a batch of its own.
	panelB, integB := s.panel("znet-B", "sifre-B")
	other := s.db.AddOrder(storetest.Order{IntegrationID: integB, Referans: "18509", OrderNo: 18509})
	panelB.Script("18509", znettest.Done(twice, "tamam").After(2500*time.Millisecond))
	s.db.Exec(`UPDATE product_orders SET "tenantId" = '00000000-0000-4000-8000-00000000000b' WHERE id = $1`, other)
	tx := s.db.BeginHolding(`UPDATE product_orders SET "lastMessage" = 'mailing the PIN' WHERE id = $1`, owner)
	defer tx.Rollback()

	r := zwatch(t, s.db, "check-pending")

	for _, id := range append(sameTenant, other) {
		if o, c := s.db.ReadOrder(id), s.db.ReadCheck(id); o.PINCode != nil || c.GivenUpAt == nil {
			t.Errorf("order %s: %s, PIN saved %v; want it held for a person\n%s", id[:8], o.ExternalStatus, o.PINCode != nil, r.all())
		}
	}
	if r.code != 3 {
		t.Errorf("exit %d, want 3", r.code)
	}
}

// Other unique indexes refuse for what the shop's rows hold now, which a
// later try may get past: a number a trigger counts, taken a moment ago by
// a shop transaction; a trigger's upsert into a table of its own, waiting
// for one; one approved order a customer. Their answers are not held for
// a person, as a PIN another order has is, but tried again (helper-288).
func TestRefusalsOfOtherUniqueIndexesAreTriedAgain(t *testing.T) {
	t.Run("a number a trigger counts", func(t *testing.T) {
		s := newShop(t)
		s.db.Exec(`ALTER TABLE product_orders ADD COLUMN "invoiceNo" int`)
		s.db.Exec(`CREATE UNIQUE INDEX invoice_no ON product_orders ("invoiceNo")`)
		s.db.Exec(`CREATE FUNCTION number_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status = 'approved' AND NEW."invoiceNo" IS NULL THEN
		NEW."invoiceNo" := (SELECT COALESCE(max("invoiceNo"), 0) + 1 FROM product_orders);
	END IF;
	RETURN NEW;
END $$`)
		s.db.Exec(`CREATE TRIGGER number_invoice BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION number_invoice()`)
		other := s.order("18800")
		id := s.order("18801")
		s.znet.Script("18801", znettest.Done("INVOICE-WAIT-PIN-9", "tamam"))
		s.db.Exec(`UPDATE product_orders SET "externalStatus" = 'completed' WHERE id = $1`, other)
		tx := s.db.BeginHolding(`UPDATE product_orders SET status = 'approved' WHERE id = $1`, other)
		savedOnceTheShopIsDone(t, s, id, zwatch(t, s.db, "check-pending"), tx.Commit)
	})
	t.Run("a trigger's upsert waiting for a shop transaction", func(t *testing.T) {
		s := newShop(t)
		s.db.Exec(`CREATE TABLE customer_stats (user_id uuid PRIMARY KEY, completed int NOT NULL)`)
		s.db.Exec(`CREATE FUNCTION count_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO customer_stats VALUES (NEW."userId", 1)
	ON CONFLICT (user_id) DO UPDATE SET completed = customer_stats.completed + 1;
	RETURN NEW;
END $$`)
		s.db.Exec(`CREATE TRIGGER count_completed AFTER UPDATE ON product_orders FOR EACH ROW
		WHEN (NEW."externalStatus" = 'completed' AND OLD."externalStatus" IS DISTINCT FROM 'completed') EXECUTE FUNCTION count_completed()`)
		id := s.order("18600")
		s.db.Exec(`UPDATE product_orders SET "userId" = '00000000-0000-4000-8000-000000000001'`)
		s.znet.Script("18600", znettest.Done("TRIG-WAIT-PIN-77", "tamam"))
		tx := s.db.BeginHolding(`INSERT INTO customer_stats VALUES ('00000000-0000-4000-8000-000000000001', 1)`)
		savedOnceTheShopIsDone(t, s, id, zwatch(t, s.db, "check-pending"), tx.Rollback)
	})
	t.Run("one approved order a customer", func(t *testing.T) {
		s := newShop(t)
		s.db.Exec(`CREATE UNIQUE INDEX one_approved ON product_orders ("userId") WHERE status = 'approved'`)
		first, second := s.order("18700"), s.order("18701")
		s.db.Exec(`UPDATE product_orders SET "userId" = '00000000-0000-4000-8000-00000000000a'`)
		s.db.Exec(`UPDATE product_orders SET "externalStatus" = 'completed', status = 'approved' WHERE id = $1`, first)
		s.znet.Script("18701", znettest.Done("SECOND-CODE-0002", "tamam"))
		r := zwatch(t, s.db, "check-pending")
		if c := s.db.ReadCheck(second); c.GivenUpAt != nil || c.LastError == nil || !strings.Contains(*c.LastError, "one_approved") {
			t.Errorf("the second order: %+v; want the refusal kept for the next runs, not held\n%s", c, r.all())
		}
	})
}

// savedOnceTheShopIsDone ends the shop's transaction the run met (end),
// and checks that the run left the order to be asked again, not held for
// a person, and that the next run saves it.
func savedOnceTheShopIsDone(t *testing.T, s *shop, id string, run result, end func() error) {
	t.Helper()
	if err := end(); err != nil {
		t.Fatal(err)
	}
	if c := s.db.ReadCheck(id); c.GivenUpAt != nil || strings.Contains(run.stdout, "unique index") {
		t.Fatalf("held for a person: %+v\n%s", c, run.all())
	}
	s.db.ExpireClaims()
	s.db.MakeAllDue()
	zwatch(t, s.db, "check-pending")
	if o := s.db.ReadOrder(id); o.ExternalStatus != "completed" {
		t.Errorf("once the shop's transaction was done: %s, want completed", o.ExternalStatus)
	}
}

// An order whose row holds the PIN already (staff pasted the one znet
// gives) keeps it and writes none, so no index refuses it: the other order
// znet gave it to is held, and this one completes, though it is answered
// after the run held the PIN for the first.
func TestAnOrderHoldingThePINIsNotHeldForIt(t *testing.T) {
	const pin = "PSTD-4PN-77QK-X2ZR"
	s := newShop(t)
	s.db.Exec(`CREATE UNIQUE INDEX shop_pin_once ON product_orders ("pinCode")`)
	pasted := s.order("18900")
	s.db.Exec(`UPDATE product_orders SET "pinCode" = $2 WHERE id = $1`, pasted, pin)
	other := s.order("18901")
	s.znet.Script("18901", znettest.Done(pin, "tamam"))
	// Answered after the other was held, so that its save is a batch of
	// its own, when the run knows the PIN taken.
	s.znet.Script("18900", znettest.Done(pin, "tamam").After(3*time.Second))
	// A shop transaction holds the pasted order's row, so that the
	// other's save waits at the index and the run remembers the PIN; it
	// ends once the other is held, before the pasted order's answer.
	tx := s.db.BeginHolding(`UPDATE product_orders SET "lastMessage" = 'mailing' WHERE id = $1`, pasted)
	released := make(chan error, 1)
	go func() {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			var held bool
			if err := s.db.SQL.QueryRow(`SELECT given_up_at IS NOT NULL FROM zwatch_order_checks WHERE order_id = $1`, other).Scan(&held); err == nil && held {
				break
			}
		}
		released <- tx.Commit()
	}()

	r := zwatch(t, s.db, "check-pending")
	if err := <-released; err != nil {
		t.Fatal(err)
	}

	if c := s.db.ReadCheck(other); c.GivenUpAt == nil {
		t.Errorf("the order znet gave the pasted PIN: not held\n%s", r.all())
	}
	if o, c := s.db.ReadOrder(pasted), s.db.ReadCheck(pasted); o.ExternalStatus != "completed" || c.GivenUpAt != nil {
		t.Errorf("the order holding the PIN: %s, given up %v; want completed\n%s", o.ExternalStatus, c.GivenUpAt, r.all())
	}
	assertNoSecret(t, "the run's output", r.all(), pin)
}

// The dry runs foresee the hold where the shop's index is on the PIN alone,
// along which they look the PIN up: they said "completed with PIN", exit
// 0, where the run then held the order, exit 3 (helper-286, helper-289).
func TestTheDryRunsForeseeAPINAnotherOrderHolds(t *testing.T) {
	const pin = "DRYR-4PN-77QK-X2ZR"
	s := newShop(t)
	keyedWithPIN(s, "19400", pin)
	id := s.order("19401")
	s.znet.Script("19401", znettest.Done(pin, "tamam"))

	d := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	if d.code != 3 || !strings.Contains(d.stdout, `"unique_index_refused"`) || strings.Contains(d.stdout, `"pin": true`) {
		t.Errorf("check-pending --dry-run: exit %d, want 3 and the order held\n%s", d.code, d.all())
	}
	c := zwatch(t, s.db, "check", "--order", id, "--dry-run")
	if c.code != 3 || !strings.Contains(c.stdout, "znet gave this order a PIN another order already holds") || strings.Contains(c.stdout, "PIN saved") {
		t.Errorf("check --order --dry-run: exit %d, want 3 and the hold said\n%s", c.code, c.all())
	}
	assertNoSecret(t, "the dry runs' output", d.all()+c.all(), pin)
	if o := s.db.ReadOrder(id); o.ExternalStatus != "sent" || o.LastMessage != nil {
		t.Errorf("a dry run wrote: %+v", o)
	}

	r := zwatch(t, s.db, "check-pending")
	if r.code != d.code {
		t.Errorf("the run: exit %d, the dry run's %d\n%s", r.code, d.code, r.all())
	}
}

// One PIN znet gives two orders of one dry run: the run saves the first and
// holds the second, and the dry run says so (helper-291).
func TestTheDryRunForeseesOnePINGivenTwiceInIt(t *testing.T) {
	const pin = "TWCE-4PN-77QK-X2ZR"
	s := newShop(t)
	s.db.Exec(`CREATE UNIQUE INDEX shop_pin_once ON product_orders ("pinCode")`)
	first, second := s.order("19501"), s.order("19502")
	s.znet.Script("19501", znettest.Done(pin, "tamam"))
	s.znet.Script("19502", znettest.Done(pin, "tamam"))

	d := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	if d.code != 3 || strings.Count(d.stdout, `"index": "shop_pin_once"`) != 1 {
		t.Errorf("check-pending --dry-run: exit %d, want 3 and one of the two held\n%s", d.code, d.all())
	}
	r := zwatch(t, s.db, "check-pending")
	if r.code != d.code {
		t.Errorf("the run: exit %d, the dry run's %d\n%s", r.code, d.code, r.all())
	}
	held := 0
	for _, id := range []string{first, second} {
		if c := s.db.ReadCheck(id); c.GivenUpAt != nil {
			held++
		}
	}
	if held != 1 {
		t.Errorf("the run held %d of the two: want 1, as the dry run foresaw", held)
	}
	assertNoSecret(t, "the runs' output", d.all()+r.all(), pin)
}

// The hold reads the catalogue (which index refused, and whether it is on
// the PIN) and a dry run looks the PIN up: a role holding exactly the
// printed grants, in a database that gives PUBLIC nothing, does both.
func TestAPINGivenTwiceIsHeldUnderThePrintedGrants(t *testing.T) {
	const twice = "GRNT-4PN-77QK-X2ZR"
	s := newShop(t)
	_, asRole := runtimeRole(t, s.db)
	keyedWithPIN(s, "19600", twice)
	id := s.order("19601")
	s.znet.Script("19601", znettest.Done(twice, "tamam"))

	d := zwatchAt(t, asRole, "check-pending", "--dry-run", "--loop", "0")
	if d.code != 3 || !strings.Contains(d.stdout, "znet gave this order a PIN another order already holds") {
		t.Errorf("check-pending --dry-run as the role: exit %d, want 3 and the hold foreseen\n%s", d.code, d.all())
	}
	r := zwatchAt(t, asRole, "check-pending", "--loop", "0")
	if c := s.db.ReadCheck(id); r.code != 3 || c.GivenUpAt == nil || c.LastError == nil || !strings.Contains(*c.LastError, `unique index "shop_pin_once"`) {
		t.Errorf("check-pending as the role: exit %d, %+v; want the order held, the index named\n%s", r.code, c, r.all())
	}
	assertNoSecret(t, "the runs' output", d.all()+r.all(), twice)
}

// A database restart while a save waits at the index for the shop
// transaction holding the order that has the PIN: the restart ends both,
// the looping run keeps the answer, and once the database is back the
// index refuses the PIN outright and the order is held for a person. No
// answer is lost, and the other order's PIN is saved.
func TestARestartDuringAWaitAtTheIndexLosesNoAnswer(t *testing.T) {
	const twice = "RSTR-4PN-77QK-X2ZR"
	s := newShop(t)
	id, other, _ := givenThePINOfAnOrderTheShopHolds(s, 19700, twice)

	var out, errOut bytes.Buffer
	exitWithin := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out, ErrOut: &errOut},
		"check-pending", "--loop", "6s", "--tick", "200ms", "--database-url", s.db.URL)
	s.db.WaitForLockWaiters(1) // zwatch's save, at the index
	end := s.db.Outage()
	time.Sleep(time.Second)
	end()
	code := exitWithin(time.Minute)

	if c := s.db.ReadCheck(id); c.GivenUpAt == nil || c.LastError == nil || !strings.Contains(*c.LastError, "a PIN another order already holds") {
		t.Errorf("the order given the PIN twice, after the restart: %+v; want it held for a person (exit %d)\n%s", c, code, out.String()+errOut.String())
	}
	if o := s.db.ReadOrder(other); o.ExternalStatus != "completed" {
		t.Errorf("the other order after the restart: %s, want completed\n%s", o.ExternalStatus, out.String()+errOut.String())
	}
	assertNoSecret(t, "the run's output", out.String()+errOut.String(), twice)
}

// zwatch killed (SIGKILL, the OOM killer) while its save waits at the
// index for the order that has the PIN: the server rolls the save back
// with the connection, nothing of the answer is written, and once the
// dead run's claims lapse and the shop is done a run asks again and holds
// the order for a person, the other order's PIN saved.
func TestARunKilledDuringAWaitAtTheIndexLosesNoAnswer(t *testing.T) {
	const twice = "KILL-4PN-77QK-X2ZR"
	s := newShop(t)
	id, other, tx := givenThePINOfAnOrderTheShopHolds(s, 19800, twice)

	c, out := startZwatch(t, s, "check-pending", "--loop", "6s", "--tick", "200ms")
	s.db.WaitForLockWaiters(1) // zwatch's save, at the index
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.Wait()
	if o := s.db.ReadOrder(id); o.PINCode != nil || o.ExternalStatus != "sent" {
		t.Fatalf("the killed run wrote the order given the PIN twice: %+v", o)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}

	s.db.ExpireClaims()
	s.db.MakeAllDue()
	r := zwatch(t, s.db, "check-pending")
	if c := s.db.ReadCheck(id); c.GivenUpAt == nil || c.LastError == nil || !strings.Contains(*c.LastError, "a PIN another order already holds") {
		t.Errorf("the order given the PIN twice, after the kill: %+v; want it held for a person (exit %d)\n%s", c, r.code, r.all())
	}
	if o := s.db.ReadOrder(id); o.PINCode != nil {
		t.Errorf("the order given the PIN twice holds a PIN after the kill: %+v", o)
	}
	if o := s.db.ReadOrder(other); o.ExternalStatus != "completed" {
		t.Errorf("the other order after the kill: %s, want completed\n%s", o.ExternalStatus, r.all())
	}
	assertNoSecret(t, "the runs' output", out.String()+r.all(), twice)
}

// givenThePINOfAnOrderTheShopHolds keys the shop's PINs with an order,
// referans ref, that has pin and whose row a shop transaction (tx) holds,
// and adds two orders znet completes: id with pin, which waits at the
// index, and other with its own PIN a moment later.
func givenThePINOfAnOrderTheShopHolds(s *shop, ref int, pin string) (id, other string, tx *sql.Tx) {
	owner := keyedWithPIN(s, fmt.Sprint(ref), pin)
	id, other = s.order(fmt.Sprint(ref+1)), s.order(fmt.Sprint(ref+2))
	s.znet.Script(fmt.Sprint(ref+1), znettest.Done(pin, "tamam"))
	s.znet.Script(fmt.Sprint(ref+2), znettest.Done("OWN-"+fmt.Sprint(ref+2)+"-PIN", "tamam").After(1500*time.Millisecond))
	tx = s.db.BeginHolding(`UPDATE product_orders SET "lastMessage" = 'mailing the PIN' WHERE id = $1`, owner)
	return id, other, tx
}

// keyedWithPIN keys the shop's PINs (a unique index on "pinCode" alone) and
// adds an order, referans ref, completed holding pin: the order another
// one znet gives pin to meets.
func keyedWithPIN(s *shop, ref, pin string) (owner string) {
	s.db.Exec(`CREATE UNIQUE INDEX shop_pin_once ON product_orders ("pinCode")`)
	owner = s.order(ref)
	s.db.Exec(`UPDATE product_orders SET "pinCode" = $2, "externalStatus" = 'completed', status = 'approved' WHERE id = $1`, owner, pin)
	return owner
}

// serverSpeaks makes every new session of the shop's database speak
// language (lc_messages), as a shop's server configured so does, and
// fails the test where the server cannot: make test generates the locale.
func serverSpeaks(t *testing.T, s *shop, language string) {
	t.Helper()
	s.db.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET lc_messages = %L', current_database(), '` + language + `'); END $$`)
	db, err := sql.Open("postgres", s.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var english string
	if err := db.QueryRow(`SELECT 1/0`).Scan(new(int)); err != nil {
		english = err.Error()
	}
	if strings.Contains(english, "division by zero") {
		t.Fatalf("the server speaks English under lc_messages %s (%q): the locale is missing; make test generates it", language, english)
	}
}

// A panel that answers about another referans than it is asked (a cache in
// front of it that leaves the referans out of its key) gives every order
// one customer's PIN. On a shop without a unique index on "pinCode", as
// the shop's schema comes, each customer was delivered it, and the run
// exited 0 (helper-322). The first order's completion stands; the others,
// of whichever tenant, are held for a person, each naming it, and the run
// says so (exit 3). A dry run foresees the same.
func TestAPanelGivingOnePINToEveryOrderHasItSavedOnce(t *testing.T) {
	t.Parallel()
	const one = "QZ7K-WX93-PL4M-8RTV"
	s := newShop(t)
	s.znet.SetDefault(znettest.Done(one, "tamam"))
	var ids []string
	for i := range 4 {
		ids = append(ids, s.order(fmt.Sprint(7001+i)))
	}
	s.db.Exec(`UPDATE product_orders SET "tenantId" = '00000000-0000-4000-8000-00000000000a' WHERE id = ANY ($1)`, pq.Array(ids[:2]))

	dry := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	if dry.code != 3 || strings.Count(dry.stdout, `"same_pin_as"`) != 3 {
		t.Errorf("dry run: exit %d, want 3 and the three orders it would hold\n%s", dry.code, dry.all())
	}
	if n := s.db.OrdersIn("completed"); n != 0 {
		t.Fatalf("the dry run completed %d orders", n)
	}

	r := zwatch(t, s.db, "check-pending", "-o", "json")
	if r.code != 3 {
		t.Errorf("exit %d, want 3: a person should look\n%s", r.code, r.all())
	}
	var kept, held []string
	for _, id := range ids {
		o, c := s.db.ReadOrder(id), s.db.ReadCheck(id)
		switch {
		case o.ExternalStatus == "completed":
			kept = append(kept, id)
		case o.ExternalStatus == "sent" && o.PINCode == nil && o.Status != "approved" && c.GivenUpAt != nil:
			held = append(held, id)
		default:
			t.Errorf("order %s: %s, %s, given up %v; want it completed, or held for a person with no PIN written", id[:8], o.ExternalStatus, o.Status, c.GivenUpAt)
		}
	}
	if len(kept) != 1 || len(held) != 3 {
		t.Fatalf("of four orders given one PIN, %d completed and %d held; want 1 and 3\n%s", len(kept), len(held), r.all())
	}
	for _, id := range held {
		c := s.db.ReadCheck(id)
		if c.LastError == nil || !strings.Contains(*c.LastError, "the PIN it gave order ") || !strings.Contains(*c.LastError, kept[0]) {
			t.Errorf("held order %s: last_error %v, want it naming order %s", id[:8], c.LastError, kept[0])
		}
		if !strings.Contains(r.stdout, `"order_id": "`+id+`"`) {
			t.Errorf("the run's JSON does not name held order %s:\n%s", id, r.stdout)
		}
	}
	assertNoSecret(t, "the run's output", dry.all()+r.all(), one)
	assertNoPINInZwatchTables(t, s, one)
}

// A unique index on "pinCode" that CREATE UNIQUE INDEX CONCURRENTLY left
// invalid, as it does where two orders hold one code already, refuses
// nothing: the run does not leave the PIN to it, and the dry run does not
// foresee its refusal (helper-325).
func TestAnInvalidUniqueIndexOnThePINLeavesTheRunsHoldOn(t *testing.T) {
	t.Parallel()
	const one = "1NVL-1D1X-PL4M-8RTV"
	s := newShop(t)
	for _, no := range []int{1, 2} {
		s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: fmt.Sprint(no), OrderNo: no, ExternalStatus: "completed", Status: "approved", PINCode: "DUPE-DUPE-DUPE-0001"})
	}
	if _, err := s.db.SQL.Exec(`CREATE UNIQUE INDEX CONCURRENTLY product_orders_pincode_key ON product_orders ("pinCode")`); err == nil {
		t.Fatal("the index was built over two orders holding one code")
	}
	first, second := s.order("7001"), s.order("7002")
	s.znet.Script("7001", znettest.Done(one, "tamam"))
	s.znet.Script("7002", znettest.Done(one, "tamam").After(1500*time.Millisecond))

	dry := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	if !strings.Contains(dry.stdout, `"same_pin_as": "`+first+`"`) || strings.Contains(dry.stdout, "product_orders_pincode_key") {
		t.Errorf("dry run: want the second order held for the first's PIN, not for the invalid index\n%s", dry.all())
	}
	r := zwatch(t, s.db, "check-pending")
	if o := s.db.ReadOrder(second); r.code != 3 || o.PINCode != nil {
		t.Errorf("exit %d, the second order's PIN %v; want 3 and it held, unwritten\n%s", r.code, o.PINCode, r.all())
	}
}

// Two orders carrying one referans, held for it, and a third order given
// their PIN a moment later: the real run holds the third for the first's
// PIN, and its dry run foresaw it given the PIN (helper-325). The dry run
// now compares the PIN where the real run does, before the other holds.
func TestTheDryRunComparesPINsWhereTheRunDoes(t *testing.T) {
	t.Parallel()
	const one = "SHRD-QZ7K-PL4M-8RTV"
	s := newShop(t)
	a := s.order("5100")
	c := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "5100", OrderNo: 2001})
	b := s.order("5200")
	s.znet.Script("5100", znettest.Done(one, "tamam"))
	s.znet.Script("5200", znettest.Done(one, "tamam").After(1500*time.Millisecond))

	dry := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	r := zwatch(t, s.db, "check-pending", "-o", "json")

	// a or c, whichever panel answer came first.
	heldForTheirPIN := func(out string) bool {
		return strings.Contains(out, `"same_pin_as": "`+a+`"`) || strings.Contains(out, `"same_pin_as": "`+c+`"`)
	}
	if o := s.db.ReadOrder(b); o.PINCode != nil || !heldForTheirPIN(r.stdout) {
		t.Fatalf("the run: order b's PIN %v; want it held for the PIN of referans 5100\n%s", o.PINCode, r.all())
	}
	if !heldForTheirPIN(dry.stdout) {
		t.Errorf("the dry run does not foresee order b held for the PIN of referans 5100:\n%s", dry.stdout)
	}
	noneGotThePIN(t, s, a, c)
}

// An order held because the run gave its PIN to another order, checked by
// hand, stays held: check --order saved the PIN the first order has, and
// the second customer had it with no one deciding (helper-325). It says
// what to do. Put back by retry --stuck, it is held again while the first
// order holds the PIN; once staff take it off that one, a check saves it.
func TestACheckOfAnOrderHeldForItsPINLeavesItHeld(t *testing.T) {
	t.Parallel()
	const one = "HELD-QZ7K-PL4M-8RTV"
	s := newShop(t)
	first, second := s.order("7001"), s.order("7002")
	s.znet.Script("7001", znettest.Done(one, "tamam"))
	// Asked by hand, the panel says "waiting" first: saved, it wrote over
	// what the hold rests on, and the next check saved the PIN
	// (helper-329).
	s.znet.Script("7002", znettest.Done(one, "tamam").After(1500*time.Millisecond), znettest.Waiting("bekliyor"), znettest.Done(one, "tamam"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 3 || s.db.ReadOrder(second).PINCode != nil {
		t.Fatalf("setting up: exit %d, want 3 and order %s held\n%s", r.code, second[:8], r.all())
	}

	for _, args := range [][]string{nil, {"--dry-run"}, nil} {
		c := zwatch(t, s.db, append([]string{"check", "--order", second}, args...)...)
		if c.code != 3 || !strings.Contains(c.stdout, "unchanged: the order is held for a person") || !strings.Contains(c.stdout, "zwatch retry --stuck") {
			t.Errorf("check --order %v of the held order: exit %d, want 3 and a line saying it stays held\n%s", args, c.code, c.all())
		}
		assertNoSecret(t, "check --order", c.all(), one)
		if o, ch := s.db.ReadOrder(second), s.db.ReadCheck(second); o.PINCode != nil || o.Status == "approved" || ch.GivenUpAt == nil || ch.ClaimedBy != nil {
			t.Errorf("check --order %v: the held order %+v, %+v; want no PIN, not approved, still stuck, no claim left", args, o, ch)
		}
	}

	// retry --stuck alone (it puts back every stuck order, whatever held
	// it) does not give the second customer the PIN the first order holds.
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	if c := zwatch(t, s.db, "check", "--order", second); c.code != 3 || s.db.ReadOrder(second).PINCode != nil {
		t.Errorf("check --order after retry --stuck, the first order holding the PIN: exit %d, want 3 and the order held again\n%s", c.code, c.all())
	}
	if o := s.db.ReadOrder(first); o.PINCode == nil {
		t.Errorf("the first order lost its PIN")
	}
	// Staff find the PIN is the second order's, and take it off the first:
	// put back, the second is given it.
	s.db.Exec(`UPDATE product_orders SET "pinCode" = NULL WHERE id = $1`, first)
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	s.znet.Script("7002", znettest.Done(one, "tamam"))
	if c := zwatch(t, s.db, "check", "--order", second); c.code != 0 || s.db.ReadOrder(second).PINCode == nil {
		t.Errorf("check --order once staff took the PIN off the first order: exit %d, want 0 and the PIN saved, as the person decided\n%s", c.code, c.all())
	}
}

// What a panel may echo in a top-up's PIN field for two top-ups of one
// player (the player's number, a phone number, the product) is no PIN
// sold, and both are saved; the run's comparison takes codes of 12 letters
// and digits or more with both among them, or of 16 digits (helper-327,
// helper-328).
func TestTwoTopUpsOfOnePlayerAreBothSaved(t *testing.T) {
	t.Parallel()
	// The last two are longer than the codes compared, and are the
	// player's account the customer typed ("userIdentifier"), which is no
	// PIN (helper-332).
	for _, field := range []string{"512345678", "05321234567", "+90 532 123 45 67", "905321234567", "PUBG 325 UC", "76561198012345678", "ahmet.yilmaz1990@gmail.com"} {
		t.Run(field, func(t *testing.T) {
			s := newShop(t)
			a := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "8001", OrderNo: 8001})
			b := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "8002", OrderNo: 8002})
			s.db.Exec(`UPDATE product_orders SET "userIdentifier" = $1`, field)
			s.znet.Script("8001", znettest.Done(field, "Yükleme yapıldı"))
			s.znet.Script("8002", znettest.Done(field, "Yükleme yapıldı").After(1500*time.Millisecond))
			r := zwatch(t, s.db, "check-pending")
			for _, id := range []string{a, b} {
				if o := s.db.ReadOrder(id); r.code != 0 || o.ExternalStatus != "completed" {
					t.Errorf("order %s: %s (exit %d), want both top-ups completed\n%s", id[:8], o.ExternalStatus, r.code, r.all())
				}
			}
		})
	}
}

// Two integration rows of one dealer account (one for each tenant) ask one
// panel, through whatever cache stands in front of it: a PIN given to an
// order of each is held as within one row (helper-327). The summary names
// the order that kept it by its number.
func TestOnePINOnTwoRowsOfOneDealerAccountIsHeld(t *testing.T) {
	t.Parallel()
	const one = "TWIN-QZ7K-PL4M-8RTV"
	s := newShop(t)
	a, b := ordersOnTwoRowsOfOneAccount(s, "/", "7002")
	s.znet.Script("7001", znettest.Done(one, "tamam"))
	s.znet.Script("7002", znettest.Done(one, "tamam").After(1500*time.Millisecond))

	r := zwatch(t, s.db, "check-pending")
	if o := s.db.ReadOrder(b); r.code != 3 || o.PINCode != nil {
		t.Errorf("exit %d, order b's PIN %v; want 3 and it held\n%s", r.code, o.PINCode, r.all())
	}
	if !strings.Contains(r.stdout, "the PIN it gave order 7001 ("+a+", referans 7001)") {
		t.Errorf("the run does not name the order that kept the PIN by its number:\n%s", r.stdout)
	}
}

// One referans spelt two ways ("4300", "04300") is one znet order: two
// orders carrying it are the shared-referans rule's, said so, not a panel
// answering about another referans (helper-327).
func TestOneReferansSpeltTwoWaysIsSharedNotAnotherOrdersPIN(t *testing.T) {
	t.Parallel()
	const one = "SPLT-QZ7K-PL4M-8RTV"
	s := newShop(t)
	a := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "4300", OrderNo: 4300})
	b := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "04300", OrderNo: 4301})
	s.znet.Script("4300", znettest.Done(one, "tamam"))
	s.znet.Script("04300", znettest.Done(one, "tamam").After(1500*time.Millisecond))

	r := zwatch(t, s.db, "check-pending", "-o", "json")
	if strings.Contains(r.stdout, `"same_pin_as"`) || !strings.Contains(r.stdout, `"shared_referans"`) {
		t.Errorf("want the orders held for their shared referans, not for another order's PIN:\n%s", r.all())
	}
	noneGotThePIN(t, s, a, b)
}

// Two integration rows of one dealer account whose address differs by a
// pasted line break ask one panel: two orders carrying one referans on
// them were both given its PIN, the shared-referans rule reading two
// accounts and the run's comparison leaving one referans to it
// (helper-328).
func TestOneReferansOnTwoRowsOfOneAccountIsNotDeliveredTwice(t *testing.T) {
	t.Parallel()
	const one = "TWNL-QZ7K-PL4M-8RTV"
	s := newShop(t)
	a, b := ordersOnTwoRowsOfOneAccount(s, "\n", "7001")
	s.znet.Script("7001", znettest.Done(one, "tamam"))

	r := zwatch(t, s.db, "check-pending")
	if r.code != 3 || s.db.ReadOrder(a).PINCode != nil && s.db.ReadOrder(b).PINCode != nil {
		t.Errorf("exit %d; both orders carrying referans 7001 were given its PIN\n%s", r.code, r.all())
	}
	assertNoSecret(t, "the run's output", r.all(), one)
}

// noneGotThePIN fails t for each of the orders, which carry one referans,
// that holds a PIN: znet's answer about it is no one order's to have.
func noneGotThePIN(t *testing.T, s *shop, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if o := s.db.ReadOrder(id); o.PINCode != nil {
			t.Errorf("order %s, carrying a referans another order carries, got the PIN", id[:8])
		}
	}
}

// ordersOnTwoRowsOfOneAccount adds a second integration row for the shop's
// panel and dealer code, its address followed by tail, as a tenant's own
// row is, and two orders: 7001 (referans 7001) on the shop's row, 7002
// (referans refB) on the other.
func ordersOnTwoRowsOfOneAccount(s *shop, tail, refB string) (a, b string) {
	s.t.Helper()
	twin := s.db.AddIntegration(storetest.Integration{Name: "znet-A (tenant 2)", BaseURL: s.znet.URL + tail, Kod: dealerCode, Sifre: password})
	a = s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "7001", OrderNo: 7001})
	b = s.db.AddOrder(storetest.Order{IntegrationID: twin, Referans: refB, OrderNo: 7002})
	return a, b
}
