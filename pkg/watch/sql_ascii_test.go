package watch_test

import (
	"context"
	"strings"
	"testing"

	"github.com/zwatch/zwatch/pkg/watch"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// In a SQL_ASCII database (an old shop's, which zwatch's encoding code
// names as one that "stores any text") varchar(n) counts bytes, not
// characters: a Turkish description fitted to "lastMessage"'s 250
// characters is up to twice as many bytes, and a PIN of 120 characters
// with one letter outside ASCII does not fit "pinCode". The answer is
// refused run after run ("value too long"), the PIN never saved: "no
// answer can make an order fail forever" does not hold there.
func TestAShopInSQLASCIIGetsItsPINs(t *testing.T) {
	t.Parallel()
	e := newEncodedEnv(t, "SQL_ASCII")
	db, fake := e.db, e.znet
	long := e.order("6400")
	fake.Script("6400", znettest.Done("ŞĞ12-CD34-EF56-GH78", strings.Repeat("İşlem tamamlandı, teşekkürler. ", 12)))
	// 70 characters, 140 bytes: too long for "pinCode" there, so held for
	// a person as any PIN too long is, not refused run after run.
	wide := e.order("6401")
	fake.Script("6401", znettest.Done(strings.Repeat("Ş", 70), "tamam"))

	for range 3 {
		_, _ = watch.Run(context.Background(), e.db.Store, e.config())
		e.db.ExpireClaims()
		e.db.MakeAllDue()
	}

	if row := db.ReadOrder(long); row.PINCode == nil || *row.PINCode != "ŞĞ12-CD34-EF56-GH78" {
		t.Errorf("order with a long Turkish description: %+v, last_error %v; want its PIN saved", row, deref(db.ReadCheck(long).LastError))
	}
	if c := db.ReadCheck(wide); c.GivenUpAt == nil || db.ReadOrder(wide).PINCode != nil {
		t.Errorf("order with a PIN of 140 bytes: %+v; want it held for a person, no PIN saved", c)
	}
}
