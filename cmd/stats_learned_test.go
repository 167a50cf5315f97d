package cmd_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store/storetest"
)

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
			Name         string  `json:"name"`
			Completions  int     `json:"completions"`
			OwnWeight    float64 `json:"own_weight"`
			FinishMedian float64 `json:"finish_median_seconds"`
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

	text := zwatch(t, s.db, "stats")
	for _, line := range strings.Split(text.stdout, "\n") {
		if strings.Contains(line, "PIN profile (no history yet)") && !strings.Contains(line, "znet-B (disabled)") {
			t.Errorf("what was learned of the disabled znet-B does not say it is disabled: %s", line)
		}
	}
	for _, want := range []string{"What zwatch learned of each panel", "250 completions", "PIN profile (no history yet)", "znet-A: time to PIN, as planned"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("stats does not say %q:\n%s", want, text.stdout)
		}
	}
}

// learnedJSON is one panel of what stats -o json says zwatch learned,
// with every time that may be none (null) read as such.
type learnedJSON struct {
	Name         string   `json:"name"`
	Completions  int      `json:"completions"`
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
