//go:build !demo

package cmd

import "github.com/spf13/cobra"

// demoCommands is empty in the binary an operator installs: the demo, its
// fake panels (net/http/httptest, znettest) and its seeding SQL are built
// only with -tags demo, as make demo builds bin/zwatch-demo (see demo.go).
func demoCommands(*GlobalOptions) []*cobra.Command { return nil }
