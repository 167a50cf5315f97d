package cmd

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// What the last runs leave failing, panel by panel: the newest run to
// finish that found the panel failing or answering, or let it go, tells;
// a run's belief that it still fails counts only where no run found
// anything; a run recorded before runs kept their panels tells of every
// panel not told of yet, as the one row the next run read then did.
func TestFailingBefore(t *testing.T) {
	const p, q = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	at := time.Now()
	run := func(finishedAgo time.Duration, panels map[string]string, note string) store.Run {
		return store.Run{FinishedAt: at.Add(-finishedAgo), Panels: panels, Error: note}
	}
	for name, tt := range map[string]struct {
		runs []store.Run
		want []string
	}{
		"the newest that asked tells": {
			[]store.Run{run(1, map[string]string{}, ""), run(2, map[string]string{p: store.PanelFailing, q: store.PanelAnswered}, "")}, []string{p}},
		"a later answer beats an earlier failure": {
			[]store.Run{run(2, map[string]string{p: store.PanelFailing}, ""), run(1, map[string]string{p: store.PanelAnswered}, "")}, nil},
		"a finding beats a newer belief": {
			[]store.Run{run(1, map[string]string{p: store.PanelStillFailing}, ""), run(2, map[string]string{p: store.PanelAnswered}, "")}, nil},
		"a belief alone counts": {
			[]store.Run{run(1, map[string]string{p: store.PanelStillFailing}, "")}, []string{p}},
		"a panel let go is not failing": {
			[]store.Run{run(1, map[string]string{p: store.PanelLetGo}, ""), run(2, map[string]string{p: store.PanelFailing}, "")}, nil},
		"an old row tells of every panel": {
			[]store.Run{run(1, nil, ""), run(2, map[string]string{p: store.PanelFailing}, "")}, nil},
		"an old row names the failing ones": {
			[]store.Run{run(1, nil, "failing integrations: A ("+p+")"), run(2, map[string]string{q: store.PanelFailing}, "")}, []string{p}},
		"a newer finding beats an old row": {
			[]store.Run{run(2, nil, "failing integrations: A ("+p+")"), run(1, map[string]string{p: store.PanelAnswered}, "")}, nil},
	} {
		got := slices.Sorted(maps.Keys(failingBefore(tt.runs)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: failing %v, want %v", name, got, tt.want)
		}
	}
}
