package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
// shop's integrations that zwatch ever writes.
func (s *Store) SaveBalance(ctx context.Context, integrationID, balance string) error {
	var res sql.Result
	err := s.inTxWaiting(ctx, balanceLockTimeout, func(tx *sqlx.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, `
			UPDATE integrations
			SET balance = $2::numeric, "balanceUpdatedAt" = now()
			WHERE id::text = $1 AND provider = `+providerSQL, integrationID, balance)
		return err
	})
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "55P03" { // lock_not_available
		return fmt.Errorf("saving the balance of integration %s: a transaction of the shop holds its row; not saved, try again in a moment", integrationID)
	}
	if errors.As(err, &pqErr) && pqErr.Code == "22003" { // numeric_value_out_of_range
		return fmt.Errorf("saving the balance of integration %s: znet's balance %s is more than the shop's column integrations.balance holds; not saved", integrationID, balance)
	}
	if err != nil {
		return fmt.Errorf("saving the balance of integration %s: %w", integrationID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("saving the balance of integration %s: it no longer exists or is no longer a znet one", integrationID)
	}
	return nil
}
