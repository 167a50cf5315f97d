package watch_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// pinTrigger adds a BEFORE UPDATE trigger on product_orders that runs body
// for the order numbered 2210 only.
func pinTrigger(e *env, body string) {
	e.db.Exec(`CREATE FUNCTION guard_pin() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW."orderNo" = 2210 THEN ` + body + ` END IF;
			RETURN NEW;
		END $$`)
	e.db.Exec(`CREATE TRIGGER guard_pin BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION guard_pin()`)
}

// A shop trigger written for shorter PINs cut znet's inside a code: the
// order was approved with a code that does not work, never asked again, in
// a run that exited 0 (helper-249). Nothing of such an answer is saved
// now: the order is asked again, and the run says why; the other orders'
// answers are saved.
func TestATriggerThatCutsThePINInsideACodeSavesNothingOfTheAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	guarded := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "22100", OrderNo: 2210})
	other := e.order("22101")
	e.znet.Script("22100", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	e.znet.Script("22101", znettest.Done("ZX98-YW76-VU54-TS32", "tamam"))
	pinTrigger(e, `NEW."pinCode" := left(NEW."pinCode", 16);`)

	sum := e.run(e.config())

	if row := e.db.ReadOrder(guarded); row.Status == "approved" || row.ExternalStatus != "sent" || row.PINCode != nil {
		t.Errorf("the order whose PIN the trigger cut: status %q, external %q, PIN %v; want it as it was", row.Status, row.ExternalStatus, row.PINCode)
	}
	if c := e.db.ReadCheck(guarded); c.FinishedAt != nil || c.LastError == nil || !strings.Contains(*c.LastError, "cut inside a code") {
		t.Errorf("the order whose PIN the trigger cut: finished %v, last error %v; want it asked again, saying why", c.FinishedAt, c.LastError)
	}
	if row := e.db.ReadOrder(other); row.Status != "approved" || row.PINCode == nil || *row.PINCode != "ZX98-YW76-VU54-TS32" {
		t.Errorf("the other order: status %q, PIN %v; want it approved with its PIN", row.Status, row.PINCode)
	}
	if !sum.NeedsAttention() || len(sum.Unsaved) != 1 {
		t.Errorf("the run: attention %v, unsaved %v; want a person told of the one answer not saved", sum.NeedsAttention(), sum.Unsaved)
	}
	if strings.Contains(e.logs.String(), "CD34") {
		t.Errorf("the log holds the PIN:\n%s", e.logs.String())
	}
}

// A trigger that keeps "pinCode" blank, or moves the PIN elsewhere, took
// znet's completion silently: the order approved without a PIN in its row,
// the run exiting 0. The completion stands as the shop's database took it
// (the PIN may be kept elsewhere), and the run asks a person to look.
func TestATriggerThatStoresNoPINIsSaidToAPerson(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"kept":  `NEW."pinCode" := OLD."pinCode";`,
		"blank": `NEW."pinCode" := '';`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			guarded := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "22100", OrderNo: 2210})
			e.znet.Script("22100", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
			pinTrigger(e, body)

			sum := e.run(e.config())

			if row := e.db.ReadOrder(guarded); row.ExternalStatus != "completed" {
				t.Errorf("the order: external %q; want the completion as the shop's database took it", row.ExternalStatus)
			}
			if c := e.db.ReadCheck(guarded); c.LastError == nil || !strings.Contains(*c.LastError, "stored no PIN") {
				t.Errorf("the order: last error %v; want it saying no PIN was stored", c.LastError)
			}
			if !sum.NeedsAttention() || len(sum.PINNotStored) != 1 || sum.PINNotStored[0] != guarded {
				t.Errorf("the run: attention %v, no PIN stored %v; want a person told of the order", sum.NeedsAttention(), sum.PINNotStored)
			}
		})
	}
}

// A trigger that stores the PIN its own way (in capitals, the first of
// several codes) is the shop's way of keeping it: the order is approved as
// before, and nobody is asked to look.
func TestATriggerThatStoresThePINItsOwnWayStands(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ pin, body, stored string }{
		"capitals":   {"ab12-cd34-ef56-gh78", `NEW."pinCode" := upper(NEW."pinCode");`, "AB12-CD34-EF56-GH78"},
		"first code": {"AB12-CD34-EF56-GH78 ZX98-YW76-VU54-TS32", `NEW."pinCode" := split_part(NEW."pinCode", ' ', 1);`, "AB12-CD34-EF56-GH78"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "22200", OrderNo: 2210})
			e.znet.Script("22200", znettest.Done(c.pin, "tamam"))
			pinTrigger(e, c.body)

			sum := e.run(e.config())

			if row := e.db.ReadOrder(id); row.Status != "approved" || row.PINCode == nil || *row.PINCode != c.stored || sum.NeedsAttention() {
				t.Errorf("status %q, PIN %v, attention %v; want it approved holding %q", row.Status, row.PINCode, sum.NeedsAttention(), c.stored)
			}
		})
	}
}
