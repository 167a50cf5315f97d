package watch

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store"
)

// The lines that say which answers were lost: one per cause, whatever the
// size of the batch each failed in; an answer never tried (the database
// went away before its batch) has a cause too; a PIN the database's
// message quotes is masked.
func TestUnsavedAnswersAreOneLinePerCause(t *testing.T) {
	denied := errors.New("pq: permission denied for sequence zwatch_order_events_id_seq")
	trigger := errors.New(`pq: shop trigger refuses pinCode "AB12-CD34-EF56-GH78"`)
	unsaved := func(id string, err error, pin string) *pendingAnswer {
		return &pendingAnswer{
			answer:  answer{order: store.Order{ID: id}},
			outcome: store.Outcome{PIN: pin},
			lastErr: err,
		}
	}
	var logged bytes.Buffer
	logUnsaved(slog.New(slog.NewTextHandler(&logged, nil)), []*pendingAnswer{
		unsaved("o1", fmt.Errorf("saving 200 answers: %w", denied), ""),
		unsaved("o2", fmt.Errorf("saving 1 answer: %w", denied), ""),
		unsaved("o3", nil, ""),
		unsaved("o4", nil, ""),
		unsaved("o5", fmt.Errorf("saving 1 answer: %w", trigger), "AB12-CD34-EF56-GH78"),
	})
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3, one per cause:\n%s", len(lines), logged.String())
	}
	for i, want := range []string{"orders=2 ids=\"[o1 o2]\"", "orders=2 ids=\"[o3 o4]\" err=\"not tried", "orders=1 ids=[o5]"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d does not say %s:\n%s", i+1, want, lines[i])
		}
	}
	if strings.Contains(logged.String(), "AB12-CD34-EF56") {
		t.Errorf("a PIN reached the log:\n%s", logged.String())
	}
}
