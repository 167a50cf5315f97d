package storetest

import (
	"time"

	"github.com/google/uuid"

	"github.com/zwatch/zwatch/pkg/store"
)

// Integration is a row of the shop's integrations table.
type Integration struct {
	ID, TenantID, Name, Provider string
	BaseURL, Kod, Sifre          string
	Disabled                     bool
}

// AddIntegration inserts a znet integration (unless Provider says
// otherwise) and returns its id.
func (db *DB) AddIntegration(in Integration) string {
	db.t.Helper()
	if in.ID == "" {
		in.ID = uuid.NewString()
	}
	if in.TenantID == "" {
		in.TenantID = uuid.NewString()
	}
	if in.Name == "" {
		in.Name = "znet-" + in.ID[:4]
	}
	if in.Provider == "" {
		in.Provider = store.Provider
	}
	db.Exec(`INSERT INTO integrations (id, "tenantId", name, provider, "baseUrl", kod, sifre, enabled)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		in.ID, in.TenantID, in.Name, in.Provider, in.BaseURL, in.Kod, in.Sifre, !in.Disabled)
	return in.ID
}

// Order is a row of the shop's product_orders table, as the shop writes it
// when it has sent the order to a provider.
type Order struct {
	ID              string
	TenantID        string
	OrderNo         int
	IntegrationID   string // "providerId"
	Referans        string // provider_referans
	ExternalOrderID string // "externalOrderId"
	ExternalStatus  string // default 'sent'
	Status          string // default 'pending'
	PINCode         string
	SentAgo         time.Duration // default 10 minutes
}

// AddOrder inserts an order and returns its id.
func (db *DB) AddOrder(o Order) string {
	db.t.Helper()
	if o.ID == "" {
		o.ID = uuid.NewString()
	}
	if o.TenantID == "" {
		o.TenantID = uuid.NewString()
	}
	if o.ExternalStatus == "" {
		o.ExternalStatus = "sent"
	}
	if o.Status == "" {
		o.Status = "pending"
	}
	if o.SentAgo == 0 {
		o.SentAgo = 10 * time.Minute
	}
	db.Exec(`INSERT INTO product_orders
		(id, "tenantId", "orderNo", status, "providerId", provider_referans, "externalOrderId",
		 "externalStatus", "pinCode", "sentAt", "createdAt")
		VALUES ($1, $2, NULLIF($3, 0), $4, $5, NULLIF($6, ''), NULLIF($7, ''), $8, NULLIF($9, ''),
		        now() - make_interval(secs => $10), now() - make_interval(secs => $10))`,
		o.ID, o.TenantID, o.OrderNo, o.Status, o.IntegrationID, o.Referans, o.ExternalOrderID,
		o.ExternalStatus, o.PINCode, o.SentAgo.Seconds())
	return o.ID
}

// OrderRow is what an operator would read back from product_orders.
type OrderRow struct {
	Status          string     `db:"status"`
	ExternalStatus  string     `db:"externalStatus"`
	PINCode         *string    `db:"pinCode"`
	ProviderMessage *string    `db:"providerMessage"`
	LastMessage     *string    `db:"lastMessage"`
	CompletedAt     *time.Time `db:"completedAt"`
	ApprovedAt      *time.Time `db:"approvedAt"`
	DurationMs      *int       `db:"durationMs"`
	LastSyncAt      *time.Time `db:"lastSyncAt"`
}

// ReadOrder reads back the columns zwatch may write.
func (db *DB) ReadOrder(id string) OrderRow {
	db.t.Helper()
	var r OrderRow
	db.Get(&r, `SELECT status, "externalStatus", "pinCode", "providerMessage", "lastMessage",
		"completedAt", "approvedAt", "durationMs", "lastSyncAt"
		FROM product_orders WHERE id = $1`, id)
	return r
}

// CheckRow is zwatch's bookkeeping row for one order.
type CheckRow struct {
	Attempts       int        `db:"attempts"`
	NextCheckAt    time.Time  `db:"next_check_at"`
	FirstCheckedAt *time.Time `db:"first_checked_at"`
	ClaimedBy      *string    `db:"claimed_by"`
	LastResult     *string    `db:"last_result"`
	LastError      *string    `db:"last_error"`
	GivenUpAt      *time.Time `db:"given_up_at"`
	FinishedAt     *time.Time `db:"finished_at"`
	ShopHeldSince  *time.Time `db:"shop_held_since"`
}

// ReadCheck reads zwatch's bookkeeping row for an order.
func (db *DB) ReadCheck(orderID string) CheckRow {
	db.t.Helper()
	var r CheckRow
	db.Get(&r, `SELECT attempts, next_check_at, first_checked_at, claimed_by, last_result,
		last_error, given_up_at, finished_at, shop_held_since
		FROM zwatch_order_checks WHERE order_id = $1`, orderID)
	return r
}

// SetSentAt writes an order's "sentAt" as PostgreSQL reads the text, such
// as '-infinity', which no Go time holds.
func (db *DB) SetSentAt(orderID, sentAt string) {
	db.t.Helper()
	db.Exec(`UPDATE product_orders SET "sentAt" = $2::timestamptz WHERE id = $1`, orderID, sentAt)
}

// MakeDue moves an order's next check into the past, as if time had passed.
func (db *DB) MakeDue(orderID string) {
	db.t.Helper()
	db.Exec(`UPDATE zwatch_order_checks SET next_check_at = now() - interval '1 second' WHERE order_id = $1`, orderID)
}
