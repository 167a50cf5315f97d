package watch_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A shop trigger guarding delivered orders refuses to fail one that holds
// a PIN (staff delivered it by hand), and its message quotes that PIN,
// OLD."pinCode". A refusal was masked only of the answers' own PINs, and a
// cancelled answer has none: the shop's PIN reached the log, the run's
// error and zwatch_runs in clear, and check --order's error likewise.
func TestARefusalQuotingThePINTheOrderHoldsIsMasked(t *testing.T) {
	t.Parallel()
	// Any SQLSTATE a trigger may choose: "object not in prerequisite
	// state" (55000) is also the server's for a database closed to
	// connections, and was once taken for the server's own words; a
	// serialization failure (40001) and a lock not available (55P03) are
	// the server's words for its state, unless a trigger raised them.
	for _, errcode := range []string{"raise_exception", "object_not_in_prerequisite_state", "serialization_failure", "lock_not_available"} {
		t.Run(errcode, func(t *testing.T) {
			t.Parallel()
			refusalQuotingTheOrdersPIN(t, errcode)
		})
	}
}

func refusalQuotingTheOrdersPIN(t *testing.T, errcode string) {
	e := newEnv(t)
	const shopPIN = "ZX98-YW76-VU54-TS32"
	run := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "77001", PINCode: shopPIN})
	checked := e.db.AddOrder(storetest.Order{IntegrationID: e.integ, Referans: "77003", PINCode: " " + shopPIN + " "})
	e.znet.Script("77001", znettest.Cancelled("İptal edildi"))
	e.znet.Script("77003", znettest.Cancelled("İptal edildi"))
	e.db.Exec(`CREATE FUNCTION keep_delivered() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW."externalStatus" = 'failed' AND OLD."pinCode" IS NOT NULL THEN
				RAISE EXCEPTION 'order % was delivered PIN %; refusing to fail it', OLD.id, OLD."pinCode"
					USING ERRCODE = '` + errcode + `';
			END IF;
			RETURN NEW;
		END $$`)
	e.db.Exec(`CREATE TRIGGER keep_delivered BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION keep_delivered()`)

	_, runErr := watch.Run(context.Background(), e.db.Store, e.config())
	texts := []string{e.logs.String()}
	if runErr == nil {
		t.Fatal("the run reports no refusal")
	}
	texts = append(texts, runErr.Error())
	if !strings.Contains(runErr.Error(), "refusing to fail it") {
		t.Errorf("the refusal's words are lost: %v", runErr)
	}
	if c := e.db.ReadCheck(run); c.LastError != nil {
		texts = append(texts, *c.LastError)
	}
	_, checkErr := watch.CheckOrder(context.Background(), e.db.Store, e.config(), checked)
	if checkErr == nil || !strings.Contains(checkErr.Error(), "refusing to fail it") {
		t.Errorf("check --order: want the trigger's refusal, got %v", checkErr)
	} else {
		texts = append(texts, checkErr.Error())
	}
	for _, text := range texts {
		for _, group := range strings.Split(shopPIN, "-")[:3] {
			if strings.Contains(text, group) {
				t.Errorf("the PIN the order holds (group %q) is in clear:\n%s", group, text)
				break
			}
		}
	}
	if n := e.db.ZwatchRowsMentioning("YW76"); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the PIN the order holds", n)
	}
}

// End to end: a waiting answer naming its code as a Turkish panel writes
// it ("E-PIN'iniz: ...") kept the code in "providerMessage" and the event
// log.
func TestACodeAfterATurkishSuffixedLabelIsNotStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("77002")
	e.znet.Script("77002", znettest.Waiting("E-PIN'iniz: QW7R-9TZK-8HJD-4MNP hazırlanıyor"))
	e.run(e.config())
	row := e.db.ReadOrder(id)
	if row.ProviderMessage == nil || !strings.Contains(*row.ProviderMessage, "hazırlanıyor") {
		t.Errorf("providerMessage lost the panel's words: %v", row.ProviderMessage)
	}
	if row.ProviderMessage != nil && strings.Contains(*row.ProviderMessage, "9TZK") {
		t.Errorf("providerMessage holds the withheld code: %q", *row.ProviderMessage)
	}
	if n := e.db.ZwatchRowsMentioning("9TZK"); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the withheld code", n)
	}
}
