package znettest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// answers plays a lifelike order until its final answer, or 10 calls.
func lifelikeBodies(ref string) []string {
	var bodies []string
	for call := 1; call <= 10; call++ {
		a := Lifelike(ref, call)
		body := string(a.Body)
		if a.Status != 0 && a.Status != 200 {
			body = strconv.Itoa(a.Status)
		}
		bodies = append(bodies, body)
		if strings.HasPrefix(body, "OK|2|") || strings.HasPrefix(body, "OK|3|") {
			break
		}
	}
	return bodies
}

func TestLifelikeOrdersBehaveAsTheirFateSays(t *testing.T) {
	pin := regexp.MustCompile(`^OK\|2\|[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\|İşlem tamamlandı$`)
	count := map[Fate]int{}
	for n := 48210001; n <= 48212000; n++ {
		ref := strconv.Itoa(n)
		fate, waits := LifelikeFate(ref)
		count[fate]++
		bodies := lifelikeBodies(ref)
		last := bodies[len(bodies)-1]
		switch fate {
		case FateDone:
			if len(bodies) != waits+1 || !pin.MatchString(last) {
				t.Fatalf("%s (done after %d waits): %q", ref, waits, bodies)
			}
		case FateCancelled:
			if len(bodies) != waits+1 || !strings.HasPrefix(last, "OK|3| |") {
				t.Fatalf("%s (cancelled after %d waits): %q", ref, waits, bodies)
			}
		case FateFlaky:
			if bodies[0] != "503" && !strings.HasPrefix(bodies[0], "Warning:") || !pin.MatchString(last) {
				t.Fatalf("%s (flaky): %q", ref, bodies)
			}
		case FateNotFound:
			if len(bodies) != 10 || last != "3|Kayıt bulunamadı" {
				t.Fatalf("%s (not found): %q", ref, bodies)
			}
		case FateForever:
			if len(bodies) != 10 || !strings.HasPrefix(last, "OK|1| |") {
				t.Fatalf("%s (forever): %q", ref, bodies)
			}
		default:
			t.Fatalf("%s: unknown fate %v", ref, fate)
		}
		if again := lifelikeBodies(ref); strings.Join(again, "\n") != strings.Join(bodies, "\n") {
			t.Fatalf("%s answered differently the second time: %q then %q", ref, bodies, again)
		}
	}
	// The documented shares out of 100, within a generous margin for 2000
	// consecutive referans values.
	want := map[Fate]int{FateDone: 75, FateCancelled: 12, FateFlaky: 7, FateNotFound: 3, FateForever: 3}
	for fate, pct := range want {
		got := count[fate] * 100 / 2000
		if got < pct*2/3 || got > pct*3/2 {
			t.Errorf("%v: %d%% of orders, want about %d%%", fate, got, pct)
		}
	}
}
