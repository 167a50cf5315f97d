package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zwatch/zwatch/pkg/metrics"
	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// What check-pending leaves behind besides the shop's orders: a row in
// zwatch_runs, the metrics file, and a progress line for a person watching.

// reportGrace bounds recording a run that was stopped by a signal: what it
// did is still worth a row and a metrics file, but not a hang.
const reportGrace = 10 * time.Second

// checkMetricsFile refuses a --metrics-file that cannot be written, before
// the run asks znet or writes anything: with --dry-run, which writes
// nothing; when its directory does not exist or takes no new file (the file
// is written beside itself and renamed); when the path is a directory or
// anything else but a regular file; when it is another user's file in a
// directory whose sticky bit keeps zwatch from renaming over it; and when
// its name does not end in .prom.
func (opts *CheckPendingOptions) checkMetricsFile() error {
	path := opts.MetricsFile
	if path == "" {
		return nil
	}
	if opts.Config.DryRun {
		return usage("--dry-run writes nothing, so it cannot write --metrics-file")
	}
	dir := filepath.Dir(path)
	dirInfo, err := os.Stat(dir)
	switch {
	case err == nil && !dirInfo.IsDir():
		return usage("--metrics-file %s: %s is not a directory", path, dir)
	case errors.Is(err, fs.ErrNotExist):
		return usage("--metrics-file %s: the directory %s does not exist", path, dir)
	case err != nil:
		return usage("--metrics-file %s: cannot look at the directory %s (%v); give zwatch's user access, or another path", path, dir, errors.Unwrap(err))
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usage("--metrics-file %s is a directory; name a file in it, like %s", path, filepath.Join(path, "zwatch.prom"))
	}
	// The file is replaced by a rename: a device (--metrics-file /dev/null,
	// run as root), a named pipe or a symbolic link would be replaced by a
	// regular file, not written to.
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		// No example beside it: for /dev/null that would be a file in /dev,
		// for a symbolic link maybe the link itself.
		return usage("--metrics-file %s is %s, which zwatch would replace with a file of its own; name a regular file or a new one, like /var/lib/node_exporter/textfile/zwatch.prom",
			path, fileKind(fi.Mode()))
	} else if err == nil && stickyForbidsReplacing(dirInfo, fi, os.Geteuid()) {
		// The probe below creates a file of its own, which the sticky bit
		// allows; the rename over another user's file it refuses, at the
		// end of every run, after the run's work.
		return usage("--metrics-file %s belongs to another user, in a directory where only a file's owner may replace it (its sticky bit is set); have its owner or root remove it, or name another path", path)
	}
	// node_exporter's textfile collector reads *.prom and passes over
	// anything else without a word: a file named otherwise would be written
	// every run and graphed never, and no alert on it would ever fire.
	if filepath.Ext(path) != ".prom" {
		return usage("--metrics-file %s: node_exporter's textfile collector reads only files named *.prom; name it like %s",
			path, strings.TrimSuffix(path, filepath.Ext(path))+".prom")
	}
	err = metrics.ProbeBeside(path)
	if errors.Is(err, syscall.ENAMETOOLONG) {
		return usage("--metrics-file %s: the name is too long for the file written beside it under a name up to ten characters longer, then renamed; name a shorter file, like zwatch.prom", path)
	}
	if err != nil {
		return usage("--metrics-file %s: cannot write to %s (%v); give zwatch's user write access, or another path", path, dir, errors.Unwrap(err))
	}
	return nil
}

// fileKind names what a path that is no regular file is.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// ranRun is a run that started: its summary and what it said that the
// previous run had not.
type ranRun struct {
	summary *watch.Summary
	news    runNews
	// orders are the waiting orders' figures, if ordersRead: read after the
	// run, or tried (nil then, and not tried again on the same grace).
	orders     []store.OrderStats
	ordersRead bool
}

// afterTheRun is what check-pending's statements after its run share:
// they are the command's, outside the run's own watch on a database that
// hangs (watch.Run), and are awaited (awaitAfterTheRun).
type afterTheRun struct {
	st     *store.Store
	giveUp time.Duration // 0: reportGrace + readStopGrace
	// silence: a statement was given up on, and what follows is not tried.
	silence error
}

// awaitAfterTheRun runs one of check-pending's statements after its run on
// reportGrace, a signal or not (what the run did is worth recording), and
// waits for it readStopGrace longer, for a cancel the server answers
// (awaitDatabase). Once one met a silent connection, the rest are not
// tried: the run's work is done, and the process must end.
func awaitAfterTheRun[T any](ctx context.Context, after *afterTheRun, work func(context.Context) (T, error)) (T, error) {
	var none T
	if after.silence != nil {
		// Said again in full: under -q the first may have gone unsaid.
		return none, fmt.Errorf("not tried, as a statement before it met this: %w", after.silence)
	}
	unstopped := context.WithoutCancel(ctx)
	bounded, cancel := context.WithTimeout(unstopped, reportGrace)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	r, within, ok := awaitDatabase(unstopped, cmp.Or(after.giveUp, reportGrace+readStopGrace), func() result {
		v, err := work(bounded)
		return result{v, err}
	})
	if !ok {
		after.silence = silence(after.st, within, "the run had ended, and what it saved stays saved")
		return none, after.silence
	}
	return r.v, r.err
}

// finishRun writes the metrics file and records the run in zwatch_runs,
// and returns the error check-pending exits with: err, or a fatal error if
// the metrics file could not be written. The run is recorded with that
// final status. after and ran are nil when the run could not start.
// Failing to record, or a database that leaves it unanswered, is logged
// but does not change the exit status: the orders were handled all the
// same.
func (opts *CheckPendingOptions) finishRun(ctx context.Context, cfg watch.Config, after *afterTheRun, started time.Time, ran *ranRun, err error) error {
	logger := cfg.Logger

	metricsLost := false
	if opts.MetricsFile != "" {
		m := metrics.Run{Started: started, Finished: time.Now(), ExitStatus: exitStatus(err)}
		if ran != nil {
			m.Summary, m.StillFailing, m.Orders = ran.summary, ran.news.carried, ran.orders
			if !ran.ordersRead {
				orders, serr := awaitAfterTheRun(ctx, after, func(ctx context.Context) ([]store.OrderStats, error) {
					orders, _, err := after.st.OrderStats(ctx, store.StatsParams{FirstDelay: cfg.FirstDelay, LearnedFirstChecks: cfg.Learn})
					return orders, err
				})
				if serr != nil {
					logger.Warn("pending orders are left out of the metrics file", "err", serr)
				}
				m.Orders = orders
			}
		}
		if werr := metrics.WriteFile(opts.MetricsFile, m); werr != nil {
			switch exitStatus(err) {
			case ExitOK, ExitAttention:
				// Exit 1 over 3: what the metrics say, and the alerts that
				// read them, is stale, and nothing else tells. (The notes
				// of a run that exits 3 are out already.)
				err, metricsLost = fatal(werr), true
			default:
				logger.Error("the metrics file was not written", "err", werr)
			}
		}
	}
	if ran != nil && !ran.summary.DryRun {
		record := ran.summary.Record(exitStatus(err), err)
		watch.RecordBeliefs(record.Panels, ran.news.carried, ran.news.letGo)
		switch note := attentionNote(ran.summary, ran.news); {
		case record.Error == "":
			record.Error = note
		case metricsLost && note != "":
			// The run itself went through: the panels it found failing
			// lead, for the next run to read (readPreviouslyFailing).
			record.Error = note + "; and " + record.Error
		}
		_, rerr := awaitAfterTheRun(ctx, after, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, after.st.RecordRun(ctx, record)
		})
		if rerr != nil {
			logger.Warn("the run could not be recorded for zwatch stats", "err", rerr)
		}
	}
	return err
}

// What -q says once: each run records what it found of each panel, and
// the next reads which panels the last runs leave failing
// (watch.FailingBefore), and mentions a failing panel only when it was
// not failing before, and a panel that answers again once.

// runsReadForFailing is how many of the last runs readPreviouslyFailing
// reads: a panel none of them asked is taken for what the newest believed,
// and after as many failed runs in a row, every failing panel is said
// again.
const runsReadForFailing = 30

// previousFailing is what the previous runs said was failing.
type previousFailing struct {
	known bool              // a previous run was read
	ids   map[string]string // failing integration id -> name, of those still enabled
}

// beforeTheRun is what check-pending reads before its run.
type beforeTheRun struct {
	previous previousFailing
	// unanswered are the panels earlier runs left without an answer
	// (watch.UnansweredBefore); nil when they could not be read.
	unanswered map[string]string
	// refused are the orders the panels refused in a row since their last
	// answer (watch.RefusedBefore).
	refused map[string][]string
	due     int // orders due now, at most --batch, for the progress line; 0 unknown
}

// readBeforeTheRun checks that zwatch's migrations are there and reads
// what the previous runs found failing, and with countDue how many orders
// are due. These statements are the command's, outside the run's own
// watch on a database that hangs (watch.Run): they are awaited
// (awaitDatabase) for startHangs, or readStopGrace after a signal, so that
// a connection held open and silent from the start does not keep cron's
// runs waiting for ever, one more every minute.
func (opts *CheckPendingOptions) readBeforeTheRun(ctx context.Context, st *store.Store, cfg watch.Config, countDue bool) (beforeTheRun, error) {
	type read struct {
		newer   []int64 // migrations a newer zwatch applied
		before  beforeTheRun
		unknown error // why the previous runs are not known
		err     error
	}
	r, within, ok := awaitDatabase(ctx, cmp.Or(opts.readGiveUp, startHangs), func() read {
		newer, err := st.RequireMigrated(ctx)
		if err != nil {
			return read{err: fatal(err)}
		}
		r := read{newer: newer}
		r.before.previous, r.unknown = readPreviouslyFailing(ctx, st)
		// A dry run too: it tells what the run after it would find.
		if verdicts, err := st.PanelVerdictsSince(ctx, watch.UnansweredWithin); err != nil {
			r.unknown = errors.Join(r.unknown, err)
		} else {
			r.before.unanswered = watch.UnansweredBefore(verdicts)
			r.before.refused = watch.RefusedBefore(verdicts)
		}
		if countDue {
			// Due as the run sees it: an order sent within --first-delay is not.
			if _, total, err := st.OrderStats(ctx, store.StatsParams{FirstDelay: cfg.FirstDelay, LearnedFirstChecks: cfg.Learn}); err == nil {
				r.before.due = min(total.Due, cfg.Batch)
			}
		}
		return r
	})
	if !ok {
		return beforeTheRun{}, silentDatabase(st, within, "no order was claimed and no panel asked, and the next run tries again")
	}
	opts.warnNewer(r.newer)
	if r.unknown != nil {
		cfg.Logger.Warn("the previous runs could not be read; every failing panel is reported", "err", r.unknown)
	}
	return r.before, r.err
}

// readPreviouslyFailing reads which panels the last recorded runs found
// failing. A run that failed (exit 1: a lock on the shop's table, the
// database gone, the metrics file) may not have asked any panel: it
// tells only what it recorded. A dry run reads them too, so that it says
// and exits as the run it foresees: a panel still failing, or answering
// again (helper-351). A run that cannot tell says everything, and unknown
// says why, for the caller to log: this runs awaited (readBeforeTheRun),
// and writes nothing itself.
func readPreviouslyFailing(ctx context.Context, st *store.Store) (prev previousFailing, unknown error) {
	runs, err := st.LastRuns(ctx, runsReadForFailing)
	if err != nil {
		return previousFailing{}, err
	}
	read := len(runs)
	runs = slices.DeleteFunc(runs, func(r store.Run) bool {
		return r.ExitStatus == ExitFatal && len(r.Panels) == 0 && !strings.HasPrefix(r.Error, watch.FailingNotePrefix)
	})
	if read > 0 && len(runs) == 0 {
		// Every run read failed: what the panels did is not known.
		return previousFailing{}, nil
	}
	prev = previousFailing{known: true, ids: map[string]string{}}
	failing := watch.FailingBefore(runs)
	if len(failing) == 0 {
		return prev, nil
	}
	integrations, err := st.ZnetIntegrations(ctx)
	if err != nil {
		return previousFailing{}, fmt.Errorf("telling which panels failed in them: %w", err)
	}
	for _, in := range integrations {
		if in.Enabled && failing[in.ID] {
			prev.ids[in.ID] = in.Name
		}
	}
	return prev, nil
}

// reportTurnWait is how long a run waits for another to finish reporting
// (store.TakeRunReportTurn): a report is a few statements, and a run that
// waits longer says what it found as the runs it read at its start left it.
// reportTurnHeld is the most a run holds the turn: one stopped while it has
// it (SIGKILL, a host lost) keeps the runs after it waiting no longer.
// The wait leaves the re-read of the runs 4 s of the 10 s its statement
// has (reportGrace); a run that holds the turn past a minute has spent
// the grace of each of its statements after the run.
const (
	reportTurnWait = 6 * time.Second
	reportTurnHeld = time.Minute
)

// takeReportTurn waits for the run's turn to report, and reads again, with
// it, what the runs recorded before it found failing: a run that ended
// together with another, and began before it recorded, read nothing of it
// at its start. ok is false where that is not known (the turn not had, or
// the runs not read): the run then reports against its first read, and
// says so at info level only, as the cost is a note said twice and a
// database gone at the end says so in lines of its own. The turn, nil or
// not, is given up once the run is recorded (giveUpReportTurn).
func (opts *CheckPendingOptions) takeReportTurn(ctx context.Context, after *afterTheRun, cfg watch.Config) (*store.RunReportTurn, previousFailing, bool) {
	type taken struct {
		turn     *store.RunReportTurn
		previous previousFailing
		unknown  error
	}
	t, err := awaitAfterTheRun(ctx, after, func(bounded context.Context) (taken, error) {
		// A signal ends the wait, and a run a signal stopped tries once:
		// a person who pressed Ctrl-C and saw nothing for seconds pressed
		// it again, and the second signal kills the run before it is
		// recorded (helper-348).
		waiting, wait := bounded, reportTurnWait
		if ctx.Err() != nil {
			wait = 0
		} else {
			var stop context.CancelFunc
			waiting, stop = context.WithCancel(bounded)
			defer stop()
			defer context.AfterFunc(ctx, stop)()
		}
		turn, had, err := after.st.TakeRunReportTurn(waiting, wait, reportTurnHeld)
		if err != nil || !had {
			return taken{}, err
		}
		previous, unknown := readPreviouslyFailing(bounded, after.st)
		return taken{turn: turn, previous: previous, unknown: unknown}, nil
	})
	switch {
	case store.GaveUpOnALock(err) || errors.Is(err, store.ErrNoReportTurn):
		// A person's doing, which a person must undo; said as the other
		// locks on zwatch's own tables are.
		cfg.Logger.Warn("the turn to report could not be taken; this run's notes may repeat another run's", "err", err)
	case err != nil:
		cfg.Logger.Info("the runs recorded meanwhile could not be read; this run's notes may repeat theirs", "err", err)
	case t.turn == nil:
		cfg.Logger.Info("the turn to report did not come within " + reportTurnWait.String() + "; this run's notes may repeat another run's")
	case t.unknown != nil:
		cfg.Logger.Info("the runs recorded meanwhile could not be read; this run's notes may repeat theirs", "err", t.unknown)
	}
	return t.turn, t.previous, t.turn != nil && t.unknown == nil
}

// giveUpReportTurn ends the run's turn to report, once it is recorded; one
// that cannot be given up ends by itself reportTurnHeld after it began.
func giveUpReportTurn(ctx context.Context, after *afterTheRun, cfg watch.Config, turn *store.RunReportTurn) {
	if turn == nil {
		return
	}
	if _, err := awaitAfterTheRun(ctx, after, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, after.st.GiveUpRunReportTurn(ctx, turn)
	}); err != nil {
		cfg.Logger.Info("the turn to report ends by itself within "+reportTurnHeld.String(), "err", err)
	}
}

// runNews is what this run says that the previous one had not.
type runNews struct {
	newlyFailing map[string]bool   // integration ids
	recovered    []string          // names of panels failing before that answered in this run
	carried      map[string]string // failing before and not asked in this run: id -> name
	letGo        map[string]bool   // failing before, and let go: no order of theirs waits
	asked        map[string]bool   // the integrations this run had orders of
	refusedOnly  map[string]string // carried, and only refused requests in this run: id -> the refusal
}

func compareWithPrevious(prev previousFailing, s *watch.Summary) runNews {
	news := runNews{newlyFailing: map[string]bool{}, carried: map[string]string{}, letGo: map[string]bool{}, asked: map[string]bool{},
		refusedOnly: map[string]string{}}
	asked := news.asked
	for _, in := range s.Integrations {
		asked[in.ID] = true
		_, before := prev.ids[in.ID]
		switch {
		case in.Failing && !before:
			news.newlyFailing[in.ID] = true
		case !in.Failing && before && (in.Counts.Answered() || in.Answered):
			news.recovered = append(news.recovered, in.Name)
		case !in.Failing && before:
			// Released unasked, or asked too few times to be cut off
			// again and still without an answer (a refusal is none):
			// nothing learnt.
			news.carried[in.ID] = in.Name
			if in.OnlyRefused {
				news.refusedOnly[in.ID] = in.Refusal
			}
		}
	}
	if !prev.known {
		for _, in := range s.FailingIntegrations() {
			news.newlyFailing[in.ID] = true
		}
	}
	for id, name := range prev.ids {
		if !asked[id] {
			news.carried[id] = name
		}
	}
	return news
}

// forgetPanelsNobodyWaitsOn leaves out of carried the panels that have no
// order left waiting: staff decided them, say. Such a panel cannot be
// asked, so it would stay failing, and the exit status 3, until an
// integration was switched off; the next order sent to it will tell. If
// the orders cannot be read, every panel stays. It returns the figures it
// read, for the metrics file. A run a signal stopped still reads them.
// Where the run failed, its own line says what failed (the same lock on the
// shop's table, most likely), and this is no warning of its own: -q keeps
// to that one line.
func (n runNews) forgetPanelsNobodyWaitsOn(ctx context.Context, after *afterTheRun, cfg watch.Config, runFailed bool) []store.OrderStats {
	orders, err := awaitAfterTheRun(ctx, after, func(ctx context.Context) ([]store.OrderStats, error) {
		orders, _, err := after.st.OrderStats(ctx, store.StatsParams{FirstDelay: cfg.FirstDelay, LearnedFirstChecks: cfg.Learn})
		return orders, err
	})
	if err != nil {
		level := slog.LevelWarn
		if runFailed {
			level = slog.LevelInfo
		}
		cfg.Logger.Log(ctx, level, "the waiting orders could not be read: the panels still failing stay so, and the metrics file goes without pending figures", "err", err)
		return nil
	}
	waiting := map[string]bool{}
	for _, o := range orders {
		waiting[o.IntegrationID] = o.Waiting() > 0
	}
	for id := range n.carried {
		if !waiting[id] {
			delete(n.carried, id)
			n.letGo[id] = true
		}
	}
	return orders
}

// pendingJSON is check-pending's summary as -o json writes it.
type pendingJSON struct {
	*watch.Summary
	// StillFailing are the panels that failed before and gave this run no
	// answer: the reason it exits 3 when nothing else is wrong.
	StillFailing []failingPanel `json:"still_failing,omitempty"`
}

// failingPanel is a panel still failing from an earlier run.
type failingPanel struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// stillFailing is news.carried by name: the panels that failed before and
// that this run learnt nothing new of.
func (n runNews) stillFailing() []failingPanel {
	var out []failingPanel
	for id, name := range n.carried {
		why := "none of its orders was due"
		if refusal, ok := n.refusedOnly[id]; ok {
			why = "only refusals: " + refusal
		} else if n.asked[id] {
			why = "too few of its orders were asked to tell"
		}
		out = append(out, failingPanel{ID: id, Name: name, Reason: why})
	}
	slices.SortFunc(out, func(a, b failingPanel) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out
}

// worthSaying is true when -q should print the summary.
func (n runNews) worthSaying(s *watch.Summary) bool {
	return len(n.newlyFailing) > 0 || len(n.recovered) > 0 || s.Total.Stuck > 0 || len(s.Unsaved) > 0 || len(s.Unconfirmed) > 0 || len(s.PINKept) > 0 || len(s.PINNotStored) > 0 || len(s.CancelledHoldingPIN) > 0 ||
		len(s.ShopHeld) > 0 || len(s.RowHeld) > 0 || len(s.Unusable) > 0 || s.ReleasedWithoutBudget() || // said in every run that meets it, as its warning is
		len(s.TookOver) > 0 // said by the one run that takes each order over
}

// unusableGroup is the orders one reason made unusable answers of, named
// as "order A" or "orders A, B and 3 more".
type unusableGroup struct {
	reason, orders string
	many           bool
}

// ordersNamedEach is how many orders of one kind (stuck, a PIN kept or
// not stored whole, a row the shop holds, cancelled holding a PIN) a run's
// text gives a line each. A panel that said "waiting" for a day makes
// hundreds stuck in one run, and a mail of a line each is one nobody reads
// to its end: the rest are counted in one line, which says where to find
// them; -o json names them all.
const ordersNamedEach = 20

// aLineEach adds line(id) to notes for the first ordersNamedEach of ids,
// and more(n) for the n after them, if any.
func aLineEach(notes, ids []string, line func(id string) string, more func(n int) string) []string {
	for _, id := range ids[:min(len(ids), ordersNamedEach)] {
		notes = append(notes, line(id))
	}
	if n := len(ids) - ordersNamedEach; n > 0 {
		notes = append(notes, more(n))
	}
	return notes
}

// unusableOrdersNamed is how many of a reason's orders its line names; -o
// json names them all.
const unusableOrdersNamed = 5

func unusableByReason(s *watch.Summary) []unusableGroup {
	byReason := map[string][]string{}
	var reasons []string
	for _, a := range s.Unusable {
		if _, seen := byReason[a.Reason]; !seen {
			reasons = append(reasons, a.Reason)
		}
		byReason[a.Reason] = append(byReason[a.Reason], namedOrder(s, a.OrderID))
	}
	sort.Strings(reasons)
	groups := make([]unusableGroup, 0, len(reasons))
	for _, reason := range reasons {
		ids := byReason[reason]
		named := "order " + ids[0]
		if len(ids) > 1 {
			shown := ids[:min(len(ids), unusableOrdersNamed)]
			named = "orders " + strings.Join(shown, ", ")
			if more := len(ids) - len(shown); more > 0 {
				named += fmt.Sprintf(" and %d more", more)
			}
		}
		groups = append(groups, unusableGroup{reason: reason, orders: named, many: len(ids) > 1})
	}
	return groups
}

// namedOrder is an order a note names, as a person finds it: by its
// number in the shop and its referans on the dealer panel, where the note
// sends them, beside its id; the id alone where the run did not keep them.
func namedOrder(s *watch.Summary, id string) string {
	name, ok := s.Named[id]
	switch {
	case !ok:
		return id
	case name.OrderNo == nil:
		return fmt.Sprintf("%s (referans %s)", id, inLine(name.Referans))
	}
	return fmt.Sprintf("%d (%s, referans %s)", *name.OrderNo, id, inLine(name.Referans))
}

// attentionNote is what the run records, for a person reading zwatch stats,
// of why it needed one: its failing panels, then what else made it exit
// 3. Empty when nothing did.
func attentionNote(s *watch.Summary, news runNews) string {
	panels := map[string]string{}
	maps.Copy(panels, news.carried)
	for _, in := range s.FailingIntegrations() {
		panels[in.ID] = in.Name
	}
	var parts []string
	if note := watch.FailingNote(panels); note != "" {
		parts = append(parts, note)
	}
	noBudget := 0
	for _, in := range s.Integrations {
		noBudget += in.NoBudget
	}
	for _, n := range []struct {
		count       int
		one, plural string
	}{
		{s.Total.Stuck, "order became stuck", "orders became stuck"},
		{len(s.Unusable), "answer could not be used", "answers could not be used"},
		{len(s.Unsaved), "answer was not saved", "answers were not saved"},
		{len(s.Unconfirmed), "answer's save is unconfirmed", "answers' saves are unconfirmed"},
		{len(s.PINKept), "order kept a PIN of its own", "orders kept a PIN of their own"},
		{len(s.PINNotStored), "completed order's row lacks its PIN whole", "completed orders' rows lack their PIN whole"},
		{len(s.CancelledHoldingPIN), "cancelled order holds a PIN", "cancelled orders hold a PIN"},
		{len(s.ShopHeld), "order's row is held by the shop", "orders' rows are held by the shop"},
		{len(s.RowHeld), "due order's row of zwatch_order_checks is held", "due orders' rows of zwatch_order_checks are held"},
		{noBudget, "order was released for want of budget", "orders were released for want of budget"},
	} {
		switch {
		case n.count == 1:
			parts = append(parts, "1 "+n.one)
		case n.count > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n.count, n.plural))
		}
	}
	return strings.Join(parts, "; ")
}

// progressLine is a long run's progress on a terminal: one line on stderr
// that it owns. Log lines are written through it, so that each clears the
// line, appears above it, and the line is drawn again below. The count is of
// a fixed whole: the orders due when the run started (at most --batch), or
// with --loop the loop's time.
type progressLine struct {
	mu       sync.Mutex
	w        io.Writer
	loop     time.Duration
	started  time.Time
	expected int // orders due at the start, at most --batch; 0 unknown
	last     watch.Progress
	shown    string
	stop     chan struct{}
	stopped  sync.WaitGroup
}

func newProgressLine(w io.Writer, cfg watch.Config) *progressLine {
	return &progressLine{w: w, loop: cfg.Loop, started: time.Now()}
}

// start redraws the line every second, so that the time and the ETA move
// while a panel is slow; due is how many orders a single run expects to
// ask (readBeforeTheRun), 0 if unknown.
func (p *progressLine) start(due int) {
	p.expected = due
	p.started = time.Now()
	p.stop = make(chan struct{})
	p.stopped.Add(1)
	go func() {
		defer p.stopped.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
				p.mu.Lock()
				p.draw(time.Now())
				p.mu.Unlock()
			}
		}
	}()
}

// show takes a new count from the run.
func (p *progressLine) show(pr watch.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = pr
	p.draw(time.Now())
}

// end erases the line before the summary is printed.
func (p *progressLine) end() {
	if p.stop != nil {
		close(p.stop)
		p.stopped.Wait()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown != "" {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.shown = ""
	p.stop = nil
}

// Write is a log line: above the progress line, which is drawn again.
func (p *progressLine) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown != "" {
		fmt.Fprint(p.w, "\r\033[K")
	}
	n, err := p.w.Write(b)
	if p.shown != "" {
		fmt.Fprint(p.w, p.shown)
	}
	return n, err
}

// draw writes the line for now; the caller holds p.mu. A single claim
// with nothing due draws nothing.
func (p *progressLine) draw(now time.Time) {
	text := p.text(now)
	if text == "" {
		return
	}
	p.shown = "\r\033[K" + text
	fmt.Fprint(p.w, p.shown)
}

// text is e.g. "asked 40/200: 38 completed, 2 errors; about 0:12 left", or
// with --loop "0:12 of 0:58: asked 40: 38 completed, 2 errors, 3 waiting
// for an answer".
func (p *progressLine) text(now time.Time) string {
	pr := p.last
	if pr.Claimed == 0 && p.expected == 0 && p.loop == 0 {
		return ""
	}
	elapsed := now.Sub(p.started)
	counts := fmt.Sprintf("%d completed, %s", pr.Completed, counted(pr.Errors, "error", "errors"))
	open := pr.Claimed - pr.Done
	var eta time.Duration
	if pr.Done > 0 {
		eta = time.Duration(float64(elapsed) / float64(pr.Done) * float64(open))
	}
	if p.loop > 0 {
		left := max(p.loop-elapsed, 0)
		line := fmt.Sprintf("  %s of %s: asked %d: %s, %d waiting for an answer",
			clock(min(elapsed, p.loop)), clock(p.loop), pr.Done, counts, open)
		if left == 0 && open > 0 {
			line += fmt.Sprintf("; about %s left", clock(eta))
		}
		return line
	}
	whole := max(p.expected, pr.Claimed)
	if pr.Done > 0 {
		eta = time.Duration(float64(elapsed) / float64(pr.Done) * float64(whole-pr.Done))
	}
	line := fmt.Sprintf("  asked %d/%d: %s", pr.Done, whole, counts)
	if pr.Done > 0 && pr.Done < whole {
		line += fmt.Sprintf("; about %s left", clock(eta))
	}
	return line
}

// clock is a duration as m:ss.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
