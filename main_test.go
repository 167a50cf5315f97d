package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The binary an operator installs (go build ., go install) carries
// production code only: no fake panels, no test helpers, no demo and no
// benchmark SQL. make test runs the suite with -tags demo, so this asks the
// go command about the build without tags.
func TestInstalledBinaryCarriesNoDemoOrTestCode(t *testing.T) {
	deps := goList(t, "-deps", "-f", "{{.ImportPath}}", ".")
	if !slices.Contains(deps, "github.com/zwatch/zwatch/cmd") {
		t.Fatalf("go list -deps . does not list zwatch's cmd package; got:\n%s", strings.Join(deps, "\n"))
	}
	for _, dep := range deps {
		if dep == "testing" || dep == "net/http/httptest" || (strings.HasPrefix(dep, "github.com/zwatch/") && strings.HasSuffix(dep, "test")) {
			t.Errorf("the installed binary links %s", dep)
		}
	}

	// Files that only the demo (-tags demo) or the benchmarks (-tags bench)
	// build must not be in the packages the binary links.
	files := goList(t, "-f", `{{range .GoFiles}}{{$.ImportPath}}/{{.}}{{"\n"}}{{end}}`, "./cmd", "./pkg/store")
	for _, demoOnly := range []string{
		"github.com/zwatch/zwatch/cmd/demo.go",
		"github.com/zwatch/zwatch/pkg/store/demo.go",
		"github.com/zwatch/zwatch/pkg/store/explain.go",
	} {
		if slices.Contains(files, demoOnly) {
			t.Errorf("the installed binary compiles %s", demoOnly)
		}
	}
	if !slices.Contains(files, "github.com/zwatch/zwatch/cmd/demo_off.go") {
		t.Errorf("the installed binary should compile cmd/demo_off.go; it compiles:\n%s", strings.Join(files, "\n"))
	}
}

// goList runs go list for the build without tags, whatever GOFLAGS says,
// and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to inspect the build: %v", err)
	}
	c := exec.Command(goCmd, append([]string{"list", "-tags="}, args...)...)
	c.Env = append(os.Environ(), "GOFLAGS=")
	out, err := c.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.Fields(string(out))
}
