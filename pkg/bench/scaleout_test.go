//go:build bench

package bench

import (
	"strconv"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// scaleOutRow is several check-pending processes started together over one
// set of due orders, as cron on several hosts would start them.
type scaleOutRow struct {
	N, Instances, C, Batch int
	Latency                time.Duration

	Wall      time.Duration // first start to last exit
	Asked     []int         // per instance, from its summary
	MaxRSSKiB int64         // the largest of the instances
	Requests  int           // every request the panel saw
	Completed int           // orders the instances completed, together
	// Doubled counts orders that were asked about more than once, and
	// Concurrent those asked about by two instances at the same time.
	Doubled, Concurrent int
}

// Ideal is ceil(N / (instances·C)) rounds of Latency.
func (r scaleOutRow) Ideal() time.Duration {
	c := r.Instances * r.C
	return time.Duration((r.N+c-1)/c) * r.Latency
}

func (r scaleOutRow) Ratio() float64            { return r.Wall.Seconds() / r.Ideal().Seconds() }
func (r scaleOutRow) RequestsPerOrder() float64 { return float64(r.Requests) / float64(r.N) }

func benchScaleOut(t *testing.T, h *harness) {
	const (
		instances = 3
		c         = 64
		latency   = 50 * time.Millisecond
	)
	n := 10_000
	if h.quick {
		n = 2_000
	}
	// Each instance claims a third of the orders: with a batch of all of
	// them, the first to claim would take everything and the others would
	// find nothing to do, which proves nothing about running side by side.
	batch := (n + instances - 1) / instances

	db := storetest.New(t)
	fake := znettest.NewServer(dealerCode, password)
	defer fake.Close()
	integ := db.AddIntegration(storetest.Integration{Name: "znet-bench", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: n, FirstReferans: firstReferans, SentAgo: 10 * time.Minute})
	db.Analyze()
	fake.SetDefault(znettest.DoneEach("BENCH-PIN-0000-0001", "İşlem tamamlandı"))
	fake.SetLatency(latency)

	start := time.Now()
	invs := make([]*invocation, instances)
	for k := range invs {
		invs[k] = startZwatch(h.bin, db.URL, "check-pending", "-o", "json", "--log-level", "warn", "--loop", "0", "--rate", "0", "--max-duration", "10m",
			"--concurrency", strconv.Itoa(c), "--per-integration", strconv.Itoa(c), "--batch", strconv.Itoa(batch))
	}
	row := scaleOutRow{N: n, Instances: instances, C: c, Batch: batch, Latency: latency}
	completed := 0
	for _, inv := range invs {
		inv.wait()
		if inv.err != nil {
			t.Fatal(inv.err)
		}
		row.Asked = append(row.Asked, inv.summary.Total.Asked)
		row.MaxRSSKiB = max(row.MaxRSSKiB, inv.maxRSS)
		completed += inv.summary.Total.Completed
	}
	row.Wall = time.Since(start)
	row.Requests = fake.TotalRequests()
	for i := range n {
		ref := strconv.Itoa(firstReferans + i)
		if fake.Requests(ref) > 1 {
			row.Doubled++
		}
		if fake.MaxConcurrentFor(ref) > 1 {
			row.Concurrent++
		}
	}
	t.Logf("%d instances: wall %s, ideal %s, asked %v, %.2f requests/order",
		instances, row.Wall.Round(time.Millisecond), row.Ideal(), row.Asked, row.RequestsPerOrder())
	row.Completed = completed
	// Asking twice breaks zwatch's promise to the panel; leaving orders for
	// the next run is a figure, and the report says so.
	if row.Doubled > 0 || row.Concurrent > 0 {
		t.Errorf("%d orders asked more than once, %d by two instances at once", row.Doubled, row.Concurrent)
	}
	if completed != n {
		t.Logf("only %d of %d orders were asked and completed: the rest wait for the next run", completed, n)
	}
	h.report.scaleOut = &row
}
