package watch

import (
	"context"
	"sync"
)

// slots are the run's Concurrency request slots, shared fairly among the
// lanes. A lane's workers ask for a slot before each request; when one
// frees, it goes to the waiting lane that holds the fewest, and among those
// to the one served longest ago, so that fifty panels with work each get
// their turn however many workers each has.
//
// A lane whose last requests failed as a panel fault or timed out is
// suspect: it may hold one slot, and all suspect lanes together at most half
// of them. A panel that accepts connections and never answers so keeps at
// most one slot busy until it is cut off, and the other panels always have
// half the slots, instead of every slot hanging for a timeout at a time.
// A lane not heard from yet in this run may hold one slot too, until its
// panel answers, while another panel's orders wait without one: a hanging
// panel cannot take every slot before anyone knows it hangs. Once the run
// claims nothing more, no panel's orders can arrive to wait behind the
// suspect ones, and these lift their cap together, so that a hanging
// panel's fate is settled sooner.
type slots struct {
	mu          sync.Mutex
	free        int
	suspectCap  int  // slots suspect lanes may hold together
	uncapped    bool // claiming is over: suspectCap no longer applies
	suspectHeld int
	lanes       []*lane // every lane of the run
	held        map[*lane]int
	served      map[*lane]uint64 // when each lane was last given a slot
	turn        uint64
	waiting     []*slotWaiter
}

type slotWaiter struct {
	lane    *lane
	granted chan struct{}
	slot    slot // set when granted
	ok      bool
}

// slot is one request's right to go; release hands it back.
type slot struct {
	lane    *lane
	suspect bool // counted among the suspect lanes' slots
}

// register makes a new lane known, so that its waiting orders count as
// waiting before its workers ask for slots.
func (s *slots) register(l *lane) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lanes = append(s.lanes, l)
}

// claimingOver lifts the suspect lanes' common cap: no order will come that
// could wait behind them.
func (s *slots) claimingOver() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uncapped = true
	s.grantLocked()
}

func newSlots(n int) *slots {
	return &slots{
		free:       n,
		suspectCap: max(1, n/2),
		held:       make(map[*lane]int),
		served:     make(map[*lane]uint64),
	}
}

// acquire waits for a slot for l. It fails when ctx is done first.
func (s *slots) acquire(ctx context.Context, l *lane) (slot, bool) {
	w := &slotWaiter{lane: l, granted: make(chan struct{})}
	s.mu.Lock()
	s.waiting = append(s.waiting, w)
	s.grantLocked()
	s.mu.Unlock()
	select {
	case <-w.granted:
		return w.slot, true
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.ok {
		// Granted just as ctx ended: hand it on.
		s.releaseLocked(w.slot)
		return slot{}, false
	}
	for i, other := range s.waiting {
		if other == w {
			s.waiting = append(s.waiting[:i], s.waiting[i+1:]...)
			break
		}
	}
	return slot{}, false
}

func (s *slots) release(sl slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked(sl)
}

func (s *slots) releaseLocked(sl slot) {
	s.free++
	s.held[sl.lane]--
	if sl.suspect {
		s.suspectHeld--
	}
	s.grantLocked()
}

// grantLocked hands free slots to the waiters that should have them.
func (s *slots) grantLocked() {
	for s.free > 0 {
		unserved := s.unservedLocked()
		best, bestSuspect := -1, false
		for i, w := range s.waiting {
			suspect := w.lane.isSuspect()
			switch held := s.held[w.lane]; {
			case suspect && !s.uncapped && s.suspectHeld >= s.suspectCap,
				suspect && held > 0,
				w.lane.isUnheard() && held > 0 && unserved > 0:
				continue
			}
			if best < 0 || s.before(w.lane, suspect, s.waiting[best].lane, bestSuspect) {
				best, bestSuspect = i, suspect
			}
		}
		if best < 0 {
			return
		}
		w := s.waiting[best]
		s.waiting = append(s.waiting[:best], s.waiting[best+1:]...)
		s.free--
		s.held[w.lane]++
		if bestSuspect {
			s.suspectHeld++
		}
		s.turn++
		s.served[w.lane] = s.turn
		w.slot, w.ok = slot{lane: w.lane, suspect: bestSuspect}, true
		close(w.granted)
	}
}

// unservedLocked counts the lanes that hold no slot and have orders
// waiting for one.
func (s *slots) unservedLocked() int {
	waiting := make(map[*lane]bool, len(s.waiting))
	for _, w := range s.waiting {
		waiting[w.lane] = true
	}
	n := 0
	for _, l := range s.lanes {
		if s.held[l] == 0 && (waiting[l] || l.queued() > 0) {
			n++
		}
	}
	return n
}

// before says whether lane a should be served before lane b: a healthy lane
// before a suspect one, then the lane holding fewer slots, then the one
// served longest ago.
func (s *slots) before(a *lane, aSuspect bool, b *lane, bSuspect bool) bool {
	if aSuspect != bSuspect {
		return !aSuspect
	}
	if s.held[a] != s.held[b] {
		return s.held[a] < s.held[b]
	}
	return s.served[a] < s.served[b]
}
