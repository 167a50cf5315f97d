package watch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// OrderCheck is what `zwatch check --order` saw and did.
type OrderCheck struct {
	State store.OrderState
	// NotPollable says in one line why zwatch did not ask znet; empty when
	// it asked.
	NotPollable string
	Integration string         // its name
	Answer      znet.PinStatus // holds the PIN: the caller masks it
	Err         error          // znet could not be asked or answered nonsense
	Took        time.Duration
	From, To    string // "externalStatus" before and after
	Written     bool   // the shop's row was updated
	PINSaved    bool   // the order is completed holding znet's PIN
	// WouldSavePIN: a dry run's foresight of PINSaved, which it leaves
	// false, having saved nothing.
	WouldSavePIN bool
	Overtaken    bool // the shop changed the order while zwatch asked
	GaveUp       bool // the order is stuck: given up on now, or before and still not final
	PINTooLong   bool // znet's PIN does not fit the shop's column: not saved, given up on
	// CodesTooMany: a top-up's words name more codes than the shop's
	// providerMessage holds whole; nothing saved, given up on.
	CodesTooMany bool
	// SharedWith names another order of the integration that carries the
	// same referans: znet's answer was not saved to this one, which was
	// given up on. Empty: none.
	SharedWith string
	// Taken: the shop's unique index on "pinCode" refused the completion,
	// another order holding its PIN; nothing saved, given up on. Index
	// empty: not so.
	Taken   store.Taken
	PINKept bool // the order already held another PIN, which was kept; or znet cancelled an order holding a PIN
	// PINNotStored: completed with a PIN the row, as the shop's database
	// stored it, does not hold whole (a trigger kept it blank, moved or
	// cut it).
	PINNotStored bool
	// NotSaved says in one line why znet's answer was not saved (a shop
	// transaction held the order's row); empty when it was, or when there
	// was nothing to save.
	NotSaved string
	// Stopped: a signal cancelled the request before znet answered; the
	// claim was handed back and nothing recorded, so the next run asks.
	Stopped bool
	DryRun  bool
}

// NotAsked says the check's request never left: the order's referans
// cannot be asked about (znet.ErrReferansUnusable).
func (c *OrderCheck) NotAsked() bool { return errors.Is(c.Err, znet.ErrReferansUnusable) }

// Description is znet's description of the order with its PINs masked:
// the answer's, and the one the order held already (HideHeldPIN).
func (c *OrderCheck) Description() string {
	return HideHeldPIN(HideAnswerPINs(c.Answer.Description, c.Answer), c.State.HeldPIN())
}

// CheckOrder asks znet about one order now, whatever its schedule, and
// applies the answer exactly as a run would. An order zwatch must not touch
// is explained in NotPollable, and nothing is asked or written.
func CheckOrder(ctx context.Context, st *store.Store, cfg Config, orderID string) (*OrderCheck, error) {
	return checkOrder(ctx, st, cfg, orderID, 2)
}

// checkOrder is CheckOrder, started over at most lookups-1 times when the
// order moved to another panel or referans between its lookup and its claim.
func checkOrder(ctx context.Context, st *store.Store, cfg Config, orderID string, lookups int) (*OrderCheck, error) {
	state, err := st.LookupOrder(ctx, orderID)
	if errors.Is(err, store.ErrOrderNotFound) {
		return &OrderCheck{NotPollable: fmt.Sprintf("order %s does not exist", orderID)}, nil
	}
	if err != nil {
		return nil, err
	}
	check := newOrderCheck(state, cfg.DryRun)
	if check.NotPollable = whyNotPollable(state); check.NotPollable != "" {
		return check, nil
	}
	integrations, err := st.Integrations(ctx, []string{*state.IntegrationID})
	if err != nil {
		return nil, err
	}
	in := integrations[*state.IntegrationID]
	client, err := panelClient(in, cfg.HTTPClient, cfg.Timeout)
	if err != nil {
		return check, &PanelSettingsError{Integration: in.Name, Err: err}
	}

	order := store.Order{
		ID: state.ID, IntegrationID: in.ID, Referans: state.Referans,
		ExternalStatus: state.ExternalStatus, Attempts: state.Attempts, HeldPIN: state.HeldPIN(),
	}
	// A claim of its own, as each run's is: two checks of one order, the
	// first stopped (Ctrl-Z) past its lease while the second asked, would
	// otherwise each take the other's claim for theirs, the older answer
	// saved over the newer and the newer dropped, or the claim handed back
	// while the second's request is out.
	host, _ := os.Hostname()
	runID := CheckClaimPrefix + claimerID(host)
	lease := CheckLease(cfg.Timeout)
	if cfg.DryRun && state.ClaimedBy != nil {
		// A dry run claims nothing, so it must not ask while a run does.
		check.NotPollable = claimedElsewhere(state)
		return check, nil
	}
	if !cfg.DryRun {
		order, err = st.ClaimOrder(ctx, runID, orderID, lease)
		if errors.Is(err, store.ErrClaimedElsewhere) {
			// The claim took no row: another run holds the order, or since
			// the lookup staff decided it, or it went to a panel zwatch
			// does not ask. The order as it is now says which.
			now, err := st.LookupOrder(ctx, orderID)
			if err == nil && whyNotPollable(now) != "" || errors.Is(err, store.ErrOrderNotFound) {
				if lookups > 1 {
					// Shown as it is now, as a check started now shows it.
					return checkOrder(ctx, st, cfg, orderID, lookups-1)
				}
			}
			switch {
			case err == nil:
				check = newOrderCheck(now, cfg.DryRun)
				check.NotPollable = cmp.Or(whyNotPollable(now), claimedElsewhere(now))
			case errors.Is(err, store.ErrOrderNotFound):
				check.NotPollable = fmt.Sprintf("order %s does not exist", orderID)
			default:
				check.NotPollable = claimedElsewhere(state)
			}
			return check, nil
		}
		if store.CommitUnconfirmed(err) {
			// The claim may hold: the next check would be turned away as
			// if another run were asking, with no word of when that ends.
			return nil, fmt.Errorf("%w; if the claim was taken, %s", err, claimLapses(lease))
		}
		if err != nil {
			return nil, err
		}
		if order.IntegrationID != in.ID || order.Referans != state.Referans {
			// The shop moved the order between the lookup and the claim.
			// Asked with the client made for the panel it was on, one
			// panel's answer about this referans (another customer's PIN,
			// or a cancellation) would be saved on an order of another.
			// Handed back even if the operator pressed Ctrl-C meanwhile:
			// stopped, the check says nothing was recorded, and a claim
			// left held would turn the next check away for its lease.
			releaseCtx, cancelRelease := context.WithTimeout(context.WithoutCancel(ctx), dbGrace)
			err := st.Release(releaseCtx, runID, []string{orderID})
			cancelRelease()
			if err != nil {
				return nil, fmt.Errorf("order %s moved to another panel or referans while zwatch claimed it; "+
					"handing the claim back failed, and %s: %w", store.OrderCalled(state.ID, state.OrderNo), claimLapses(lease), err)
			}
			if lookups > 1 {
				return checkOrder(ctx, st, cfg, orderID, lookups-1)
			}
			check.NotPollable = fmt.Sprintf("order %s moved to another panel or referans twice while zwatch claimed it; "+
				"nothing was asked; try again", store.OrderCalled(state.ID, state.OrderNo))
			return check, nil
		}
	}

	reqCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if cfg.Asking != nil && znet.ReferansUsable(order.Referans) == nil {
		cfg.Asking()
	}
	start := time.Now()
	status, askErr := client.CheckPin(reqCtx, order.Referans)
	a := heard(order, status, askErr, start)
	check.Took = a.took
	check.Answer, check.Err = status, a.err
	// Stopped by the operator: znet could not be asked, which is no fault
	// of the database's. Nothing is recorded, as a run stopped mid-request
	// records nothing of it.
	check.Stopped = askErr != nil && ctx.Err() != nil

	// One order asked by hand follows the fixed schedule: what the runs
	// learned is theirs to use, and the next run takes over from here.
	outcome := a.outcome(NewFixedScheduler(cfg.Schedule, cfg.GiveUpAfter))
	if state.HeldForItsPIN && outcome.Result != store.ResultCancelled {
		// Held for a person because another order has, or was given, its
		// PIN: saved by an operator looking, the PIN would reach a second
		// customer with no one deciding it (a PIN the other order was given
		// by the shop's staff, or before migration 00033, is in no bucket).
		// retry --stuck, once staff took the PIN off the other, is that
		// decision.
		// Nor is a "waiting" or an error saved, which would write over
		// what the hold rests on (last_result), and the next check would
		// save the PIN (helper-329). A cancellation ends the question.
		check.NotSaved = "the order is held for a person, znet having given its PIN to another order too (the order's note says more), " +
			"so znet's answer was not saved; once znet says the PIN is this order's, take it off the other order, and `zwatch retry --stuck` puts this one back to be saved"
		check.To, check.GaveUp = state.ExternalStatus, true
		if cfg.DryRun {
			return check, nil
		}
		dbCtx, cancelDB := context.WithTimeout(context.WithoutCancel(ctx), dbGrace)
		defer cancelDB()
		if err := st.Release(dbCtx, runID, []string{orderID}); err != nil {
			return check, fmt.Errorf("handing the claim on the order back failed, and %s: %w", claimLapses(lease), err)
		}
		return check, nil
	}
	outcome.PINBucket = keptBucket(outcome)
	if cfg.DryRun {
		check.To = externalStatusFor(outcome.Result, state.ExternalStatus)
		check.PINTooLong, check.CodesTooMany = st.WouldHold(ctx, outcome)
		held := check.PINTooLong || check.CodesTooMany
		if held {
			check.To = state.ExternalStatus
		}
		if outcome.Result == store.ResultDone && state.PIN != nil {
			check.PINKept = store.KeepsOwnPIN(*state.PIN, outcome.PIN) && !held
		}
		if outcome.Result == store.ResultCancelled && state.PIN != nil {
			check.PINKept = store.TrimPIN(*state.PIN) != ""
		}
		if outcome.Result == store.ResultDone && !held {
			// An order that cannot be read is taken to share no referans,
			// the prediction of a dry run only.
			shared, _ := st.SharedReferans(ctx, []store.Outcome{outcome})
			if other, ok := shared[orderID]; ok {
				check.To, check.SharedWith, check.PINKept = state.ExternalStatus, other, false
			}
		}
		if outcome.Result == store.ResultDone && !held && check.SharedWith == "" && outcome.PINBucket != nil {
			// Read as the shared referans is: unread, none is foreseen.
			given, _ := st.PINGivenBefore(ctx, []store.Outcome{outcome})
			if other, ok := given[orderID]; ok {
				check.To = state.ExternalStatus
				check.Taken = store.Taken{SameAs: other.ID, SameAsCalled: store.OrderCalled(other.ID, other.OrderNo), Before: true}
			}
		}
		if outcome.Result == store.ResultDone && !held && check.SharedWith == "" && outcome.PIN != "" && (state.PIN == nil || store.TrimPIN(*state.PIN) == "") {
			if taken, ok := st.PINIndex(ctx); ok && st.PINElsewhere(ctx, store.TrimPIN(outcome.PIN), orderID) {
				check.To, check.Taken = state.ExternalStatus, taken
			}
		}
		// As a real check would leave it: given up on already, or first
		// asked longer ago than its give-up time (a reopened order keeps
		// its clock), it is given up on but for a final answer it can
		// save; a PIN or codes that do not fit, a completion another
		// order's referans shares, or one whose PIN another order holds,
		// is given up on (held for a person) whatever it was.
		taken := check.Taken.Held()
		saved := outcome.Result == store.ResultCancelled || outcome.Result == store.ResultDone && !held && check.SharedWith == "" && !taken
		pastGiveUp := state.FirstCheckedAgo != nil && *state.FirstCheckedAgo >= cfg.GiveUpAfter.Seconds()
		check.GaveUp = (state.GivenUpAt != nil || pastGiveUp) && !saved || held || check.SharedWith != "" || taken
		check.WouldSavePIN = saved && outcome.Result == store.ResultDone && outcome.PIN != "" && !check.PINKept
		return check, nil
	}
	// The answer is saved even if the operator pressed Ctrl-C meanwhile.
	dbCtx, cancelDB := context.WithTimeout(context.WithoutCancel(ctx), dbGrace)
	defer cancelDB()
	if check.Stopped {
		if err := st.Release(dbCtx, runID, []string{orderID}); err != nil {
			// The signal's words are lost once this error stands in its
			// place: said here, with what becomes of the claim.
			return check, fmt.Errorf("stopped by a signal before znet answered, so nothing was recorded; handing the claim on the order back failed, "+
				"and %s: %w", claimLapses(lease), err)
		}
		return check, nil
	}
	params := store.ApplyParams{RunID: runID, GiveUpAfter: cfg.GiveUpAfter, GiveUpNote: giveUpNote(cfg.GiveUpAfter)}
	applied, err := st.Apply(dbCtx, params, []store.Outcome{outcome})
	if index, refused := store.IndexRefused(err); refused && outcome.Result == store.ResultDone && outcome.PIN != "" {
		if taken, ok := st.TakenBy(dbCtx, index); ok {
			// Held for a person, as a run holds it (applyAlone).
			outcome.Taken = taken
			applied, err = st.Apply(dbCtx, params, []store.Outcome{outcome})
		}
	}
	if err != nil {
		// What znet said, maybe a PIN, is still the operator's to see. The
		// claim is handed back, as for a held row, so that the next run asks
		// again rather than take the order for another run's; where the
		// database cannot take that either, the claim lapses by itself.
		notSaved, then := "the database did not take znet's answer, so it was not saved", ""
		if store.CommitUnconfirmed(err) {
			// The commit may have been made and its answer lost with the
			// connection: the database may have the answer saved.
			notSaved = "the connection to the database broke as znet's answer was committed, so whether it was saved cannot be told " +
				"(zwatch list --order shows what the database has)"
			then = "if it was not, "
		}
		check.NotSaved = notSaved + "; " + then + "the next run asks again"
		masked := hideSavePINs(dbCtx, st, err, []store.Outcome{outcome})
		var releaseErr error
		if store.CommitUnconfirmed(err) {
			releaseErr = st.Release(dbCtx, runID, []string{orderID})
		} else {
			// As a run hands back an answer it could not save, and in its
			// words (the cause, without the store's count of the answers
			// saved together): znet was asked, and list is to say why
			// nothing changed. A row of zwatch's that another transaction
			// holds keeps the claim, which then lapses.
			why := unsavedCause(&pendingAnswer{outcome: outcome, lastErr: masked}, map[string]string{}, MaskPIN)
			held, err := st.ReleaseUnsaved(dbCtx, runID, []string{orderID}, []string{notSavedNote(why)})
			releaseErr = err
			if err == nil && len(held) > 0 {
				releaseErr = errors.New("zwatch's row of the order was held")
			}
		}
		if releaseErr != nil {
			check.NotSaved = notSaved + "; " + then + "a run asks again once this check's claim on the order lapses, within " + lease.String()
		}
		return check, masked
	}
	if len(applied) == 1 && applied[0].Busy {
		// What znet said is still the operator's to see. The claim is
		// handed back, as a run hands back an answer the shop's row held,
		// so that the next run, or the operator trying again, need not
		// wait for it to lapse, and knows what znet said.
		check.NotSaved = "a transaction of the shop's holds the order's row, so znet's answer was not saved; try again in a moment"
		heldLong, held, err := st.ReleaseShopHeld(dbCtx, runID, []string{orderID}, []string{outcome.LastResult()}, ShopHeldAlarm, MaxCheckWait)
		if len(heldLong) > 0 {
			check.NotSaved = shopHeldFor(heldLong[0]) + ", so znet's answer was not saved: " + shopHeldCause
		}
		if err == nil {
			err = store.RowsHeldError(held)
		}
		return check, err
	}
	if len(applied) == 1 && applied[0].Unwritten {
		// Booked and handed back by the statement itself.
		check.NotSaved = "the shop's database did not write znet's answer: a BEFORE UPDATE trigger of the shop's skipped zwatch's update " +
			"or left the row as it was; the next run asks again"
		return check, nil
	}
	if len(applied) == 1 {
		ap := applied[0]
		check.To, check.Written, check.PINSaved = ap.ToStatus, ap.Written, ap.PINSaved
		check.Overtaken, check.GaveUp, check.PINTooLong, check.PINKept = ap.Overtaken, ap.GaveUp, ap.PINTooLong, ap.PINKept
		check.CodesTooMany, check.PINNotStored = ap.CodesTooMany, ap.PINNotStored
		// An order zwatch had given up on stays stuck but for a final
		// answer: only retry --stuck puts it back to be asked.
		check.GaveUp = check.GaveUp || ap.Stuck
		check.SharedWith = ap.SharedWith
		if ap.PINTaken {
			check.Taken = ap.Taken
		}
	}
	return check, nil
}

// newOrderCheck is a check of the order as state found it, before anything
// is asked.
func newOrderCheck(state store.OrderState, dryRun bool) *OrderCheck {
	check := &OrderCheck{State: state, From: state.ExternalStatus, To: state.ExternalStatus, DryRun: dryRun}
	if state.IntegrationName != nil {
		check.Integration = *state.IntegrationName
	}
	return check
}

// CheckLease is how long CheckOrder claims an order for, asking with
// timeout: the claim outlasts the request by a minute for the answer's
// save. No heartbeat renews it, and a check that dies leaves it to lapse.
func CheckLease(timeout time.Duration) time.Duration { return timeout + time.Minute }

// claimedElsewhere says that another run or check holds the order, and,
// where the lookup saw its claim, by when it lapses at the latest: a check
// killed mid-request holds the order for its --timeout and a minute.
func claimedElsewhere(state store.OrderState) string {
	if state.ClaimedBy == nil || state.ClaimLapsesIn == nil {
		return store.ErrClaimedElsewhere.Error()
	}
	lapses := time.Duration(math.Ceil(*state.ClaimLapsesIn)) * time.Second
	return fmt.Sprintf("another zwatch run or check is asking znet about this order right now (%s); "+
		"try again once it is done: its claim lapses within %s at the latest, even if it died", *state.ClaimedBy, lapses)
}

// whyNotPollable is the one line an operator reads when zwatch will not ask
// about an order; empty when it will. Whether it will is the store's
// decision (store.NotPollable), made by the same SQL a claim uses; this only
// words it.
func whyNotPollable(s store.OrderState) string {
	name := store.OrderCalled(s.ID, s.OrderNo)
	switch s.NotPollable {
	case "":
		return ""
	case store.NotPollableGone:
		return fmt.Sprintf("order %s does not exist", name)
	case store.NotPollableFinal:
		return fmt.Sprintf("order %s is already final (externalStatus %s); nothing to ask", name, s.ExternalStatus)
	case store.NotPollableStaff:
		return fmt.Sprintf("order %s is handled by staff (shop status %s); zwatch leaves it alone", name, s.Status)
	case store.NotPollableNotSent:
		if s.ExternalStatus == "not_sent" {
			return fmt.Sprintf("order %s has not been sent to a provider yet (externalStatus not_sent)", name)
		}
		return fmt.Sprintf("order %s has externalStatus %s, which zwatch does not poll", name, s.ExternalStatus)
	case store.NotPollableNoIntegration, store.NotPollableNotZnet:
		return NotZnet(s)
	case store.NotPollableDisabled:
		return fmt.Sprintf("order %s belongs to znet integration %s, which is disabled", name, deref(s.IntegrationName))
	case store.NotPollableNoReferans:
		return fmt.Sprintf("order %s has no referans (provider_referans and externalOrderId are empty)", name)
	}
	return fmt.Sprintf("order %s is not zwatch's to ask about (%s)", name, s.NotPollable)
}

// NotZnet says why an order is not a znet order (its providerId names no
// integration, or another provider's); empty when it is one. list words an
// order it can never hold with it, as check does.
func NotZnet(s store.OrderState) string {
	name := store.OrderCalled(s.ID, s.OrderNo)
	switch {
	case s.IntegrationProvider == nil && strings.TrimSpace(s.ProviderID) == "":
		return fmt.Sprintf("order %s is not a znet order: its providerId is empty", name)
	case s.IntegrationProvider == nil:
		return fmt.Sprintf("order %s is not a znet order: its providerId %q names no integration", name, s.ProviderID)
	case *s.IntegrationProvider != store.Provider:
		return fmt.Sprintf("order %s is not a znet order: its integration's provider is %q", name, *s.IntegrationProvider)
	}
	return ""
}

// claimLapses says when a check's claim it could not hand back ends.
func claimLapses(lease time.Duration) string {
	return "it lapses by itself within " + lease.String()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// PanelSettingsError is an integration whose settings make no znet client
// (no password, a base URL that is none): znet could not be asked, and
// nothing was claimed or written. A person fixes the integration's row.
type PanelSettingsError struct {
	Integration string
	Err         error
}

func (e *PanelSettingsError) Error() string {
	return fmt.Sprintf("integration %s: %v", e.Integration, e.Err)
}

func (e *PanelSettingsError) Unwrap() error { return e.Err }
