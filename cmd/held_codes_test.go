package cmd_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// topUpNamingManyCodes is a top-up's completion with nothing in its PIN
// field and words naming more codes, labelled, than the shop's
// providerMessage (2,000 characters) holds whole: one may be the PIN, so
// the answer is held for a person.
func topUpNamingManyCodes(ref string) znettest.Answer {
	var desc strings.Builder
	desc.WriteString("Yükleme tamam.")
	for k := range 90 {
		fmt.Fprintf(&desc, " Kod %d: QW%02dR-9T%03dK-AB%02dD,", k, k, k, k)
	}
	return znettest.Done("", desc.String())
}

// Such an order was reported as "znet's PIN does not fit the shop's
// pinCode column": the operator went looking for a long PIN in an answer
// that has none. Every command now names what did not fit, and the dry
// runs predict the hold, where they said the order would complete.
func TestATopUpWhoseCodesDoNotFitIsReportedAsSuch(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("61")
	s.znet.Script("61", topUpNamingManyCodes("61"))
	held := "znet's words name more codes than the shop's providerMessage column holds whole"

	r := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json")
	if r.code != 3 || !strings.Contains(r.stdout, `"codes_too_many": [`) || strings.Contains(r.stdout, `"pin_too_long"`) ||
		strings.Contains(r.stdout, `"to": "completed"`) {
		t.Errorf("check-pending --dry-run: exit %d, want 3 and the order held for its codes, not completed\n%s", r.code, r.all())
	}
	r = zwatch(t, s.db, "check", "--order", id, "--dry-run", "-o", "json")
	if r.code != 3 || !strings.Contains(r.stdout, `"codes_too_many": true`) || !strings.Contains(r.stdout, `"pin_too_long": false`) ||
		!strings.Contains(r.stdout, `"to": "sent"`) || !strings.Contains(r.stdout, `"gave_up": true`) {
		t.Errorf("check --dry-run -o json: exit %d, want 3, codes_too_many, given up and no status change\n%s", r.code, r.all())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" {
		t.Fatalf("a dry run changed the order: %+v", row)
	}

	r = zwatch(t, s.db, "check-pending", "-q")
	if r.code != 3 || !strings.Contains(r.all(), "order 1002 ("+id+", referans 61) is stuck: "+held) {
		t.Errorf("check-pending: exit %d, want 3 and the order named for its codes\n%s", r.code, r.all())
	}
	if strings.Contains(r.all(), "PIN does not fit") {
		t.Errorf("check-pending blames a PIN the answer does not have:\n%s", r.all())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.ProviderMessage != nil || row.PINCode != nil {
		t.Errorf("order %+v: want nothing of the answer saved", row)
	}

	other := s.order("62")
	s.znet.Script("62", topUpNamingManyCodes("62"))
	r = zwatch(t, s.db, "check", "--order", other)
	if r.code != 3 || !strings.Contains(r.stdout, held) || strings.Contains(r.stdout, "PIN does not fit") {
		t.Errorf("check --order: exit %d, want 3 and the codes named as the reason\n%s", r.code, r.all())
	}
}

// The dry run predicts the hold as the shop's database decides it: under
// SQL_ASCII a varchar counts bytes, and codes of Turkish letters that fit
// providerMessage in characters do not in bytes (a reviewer's find: the
// dry run said the order would complete, exit 0, and the run held it).
func TestTheDryRunPredictsAHoldInTheShopsEncoding(t *testing.T) {
	t.Parallel()
	db := storetest.NewEncoded(t, "SQL_ASCII")
	fake := znettest.NewServer(dealerCode, password)
	t.Cleanup(fake.Close)
	integ := db.AddIntegration(storetest.Integration{Name: "znet-A", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	id := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "71", OrderNo: 1071})
	var desc strings.Builder
	desc.WriteString("Yukleme tamam:")
	for k := range 100 {
		fmt.Fprintf(&desc, " ŞĞÜÇ-%04d-ÖİŞĞ", k)
	}
	fake.Script("71", znettest.Done("", desc.String()))

	dry := zwatch(t, db, "check-pending", "--dry-run", "-o", "json")
	if dry.code != 3 || !strings.Contains(dry.stdout, `"codes_too_many": [`) {
		t.Errorf("check-pending --dry-run: exit %d, want 3 and the hold predicted\n%s", dry.code, dry.all())
	}
	if r := zwatch(t, db, "check", "--order", id, "--dry-run", "-o", "json"); r.code != 3 || !strings.Contains(r.stdout, `"codes_too_many": true`) {
		t.Errorf("check --dry-run: exit %d, want 3 and the hold predicted\n%s", r.code, r.all())
	}
	if r := zwatch(t, db, "check-pending", "-o", "json"); r.code != 3 || !strings.Contains(r.stdout, `"codes_too_many": [`) {
		t.Errorf("check-pending: exit %d, want 3 and the order held\n%s", r.code, r.all())
	}
}
