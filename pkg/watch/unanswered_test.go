package watch_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel an earlier run left without an answer, faulted by one order's
// request (Config.UnansweredBefore), is failing when that same order fails
// again only if no order can have caused the fault: a host that drops the
// connection until the deadline, as one gone dark behind a firewall does,
// is the panel's; a server error after the request went out may be the
// order's alone.
func TestTheSameOrderFailingAgainTellsOnlyWhenNoOrderCanCauseIt(t *testing.T) {
	t.Parallel()
	// The request never leaves: every connection hangs until its deadline.
	dark := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}}
	for name, c := range map[string]struct {
		client      *http.Client
		serverError bool
		failing     bool
	}{
		"no connection":           {client: dark, failing: true},
		"server error once there": {serverError: true, failing: false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.order("16100")
			if c.serverError {
				e.znet.SetDown(znettest.ServerError(503))
			}
			cfg := e.config()
			cfg.HTTPClient, cfg.Timeout = c.client, watch.MinTimeout

			first := e.run(cfg)
			if in := first.Integrations; len(in) != 1 || in[0].Failing || in[0].FaultedOn != id {
				t.Fatalf("the first fault: %+v, want the panel not failing, faulted on order %s", in, id)
			}
			e.db.ExpireClaims()
			e.db.MakeDue(id)
			cfg.UnansweredBefore = map[string]string{e.integ: id}
			second := e.run(cfg)
			if in := second.Integrations; len(in) != 1 || in[0].Failing != c.failing {
				t.Errorf("the same order failing again: %+v, want failing %v", in, c.failing)
			}
		})
	}
}
