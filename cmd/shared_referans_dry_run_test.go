package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A dry run is how an operator sees what a run would change before it
// does ("zwatch check-pending --dry-run # what would change"). Where two
// orders share a referans, a real run saves znet's PIN to neither, holds
// both for a person and exits 3; the dry run must not promise the PIN to
// both orders and exit 0, nor check --dry-run say "PIN saved, status
// approved" of an order the real check holds.
func TestDryRunPredictsTheHoldOfOrdersSharingAReferans(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	first := s.order("5100")
	copied := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "5100", OrderNo: 2001})
	// The runs from cron have asked both once already.
	s.znet.Script("5100", znettest.Waiting(""))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("setting up: exit %d\n%s", r.code, r.all())
	}
	s.db.MakeAllDue()
	s.znet.Script("5100", znettest.Done("DRY-PIN-5100-ABCD", "tamam"))

	dry := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	var report struct {
		Changes []struct {
			OrderID string `json:"order_id"`
			To      string `json:"to"`
			PIN     bool   `json:"pin"`
		} `json:"changes"`
		SharedReferans []struct {
			OrderID string `json:"order_id"`
		} `json:"shared_referans"`
	}
	if err := json.Unmarshal([]byte(dry.stdout), &report); err != nil {
		t.Fatalf("check-pending --dry-run -o json: %v\n%s", err, dry.all())
	}
	for _, c := range report.Changes {
		if c.PIN {
			t.Errorf("the dry run says order %s would be given the PIN (to %s); a real run gives it to neither order", c.OrderID, c.To)
		}
	}
	if dry.code != 3 || len(report.SharedReferans) != 2 {
		t.Errorf("dry run: exit %d, shared_referans %v; a real run holds both orders and exits 3\n%s", dry.code, report.SharedReferans, dry.all())
	}

	check := zwatch(t, s.db, "check", "--order", first, "--dry-run")
	if strings.Contains(check.stdout, "PIN saved") || check.code != 3 || !strings.Contains(check.stdout, copied) {
		t.Errorf("check --dry-run: exit %d; a real check holds the order for %s and exits 3:\n%s", check.code, copied, check.all())
	}

	real := zwatch(t, s.db, "check-pending", "-o", "json")
	if real.code != 3 {
		t.Errorf("the real run: exit %d, want 3\n%s", real.code, real.all())
	}
	for _, id := range []string{first, copied} {
		if row := s.db.ReadOrder(id); row.PINCode != nil {
			t.Errorf("order %s was given the PIN: %+v", id, row)
		}
	}
}
