package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// A password that is also a name the server's answer gives stays out of
// Open's line, as %q quotes the name too, and where the server refused a
// mistyped key (helper-384): Open's error is every caller's to print.
func TestAServersAnswerKeepsAPasswordOutOfItsNames(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	role, password := db.NewRole()
	cfg, err := pq.NewConfig(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	openFails := func(what, settings, secret string) {
		t.Helper()
		st, err := store.Open(context.Background(), settings)
		if st != nil {
			st.Close()
		}
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: %v; want an error without the password", what, err)
		}
	}
	openFails("a host named as the password, and a mistyped key",
		fmt.Sprintf("host=%s hostaddr=127.0.0.1 port=%d dbname=%s user=%s password=%s sslmode=disable connect_timout=5",
			password, cfg.Port, db.Name(), role, password), password)

	quoted := `Hunter"2Secret`
	db.Exec(`ALTER ROLE ` + pq.QuoteIdentifier(role) + ` PASSWORD ` + pq.QuoteLiteral(quoted))
	openFails("a database named as the password, with a quote",
		fmt.Sprintf(`host=%s port=%d dbname='%s' user=%s password='%s' sslmode=disable`, cfg.Host, cfg.Port, quoted, role, quoted),
		"2Secret")
}
