package cmd

import (
	"encoding/json"
	"strings"
	"testing"
)

// What escapeControls writes into JSON reads back as the text it was:
// a character beyond U+FFFF (a tag character, a format character of its
// own) as the surrogate pair JSON spells it with.
func TestEscapedJSONReadsBackAsItWas(t *testing.T) {
	for _, name := range []string{"znet\u202eA", "znet\U000E0067A", "znet\u200b\x1b[2JA", "plain"} {
		raw, err := json.Marshal(map[string]string{"name": name})
		if err != nil {
			t.Fatal(err)
		}
		escaped := escapeControls(raw)
		var back map[string]string
		if err := json.Unmarshal(escaped, &back); err != nil || back["name"] != name {
			t.Errorf("%q escaped as %s reads back as %q (%v)", name, escaped, back["name"], err)
		}
		if strings.ContainsAny(string(escaped), "\u202e\U000E0067\u200b\x1b") {
			t.Errorf("%q escaped as %q still holds it raw", name, escaped)
		}
	}
}
