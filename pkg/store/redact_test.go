package store

import "testing"

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
