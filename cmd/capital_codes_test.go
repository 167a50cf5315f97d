package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel answering an order of two codes in capitals, written as this
// stop's parser rounds found them delivered as one PIN (right after the
// PIN, beside a number, glued by a mark), gets no order approved with half
// of what was bought, under a role with exactly the printed grants: the
// answer is held, no code reaches the shop's PIN column, zwatch's tables or
// the terminal. A single PIN beside a sentence in Turkish read as Latin-1
// is delivered.
func TestTwoCapitalCodesAreHeldWithExactlyThePrintedGrants(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	_, asRole := runtimeRole(t, s.db)
	twoCodes := map[string]string{
		"8801": "Kodlar: QWRTY PSDFG HJKLZ XCVBN MQWRT YPSDF",
		"8802": "Kodlar: QWRTY PSDFG HJKLZ, XCVBN MQWRT YPSDF 2026",
		"8803": "QWRTY PSDFG HJKLZ-XCVBN MQWRT YPSDF",
		"8804": "Kodlar: QWRTY PSDFG HJKLZ 2026 KART XCVBN MQWRT YPSDF",
	}
	held := map[string]string{}
	for ref, desc := range twoCodes {
		held[ref] = s.order(ref)
		s.znet.Script(ref, znettest.Done("QWRTY PSDFG HJKLZ", desc))
	}
	single := s.order("8805")
	s.znet.Script("8805", znettest.Done("BCDFG HJKLM NPQRS", "Kodunuz: BCDFG HJKLM NPQRS. OYUNA GÝRÝÞ YAPIN"))

	r := zwatchAt(t, asRole, "check-pending", "--loop", "0")
	if strings.Contains(r.all(), "permission denied") {
		t.Fatalf("exit %d with the printed grants:\n%s", r.code, r.all())
	}
	for ref, id := range held {
		o := s.db.ReadOrder(id)
		if o.PINCode != nil || o.Status == "approved" || o.ExternalStatus == "completed" {
			t.Errorf("order %s (%q): status %s, externalStatus %s, a PIN saved: %v; want the answer held", ref, twoCodes[ref], o.Status, o.ExternalStatus, o.PINCode != nil)
		}
	}
	if o := s.db.ReadOrder(single); o.PINCode == nil || *o.PINCode != "BCDFG HJKLM NPQRS" || o.ExternalStatus != "completed" {
		t.Errorf("the single PIN beside a sentence: externalStatus %s, PIN saved %v; want it delivered", o.ExternalStatus, o.PINCode != nil)
	}
	assertNoSecret(t, "check-pending's output", r.all(), "PSDFG", "MQWRT", "HJKLM")
	for _, code := range []string{"QWRTYPSDFGHJKLZ", "XCVBNMQWRTYPSDF", "BCDFGHJKLMNPQRS"} {
		assertNoPINInZwatchTables(t, s, code)
	}
}
