// Package metrics writes what a check-pending run leaves for Prometheus: a
// file for node_exporter's textfile collector. zwatch runs from cron and
// serves nothing, so this file is how it gets graphed and alerted on.
package metrics

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/watch"
)

// Run is one check-pending run, as the metrics file tells it.
type Run struct {
	Started, Finished time.Time
	ExitStatus        int
	// Summary is nil when the run could not start: the database was
	// unreachable or not migrated.
	Summary *watch.Summary
	// Orders are the waiting and stuck orders of each znet integration
	// after the run; nil when they could not be read.
	Orders []store.OrderStats
	// StillFailing are the integrations (id to name) that were failing
	// before this run and that it did not find answering: it asked them too
	// few times to cut them off again, or not at all. They stay down.
	StillFailing map[string]string
}

// WriteFile writes r to path in Prometheus' text format. path belongs in
// node_exporter's --collector.textfile.directory and ends in .prom. The file
// is written under a temporary name beside it and renamed, so that the
// collector never reads half a file.
//
// Whatever the run could not find out is left out rather than written as
// zero: a run that could not start has no orders by result, no integration_up
// and no pending figures, and the exit status says why.
func WriteFile(path string, r Run) error {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	gaugeVec := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}

	gauge("zwatch_last_run_timestamp_seconds",
		"When the last check-pending run ended, in seconds since the epoch.",
	).Set(float64(r.Finished.UnixMilli()) / 1e3)
	gauge("zwatch_last_run_duration_seconds",
		"How long the last check-pending run took.",
	).Set(r.Finished.Sub(r.Started).Seconds())
	gauge("zwatch_last_run_exit_status",
		"Exit status of the last check-pending run: 0 done, 1 fatal, 2 refused (bad settings, nothing done), 3 done but a person should look (a panel failing, orders stuck, answers not saved or not usable).",
	).Set(float64(r.ExitStatus))

	if s := r.Summary; s != nil {
		orders := gaugeVec("zwatch_last_run_orders",
			"Orders the last run handled, by result. completed, processing, failed, error and overtaken (decided by the shop meanwhile) were asked; "+
				"skipped were released unasked; cut_short were asked and released without an answer, their requests in flight when a signal stopped the run or timed out while the process did not run; "+
				"stuck were given up on, and are counted under their answer too. "+
				"A looping run counts an order again each time it asks or releases it: one asked five times, still waiting, is 5 processing.",
			"result")
		t := s.Total
		for result, n := range map[string]int{
			"completed": t.Completed, "processing": t.Processing, "failed": t.Failed, "error": t.Errors,
			"overtaken": t.Overtaken, "skipped": t.Skipped, "cut_short": t.CutShort, "stuck": t.Stuck,
		} {
			orders.WithLabelValues(result).Set(float64(n))
		}
		taken := 0
		for _, t := range s.TookOver {
			taken += t.Orders
		}
		gauge("zwatch_last_run_orders_taken_over",
			"Orders the last run took over from other runs whose claims on them had lapsed: such a run was killed, lost its host or its database, or was stopped or held up past its lease; a killed run records nothing of itself, and zwatch stats tells which.",
		).Set(float64(taken))
		// Also when the run failed: the panels it asked answered or not
		// all the same, and without the series an alert on a failing
		// panel would clear while the database is down.
		up := gaugeVec("zwatch_integration_up",
			"0 if the last run reported the integration's znet panel failing (cut off, or no usable answer while its orders kept failing or were refused), or a run before did and it has not answered since; 1 otherwise. Only integrations the run had orders for, and those still failing.",
			"integration_id", "integration")
		for _, in := range s.Integrations {
			_, still := r.StillFailing[in.ID]
			up.WithLabelValues(in.ID, labelText(in.Name)).Set(boolValue(!in.Failing && !still))
		}
		// A panel still failing that had no order in this run: without
		// its series, an alert on up == 0 would clear.
		for id, name := range r.StillFailing {
			if !slices.ContainsFunc(s.Integrations, func(in watch.IntegrationSummary) bool { return in.ID == id }) {
				up.WithLabelValues(id, labelText(name)).Set(0)
			}
		}
	}

	if r.Orders != nil {
		// Labelled by id as well as name: names are a tenant's own and may repeat.
		labels := []string{"integration_id", "integration"}
		pending := gaugeVec("zwatch_pending_orders",
			"Orders zwatch still asks znet about (sent, pending or processing, not stuck, of an enabled integration).", labels...)
		oldest := gaugeVec("zwatch_oldest_pending_order_age_seconds",
			"Time since the oldest of those orders was sent; 0 when none is waiting.", labels...)
		stuck := gaugeVec("zwatch_stuck_orders",
			"Orders zwatch gave up on that still wait for znet; a person should look at them.", labels...)
		// Apart, so that switching an integration off does not raise an
		// alert on pending orders that never stops.
		paused := gaugeVec("zwatch_paused_orders",
			"Orders waiting for znet on a disabled integration; zwatch does not ask about them until it is enabled again.", labels...)
		for _, o := range r.Orders {
			pending.WithLabelValues(o.IntegrationID, labelText(o.Name)).Set(float64(o.Waiting()))
			var age float64
			if o.AgeOldest != nil {
				age = *o.AgeOldest
			}
			oldest.WithLabelValues(o.IntegrationID, labelText(o.Name)).Set(age)
			stuck.WithLabelValues(o.IntegrationID, labelText(o.Name)).Set(float64(o.Stuck))
			paused.WithLabelValues(o.IntegrationID, labelText(o.Name)).Set(float64(o.Paused))
		}
	}

	if err := prometheus.WriteToTextfile(path, reg); err != nil {
		return fmt.Errorf("writing the metrics file %s: %w", path, err)
	}
	return nil
}

// ProbeBeside creates and removes a file beside path, named as the
// longest name WriteFile's temporary file may have: path's name and ten
// digits more (os.CreateTemp's random part, which is often shorter, so a
// name near the file system's limit of 255 bytes would pass one probe in
// four and fail the write at the end of the run). The error is the file
// system's own (syscall.ENAMETOOLONG for a name too long, for instance).
func ProbeBeside(path string) error {
	dir, name := filepath.Dir(path), filepath.Base(path)
	var err error
	for range 10000 { // as os.CreateTemp gives up
		var f *os.File
		f, err = os.OpenFile(filepath.Join(dir, fmt.Sprintf("%s%010d", name, rand.Uint32())), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			return os.Remove(f.Name())
		}
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return err
}

// labelText is an integration's name as a label value: a tenant's own
// text, which may hold what a terminal acts on (an escape sequence, a mark
// that reverses the line) and would act on it in `cat zwatch.prom`. Those
// are written as \u001b, which the format's own escaping keeps as text;
// bytes that are not UTF-8, which the client library refuses, as U+FFFD.
func labelText(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if !strings.ContainsFunc(name, actsOnTerminal) {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case actsOnTerminal(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case actsOnTerminal(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// actsOnTerminal: control characters (a newline the format escapes
// itself), line and paragraph separators, format characters (the marks
// that reorder text, the invisible ones), and the others Unicode says to
// ignore when they cannot be shown (a Hangul filler), as cmd escapes them.
func actsOnTerminal(r rune) bool {
	return r != '\n' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
		unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point))
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
