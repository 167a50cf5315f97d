package watch

import (
	"errors"
	"fmt"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// applyAnswers saves answers as they come, in batches: whatever arrives
// within applyLinger of the first answer (up to maxApplyBatch) goes into one
// statement. A quiet run so writes each answer within moments; a busy one
// writes dozens per round trip, which is what keeps the database's share of
// a run small.
func (r *run) applyAnswers() error {
	var fatal error
	for a := range r.answers {
		batch := []answer{a}
		linger := time.NewTimer(applyLinger)
	collect:
		for len(batch) < maxApplyBatch {
			select {
			case b, ok := <-r.answers:
				if !ok {
					break collect
				}
				batch = append(batch, b)
			case <-linger.C:
				break collect
			}
		}
		linger.Stop()
		if err := r.applyBatch(batch); err != nil && fatal == nil {
			fatal = err
		}
	}
	return fatal
}

// applyBatch applies one batch. Should the batch statement fail, each order
// is tried alone, so that one order the database refuses cannot keep the
// others' answers, and their PINs, from being saved. Only when no order at
// all can be saved is the failure the run's.
func (r *run) applyBatch(batch []answer) error {
	outcomes := make([]store.Outcome, len(batch))
	for i, a := range batch {
		outcomes[i] = a.outcome(r.sched)
	}
	if r.cfg.DryRun {
		r.predict(batch, outcomes)
		return nil
	}
	params := store.ApplyParams{RunID: r.id, GiveUpAfter: r.cfg.GiveUpAfter, GiveUpNote: giveUpNote(r.cfg.GiveUpAfter)}
	defer r.timeDB(time.Now())
	start := time.Now()
	applied, err := r.store.Apply(r.db, params, outcomes)
	r.log.Debug("saved answers", "orders", len(batch), "took", time.Since(start).Round(time.Microsecond))
	if err == nil {
		r.account(batch, outcomes, applied)
		return nil
	}
	r.log.Warn("saving a batch of answers failed; saving them one by one", "orders", len(batch), "err", err)
	var lastErr error
	saved := 0
	for i := range batch {
		one, err := r.store.Apply(r.db, params, outcomes[i:i+1])
		if err != nil {
			lastErr = err
			r.log.Error("could not save znet's answer; the order will be asked again once its claim lapses",
				"order", batch[i].order.ID, "err", err)
			r.account(batch[i:i+1], outcomes[i:i+1], nil)
			continue
		}
		saved++
		r.account(batch[i:i+1], outcomes[i:i+1], one)
	}
	if saved == 0 {
		return fmt.Errorf("saving znet's answers: %w", lastErr)
	}
	return nil
}

// account adds applied answers to the summary and logs one line per order.
// applied is nil when the answer could not be saved.
func (r *run) account(batch []answer, outcomes []store.Outcome, applied []store.Applied) {
	byID := make(map[string]store.Applied, len(applied))
	for _, ap := range applied {
		byID[ap.OrderID] = ap
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, a := range batch {
		in := r.tally.of(a.lane.integration.ID, a.lane.integration.Name)
		out := outcomes[i]
		ap, saved := byID[a.order.ID]
		result := string(out.Result)
		switch {
		case !saved:
			in.Asked++
			in.Errors++
			result = "not saved"
		case ap.Overtaken:
			in.Asked++
			in.Overtaken++
			result = "overtaken by the shop"
		default:
			in.count(out.Result)
		}
		if ap.GaveUp {
			in.Stuck++
			r.summary.StuckOrders = append(r.summary.StuckOrders, a.order.ID)
		}
		if ap.PINCut {
			r.log.Warn("znet's PIN was longer than the shop's pinCode column and was cut; compare it with the dealer panel",
				"order", a.order.ID, "integration", a.lane.integration.Name)
		}
		r.logAnswer(a, result)
		r.inFlight.Add(-1)
		r.applied++
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress(Progress{Claimed: r.claimed, Done: r.applied})
	}
}

// predict is account for a dry run: what the answers would change.
func (r *run) predict(batch []answer, outcomes []store.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, a := range batch {
		in := r.tally.of(a.lane.integration.ID, a.lane.integration.Name)
		out := outcomes[i]
		in.count(out.Result)
		to := externalStatusFor(out.Result, a.order.ExternalStatus)
		if to != a.order.ExternalStatus || out.PIN != "" {
			r.summary.Changes = append(r.summary.Changes, Change{
				OrderID: a.order.ID, From: a.order.ExternalStatus, To: to, PIN: out.PIN != "",
			})
		}
		r.logAnswer(a, string(out.Result))
		r.inFlight.Add(-1)
		r.applied++
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress(Progress{Claimed: r.claimed, Done: r.applied})
	}
}

// logAnswer is the debug line for one order. It names the order, the panel,
// the time znet took and the result; never the PIN, never the password.
func (r *run) logAnswer(a answer, result string) {
	attrs := []any{
		"order", a.order.ID,
		"integration", a.lane.integration.Name,
		"took", a.took.Round(time.Millisecond),
		"result", result,
	}
	if a.err != nil {
		attrs = append(attrs, "err", a.err.Error())
		var zerr *znet.Error
		if errors.As(a.err, &zerr) {
			attrs = append(attrs, "kind", zerr.Kind.String())
		}
	}
	r.log.Debug("asked znet", attrs...)
}
