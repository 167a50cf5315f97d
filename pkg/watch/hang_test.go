package watch_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A run whose database connections hang, held open and silent by a pooler
// or the network, outlives every deadline it set: the driver cannot cut a
// statement short on such a connection. The run is given up with an error
// that says so, the process can exit and the next run start afresh, and the
// orders it held are asked again once their claims lapse.
func TestARunWhoseDatabaseHangsIsGivenUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.orders(3, 17000)
	proxy := e.db.Proxy()
	st, err := store.Open(context.Background(), proxy.URL)
	if err != nil {
		t.Fatalf("opening the database through the relay: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	// The relay hangs as znet is asked: the run's saves, releases and
	// heartbeats all meet a silent connection.
	e.znet.SetResponder(func(string, int) znettest.Answer {
		proxy.Hang()
		return znettest.Done("HUNG-PIN-1234", "tamam")
	})
	cfg := e.config()
	cfg.Loop, cfg.MaxDuration, cfg.Timeout = 0, 2*time.Second, time.Second

	ended := make(chan error, 1)
	go func() {
		_, err := watch.Run(context.Background(), st, cfg)
		ended <- err
	}()
	select {
	case err := <-ended:
		if err == nil || !strings.Contains(err.Error(), "database statement hangs") {
			t.Errorf("the hung run ended with %v, want an error saying a database statement hangs", err)
		} else {
			assertNoSecrets(t, "the hung run's error", err.Error(), "HUNG-PIN-1234")
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("the run has not returned 3 minutes after its database hung")
	}
	assertNoSecrets(t, "the run's log", e.logs.String(), "HUNG-PIN-1234")

	e.db.ExpireClaims()
	e.db.MakeAllDue()
	if sum := e.run(e.config()); sum.Total.Completed != len(ids) {
		t.Errorf("the next run completed %d orders, want all %d: %+v", sum.Total.Completed, len(ids), sum.Total)
	}
}

// A panel that reads a request on a kept-alive connection and hangs up
// hears it once: the run's count of requests is the panel's, and the
// panel's rate holds in every second.
func TestAPanelHangingUpHearsEachRequestOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.order(referans(7000)) // answered normally: leaves a connection to reuse
	e.znet.Script(referans(7000), znettest.Waiting(""))
	for i := 1; i < 5; i++ {
		// The first request is read and hung up on; a second would be answered.
		e.znet.Script(referans(7000+i), znettest.HangUp(), znettest.Waiting(""))
		e.order(referans(7000 + i))
	}
	cfg := e.config()
	cfg.Rate = 1
	cfg.PerIntegration = 1
	cfg.MaxDuration = 20 * time.Second

	sum := e.run(cfg)

	total := e.znet.TotalRequests()
	if got := e.znet.MaxRequestsPerSecond(); got > 1 {
		t.Errorf("the panel saw %d requests within one second, --rate is 1", got)
	}
	if total != sum.Total.Asked {
		t.Errorf("zwatch asked %d times, the panel received %d requests", sum.Total.Asked, total)
	}
}

// Told to stop while its database hangs, a run is given up dbGrace and
// hangGrace after the signal, not after max-duration: a service manager
// waits a minute or so, then kills the process, which records nothing.
func TestARunToldToStopWhileItsDatabaseHangsIsGivenUpSoon(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.orders(3, 17100)
	proxy := e.db.Proxy()
	st, err := store.Open(context.Background(), proxy.URL)
	if err != nil {
		t.Fatalf("opening the database through the relay: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	e.znet.SetResponder(func(string, int) znettest.Answer {
		proxy.Hang()
		stop() // SIGTERM, as the answer comes
		return znettest.Done("HUNG-PIN-5678", "tamam")
	})
	cfg := e.config()
	cfg.Loop, cfg.MaxDuration, cfg.Timeout = 0, 10*time.Minute, time.Second

	ended := make(chan error, 1)
	go func() {
		_, err := watch.Run(ctx, st, cfg)
		ended <- err
	}()
	select {
	case err := <-ended:
		if err == nil || !strings.Contains(err.Error(), "after it was told to stop: a database statement hangs") {
			t.Errorf("the hung run ended with %v, want an error saying a database statement hangs since the signal", err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("the run has not returned 3 minutes after it was told to stop, its database hung")
	}
}
