package store

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

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

// The columns whose keys decide the lock on the shop's rows
// (shopColumnsWritten) are the ones the apply sets: a column added to the
// update and missing there would, keyed by a unique index, wait for the
// shop again.
func TestTheColumnsTheApplyWritesAreKnown(t *testing.T) {
	update := applySQL[strings.Index(applySQL, "UPDATE product_orders o"):]
	update = update[:strings.Index(update, "\n\tFROM prev")]
	var set []string
	for _, m := range regexp.MustCompile(`(?m)^\t(?:SET |\t)"?(\w+)"? = `).FindAllStringSubmatch(update, -1) {
		set = append(set, m[1])
	}
	if !slices.Equal(set, shopColumnsWritten) {
		t.Errorf("the apply sets %q; shopColumnsWritten is %q", set, shopColumnsWritten)
	}
}
