package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A shop row whose "sentAt" lies past year 9999 (a millisecond epoch fed
// to to_timestamp) or before year 0 (a date BC) stopped -o json: JSON
// cannot write such a time, and list and check failed whole, blaming
// "writing the output" (an operator adversary's find). It is left out, as
// an infinite one is.
func TestASentAtOutsideJSONsYearsStopsNoListOrCheck(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("301")
	far := s.order("302")
	s.db.SetSentAt(far, "294276-12-31")
	bc := s.order("303")
	s.db.SetSentAt(bc, "4713-01-01 BC")

	if r := zwatch(t, s.db, "list"); r.code != 0 {
		t.Fatalf("list (table): exit %d, want 0\n%s", r.code, r.all())
	}
	r := zwatch(t, s.db, "list", "-o", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); r.code != 0 || err != nil || len(rows) != 3 {
		t.Errorf("list -o json: exit %d, %v, %d rows; want exit 0 and the 3 waiting orders\n%s", r.code, err, len(rows), r.all())
	}

	s.znet.SetDefault(znettest.DoneEach("FAR-PIN-3020", "tamam"))
	if r := zwatch(t, s.db, "check", "--order", far); r.code != 0 {
		t.Fatalf("check: exit %d, want 0\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "check", "--order", far, "-o", "json")
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 4 || err != nil {
		t.Errorf("check -o json of the final order: exit %d, %v; want exit 4 and its facts as JSON\n%s", r.code, err, r.all())
	}
	if strings.Contains(r.stderr, "writing the output") {
		t.Errorf("check -o json blames writing the output for a date it cannot encode:\n%s", r.stderr)
	}
}

// An infinite "completedAt" or "lastSyncAt" (a shop's placeholder) was
// shown as a date of the year 9999 in check's view of a final order; it
// is left out, as an infinite "sentAt" is.
func TestAnInfiniteTimeOfAFinalOrderIsNoDate(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "9001", OrderNo: 5001, ExternalStatus: "completed", Status: "approved",
		PINCode: "ABCD-EFGH-IJKL-MNOP"})
	s.db.Exec(`UPDATE product_orders SET "lastSyncAt" = 'infinity', "completedAt" = '-infinity' WHERE id = $1`, id)
	r := zwatch(t, s.db, "check", "--order", id)
	if r.code != 4 || !strings.Contains(r.stdout, "already final") || strings.Contains(r.stdout, "  completed ") || strings.Contains(r.stdout, "  last asked ") {
		t.Errorf("check of a final order with infinite times: exit %d, want 4 and no date for them\n%s", r.code, r.all())
	}
}
