//go:build bench

package bench

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

const (
	dealerCode = "bayi-bench"
	password   = "bench-Sifre!"
	// firstReferans is where the benchmarks' referans numbers start.
	firstReferans = 1_000_000
)

// throughputRow is one run of check-pending over N due orders.
type throughputRow struct {
	N, C    int
	Latency time.Duration // the fake panel's answer time

	Wall        time.Duration // the process, start-up included
	Engine      time.Duration // the run, as its summary says
	DBSeconds   float64       // the summary's db_seconds
	MaxRSSKiB   int64
	Requests    int // every request the panel saw
	Completed   int
	MaxInFlight int
}

// Ideal is what no implementation can beat: ceil(N/C) rounds of Latency.
func (r throughputRow) Ideal() time.Duration {
	return time.Duration((r.N+r.C-1)/r.C) * r.Latency
}

func (r throughputRow) Ratio() float64 { return r.Wall.Seconds() / r.Ideal().Seconds() }

// DBPerOrder is the database time of the run per order.
func (r throughputRow) DBPerOrder() time.Duration {
	return time.Duration(r.DBSeconds / float64(r.N) * float64(time.Second))
}

func (r throughputRow) RequestsPerOrder() float64 { return float64(r.Requests) / float64(r.N) }

func benchThroughput(t *testing.T, h *harness) {
	const latency = 50 * time.Millisecond
	cases := []struct{ n, c int }{{10_000, 64}, {10_000, 8}, {1_000, 64}}
	if h.quick {
		cases = []struct{ n, c int }{{2_000, 64}, {500, 8}}
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("N=%d,C=%d", tc.n, tc.c), func(t *testing.T) {
			row := runThroughput(t, h.bin, tc.n, tc.c, latency)
			t.Logf("wall %s, ideal %s, ratio %.2f, db %s/order, peak RSS %.1f MiB, %.2f requests/order",
				row.Wall.Round(time.Millisecond), row.Ideal(), row.Ratio(), row.DBPerOrder().Round(time.Microsecond),
				float64(row.MaxRSSKiB)/1024, row.RequestsPerOrder())
			h.report.throughput = append(h.report.throughput, row)
		})
	}
}

// runThroughput has one check-pending, the built binary, work through n due
// orders with c requests in flight against a panel that answers "done"
// after latency.
func runThroughput(t *testing.T, bin string, n, c int, latency time.Duration) throughputRow {
	db := storetest.New(t)
	fake := znettest.NewServer(dealerCode, password)
	defer fake.Close()
	integ := db.AddIntegration(storetest.Integration{Name: "znet-bench", BaseURL: fake.URL, Kod: dealerCode, Sifre: password})
	db.AddSentOrders(storetest.SentOrders{IntegrationID: integ, Count: n, FirstReferans: firstReferans, SentAgo: 10 * time.Minute})
	db.Analyze()
	fake.SetDefault(znettest.DoneEach("BENCH-PIN-0000-0001", "İşlem tamamlandı"))
	fake.SetLatency(latency)

	inv := startZwatch(bin, db.URL, "check-pending", "-o", "json", "--log-level", "warn", "--loop", "0", "--rate", "0", "--max-duration", "10m",
		"--concurrency", strconv.Itoa(c), "--per-integration", strconv.Itoa(c), "--batch", strconv.Itoa(n))
	inv.wait()
	if inv.err != nil {
		t.Fatal(inv.err)
	}
	row := throughputRow{
		N: n, C: c, Latency: latency,
		Wall:        inv.wall,
		Engine:      time.Duration(inv.summary.Seconds * float64(time.Second)),
		DBSeconds:   inv.summary.DBSeconds,
		MaxRSSKiB:   inv.maxRSS,
		Requests:    fake.TotalRequests(),
		Completed:   inv.summary.Total.Completed,
		MaxInFlight: fake.MaxInFlight(),
	}
	if row.Completed != n || row.Requests != n {
		t.Errorf("%d orders: %d completed with %d requests; every order should be asked once and completed",
			n, row.Completed, row.Requests)
	}
	return row
}
