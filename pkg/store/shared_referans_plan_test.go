package store_test

import (
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The look-up of orders sharing a referans runs for every batch that
// completes orders. It must read the shop's rows by primary key whatever
// the planner knows of zwatch_order_checks.referans: right after migrations
// 00020 to 00022 the column has no statistics until autovacuum analyzes
// the table, and a join the planner is free to reorder then read the whole
// of product_orders (a parallel seq scan, 250 ms at 2 million orders with
// every page cached) for every completing batch. So must the look-up of a
// PIN zwatch saved before (pin_bucket, migrations 00033-00034), along its
// own index.
func TestSharedReferansLookUpReadsTheShopByPrimaryKey(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	integ := db.AddIntegration(storetest.Integration{Kod: "k", Sifre: "s", BaseURL: "http://127.0.0.1:1"})
	db.Exec(`INSERT INTO product_orders (id, status, "providerId", "externalOrderId", "externalStatus", "pinCode", "sentAt", "createdAt")
		SELECT gen_random_uuid(), 'approved', $1, (900000000 + g)::text, 'completed', 'PIN-' || g,
		       now() - make_interval(secs => g), now() - make_interval(secs => g)
		FROM generate_series(1, 300000) g`, integ)
	db.Exec(`INSERT INTO zwatch_order_checks (order_id, attempts, next_check_at, finished_at, referans, pin_bucket)
		SELECT id, 1, now(), now(), "externalOrderId", hashtext("pinCode") FROM product_orders ORDER BY "sentAt" DESC LIMIT 30000`)
	db.VacuumAnalyze()
	var input string
	db.Get(&input, `SELECT json_agg(json_build_object('order_id', gen_random_uuid(), 'integration_id', $1::text,
		'referans_hex', encode(convert_to((800000000 + g)::text, 'UTF8'), 'hex'),
		'pin', 'PIN-' || g, 'pin_bucket', hashtext('PIN-' || g)))::text FROM generate_series(1, 20) g`, strings.ToLower(integ))

	// Autovacuum must not analyze the table between the steps below.
	db.Exec(`ALTER TABLE zwatch_order_checks SET (autovacuum_enabled = off)`)
	for _, stats := range []string{"analyzed", "none yet"} {
		if stats == "none yet" {
			// As migrate leaves it: the column added and filled, its index
			// built, and no ANALYZE since. Built before the rows are
			// filled: built after, over the update's HOT chains, it would
			// wait for the other tests' snapshots before any plan may use
			// it, as 00022's CONCURRENTLY build waits before it is done.
			for _, q := range []string{
				`ALTER TABLE zwatch_order_checks DROP COLUMN referans`,
				`ALTER TABLE zwatch_order_checks ADD COLUMN referans text`,
				`CREATE INDEX ON zwatch_order_checks ((` + store.ReferansKeySQL("referans") + `)) WHERE referans <> ''`,
				`UPDATE zwatch_order_checks c SET referans = o."externalOrderId" FROM product_orders o WHERE o.id = c.order_id`,
				`ALTER TABLE zwatch_order_checks DROP COLUMN pin_bucket`,
				`ALTER TABLE zwatch_order_checks ADD COLUMN pin_bucket integer`,
				`CREATE INDEX ON zwatch_order_checks (pin_bucket) WHERE pin_bucket IS NOT NULL`,
				`UPDATE zwatch_order_checks c SET pin_bucket = hashtext(o."pinCode") FROM product_orders o WHERE o.id = c.order_id`,
			} {
				db.Exec(q)
			}
		}
		for what, statement := range map[string]string{"shared referans": store.SharedReferansSQL, "PIN saved before": store.PINGivenBeforeSQL} {
			var plan []string
			if err := db.SQL.Select(&plan, `EXPLAIN `+statement, input); err != nil {
				t.Fatal(err)
			}
			if text := strings.Join(plan, "\n"); strings.Contains(text, "Seq Scan on product_orders") || strings.Contains(text, "Seq Scan on zwatch_order_checks") ||
				!strings.Contains(text, "Index Scan using product_orders_pkey") {
				t.Errorf("statistics %s: the %s look-up reads product_orders or zwatch_order_checks through:\n%s", stats, what, text)
			}
		}
	}
}
