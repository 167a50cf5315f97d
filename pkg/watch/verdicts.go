package watch

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
)

// What a run records of each panel, for the runs after it: its verdicts
// (store.Run.Panels: failing, answered, faulted on one order, only
// refused, failing before and not asked or only faulted, or let go), and
// a note in its error column that names the panels failing in it, for a
// person reading zwatch stats. FailingBefore reads which panels the last
// runs leave failing, so that check-pending mentions a failing panel only
// when it was not failing before, and a panel that answers again once;
// reading one run would not do where runs overlap (several hosts): one
// that had no order of a failing panel says nothing of it.
// UnansweredBefore reads which panels the last hour's runs left without
// an answer, for the one-fault rule (Config.UnansweredBefore), and
// RefusedBefore which orders they found refused, for a panel that
// refuses every order (Config.RefusedBefore).

// FailingNotePrefix starts a run's note when panels were failing in it.
const FailingNotePrefix = "failing integrations: "

// FailingNote is the part of a run's note that names its failing panels,
// those it carried from before too (integration id -> name), or "" when
// there are none.
func FailingNote(panels map[string]string) string {
	if len(panels) == 0 {
		return ""
	}
	items := make([]string, 0, len(panels))
	for id, name := range panels {
		items = append(items, fmt.Sprintf("%s (%s)", notedName.Replace(name), id))
	}
	slices.Sort(items)
	return FailingNotePrefix + strings.Join(items, "; ")
}

// RecordBeliefs adds to a run's verdicts what it believed of the panels it
// found nothing of: carried, failing before and not answering in this run
// (integration id -> name), and letGo, failing before with no order of
// theirs waiting. A carried panel the run heard one order's fault from is
// still failing (store.StillFailingFaultedOn): a fault on one order is no
// answer, and written as a fault alone it would leave the panel up once
// the run that found it failing was older than the runs the next reads.
// So is one that only refused requests: a refusal is no answer about an
// order (and the orders it refused need no counting: the panel is failing
// already).
func RecordBeliefs(panels map[string]string, carried map[string]string, letGo map[string]bool) {
	for id := range carried {
		verdict, found := panels[id]
		_, refused := store.RefusedOrders(verdict)
		if order, faulted := store.FaultedOrder(verdict); faulted {
			panels[id] = store.StillFailingFaultedOn(order)
		} else if !found || refused {
			panels[id] = store.PanelStillFailing
		}
	}
	for id := range letGo {
		if _, found := panels[id]; !found {
			panels[id] = store.PanelLetGo
		}
	}
}

// uuidPattern finds the panels in the note of a run recorded before
// zwatch kept verdicts, whose list may predate FailingNote's.
var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// notedPanel is one panel of FailingNote's list, "Name (id)", ended by
// the next item or the note's end (where the column's bound may cut it
// after its ";").
var notedPanel = regexp.MustCompile(`\((` + uuidPattern.String() + `)\)(?:; |;?$)`)

// notedName is a panel's name as FailingNote lists it: without the
// brackets and semicolons that NotedPanels reads the list by, since the
// shop's staff name integrations as they like.
var notedName = strings.NewReplacer("(", "[", ")", "]", ";", ",", "\r", " ", "\n", " ")

// NotedPanels are the panels a run's note names failing (FailingNote).
// Not a UUID elsewhere in it: a panel's name, or the run's own error that
// check-pending adds after "; and " when the metrics file was lost, may
// hold one, and would make a panel that never failed read failing for
// good.
func NotedPanels(runError string) []string {
	note, ok := strings.CutPrefix(runError, FailingNotePrefix)
	if !ok {
		return nil
	}
	note, _, _ = strings.Cut(note, "; and ")
	var ids []string
	for _, m := range notedPanel.FindAllStringSubmatch(note, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// FailingBefore is the panels the runs leave failing: each as the newest
// run to finish that found it failing or answering, or let it go, said,
// else failing if any run believed it still failing (store.StillFailing,
// or named failing in its note where its verdict does not say). A fault
// on one order tells nothing here. A belief formed as another host's run
// had its answer can outlast that answer in the runs read: the panel then
// reads failing until it answers again. That errs loud; taking a run that
// did not carry a panel for one that read it up would err quiet, since a
// run that could not read the runs before it carries nothing.
func FailingBefore(runs []store.Run) map[string]bool {
	runs = slices.Clone(runs)
	slices.SortStableFunc(runs, func(a, b store.Run) int { return b.FinishedAt.Compare(a.FinishedAt) })
	found := map[string]string{}
	believed := map[string]bool{}
	for _, r := range runs {
		if r.Panels == nil {
			// Recorded before zwatch kept Panels: its error named every
			// panel failing in it, or before it and not asked, and the run
			// after it read that alone. It tells of every panel not told
			// of yet, and the runs before it of none.
			if note, ok := strings.CutPrefix(r.Error, FailingNotePrefix); ok {
				for _, id := range uuidPattern.FindAllString(note, -1) {
					if _, ok := found[id]; !ok {
						found[id] = store.PanelFailing
					}
				}
			}
			break
		}
		for id, state := range r.Panels {
			switch {
			case state == store.PanelFailing, state == store.PanelAnswered, state == store.PanelLetGo:
				if _, ok := found[id]; !ok {
					found[id] = state
				}
			case store.StillFailing(state):
				believed[id] = true
			}
		}
		// The row's note names the panels failing in it, those it carried
		// too: where its verdict is no finding (a verdict this zwatch does
		// not know or cannot read, or a carried panel's one fault as a
		// zwatch before 00029 wrote it), the note tells.
		for _, id := range NotedPanels(r.Error) {
			switch r.Panels[id] {
			case store.PanelFailing, store.PanelAnswered, store.PanelLetGo:
			default:
				believed[id] = true
			}
		}
	}
	failing := map[string]bool{}
	for id := range believed {
		if _, ok := found[id]; !ok {
			failing[id] = true
		}
	}
	for id, state := range found {
		if state == store.PanelFailing {
			failing[id] = true
		}
	}
	return failing
}

// UnansweredBefore is, of each panel the runs left without a usable
// answer, the order whose failed request was all the newest run to ask it
// heard ("" when it found the panel failing): Config.UnansweredBefore.
// An answer any run recorded after that run began, on another host too,
// clears a faulted verdict, whose one fault may have come before the
// answer; a failing one, which a long run may find only at its end, only
// an answer recorded after it. A run that let the panel go, or believed it
// still failing without asking it, tells nothing; one that believed it
// still failing and heard one order's fault tells that fault. A refusal
// (store.PanelRefused) is an answer here: the panel is reachable.
func UnansweredBefore(verdicts []store.PanelVerdict) map[string]string {
	newest := map[string]store.PanelVerdict{}
	for _, v := range verdicts {
		_, faulted := store.FaultedOrder(v.Verdict)
		if (faulted || v.Verdict == store.PanelFailing) && v.FinishedAt.After(newest[v.IntegrationID].FinishedAt) {
			newest[v.IntegrationID] = v
		}
	}
	for _, v := range verdicts {
		n, ok := newest[v.IntegrationID]
		_, refused := store.RefusedOrders(v.Verdict)
		if !ok || v.Verdict != store.PanelAnswered && !refused {
			continue
		}
		since := n.StartedAt
		if n.Verdict == store.PanelFailing {
			since = n.FinishedAt
		}
		if v.FinishedAt.After(since) {
			delete(newest, v.IntegrationID)
		}
	}
	unanswered := make(map[string]string, len(newest))
	for id, v := range newest {
		unanswered[id], _ = store.FaultedOrder(v.Verdict)
	}
	return unanswered
}

// RefusedBefore is, of each panel, the orders (referans numbers) that
// the runs since its last answer about an order (store.PanelAnswered, or
// a run that found it failing) found refused and not refused before
// (store.RefusedOn), for the count of orders refused in a row
// (Config.RefusedBefore). Several hosts' runs add up; a run that overlaps
// the answer's counts only if it finished after it.
func RefusedBefore(verdicts []store.PanelVerdict) map[string][]string {
	answered := map[string]time.Time{}
	for _, v := range verdicts {
		if (v.Verdict == store.PanelAnswered || v.Verdict == store.PanelFailing) && v.FinishedAt.After(answered[v.IntegrationID]) {
			answered[v.IntegrationID] = v.FinishedAt
		}
	}
	refused := map[string][]string{}
	for _, v := range verdicts {
		orders, ok := store.RefusedOrders(v.Verdict)
		if !ok || !v.FinishedAt.After(answered[v.IntegrationID]) {
			continue
		}
		for _, id := range orders {
			if !slices.Contains(refused[v.IntegrationID], id) {
				refused[v.IntegrationID] = append(refused[v.IntegrationID], id)
			}
		}
	}
	return refused
}

// UnansweredWithin is how far back UnansweredBefore looks: twice the
// longest wait between two checks of a waiting order.
const UnansweredWithin = 2 * MaxCheckWait
