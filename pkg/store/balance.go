package store

import (
	"context"
	"fmt"
)

// SaveBalance writes a znet integration's balance, in TRY as znet wrote it
// (e.g. "12755.23"), and when it was read. These are the only columns of the
// shop's integrations that zwatch ever writes.
func (s *Store) SaveBalance(ctx context.Context, integrationID, balance string) error {
	res, err := s.db.ExecContext(ctx, `
		UPDATE integrations
		SET balance = $2::numeric, "balanceUpdatedAt" = now()
		WHERE id::text = $1 AND provider = `+providerSQL, integrationID, balance)
	if err != nil {
		return fmt.Errorf("saving the balance of integration %s: %w", integrationID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("saving the balance of integration %s: it no longer exists or is no longer a znet one", integrationID)
	}
	return nil
}
