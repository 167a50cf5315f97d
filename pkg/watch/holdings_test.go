package watch

import (
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// An order the run claims again while it still holds it (its own claim
// lapsed, its answer not yet saved) is not asked a second time.
func TestAnOrderHeldAlreadyIsNotDispatchedAgain(t *testing.T) {
	h := newHoldings()
	if fresh := h.add([]store.Order{{ID: "a"}, {ID: "b"}}, time.Now()); len(fresh) != 2 {
		t.Fatalf("first claim: %d fresh, want 2", len(fresh))
	}
	fresh := h.add([]store.Order{{ID: "b"}, {ID: "c"}}, time.Now())
	if len(fresh) != 1 || fresh[0].ID != "c" {
		t.Errorf("claiming b again beside c: fresh %v, want only c", fresh)
	}
	if h.len() != 3 || h.claimed() != 3 {
		t.Errorf("held %d, claimed %d; want 3 and 3", h.len(), h.claimed())
	}
	h.drop([]string{"b"})
	if fresh := h.add([]store.Order{{ID: "b"}}, time.Now()); len(fresh) != 1 {
		t.Errorf("b, saved and let go of, claimed again: fresh %v, want b", fresh)
	}
}
