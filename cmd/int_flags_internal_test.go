package cmd

import (
	"io"
	"testing"
)

// A whole number on the command line is read in base 10, as an operator
// writes it: pflag's own int read "010" as octal 8, so --per-integration
// 010 let eight requests in flight, and took "0x10" and "1_0" (a bad-input
// adversary's find).
func TestWholeNumberFlagsAreDecimal(t *testing.T) {
	root := NewRootCmd(IOStreams{Out: io.Discard, ErrOut: io.Discard})
	for _, path := range [][]string{
		{"check-pending", "batch"}, {"check-pending", "concurrency"}, {"check-pending", "per-integration"},
		{"balance", "concurrency"}, {"list", "limit"}, {"stats", "runs"},
	} {
		c, _, err := root.Find(path[:1])
		if err != nil {
			t.Fatal(err)
		}
		f := c.Flags().Lookup(path[1])
		if f == nil {
			t.Fatalf("%s has no --%s", path[0], path[1])
		}
		if err := f.Value.Set("010"); err != nil || f.Value.String() != "10" {
			t.Errorf("%s --%s 010: %q, %v; want 10", path[0], path[1], f.Value.String(), err)
		}
		for _, bad := range []string{"0x10", "1_0", "0o10", "0b10"} {
			if err := f.Value.Set(bad); err == nil {
				t.Errorf("%s --%s %s was taken as %s", path[0], path[1], bad, f.Value.String())
			}
		}
		if f.Value.Type() != "int" {
			t.Errorf("%s --%s is of type %q, want int (its help and errors say so)", path[0], path[1], f.Value.Type())
		}
	}
}
