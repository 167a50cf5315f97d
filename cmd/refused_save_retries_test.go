package cmd_test

import (
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// An answer the shop's database refuses for what its own row holds (a
// trigger's exception, a constraint) is refused alike until a person
// changes the row or the trigger. A looping run tried it again every few
// seconds, each time a statement on the shop's table; now it tries it
// again at the end of the run (and every half minute of a longer one).
func TestAnAnswerTheShopRefusesIsNotRetriedEverySecond(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("9701")
	s.znet.Script("9701", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))
	// Each attempt to write the row takes a number: a sequence does not
	// roll back with the refused statement.
	s.db.Exec(`CREATE SEQUENCE refused_writes`)
	s.db.Exec(`CREATE FUNCTION count_and_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('refused_writes'); RAISE EXCEPTION 'the shop refuses this order'; END $$`)
	s.db.Exec(`CREATE TRIGGER count_and_refuse BEFORE UPDATE ON product_orders
		FOR EACH ROW WHEN (OLD.id = '` + id + `') EXECUTE FUNCTION count_and_refuse()`)

	r := zwatch(t, s.db, "check-pending", "--loop", "6s", "--tick", "200ms")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3 for the unsaved answer:\n%s", r.code, r.all())
	}
	var writes int
	s.db.Get(&writes, `SELECT last_value FROM refused_writes`)
	if writes > 2 {
		t.Errorf("the shop's row was written %d times in a 6-second run, want 2: its first try and the run's last", writes)
	}
	if got := s.znet.Requests("9701"); got != 1 {
		t.Errorf("znet was asked %d times, want 1", got)
	}
}
