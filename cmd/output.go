package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/zwatch/zwatch/pkg/watch"
)

// enumValue is a string flag that takes one of a few values. A wrong value
// is refused while the command line is parsed, as a usage error, before
// anything runs; shell completion offers the values.
type enumValue struct {
	p      *string
	values []string
}

func (e *enumValue) String() string { return *e.p }
func (e *enumValue) Type() string   { return "string" }
func (e *enumValue) Set(s string) error {
	if !slices.Contains(e.values, s) {
		return fmt.Errorf("want %s", oneOf(e.values))
	}
	*e.p = s
	return nil
}

// oneOf words a list of choices: "a, b or c".
func oneOf(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// stringEnumFlag registers an enum flag on flags, with completion on c.
// usage should not list the values: they are added to it.
func stringEnumFlag(c *cobra.Command, flags *pflag.FlagSet, p *string, name, shorthand, defaultValue string, values []string, usage string) {
	*p = defaultValue
	flags.VarP(&enumValue{p: p, values: values}, name, shorthand, usage+": "+oneOf(values))
	_ = c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// Output formats of every command that prints data.
const (
	formatTable = "table"
	formatJSON  = "json"
)

// addOutputFlag registers -o/--output, the one way every command chooses
// between a table for a person and JSON for a program.
func addOutputFlag(c *cobra.Command, p *string, what string) {
	stringEnumFlag(c, c.Flags(), p, "output", "o", formatTable, []string{formatTable, formatJSON}, what)
}

// render writes v as JSON when format asks for it, else through table. A
// failure to write the output is fatal: the command's work may be done,
// but nobody could read about it.
func render(out io.Writer, format string, v any, table func() error) error {
	var err error
	if format == formatJSON {
		err = writeJSON(out, v)
	} else {
		err = table()
	}
	if err == nil {
		err = outputErr(out)
	}
	if err != nil {
		return fatal(fmt.Errorf("writing the output: %w", err))
	}
	return nil
}

// outputErr is the first write to w that failed, where w keeps it
// (commandOutput): fmt.Fprint* drop their errors.
func outputErr(w io.Writer) error {
	if o, ok := w.(interface{ Err() error }); ok {
		return o.Err()
	}
	return nil
}

// requireTimeout checks a command's --timeout as a run's is checked.
func requireTimeout(d time.Duration) error {
	if problem := watch.TimeoutProblem(d); problem != "" {
		return usage("--timeout %s (the default is %s)", problem, watch.DefaultConfig().Timeout)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable is the one table style of every command.
func newTable(w io.Writer, header ...any) *table {
	t := &table{tablewriter.NewWriter(w)}
	t.Header(header...)
	return t
}

// table is a tablewriter.Table whose cells have their control characters
// escaped before it measures them: commandOutput would escape them after,
// and a name holding one would push its row's border out of line.
type table struct{ *tablewriter.Table }

func (t *table) Append(cells ...any) error { return t.Table.Append(escapeCells(cells)...) }
func (t *table) Footer(cells ...any)       { t.Table.Footer(escapeCells(cells)...) }

// escapeCells escapes the cells' control characters, and their newlines and
// tabs, which in a cell would start a row of their own ("forged line" in
// every column but one) or push the columns out of line.
func escapeCells(cells []any) []any {
	out := make([]any, len(cells))
	for i, cell := range cells {
		if text, ok := cell.(string); ok {
			cell = inLine(string(escapeControls([]byte(text))))
		}
		out[i] = cell
	}
	return out
}

// inLine is text from the shop's rows (an integration's name) with its
// line breaks and tabs written as \n and \t, for a table's cell or a line
// of its own: a name "A\nforged line" would otherwise print a line that
// reads as zwatch's.
func inLine(text string) string { return lineBreaks.Replace(text) }

var lineBreaks = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

// pinShown is what an operator sees of a PIN: masked unless --show-pin.
func pinShown(pin string, show bool) string {
	if show {
		return pin
	}
	return watch.MaskPIN(pin)
}

// age is a duration the way a person reads it at a glance: 45s, 12m, 3h05m,
// 2d4h. A duration past what time.Duration holds (a date in the shop's row
// centuries away, which a conversion turns into the extreme values) reads
// as such rather than as a figure.
func age(d time.Duration) string {
	switch {
	case d == math.MinInt64 || d == math.MaxInt64:
		return "centuries"
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

// counted is n of a thing, in the singular for one: "1 order",
// "3 orders".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// byCount is one for a count of one, else many: a verb or pronoun that
// agrees with counted.
func byCount(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// shownTime is a moment as a person reads it: the host's local time, with
// its zone, so that a terminal in Istanbul and a log in UTC agree.
func shownTime(t time.Time) string { return t.Local().Format(time.DateTime + " MST") }

// inUTC is t in UTC, as every command's JSON writes times: the database
// hands them over in its session's time zone. A time JSON cannot write
// (Time.MarshalJSON: a year past 9999 or before 0, a millisecond epoch
// fed to to_timestamp, a date BC) is none, as an infinite one is: the
// whole output failed on it.
func inUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	if u.Year() < 0 || u.Year() > 9999 { // in UTC, as it is written
		return nil
	}
	return &u
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

// commandOutput is standard output as every command writes to it.
//
// Text that comes from the shop's rows or a dealer panel (an integration's
// name, a PIN the shop wrote, an order's message) can hold terminal control
// characters: written as they are, they would recolour, retitle or clear
// the operator's terminal, or ring it, and split table rows in cron's mail.
// They are written as \u001b instead, an escape JSON reads too (encoding/json
// leaves DEL and the C1 controls raw); newlines and tabs pass. A byte that is
// not UTF-8 is written as \x9b: JSON never holds one.
//
// It also keeps the first write that failed: the table writer and
// fmt.Fprint* drop their errors, and an operator piping `migrate
// --print-grants` into a full disk must not get exit 0 and an empty file.
type commandOutput struct {
	w   io.Writer
	err error
}

func (o *commandOutput) Write(b []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	if _, err := o.w.Write(escapeControls(b)); err != nil {
		o.err = err
		return 0, err
	}
	return len(b), nil
}

// Err is the first write that failed, if any.
func (o *commandOutput) Err() error { return o.err }

// escapingWriter writes through escapeControls: for logs, whose every
// Write is one whole line.
type escapingWriter struct{ w io.Writer }

func (e escapingWriter) Write(b []byte) (int, error) {
	if _, err := e.w.Write(escapeControls(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// noteOnStderr writes a command's note to w, stderr, as one line, its
// control characters escaped as every line zwatch writes there: a note
// may quote an integration's name, a role's application_name or the
// database's words, which hold whatever someone typed.
func noteOnStderr(w io.Writer, note string) {
	fmt.Fprintln(escapingWriter{w}, "zwatch: "+inLine(note))
}

// escapeControls writes b's control characters but newline and tab, and
// its bytes that are not UTF-8, as escapes; b itself when it has none.
func escapeControls(b []byte) []byte {
	if utf8.Valid(b) && !bytes.ContainsFunc(b, isHostileControl) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&out, `\x%02x`, b[0])
		case isHostileControl(r) && r > 0xffff:
			// As JSON writes it, a surrogate pair: \ue0067 would read as
			// U+E006 and a 7.
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&out, `\u%04x\u%04x`, r1, r2)
		case isHostileControl(r):
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			out.Write(b[:size])
		}
		b = b[size:]
	}
	return out.Bytes()
}

// isHostileControl is a character a terminal acts on rather than shows,
// or shows as nothing: control characters, line and paragraph separators,
// format characters, among them the marks that reorder text (a
// right-to-left override can make "gh78" read "87hg") and the invisible
// ones (a zero-width space makes two names that look the same), and the
// others Unicode says to ignore when they cannot be shown (a Hangul
// filler, U+115F, is a letter that many terminals show as nothing).
func isHostileControl(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
		unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point))
}
