package watch_test

import (
	"context"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// zwatch_panel_budgets is UNLOGGED: crash recovery (pg_ctl restart -m
// immediate, a power loss, an OOM kill of a backend) empties it, which is
// a fresh budget. The run going on meanwhile still held send times it had
// reserved before the crash, up to a second ahead, and its next
// reservation on the empty row started at the database's now again: the
// run sent on both, and the panel heard up to twice --rate in a second
// (9 at --rate 5; 6 and 8 with a real pg_ctl restart -m immediate).
// Emptying the table plays the crash's part without stopping the server.
func TestABudgetResetByACrashKeepsThePanelsRate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n, rate = 40, 5
	e.znet.SetDefault(znettest.DoneEach("RESET-PIN", "tamam"))
	e.znet.SetLatency(50 * time.Millisecond)
	e.orders(n, 42000)
	e.db.MakeAllDue()
	cfg := e.config()
	cfg.Rate, cfg.Concurrency, cfg.PerIntegration = rate, 4, 4
	cfg.Loop, cfg.MaxDuration, cfg.Tick = 12*time.Second, 12*time.Second, 500*time.Millisecond
	sent := recordSends(&cfg)
	go func() {
		for range 3 {
			time.Sleep(2500 * time.Millisecond)
			e.db.Exec(`DELETE FROM zwatch_panel_budgets`) // what crash recovery leaves of an UNLOGGED table
		}
	}()
	if _, err := watch.Run(context.Background(), e.db.Store, cfg); err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := sent.maxPerSecond(); got > rate {
		t.Errorf("one run sent the panel %d requests in one second, --rate %d", got, rate)
	}
}
