package watch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A lone order of a paced panel (one worker waiting, so one send time a
// reservation), with the database a round trip of about 180 ms away (within
// a reservation's spacing at --rate 5, 222 ms, but more than twice the
// 20 ms a send time may be missed by). The first reservation starts at the
// database's now and lapses on the way back; the next one must be placed
// far enough ahead to be used. The pause after reservations that lapse
// whole (lapsedUntil, since 99761b8) paces the reservations exactly one
// spacing apart, so every one lapses by the same margin and the order is
// never asked, run after run, while the run moves the panel's shared clock
// on as fast as --rate: no request at all, and exit 0. Before that pause
// the reservations caught up within three.
func TestALoneOrderIsAskedWithTheDatabaseARoundTripAway(t *testing.T) {
	t.Parallel()
	// The proxy's delay each way, at a rate whose spacing the round trip
	// falls within (--rate 5: 222 ms; 20: 56 ms), and one whose spacing it
	// passes (--rate 200: 5.6 ms).
	for _, c := range []struct {
		rate  float64
		delay time.Duration
	}{{5, 90 * time.Millisecond}, {20, 25 * time.Millisecond}, {200, 10 * time.Millisecond}} {
		t.Run(fmt.Sprintf("rate %g, %s away", c.rate, 2*c.delay), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.znet.SetDefault(znettest.Waiting(""))
			e.orders(1, 52000)
			proxy := e.db.Proxy()
			st, err := store.Open(context.Background(), proxy.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			proxy.Delay(c.delay)
			cfg := e.config()
			cfg.Rate = c.rate
			cfg.MaxDuration = 10 * time.Second

			sum, err := watch.Run(context.Background(), st, cfg)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if sum.Total.Asked != 1 {
				t.Errorf("asked %d of 1 order in %s at --rate %g (skipped %d): want it asked", sum.Total.Asked, cfg.MaxDuration, c.rate, sum.Total.Skipped)
			}
		})
	}
}
