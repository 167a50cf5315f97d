package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet"
)

// The shared-referans guard compares referanses as znet reads them
// (04300, +4300 and 4300 are one znet order), along migration 00022's
// index on the very same expression: a change to one alone would leave
// every completing batch reading zwatch's table through. The count of
// orders a panel refused reads them in Go (znet.ReferansNumber), and must
// read them alike.
func TestReferansesAreComparedAsZnetReadsThemAlongTheirIndex(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	for referans, want := range map[string]string{
		"4300": "4300", "04300": "4300", "+4300": "4300", "4300\u00a0": "4300", "\v4300": "4300",
		"4300-2": "4300", "0": "0", "000": "0", "-4300": "-4300", "AB-12": "AB-12",
	} {
		var key string
		if err := db.SQL.GetContext(ctx, &key, `SELECT `+store.ReferansKeySQL("$1::text"), referans); err != nil {
			t.Fatal(err)
		}
		if key != want {
			t.Errorf("referans %q reads as %q, want %q", referans, key, want)
		}
		if number := znet.ReferansNumber(referans); number != key {
			t.Errorf("referans %q: znet.ReferansNumber reads %q, the database %q", referans, number, key)
		}
	}

	tx := db.SQL.MustBeginTx(ctx, nil)
	defer tx.Rollback()
	tx.MustExec(`SET LOCAL enable_seqscan = off`)
	var plan []string
	if err := tx.SelectContext(ctx, &plan, `EXPLAIN SELECT order_id FROM zwatch_order_checks c
		WHERE `+store.ReferansKeySQL("c.referans")+` = `+store.ReferansKeySQL("'04300'")+` AND c.referans <> ''`); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "zwatch_order_checks_referans_key") {
		t.Errorf("the look-up does not use migration 00022's index:\n%s", text)
	}
}

// The guard runs in every apply that completes an order, inside its
// transaction. The shop's product_orders holds millions of finished orders
// and no index but its primary key (reading it through took 12-17 s at 4
// million, the README says): the look-up must go from the completing
// answers along migration 00022's index to the few orders carrying their
// referans, never through the shop's table. Comparing the keys of a JSON
// recordset's referanses, which have no statistics, against a partial
// index's expression, whose statistics the planner does not read, it
// guessed thousands of matches and hashed the whole of product_orders.
func TestTheSharedReferansLookUpDoesNotReadTheShopsOrdersThrough(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	db.Exec(`INSERT INTO product_orders (id, "externalOrderId", "providerId", "externalStatus", status, "sentAt")
		SELECT gen_random_uuid(), (100000 + g)::text, 'x', CASE WHEN g % 10 = 0 THEN 'sent' ELSE 'completed' END, 'pending', now() - interval '1 day'
		FROM generate_series(1, 300000) g`)
	db.Exec(`INSERT INTO zwatch_order_checks (order_id, next_check_at, referans, finished_at)
		SELECT id, now(), "externalOrderId", CASE WHEN "externalStatus" = 'completed' THEN now() - interval '3 days' END
		FROM product_orders ORDER BY "externalOrderId" DESC LIMIT 30000`)
	db.Exec(`ANALYZE zwatch_order_checks`)
	db.Exec(`ANALYZE product_orders`)
	var waiting []string
	if err := db.SQL.SelectContext(ctx, &waiting, `SELECT order_id::text FROM zwatch_order_checks WHERE finished_at IS NULL LIMIT 100`); err != nil {
		t.Fatal(err)
	}
	var completing []string
	for k, id := range waiting {
		completing = append(completing, fmt.Sprintf(`{"order_id": %q, "integration_id": "x", "referans": "%d"}`, id, 399000-7*k))
	}
	var plan []string
	if err := db.SQL.SelectContext(ctx, &plan, `EXPLAIN `+store.SharedReferansSQL, "["+strings.Join(completing, ",")+"]"); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if strings.Contains(text, "Seq Scan on product_orders") || !strings.Contains(text, "zwatch_order_checks_referans_key") {
		t.Errorf("the shared-referans look-up of 100 completing answers reads the shop's orders through, not along zwatch_order_checks_referans_key:\n%s", text)
	}
}
