package watch

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// PanelState is what asking a dealer panel for its balance tells about it.
type PanelState string

const (
	PanelOK            PanelState = "ok"
	PanelUnauthorized  PanelState = "unauthorized"   // empty body: credentials, whitelisted IP or API access
	PanelUnreachable   PanelState = "unreachable"    // no connection: DNS, refused, TLS
	PanelWrongBaseURL  PanelState = "wrong_base_url" // an HTML page, a 4xx, a redirect
	PanelMisconfigured PanelState = "misconfigured"  // settings no request can be built from
	PanelError         PanelState = "error"          // timeout, server error, an unreadable answer
	PanelDisabled      PanelState = "disabled"       // switched off, not asked
)

// BalanceCheck is one integration's answer to "what is your balance?".
type BalanceCheck struct {
	Integration store.Integration
	State       PanelState
	Balance     string // in TRY as znet wrote it, e.g. "12755.23"; with PanelOK
	Err         error  // why the state is not ok; never holds the password
	Took        time.Duration
}

// Failing says the panel was asked and is not usable.
func (c BalanceCheck) Failing() bool {
	return c.State != PanelOK && c.State != PanelDisabled
}

// BalanceConfig bounds how the panels are asked.
type BalanceConfig struct {
	Timeout     time.Duration // one request
	Concurrency int           // panels asked at once
	AskDisabled bool          // ask disabled integrations too
	HTTPClient  *http.Client  // nil: the znet client's own
}

// CheckBalances asks every integration's panel for its balance, at most
// Concurrency at once, and returns the checks in the integrations' order.
// Balance is the cheapest znet call and has no side effects, which makes it
// the health check of a panel and of the credentials zwatch holds for it.
func CheckBalances(ctx context.Context, integrations []store.Integration, cfg BalanceConfig) []BalanceCheck {
	checks := make([]BalanceCheck, len(integrations))
	var g errgroup.Group
	g.SetLimit(max(cfg.Concurrency, 1))
	for i, in := range integrations {
		if !in.Enabled && !cfg.AskDisabled {
			checks[i] = BalanceCheck{Integration: in, State: PanelDisabled}
			continue
		}
		g.Go(func() error {
			checks[i] = checkBalance(ctx, in, cfg)
			return nil
		})
	}
	_ = g.Wait() // every check reports in its own BalanceCheck
	return checks
}

func checkBalance(ctx context.Context, in store.Integration, cfg BalanceConfig) BalanceCheck {
	check := BalanceCheck{Integration: in}
	client, err := panelClient(in, cfg.HTTPClient, cfg.Timeout)
	if err != nil {
		check.State, check.Err = PanelMisconfigured, err
		return check
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	start := time.Now()
	check.Balance, check.Err = client.Balance(ctx)
	check.Took = time.Since(start)
	check.State = panelState(check.Err)
	return check
}

func panelState(err error) PanelState {
	if err == nil {
		return PanelOK
	}
	kind, _ := znet.KindOf(err)
	switch kind {
	case znet.KindUnauthorized:
		return PanelUnauthorized
	case znet.KindUnreachable:
		return PanelUnreachable
	case znet.KindWrongBaseURL:
		return PanelWrongBaseURL
	}
	return PanelError
}
