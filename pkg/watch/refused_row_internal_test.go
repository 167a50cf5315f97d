package watch

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
)

// An answer refused for what its row holds waits 30 s before its next try
// (keepForLater) also when the shop's PINs could not be read to mask the
// refusal's words, which are then withheld and unwrap to nothing.
func TestRefusedTheRowSeesThroughWithheldWords(t *testing.T) {
	raised := fmt.Errorf("saving: %w", &pq.Error{Code: "P0001", Message: "the shop refuses this order"})
	for name, c := range map[string]struct {
		err  error
		want bool
	}{
		"a trigger's exception":                {raised, true},
		"its words withheld":                   {refusalWithheld{readErr: errors.New("timeout"), rowRefused: true}, true},
		"a grant missing, its words withheld":  {refusalWithheld{readErr: errors.New("timeout")}, false},
		"a lock given up on":                   {&pq.Error{Code: "55P03"}, false},
		"a refusal of every row, not withheld": {&pq.Error{Code: "42501"}, false},
	} {
		if got := refusedTheRow(c.err); got != c.want {
			t.Errorf("%s: refusedTheRow = %v, want %v", name, got, c.want)
		}
	}
}
