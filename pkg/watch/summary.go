package watch

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// Counts is what happened to the orders of one integration, or of all.
type Counts struct {
	Asked      int `json:"asked"`      // znet answered or failed (an attempt was counted), or the request was cut short
	Completed  int `json:"completed"`  // done, PIN saved
	Processing int `json:"processing"` // still waiting at znet
	Failed     int `json:"failed"`     // cancelled at znet
	Errors     int `json:"errors"`     // no usable answer; asked again later
	Skipped    int `json:"skipped"`    // claimed but released unasked (panel failing, run stopping, claim unconfirmed)
	Stuck      int `json:"stuck"`      // given up on in this run
	// Overtaken orders were decided by the shop or a person between claim
	// and answer, or taken by another run after this one's claim lapsed
	// (it was stopped longer than the lease): their change won and zwatch
	// wrote nothing.
	Overtaken int `json:"overtaken"`
	// CutShort orders were asked and released without an answer: their
	// requests were in flight when a signal stopped the run, or timed out
	// while the process did not run (SIGSTOP, a paused VM). The panel may
	// have heard them; no attempt was counted against the orders.
	CutShort int `json:"cut_short"`
}

// Answered says the panel gave at least one usable answer (done, waiting
// or cancelled). Errors do not count: a panel that still answers with an
// empty body, too few times in a run to be cut off again, has not
// recovered.
func (c Counts) Answered() bool { return c.Completed+c.Processing+c.Failed > 0 }

// count adds one answered order with result r.
func (c *Counts) count(r store.Result) {
	c.Asked++
	switch r {
	case store.ResultDone:
		c.Completed++
	case store.ResultWaiting:
		c.Processing++
	case store.ResultCancelled:
		c.Failed++
	default:
		c.Errors++
	}
}

func (c *Counts) add(o Counts) {
	c.Asked += o.Asked
	c.Completed += o.Completed
	c.Processing += o.Processing
	c.Failed += o.Failed
	c.Errors += o.Errors
	c.Skipped += o.Skipped
	c.CutShort += o.CutShort
	c.Stuck += o.Stuck
	c.Overtaken += o.Overtaken
}

// IntegrationSummary is one dealer panel's part of a run.
type IntegrationSummary struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Counts         // flattened into the JSON object
	Failing bool   `json:"failing"`
	// Answered: the panel answered about an order in znet's format in
	// this run (final, waiting, an answer zwatch could not use): a panel
	// failing before that answered is up again. A refusal ("3|...") is
	// no such answer: a panel that refuses every request has not come
	// back.
	Answered bool `json:"answered"`
	// Reason says why the panel was cut off, e.g. the last fault.
	Reason string `json:"reason,omitempty"`
	// FaultedOn is the order whose request, failed as the panel's fault (a
	// timeout, a page not znet's), was all the run heard of the panel, too
	// little to call it failing; for the next runs (Config.UnansweredBefore).
	FaultedOn string `json:"-"`
	// OnlyRefused says the panel refused the requests ("3|...") in this
	// run and answered nothing else, too few to be failing; RefusedAnew are
	// the orders (referans numbers) it had not refused before, for the
	// next runs (Config.RefusedBefore), and Refusal the last refusal's
	// words.
	OnlyRefused bool     `json:"-"`
	RefusedAnew []string `json:"-"`
	Refusal     string   `json:"-"`
	// NoBudget counts the orders released unasked because the panel's
	// shared request budget could not be reserved (a warning says why):
	// nothing is asked of the panel while that lasts, so a person should
	// look.
	NoBudget int `json:"released_without_budget,omitempty"`
}

// Summary is the account of one run that check-pending prints.
type Summary struct {
	RunID     string        `json:"run_id"`
	Host      string        `json:"host"`
	DryRun    bool          `json:"dry_run"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"-"`
	Seconds   float64       `json:"duration_seconds"`
	// DBSeconds is the time spent waiting for the database: claiming,
	// applying and releasing. Everything else is znet's.
	DBSeconds float64 `json:"db_seconds"`
	// EndedBy says why the run ended; StoppedBy repeats it only for a run
	// that was stopped early, by a signal or by max-duration cutting its
	// work short. A loop that ran its course was not stopped.
	EndedBy      EndedBy              `json:"ended_by"`
	StoppedBy    string               `json:"stopped_by,omitempty"` // "signal" or "max-duration"
	Integrations []IntegrationSummary `json:"integrations"`
	Total        Counts               `json:"total"`
	StuckOrders  []string             `json:"stuck_orders,omitempty"`
	// StuckUnusable are the stuck orders whose last answer was one zwatch
	// could not use (see Unusable), with why: znet did answer them, so
	// "no final answer" would send a person looking for the wrong fault.
	StuckUnusable []UnusableAnswer `json:"stuck_unusable_answers,omitempty"`
	// PINTooLong lists the stuck orders whose PIN did not fit the shop's
	// column, rather than taking too long: a person delivers it by hand.
	PINTooLong []string `json:"pin_too_long,omitempty"`
	// CodesTooMany lists the stuck orders, top-ups, whose words name more
	// codes than the shop's providerMessage holds whole: the PIN may be one
	// of them, so nothing was saved, and a person delivers them by hand.
	CodesTooMany []string `json:"codes_too_many,omitempty"`
	// SharedReferans lists the stuck orders whose referans another order
	// of their integration carries: znet's answer belongs to one customer,
	// and was not saved to them.
	SharedReferans []SharedReferans `json:"shared_referans,omitempty"`
	// PINTaken lists the stuck orders whose completion the shop's unique
	// index on "pinCode" refused: another order holds its PIN (a panel that
	// hands one out twice); or whose PIN znet gave another order earlier
	// in the run (same_pin_as, index empty). Nothing of it was saved.
	PINTaken []PINTaken `json:"unique_index_refused,omitempty"`
	// PINKept lists the orders that already held a PIN other than the one
	// znet completed them with: theirs was kept, znet's not written, and a
	// person compares the two on the dealer panel.
	PINKept []string `json:"pin_kept_orders,omitempty"`
	// PINNotStored lists the orders completed with a PIN their row, as
	// the shop's database stored it, does not hold whole (a trigger kept
	// it blank, moved it elsewhere, or cut it): a person makes sure the
	// customer has it.
	PINNotStored []string `json:"pin_not_stored_orders,omitempty"`
	// CancelledHoldingPIN lists the orders znet cancelled that hold a PIN
	// (staff delivered one by hand?): marked failed, and a person looks
	// before the shop refunds a customer who may have a PIN.
	CancelledHoldingPIN []string `json:"cancelled_holding_pin_orders,omitempty"`
	// ShopHeld lists the orders whose row a transaction of the shop has
	// held for over ShopHeldAlarm, answer after answer: their PINs cannot
	// be saved until a person ends it (or gives zwatch the right to update
	// them, under row-level security).
	ShopHeld []string `json:"shop_held_orders,omitempty"`
	// RowHeld lists the due orders whose row of zwatch_order_checks
	// another transaction held, unchanged, at two looks 5 s or more apart
	// (a person's UPDATE left uncommitted?): no run can claim them, so
	// they are not asked, nor given up on, until a person ends it. In the
	// order the run told them.
	RowHeld []string `json:"check_row_held_orders,omitempty"`
	// Unsaved lists the orders znet answered whose answers the database
	// refused to the end of the run (error lines name them): they are
	// asked again, and a refusal that repeats (a grant missing, say)
	// would go on run after run, so a person should look.
	Unsaved []string `json:"unsaved_orders,omitempty"`
	// UnsavedLocked is how many of Unsaved waited in vain for a lock to
	// the end: a transaction of the shop's holding product_orders (LOCK
	// TABLE, a migration), not a refusal.
	UnsavedLocked int `json:"unsaved_locked_out,omitempty"`
	// Unconfirmed lists the orders whose answer's COMMIT lost its
	// connection to the database, and which had changed when the answer
	// was saved again, or could not be saved again by the run's end: the
	// lost COMMIT may have been made (the database has the answer, its
	// stuck order or PIN kept unsaid by any run), or the shop changed the
	// order meanwhile. A person checks them (list --order).
	Unconfirmed []string `json:"unconfirmed_saves,omitempty"`
	// Unusable lists the orders about which znet answered, in its own
	// format, what zwatch cannot use (a status it does not know, a done
	// answer cut short or with a corrupt PIN): errors of those orders, which
	// are asked again, but a customer waits for a PIN nobody can read, and
	// a panel answering every order so would otherwise be seen only when
	// its orders end stuck a day later. A person should look.
	Unusable []UnusableAnswer `json:"unusable_answers,omitempty"`
	// TookOver are the runs whose orders this run took over, their claims
	// lapsed: a run lets go of every order it ends with, so each of those
	// was killed (OOM, a timeout's SIGKILL), lost its host or its
	// database, or was stopped or held up past its lease, and a killed run
	// records nothing of itself. By run id.
	TookOver []store.TakenOver `json:"took_over,omitempty"`
	// ClaimsLeft is how many orders the run could not hand back at its end
	// (the database was gone): their claims lapse by themselves within
	// ClaimLease, and the next runs ask them then.
	ClaimsLeft int `json:"claims_left,omitempty"`
	// Changes lists what a dry run would have written.
	Changes []Change `json:"changes,omitempty"`
	// Named holds, for each order the lists above name by its id, how a
	// person finds it: by its number in the shop, and by its referans on
	// the dealer panel, where the notes send them.
	Named map[string]OrderName `json:"named_orders,omitempty"`
}

// OrderName is how a person finds an order: the shop's order number (nil
// where the row has none) and znet's referans.
type OrderName struct {
	OrderNo  *int64 `json:"order_no,omitempty"`
	Referans string `json:"referans"`
}

// UnusableAnswer is an order znet answered about with nothing zwatch can
// use, and why.
type UnusableAnswer struct {
	OrderID string `json:"order_id"`
	Reason  string `json:"reason"`
}

// EndedBy is why a run ended.
type EndedBy string

const (
	EndedByDone        EndedBy = "done"         // without --loop: every order due was asked
	EndedByLoop        EndedBy = "loop"         // --loop ran its course, as planned
	EndedByMaxDuration EndedBy = "max-duration" // stopped early: max-duration cut its work short
	EndedBySignal      EndedBy = "signal"       // stopped early: SIGINT, SIGTERM or SIGHUP
)

// Change is one order's transition, as a dry run predicts it.
type Change struct {
	OrderID string `json:"order_id"`
	From    string `json:"from"`
	To      string `json:"to"`
	PIN     bool   `json:"pin"` // a PIN would be saved (never the PIN itself)
}

// SharedReferans is a stuck order whose referans Other carries too.
type SharedReferans struct {
	OrderID string `json:"order_id"`
	Other   string `json:"other_order_id"`
}

// PINTaken is an order whose completion the shop's unique index on
// "pinCode" refused, or whose PIN the run gave another order, or zwatch
// saved on another before (Before; store.Taken).
type PINTaken struct {
	OrderID string `json:"order_id"`
	Index   string `json:"index"`
	SameAs  string `json:"same_pin_as,omitempty"`
	Before  bool   `json:"same_pin_saved_before,omitempty"`
}

// Taken is the refusal as the store words it.
func (v PINTaken) Taken() store.Taken {
	return store.Taken{Index: v.Index, SameAs: v.SameAs, Before: v.Before}
}

// NeedsAttention is true when a person should look: an integration is
// failing or its budget could not be reserved, orders became stuck, the
// database refused answers or lost the connection committing them,
// znet's PIN differed from one an order already held or a completion's
// row stored none or part of it, znet cancelled an order holding a PIN,
// the shop has held an order's row too long, a transaction holds a due
// order's row of zwatch_order_checks, or znet's answer about an order
// could not be used. check-pending exits 3 then.
func (s *Summary) NeedsAttention() bool {
	if s.Total.Stuck > 0 || len(s.Unsaved) > 0 || len(s.Unconfirmed) > 0 || len(s.PINKept) > 0 || len(s.PINNotStored) > 0 || len(s.CancelledHoldingPIN) > 0 ||
		len(s.ShopHeld) > 0 || len(s.RowHeld) > 0 || len(s.Unusable) > 0 || s.ReleasedWithoutBudget() {
		return true
	}
	for _, in := range s.Integrations {
		if in.Failing {
			return true
		}
	}
	return false
}

// ReleasedWithoutBudget says whether any panel's orders were released
// unasked because its request budget could not be reserved.
func (s *Summary) ReleasedWithoutBudget() bool {
	for _, in := range s.Integrations {
		if in.NoBudget > 0 {
			return true
		}
	}
	return false
}

// FailingIntegrations lists the integrations cut off in this run.
func (s *Summary) FailingIntegrations() []IntegrationSummary {
	var out []IntegrationSummary
	for _, in := range s.Integrations {
		if in.Failing {
			out = append(out, in)
		}
	}
	return out
}

// tally collects counts while the run goes; the applier's goroutine owns it.
type tally struct {
	byID map[string]*IntegrationSummary
}

// of is an integration's counts; its name is filled in by describe.
func (t *tally) of(id string) *IntegrationSummary {
	if t.byID == nil {
		t.byID = make(map[string]*IntegrationSummary)
	}
	s, ok := t.byID[id]
	if !ok {
		s = &IntegrationSummary{ID: id, Name: id}
		t.byID[id] = s
	}
	return s
}

// describe names an integration the run had orders for, and says whether
// it was cut off; it is listed even when none of its orders was counted.
func (t *tally) describe(l *lane) {
	s := t.of(l.integration.ID)
	s.Name = l.integration.Name
	s.Failing, s.Reason = l.state()
	s.Answered, s.FaultedOn = l.answeredUsably(), l.faultedOn()
	s.RefusedAnew, s.Refusal, s.OnlyRefused = l.refusedOnly()
}

func (t *tally) fill(s *Summary) {
	// Empty, not nil: a run with nothing due, most runs, prints [] with
	// -o json, where jq's .integrations[] fails on null.
	s.Integrations = make([]IntegrationSummary, 0, len(t.byID))
	s.Total = Counts{}
	for _, in := range t.byID {
		s.Integrations = append(s.Integrations, *in)
		s.Total.add(in.Counts)
	}
	sort.Slice(s.Integrations, func(i, j int) bool {
		a, b := s.Integrations[i], s.Integrations[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	sort.Strings(s.StuckOrders)
	sort.Strings(s.PINTooLong)
	sort.Strings(s.CodesTooMany)
	slices.SortFunc(s.SharedReferans, func(a, b SharedReferans) int { return strings.Compare(a.OrderID, b.OrderID) })
	slices.SortFunc(s.PINTaken, func(a, b PINTaken) int { return strings.Compare(a.OrderID, b.OrderID) })
	sort.Strings(s.PINKept)
	sort.Strings(s.PINNotStored)
	sort.Strings(s.CancelledHoldingPIN)
	sort.Strings(s.ShopHeld)
	sort.Strings(s.Unsaved)
	sort.Slice(s.Unusable, func(i, j int) bool { return s.Unusable[i].OrderID < s.Unusable[j].OrderID })
	sort.Slice(s.StuckUnusable, func(i, j int) bool { return s.StuckUnusable[i].OrderID < s.StuckUnusable[j].OrderID })
}
