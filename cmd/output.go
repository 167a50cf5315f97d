package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"

	"github.com/zwatch/zwatch/pkg/watch"
)

// outputFormat validates --output.
func outputFormat(s string) error {
	if s != "table" && s != "json" {
		return usage("--output %q: want table or json", s)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable is the one table style of every command.
func newTable(w io.Writer, header ...any) *tablewriter.Table {
	t := tablewriter.NewWriter(w)
	t.Header(header...)
	return t
}

// pinShown is what an operator sees of a PIN: masked unless --show-pin.
func pinShown(pin string, show bool) string {
	if show {
		return pin
	}
	return watch.MaskPIN(pin)
}

// age is a duration the way a person reads it at a glance: 45s, 12m, 3h05m, 2d4h.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "in " + age(-d)
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// shortID is the first block of a UUID: unique enough on one screen.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// ellipsis cuts s to n characters for a table cell.
func ellipsis(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
