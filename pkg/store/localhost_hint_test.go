package store

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
)

// Where no host is named, the Go driver connects to localhost over TCP and
// psql to the local Unix socket: from the environment that lets psql in,
// zwatch was refused or found no server, and its line did not say why
// (helper-372). The line says so, and not where a host is named, localhost
// too: PGHOST would not change that (helper-378).
func TestAFailedConnectionToLocalhostNamesTheSocketPsqlUses(t *testing.T) {
	_, port, _ := net.SplitHostPort(closedAddress(t))
	t.Setenv("PGHOST", "")
	os.Unsetenv("PGHOST")
	for settings, hint := range map[string]bool{
		"port=" + port + " dbname=shop user=zwatch sslmode=disable":                        true,
		"host=127.0.0.1 port=" + port + " dbname=shop user=zwatch sslmode=disable":         false,
		"host=localhost port=" + port + " dbname=shop user=zwatch sslmode=disable":         false,
		"postgres://zwatch:S3cret@localhost:" + port + "/shop?sslmode=disable":             false,
		"postgres://zwatch:S3cret@:" + port + "/shop?sslmode=disable":                      true,
		"postgres://zwatch@db.invalid:" + port + "/shop?sslmode=disable&connect_timeout=2": false,
		// The words in a value are no host (helper-381).
		"port=" + port + " dbname=pin_service user=zwatch sslmode=disable":            true,
		"port=" + port + " dbname='my localhost' user=zwatch sslmode=disable":         true,
		"postgres://zwatch:notlocalhost@:" + port + "/shop?sslmode=disable":           true,
		"port=" + port + " password='S3cret host=x\\' y' dbname=shop sslmode=disable": true,
		// A host named, if empty, or where lib/pq reads it (Unicode spaces
		// part pairs; a URL's query key goes into the settings as it
		// stands), keeps PGHOST from changing it (helper-382).
		"host='' port=" + port + " dbname=shop user=zwatch sslmode=disable":                               false,
		"port=" + port + " dbname=shop user=zwatch sslmode=disable host=":                                 false,
		"port=" + port + " dbname=shop\u00a0host=localhost user=zwatch sslmode=disable":                   false,
		"postgres://zwatch@:" + port + "/shop?sslmode=disable&application_name%3D%27%27%20host=localhost": false,
		"postgres://zwatch@:" + port + "/shop?sslmode=disable&host=&host=localhost":                       true,
		"port=" + port + " host = localhost dbname=shop sslmode=disable":                                  false,
		"postgres://zwatch@:" + port + "/shop?host=localhost&sslmode=disable":                             false,
		"port=" + port + " service=shop dbname=shop sslmode=disable":                                      false,
	} {
		if got, err := failedOpen(settings); err == nil || got != hint || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("%s: %v; want the local socket named: %v", settings, err, hint)
		}
	}
	// PGHOST= in a crontab is no host either: the Go driver dials the
	// local system over TCP.
	t.Setenv("PGHOST", "")
	if got, err := failedOpen("port=" + port + " dbname=shop user=zwatch sslmode=disable"); err == nil || !got {
		t.Errorf("with PGHOST empty: %v; want the local socket named", err)
	}
}

// failedOpen is whether Open's error on settings names the socket, and the
// error.
func failedOpen(settings string) (bool, error) {
	st, err := Open(context.Background(), settings)
	if st != nil {
		st.Close()
	}
	return err != nil && strings.Contains(err.Error(), "PGHOST=/var/run/postgresql"), err
}

// A password that is also the database's, the user's or the host's name
// stays out of the line Open gives (helper-383): the command line redacted
// it, but Open's error is every caller's to print.
func TestAFailedConnectionKeepsAPasswordOutOfItsNames(t *testing.T) {
	_, port, _ := net.SplitHostPort(closedAddress(t))
	for _, settings := range []string{
		"port=" + port + " dbname=Hunter2Secret user=zwatch password=Hunter2Secret sslmode=disable",
		"port=" + port + " dbname=shop user=Hunter2Secret password=Hunter2Secret sslmode=disable",
		"postgres://zwatch:Hunter2Secret@:" + port + "/Hunter2Secret?sslmode=disable",
	} {
		if _, err := failedOpen(settings); err == nil || strings.Contains(err.Error(), "Hunter2Secret") {
			t.Errorf("%s: %v; want the password left out", strings.ReplaceAll(settings, "Hunter2Secret", "PW"), err)
		}
	}
}
