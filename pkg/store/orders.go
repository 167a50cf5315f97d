package store

import "time"

// Provider is the integrations.provider of the dealer platform zwatch asks:
// the one place that names it. Statements read it as providerSQL.
const Provider = "znet"

// These fragments are the single definition of which orders zwatch may touch.
// Every statement that selects, claims or updates a shop order is built from
// them, so "pollable" means the same thing everywhere. They expect the shop's
// order aliased as o and its integration as i.
const (
	// providerSQL is Provider as an SQL literal, for the statements that
	// pick the shop's integrations zwatch works with.
	providerSQL = `'` + Provider + `'`

	// referansSQL is the znet referans of order o: the shop's own
	// provider_referans column where it is filled in, "externalOrderId" where
	// not.
	referansSQL = `COALESCE(NULLIF(btrim(o.provider_referans), ''), btrim(o."externalOrderId"), '')`

	// orderPollableSQL holds while the shop's order still waits for its
	// provider and no person has decided it by hand.
	orderPollableSQL = `o."externalStatus" IN ('sent', 'pending', 'processing')
		AND o.status = 'pending'
		AND ` + referansSQL + ` <> ''`

	// joinZnetSQL joins the order's integration. providerId is text in the
	// shop's schema, holding the integration's uuid.
	joinZnetSQL = `JOIN integrations i ON i.id::text = lower(btrim(o."providerId")) AND i.provider = ` + providerSQL

	// pollableSQL is an order zwatch asks znet about: pollable, and its
	// integration is a znet one that is switched on.
	pollableSQL = orderPollableSQL + ` AND i.enabled`

	// sentAtSQL is when the order went to znet. The shop always sets sentAt
	// with 'sent'; createdAt stands in should a row ever lack it.
	sentAtSQL = `COALESCE(o."sentAt", o."createdAt")`
)

// Order is a shop order as zwatch polls it.
type Order struct {
	ID             string     `db:"id" json:"id"`
	OrderNo        *int64     `db:"order_no" json:"order_no,omitempty"`
	TenantID       *string    `db:"tenant_id" json:"tenant_id,omitempty"`
	IntegrationID  string     `db:"integration_id" json:"integration_id"`
	Referans       string     `db:"referans" json:"referans"`
	ExternalStatus string     `db:"external_status" json:"external_status"`
	SentAt         *time.Time `db:"sent_at" json:"sent_at,omitempty"`
	Attempts       int        `db:"attempts" json:"attempts"`
	FirstCheckedAt *time.Time `db:"first_checked_at" json:"first_checked_at,omitempty"`
}

// orderColumnsSQL selects an Order from o, i and zwatch_order_checks c.
const orderColumnsSQL = `o.id,
	o."orderNo" AS order_no,
	o."tenantId" AS tenant_id,
	i.id::text AS integration_id,
	` + referansSQL + ` AS referans,
	o."externalStatus" AS external_status,
	` + sentAtSQL + ` AS sent_at,
	COALESCE(c.attempts, 0) AS attempts,
	c.first_checked_at`
