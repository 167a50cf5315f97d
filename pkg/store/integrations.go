package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Secret holds a znet password. It prints, logs and marshals as REDACTED,
// so that it cannot reach a terminal or a log by accident; Reveal is the one
// deliberate way out, for building the request.
type Secret string

const redacted = "REDACTED"

func (Secret) String() string               { return redacted }
func (Secret) GoString() string             { return redacted }
func (Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (s Secret) Reveal() string             { return string(s) }
func (s Secret) Format(f fmt.State, _ rune) { f.Write([]byte(redacted)) }

// Integration is a znet dealer account of one tenant.
type Integration struct {
	ID         string  `db:"id" json:"id"`
	TenantID   string  `db:"tenant_id" json:"tenant_id"`
	Name       string  `db:"name" json:"name"`
	BaseURL    string  `db:"base_url" json:"base_url"`
	DealerCode string  `db:"kod" json:"dealer_code"`
	Password   Secret  `db:"sifre" json:"-"`
	Enabled    bool    `db:"enabled" json:"enabled"`
	Balance    *string `db:"balance" json:"balance,omitempty"`
	// BalanceUpdatedAt is when the balance was written, as it was read:
	// SaveBalance writes over that balance only.
	BalanceUpdatedAt *time.Time `db:"balance_updated_at" json:"-"`
}

const integrationColumnsSQL = `i.id::text AS id, i."tenantId"::text AS tenant_id, i.name,
	COALESCE(i."baseUrl", '') AS base_url, COALESCE(i.kod, '') AS kod,
	COALESCE(i.sifre, '') AS sifre, i.enabled, i.balance::text AS balance,
	i."balanceUpdatedAt" AS balance_updated_at`

// Integrations returns the znet integrations with the given ids, by id.
func (s *Store) Integrations(ctx context.Context, ids []string) (map[string]Integration, error) {
	var rows []Integration
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `
		SELECT `+integrationColumnsSQL+`
		FROM integrations i
		WHERE i.provider = `+providerSQL+` AND i.id::text = ANY($1)`, pq.Array(ids))
	})
	if err != nil {
		return nil, fmt.Errorf("reading znet integrations: %w", err)
	}
	byID := make(map[string]Integration, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	return byID, nil
}

// ZnetIntegrations lists every znet integration, enabled or not, by name.
func (s *Store) ZnetIntegrations(ctx context.Context) ([]Integration, error) {
	var rows []Integration
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `
		SELECT `+integrationColumnsSQL+`
		FROM integrations i
		WHERE i.provider = `+providerSQL+`
		ORDER BY i.name, i.id`)
	})
	if err != nil {
		return nil, fmt.Errorf("reading znet integrations: %w", err)
	}
	return rows, nil
}
