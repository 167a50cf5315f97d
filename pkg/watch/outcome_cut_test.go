package watch

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/znet"
)

// znet's words are cut past what the shop's column keeps before their
// codes are masked. A code the cut went through was found by nothing, and
// the masks of the codes before it, shorter than the codes, pulled its
// piece inside what lastMessage and zwatch_order_events keep, in clear (a
// review's find, with 110 old codes beside a PIN).
func TestACodeTheCutGoesThroughLeavesNoPiece(t *testing.T) {
	var codes []string
	for k := range 110 {
		codes = append(codes, fmt.Sprintf("ZX%02d-YW76-VU54-TS%02d", k%100, k/100))
	}
	ps, err := znet.ParsePinStatus([]byte("OK|2|AB12-CD34-EF56-GH78|Eski kodlar: " + strings.Join(codes, " ")))
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: ps, order: store.Order{ID: "x"}, askedAt: time.Now()}
	o := a.outcome(NewFixedScheduler(DefaultSchedule, 24*time.Hour))
	if pieces := regexp.MustCompile(`(?:ZX|YW|VU|TS)\d`).FindAllString(o.Message+o.LastMessage, -1); len(pieces) > 0 {
		t.Errorf("pieces of the old codes in clear: %q\n%q", pieces, o.Message)
	}
	if !strings.HasPrefix(o.Message, "Eski kodlar: ••••") {
		t.Errorf("message %q: want the words kept up to the cut", o.Message)
	}
}
