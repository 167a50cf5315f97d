package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/lib/pq"
)

// Taken is a unique index of the shop's on "pinCode" that refused a
// completion: another order already holds the PIN znet gave, or a shop
// transaction holding such a row made the save wait (a PIN given twice,
// or being moved: a person looks either way). A shop that
// keys its PINs (UNIQUE ("pinCode"), so that no PIN is delivered twice)
// refuses a PIN a panel hands out a second time; saved again and again,
// the order would be asked about run after run, and no line would say
// why. Apply holds such an answer for a person instead (Outcome.Taken).
// Other unique indexes refuse for what the shop's rows hold now (a
// number a trigger counts, one approved order a customer), which a later
// try may get past: those refusals are tried again, as any is.
//
// Or it is an order that znet gave, earlier in the same run, the PIN it
// now gives this one (SameAs): a panel that answers about another
// referans than it is asked (a cache in front of it that leaves the
// referans out of its key) hands one customer's PIN to every order it is
// asked about, and a shop without such an index would deliver it to each.
// A run compares its own answers, which costs nothing, and zwatch keeps a
// bucket of each PIN it saves, to compare the later saves' with (Before);
// looking every PIN up among the shop's orders would read the whole table
// without the index.
type Taken struct {
	Index string // as the server named it
	// PINAlone: on "pinCode" alone, for every row, so that any other
	// order given the same PIN is refused alike: with other columns
	// (a tenant's), or partial, another order's may be free.
	PINAlone bool
	// SameAs is the id of the order the run's earlier answer gave the PIN,
	// and SameAsCalled that order as a person names it (its number and
	// id), for the notes; SameAs where empty. Before: zwatch saved the PIN
	// on it before, not in this run (holdPINGivenBefore).
	SameAs, SameAsCalled string
	Before               bool
}

func (t Taken) sameAsCalled() string { return cmp.Or(t.SameAsCalled, t.SameAs) }

// OrderCalled is an order as a person reads it: its number, then its id.
func OrderCalled(id string, orderNo *int64) string {
	if orderNo == nil {
		return id
	}
	return fmt.Sprintf("%d (%s)", *orderNo, id)
}

// when says when znet gave the PIN to the other order.
func (t Taken) when() string {
	if t.Before {
		return "before"
	}
	return "earlier in the same run"
}

// Held says whether the answer is held for a person as one whose PIN
// another order has.
func (t Taken) Held() bool { return t.Index != "" || t.SameAs != "" }

// uniqueIndexRefused says whether err is a save of product_orders that a
// unique index refused (unique_violation), and names the index. The
// server's words say which value another row holds, the PIN among them:
// only the index's name is taken from them. One raised by the shop's own
// code (a trigger writing to another table or row) is not: the index is
// then not the order's to be held for.
func uniqueIndexRefused(err error) (index string, ok bool) {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" || pqErr.Table != "product_orders" ||
		pqErr.Constraint == "" || strings.Contains(pqErr.Where, "PL/") {
		return "", false
	}
	return pqErr.Constraint, true
}

// waitedOnAnEqualValue says whether err is a save that gave up waiting
// (lock_timeout) at an index for a transaction that wrote or holds
// another row of the same value (a shop transaction holding the order
// that has the PIN, say), and names the index: another row has the value,
// or is being given or relieved of it, and the answer is held as
// uniqueIndexRefused's is; where the transaction was taking the PIN away,
// that hold is one a person undoes (retry --stuck). The server says so
// only in its context line ("while inserting index tuple (0,4) in
// relation ..."), in its own lc_messages (translatedWait). One in the
// shop's own code (a trigger's) is not the order's.
func waitedOnAnEqualValue(err error) (index string, ok bool) {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "55P03" || strings.Contains(pqErr.Where, "PL/") {
		return "", false
	}
	if m := waitedIndex.FindStringSubmatch(pqErr.Where); m != nil {
		return m[1], true
	}
	if strings.HasPrefix(pqErr.Where, "while ") {
		// English, and not at an index: a wait for a row (its update's).
		return "", false
	}
	return translatedWait(pqErr.Where)
}

// translatedWait reads a wait's context line in the languages other than
// English the server speaks (PostgreSQL 15's: "beim Einfügen von
// Indextupel (0,4) in Relation »IDX«", "リレーション"IDX"のインデックスタプル(0,4)の挿入中",
// "0,4 튜플 인덱스(해당 릴레이션 "IDX")…"). Which words say an index's
// insert rather than a row's update cannot be told in them all: the
// line's one tuple and one quoted name are taken, and a name that is no
// unique index of product_orders on "pinCode" is refused by TakenBy. A
// row's own wait names its table, which is none.
func translatedWait(where string) (index string, ok bool) {
	names := quotedName.FindAllStringSubmatch(where, -1)
	if strings.Contains(where, "\n") || !waitedTuple.MatchString(where) || len(names) != 1 {
		return "", false
	}
	name := names[0][1] + names[0][2] + names[0][3]
	return name, name != "product_orders"
}

// waitedTuple and quotedName are a context line's tuple and the name it
// quotes, as the server's translations write them ("(0,4)", "(0, 4)",
// "0,4"; "IDX", »IDX«, «IDX», « IDX »).
var (
	waitedTuple = regexp.MustCompile(`\d+, ?\d+`)
	quotedName  = regexp.MustCompile(`"([^"\n]+)"|»([^«\n]+)«|«\s*([^»\n]+?)\s*»`)
)

// IndexRefused says whether err is a save a unique index of
// product_orders refused, or waited at for another row of the same value,
// and names the index; TakenBy says whether the answer is to be held for
// it.
func IndexRefused(err error) (index string, ok bool) {
	if index, ok := uniqueIndexRefused(err); ok {
		return index, true
	}
	return waitedOnAnEqualValue(err)
}

// waitedIndex is the index in the context line of such a wait, up to the
// line's last quote: the server does not escape one in the name.
var waitedIndex = regexp.MustCompile(`while inserting index tuple \(\d+,\d+\) in relation "([^\n]+)"`)

// indexOnPINSQL says whether $1 is a unique index of product_orders with
// "pinCode" among its key columns or in its expressions, and whether it
// is on "pinCode" alone, for every row.
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
WHERE i.indrelid = to_regclass('product_orders') AND i.indisunique AND c.relname = $1`

// TakenBy says whether index, which refused a completion's save or made
// it wait (IndexRefused), is a unique index of
// product_orders on "pinCode", and so whether the answer is to be held.
// Where the catalogue cannot be read, it is not: the answer is tried
// again, as before.
func (s *Store) TakenBy(ctx context.Context, index string) (Taken, bool) {
	t := Taken{Index: index}
	var onPIN bool
	if err := s.db.QueryRowxContext(ctx, indexOnPINSQL, index).Scan(&onPIN, &t.PINAlone); err != nil || !onPIN {
		return Taken{}, false
	}
	return t, true
}

// Note is Problem as the shop's "lastMessage" keeps it, short enough for
// the schema's 250 characters (and fitted to the shop's own): staff read it
// beside the order.
func (t Taken) Note() string {
	if t.Index == "" {
		return fmt.Sprintf("znet gave this order the PIN it gave order %s %s: not saved, not approved; ask znet whose it is", t.sameAsCalled(), t.when())
	}
	return fmt.Sprintf("znet gave this order a PIN another order holds (unique index %q): not saved, not approved; ask znet whose it is", t.Index)
}

// Problem says what a person is to do about an answer the index refused.
func (t Taken) Problem() string {
	if t.Index == "" {
		return fmt.Sprintf("znet gave this order the PIN it gave order %s %s (a panel answering about another referans than it was asked?): "+
			"not saved and not approved; ask znet whose PIN it is, and deliver the customer's by hand", t.sameAsCalled(), t.when())
	}
	return fmt.Sprintf("znet gave this order a PIN another order already holds (the shop's unique index %q refused it; a panel handing one PIN out twice?): "+
		"not saved and not approved; ask znet whose PIN it is, and deliver the customer's by hand", t.Index)
}

// pinIndexSQL names the unique index of product_orders on "pinCode" alone,
// for every row, if there is one.
const pinIndexSQL = `
SELECT c.relname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indrelid = to_regclass('product_orders') AND i.indisunique AND i.indnkeyatts = 1
  AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = 'pinCode'
  -- A CREATE UNIQUE INDEX CONCURRENTLY that failed (two orders held one
  -- code already) leaves an index behind that enforces nothing.
  AND i.indisvalid AND i.indisready AND i.indislive
ORDER BY c.relname
LIMIT 1`

// pinElsewhereSQL says whether an order other than $2 holds the PIN $1:
// along the unique index on "pinCode" alone, which pinIndexSQL found.
const pinElsewhereSQL = `SELECT EXISTS (SELECT 1 FROM product_orders WHERE "pinCode" = $1 AND id <> $2::uuid)`

// PINIndex is, for a dry run, the unique index on "pinCode" alone, for
// every row, that would refuse a PIN another order holds; false: none. A
// shop whose index on the PIN has other columns (a tenant's) has none
// such: there a lookup would read the shop's orders through, once an
// answer, and the dry runs do not foresee that index's refusal. A
// catalogue that cannot be read is taken to have none, a dry run's guess.
func (s *Store) PINIndex(ctx context.Context) (Taken, bool) {
	var index string
	if err := s.db.GetContext(ctx, &index, pinIndexSQL); err != nil {
		return Taken{}, false
	}
	return Taken{Index: index, PINAlone: true}, true
}

// PINElsewhere says, for a dry run on a shop with a PINIndex, whether an
// order other than orderID holds pin, found along that index. One the
// role's row-level security hides is not found; an order that cannot be
// read is taken to hold none.
func (s *Store) PINElsewhere(ctx context.Context, pin, orderID string) bool {
	var elsewhere bool
	_ = s.db.GetContext(ctx, &elsewhere, pinElsewhereSQL, pin, orderID)
	return elsewhere
}
