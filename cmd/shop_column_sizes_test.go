package cmd_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// A shop whose "pinCode" is text takes a PIN longer than the schema's 120
// characters: it is saved, and the dry runs say so. zwatch held it "more
// than the 120 the shop's pinCode column takes", which the column is not.
// Its repetition in znet's words, in lower case and other separators, is
// masked in "providerMessage" and the events, as a shorter PIN's is.
func TestALongPINIsSavedIntoATextPinCode(t *testing.T) {
	t.Parallel()
	s, asRole := shopWhoseColumn(t, "pinCode", "text")
	id := s.order("54")
	var b strings.Builder
	for k := range 40 {
		fmt.Fprintf(&b, "%c%03d-", 'A'+k%26, 7*k+100)
	}
	pin := strings.TrimSuffix(b.String(), "-")[:199]
	if utf8.RuneCountInString(pin) != 199 {
		t.Fatalf("the PIN has %d characters", utf8.RuneCountInString(pin))
	}
	s.znet.Script("54", znettest.Done(pin, "tamam, kodunuz: "+strings.ReplaceAll(strings.ToLower(pin), "-", " / ")))

	r := zwatchAt(t, asRole, "check", "--order", id, "--dry-run", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"pin_too_long": false`) || !strings.Contains(r.stdout, `"to": "completed"`) {
		t.Errorf("check --dry-run: exit %d, want 0 and the PIN saved\n%s", r.code, r.all())
	}
	if r := zwatchAt(t, asRole, "check-pending"); r.code != 0 || strings.Contains(r.all(), "more than the 120") {
		t.Errorf("check-pending: exit %d, want 0\n%s", r.code, r.all())
	}
	row := s.db.ReadOrder(id)
	if row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != pin {
		t.Errorf("the order: %+v, want completed with the whole PIN", row)
	}
	if row.ProviderMessage == nil || strings.Contains(*row.ProviderMessage, "a100 / b107") {
		t.Errorf("providerMessage %v, want the PIN masked", row.ProviderMessage)
	}
	if n := s.db.ZwatchRowsMentioningLoosely(strings.ToLower(pin)); n != 0 {
		t.Errorf("%d rows of zwatch's tables hold the PIN", n)
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
