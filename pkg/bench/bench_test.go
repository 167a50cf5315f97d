//go:build bench

// Package bench is zwatch's end-to-end benchmarks (issues 5 and 6): the
// binary that make built, run as cron runs it, against a throwaway
// PostgreSQL and fake znet panels. `make bench` runs it, prints the figures
// and writes them to BENCHMARKS.md at the repository's root.
//
// It measures; it never fails on timing. It fails only when a figure could
// not be trusted: an order asked about twice where once was due, orders
// left unanswered, a run that exited with an error.
//
// The build tag keeps it out of `go test ./...` and `make test`:
//
//	go test -tags bench -run Bench -count=1 -timeout 120m -v ./pkg/bench [-args -quick]
package bench

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	quickFlag = flag.Bool("quick", false,
		"small sizes and a faster clock, to try the harness in a few minutes; the figures mean little and BENCHMARKS.md is left alone unless -out is given")
	outFlag = flag.String("out", "",
		"write the report to this file (default: BENCHMARKS.md at the repository's root, on a full run of every section)")
	onlyFlag = flag.String("only", "",
		"comma-separated sections to run: "+strings.Join(sectionNames(), ", ")+" (default all); a partial run writes no report unless -out is given")
	binFlag = flag.String("zwatch", "",
		"the zwatch binary to measure (default: bin/zwatch at the repository's root, as `make build` leaves it)")
	waitingFlag = flag.String("waiting", "",
		"comma-separated counts of waiting orders the dbload section measures (default 0,2000,10000,50000)")
	scenariosFlag = flag.String("scenarios", "",
		"comma-separated keys of the scheduler scenarios the sched section runs: "+strings.Join(schedKeys(), ", ")+" (default all)")
	pinScaleFlag = flag.Float64("pin-scale", 0,
		"divide every duration of the PIN-latency simulation by this factor (default 40, or 120 with -quick)")
	schedSeedFlag = flag.Uint64("sched-seed", 0,
		"draw the scheduler scenarios' orders and history from this seed instead of 11, to see how much a figure owes to one sample")
)

// section is one part of the report.
type section struct {
	name string
	run  func(t *testing.T, h *harness)
}

var sections = []section{
	{"throughput", benchThroughput},
	{"tablesize", benchTableSize},
	{"scaleout", benchScaleOut},
	{"pin", benchPINLatency},
	{"budget", benchBudget},
	{"dbload", benchDBLoad},
	{"sched", benchSched},
}

func sectionNames() []string {
	var names []string
	for _, s := range sections {
		names = append(names, s.name)
	}
	return names
}

// harness is what every section shares: the binary under test, the
// report it adds its figures to, and the sizes to use.
type harness struct {
	bin    string
	quick  bool
	report *report
}

func TestBench(t *testing.T) {
	only := selectedSections(t)
	h := &harness{bin: zwatchBinary(t), quick: *quickFlag}
	h.report = &report{machine: describeMachine(t, h.bin), quick: h.quick}
	t.Logf("measuring %s", h.bin)

	complete := true
	for _, s := range sections {
		if only != nil && !slices.Contains(only, s.name) {
			complete = false
			continue
		}
		if !t.Run(s.name, func(t *testing.T) { s.run(t, h) }) {
			// The report still shows what was measured, and says which
			// section did not finish cleanly.
			h.report.failed = append(h.report.failed, s.name)
		}
	}
	h.report.finished = time.Now()

	text := h.report.markdown()
	fmt.Println(text)

	out := *outFlag
	switch {
	case out != "":
	case complete && !h.quick:
		out = filepath.Join(repoRoot(t), "BENCHMARKS.md")
	default:
		t.Log("BENCHMARKS.md left alone: not a full run (see -out)")
		return
	}
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		t.Fatalf("writing the report: %v", err)
	}
	t.Logf("report written to %s", out)
}

func selectedSections(t *testing.T) []string {
	if *onlyFlag == "" {
		return nil
	}
	var only []string
	for _, name := range strings.Split(*onlyFlag, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(sectionNames(), name) {
			t.Fatalf("-only %q: no section %q; the sections are %s", *onlyFlag, name, strings.Join(sectionNames(), ", "))
		}
		only = append(only, name)
	}
	return only
}

// zwatchBinary is the binary to measure. It is the one make built, not one
// built here, so that what is measured is what ships.
func zwatchBinary(t *testing.T) string {
	t.Helper()
	bin := *binFlag
	if bin == "" {
		bin = filepath.Join(repoRoot(t), "bin", "zwatch")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no zwatch binary to measure at %s (%v): run `make bench`, which builds it, or `make build` first", bin, err)
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}
