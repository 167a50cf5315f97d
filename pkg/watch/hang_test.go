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
		return znettest.DoneEach("HUNG-PIN-1234", "tamam")
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

// A run given up as hung prints no summary: what it had found for a person
// before (a PIN that does not fit, left for hand delivery; an order that
// holds a PIN znet cancelled) is said at Warn then, which -q shows. The
// log said it at Info only, the summary being the place it is said once,
// and a hang lost it: the transition is written, and no later run says it.
func TestARunGivenUpAsHungSaysWhatItFoundForAPerson(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.order("17100")
	e.order("17101")
	proxy := e.db.Proxy()
	st, err := store.Open(context.Background(), proxy.URL)
	if err != nil {
		t.Fatalf("opening the database through the relay: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e.znet.SetResponder(func(ref string, _ int) znettest.Answer {
		if ref == "17100" {
			return znettest.Done(strings.Repeat("L", 600), "tamam")
		}
		// The other order's answer comes once the first one's is saved,
		// and the database falls silent with it.
		time.Sleep(1500 * time.Millisecond)
		proxy.Hang()
		return znettest.Waiting("bekliyor")
	})
	cfg := e.config()
	cfg.Loop, cfg.MaxDuration, cfg.Timeout = 0, 2*time.Second, 2*time.Second
	cfg.Concurrency, cfg.PerIntegration = 2, 2

	if _, err := watch.Run(context.Background(), st, cfg); err == nil || !strings.Contains(err.Error(), "database statement hangs") {
		t.Fatalf("the run ended with %v, want it given up as hung", err)
	}
	var said bool
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(line, `"level":"WARN"`) && strings.Contains(line, "before the run was given up: znet's PIN does not fit") {
			said = true
		}
	}
	if !said {
		t.Errorf("the hung run did not say at Warn that a PIN did not fit:\n%s", e.logs.String())
	}
	assertNoSecrets(t, "the run's log", e.logs.String(), strings.Repeat("L", 600))
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
	sends := recordSends(&cfg)

	sum := e.run(cfg)

	// A request the transport sent again after the hang-up would show in
	// the panel's count, not in the run's: the rate is counted where the
	// run sends, since a busy host may bring two requests a second apart
	// to the panel a moment less than a second apart.
	total := e.znet.TotalRequests()
	if got := sends.maxPerSecond(); got > 1 {
		t.Errorf("the run sent %d requests within one second, --rate is 1", got)
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
		return znettest.DoneEach("HUNG-PIN-5678", "tamam")
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
