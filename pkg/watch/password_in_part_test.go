package watch_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A panel that cuts its message to its column quotes the request, and the
// password, in part: the part reached last_error and the log.
func TestAPasswordEchoCutShortNeverReachesLastError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.order("6400")
	prefix := password[:len(password)-2] // "s3cret-Sifr"
	e.znet.Script("6400", znettest.Rejected("3", "Yetkisiz istek: kod="+dealerCode+"&sifre="+prefix))
	e.run(e.config())
	c := e.db.ReadCheck(id)
	if c.LastError == nil || !strings.Contains(*c.LastError, "Yetkisiz istek") {
		t.Errorf("last_error lost the panel's words: %v", c.LastError)
	} else if strings.Contains(*c.LastError, prefix) {
		t.Errorf("last_error holds all of the password but its last two characters: %q", *c.LastError)
	}
	if strings.Contains(e.logs.String(), prefix) {
		t.Errorf("the log holds all of the password but its last two characters")
	}
	if n := e.db.ZwatchRowsMentioning(prefix); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the password in part", n)
	}
}
