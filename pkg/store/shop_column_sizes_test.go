package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/zwatch/zwatch/pkg/store"
	"github.com/zwatch/zwatch/pkg/store/storetest"
)

// The shop narrows "pinCode" while a --loop run is under way: the Store
// read the table at its first save. The save PostgreSQL refuses for a
// value too long has the next one read the table again, and hold the PIN
// for a person, rather than every save of the run fail until it ends.
func TestASaveAfterTheShopNarrowedAColumnReadsTheTableAgain(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	order, save := doneAfterTheShopAltered(t, db, "4252", "AB12-CD34-EF56-GH78",
		`ALTER TABLE product_orders ALTER COLUMN "pinCode" TYPE varchar(16)`)
	_, _ = save() // refused: the PIN was judged against 120
	applied, err := save()
	if err != nil || len(applied) != 1 || !applied[0].PINTooLong {
		t.Fatalf("the save after the refused one: %+v, %v; want the PIN held as too long", applied, err)
	}
	if c := db.ReadCheck(order); c.LastError == nil || !strings.Contains(*c.LastError, "more than the 16 the shop's pinCode column takes") {
		t.Errorf("last_error %v, want the column's 16 characters named", c.LastError)
	}
}

// A column of a domain over varchar has the domain's length: a PIN longer
// is held, and the dry run's WouldHold says so.
func TestAPinCodeOfADomainHasTheDomainsLength(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	db.Exec(`CREATE DOMAIN pin_code AS varchar(16)`)
	db.Exec(`ALTER TABLE product_orders ALTER COLUMN "pinCode" TYPE pin_code`)
	order := claimOne(t, db, "4253")
	done := store.Outcome{Order: order, Result: store.ResultDone, PIN: "AB12-CD34-EF56-GH78", NextCheckIn: time.Minute}
	if pinTooLong, _ := db.Store.WouldHold(ctx, done); !pinTooLong {
		t.Error("WouldHold: the PIN fits, want it too long for the domain's 16 characters")
	}
	params := store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}
	if applied, err := db.Store.Apply(ctx, params, []store.Outcome{done}); err != nil || len(applied) != 1 || !applied[0].PINTooLong {
		t.Errorf("Apply: %+v, %v; want the PIN held as too long", applied, err)
	}
}

// A "pinCode" of text takes a PIN up to store.LongestPIN, no longer: a
// longer one is held for a person, the line naming zwatch's bound, not the
// column's.
func TestAPINLongerThanZwatchSavesIsHeldUnderATextPinCode(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	db.Exec(`ALTER TABLE product_orders ALTER COLUMN "pinCode" TYPE text`)
	order := claimOne(t, db, "4254")
	done := store.Outcome{Order: order, Result: store.ResultDone, PIN: strings.Repeat("AB12CD34", 30), NextCheckIn: time.Minute}
	if pinTooLong, _ := db.Store.WouldHold(ctx, done); !pinTooLong {
		t.Error("WouldHold: a PIN of 240 characters fits, want it held")
	}
	params := store.ApplyParams{RunID: "run-a", GiveUpAfter: 24 * time.Hour, GiveUpNote: "gave up"}
	if applied, err := db.Store.Apply(ctx, params, []store.Outcome{done}); err != nil || len(applied) != 1 || !applied[0].PINTooLong {
		t.Errorf("Apply: %+v, %v; want the PIN held as too long", applied, err)
	}
	if c := db.ReadCheck(order.ID); c.LastError == nil || !strings.HasPrefix(*c.LastError, "znet's PIN has 240 characters, more than the 120 zwatch saves of a PIN") {
		t.Errorf("last_error %v, want zwatch's bound named", c.LastError)
	}
}
