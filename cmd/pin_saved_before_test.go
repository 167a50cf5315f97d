package cmd_test

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel mixing up referanses gives, in the next run, the PIN zwatch
// saved on an order in the run before to another order: a run compared
// its own answers only, and the second customer was delivered it. So was
// an order held for it once retry --stuck put it back, or a check by hand
// asked about it. Each is held now, naming the order that has the PIN,
// and the dry run foresees it; once znet gives the order a PIN of its
// own, that is saved. No table of zwatch's holds the PIN.
func TestAPINSavedInAnEarlierRunIsHeldInTheNext(t *testing.T) {
	t.Parallel()
	const one = "QZ7K-WX93-BF4R-8RTV"
	s := newShop(t)
	first := s.order("7101")
	s.znet.Script("7101", znettest.Done(one, "tamam"))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 || s.db.ReadOrder(first).ExternalStatus != "completed" {
		t.Fatalf("the first run: exit %d, want 0 and the first order completed\n%s", r.code, r.all())
	}

	second := s.order("71022")
	// The dry run, the next run, the run after retry --stuck and the check
	// each hear the first order's PIN; then znet gives the order its own.
	s.znet.Script("71022", znettest.Done(one, "tamam"), znettest.Done(one, "tamam"), znettest.Done(one, "tamam"), znettest.Done(one, "tamam"),
		znettest.Done("OWN9-PIN7-OF2X-THE5", "tamam"))
	dry := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	if dry.code != 3 || !strings.Contains(dry.stdout, `"same_pin_as": "`+first+`"`) || !strings.Contains(dry.stdout, `"same_pin_saved_before": true`) {
		t.Errorf("dry run: exit %d, want 3 and the second order held for the first's PIN\n%s", dry.code, dry.all())
	}

	heldForTheFirst := func(what string, r result) {
		t.Helper()
		o, c := s.db.ReadOrder(second), s.db.ReadCheck(second)
		if r.code != 3 || o.ExternalStatus != "sent" || o.PINCode != nil || c.GivenUpAt == nil {
			t.Errorf("%s: exit %d, order %s, PIN %v, given up %v; want exit 3 and the order held, no PIN written\n%s",
				what, r.code, o.ExternalStatus, o.PINCode, c.GivenUpAt, r.all())
		}
		if c.LastError == nil || !strings.Contains(*c.LastError, "the PIN it gave order 1004 ("+first+") before") {
			t.Errorf("%s: last_error %v, want it naming the first order", what, c.LastError)
		}
		named := first + ", referans 7101" // in the run's list of orders
		if strings.HasPrefix(what, "check") {
			named = "the PIN it gave order 1004 (" + first + ") before"
		}
		if !strings.Contains(r.stdout, named) {
			t.Errorf("%s: the output does not name the order that has the PIN:\n%s", what, r.all())
		}
		assertNoSecret(t, what, r.all(), one)
	}
	heldForTheFirst("the next run", zwatch(t, s.db, "check-pending"))

	// Put back by a person, the order is asked again, and held again.
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	s.db.MakeAllDue()
	heldForTheFirst("the run after retry --stuck", zwatch(t, s.db, "check-pending"))
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	heldForTheFirst("check --order", zwatch(t, s.db, "check", "--order", second))

	// znet gives the order its own PIN: saved.
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	s.db.MakeAllDue()
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 || s.db.ReadOrder(second).ExternalStatus != "completed" {
		t.Errorf("given its own PIN: exit %d, order %s; want 0 and completed\n%s", r.code, s.db.ReadOrder(second).ExternalStatus, r.all())
	}
	if o := s.db.ReadOrder(first); o.PINCode == nil || *o.PINCode != one {
		t.Errorf("the first order's PIN: %v, want it kept", o.PINCode)
	}
	assertNoPINInZwatchTables(t, s, one)
}

// Two checks by hand saving one PIN at once, the first still in its save
// (a shop trigger's moment) when the second looks for the PIN among the
// saves before it: the second waits for the first's commit, and is held,
// where both found none and both orders were given the PIN.
func TestTwoSavesOfOnePINAtOnceGiveItOnce(t *testing.T) {
	t.Parallel()
	const one = "TW0R-UNS7-AT0N-CE5X"
	s := newShop(t)
	a, b := s.order("7201"), s.order("7202")
	s.znet.Script("7201", znettest.Done(one, "tamam"))
	s.znet.Script("7202", znettest.Done(one, "tamam"))
	s.db.Exec(`CREATE FUNCTION slow_save() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(0.7); RETURN NEW; END $$`)
	s.db.Exec(`CREATE TRIGGER slow_save BEFORE UPDATE ON product_orders FOR EACH ROW
		WHEN (NEW.id = '` + a + `' AND NEW."pinCode" IS NOT NULL) EXECUTE FUNCTION slow_save()`)

	var out bytes.Buffer
	firstExit := zwatchInBackground(t, context.Background(), cmd.IOStreams{Out: &out, ErrOut: &out}, "check", "--order", a, "--database-url", s.db.URL)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var sleeping int
		s.db.Get(&sleeping, `SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()`)
		if sleeping > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first check's save never began")
		}
	}
	second := zwatch(t, s.db, "check", "--order", b)
	firstCode := firstExit(30 * time.Second)

	var completed int
	for _, id := range []string{a, b} {
		if s.db.ReadOrder(id).ExternalStatus == "completed" {
			completed++
		}
	}
	if completed != 1 {
		t.Errorf("%d of the two orders given one PIN completed, want 1 (exits %d and %d)\n%s\n%s", completed, firstCode, second.code, out.String(), second.all())
	}
	if o := s.db.ReadOrder(b); o.PINCode != nil {
		t.Errorf("the second order saved the PIN the first was saving (exit %d)\n%s", second.code, second.all())
	}
}

// Short codes are not compared across runs any more than within one: two
// top-ups of one player, in two runs, whose panel echoes the player's
// number in the PIN field, are both credited.
func TestAShortCodeSavedBeforeHoldsNoOtherOrder(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	first := savedInARun(t, s, "7301", "5321234567", func() {})
	second, r := givenInTheNextRun(t, s, "7302", "5321234567")
	for _, id := range []string{first, second} {
		if o := s.db.ReadOrder(id); o.ExternalStatus != "completed" {
			t.Errorf("top-up %s: %s, want completed\n%s", id[:8], o.ExternalStatus, r.all())
		}
	}
}

// A shop whose trigger stores "pinCode" its own way (in capitals, without
// dashes): the PIN zwatch saved on the first order was not known as saved,
// and the next run gave it to a second order, exit 0. And a PIN staff
// typed in from the dealer panel before znet completed the order with it,
// however they spelt it, was kept by no comparison. Each holds the second
// order now (helper-330, helper-332).
func TestAPINStoredTheShopsWayOrTypedByStaffIsHeldToo(t *testing.T) {
	t.Parallel()
	for name, shop := range map[string]string{
		"a trigger writing capitals":    `CREATE TRIGGER form_pin BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION form_pin('upper')`,
		"a trigger dropping the dashes": `CREATE TRIGGER form_pin BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION form_pin('nodash')`,
		"staff typing the PIN in":       `UPDATE product_orders SET "pinCode" = 'qz7k-wx93-bf4r-8rtv'`,
		// Said "PIN kept" in the first run: a person compares them.
		"staff typing it their own way": `UPDATE product_orders SET "pinCode" = 'QZ7KWX93BF4R8RTV'`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const one = "qz7k-wx93-bf4r-8rtv"
			s := newShop(t)
			s.db.Exec(`CREATE FUNCTION form_pin() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					NEW."pinCode" := CASE TG_ARGV[0] WHEN 'upper' THEN upper(NEW."pinCode") ELSE replace(NEW."pinCode", '-', '') END;
					RETURN NEW;
				END $$`)
			_, second, r := savedThenGivenAgain(t, s, one, one, func() { s.db.Exec(shop) })
			if o := s.db.ReadOrder(second); r.code != 3 || o.PINCode != nil || o.ExternalStatus != "sent" {
				t.Errorf("the second order given the first's PIN: exit %d, %s, PIN %v; want exit 3 and it held\n%s", r.code, o.ExternalStatus, o.PINCode, r.all())
			}
		})
	}
}

// A top-up panel echoing the player's account in the PIN field (the
// order's "userIdentifier": a Steam ID, an e-mail address): the player's
// top-ups in later runs are each credited, where they were held for the
// first's "PIN" for as long as zwatch kept its row (helper-330). Two in
// one run: TestTwoTopUpsOfOnePlayerAreBothSaved.
func TestTopUpsEchoingThePlayerAreCreditedRunAfterRun(t *testing.T) {
	t.Parallel()
	for _, echo := range []string{"76561198012345678", "ahmet.yilmaz1990@gmail.com"} {
		t.Run(echo, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			var ids []string
			for i, ref := range []string{"7401", "7402", "7403"} {
				ids = append(ids, s.order(ref))
				s.db.Exec(`UPDATE product_orders SET "userIdentifier" = $2 WHERE id = $1`, ids[i], echo)
				s.znet.Script(ref, znettest.Done(echo, "yuklendi"))
				s.db.ExpireClaims()
				s.db.MakeAllDue()
				if r := zwatch(t, s.db, "check-pending"); r.code != 0 || s.db.ReadOrder(ids[i]).ExternalStatus != "completed" {
					t.Errorf("top-up %d: exit %d, %s; want 0 and completed\n%s", i+1, r.code, s.db.ReadOrder(ids[i]).ExternalStatus, r.all())
				}
			}
		})
	}
}

// A shop with a unique index on "pinCode" refuses a PIN spelt as another
// order holds it, and lets another spelling by: zwatch kept no bucket
// there, and the next run gave the PIN, in capitals or without its dashes,
// to a second order, exit 0 (helper-333). Spelt alike, the index still
// holds it, in its own words.
func TestAPINSpeltAnotherWayIsHeldBesideTheShopsIndex(t *testing.T) {
	t.Parallel()
	for name, spelt := range map[string]string{
		"in capitals":    "QZ7K-WX93-BF4R-8RTV",
		"without dashes": "qz7kwx93bf4r8rtv",
		"spelt alike":    "qz7k-wx93-bf4r-8rtv",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const one = "qz7k-wx93-bf4r-8rtv"
			s := newShop(t)
			s.db.Exec(`CREATE UNIQUE INDEX shop_pin_once ON product_orders ("pinCode")`)
			first, second, r := savedThenGivenAgain(t, s, one, spelt, func() {})
			why := "the PIN it gave order 1004 (" + first + ") before"
			if spelt == one {
				why = `unique index "shop_pin_once"`
			}
			o, c := s.db.ReadOrder(second), s.db.ReadCheck(second)
			if r.code != 3 || o.PINCode != nil || c.LastError == nil || !strings.Contains(*c.LastError, why) {
				t.Errorf("the second order given the PIN spelt %q: exit %d, %s, last_error %v; want exit 3, it held, and %q\n%s",
					spelt, r.code, o.ExternalStatus, c.LastError, why, r.all())
			}
		})
	}
}

// An order held for the PIN zwatch saved on another before, and a later
// order of the same run given that PIN: its note named the held order,
// which has no PIN, where it is the first order that has it (helper-333).
func TestALaterOrderIsHeldNamingTheOrderThatHasThePIN(t *testing.T) {
	t.Parallel()
	const one = "NAME-D0RD-ER12-HELD"
	s := newShop(t)
	first := savedInARun(t, s, "7901", one, func() {})
	second, third := s.order("79022"), s.order("790333")
	s.znet.Script("79022", znettest.Done(one, "tamam"))
	s.znet.Script("790333", znettest.Done(one, "tamam").After(1500*time.Millisecond))
	s.db.ExpireClaims()
	s.db.MakeAllDue()
	r := zwatch(t, s.db, "check-pending")
	for _, id := range []string{second, third} {
		if c := s.db.ReadCheck(id); c.LastError == nil || !strings.Contains(*c.LastError, "order 1004 ("+first+")") {
			t.Errorf("order %s: last_error %v, want it naming order %s, which has the PIN\n%s", id[:8], c.LastError, first[:8], r.all())
		}
	}
}

// savedThenGivenAgain completes a first order (its number 1004) with the
// PIN pin in one run, after sent, which may change the shop's row or
// table, and gives a second order the PIN again, spelt again, in the next
// run: the two orders, and that run.
func savedThenGivenAgain(t *testing.T, s *shop, pin, again string, sent func()) (first, second string, next result) {
	t.Helper()
	first = savedInARun(t, s, "7801", pin, sent)
	second, next = givenInTheNextRun(t, s, "78022", again)
	return first, second, next
}

// savedInARun completes an order of referans ref with the PIN pin in a
// run, after sent, which may change the shop's row or table: the order.
func savedInARun(t *testing.T, s *shop, ref, pin string, sent func()) string {
	t.Helper()
	id := s.order(ref)
	sent()
	s.znet.Script(ref, znettest.Done(pin, "tamam"))
	if r := zwatch(t, s.db, "check-pending"); s.db.ReadOrder(id).ExternalStatus != "completed" {
		t.Fatalf("the first run: exit %d, order %s not completed\n%s", r.code, ref, r.all())
	}
	return id
}

// givenInTheNextRun gives an order of referans ref the PIN pin in the
// next run: the order, and that run.
func givenInTheNextRun(t *testing.T, s *shop, ref, pin string) (string, result) {
	t.Helper()
	id := s.order(ref)
	s.znet.Script(ref, znettest.Done(pin, "tamam"))
	s.db.ExpireClaims()
	s.db.MakeAllDue()
	return id, zwatch(t, s.db, "check-pending")
}

// The order that has the PIN, its row held by a shop transaction (a mailer,
// staff in psql) when znet gives the PIN to a second order in a later run:
// the look-up reads that row without waiting for the transaction, and the
// second order is held, not left busy or saved.
func TestAPINSavedBeforeIsFoundWhileTheShopHoldsItsOrder(t *testing.T) {
	t.Parallel()
	const one = "HELD-R0W0-QZ7K-8RTV"
	s := newShop(t)
	first := savedInARun(t, s, "7601", one, func() {})
	tx := s.db.BeginHolding(`UPDATE product_orders SET "lastMessage" = 'mailing the PIN' WHERE id = $1`, first)
	defer tx.Rollback()

	second, r := givenInTheNextRun(t, s, "76022", one)

	if o, c := s.db.ReadOrder(second), s.db.ReadCheck(second); r.code != 3 || o.PINCode != nil || c.GivenUpAt == nil ||
		c.LastError == nil || !strings.Contains(*c.LastError, first) {
		t.Errorf("the second order, while the shop held the first's row: exit %d, %s, %+v; want exit 3 and it held, naming the first\n%s",
			r.code, o.ExternalStatus, c, r.all())
	}
}

// A check killed with SIGKILL while its save of a PIN waits in a shop
// trigger, holding the PIN's lock: the server rolls the save back and
// frees the lock, a check of a second order given the PIN meanwhile saves
// nothing or is the one that has it, and in the end one order holds the
// PIN and the other is held for it.
func TestAKilledSaveOfAPINGivesItOnce(t *testing.T) {
	t.Parallel()
	const one = "K1LL-D0NE-QZ7K-8RTV"
	s := newShop(t)
	a, b := s.order("7501"), s.order("7502")
	s.znet.Script("7501", znettest.Done(one, "tamam"), znettest.Done(one, "tamam"))
	s.znet.Script("7502", znettest.Done(one, "tamam"), znettest.Done(one, "tamam"))
	s.db.Exec(`CREATE FUNCTION slow_save() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$`)
	s.db.Exec(`CREATE TRIGGER slow_save BEFORE UPDATE ON product_orders FOR EACH ROW
		WHEN (NEW.id = '` + a + `' AND NEW."pinCode" IS NOT NULL) EXECUTE FUNCTION slow_save()`)
	sleeping := func() bool {
		var n int
		s.db.Get(&n, `SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()`)
		return n > 0
	}

	c, _ := startZwatch(t, s, "check", "--order", a)
	waitFor(t, "the first check's save in the shop's trigger", sleeping)
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.Wait()
	during := zwatch(t, s.db, "check", "--order", b)
	waitFor(t, "the killed save's end", func() bool { return !sleeping() })
	s.db.Exec(`DROP TRIGGER slow_save ON product_orders`)
	s.db.ExpireClaims()
	s.db.MakeAllDue()
	after := zwatch(t, s.db, "check-pending")

	t.Logf("check of the second during the kill: exit %d; the run after: exit %d", during.code, after.code)
	var holding []string
	for _, id := range []string{a, b} {
		if s.db.ReadOrder(id).PINCode != nil {
			holding = append(holding, id)
		}
	}
	if len(holding) != 1 {
		t.Errorf("%d orders hold the PIN, want 1\ncheck of the second during the kill: exit %d\n%s\nthe run after: exit %d\n%s",
			len(holding), during.code, during.all(), after.code, after.all())
	}
	assertNoSecret(t, "the output", during.all()+after.all(), one)
}
