package watch_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// znet's referans is a number (the shop generates it, pin_ekle.php takes
// it as one), and a PHP panel reads tahsilat_api_islem_id as one: intval()
// or MySQL comparing it with an integer column both take "04300",
// "+4300" and "4300\u00a0" (a non-breaking space pasted from a web page)
// for 4300. A copied order whose referans differs from the original's
// only so is the same znet order, and its PIN belongs to one customer:
// the guard for orders sharing a referans must not let both have it.
func TestAPINIsNotSavedToTwoOrdersWhoseReferansZnetReadsAlike(t *testing.T) {
	t.Parallel()
	for _, copyRef := range []string{"04300", "+4300", "4300\u00a0", "4300\v"} {
		t.Run(strconv.Quote(copyRef), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			first := e.order("4300")
			copied := e.order(copyRef)
			// The panel, as PHP's intval() reads the referans.
			e.znet.SetResponder(func(ref string, _ int) znettest.Answer {
				if phpIntval(ref) == 4300 {
					return znettest.Done("ALIKE-PIN-4300-XYZ9", "tamam")
				}
				return znettest.Waiting("")
			})

			e.run(e.config())

			var holders []string
			for _, id := range []string{first, copied} {
				if row := e.db.ReadOrder(id); row.PINCode != nil && *row.PINCode == "ALIKE-PIN-4300-XYZ9" {
					holders = append(holders, id)
				}
			}
			if len(holders) > 1 {
				t.Errorf("znet's one PIN for referans 4300 was saved to both orders %v (referans %q and %q)", holders, "4300", copyRef)
			}
		})
	}
}

// phpIntval is PHP's intval() of a query parameter: white space skipped,
// a sign, then the digits up to the first other character.
func phpIntval(s string) int {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	s = strings.TrimPrefix(s, "+")
	end := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		s = s[:end]
	}
	n, _ := strconv.Atoi(s)
	return n
}
