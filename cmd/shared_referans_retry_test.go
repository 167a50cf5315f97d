package cmd_test

import "testing"

// An order copied from one znet completed is held for a person (stuck,
// exit 3, naming the original). The original's row in zwatch's table is
// deleted 7 days after it finished, while the held copy's stays: a busy
// operator who clears stuck orders with the documented "zwatch retry
// --stuck" a week later has the copy asked again, and the guard no longer
// finds the original. znet's one PIN must still not reach both customers.
func TestRetryingAHeldCopyAWeekLaterDoesNotGiveItTheOriginalsPIN(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	const pin = "HELD-PIN-9100-QW7R"
	original, copied := heldCopy(t, s, "9100", pin)

	// A week later: the sweep deletes the original's row.
	s.db.Exec(`UPDATE zwatch_order_checks SET finished_at = now() - interval '8 days' WHERE order_id = $1`, original)
	s.db.MakeSweepDue()
	zwatch(t, s.db, "check-pending")
	if r := zwatch(t, s.db, "retry", "--stuck"); r.code != 0 {
		t.Fatalf("retry --stuck: exit %d\n%s", r.code, r.all())
	}
	zwatch(t, s.db, "check-pending")

	if row := s.db.ReadOrder(copied); row.PINCode != nil && *row.PINCode == pin {
		t.Errorf("the copy %s was given the PIN order %s already delivered: %+v", copied, original, row)
	}
}
