package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The shared-referans guard compares referanses as znet reads them
// (04300, +4300 and 4300 are one znet order), along migration 00022's
// index on the very same expression: a change to one alone would leave
// every completing batch reading zwatch's table through.
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
