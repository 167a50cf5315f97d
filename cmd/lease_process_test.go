package cmd_test

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A run killed with SIGKILL cannot release anything; its claims must lapse
// within a minute (the lease the database holds), and the next run, cron's
// next one or a looping one already running, asks every order it held
// again once they have, with check-pending's defaults and with the
// recommended cron line.
func TestKilledRunsOrdersAreAskedAgainOnceItsClaimsLapse(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"default flags":         {"check-pending"},
		"recommended cron line": strings.Fields("check-pending -q --loop 58s --tick 1s --first-delay 15s --rate 5 --max-duration 58s"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			var refs []string
			for i := range 12 {
				ref := strconv.Itoa(52000 + i)
				refs = append(refs, ref)
				s.order(ref)
			}
			s.znet.SetDefault(znettest.Waiting("").After(time.Hour)) // every request hangs

			c, _ := startZwatch(t, s, args...)
			waitFor(t, "requests in flight", func() bool { return s.znet.TotalRequests() >= 2 })
			if err := c.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = c.Wait()
			killed := time.Now()
			if claimed := s.db.Bookkeeping().Claimed; claimed != len(refs) {
				t.Fatalf("%d orders claimed by the killed run, want all %d", claimed, len(refs))
			}
			lapse := s.db.ClaimsLapseAt()
			if lapse.Sub(killed) > time.Minute {
				t.Errorf("the killed run's claims hold until %s after the kill, want under a minute", lapse.Sub(killed).Round(time.Second))
			}

			s.znet.SetDefault(znettest.DoneEach("AGAIN-PIN", "ok"))
			s.znet.Reset()
			askedAll := func() bool {
				for _, ref := range refs {
					if s.znet.Requests(ref) == 0 {
						return false
					}
				}
				return true
			}
			// Not a bound on speed: a generous wait for a loop whose tick is
			// a second, past the moment the database lets the claims go.
			deadline := lapse.Add(2 * time.Minute)
			if name == "default flags" {
				// Cron's next run, once the claims have lapsed.
				time.Sleep(time.Until(lapse) + time.Second)
				if r := zwatch(t, s.db, args...); r.code != 0 {
					t.Fatalf("the next run: exit %d\n%s", r.code, r.all())
				}
			} else {
				// The next minute's run loops, and takes the orders as soon as
				// their claims lapse.
				next, out := startZwatch(t, s, args...)
				for !askedAll() && time.Now().Before(deadline) {
					time.Sleep(200 * time.Millisecond)
				}
				_ = next.Process.Signal(syscall.SIGTERM)
				if err := next.Wait(); err != nil {
					t.Errorf("the next run: %v\n%s", err, out)
				}
			}
			if !askedAll() {
				t.Fatalf("not every order the killed run held was asked again after its claims lapsed")
			}
		})
	}
}
