package watch_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// What the last runs leave failing, panel by panel: the newest run to
// finish that found the panel failing or answering, or let it go, tells;
// a run's belief that it still fails, carried with or without one
// order's fault, counts only where no run found anything, and a fault on
// one order alone tells nothing; a run recorded before runs kept their
// panels tells of every panel not told of yet, as the one row the next
// run read then did, and a row's note names the panels failing in it
// whose verdicts in it are no finding.
func TestFailingBefore(t *testing.T) {
	const p, q = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	at := time.Now()
	run := func(finishedAgo time.Duration, panels map[string]string, note string) store.Run {
		return store.Run{FinishedAt: at.Add(-finishedAgo), Panels: panels, Error: note}
	}
	carried, faulted := store.StillFailingFaultedOn("order-1"), store.FaultedOn("order-1")
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
		"a belief with one order's fault counts": {
			[]store.Run{run(1, map[string]string{p: carried}, "")}, []string{p}},
		"a fault alone tells nothing": {
			[]store.Run{run(1, map[string]string{p: faulted}, "")}, nil},
		"a fault tells nothing over a belief": {
			[]store.Run{run(1, map[string]string{p: faulted}, ""), run(2, map[string]string{p: carried}, "")}, []string{p}},
		"a note names a panel a zwatch before 00029 carried with one fault": {
			[]store.Run{run(1, map[string]string{p: faulted}, "failing integrations: A ("+p+")")}, []string{p}},
		"a note names a panel whose verdict this zwatch does not know": {
			[]store.Run{run(1, map[string]string{p: "still failing, asked:x"}, "failing integrations: A ("+p+")")}, []string{p}},
		"a note's other UUIDs name no panel": {
			[]store.Run{run(1, map[string]string{p: carried}, "failing integrations: A ("+p+"); 2 answers were not saved; and writing /var/lib/"+q+"/zwatch.prom: no space left on device")}, []string{p}},
		"a panel's name names no panel": {
			[]store.Run{run(1, map[string]string{p: carried}, "failing integrations: A "+q+" ("+p+")")}, []string{p}},
		"a note names a panel whose verdict cannot be read": {
			[]store.Run{run(1, map[string]string{q: store.PanelAnswered}, "failing integrations: A ("+p+")")}, []string{p}},
		"a newer finding beats an old row": {
			[]store.Run{run(2, nil, "failing integrations: A ("+p+")"), run(1, map[string]string{p: store.PanelAnswered}, "")}, nil},
	} {
		got := slices.Sorted(maps.Keys(watch.FailingBefore(tt.runs)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: failing %v, want %v", name, got, tt.want)
		}
	}
}

// A run's note lists the panels failing in it, however the shop's staff
// named them: a name holding another panel's "(id); " or "; and " neither
// names that panel nor hides the panels after it, and a list the column's
// bound cut after an item's ";" still names that item.
func TestNotedPanelsReadFailingNotesList(t *testing.T) {
	const a, b, c = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b", "00000000-0000-4000-8000-00000000000c"
	note := watch.FailingNote(map[string]string{a: "A (" + b + "); and more", c: "C\nnext line"}) + "; 2 answers were not saved"
	if got := watch.NotedPanels(note); !slices.Equal(slices.Sorted(slices.Values(got)), []string{a, c}) {
		t.Errorf("note %q names %v, want %v", note, got, []string{a, c})
	}
	if got := watch.NotedPanels("failing integrations: A (" + a + "); C (" + c + ");"); !slices.Equal(got, []string{a, c}) {
		t.Errorf("a list cut after its last item's \";\" names %v, want %v", got, []string{a, c})
	}
}

// Which panels earlier runs left without an answer: the newest run to
// find one failing or faulted tells, unless a run that finished after it
// began, on another host too, had an answer; a run that let it go or
// believed it still failing without asking it tells nothing, and one that
// believed so and heard one order's fault tells that fault.
func TestUnansweredBefore(t *testing.T) {
	const p = "00000000-0000-4000-8000-000000000001"
	at := time.Now()
	verdict := func(v string, startedAgo, finishedAgo time.Duration) store.PanelVerdict {
		return store.PanelVerdict{IntegrationID: p, Verdict: v, StartedAt: at.Add(-startedAgo), FinishedAt: at.Add(-finishedAgo)}
	}
	faulted := store.FaultedOn("order-1")
	for _, c := range []struct {
		name     string
		verdicts []store.PanelVerdict
		want     map[string]string
	}{
		{"faulted", []store.PanelVerdict{verdict(faulted, 60*time.Second, 50*time.Second)}, map[string]string{p: "order-1"}},
		{"failing", []store.PanelVerdict{verdict(store.PanelFailing, 60*time.Second, 50*time.Second)}, map[string]string{p: ""}},
		{"answered since", []store.PanelVerdict{verdict(faulted, 60*time.Second, 50*time.Second), verdict(store.PanelAnswered, 40*time.Second, 30*time.Second)}, map[string]string{}},
		// Host B answered while host A, which finished last, faulted.
		{"answered by an overlapping run", []store.PanelVerdict{verdict(faulted, 60*time.Second, 10*time.Second), verdict(store.PanelAnswered, 40*time.Second, 30*time.Second)}, map[string]string{}},
		// A long run on host A found the panel failing at its end; host B's
		// answer came before that.
		{"failing after an overlapping answer", []store.PanelVerdict{verdict(store.PanelFailing, 60*time.Second, 10*time.Second), verdict(store.PanelAnswered, 40*time.Second, 30*time.Second)}, map[string]string{p: ""}},
		{"answered after failing", []store.PanelVerdict{verdict(store.PanelFailing, 60*time.Second, 50*time.Second), verdict(store.PanelAnswered, 40*time.Second, 30*time.Second)}, map[string]string{}},
		{"answered before", []store.PanelVerdict{verdict(store.PanelAnswered, 90*time.Second, 70*time.Second), verdict(faulted, 60*time.Second, 50*time.Second)}, map[string]string{p: "order-1"}},
		{"let go since", []store.PanelVerdict{verdict(faulted, 60*time.Second, 50*time.Second), verdict(store.PanelLetGo, 40*time.Second, 30*time.Second)}, map[string]string{p: "order-1"}},
		{"believed failing since", []store.PanelVerdict{verdict(faulted, 60*time.Second, 50*time.Second), verdict(store.PanelStillFailing, 40*time.Second, 30*time.Second)}, map[string]string{p: "order-1"}},
		{"faulted while believed failing", []store.PanelVerdict{verdict(store.PanelFailing, 90*time.Second, 70*time.Second), verdict(store.StillFailingFaultedOn("order-2"), 60*time.Second, 50*time.Second)}, map[string]string{p: "order-2"}},
		// A refusal is znet's answer: the panel is reachable.
		{"refused since", []store.PanelVerdict{verdict(faulted, 60*time.Second, 50*time.Second), verdict(store.RefusedOn([]string{"order-2"}), 40*time.Second, 30*time.Second)}, map[string]string{}},
		{"refused again since", []store.PanelVerdict{verdict(faulted, 60*time.Second, 50*time.Second), verdict(store.RefusedOn(nil), 40*time.Second, 30*time.Second)}, map[string]string{}},
	} {
		if got := watch.UnansweredBefore(c.verdicts); !maps.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// What a run adds of its beliefs to what it found: a panel failing before
// and not answering is still failing, with the one order's fault it heard
// kept; a finding stays; a panel let go is so where nothing was found.
func TestRecordBeliefs(t *testing.T) {
	panels := map[string]string{"faulted": store.FaultedOn("order-1"), "answered": store.PanelAnswered, "refused": store.RefusedOn([]string{"order-2"})}
	watch.RecordBeliefs(panels,
		map[string]string{"faulted": "A", "unasked": "B", "answered": "C", "refused": "D"},
		map[string]bool{"let go": true, "answered": true})
	want := map[string]string{
		"faulted":  store.StillFailingFaultedOn("order-1"),
		"unasked":  store.PanelStillFailing,
		"answered": store.PanelAnswered,
		"let go":   store.PanelLetGo,
		"refused":  store.PanelStillFailing,
	}
	if !maps.Equal(panels, want) {
		t.Errorf("verdicts %v, want %v", panels, want)
	}
}

// The orders a panel refused, not having refused them before, in the runs
// since it last answered about an order or was found failing: several
// hosts' runs add up, each order once; a run that finished before the
// answer counts for nothing.
func TestRefusedBefore(t *testing.T) {
	const p, q = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	at := time.Now()
	verdict := func(panel, v string, finishedAgo time.Duration) store.PanelVerdict {
		return store.PanelVerdict{IntegrationID: panel, Verdict: v, StartedAt: at.Add(-finishedAgo - time.Minute), FinishedAt: at.Add(-finishedAgo)}
	}
	refused := func(orders ...string) string { return store.RefusedOn(orders) }
	got := watch.RefusedBefore([]store.PanelVerdict{
		verdict(p, refused("a"), 50*time.Minute),
		verdict(p, store.PanelAnswered, 40*time.Minute),
		verdict(p, refused("b", "c"), 30*time.Minute),
		verdict(p, refused(), 20*time.Minute),
		verdict(p, store.FaultedOn("x"), 15*time.Minute),
		verdict(p, refused("c", "d"), 10*time.Minute),
		verdict(q, refused("e"), 30*time.Minute),
		verdict(q, store.PanelFailing, 20*time.Minute),
	})
	for panel := range got {
		slices.Sort(got[panel])
	}
	if want := map[string][]string{p: {"b", "c", "d"}}; !maps.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("RefusedBefore = %v, want %v", got, want)
	}
}
