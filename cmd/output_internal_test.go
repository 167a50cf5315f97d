package cmd

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// What escapeControls writes into JSON reads back as the text it was:
// a character beyond U+FFFF (a tag character, a format character of its
// own) as the surrogate pair JSON spells it with.
func TestEscapedJSONReadsBackAsItWas(t *testing.T) {
	for _, name := range []string{"znet\u202eA", "znet\U000E0067A", "znet\u200b\x1b[2JA", "znet\u115fA\u3164", "plain"} {
		raw, err := json.Marshal(map[string]string{"name": name})
		if err != nil {
			t.Fatal(err)
		}
		escaped := escapeControls(raw)
		var back map[string]string
		if err := json.Unmarshal(escaped, &back); err != nil || back["name"] != name {
			t.Errorf("%q escaped as %s reads back as %q (%v)", name, escaped, back["name"], err)
		}
		if strings.ContainsAny(string(escaped), "\u202e\U000E0067\u200b\x1b\u115f\u3164") {
			t.Errorf("%q escaped as %q still holds it raw", name, escaped)
		}
	}
}

// The year is checked as JSON writes the time, in UTC: the first hours of
// year 0 east of UTC, or the last of 9999 west of it, failed the whole
// output (a review's find).
func TestInUTCDropsATimeJSONCannotWriteInUTC(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(0, 1, 1, 1, 0, 0, 0, time.FixedZone("+03", 3*3600)),
		time.Date(9999, 12, 31, 22, 0, 0, 0, time.FixedZone("-05", -5*3600)),
	} {
		if u := inUTC(&tm); u != nil {
			if _, err := u.MarshalJSON(); err != nil {
				t.Errorf("inUTC(%v) = %v, which JSON cannot write: %v", tm, u, err)
			}
		}
	}
}
