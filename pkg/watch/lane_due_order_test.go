package watch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// lane.next hands out "the first due of those queued" first. An order
// claimed ahead whose time has come is due since its DueAt; one a later
// tick claimed already due has no DueAt (zero) and so always goes first,
// however long the one claimed ahead has waited for a worker: with a
// paced panel, orders claimed ahead are pushed behind every later claim's.
func TestAnOrderClaimedAheadThatFellDueIsNotPassedByALaterClaim(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &run{newRequests: ctx, abort: ctx}
	l := &lane{run: r, asking: make(map[string]time.Time)}
	l.ready = sync.NewCond(&l.mu)
	// Claimed ahead at one tick, due half a second ago; then, at the next
	// tick, an order that fell due since (zero DueAt: due at the claim).
	l.push([]store.Order{{ID: "ahead", DueAt: time.Now().Add(-500 * time.Millisecond)}})
	l.push([]store.Order{{ID: "later"}})
	if o, _ := l.next(); o.ID != "ahead" {
		t.Errorf("next handed out %q first, want the order due longest (claimed ahead, due half a second ago)", o.ID)
	}
}
