package watch_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel an earlier run left without an answer (Config.UnansweredBefore)
// is failing when one order's request fails in this run only if no order
// can have caused the fault, or it is of another order than the one named:
// a host that drops the connection until the deadline, as one gone dark
// behind a firewall does, is the panel's; a server error, or no answer
// after the request went out, may be the order's alone. A failing verdict
// names no order: the one that failed now may be the one that made it so.
func TestTheSameOrderFailingAgainTellsOnlyWhenNoOrderCanCauseIt(t *testing.T) {
	t.Parallel()
	// The request never leaves: every connection hangs until its deadline.
	dark := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}}
	const faulted, failing = "faulted", "failing"
	for name, c := range map[string]struct {
		client     *http.Client
		breakPanel func(*znettest.Server)
		before     string // what the earlier run found
		want       bool
	}{
		"no connection":                        {client: dark, before: faulted, want: true},
		"no connection, failing before":        {client: dark, before: failing, want: true},
		"server error":                         {breakPanel: func(z *znettest.Server) { z.SetDown(znettest.ServerError(503)) }, before: faulted},
		"no answer after it went out":          {breakPanel: func(z *znettest.Server) { z.SetLatency(time.Minute) }, before: faulted},
		"no answer after it went out, failing": {breakPanel: func(z *znettest.Server) { z.SetLatency(time.Minute) }, before: failing},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.order("16100")
			e.znet.SetDefault(znettest.Waiting(""))
			if c.breakPanel != nil {
				c.breakPanel(e.znet)
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
			if c.before == failing {
				cfg.UnansweredBefore[e.integ] = ""
			}
			second := e.run(cfg)
			if in := second.Integrations; len(in) != 1 || in[0].Failing != c.want {
				t.Errorf("the same order failing again after a run that found the panel %s: %+v, want failing %v", c.before, in, c.want)
			}
		})
	}
}
