package cmd_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

// A shop whose "pinCode" is narrower than the schema's varchar(120) has a
// PIN longer than its column held for a person, the line naming the
// column's own size, as a role with exactly the printed grants, and the
// dry run predicts it. zwatch fitted to 120: every run failed on
// PostgreSQL's "value too long for type character varying(16)", the give-up
// was refused with it, and the dry run said the PIN would be saved
// (helper-324).
func TestAPINLongerThanTheShopsOwnPinCodeIsHeld(t *testing.T) {
	t.Parallel()
	s, asRole := shopWhoseColumn(t, "pinCode", "varchar(16)")
	id := s.order("51")
	s.znet.Script("51", znettest.Done("AB12-CD34-EF56-GH78", "tamam")) // 19 characters
	tooLong := "znet's PIN has 19 characters, more than the 16 the shop's pinCode column takes"

	r := zwatchAt(t, asRole, "check-pending", "--dry-run", "-o", "json")
	if r.code != 3 || !strings.Contains(r.stdout, `"pin_too_long": [`) || strings.Contains(r.stdout, `"to": "completed"`) {
		t.Errorf("check-pending --dry-run: exit %d, want 3 and the PIN held\n%s", r.code, r.all())
	}
	r = zwatchAt(t, asRole, "check-pending")
	if r.code != 3 || !strings.Contains(r.stdout, "is stuck: znet's PIN does not fit the shop's pinCode column") ||
		strings.Contains(r.all(), "value too long") {
		t.Fatalf("check-pending: exit %d, want 3 and the order held for its PIN\n%s", r.code, r.all())
	}
	row, check := s.db.ReadOrder(id), s.db.ReadCheck(id)
	if row.ExternalStatus != "sent" || row.PINCode != nil || row.LastMessage == nil || !strings.Contains(*row.LastMessage, "more than the 16") {
		t.Errorf("the order: %+v, want no PIN and a note naming the column's 16 characters", row)
	}
	if check.GivenUpAt == nil || check.LastError == nil || !strings.HasPrefix(*check.LastError, tooLong) {
		t.Errorf("zwatch's row: %+v, want it given up on with %q", check, tooLong)
	}
	if r := zwatchAt(t, asRole, "list", "--stuck", "-o", "json"); !strings.Contains(r.stdout, tooLong) {
		t.Errorf("list --stuck does not say why:\n%s", r.all())
	}

	asked := s.znet.Requests("51")
	s.db.MakeAllDue()
	if r := zwatchAt(t, asRole, "check-pending"); r.code != 0 || s.znet.Requests("51") != asked {
		t.Errorf("the next run: exit %d, %d requests for the held order, want 0 and none\n%s", r.code, s.znet.Requests("51")-asked, r.all())
	}
}

// A shop whose "lastMessage" is varchar(100) has an order past
// --give-up-after given up on, the note cut to fit. zwatch fitted it to
// 250: the note was refused with the whole save, run after run, and the
// order was never stuck.
func TestAnOrderPastGiveUpIsStuckUnderAShortLastMessage(t *testing.T) {
	t.Parallel()
	s, asRole := shopWhoseColumn(t, "lastMessage", "varchar(100)")
	id := s.order("52")
	s.znet.SetDefault(znettest.Waiting("bekliyor"))
	if r := zwatchAt(t, asRole, "check-pending", "--give-up-after", "2h"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.all())
	}
	s.db.FirstCheckedAgo(id, 3*time.Hour)
	s.db.MakeAllDue()

	r := zwatchAt(t, asRole, "check-pending", "--give-up-after", "2h")
	if r.code != 3 || !strings.Contains(r.stdout, "is stuck: no final answer") || strings.Contains(r.all(), "value too long") {
		t.Errorf("check-pending: exit %d, want 3 and the order stuck\n%s", r.code, r.all())
	}
	row := s.db.ReadOrder(id)
	if c := s.db.ReadCheck(id); c.GivenUpAt == nil {
		t.Errorf("zwatch's row: %+v, want it given up on", c)
	}
	if row.LastMessage == nil || utf8.RuneCountInString(*row.LastMessage) != 100 ||
		!strings.HasPrefix(*row.LastMessage, "zwatch: no final answer from znet after 2h0m0s of polling") {
		t.Errorf("lastMessage %v, want the give-up note cut to the column's 100 characters", row.LastMessage)
	}
}

// A shop whose "providerMessage" is varchar(255) has a long description of
// znet's saved cut to fit, and the PIN with it; zwatch's own events keep
// more of it. zwatch fitted it to 2,000: the order's save was refused,
// run after run, and its PIN never delivered.
func TestALongDescriptionIsCutToTheShopsProviderMessage(t *testing.T) {
	t.Parallel()
	s, asRole := shopWhoseColumn(t, "providerMessage", "varchar(255)")
	id := s.order("53")
	desc := string([]rune("İşlem tamamlandı. " + strings.Repeat("Kartınız hesabınıza tanımlanmıştır. ", 17))[:600])
	s.znet.Script("53", znettest.Done("AB12-CD34-EF56-GH78", desc))

	if r := zwatchAt(t, asRole, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d, want 0\n%s", r.code, r.all())
	}
	row := s.db.ReadOrder(id)
	if row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != "AB12-CD34-EF56-GH78" {
		t.Errorf("the order: %+v, want completed with its PIN", row)
	}
	if row.ProviderMessage == nil || *row.ProviderMessage != string([]rune(desc)[:255]) {
		t.Errorf("providerMessage %v, want the description's first 255 characters", row.ProviderMessage)
	}
	kept := 0
	for _, e := range s.db.Events(id) {
		if e.ProviderMessage != nil {
			kept = max(kept, utf8.RuneCountInString(*e.ProviderMessage))
		}
	}
	if kept != 600 {
		t.Errorf("zwatch's events keep %d characters of the description, want all 600", kept)
	}
}

// A shop whose "pinCode" is text, bounded by a CHECK as PostgreSQL's own
// advice has it, has a PIN longer than the schema's 120 characters held
// for a person at once, in zwatch's words, and the dry runs say so. Held
// "more than the 120 the shop's pinCode column takes", which the column
// is not; saved up to 200 (da23fa0), every run was refused by the CHECK
// and the order never given up on (helper-326).
func TestAPINLongerThanZwatchSavesIsHeldUnderATextPinCode(t *testing.T) {
	t.Parallel()
	s, asRole := shopWhoseColumn(t, "pinCode", "text")
	s.db.Exec(`ALTER TABLE product_orders ADD CONSTRAINT pin_len CHECK (char_length("pinCode") <= 120)`)
	id := s.order("54")
	pin := strings.Repeat("AB12CD34-", 17)[:150]
	s.znet.Script("54", znettest.Done(pin, "tamam"))
	tooLong := "znet's PIN has 150 characters, more than the 120 zwatch saves of a PIN"

	r := zwatchAt(t, asRole, "check", "--order", id, "--dry-run", "-o", "json")
	if r.code != 3 || !strings.Contains(r.stdout, `"pin_too_long": true`) {
		t.Errorf("check --dry-run: exit %d, want 3 and the PIN held\n%s", r.code, r.all())
	}
	r = zwatchAt(t, asRole, "check-pending")
	if r.code != 3 || strings.Contains(r.all(), "pin_len") || strings.Contains(r.all(), "the shop's pinCode column takes") {
		t.Errorf("check-pending: exit %d, want 3 and the PIN held in zwatch's words\n%s", r.code, r.all())
	}
	row, c := s.db.ReadOrder(id), s.db.ReadCheck(id)
	if row.PINCode != nil || c.GivenUpAt == nil || c.LastError == nil || !strings.HasPrefix(*c.LastError, tooLong) {
		t.Errorf("the order: %+v, %+v; want no PIN, given up on with %q", row, c, tooLong)
	}
	assertNoSecret(t, "the output", r.all(), pin)
}

// The notes the apply writes itself, for an order that keeps its own PIN
// and for one znet cancelled holding a PIN, are fitted to a "lastMessage"
// narrower than they are: written whole, each failed the save run after
// run (helper-326).
func TestTheApplysOwnNotesFitAShortLastMessage(t *testing.T) {
	t.Parallel()
	s, asRole := shopWhoseColumn(t, "lastMessage", "varchar(100)")
	kept := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "61", OrderNo: 61, PINCode: "SHOP-OLD-PIN1"})
	cancelled := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "62", OrderNo: 62, PINCode: "SHOP-OLD-PIN2"})
	s.znet.Script("61", znettest.Done("ZNET-NEW-PIN1", "tamam"))
	s.znet.Script("62", znettest.Cancelled("iptal"))

	r := zwatchAt(t, asRole, "check-pending")
	if r.code != 3 || strings.Contains(r.all(), "value too long") {
		t.Errorf("check-pending: exit %d, want 3 and both answers saved\n%s", r.code, r.all())
	}
	for id, status := range map[string]string{kept: "completed", cancelled: "failed"} {
		o := s.db.ReadOrder(id)
		if o.ExternalStatus != status || o.LastMessage == nil || !strings.HasPrefix(*o.LastMessage, "zwatch: ") || utf8.RuneCountInString(*o.LastMessage) > 100 {
			t.Errorf("order %s: %s, lastMessage %v; want %s and zwatch's note cut to 100 characters", id[:8], o.ExternalStatus, o.LastMessage, status)
		}
	}
}

// A column of a domain over a domain over varchar(n) takes n characters:
// read through one domain only, it took any, and a PIN longer than 16 was
// refused every run, the dry run foreseeing it saved (helper-326).
func TestAColumnOfADomainOfADomainHasItsLength(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	s.db.Exec(`CREATE DOMAIN pin16 AS varchar(16)`)
	s.db.Exec(`CREATE DOMAIN shop_pin AS pin16`)
	s.db.Exec(`ALTER TABLE product_orders ALTER COLUMN "pinCode" TYPE shop_pin`)
	id := s.order("63")
	s.znet.Script("63", znettest.Done("AB12-CD34-EF56-GH78", "tamam"))

	if r := zwatch(t, s.db, "check-pending", "--dry-run", "-o", "json"); !strings.Contains(r.stdout, `"pin_too_long": [`) {
		t.Errorf("the dry run does not foresee the PIN held: exit %d\n%s", r.code, r.all())
	}
	r := zwatch(t, s.db, "check-pending")
	if c := s.db.ReadCheck(id); r.code != 3 || strings.Contains(r.all(), "value too long") || c.GivenUpAt == nil {
		t.Errorf("check-pending: exit %d, given up %v; want 3 and the PIN held, naming 16\n%s", r.code, c.GivenUpAt, r.all())
	}
}

// shopWhoseColumn is a shop whose product_orders column is of its own
// type, and the URL of a role with exactly the printed grants on it.
func shopWhoseColumn(t *testing.T, column, typ string) (*shop, string) {
	t.Helper()
	s := newShop(t)
	s.db.Exec(`ALTER TABLE product_orders ALTER COLUMN "` + column + `" TYPE ` + typ)
	_, asRole := runtimeRole(t, s.db)
	return s, asRole
}
