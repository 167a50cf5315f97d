package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// balanceLockTimeout bounds the wait for a shop transaction that holds the
// integration's row (an admin page, a checkout reserving the dealer
// balance): waiting, zwatch would queue the shop's own later lockers of that
// row behind it.
const balanceLockTimeout = "1s"

// SaveBalance writes a znet integration's balance, in TRY as znet wrote it
// (e.g. "12755.23"), and when it was read. These are the only columns of the
// shop's integrations that zwatch ever writes. It writes only over the
// balance it read (in.Balance and in.BalanceUpdatedAt): one the shop wrote
// while znet was being asked is newer than znet's reading, and is kept.
// Where the column rounded it to its scale ("1.2345" is "1.235" in
// numeric(18,3)), it returns the balance as the column holds it; else "".
func (s *Store) SaveBalance(ctx context.Context, in Integration, balance string) (string, error) {
	var res struct {
		Found   bool    `db:"found"`
		Saved   bool    `db:"saved"`
		SavedAs *string `db:"saved_as"`
	}
	began := time.Now()
	err := s.inTxWaiting(ctx, balanceLockTimeout, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &res, saveBalanceSQL, in.ID, balance, in.Balance, in.BalanceUpdatedAt)
	})
	if cut := (*cutShortError)(nil); errors.As(err, &cut) {
		cut.after, cut.table = time.Since(began), "integrations"
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "55P03" { // lock_not_available
		return "", fmt.Errorf("saving the balance of integration %s: a transaction of the shop holds its row; not saved, try again in a moment", in.ID)
	}
	if errors.As(err, &pqErr) && pqErr.Code == "22003" { // numeric_value_out_of_range
		return "", fmt.Errorf("saving the balance of integration %s: znet's balance %s is more than the shop's column integrations.balance holds; not saved", in.ID, balance)
	}
	if errors.As(err, &pqErr) && (raisedByFunction(pqErr) || quotesPassword(pqErr.Message, in.Password.Reveal())) {
		// A trigger of the shop's on integrations may refuse the update
		// quoting NEW, the dealer password with it, in any of the ways a
		// row becomes text (a record, JSON, hstore, quote_literal): words
		// raised by the shop's code are not shown at all.
		return "", fmt.Errorf("saving the balance of integration %s: the database refused the update (SQLSTATE %s, %s) in words of the shop's code "+
			"on integrations, which may quote the dealer password, so they are not shown (see the server's log); not saved", in.ID, pqErr.Code, pqErr.Code.Name())
	}
	if CommitUnconfirmed(err) {
		return "", fmt.Errorf("saving the balance of integration %s: %w; it may or may not have been saved", in.ID, err)
	}
	if err != nil {
		return "", fmt.Errorf("saving the balance of integration %s: %w", in.ID, err)
	}
	switch {
	case !res.Found:
		return "", fmt.Errorf("saving the balance of integration %s: it no longer exists or is no longer a znet one", in.ID)
	case !res.Saved:
		return "", fmt.Errorf("saving the balance of integration %s: the shop wrote its balance while znet was asked; znet's reading is older, not saved", in.ID)
	case res.SavedAs != nil:
		return *res.SavedAs, nil
	}
	return "", nil
}

// saveBalanceSQL: $1 integration id, $2 the balance, $3 and $4 the balance
// and "balanceUpdatedAt" as read before znet was asked.
const saveBalanceSQL = `
WITH target AS (
	SELECT id, balance::text IS NOT DISTINCT FROM $3 AS unchanged_balance,
	       "balanceUpdatedAt" IS NOT DISTINCT FROM $4::timestamptz AS unchanged_at
	FROM integrations
	WHERE id::text = $1 AND provider = ` + providerSQL + `
	FOR UPDATE
),
saved AS (
	UPDATE integrations i
	SET balance = $2::numeric, "balanceUpdatedAt" = now()
	FROM target
	WHERE i.id = target.id AND target.unchanged_balance AND target.unchanged_at
	RETURNING i.balance::text AS saved_as, i.balance = $2::numeric AS whole
)
SELECT EXISTS (SELECT FROM target) AS found, EXISTS (SELECT FROM saved) AS saved,
       (SELECT CASE WHEN NOT whole THEN saved_as END FROM saved) AS saved_as`

// raisedByFunction says whether an error was raised by a function, a
// trigger's among them (RAISE, or an error inside one): its context names
// it ("PL/pgSQL function guard() line 2 at RAISE"), or its SQLSTATE is of
// PL/pgSQL's class. A deadlock's context names a tuple, not a function.
func raisedByFunction(err *pq.Error) bool {
	return strings.Contains(err.Where, "function") || err.Code.Class() == "P0"
}

// quotesPassword says whether a database error's words hold password, in
// either letter case, as typed or as text escapes it: a record doubles
// quotes and backslashes, JSON and hstore put a backslash before them, a
// literal doubles apostrophes.
func quotesPassword(words, password string) bool {
	if password == "" {
		return false
	}
	words = strings.ToLower(words)
	asJSON, _ := json.Marshal(password)
	for _, form := range []string{
		password,
		strings.NewReplacer(`"`, `""`, `\`, `\\`).Replace(password),
		strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(password),
		strings.ReplaceAll(password, "'", "''"),
		string(asJSON[1 : len(asJSON)-1]),
	} {
		if strings.Contains(words, strings.ToLower(form)) {
			return true
		}
	}
	return false
}
