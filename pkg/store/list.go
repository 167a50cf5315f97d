package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ListFilter selects orders for `zwatch list`.
type ListFilter struct {
	State         string // "pending", "stuck", "failed" or "completed"
	TenantID      string // empty: all
	IntegrationID string // empty: all
	Limit         int
}

// ListedOrder is one line of `zwatch list`.
type ListedOrder struct {
	ID             string     `db:"id"`
	OrderNo        *int64     `db:"order_no"`
	TenantID       *string    `db:"tenant_id"`
	Integration    string     `db:"integration"`
	ExternalStatus string     `db:"external_status"`
	SentAt         *time.Time `db:"sent_at"`
	Attempts       int        `db:"attempts"`
	NextCheckAt    *time.Time `db:"next_check_at"`
	LastError      *string    `db:"last_error"`
	GivenUpAt      *time.Time `db:"given_up_at"`
	CompletedAt    *time.Time `db:"completed_at"`
	// PIN is the customer's secret: callers mask it unless asked to show it.
	PIN *string `db:"pin"`
}

// listStates are the WHERE and ORDER BY of each list.
var listStates = map[string]struct{ where, order string }{
	"pending": {
		where: orderPollableSQL + ` AND c.given_up_at IS NULL`,
		order: sentAtSQL + ` ASC`,
	},
	"stuck": {
		where: orderPollableSQL + ` AND c.given_up_at IS NOT NULL`,
		order: `c.given_up_at DESC`,
	},
	"failed": {
		where: `o."externalStatus" = 'failed'`,
		order: `COALESCE(o."lastSyncAt", o."createdAt") DESC`,
	},
	"completed": {
		where: `o."externalStatus" = 'completed'`,
		order: `COALESCE(o."completedAt", o."createdAt") DESC`,
	},
}

// ListStates names the lists ListOrders knows.
func ListStates() []string { return []string{"pending", "stuck", "failed", "completed"} }

// ListOrders lists znet orders in one state, newest problems first.
func (s *Store) ListOrders(ctx context.Context, f ListFilter) ([]ListedOrder, error) {
	state, ok := listStates[f.State]
	if !ok {
		return nil, fmt.Errorf("unknown list %q (want one of %s)", f.State, strings.Join(ListStates(), ", "))
	}
	var rows []ListedOrder
	err := s.db.SelectContext(ctx, &rows, `
		SELECT o.id::text AS id,
		       o."orderNo" AS order_no,
		       o."tenantId"::text AS tenant_id,
		       i.name AS integration,
		       o."externalStatus" AS external_status,
		       `+sentAtSQL+` AS sent_at,
		       COALESCE(c.attempts, 0) AS attempts,
		       CASE WHEN c.given_up_at IS NULL AND c.finished_at IS NULL THEN c.next_check_at END AS next_check_at,
		       c.last_error,
		       c.given_up_at,
		       o."completedAt" AS completed_at,
		       o."pinCode" AS pin
		FROM product_orders o
		`+joinZnetSQL+`
		LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
		WHERE `+state.where+`
		  AND ($1 = '' OR o."tenantId"::text = $1)
		  AND ($2 = '' OR i.id::text = $2)
		ORDER BY `+state.order+`
		LIMIT $3`, f.TenantID, f.IntegrationID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("listing %s orders: %w", f.State, err)
	}
	return rows, nil
}
