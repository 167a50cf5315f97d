package cmd

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print zwatch's version: module version, VCS revision and Go version",
		Long: `Print the version of this zwatch binary, read from its build information:
the module version (a release tag for 'go install ...@vX.Y.Z', (devel) for
a build from a checkout), the VCS revision and its time, whether the checkout
had uncommitted changes, and the Go version it was built with.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := io.WriteString(c.OutOrStdout(), "zwatch "+versionLine()+"\n")
			return err
		},
	}
}

// setVersion gives the root command --version, saying what `version` says.
func setVersion(root *cobra.Command) {
	root.Version = versionLine()
	root.SetVersionTemplate("zwatch {{.Version}}\n")
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
