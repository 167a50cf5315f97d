package cmd

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// VersionOptions are `zwatch version`'s: it has no flags of its own, and
// writes to the global options' output.
type VersionOptions struct {
	*GlobalOptions
}

func newVersionCmd(g *GlobalOptions) *cobra.Command {
	opts := &VersionOptions{GlobalOptions: g}
	return &cobra.Command{
		Use:   "version",
		Short: "Print zwatch's version: module version, VCS revision and Go version",
		Long: `Print the version of this zwatch binary, read from its build information:
the module version (a release tag for 'go install ...@vX.Y.Z'; for a build
from a git checkout, a pseudo-version made of the commit's time and hash, or
(devel) where the build recorded no version control), the VCS revision and
its time, whether the checkout had uncommitted changes, and the Go version
it was built with. It reads no database.`,
		Example: `  zwatch version
  zwatch --version`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return runVersion(opts) },
	}
}

func runVersion(opts *VersionOptions) error {
	_, err := io.WriteString(opts.IO.Out, "zwatch "+versionLine()+"\n")
	return err
}

// setVersion gives the root command --version, saying what `version` says.
func setVersion(root *cobra.Command) {
	root.Version = versionLine()
	root.SetVersionTemplate("zwatch {{.Version}}\n")
	// Defined now, not when cobra runs the command line: looking for the
	// command first, it took the word after an unknown --version for its
	// value, and "zwatch --version extra" printed the version, exit 0.
	root.InitDefaultVersionFlag()
}

// versionLine is e.g. "v1.2.0 (revision 3f2a9c4e8b1d, 2026-11-30T09:12:00Z, go1.24.1)".
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown: built without module information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var details []string
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if settings["vcs.modified"] == "true" {
			rev += "+uncommitted changes"
		}
		details = append(details, "revision "+rev)
	}
	if at := settings["vcs.time"]; at != "" {
		details = append(details, at)
	}
	if len(details) == 0 {
		details = append(details, "no VCS revision: built outside a checkout or with -buildvcs=false")
	}
	details = append(details, info.GoVersion)
	return fmt.Sprintf("%s (%s)", version, strings.Join(details, ", "))
}
