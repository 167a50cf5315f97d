package store

import "testing"

// A dry run predicts a PIN kept exactly where the apply keeps it: the order
// holds a PIN (white space is none) and znet's is another (white space
// only is none either).
func TestKeepsOwnPINAsTheApplyDecides(t *testing.T) {
	for _, c := range []struct {
		own, znets string
		kept       bool
	}{
		{"AB12", "CD34", true},
		{" AB12\t", "AB12", false},
		{" \n", "CD34", false},
		{"AB12", " \t", false},
		{"", "CD34", false},
	} {
		if got := KeepsOwnPIN(c.own, c.znets); got != c.kept {
			t.Errorf("KeepsOwnPIN(%q, %q) = %v, want %v", c.own, c.znets, got, c.kept)
		}
	}
}
