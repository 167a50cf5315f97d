package cmd_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A completion whose row the shop's trigger left without a PIN is said in
// the run's mail (exit 3), and by check --order, naming the order, never
// the PIN; as the role holding only the printed grants, whose statements
// read the row back as the trigger left it.
func TestACompletionStoredWithoutItsPINIsSaid(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.order("8801")
	s.znet.SetDefault(znettest.DoneEach("VLT1-2345-6789-ABCD", "tamam"))
	s.db.Exec(`CREATE FUNCTION vault_pin() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW."pinCode" := NULL; RETURN NEW; END $$`)
	s.db.Exec(`CREATE TRIGGER vault_pin BEFORE UPDATE ON product_orders FOR EACH ROW EXECUTE FUNCTION vault_pin()`)
	_, asRole := runtimeRole(t, s.db)

	r := zwatchAt(t, asRole, "check-pending", "-q")
	if r.code != 3 || !strings.Contains(r.stdout, "took znet's completion but stored no PIN") {
		t.Errorf("check-pending -q: exit %d, want 3 and the order named:\n%s", r.code, r.all())
	}
	c := zwatchAt(t, asRole, "check", "--order", s.order("8802"))
	if c.code != 3 || !strings.Contains(c.stdout, "stored no PIN") {
		t.Errorf("check --order: exit %d, want 3 saying no PIN was stored:\n%s", c.code, c.all())
	}
	assertNoSecret(t, "output", r.all()+c.all(), "VLT1", "6789")
}
