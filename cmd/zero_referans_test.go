package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A referans a PHP panel reads as the number 0 ("0" written as a
// placeholder, "-0") names no order sent to znet, and whatever znet
// answers about it is no such order's: "-0" escaped the guard against two
// orders sharing a referans, which reads a "+" but not a "-", and was
// approved with that answer's PIN (an operator adversary's find). None is
// asked about; each says why, for a person to correct it.
func TestAReferansPHPReadsAsZeroIsNeverAsked(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var orders []string
	for k, ref := range []string{"0", "000", "-0", "+0"} {
		orders = append(orders, s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, OrderNo: 9100 + k}))
	}
	s.znet.SetDefault(znettest.DoneEach("SOMEONE-ELSES-PIN", "tamam"))
	r := zwatch(t, s.db, "check-pending")
	if n := s.znet.TotalRequests(); n != 0 || s.db.OrdersIn("completed") != 0 {
		t.Errorf("znet was asked %d times, and %d orders were approved with its PIN\n%s", n, s.db.OrdersIn("completed"), r.all())
	}
	if strings.Contains(r.all(), "SOMEONE-ELSES-PIN") {
		t.Errorf("the run printed the PIN\n%s", r.all())
	}
	check := zwatch(t, s.db, "check", "--order", orders[2])
	if check.code != 3 || !strings.Contains(check.all(), "is order 0 or below to znet") {
		t.Errorf("check --order of a referans of -0: exit %d, want 3 and why it is not asked\n%s", check.code, check.all())
	}
}
