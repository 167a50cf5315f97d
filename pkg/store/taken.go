package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/lib/pq"
)

// Taken is a unique index of the shop's on product_orders that refused an
// answer: another order already holds a value the answer would write. A
// shop that keys its PINs (UNIQUE ("pinCode"), so that no PIN is
// delivered twice) refuses a PIN a panel hands out a second time; saved
// again and again, the order would be asked about run after run, and no
// line would say why. Apply holds such an answer for a person instead
// (Outcome.Taken).
type Taken struct {
	Index string // as the server named it
	// OnPIN: the index is on "pinCode", alone or with other columns, so
	// the value another order holds is the PIN znet gave.
	OnPIN bool
	// PINAlone: on "pinCode" alone, for every row, so that any other
	// order given the same PIN is refused alike: with other columns
	// (a tenant's), or partial, another order's may be taken.
	PINAlone bool
}

// UniqueIndexRefused says whether err is a save of product_orders that a
// unique index refused (unique_violation), and names the index. The
// server's words say which value another row holds, the PIN among them:
// only the index's name is taken from them. One raised by the shop's own
// code (a trigger writing to another table or row) is not: the index is
// then not the order's to be held for.
func UniqueIndexRefused(err error) (index string, ok bool) {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" || pqErr.Table != "product_orders" ||
		pqErr.Constraint == "" || strings.Contains(pqErr.Where, "PL/") {
		return "", false
	}
	return pqErr.Constraint, true
}

// WaitedOnAnEqualValue says whether err is a save that gave up waiting
// (lock_timeout) at a unique index for a transaction that wrote another
// row with the same value (a shop transaction holding the order that has
// the PIN, say), and names the index. Another row holds the value, or is
// being given it: the save is refused as UniqueIndexRefused's is, only
// later. The server says so only in its context line ("while inserting
// index tuple (0,4) in relation ..."), in its own lc_messages: in another
// language than English such a wait reads as a lock on the table.
func WaitedOnAnEqualValue(err error) (index string, ok bool) {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "55P03" ||
		!strings.Contains(pqErr.Where, "inserting index tuple") && !strings.Contains(pqErr.Where, "checking uniqueness") {
		return "", false
	}
	m := waitedRelation.FindStringSubmatch(pqErr.Where)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// waitedRelation is the index in the context line of such a wait.
var waitedRelation = regexp.MustCompile(`in relation "([^\n]+)"`)

// indexOnPINSQL says whether the index $1 of product_orders has "pinCode"
// among its key columns or in its expressions, and whether it is on
// "pinCode" alone, for every row.
const indexOnPINSQL = `
SELECT COALESCE(bool_or(EXISTS (SELECT 1 FROM pg_attribute a
	                             WHERE a.attrelid = i.indrelid AND a.attname = 'pinCode'
	                               AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]))
	                 OR COALESCE(pg_get_expr(i.indexprs, i.indrelid), '') LIKE '%"pinCode"%'), false) AS on_pin,
       COALESCE(bool_or(i.indnkeyatts = 1 AND i.indpred IS NULL AND i.indexprs IS NULL
	                 AND EXISTS (SELECT 1 FROM pg_attribute a
	                             WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0] AND a.attname = 'pinCode')), false) AS pin_alone
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = to_regclass('product_orders') AND c.relname = $1`

// TakenBy is the index that refused a save (UniqueIndexRefused), read from
// the catalogue for whether it is on "pinCode". Where the catalogue
// cannot be read, the index is taken to be on some other column: the
// order is held all the same, and its note says less.
func (s *Store) TakenBy(ctx context.Context, index string) Taken {
	t := Taken{Index: index}
	_ = s.db.QueryRowxContext(ctx, indexOnPINSQL, index).Scan(&t.OnPIN, &t.PINAlone)
	return t
}

// Note is Problem as the shop's "lastMessage" keeps it, which takes 250
// characters: staff read it beside the order.
func (t Taken) Note() string {
	if t.OnPIN {
		return fmt.Sprintf("znet gave this order a PIN another order holds (unique index %q): not saved, not approved; ask znet whose it is", t.Index)
	}
	return fmt.Sprintf("the shop's unique index %q refused znet's answer: another order holds a value it would write; not saved", t.Index)
}

// Problem says what a person is to do about an answer the index refused.
func (t Taken) Problem() string {
	if t.OnPIN {
		return fmt.Sprintf("znet gave this order a PIN another order already holds (the shop's unique index %q refused it; a panel handing one PIN out twice?): "+
			"not saved and not approved; ask znet whose PIN it is, and deliver the customer's by hand", t.Index)
	}
	return fmt.Sprintf("the shop's unique index %q refused znet's answer: another order already holds a value it would write; "+
		"not saved, the order left for a person to decide", t.Index)
}
