package watch_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A shop trigger that lets znet's completion through but blanks, keeps or
// cuts "pinCode" ("only the fulfilment service writes PINs", a trigger
// written for 16-character PINs) had the order approved without its PIN,
// or with a cut one, never asked again, in a run that exited 0
// (helper-249). Nothing of such an answer is saved now: the order is
// asked again, and the run says why; the other orders' answers are saved.
func TestATriggerThatDropsOrCutsThePINSavesNothingOfTheAnswer(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"kept":  `NEW."pinCode" := OLD."pinCode";`,
		"blank": `NEW."pinCode" := '';`,
		"cut":   `NEW."pinCode" := left(NEW."pinCode", 16);`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			guarded := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "22100", OrderNo: 2210})
			other := e.order("22101")
			e.znet.Script("22100", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
			e.znet.Script("22101", znettest.Done("ZX98-YW76-VU54-TS32", "tamam"))
			e.db.Exec(`CREATE FUNCTION guard_pin() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF NEW."orderNo" = 2210 THEN ` + body + ` END IF;
					RETURN NEW;
				END $$`)
			e.db.Exec(`CREATE TRIGGER guard_pin BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION guard_pin()`)

			sum := e.run(e.config())

			if row := e.db.ReadOrder(guarded); row.Status == "approved" || row.ExternalStatus != "sent" || row.PINCode != nil {
				t.Errorf("the order whose PIN the trigger dropped: status %q, external %q, PIN %v; want it as it was", row.Status, row.ExternalStatus, row.PINCode)
			}
			if c := e.db.ReadCheck(guarded); c.FinishedAt != nil || c.LastError == nil || !strings.Contains(*c.LastError, "not its PIN") {
				t.Errorf("the order whose PIN the trigger dropped: finished %v, last error %v; want it asked again, saying why", c.FinishedAt, c.LastError)
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
		})
	}
}

// A trigger that stores the PIN its own way (in capitals, or encrypted) is
// the shop's way of keeping it: the order is approved as before.
func TestATriggerThatStoresThePINItsOwnWayStands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("22200")
	e.znet.Script("22200", znettest.Done("ab12-cd34-ef56-gh78", "tamam"))
	e.db.Exec(`CREATE FUNCTION capital_pin() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW."pinCode" := upper(NEW."pinCode"); RETURN NEW; END $$`)
	e.db.Exec(`CREATE TRIGGER capital_pin BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION capital_pin()`)

	sum := e.run(e.config())

	if row := e.db.ReadOrder(id); row.Status != "approved" || row.PINCode == nil || *row.PINCode != "AB12-CD34-EF56-GH78" || len(sum.Unsaved) != 0 {
		t.Errorf("the order whose PIN a trigger writes in capitals: status %q, PIN %v, unsaved %v; want it approved", row.Status, row.PINCode, sum.Unsaved)
	}
}
