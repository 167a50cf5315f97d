package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lib/pq"
)

func TestRedactPasswordLeavesAShortPasswordsNeighboursReadable(t *testing.T) {
	for _, c := range []struct{ msg, password, want string }{
		{`pq: permission denied for database "shop"`, "e", `pq: permission denied for database "shop"`},
		{`pq: permission denied for database "shop"`, "p", `pq: permission denied for database "shop"`},
		{`connecting with p failed`, "p", `connecting with REDACTED failed`},
		{`e e`, "e", `REDACTED REDACTED`},
		{`dial: secret123@db refused`, "secret123", `dial: REDACTED@db refused`},
		{`xxsecret123yy`, "secret123", `xxREDACTEDyy`},
		{`x#ab1 and #ab1y`, "#ab1", `xREDACTED and #ab1y`},
		{`x#a# y`, "#a#", `xREDACTED y`},
		{`ab`, "", `ab`},
		// A role's name holds its words with "_": "shop_owner" is not
		// "shop_" and the password "owner".
		{`read only for user "shop_owner"`, "owner", `read only for user "shop_owner"`},
		{`user owner_2 with owner`, "owner", `user owner_2 with REDACTED`},
	} {
		if got := redactPassword(c.msg, c.password); got != c.want {
			t.Errorf("redactPassword(%q, %q) = %q, want %q", c.msg, c.password, got, c.want)
		}
	}
}

// The driver quotes a line of the service file it cannot read, which may
// be a password written without its "=", and a setting it does not know:
// said without either, however the settings name the service (key=value,
// a URL, PGSERVICE).
func TestAServiceFileThatCannotBeReadIsToldWithoutItsLines(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pg_service.conf")
	if err := os.WriteFile(file, []byte("[bad]\nhost=127.0.0.1\npassword Hunter2Secret\n[odd]\nHunter2Secret=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGSERVICEFILE", file)
	for _, c := range []struct{ settings, service, says string }{
		{"service=bad", "", "cannot be read at line 3"},
		{"postgres://127.0.0.1:1/shop?service=bad", "", "cannot be read at line 3"},
		{"", "bad", "cannot be read at line 3"},
		{"postgres://127.0.0.1:1/shop?service=odd", "", "a setting the driver does not know"},
	} {
		t.Setenv("PGSERVICE", c.service)
		_, err := Open(context.Background(), c.settings)
		if err == nil || strings.Contains(err.Error(), "Hunter2Secret") || !strings.Contains(err.Error(), c.says) {
			t.Errorf("settings %q, PGSERVICE %q: %v; want it to say %q, without the file's line", c.settings, c.service, err, c.says)
		}
	}
}

// The dealer password in a database error's words, however the row was
// made text: a record, JSON (row_to_json), hstore, quote_literal (a
// reviewer's find: only the record's form was looked for).
func TestQuotesPasswordFindsEveryQuoting(t *testing.T) {
	const pw = `Gizli"Q-7'7\x`
	for _, words := range []string{
		`changed: (1,znet-A,"Gizli""Q-7'7\\x",t)`,
		`changed: {"sifre":"Gizli\"Q-7'7\\x"}`,
		`changed: "sifre"=>"Gizli\"Q-7'7\\x"`,
		`changed: 'Gizli"Q-7''7\x'`,
		`changed: GIZLI"Q-7'7\X`,
	} {
		if !quotesPassword(words, pw) {
			t.Errorf("%s: the password was not found", words)
		}
	}
	if quotesPassword("balance may not go down", pw) || quotesPassword("anything", "") {
		t.Error("words without the password were taken to quote it")
	}
}

// A password at a quote's edge, quoted by %q as a name beside it, is left
// out whole: the escaped quote went with the outer ones, and a password
// ending in a quote showed as REDACTED" (helper-385).
func TestAPasswordAtAQuotesEdgeIsLeftOutWhole(t *testing.T) {
	for _, password := range []string{`Hunter2Secret"`, `"Hunter2Secret`, `Hunter"2Secret`, `Hunter2Secret\`} {
		line := fmt.Sprintf("database %q does not exist", password)
		if got := passwordLeftOut(line, pq.Config{Password: password}); got != `database "REDACTED" does not exist` {
			t.Errorf("password %s: %s", password, got)
		}
	}
}
