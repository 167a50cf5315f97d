package cmd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// statsJSON is what an operator reads from `zwatch stats -o json`.
type statsJSON struct {
	Integrations []statsFigures `json:"integrations"`
	Total        statsFigures   `json:"total"`
	Runs         []struct {
		RunID      string    `json:"run_id"`
		Host       string    `json:"host"`
		StartedAt  time.Time `json:"started_at"`
		Seconds    float64   `json:"duration_seconds"`
		Asked      int       `json:"asked"`
		Completed  int       `json:"completed"`
		Errors     int       `json:"errors"`
		ExitStatus int       `json:"exit_status"`
		Error      string    `json:"error"`
	} `json:"runs"`
}

type statsFigures struct {
	Name             string   `json:"name"`
	Enabled          bool     `json:"enabled"`
	Sent             int      `json:"sent"`
	Pending          int      `json:"pending"`
	Processing       int      `json:"processing"`
	Due              int      `json:"due"`
	AgeMedian        *float64 `json:"age_median_seconds"`
	AgeP95           *float64 `json:"age_p95_seconds"`
	AgeOldest        *float64 `json:"age_oldest_seconds"`
	Stuck            int      `json:"stuck"`
	Paused           int      `json:"paused"`
	Completed1h      int      `json:"completed_1h"`
	Completed24h     int      `json:"completed_24h"`
	Failed1h         int      `json:"failed_1h"`
	Failed24h        int      `json:"failed_24h"`
	ToCompleteMedian *float64 `json:"to_complete_median_seconds"`
}

func stats(t *testing.T, db *storetest.DB, args ...string) statsJSON {
	t.Helper()
	r := zwatch(t, db, append([]string{"stats", "-o", "json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("stats: exit %d\n%s", r.code, r.all())
	}
	var s statsJSON
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("stats json: %v\n%s", err, r.stdout)
	}
	return s
}

func TestStatsFigures(t *testing.T) {
	t.Parallel()
	s := newShop(t) // znet-A
	db := s.db
	b := db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password})
	c := db.AddIntegration(storetest.Integration{Name: "znet-C", BaseURL: s.znet.URL, Kod: dealerCode, Sifre: password, Disabled: true})
	other := db.AddIntegration(storetest.Integration{Name: "barakat", Provider: "barakat"})
	waiting := func(integ, status string, sentAgo time.Duration) string {
		return db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "1", ExternalStatus: status, SentAgo: sentAgo})
	}
	finished := func(integ, status string, sentAgo, finishedAgo time.Duration) {
		shopStatus := "approved"
		if status == "failed" {
			shopStatus = "rejected"
		}
		id := db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "2", ExternalStatus: status, Status: shopStatus, SentAgo: sentAgo})
		db.AddEvent(id, status, finishedAgo)
	}

	// znet-A: five orders waiting 1h to 5h, two of them due; one stuck.
	db.AddCheck(waiting(s.integ, "sent", 1*time.Hour), storetest.Check{NextCheckIn: -time.Minute})
	db.AddCheck(waiting(s.integ, "processing", 2*time.Hour), storetest.Check{NextCheckIn: 10 * time.Minute})
	db.AddCheck(waiting(s.integ, "processing", 3*time.Hour), storetest.Check{NextCheckIn: -time.Minute, Claimed: true})
	waiting(s.integ, "pending", 4*time.Hour) // not seen by zwatch yet: due
	db.AddCheck(waiting(s.integ, "sent", 5*time.Hour), storetest.Check{NextCheckIn: 5 * time.Minute})
	db.AddCheck(waiting(s.integ, "processing", 30*time.Hour), storetest.Check{GivenUp: true})
	finished(s.integ, "completed", 40*time.Minute, 30*time.Minute) // 10m to complete
	finished(s.integ, "completed", 5*time.Hour, 4*time.Hour)       // 1h to complete
	finished(s.integ, "failed", time.Hour, 20*time.Minute)
	finished(s.integ, "completed", 80*time.Hour, 72*time.Hour) // too long ago to count
	// A finished order without an event was decided outside zwatch.
	db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "3", ExternalStatus: "completed", Status: "approved"})

	// znet-B: one order waiting 10h, one completed in 20m two hours ago.
	waiting(b, "sent", 10*time.Hour)
	finished(b, "completed", 140*time.Minute, 2*time.Hour)

	// znet-C is disabled: its order waits but is paused, counted apart and
	// in no other figure, the total's included.
	waiting(c, "sent", 6*time.Hour)
	// Not znet's: counted nowhere.
	waiting(other, "sent", 50*time.Hour)
	finished(other, "completed", time.Hour, time.Minute)

	got := stats(t, db)

	if len(got.Integrations) != 3 {
		t.Fatalf("integrations %+v, want znet-A, znet-B and znet-C only", got.Integrations)
	}
	a, bb, cc, tot := got.Integrations[0], got.Integrations[1], got.Integrations[2], got.Total
	if a.Name != "znet-A" || bb.Name != "znet-B" || cc.Name != "znet-C" || cc.Enabled {
		t.Fatalf("integrations %+v", got.Integrations)
	}
	for _, c := range []struct {
		name    string
		got     statsFigures
		want    statsFigures
		ages    [3]time.Duration // median, p95, oldest
		toCompl time.Duration
	}{
		{"znet-A", a, statsFigures{Sent: 2, Pending: 1, Processing: 2, Due: 2, Stuck: 1, Completed1h: 1, Completed24h: 2, Failed1h: 1, Failed24h: 1},
			// percentile_cont over 1..5h: p95 lies 80% of the way from 4h to 5h.
			[3]time.Duration{3 * time.Hour, 4*time.Hour + 48*time.Minute, 5 * time.Hour}, 35 * time.Minute},
		{"znet-B", bb, statsFigures{Sent: 1, Due: 1, Completed24h: 1},
			[3]time.Duration{10 * time.Hour, 10 * time.Hour, 10 * time.Hour}, 20 * time.Minute},
		{"znet-C", cc, statsFigures{Paused: 1}, [3]time.Duration{}, 0},
		// 1,2,3,4,5,10h: p95 lies 75% of the way from 5h to 10h.
		{"total", tot, statsFigures{Sent: 3, Pending: 1, Processing: 2, Due: 3, Stuck: 1, Paused: 1, Completed1h: 1, Completed24h: 3, Failed1h: 1, Failed24h: 1},
			[3]time.Duration{3*time.Hour + 30*time.Minute, 8*time.Hour + 45*time.Minute, 10 * time.Hour}, 20 * time.Minute},
	} {
		g, w := c.got, c.want
		counts := [...]int{g.Sent, g.Pending, g.Processing, g.Due, g.Stuck, g.Paused, g.Completed1h, g.Completed24h, g.Failed1h, g.Failed24h}
		wantCounts := [...]int{w.Sent, w.Pending, w.Processing, w.Due, w.Stuck, w.Paused, w.Completed1h, w.Completed24h, w.Failed1h, w.Failed24h}
		if counts != wantCounts {
			t.Errorf("%s: sent, pending, processing, due, stuck, paused, completed 1h/24h, failed 1h/24h = %v, want %v", c.name, counts, wantCounts)
		}
		if c.ages == [3]time.Duration{} {
			if g.AgeMedian != nil || g.AgeP95 != nil || g.AgeOldest != nil {
				t.Errorf("%s: ages %v %v %v, want none: nothing waits for zwatch", c.name, g.AgeMedian, g.AgeP95, g.AgeOldest)
			}
			continue
		}
		assertSeconds(t, c.name+" median age", g.AgeMedian, c.ages[0])
		assertSeconds(t, c.name+" p95 age", g.AgeP95, c.ages[1])
		assertSeconds(t, c.name+" oldest", g.AgeOldest, c.ages[2])
		if c.toCompl == 0 {
			if g.ToCompleteMedian != nil {
				t.Errorf("%s: time to complete %v, want none", c.name, *g.ToCompleteMedian)
			}
			continue
		}
		assertSeconds(t, c.name+" time to complete", g.ToCompleteMedian, c.toCompl)
	}
}

// assertSeconds compares a figure in seconds, allowing for the time the
// test took between inserting and asking.
func assertSeconds(t *testing.T, what string, got *float64, want time.Duration) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: none, want %s", what, want)
		return
	}
	if math.Abs(*got-want.Seconds()) > 60 {
		t.Errorf("%s: %s, want %s", what, time.Duration(*got*float64(time.Second)), want)
	}
}

func TestStatsOnAnEmptyShop(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)

	got := stats(t, db)

	if len(got.Integrations) != 0 || got.Total.Sent != 0 || got.Total.AgeOldest != nil || len(got.Runs) != 0 {
		t.Errorf("empty shop: %+v", got)
	}
	r := zwatch(t, db, "stats")
	if r.code != 0 || !strings.Contains(r.stdout, "none recorded yet") {
		t.Errorf("table on an empty shop: exit %d\n%s", r.code, r.all())
	}
}

func TestStatsShowsTheLastRuns(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	ctx := context.Background()
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i, exit := range []int{0, 3, 1} {
		run := store.Run{
			ID: "run-" + string(rune('a'+i)), Host: "cron-host-" + string(rune('a'+i)),
			StartedAt: start.Add(time.Duration(i) * 2 * time.Minute), Asked: 10 * (i + 1), Completed: i, Errors: i * 2,
			ExitStatus: exit,
		}
		run.FinishedAt = run.StartedAt.Add(1500 * time.Millisecond)
		if exit == 1 {
			run.Error = "saving 3 answers: connection reset"
		}
		if err := s.db.Store.RecordRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}

	got := stats(t, s.db, "--runs", "2")

	if len(got.Runs) != 2 {
		t.Fatalf("runs %+v, want the newest 2", got.Runs)
	}
	newest, second := got.Runs[0], got.Runs[1]
	if newest.RunID != "run-c" || newest.ExitStatus != 1 || newest.Asked != 30 || newest.Errors != 4 ||
		newest.Host != "cron-host-c" || newest.Seconds != 1.5 || !strings.Contains(newest.Error, "connection reset") {
		t.Errorf("newest run %+v", newest)
	}
	if second.RunID != "run-b" || second.ExitStatus != 3 || second.Completed != 1 {
		t.Errorf("second run %+v", second)
	}

	r := zwatch(t, s.db, "stats")
	for _, want := range []string{"cron-host-c", "cron-host-a", "connection reset", "1.5s", "ZNET-A"} {
		if !strings.Contains(strings.ToUpper(r.stdout), strings.ToUpper(want)) {
			t.Errorf("stats table lacks %q:\n%s", want, r.stdout)
		}
	}
}

// An answer saved before the order's "sentAt" belongs to an earlier
// sending (the shop sent the order again after zwatch completed it): it
// says nothing of how long the order takes, and must not show a time to
// complete of "in 10m".
func TestStatsTimeToCompleteLeavesOutEarlierSendings(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var resent []storetest.Finished
	for range 20 {
		resent = append(resent, storetest.Finished{FinalAt: -10 * time.Minute, Ago: 5 * time.Minute})
	}
	s.db.AddFinishHistory(s.integ, resent)
	for _, in := range stats(t, s.db).Integrations {
		if in.ToCompleteMedian != nil && *in.ToCompleteMedian < 0 {
			t.Errorf("%s: the median time to complete is %.0f s", in.Name, *in.ToCompleteMedian)
		}
	}
	if r := zwatch(t, s.db, "stats"); strings.Contains(r.stdout, "in 10m") {
		t.Errorf("stats shows a time to complete in the future:\n%s", r.stdout)
	}
}

// After a check-pending run has learned a panel, stats says what it
// learned (its finishing times, from how many completions) and the time
// to PIN its plan gives; a panel without history shows the PIN profile.
func TestStatsShowsWhatWasLearnedOfEachPanel(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.AddIntegration(storetest.Integration{Name: "znet-B", BaseURL: "http://127.0.0.1:1", Kod: "k", Sifre: "x", Disabled: true})
	var hist []storetest.Finished
	for i := range 250 {
		final := 20*time.Second + time.Duration(i)*200*time.Millisecond // 20 s to 70 s
		hist = append(hist, storetest.Finished{WaitingAt: final - 5*time.Second, FinalAt: final, Ago: time.Hour})
	}
	s.db.AddFinishHistory(s.integ, hist)
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}

	r := zwatch(t, s.db, "stats", "-o", "json")
	if r.code != 0 {
		t.Fatalf("stats: exit %d\n%s", r.code, r.all())
	}
	var report struct {
		Learned []struct {
			Name         string    `json:"name"`
			Completions  int       `json:"completions"`
			OwnWeight    float64   `json:"own_weight"`
			FinishMedian float64   `json:"finish_median_seconds"`
			FirstCheck   float64   `json:"first_check_seconds"`
			Checks       []float64 `json:"checks_seconds"`
			ToPIN        struct {
				Median   float64 `json:"median_seconds"`
				Requests float64 `json:"requests_per_order"`
			} `json:"to_pin"`
			Histogram []float64 `json:"to_pin_histogram"`
		} `json:"learned"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("stats json: %v\n%s", err, r.stdout)
	}
	byName := map[string]int{}
	for i, l := range report.Learned {
		byName[l.Name] = i
	}
	a := report.Learned[byName["znet-A"]]
	if a.Completions != 250 || a.OwnWeight != 1 || a.FinishMedian < 35 || a.FinishMedian > 55 {
		t.Errorf("znet-A: %d completions, weight %v, median finishing time %.1f s; want 250, 1 and about 45 s",
			a.Completions, a.OwnWeight, a.FinishMedian)
	}
	if a.ToPIN.Median <= 0 || a.ToPIN.Requests <= 1 {
		t.Errorf("znet-A: planned time to PIN %+v, want a median and the requests per order", a.ToPIN)
	}
	sum := 0.0
	for _, share := range a.Histogram {
		sum += share
	}
	if sum < 0.99 || sum > 1.01 {
		t.Errorf("znet-A: the histogram's shares add up to %.3f, want 1", sum)
	}
	if b := report.Learned[byName["znet-B"]]; b.Completions != 0 || b.OwnWeight != 0 {
		t.Errorf("znet-B, without history: %+v, want the PIN profile", b)
	}
	// A panel without history follows the PIN schedule from --first-delay
	// (README, "The schedule"): 8 s apart four times, then 50 s apart.
	if b := report.Learned[byName["znet-B"]]; len(b.Checks) < 8 || !slices.Equal(b.Checks[:8], []float64{15, 23, 31, 39, 47, 97, 147, 197}) {
		t.Errorf("znet-B, without history, is asked at %v; want the PIN schedule's 15, 23, 31, 39, 47, 97, 147, 197 s first", b.Checks)
	}
	if len(a.Checks) == 0 || a.Checks[0] != a.FirstCheck || !slices.IsSorted(a.Checks) || a.Checks[len(a.Checks)-1] > 24*3600 {
		t.Errorf("znet-A is asked at %v, with its first ask at %v s: want them rising from the first ask, none past the give-up at 24 h", a.Checks, a.FirstCheck)
	}
	for i := 1; i < len(a.Checks); i++ {
		if a.Checks[i]-a.Checks[i-1] > 30*60+0.1 {
			t.Errorf("znet-A is asked %v s and %v s after sending, more than 30 minutes apart", a.Checks[i-1], a.Checks[i])
		}
	}

	// Runs that give up after two days plan to two days, and stats shows
	// that plan when told so: it showed a day's, whatever the runs did.
	long := zwatch(t, s.db, "stats", "-o", "json", "--give-up-after", "48h")
	report.Learned = nil
	if err := json.Unmarshal([]byte(long.stdout), &report); err != nil || long.code != 0 {
		t.Fatalf("stats --give-up-after 48h: exit %d, %v\n%s", long.code, err, long.all())
	}
	if b := report.Learned[byName["znet-B"]].Checks; len(b) == 0 || b[len(b)-1] < 47*3600 || b[len(b)-1] > 48*3600+15 {
		t.Errorf("stats --give-up-after 48h: znet-B is asked last at %v s, want within the give-up's last half hour", b[len(b)-1:])
	}

	text := zwatch(t, s.db, "stats")
	for _, line := range strings.Split(text.stdout, "\n") {
		if strings.Contains(line, "PIN profile (not learned yet)") && !strings.Contains(line, "znet-B (disabled)") {
			t.Errorf("what was learned of the disabled znet-B does not say it is disabled: %s", line)
		}
	}
	for _, want := range []string{"What zwatch learned of each panel", "250 completions", "PIN profile (not learned yet)", "znet-A: time to PIN, as planned",
		"znet-B (disabled): time to PIN, as planned",
		"znet-B (disabled): once it is enabled, an order still waiting is asked this long after it was sent: 15s, 23s, 31s, 39s, 47s, 1m37s, 2m27s, 3m17s, then "} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("stats does not say %q:\n%s", want, text.stdout)
		}
	}
}

// learnedJSON is one panel of what stats -o json says zwatch learned,
// with every time that may be none (null) read as such.
type learnedJSON struct {
	Name         string   `json:"name"`
	Finals       int      `json:"finals"`
	Completions  int      `json:"completions"`
	GaveUp       int      `json:"gave_up"`
	FinishMedian *float64 `json:"finish_median_seconds"`
	Never        float64  `json:"never_share"`
	ToPIN        struct {
		Median *float64 `json:"median_seconds"`
		P95    *float64 `json:"p95_seconds"`
	} `json:"to_pin"`
	Histogram []float64 `json:"to_pin_histogram"`
}

func learnedOf(t *testing.T, db *storetest.DB) []learnedJSON {
	t.Helper()
	r := zwatch(t, db, "stats", "-o", "json")
	if r.code != 0 {
		t.Fatalf("stats -o json: exit %d\n%s", r.code, r.all())
	}
	var report struct {
		Learned []learnedJSON `json:"learned"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("stats json: %v\n%s", err, r.stdout)
	}
	return report.Learned
}

// A panel whose every answer came days after "sentAt" (a shop that leaves
// "sentAt" empty, so that zwatch reads "createdAt", and sends orders days
// after creating them). Past the fit's ages, the fit finds no order
// finishing at all: stats -o json failed outright on its NaN, for every
// panel. Past giving up only, no order finishes within the plan: the table
// promised a time to PIN of 0 s, all within 5 s.
func TestStatsOfAPanelThatFinishesNothingInTime(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		after   time.Duration
		waiting int
	}{{50 * time.Hour, 3}, {47 * time.Hour, 0}} {
		s := newShop(t)
		var hist []storetest.Finished
		for i := range 300 {
			w := c.after + time.Duration(i)*time.Second
			hist = append(hist, storetest.Finished{WaitingAt: w, FinalAt: w + 40*time.Second, Ago: 60*time.Hour + time.Duration(i)*time.Second})
		}
		s.db.AddFinishHistory(s.integ, hist)
		for i := range c.waiting {
			id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: fmt.Sprintf("w%d", i), SentAgo: 55 * time.Hour,
				ExternalStatus: "processing"})
			s.db.Exec(`INSERT INTO zwatch_order_checks (order_id, attempts, first_checked_at, last_checked_at, waiting_seen_at, next_check_at)
				VALUES ($1, 5, now() - interval '1 hour', now() - interval '1 minute', now() - interval '1 minute', now() + interval '1 hour')`, id)
		}
		if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 && r.code != 3 {
			t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
		}
		for _, l := range learnedOf(t, s.db) {
			if l.Completions != 300 {
				t.Errorf("finishing after %s: %s learned from %d completions, want 300", c.after, l.Name, l.Completions)
			}
			if l.ToPIN.Median != nil || l.ToPIN.P95 != nil || l.Histogram != nil {
				t.Errorf("finishing after %s: %s promises a time to PIN (median %s, p95 %s, histogram %v) though no order finishes before zwatch gives up",
					c.after, l.Name, orNone(l.ToPIN.Median), orNone(l.ToPIN.P95), l.Histogram)
			}
		}
		text := zwatch(t, s.db, "stats")
		if text.code != 0 || !strings.Contains(text.stdout, "finish only after it gives up") || strings.Contains(text.stdout, "NaN") {
			t.Errorf("finishing after %s: stats exit %d\n%s", c.after, text.code, text.stdout)
		}
	}
}

func orNone(s *float64) string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%.1f s", *s)
}

// A panel that cancels every order it gets has a fit (its final answers
// say when it answers), but no PIN: stats says its times are to a final
// answer, not to a PIN. An operator adversary's find.
func TestStatsSaysAPanelThatOnlyCancelsDeliversNoPIN(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	var hist []storetest.Finished
	for i := range 300 {
		w := time.Duration(5+i%20) * time.Second
		hist = append(hist, storetest.Finished{WaitingAt: w, FinalAt: w + 10*time.Second, Cancelled: true, Ago: time.Hour + time.Duration(i)*time.Second})
	}
	s.db.AddFinishHistory(s.integ, hist)
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 0 && r.code != 3 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	text := zwatch(t, s.db, "stats")
	if text.code != 0 || !strings.Contains(text.stdout, "0 completions + 300 cancelled") ||
		!strings.Contains(text.stdout, "none of its final answers was a PIN") {
		t.Errorf("stats exit %d, want the panel's 300 cancellations and that none was a PIN:\n%s", text.code, text.stdout)
	}
}

// An answer counts for the panel that gave it: znet-A completed one order
// and cancelled another, and the shop then sent both again through
// znet-B, which has answered nothing yet. Before migration 00032 stats
// counted both answers under znet-B, the panel the order names now.
func TestStatsCountsAnAnswerForThePanelThatGaveIt(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	panelB, integB := s.panel("znet-B", "other")
	completed, cancelled := s.order("501"), s.order("5002")
	s.znet.Script("501", znettest.Done("AAAA-BBBB-CCCC-DDDD", "tamam"))
	s.znet.Script("5002", znettest.Cancelled("iptal"))
	if r := zwatch(t, s.db, "check-pending", "-q", "--first-delay", "0s"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	for ref, id := range map[string]string{"601": completed, "6002": cancelled} {
		s.db.Resend(id, ref)
		s.db.Exec(`UPDATE product_orders SET "providerId" = $2 WHERE id = $1`, id, integB)
		panelB.Script(ref, znettest.Waiting("bekliyor"))
	}

	got := stats(t, s.db)
	byName := map[string]statsFigures{}
	for _, in := range got.Integrations {
		byName[in.Name] = in
	}
	a, b := byName["znet-A"], byName["znet-B"]
	if a.Completed24h != 1 || a.Failed24h != 1 {
		t.Errorf("znet-A: completed %d, failed %d in 24 h; it completed one order and cancelled one", a.Completed24h, a.Failed24h)
	}
	if b.Completed24h != 0 || b.Failed24h != 0 {
		t.Errorf("znet-B: completed %d, failed %d in 24 h; it has answered nothing", b.Completed24h, b.Failed24h)
	}
	if got.Total.Completed24h != 1 || got.Total.Failed24h != 1 {
		t.Errorf("total: completed %d, failed %d in 24 h, want 1 and 1", got.Total.Completed24h, got.Total.Failed24h)
	}
}

// Staff set a completed order back to sent, and zwatch found it completed
// again: one order completed, in one sending, as list --completed shows,
// and its time to complete is the first answer's, not the second's. So
// too where its sentAt is no time it was sent (helper-325).
func TestStatsCountsAnOrderCompletedTwiceInOneSendingOnce(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "503", OrderNo: 503, SentAgo: 3 * time.Hour, ExternalStatus: "completed", Status: "approved"})
	s.db.AddEvent(id, "completed", 150*time.Minute)
	s.db.AddEvent(id, "completed", 30*time.Minute)

	got := stats(t, s.db)
	if got.Total.Completed24h != 1 || got.Total.Completed1h != 0 {
		t.Errorf("completed %d in 24 h and %d in the last hour, want 1 and 0: one order, completed 150 minutes ago", got.Total.Completed24h, got.Total.Completed1h)
	}
	if m := got.Total.ToCompleteMedian; m == nil {
		t.Errorf("no median time to complete, want 1800 s")
	} else if math.Abs(*m-30*60) > 60 {
		t.Errorf("median time to complete %.0f s, want 1800 s (sent 3 h ago, completed 150 min ago)", *m)
	}
	var listed []json.RawMessage
	r := zwatch(t, s.db, "list", "--completed", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatalf("list --completed: %v\n%s", err, r.all())
	}
	if len(listed) != got.Total.Completed24h {
		t.Errorf("list --completed lists %d orders, stats counts %d", len(listed), got.Total.Completed24h)
	}

	// The second answer saved by a zwatch that records the panel (00032),
	// the first by one before it: one panel still.
	s.db.Exec(`DELETE FROM zwatch_order_events WHERE order_id = $1 AND at > now() - interval '1 hour'`, id)
	s.db.Exec(`INSERT INTO zwatch_order_events (order_id, at, kind, from_status, to_status, pin_delivered, integration_id)
		VALUES ($1, now() - interval '30 minutes', 'status', 'sent', 'completed', true, $2)`, id, s.integ)
	if got := stats(t, s.db); got.Total.Completed24h != 1 {
		t.Errorf("an answer recorded with its panel after one recorded without: completed %d in 24 h, want 1", got.Total.Completed24h)
	}

	for _, sentAt := range []string{"'infinity'", "'9999-12-31'", "now() + interval '2 hours'"} {
		s.db.Exec(`UPDATE product_orders SET "sentAt" = `+sentAt+` WHERE id = $1`, id)
		if got := stats(t, s.db); got.Total.Completed24h != 1 {
			t.Errorf("sentAt %s: completed %d in 24 h, want 1", sentAt, got.Total.Completed24h)
		}
	}
}
