package watch_test

import (
	"context"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// The README: values are fitted to the shop's columns "so that no answer
// can make an order fail forever", and a "sentAt" of infinity (a
// placeholder) is handled. A waiting order whose "completedAt" holds such
// a placeholder (infinity: "not yet") must still take znet's PIN: the
// apply computes "durationMs" from "completedAt" (kept if set) minus
// "sentAt", and PostgreSQL cannot subtract an infinite timestamp.
func TestAnOrderWithAnInfiniteCompletedAtStillTakesItsPIN(t *testing.T) {
	t.Parallel()
	for _, placeholder := range []string{"infinity", "-infinity"} {
		t.Run(placeholder, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			odd := e.order("6200")
			other := e.order("6201")
			e.db.Exec(`UPDATE product_orders SET "completedAt" = $2::timestamptz WHERE id = $1`, odd, placeholder)
			e.znet.Script("6200", znettest.Done("INF-PIN-6200-ABCD", "tamam"))
			e.znet.Script("6201", znettest.Done("INF-PIN-6201-ABCD", "tamam"))

			for range 3 {
				// A refused answer fails the run (exit 3); the next ones ask again.
				_, _ = watch.Run(context.Background(), e.db.Store, e.config())
				e.db.ExpireClaims()
				e.db.MakeAllDue()
			}

			if row := e.db.ReadOrder(other); row.PINCode == nil {
				t.Errorf("the other order of the batch did not get its PIN: %+v", row)
			}
			if row := e.db.ReadOrder(odd); row.PINCode == nil || *row.PINCode != "INF-PIN-6200-ABCD" {
				c := e.db.ReadCheck(odd)
				t.Errorf("the order with \"completedAt\" %s never took its PIN: %+v, last_error %v", placeholder, row, deref(c.LastError))
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
