// Command testsum reads `go test -json` on stdin and writes what plain
// `go test` would (each package's ok/FAIL line, and the output of tests
// that failed), then one line that counts the tests:
//
//	tests: 1687 passed, 0 failed
//
// It exits 1 when a test or a package failed, so that `make test` fails.
// It lives under testdata so that `go test ./...` and `go vet ./...` leave
// it alone; `make test` builds it into bin/testsum and pipes to it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	passed, failed, skipped := 0, 0, 0
	packageFailed := false
	// The output of each test that is still running, shown if it fails.
	running := map[string][]string{}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for in.Scan() {
		line := in.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			// Not JSON: a build error or the like, printed as it came.
			fmt.Println(string(line))
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Test == "" && e.Action == "output":
			// The package's own lines: ok, FAIL, panics, build errors.
			if !strings.HasPrefix(e.Output, "PASS\n") && !strings.HasPrefix(e.Output, "FAIL\n") {
				fmt.Print(e.Output)
			}
		case e.Test == "" && e.Action == "fail":
			// A package that failed outside a test's verdict (a timeout, a
			// panic, a race report after its tests) may leave the output of
			// its tests still running: show it, so that the failure can be
			// read from this log alone.
			packageFailed = true
			for k, lines := range running {
				if strings.HasPrefix(k, e.Package+" ") {
					fmt.Print(strings.Join(lines, ""))
					delete(running, k)
				}
			}
			fmt.Printf("FAIL\t%s\n", e.Package)
		case e.Test == "":
			// A package's pass, or its skip when it has no test files.
		case e.Action == "output":
			running[key] = append(running[key], e.Output)
		case e.Action == "pass":
			passed++
			delete(running, key)
		case e.Action == "skip":
			skipped++
			delete(running, key)
		case e.Action == "fail":
			failed++
			fmt.Print(strings.Join(running[key], ""))
			delete(running, key)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(1)
	}
	// "N passed, N failed" after one word and a colon is the closing line
	// CI reads in any language; with -json, go test's own is not printed.
	summary := fmt.Sprintf("tests: %d passed, %d failed", passed, failed)
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped", skipped)
	}
	fmt.Println(summary)
	if failed > 0 || packageFailed {
		os.Exit(1)
	}
}
