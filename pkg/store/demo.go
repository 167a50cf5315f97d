//go:build demo || bench

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// This file is `zwatch demo`'s part of the store: it plays the shop, filling
// an empty database with integrations and sent orders, and counts how far
// zwatch has got with them. It is built only into the demo's binary (-tags
// demo) and the benchmarks (-tags bench, which count open orders with
// CountDemoProgress), never into the binary an operator installs.

// ErrShopNotEmpty means the database already holds shop data, so it may be a
// real shop's: the demo writes nothing to it.
var ErrShopNotEmpty = errors.New("the database already holds shop data")

// ErrNoShopSchema means the shop's tables are missing altogether.
var ErrNoShopSchema = errors.New("the shop's tables (product_orders, integrations) are missing")

// ShopRows counts the rows of the shop's two tables zwatch reads. A real
// shop's database has orders by the million; only a database with none at
// all is one the demo may fill.
type ShopRows struct {
	Orders       int64 `db:"orders"`
	Integrations int64 `db:"integrations"`
}

// Empty is true when neither table holds a row.
func (r ShopRows) Empty() bool { return r.Orders == 0 && r.Integrations == 0 }

// CountShopRows counts the rows of product_orders and integrations. It
// returns ErrNoShopSchema when the tables are not there.
func (s *Store) CountShopRows(ctx context.Context) (ShopRows, error) {
	return countShopRows(ctx, s.db)
}

func countShopRows(ctx context.Context, q sqlx.QueryerContext) (ShopRows, error) {
	if err := requireShopTables(ctx, q); err != nil {
		return ShopRows{}, err
	}
	var rows ShopRows
	// Counting stops at shopRowsCap: enough to tell a person what is there,
	// cheap on a shop's millions of orders.
	err := sqlx.GetContext(ctx, q, &rows, `
		SELECT (SELECT count(*) FROM (SELECT 1 FROM product_orders LIMIT $1) o) AS orders,
		       (SELECT count(*) FROM (SELECT 1 FROM integrations LIMIT $1) i) AS integrations`, shopRowsCap)
	if err != nil {
		return ShopRows{}, fmt.Errorf("counting the shop's rows: %w", err)
	}
	return rows, nil
}

// shopRowsCap is where CountShopRows stops counting.
const shopRowsCap = 1000

func requireShopTables(ctx context.Context, q sqlx.QueryerContext) error {
	var present bool
	err := sqlx.GetContext(ctx, q, &present, `
		SELECT to_regclass('product_orders') IS NOT NULL AND to_regclass('integrations') IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("looking for the shop's tables: %w", err)
	}
	if !present {
		return ErrNoShopSchema
	}
	return nil
}

// DemoIntegration is a znet integration the demo's shop has.
type DemoIntegration struct {
	ID, TenantID, Name string
	BaseURL            string
	DealerCode         string
	Password           Secret
}

// DemoOrder is an order the demo's shop has sent to znet.
type DemoOrder struct {
	ID, TenantID  string
	OrderNo       int
	IntegrationID string
	Referans      string // the numeric id sent to pin_ekle.php
	Player        string // what the customer typed: player id or phone
	Price         string // in TRY, as numeric text
	SentAgo       time.Duration
}

// SeedDemo inserts the demo's integrations and orders, the way the shop
// writes them once it has sent an order to znet: externalStatus 'sent',
// status 'pending', the referans in "externalOrderId". It does so only
// while both shop tables are empty, checked in the same transaction, and
// returns ErrShopNotEmpty otherwise.
func (s *Store) SeedDemo(ctx context.Context, integrations []DemoIntegration, orders []DemoOrder) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := requireShopTables(ctx, tx); err != nil {
			return err
		}
		// Two demos started at once on one database must not both seed.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE integrations, product_orders IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("locking the shop's tables: %w", err)
		}
		rows, err := countShopRows(ctx, tx)
		if err != nil {
			return err
		}
		if !rows.Empty() {
			return ErrShopNotEmpty
		}
		for _, in := range integrations {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO integrations (id, "tenantId", name, provider, "baseUrl", kod, sifre, enabled)
				VALUES ($1, $2, $3, `+providerSQL+`, $4, $5, $6, true)`,
				in.ID, in.TenantID, in.Name, in.BaseURL, in.DealerCode, in.Password.Reveal())
			if err != nil {
				return fmt.Errorf("adding the demo integration %s: %w", in.Name, err)
			}
		}
		n := len(orders)
		var (
			ids, tenants, providers = make([]string, n), make([]string, n), make([]string, n)
			referanses, players     = make([]string, n), make([]string, n)
			prices                  = make([]string, n)
			orderNos                = make([]int64, n)
			sentAgo                 = make([]float64, n)
		)
		for k, o := range orders {
			ids[k], tenants[k], providers[k] = o.ID, o.TenantID, o.IntegrationID
			referanses[k], players[k], prices[k] = o.Referans, o.Player, o.Price
			orderNos[k], sentAgo[k] = int64(o.OrderNo), o.SentAgo.Seconds()
		}
		// The shop creates the order when the customer pays and sends it to
		// znet a few seconds later.
		_, err = tx.ExecContext(ctx, `
			INSERT INTO product_orders
				(id, "tenantId", "orderNo", status, "providerId", "externalOrderId", "externalStatus",
				 "userIdentifier", "sellPriceCurrency", "sellPriceAmount", price, "sentAt", "createdAt")
			SELECT t.id, t.tenant, t.order_no, 'pending', t.provider, t.referans, 'sent',
			       t.player, 'TRY', t.price::numeric, t.price::numeric,
			       now() - make_interval(secs => t.sent_ago),
			       now() - make_interval(secs => t.sent_ago + 3)
			FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[])
			     AS t(id, tenant, order_no, provider, referans, player, price, sent_ago)`,
			pq.Array(ids), pq.Array(tenants), pq.Array(orderNos), pq.Array(providers),
			pq.Array(referanses), pq.Array(players), pq.Array(prices), pq.Array(sentAgo))
		if err != nil {
			return fmt.Errorf("adding %d demo orders: %w", n, err)
		}
		return nil
	})
}

// DemoProgress counts znet orders by where they stand, as the demo prints
// it after each run.
type DemoProgress struct {
	Sent       int `db:"sent"`       // not answered by znet yet
	Processing int `db:"processing"` // znet said it is working on it
	Completed  int `db:"completed"`
	Failed     int `db:"failed"` // cancelled at znet
	Stuck      int `db:"stuck"`  // zwatch gave up on it
	// Held are waiting orders of a panel that is failing: zwatch stopped
	// their give-up clock, and asks again once the panel answers.
	Held int `db:"held"`
}

// Open is the number of orders zwatch still asks about.
func (p DemoProgress) Open() int { return p.Sent + p.Processing }

// CountDemoProgress counts every znet order by its state.
func (s *Store) CountDemoProgress(ctx context.Context) (DemoProgress, error) {
	var p DemoProgress
	err := s.db.GetContext(ctx, &p, `
		SELECT count(*) FILTER (WHERE open AND NOT given_up AND NOT held AND external_status IN ('sent', 'pending')) AS sent,
		       count(*) FILTER (WHERE open AND NOT given_up AND NOT held AND external_status = 'processing') AS processing,
		       count(*) FILTER (WHERE external_status = 'completed') AS completed,
		       count(*) FILTER (WHERE external_status = 'failed') AS failed,
		       count(*) FILTER (WHERE open AND given_up) AS stuck,
		       count(*) FILTER (WHERE open AND NOT given_up AND held) AS held
		FROM (
			SELECT o."externalStatus" AS external_status,
			       (`+orderPollableSQL+`) AS open,
			       `+stuckSQL+` AS given_up,
			       c.panel_failing_since IS NOT NULL AS held
			FROM product_orders o
			`+joinZnetSQL+`
			LEFT JOIN zwatch_order_checks c ON c.order_id = o.id
		) orders`)
	if err != nil {
		return DemoProgress{}, fmt.Errorf("counting orders by state: %w", err)
	}
	return p, nil
}

// DemoOutcome is where one integration's orders ended, as the demo sums
// them up at its end.
type DemoOutcome struct {
	Integration string `db:"integration"`
	PINsSaved   int    `db:"pins_saved"` // completed, PIN in "pinCode", status approved
	// Refunds are orders znet cancelled: "externalStatus" failed while the
	// shop's status stays pending, so refunding them is the shop's job.
	Refunds int `db:"refunds"`
	Stuck   int `db:"stuck"` // zwatch gave up on them
	Held    int `db:"held"`  // waiting for their failing panel, give-up clock stopped
}

// DemoStuckReason counts one integration's stuck orders (or, Held, those
// waiting for their failing panel) that share the last thing zwatch learned
// about them.
type DemoStuckReason struct {
	Integration string `db:"integration"`
	Held        bool   `db:"held"`
	LastError   string `db:"last_error"` // empty: znet's last answer was that it was still working on them
	Orders      int    `db:"orders"`
}

// demoOrdersSQL is every znet order with its integration's name and whether
// zwatch gave up on it while it was still pollable.
var demoOrdersSQL = `
	SELECT i.name AS integration, o."externalStatus" AS external_status, o.status,
	       o."pinCode" IS NOT NULL AS has_pin,
	       (` + orderPollableSQL + `) AND ` + stuckSQL + ` AS stuck,
	       (` + orderPollableSQL + `) AND NOT ` + stuckSQL + ` AND c.panel_failing_since IS NOT NULL AS held,
	       COALESCE(c.last_error, '') AS last_error
	FROM product_orders o
	` + joinZnetSQL + `
	LEFT JOIN zwatch_order_checks c ON c.order_id = o.id`

// DemoOutcomes sums up, per integration, the orders whose PIN zwatch saved,
// those left to the shop to refund and those it gave up on, and counts the
// stuck ones by their last error, most first.
func (s *Store) DemoOutcomes(ctx context.Context) ([]DemoOutcome, []DemoStuckReason, error) {
	var outcomes []DemoOutcome
	err := s.db.SelectContext(ctx, &outcomes, `
		SELECT integration,
		       count(*) FILTER (WHERE external_status = 'completed' AND status = 'approved' AND has_pin) AS pins_saved,
		       count(*) FILTER (WHERE external_status = 'failed' AND status = 'pending') AS refunds,
		       count(*) FILTER (WHERE stuck) AS stuck,
		       count(*) FILTER (WHERE held) AS held
		FROM (`+demoOrdersSQL+`) orders
		GROUP BY integration
		ORDER BY integration`)
	if err != nil {
		return nil, nil, fmt.Errorf("summing up the demo's orders: %w", err)
	}
	var reasons []DemoStuckReason
	err = s.db.SelectContext(ctx, &reasons, `
		SELECT integration, held, last_error, count(*) AS orders
		FROM (`+demoOrdersSQL+`) orders
		WHERE stuck OR held
		GROUP BY integration, held, last_error
		ORDER BY held, orders DESC, integration, last_error`)
	if err != nil {
		return nil, nil, fmt.Errorf("counting the demo's stuck orders by reason: %w", err)
	}
	return outcomes, reasons, nil
}
