package watch_test

import (
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// PHP echoing a MySQL result resource where the PIN should be ("Resource
// id #5"), or an integer column's 0, is no PIN: saved, it was the code the
// customer received, and the order was approved for good.
func TestWhatPHPPrintsForNoPINIsNotDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resource := e.order("6200")
	zero := e.order("6201")
	e.znet.Script("6200", znettest.Done("Resource id #5", "İşlem tamamlandı"))
	e.znet.Script("6201", znettest.Done("0", "İşlem tamamlandı"))
	e.run(e.config())
	for _, id := range []string{resource, zero} {
		if row := e.db.ReadOrder(id); row.Status == "approved" || row.PINCode != nil || row.ExternalStatus != "sent" {
			t.Errorf("order %s: status %s, externalStatus %s, pinCode %v: PHP's print of no PIN delivered as the customer's",
				id, row.Status, row.ExternalStatus, row.PINCode)
		}
	}
}
