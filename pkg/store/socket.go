package store

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lib/pq"
)

// socketDirs are where libpq, and so psql, looks for the server's Unix
// socket when no host is given: Debian's packages build it for
// /var/run/postgresql, the source's default is /tmp.
var socketDirs = []string{"/var/run/postgresql", "/tmp"}

// useLocalSocket has cfg connect to the server's Unix socket for its port
// where the settings and the environment name no host, as psql does. The
// driver takes localhost over TCP instead, which Debian's pg_hba.conf
// (peer login on the socket, a password over TCP) and a server listening
// on its socket alone refuse: psql worked and zwatch did not, from the
// same environment (helper-372). Where no server's socket is, localhost
// it stays.
func useLocalSocket(cfg *pq.Config, settings string) {
	if hostNamed(*cfg, settings) {
		return
	}
	for _, dir := range socketDirs {
		fi, err := os.Stat(filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(int(cfg.Port))))
		if err == nil && fi.Mode()&os.ModeSocket != 0 {
			cfg.Host = dir
			cfg.SSLMode = pq.SSLModeDisable // TLS is not used on a Unix socket, as in libpq
			return
		}
	}
}

// hostNamed says whether the settings, the environment or a service file
// may name the host. The driver fills in localhost, and so it must be
// told from the settings themselves; any word of them that may name one
// counts, and the driver's choice stands.
func hostNamed(cfg pq.Config, settings string) bool {
	if cfg.Host != "localhost" || len(cfg.Multi) > 0 || cfg.Hostaddr.IsValid() {
		return true
	}
	for _, env := range []string{"PGHOST", "PGHOSTADDR", "PGSERVICE"} {
		if os.Getenv(env) != "" {
			return true
		}
	}
	if isPostgresURL(settings) {
		u, err := url.Parse(settings)
		if err != nil || u.Hostname() != "" {
			return true
		}
		settings = u.RawQuery
	}
	lower := strings.ToLower(settings)
	return strings.Contains(lower, "host") || strings.Contains(lower, "service")
}
