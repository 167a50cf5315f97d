package watch

import (
	"context"
	"errors"
	"fmt"
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
	PINSaved    bool
	Overtaken   bool // the shop changed the order while zwatch asked
	GaveUp      bool
	DryRun      bool
}

// CheckOrder asks znet about one order now, whatever its schedule, and
// applies the answer exactly as a run would. An order zwatch must not touch
// is explained in NotPollable, and nothing is asked or written.
func CheckOrder(ctx context.Context, st *store.Store, cfg Config, orderID string) (*OrderCheck, error) {
	state, err := st.LookupOrder(ctx, orderID)
	if errors.Is(err, store.ErrOrderNotFound) {
		return &OrderCheck{NotPollable: fmt.Sprintf("order %s does not exist", orderID)}, nil
	}
	if err != nil {
		return nil, err
	}
	check := &OrderCheck{State: state, From: state.ExternalStatus, To: state.ExternalStatus, DryRun: cfg.DryRun}
	if state.IntegrationName != nil {
		check.Integration = *state.IntegrationName
	}
	if check.NotPollable = whyNotPollable(state); check.NotPollable != "" {
		return check, nil
	}
	integrations, err := st.Integrations(ctx, []string{*state.IntegrationID})
	if err != nil {
		return nil, err
	}
	in := integrations[*state.IntegrationID]
	client, err := znet.NewClient(in.BaseURL, in.DealerCode, in.Password.Reveal(), cfg.HTTPClient)
	if err != nil {
		return nil, fmt.Errorf("integration %s: %w", in.Name, err)
	}

	order := store.Order{
		ID: state.ID, IntegrationID: in.ID, Referans: state.Referans,
		ExternalStatus: state.ExternalStatus, Attempts: state.Attempts,
	}
	runID := "check/" + orderID
	if cfg.DryRun && state.ClaimedBy != nil {
		// A dry run claims nothing, so it must not ask while a run does.
		check.NotPollable = store.ErrClaimedElsewhere.Error()
		return check, nil
	}
	if !cfg.DryRun {
		order, err = st.ClaimOrder(ctx, runID, orderID, cfg.Timeout+time.Minute)
		if errors.Is(err, store.ErrClaimedElsewhere) {
			check.NotPollable = err.Error()
			return check, nil
		}
		if err != nil {
			return nil, err
		}
	}

	reqCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	start := time.Now()
	status, askErr := client.CheckPin(reqCtx, order.Referans)
	check.Took = time.Since(start)
	check.Answer, check.Err = status, askErr

	a := answer{order: order, status: status, err: askErr, took: check.Took, askedAt: start}
	// One order asked by hand follows the fixed schedule: what the runs
	// learned is theirs to use, and the next run takes over from here.
	outcome := a.outcome(NewFixedScheduler(cfg.Schedule))
	if cfg.DryRun {
		check.To = externalStatusFor(outcome.Result, state.ExternalStatus)
		return check, nil
	}
	// The answer is saved even if the operator pressed Ctrl-C meanwhile.
	dbCtx, cancelDB := context.WithTimeout(context.WithoutCancel(ctx), dbGrace)
	defer cancelDB()
	if askErr != nil && ctx.Err() != nil {
		return check, errors.Join(askErr, st.Release(dbCtx, runID, []string{orderID}))
	}
	applied, err := st.Apply(dbCtx, store.ApplyParams{
		RunID: runID, GiveUpAfter: cfg.GiveUpAfter, GiveUpNote: giveUpNote(cfg.GiveUpAfter),
	}, []store.Outcome{outcome})
	if err != nil {
		return check, err
	}
	if len(applied) == 1 {
		ap := applied[0]
		check.To, check.Written, check.PINSaved = ap.ToStatus, ap.Written, ap.PINSaved
		check.Overtaken, check.GaveUp = ap.Overtaken, ap.GaveUp
	}
	return check, nil
}

// whyNotPollable is the one line an operator reads when zwatch will not ask
// about an order; empty when it will.
func whyNotPollable(s store.OrderState) string {
	switch {
	case s.ExternalStatus == "completed" || s.ExternalStatus == "failed":
		return fmt.Sprintf("order %s is already final (externalStatus %s); nothing to ask", s.ID, s.ExternalStatus)
	case s.Status != "pending":
		return fmt.Sprintf("order %s is handled by staff (shop status %s); zwatch leaves it alone", s.ID, s.Status)
	case s.ExternalStatus == "not_sent":
		return fmt.Sprintf("order %s has not been sent to a provider yet (externalStatus not_sent)", s.ID)
	case s.ExternalStatus != "sent" && s.ExternalStatus != "pending" && s.ExternalStatus != "processing":
		return fmt.Sprintf("order %s has externalStatus %s, which zwatch does not poll", s.ID, s.ExternalStatus)
	case s.IntegrationProvider == nil:
		return fmt.Sprintf("order %s is not a znet order: its providerId %q names no integration", s.ID, s.ProviderID)
	case *s.IntegrationProvider != "znet":
		return fmt.Sprintf("order %s is not a znet order: its integration is a %s one", s.ID, *s.IntegrationProvider)
	case s.IntegrationEnabled != nil && !*s.IntegrationEnabled:
		return fmt.Sprintf("order %s belongs to znet integration %s, which is disabled", s.ID, *s.IntegrationName)
	case s.Referans == "":
		return fmt.Sprintf("order %s has no referans (provider_referans and externalOrderId are empty)", s.ID)
	}
	return ""
}
