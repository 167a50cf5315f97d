package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
)

// A share that is 1 less a float's rounding (a fit in which every order
// finishes) reads 0 in stats -o json, not 1.1e-16; the others read to 4
// decimals.
func TestLearnedSharesReadWithoutFloatNoise(t *testing.T) {
	for _, never := range []float64{1.1e-16, 2.2e-14, 3.3e-12, -1e-17} {
		r := roundedShares(watch.PanelReport{Never: never, Histogram: []float64{0.1234567, 1e-17, 0.8765433}})
		raw, err := json.Marshal(learnedLine{Name: "znet-A", PanelReport: r})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), `"never_share":0,`) || !strings.Contains(string(raw), `"to_pin_histogram":[0.1235,0,0.8765]`) {
			t.Errorf("never %g: %s", never, raw)
		}
	}
	if r := roundedShares(watch.PanelReport{Never: 0.05000000000001}); r.Never != 0.05 {
		t.Errorf("never 0.05000000000001 reads %v, want 0.05", r.Never)
	}
}

// A disabled panel's histogram says so in its heading, as its row does.
func TestLearnedHistogramOfADisabledPanelSaysSo(t *testing.T) {
	var out strings.Builder
	err := printLearned(&out, []learnedLine{
		{Name: "znet-A", Enabled: true, PanelReport: watch.PanelReport{Histogram: []float64{1}}},
		{Name: "znet-B", PanelReport: watch.PanelReport{Histogram: []float64{1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\nznet-B (disabled): time to PIN, as planned\n") ||
		!strings.Contains(out.String(), "\nznet-A: time to PIN, as planned\n") {
		t.Errorf("histogram headings:\n%s", out.String())
	}
}

// A plan asking a few times only is named whole, without a summing up.
func TestChecksInWordsNamesAShortPlanWhole(t *testing.T) {
	if got, want := checksInWords([]float64{15, 65, 1800}), "15s, 1m05s, 30m00s"; got != want {
		t.Errorf("checksInWords = %q, want %q", got, want)
	}
	long := []float64{15, 23, 31, 39, 47, 97, 147, 197, 247, 86000}
	if got, want := checksInWords(long), "15s, 23s, 31s, 39s, 47s, 1m37s, 2m27s, 3m17s, then 2 more, the last at 23h53m, before zwatch gives up on it"; got != want {
		t.Errorf("checksInWords = %q, want %q", got, want)
	}
}

// The last runs' table cuts a run's note to 50 characters: a failing
// panel's long name, listed first with its id, cut off what else made the
// run exit 3 (helper-164: "failing integrations: Kapalı Panel — çok uzun
// bir…", and the stuck orders only in -o json).
func TestALastRunsNoteShowsItsCountsBeforeItsFailingPanels(t *testing.T) {
	note := watch.FailingNotePrefix + "Kapalı Panel (yedek) — çok uzun bir ad (0b6e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b); " +
		"znet-B (1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f); 2 orders became stuck; 1 answer could not be used"
	want := "2 orders became stuck; 1 answer could not be used; failing: Kapalı Panel (yedek) — çok uzun bir ad, znet-B"
	if got := countsFirst(note); got != want {
		t.Errorf("countsFirst:\n got %q\nwant %q", got, want)
	}
	if got := countsFirst("stopped by signal"); got != "stopped by signal" {
		t.Errorf("a note without failing panels changed: %q", got)
	}
}
