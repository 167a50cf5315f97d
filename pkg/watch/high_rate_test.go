package watch_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// Past --rate 125 a quarter of the spacing is under 2 ms, and a worker
// woken late may still use its send time up to MinSendLateness: the
// panel's rate must hold all the same, in every second, at a rate this
// host's 64 workers can fill (some 180 requests a second of 200), where a
// pace that let them through unspaced would send hundreds. How many a
// second higher rates get is BenchmarkPaceAtHighRates's to measure.
func TestAHighRateUsingSendTimesLateHoldsInEverySecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.znet.SetDefault(znettest.Waiting(""))
	e.db.AddSentOrders(storetest.SentOrders{IntegrationID: e.integ, Count: 2000, FirstReferans: 100000, SentAgo: time.Minute, Registered: true})
	cfg := e.config()
	cfg.Rate = 200
	cfg.Loop, cfg.MaxDuration = 2*time.Minute, 2*time.Minute
	cfg.Concurrency, cfg.PerIntegration, cfg.Batch = 64, 64, 1000
	sent := recordSends(&cfg)

	// Two seconds' worth at the rate, however long the host takes for them.
	sum := e.runUntil(cfg, func() bool { return e.znet.TotalRequests() >= 400 })

	if sum.Total.Asked == 0 {
		t.Fatalf("nothing asked: %+v", sum.Total)
	}
	if got := sent.maxPerSecond(); got > 200 {
		t.Errorf("%d requests were sent to the panel within one second, --rate is 200", got)
	}
}

// BenchmarkPaceAtHighRates measures how many requests a second a run of
// 64 workers gets of one panel at the highest rates, against the fake
// panel on this host (requests/s beside each rate; the budget's spacing
// allows 90 % of it).
func BenchmarkPaceAtHighRates(b *testing.B) {
	for _, rate := range []float64{100, 400, 1000} {
		b.Run(fmt.Sprintf("rate=%g", rate), func(b *testing.B) {
			e := newEnv(b)
			e.znet.SetDefault(znettest.Waiting(""))
			cfg := e.config()
			cfg.Logger = slog.New(slog.DiscardHandler)
			cfg.Rate = rate
			cfg.Loop, cfg.MaxDuration = 2*time.Second, 2*time.Second
			cfg.Concurrency, cfg.PerIntegration, cfg.Batch = 64, 64, 1000
			asked, took := 0, 0.0
			for i := range b.N {
				b.StopTimer()
				e.db.AddSentOrders(storetest.SentOrders{IntegrationID: e.integ, Count: 3000, FirstReferans: 100000 + 3000*i, SentAgo: time.Minute})
				b.StartTimer()
				sum := e.run(cfg)
				asked, took = asked+sum.Total.Asked, took+sum.Seconds
			}
			b.ReportMetric(float64(asked)/took, "requests/s")
		})
	}
}
