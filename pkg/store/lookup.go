package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// OrderState is everything `zwatch check --order` needs to explain why an
// order is, or is not, zwatch's to ask about.
type OrderState struct {
	ID                  string     `db:"id"`
	OrderNo             *int64     `db:"order_no"`
	Status              string     `db:"status"`
	ExternalStatus      string     `db:"external_status"`
	ProviderID          string     `db:"provider_id"`
	Referans            string     `db:"referans"`
	SentAt              *time.Time `db:"sent_at"`
	IntegrationID       *string    `db:"integration_id"`
	IntegrationProvider *string    `db:"integration_provider"` // nil: no such integration
	IntegrationName     *string    `db:"integration_name"`
	IntegrationEnabled  *bool      `db:"integration_enabled"`
	Attempts            int        `db:"attempts"`
	NextCheckAt         *time.Time `db:"next_check_at"`
	ClaimedBy           *string    `db:"claimed_by"`
	// ClaimLapsesIn is how long the claim ClaimedBy names still runs, in
	// seconds: the most a person waits for a run or a check that died.
	ClaimLapsesIn *float64   `db:"claim_lapses_in"`
	GivenUpAt     *time.Time `db:"given_up_at"`
	// HeldForItsPIN: given up on because its PIN was another order's
	// (Taken): a unique index of the shop's refused it, or a run gave the
	// PIN to another order too, or zwatch saved it on another before.
	HeldForItsPIN bool `db:"held_for_its_pin"`
	// FirstCheckedAgo is how long ago, in seconds, the order's give-up
	// clock started, less the time its panel was failing, as the claim
	// moves it; nil for one never asked, or sent again (a new order).
	FirstCheckedAgo *float64 `db:"first_checked_ago"`
	// What the shop holds of a finished order, shown without asking znet.
	// PIN is the customer's secret: callers mask it unless asked to show it.
	PIN             *string    `db:"pin"`
	CompletedAt     *time.Time `db:"completed_at"`
	LastSyncAt      *time.Time `db:"last_sync_at"`
	ProviderMessage *string    `db:"provider_message"`
	LastMessage     *string    `db:"last_message"`
	// NotPollable is why zwatch will not ask about the order; empty when
	// it will.
	NotPollable NotPollable `db:"not_pollable"`
}

// HeldPIN is the PIN the order holds, trimmed (Order.HeldPIN); "" for
// none.
func (s OrderState) HeldPIN() string {
	if s.PIN == nil {
		return ""
	}
	return TrimPIN(*s.PIN)
}

// ZwatchNote is the note zwatch left in the order's "lastMessage" for a
// person (a give-up, a PIN it would not save), without its prefix; empty
// when "lastMessage" holds something else, such as zwatch's record of an
// answer ("znet: ...").
func (s OrderState) ZwatchNote() string {
	if s.LastMessage == nil {
		return ""
	}
	if note, ok := strings.CutPrefix(*s.LastMessage, ZwatchNotePrefix); ok {
		return note
	}
	return ""
}

// ShopPINs are the PINs the shop's orders hold (TrimPIN), each once: a
// refusal of the shop's database, a trigger's message, may quote one, and
// is masked of them before it is logged. Read as last committed, waiting
// for no row lock.
func (s *Store) ShopPINs(ctx context.Context, orderIDs []string) ([]string, error) {
	var held []string
	if err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &held, `
		SELECT DISTINCT o."pinCode"
		FROM product_orders o
		WHERE o.id = ANY($1::uuid[]) AND o."pinCode" IS NOT NULL`, pq.Array(orderIDs))
	}); err != nil {
		return nil, fmt.Errorf("reading the PINs the orders hold: %w", err)
	}
	var pins []string
	for _, pin := range held {
		if pin = TrimPIN(pin); pin != "" && !slices.Contains(pins, pin) {
			pins = append(pins, pin)
		}
	}
	return pins, nil
}

// ErrOrderNotFound means no shop order has that id.
var ErrOrderNotFound = errors.New("no order with that id")

// LookupOrder reads one order with its integration and zwatch's row, if any.
func (s *Store) LookupOrder(ctx context.Context, id string) (OrderState, error) {
	var st OrderState
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &st, `
		SELECT o.id::text AS id,
		       o."orderNo" AS order_no,
		       o.status,
		       o."externalStatus" AS external_status,
		       COALESCE(o."providerId", '') AS provider_id,
		       `+referansSQL+` AS referans,
		       -- Shown to a person: no date of an infinite time (lib/pq
		       -- reads one as the year 9999 or 0000).
		       CASE WHEN isfinite(o."sentAt") THEN o."sentAt" END AS sent_at,
		       i.id::text AS integration_id,
		       i.provider AS integration_provider,
		       i.name AS integration_name,
		       i.enabled AS integration_enabled,
		       -- Revived by the next claim, check --order's too
		       -- (enlistSQL): sent again, the order is a new one.
		       CASE WHEN `+resentWaitingSQL+` THEN 0 ELSE COALESCE(c.attempts, 0) END AS attempts,
		       c.next_check_at,
		       CASE WHEN c.claim_expires_at > now() THEN c.claimed_by END AS claimed_by,
		       CASE WHEN c.claim_expires_at > now()
		            THEN EXTRACT(epoch FROM c.claim_expires_at - now())::float8 END AS claim_lapses_in,
		       CASE WHEN NOT `+revivedSQL+` THEN c.given_up_at END AS given_up_at,
		       -- Held for a person because its PIN was another order's, in
		       -- the sending and at the panel it is in now.
		       COALESCE(NOT `+revivedSQL+` AND c.given_up_at IS NOT NULL AND c.last_result = '`+ErrorResult(heldValueTaken)+`'
		                AND c.referans IS NOT DISTINCT FROM `+referansSQL+` AND c.integration_id IS NOT DISTINCT FROM i.id, false)
		           AS held_for_its_pin,
		       CASE WHEN NOT `+resentWaitingSQL+`
		            THEN EXTRACT(epoch FROM now() - `+restartedClockSQL+`)::float8
		       END AS first_checked_ago,
		       o."pinCode" AS pin,
		       CASE WHEN isfinite(o."completedAt") THEN o."completedAt" END AS completed_at,
		       CASE WHEN isfinite(o."lastSyncAt") THEN o."lastSyncAt" END AS last_sync_at,
		       o."providerMessage" AS provider_message,
		       o."lastMessage" AS last_message,
		       COALESCE(`+notPollableSQL+`, '') AS not_pollable
		FROM product_orders o
		`+integrationOfOrderSQL+`
		LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
		WHERE o.id = $1`, id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return st, ErrOrderNotFound
	}
	if err != nil {
		return st, fmt.Errorf("reading order %s: %w", id, err)
	}
	return st, nil
}

// ErrClaimedElsewhere means another run holds the order right now.
var ErrClaimedElsewhere = errors.New("another zwatch run is asking znet about this order right now; try again in a minute")

// ClaimOrder claims one order now, due or not, for an operator's manual
// check. It is the same lease a run takes, so a run and a person never ask
// about one order at the same time. It yields ErrClaimedElsewhere when
// another run holds the order, or when the order stopped being pollable since
// the caller looked it up.
func (s *Store) ClaimOrder(ctx context.Context, runID, orderID string, lease time.Duration) (Order, error) {
	var orders []Order
	err := s.inTxWaiting(ctx, claimLockTimeout, func(tx *sqlx.Tx) error {
		// Registered, or started over if the shop sent it again, exactly as
		// a run would; due now.
		if _, err := enlist(ctx, tx, enlistFrom{SentAt: "-infinity", OrderID: uuidZero, OnlyOrderID: &orderID}, 1, 0, false); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &orders, claimOrderSQL.text, claimOrderSQL.args(params{
			"order_id":      orderID,
			"run_id":        runID,
			"lease_seconds": lease.Seconds(),
		})...)
	})
	if err != nil {
		return Order{}, fmt.Errorf("claiming order %s: %w", orderID, lockWaitGivenUp(err))
	}
	if len(orders) == 0 {
		return Order{}, ErrClaimedElsewhere
	}
	return orders[0], nil
}

// OrderRef is how a person names an order: by its number, by its id or the
// beginning of it, or either (a number of 8 digits or more can be both).
// IDFrom and IDTo are the range of ids that begin with the prefix.
type OrderRef struct {
	OrderNo      *int64
	IDFrom, IDTo string // empty: not by id
}

// OrderMatch is an order an OrderRef names.
type OrderMatch struct {
	ID             string    `db:"id"`
	OrderNo        *int64    `db:"order_no"`
	TenantID       *string   `db:"tenant_id"`
	ExternalStatus string    `db:"external_status"`
	CreatedAt      time.Time `db:"created_at"`
}

// FindOrders returns up to limit orders that ref names, newest first.
//
// By id it walks the primary key over the range of ids with that
// beginning. By number it reads product_orders through (the shop has no
// index on "orderNo"): once per command an operator types, never per order.
func (s *Store) FindOrders(ctx context.Context, ref OrderRef, limit int) ([]OrderMatch, error) {
	var rows []OrderMatch
	// A NULL order number or id range matches nothing, and
	// PostgreSQL then skips that half without reading.
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `
		SELECT id, order_no, tenant_id, external_status, created_at
		FROM (
			SELECT o.id::text AS id, o."orderNo" AS order_no, o."tenantId"::text AS tenant_id,
			       o."externalStatus" AS external_status, o."createdAt" AS created_at
			FROM product_orders o
			WHERE o."orderNo" = $1::bigint
			UNION
			SELECT o.id::text, o."orderNo", o."tenantId"::text, o."externalStatus", o."createdAt"
			FROM product_orders o
			WHERE o.id BETWEEN $2::uuid AND $3::uuid
		) named
		ORDER BY created_at DESC
		LIMIT $4`, ref.OrderNo, nullIfEmpty(ref.IDFrom), nullIfEmpty(ref.IDTo), limit)
	})
	if err != nil {
		return nil, fmt.Errorf("finding the order: %w", err)
	}
	return rows, nil
}

// FindIntegrations returns the znet integrations named name (ignoring
// case and the spaces around it), or whose id lies in [idFrom, idTo] (an id prefix; empty: none).
func (s *Store) FindIntegrations(ctx context.Context, name, idFrom, idTo string) ([]Integration, error) {
	var rows []Integration
	// The shop has a handful of integrations; no index
	// is needed.
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `
		SELECT `+integrationColumnsSQL+`
		FROM integrations i
		WHERE i.provider = `+providerSQL+`
		  AND (lower(btrim(i.name)) = lower(btrim($1)) OR i.id BETWEEN $2::uuid AND $3::uuid)
		ORDER BY i.name, i.id`, name, nullIfEmpty(idFrom), nullIfEmpty(idTo))
	})
	if beyondEncoding(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("finding the integration: %w", err)
	}
	return rows, nil
}

// FindTenants returns up to limit tenants of znet orders whose id lies in
// [idFrom, idTo] (a tenant id prefix, as `zwatch list` shows it). Like an
// order number, it reads product_orders through unless the shop indexes
// "tenantId": once per command an operator types.
func (s *Store) FindTenants(ctx context.Context, idFrom, idTo string, limit int) ([]string, error) {
	var tenants []string
	// The tenants of the orders `zwatch list` can show.
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &tenants, `
		SELECT DISTINCT o."tenantId"::text AS tenant_id
		FROM product_orders o
		`+joinZnetSQL+`
		WHERE o."tenantId" BETWEEN $1::uuid AND $2::uuid
		ORDER BY tenant_id
		LIMIT $3`, idFrom, idTo, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("finding the tenant: %w", err)
	}
	return tenants, nil
}

// TenantHasIntegration says whether the tenant of id has an integration of
// its own, of any provider: a tenant the shop knows, which may have no znet
// order yet. The integrations are a handful of rows.
func (s *Store) TenantHasIntegration(ctx context.Context, id string) (bool, error) {
	var has bool
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &has, `SELECT EXISTS (SELECT 1 FROM integrations WHERE "tenantId" = $1::uuid)`, id)
	})
	if err != nil {
		return false, fmt.Errorf("finding the tenant's integrations: %w", err)
	}
	return has, nil
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const uuidZero = "00000000-0000-0000-0000-000000000000"

// claimOrderSQL leases one pollable order that no run holds, whatever its
// schedule; a stuck order too, since a person asked. As a run's claim does,
// it starts the order's give-up clock again if its panel was failing when
// it was last tried: that time is not counted, or the operator's first look
// after a broken weekend would give the order up at once.
var claimOrderSQL = named(`
-- claim one order for a manual check
UPDATE zwatch_order_checks c
SET claimed_by = @run_id,
	claim_expires_at = now() + make_interval(secs => @lease_seconds),
	finished_at = NULL,
	first_checked_at = ` + restartedClockSQL + `,
	panel_failing_since = NULL,
	-- Of another znet order once the referans or the panel changed, as a
	-- run's claim forgets it, and what the panel it left said is no
	-- sample of the new one's: a stuck order the shop moved is claimed by
	-- nothing else (helper-319).
	last_result = CASE WHEN c.referans IS DISTINCT FROM ` + referansSQL + ` OR c.integration_id IS DISTINCT FROM i.id
		THEN NULL ELSE c.last_result END,
	waiting_seen_at = CASE WHEN c.integration_id IS DISTINCT FROM i.id AND c.integration_id IS NOT NULL
		THEN NULL ELSE c.waiting_seen_at END,
	integration_id = i.id,
	-- As a run's claim writes it, for the look-up of orders sharing one.
	referans = ` + referansSQL + `
FROM product_orders o
` + joinZnetSQL + `
WHERE c.order_id = @order_id
  AND o.id = c.order_id
  AND ` + pollableSQL + `
  AND (c.claim_expires_at IS NULL OR c.claim_expires_at < now())
RETURNING ` + orderColumnsSQL)
