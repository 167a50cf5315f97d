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

// A trigger that keeps "pinCode" blank, moves the PIN elsewhere or cuts it
// (one written for shorter PINs) took znet's completion silently: the order
// approved without its PIN, or with a code that does not work, the run
// exiting 0 (helper-249). The completion stands as the shop's database
// took it (the PIN may be kept elsewhere, and SQL cannot tell a cut from a
// first code kept), and the run asks a person to look.
func TestATriggerThatStoresNoPINOrPartIsSaidToAPerson(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"kept":              `NEW."pinCode" := OLD."pinCode";`,
		"blank":             `NEW."pinCode" := '';`,
		"cut":               `NEW."pinCode" := left(NEW."pinCode", 16);`,
		"cut at its group":  `NEW."pinCode" := left(NEW."pinCode", 14);`,
		"cut in capitals":   `NEW."pinCode" := upper(left(NEW."pinCode", 14));`,
		"cut, a mark after": `NEW."pinCode" := left(NEW."pinCode", 14) || '…';`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			guarded := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "22100", OrderNo: 2210})
			other := e.order("22101")
			e.znet.Script("22100", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
			e.znet.Script("22101", znettest.Done("ZX98-YW76-VU54-TS32", "tamam"))
			pinTrigger(e, body)

			sum := e.run(e.config())

			if row := e.db.ReadOrder(guarded); row.ExternalStatus != "completed" {
				t.Errorf("the order: external %q; want the completion as the shop's database took it", row.ExternalStatus)
			}
			if c := e.db.ReadCheck(guarded); c.LastError == nil || !strings.HasPrefix(*c.LastError, "PIN not stored whole") {
				t.Errorf("the order: last error %v; want it saying the PIN was not stored whole", c.LastError)
			}
			if !sum.NeedsAttention() || len(sum.PINNotStored) != 1 || sum.PINNotStored[0] != guarded {
				t.Errorf("the run: attention %v, PIN not stored %v; want a person told of the order", sum.NeedsAttention(), sum.PINNotStored)
			}
			if row := e.db.ReadOrder(other); row.Status != "approved" || row.PINCode == nil || *row.PINCode != "ZX98-YW76-VU54-TS32" {
				t.Errorf("the other order: status %q, PIN %v; want it approved with its PIN", row.Status, row.PINCode)
			}
			if strings.Contains(e.logs.String(), "CD34") {
				t.Errorf("the log holds the PIN:\n%s", e.logs.String())
			}
		})
	}
}

// A trigger that stores the PIN its own way (in capitals, hashed) is the
// shop's way of keeping it: the order is approved as before, and nobody is
// asked to look.
func TestATriggerThatStoresThePINItsOwnWayStands(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ pin, body, stored string }{
		"capitals": {"ab12-cd34-ef56-gh78", `NEW."pinCode" := upper(NEW."pinCode");`, "AB12-CD34-EF56-GH78"},
		"hashed":   {"AB12-CD34-EF56-GH78", `NEW."pinCode" := md5(NEW."pinCode");`, "df6b0a92875639c3d72234afb42901ee"},
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
