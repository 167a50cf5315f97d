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
	var (
		fatal error
		busy  []answer         // their shop rows were locked: applied again shortly
		retry <-chan time.Time // set while busy answers wait
	)
	for {
		var batch []answer
		select {
		case a, ok := <-r.answers:
			if !ok {
				return errors.Join(fatal, r.settleBusy(busy))
			}
			batch = r.collect(a)
		case <-retry:
			batch, busy, retry = busy, nil, nil
		}
		stillBusy, err := r.applyBatch(batch)
		if err != nil && fatal == nil {
			fatal = err
		}
		busy = append(busy, stillBusy...)
		if len(busy) > 0 && retry == nil {
			retry = time.After(busyRetry)
		}
	}
}

// collect gathers what arrives within applyLinger of a, up to maxApplyBatch.
func (r *run) collect(a answer) []answer {
	batch := []answer{a}
	linger := time.NewTimer(applyLinger)
	defer linger.Stop()
	for len(batch) < maxApplyBatch {
		select {
		case b, ok := <-r.answers:
			if !ok {
				return batch
			}
			batch = append(batch, b)
		case <-linger.C:
			return batch
		}
	}
	return batch
}

// applyBatch applies one batch. Should the batch statement fail, each order
// is tried alone, so that one order the database refuses cannot keep the
// others' answers, and their PINs, from being saved. Only when no order at
// all can be saved is the failure the run's. The answers of orders whose
// shop row was locked come back busy, neither saved nor accounted for.
func (r *run) applyBatch(batch []answer) (busy []answer, err error) {
	outcomes := make([]store.Outcome, len(batch))
	for i, a := range batch {
		outcomes[i] = a.outcome(r.cfg.Schedule)
	}
	if r.cfg.DryRun {
		r.predict(batch, outcomes)
		return nil, nil
	}
	params := store.ApplyParams{RunID: r.id, GiveUpAfter: r.cfg.GiveUpAfter, GiveUpNote: giveUpNote(r.cfg.GiveUpAfter)}
	defer r.timeDB(time.Now())
	start := time.Now()
	applied, err := r.store.Apply(r.db, params, outcomes)
	r.log.Debug("saved answers", "orders", len(batch), "took", time.Since(start).Round(time.Microsecond))
	if err == nil {
		batch, outcomes, busy = setAsideBusy(batch, outcomes, applied)
		r.account(batch, outcomes, applied)
		return busy, nil
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
		if len(one) == 1 && one[0].Busy {
			busy = append(busy, batch[i])
			continue
		}
		r.account(batch[i:i+1], outcomes[i:i+1], one)
	}
	if saved == 0 {
		return busy, fmt.Errorf("saving znet's answers: %w", lastErr)
	}
	return busy, nil
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
		case ap.PINTooLong:
			in.Asked++
			in.Errors++
			result = "PIN too long for the shop"
		default:
			in.count(out.Result)
		}
		if ap.GaveUp {
			in.Stuck++
			r.summary.StuckOrders = append(r.summary.StuckOrders, a.order.ID)
		}
		if ap.PINTooLong {
			r.summary.PINTooLong = append(r.summary.PINTooLong, a.order.ID)
			r.log.Warn("znet's PIN is longer than the shop's pinCode column: not saved, not approved, order left for a person",
				"order", a.order.ID, "integration", a.lane.integration.Name)
		}
		r.logAnswer(a, result)
		r.inFlight.Add(-1)
		r.applied++
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.progress())
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
		r.cfg.Progress(r.progress())
	}
}

// progress is the run's count so far; the caller holds r.mu.
func (r *run) progress() Progress {
	p := Progress{Claimed: r.claimed, Done: r.applied}
	for _, in := range r.tally.byID {
		p.Completed += in.Completed
		p.Errors += in.Errors
	}
	return p
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
