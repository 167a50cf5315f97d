package cmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zwatch/zwatch/cmd"
	"github.com/zwatch/zwatch/pkg/store/storetest"
	"github.com/zwatch/zwatch/pkg/znet/znettest"
)

func TestCheckOrderAppliesAndMasksThePIN(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("31")
	s.znet.Script("31", znettest.Done("AB12-CD34-EF56-GH78", "İşlem tamamlandı"))

	r := zwatch(t, s.db, "check", "--order", id)

	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	for _, want := range []string{"znet: done", "••••-GH78", "sent -> completed", "PIN saved"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	assertNoSecret(t, "output", r.all(), "AB12-CD34")
	if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" || *row.PINCode != "AB12-CD34-EF56-GH78" {
		t.Errorf("row %+v: check must apply the answer as check-pending would", row)
	}
	if c := s.db.ReadCheck(id); c.Attempts != 1 || c.ClaimedBy != nil {
		t.Errorf("bookkeeping %+v: want one attempt, claim released", c)
	}
}

// A panel slower than half a minute is waited for as long as --timeout
// says, by check-pending and check alike: no limit of the HTTP client's
// own cuts it shorter.
func TestASlowPanelIsWaitedForAsLongAsTimeoutSays(t *testing.T) {
	t.Parallel()
	for _, command := range []string{"check", "check-pending"} {
		t.Run(command, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			id := s.order("37")
			s.znet.Script("37", znettest.Done("SLOW-PIN-37", "tamam"))
			s.znet.SetLatency(32 * time.Second)
			args := []string{command, "--timeout", "45s"}
			if command == "check" {
				args = append(args, "--order", id)
			} else {
				args = append(args, "--loop", "0")
			}

			r := zwatch(t, s.db, args...)

			if r.code != 0 {
				t.Errorf("%s with a panel answering in 32 s: exit %d, want 0\n%s", command, r.code, r.all())
			}
			if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" {
				t.Errorf("the order after %s: %+v, want completed", command, row)
			}
		})
	}
}

func TestCheckOrderShowPINAndDryRun(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("32")
	s.znet.Script("32", znettest.Done("AB12-CD34-EF56-GH78", "ok"))

	r := zwatch(t, s.db, "check", "--order", id, "--dry-run", "--show-pin", "-o", "json")

	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	// JSON says the PIN would be saved, as the table does (helper-301:
	// the table said "PIN saved", JSON only "pin_saved": false), and how
	// long znet took even where it was under a millisecond.
	var report struct {
		Answer, PIN, From, To string
		DryRun                bool   `json:"dry_run"`
		PINSaved              bool   `json:"pin_saved"`
		PINWouldBeSaved       bool   `json:"pin_would_be_saved"`
		TookMs                *int64 `json:"took_ms"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if report.PIN != "AB12-CD34-EF56-GH78" || report.To != "completed" || !report.DryRun || report.PINSaved || !report.PINWouldBeSaved || report.TookMs == nil {
		t.Errorf("report %+v: want the full PIN, the predicted change, the PIN said to be saved by a real check, and the time znet took", report)
	}
	if table := zwatch(t, s.db, "check", "--order", id, "--dry-run"); !strings.Contains(table.stdout, "would change: externalStatus sent -> completed, PIN saved, status approved") {
		t.Errorf("the dry run's table: exit %d\n%s", table.code, table.all())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.PINCode != nil {
		t.Errorf("dry run wrote the order: %+v", row)
	}
	if rows := s.db.Bookkeeping().Rows; rows != 0 {
		t.Error("dry run wrote zwatch's table")
	}

	// An error answer: a dry run does not say it recorded it.
	s.znet.Script("32", znettest.Rejected("3", "Kayıt bulunamadı"))
	r = zwatch(t, s.db, "check", "--order", id, "--dry-run")
	if !strings.Contains(r.stdout, "a dry run records nothing") || strings.Contains(r.stdout, "was recorded") {
		t.Errorf("a dry run's error answer: exit %d\n%s", r.code, r.all())
	}
	if rows := s.db.Bookkeeping().Rows; rows != 0 {
		t.Error("dry run wrote zwatch's table")
	}
}

func TestCheckOrderExplainsWhyNot(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	other := s.db.AddIntegration(storetest.Integration{Provider: "barakat"})
	off := s.db.AddIntegration(storetest.Integration{Name: "znet-off", Disabled: true})
	cases := map[string]struct{ id, want string }{
		"unknown":      {"3f2a9c4e-8b1d-4c6e-9a0f-2b7d5e1c8a44", "does not exist"},
		"staff":        {s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "42", Status: "rejected"}), "handled by staff"},
		"not znet":     {s.db.AddOrder(storetest.Order{IntegrationID: other, Referans: "43"}), "not a znet order"},
		"no provider":  {s.db.AddOrder(storetest.Order{Referans: "47"}), "not a znet order: its providerId is empty"},
		"disabled":     {s.db.AddOrder(storetest.Order{IntegrationID: off, Referans: "44"}), "disabled"},
		"no referans":  {s.db.AddOrder(storetest.Order{IntegrationID: s.integ}), "no referans"},
		"not sent yet": {s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "46", ExternalStatus: "not_sent"}), "not been sent"},
	}
	for name, c := range cases {
		r := zwatch(t, s.db, "check", "--order", c.id)
		if r.code != 4 {
			t.Errorf("%s: exit %d, want 4\n%s", name, r.code, r.all())
		}
		if r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: want one line on stderr saying %q, got:\n%s", name, c.want, r.all())
		}
	}
	if s.znet.TotalRequests() != 0 {
		t.Errorf("znet was asked %d times about orders zwatch must leave alone", s.znet.TotalRequests())
	}
}

// An order whose referans znet cannot be asked about is refused before
// the request leaves: check says znet was not asked, not that it gave no
// usable answer "after 0ms". Orders are named as the operator asked for
// them, by their number first.
func TestCheckOrderWhoseReferansIsNoNumberSaysZnetWasNotAsked(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("abc")
	r := zwatch(t, s.db, "check", "--order", id)
	if r.code != 3 || !strings.Contains(r.stdout, "znet was not asked: znet order reference (referans) \"abc\" is no number") ||
		strings.Contains(r.stdout, "after 0ms") {
		t.Errorf("exit %d, want 3 and that znet was not asked:\n%s", r.code, r.all())
	}
	if s.znet.TotalRequests() != 0 {
		t.Errorf("znet was asked %d times", s.znet.TotalRequests())
	}

	off := s.db.AddIntegration(storetest.Integration{Name: "znet-off", Disabled: true})
	paused := s.db.AddOrder(storetest.Order{IntegrationID: off, Referans: "44", OrderNo: 6161})
	r = zwatch(t, s.db, "check", "--order", "6161")
	if want := fmt.Sprintf("order 6161 (%s) belongs to znet integration znet-off, which is disabled", paused); !strings.Contains(r.stderr, want) {
		t.Errorf("want %q, got:\n%s", want, r.all())
	}
}

func TestCheckOrderZnetErrorExits3WithoutPassword(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("51")
	s.znet.SetDown(znettest.Empty())

	r := zwatch(t, s.db, "check", "--order", id)

	if r.code != 3 || !strings.Contains(r.stdout, "empty body") {
		t.Errorf("exit %d, want 3 and the reason:\n%s", r.code, r.all())
	}
	assertNoSecret(t, "output", r.all())
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" {
		t.Errorf("an error changed the order: %+v", row)
	}
}

func TestListMasksPINsUnlessAsked(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	done := s.order("61")
	pending := s.order("62")
	s.znet.Script("61", znettest.Done("AB12-CD34-EF56-GH78", "ok"))
	s.znet.Script("62", znettest.Waiting("bekliyor"))
	zwatch(t, s.db, "check-pending")

	r := zwatch(t, s.db, "list", "--completed")
	if r.code != 0 || !strings.Contains(r.stdout, "••••-GH78") || !strings.Contains(r.stdout, done[:8]) {
		t.Errorf("list --completed: exit %d\n%s", r.code, r.all())
	}
	assertNoSecret(t, "list output", r.all(), "AB12-CD34")

	r = zwatch(t, s.db, "list", "--completed", "--show-pin")
	if !strings.Contains(r.stdout, "AB12-CD34-EF56-GH78") {
		t.Errorf("--show-pin must print the PIN:\n%s", r.stdout)
	}

	r = zwatch(t, s.db, "list", "-o", "json")
	var rows []struct {
		ID             string `json:"id"`
		ExternalStatus string `json:"external_status"`
		Attempts       int    `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(rows) != 1 || rows[0].ID != pending || rows[0].ExternalStatus != "processing" || rows[0].Attempts != 1 {
		t.Errorf("list --pending (default) = %+v, want only the processing order", rows)
	}
}

// An order whose integration's settings make no znet client (no password)
// cannot be asked about: exit 3, as when znet does not answer, with one
// line naming the integration, and nothing changed.
func TestCheckOrderOfAMisconfiguredIntegration(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	integ := s.db.AddIntegration(storetest.Integration{Name: "znet-nopw", BaseURL: s.znet.URL, Kod: dealerCode})
	id := s.db.AddOrder(storetest.Order{IntegrationID: integ, Referans: "61"})

	r := zwatch(t, s.db, "check", "--order", id)

	if r.code != 3 || !strings.Contains(r.stderr, "znet-nopw") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("check of an order whose integration has no password: exit %d, want 3 and one line naming it\n%s", r.code, r.all())
	}
	// In JSON, as for a panel that does not answer.
	r = zwatch(t, s.db, "check", "--order", id, "-o", "json")
	var report struct {
		Answer, Error, Integration, Referans, From, To string
		Written                                        bool
	}
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil || r.code != 3 || report.Answer != "error" ||
		!strings.Contains(report.Error, "znet-nopw") || report.Written || report.Referans != "61" || report.From != "sent" || report.To != "sent" {
		t.Errorf("check -o json: exit %d, %+v (%v), want 3 and the error in JSON\n%s", r.code, report, err, r.all())
	}
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || s.znet.TotalRequests() != 0 {
		t.Errorf("the order %+v, %d requests to znet: want nothing done", row, s.znet.TotalRequests())
	}
}

// A "pinCode" of spaces only is no PIN: the order gets znet's, which is
// neither thrown away nor taken for a PIN other than the order's own.
func TestABlankPINIsReplacedByZnets(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	blanks := map[string]string{}
	for i, pin := range []string{"   ", "\t", "\r\n", " \t\f "} {
		ref := fmt.Sprint(730 + i)
		blanks[s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: ref, PINCode: pin})] = "ZNET-NEW-PIN" + ref
		s.znet.Script(ref, znettest.Done("ZNET-NEW-PIN"+ref, "ok"))
	}
	if r := zwatch(t, s.db, "check-pending", "--dry-run", "-q", "--loop", "0"); r.code != 0 || r.stdout != "" {
		t.Errorf("check-pending --dry-run -q: exit %d, want 0 and nothing said\n%s", r.code, r.all())
	}
	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "0")
	if r.code != 0 || r.stdout != "" {
		t.Errorf("check-pending -q: exit %d, want 0 and nothing said\n%s", r.code, r.all())
	}
	for id, want := range blanks {
		if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != want {
			t.Errorf("the order with a blank PIN: %+v, want completed with znet's PIN", row)
		}
	}
}

// An order that already holds a PIN other than the one znet completes it
// with keeps its own, and a person is told, by check and by check-pending
// -q alike, without either PIN.
func TestAPINOtherThanTheOrdersOwnIsReported(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	checked := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "71", PINCode: "SHOP-OLD-PIN1"})
	polled := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "72", OrderNo: 1072, PINCode: "SHOP-OLD-PIN2"})
	s.znet.Script("71", znettest.Done("ZNET-NEW-PIN1", "ok"))
	s.znet.Script("72", znettest.Done("ZNET-NEW-PIN2", "ok"))

	// A dry run says what the check will do; neither says znet's PIN was
	// saved.
	for _, dry := range []bool{true, false} {
		args := []string{"check", "--order", checked}
		if dry {
			args = append(args, "--dry-run")
		}
		r := zwatch(t, s.db, args...)
		if r.code != 3 || !strings.Contains(r.stdout, "already held a PIN other than znet's") || strings.Contains(r.stdout, "PIN saved") {
			t.Errorf("%q: exit %d, want 3 saying the PINs differ, not that the PIN was saved\n%s", args, r.code, r.all())
		}
		assertNoSecret(t, "check's output", r.all(), "SHOP-OLD-PIN1", "ZNET-NEW-PIN1")
		if row := s.db.ReadOrder(checked); dry && row.ExternalStatus != "sent" {
			t.Errorf("a dry run wrote the order: %+v", row)
		}
	}

	// Its notes read as a run's: the first line says they are what a run
	// would say, and exit 3 is that run's (helper-301).
	r := zwatch(t, s.db, "check-pending", "--dry-run", "--loop", "0")
	if r.code != 3 || !strings.HasPrefix(r.stdout, "dry run: nothing was written; below is what a real run would do and say\n") ||
		!strings.Contains(r.stdout, "order 1072 ("+polled+", referans 72) already held") || strings.Contains(r.stdout, "with PIN") ||
		!strings.Contains(r.stdout, "would change order 1072 ("+polled+", referans 72): sent -> completed") {
		t.Errorf("check-pending --dry-run: exit %d, want 3 naming the order, and no PIN said to be saved\n%s", r.code, r.all())
	}
	assertNoSecret(t, "check-pending --dry-run's output", r.all(), "SHOP-OLD-PIN2", "ZNET-NEW-PIN2")

	r = zwatch(t, s.db, "check-pending", "-q", "--loop", "0")
	if r.code != 3 || !strings.Contains(r.stdout, "order 1072 ("+polled+", referans 72) already held a PIN other than") {
		t.Errorf("check-pending -q: exit %d, want 3 naming the order\n%s", r.code, r.all())
	}
	assertNoSecret(t, "check-pending's output", r.all(), "SHOP-OLD-PIN2", "ZNET-NEW-PIN2")
	for id, pin := range map[string]string{checked: "SHOP-OLD-PIN1", polled: "SHOP-OLD-PIN2"} {
		if row := s.db.ReadOrder(id); row.PINCode == nil || *row.PINCode != pin || row.ExternalStatus != "completed" {
			t.Errorf("order %s: %+v, want completed with its own PIN", id, row)
		}
	}
}

// A database restart between znet's answer and its save: check --order
// shows what znet said (its PIN masked) and one error line, exits 1, and
// says truly when a run asks again: the claim it could not hand back
// lapses within --timeout + 1 minute, and until then another check is
// told the order is being asked about.
func TestCheckOrderOverADatabaseRestart(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("33")
	var end func()
	s.znet.SetResponder(func(string, int) znettest.Answer {
		end = s.db.Outage()
		return znettest.Done("RESTART-PIN-33", "tamam")
	})

	r := zwatch(t, s.db, "check", "--order", id, "--timeout", "10s")
	end()

	if r.code != 1 || !strings.Contains(r.stdout, "znet: done") || !strings.Contains(r.stdout, "lapses, within 1m10s") {
		t.Errorf("exit %d, want 1, znet's answer shown and when the claim lapses\n%s", r.code, r.all())
	}
	oneLine(t, r.stderr, "went away or could not be reached: a restart")
	if !regexp.MustCompile(`\(the database at host \S+ port \d+ database \S+ went away`).MatchString(r.stderr) {
		t.Errorf("the error line does not name the database:\n%s", r.stderr)
	}
	assertNoSecret(t, "output", r.all(), "RESTART-PIN")
	if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" || row.PINCode != nil {
		t.Errorf("order %+v, want it unchanged", row)
	}
	if lapse := time.Until(s.db.ClaimsLapseAt()); lapse <= 0 || lapse > 70*time.Second {
		t.Errorf("the claim lapses in %s, want within the 1m10s said", lapse)
	}
	if r := zwatch(t, s.db, "check", "--order", id); r.code != 4 || s.znet.TotalRequests() != 1 {
		t.Errorf("a second check before the claim lapsed: exit %d after %d requests, want 4 and znet not asked again\n%s",
			r.code, s.znet.TotalRequests(), r.all())
	}
}

// A looping run outlives a database restart through the connections it
// opens itself: the pool connects again through zwatch's connector (which
// goes over the hosts and asks each new session whether it takes writes),
// and the answers znet gave while the database was down are saved, which
// -q says as it said they were not.
// Engine tests play restarts on a handle made outside Open.
func TestALoopConnectsAgainAfterADatabaseRestart(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	pins := map[string]string{}
	for _, ref := range []string{"61", "62", "63", "64", "65"} {
		pins[s.order(ref)] = "RESTART-PIN-" + ref
	}
	var once sync.Once
	s.znet.SetResponder(func(ref string, _ int) znettest.Answer {
		once.Do(func() {
			end := s.db.Outage()
			time.AfterFunc(3*time.Second, end)
		})
		return znettest.Done("RESTART-PIN-"+ref, "tamam")
	})

	// Under -q too: cron's mail has the warning that the database did not
	// take the answers, and must have its end.
	r := zwatch(t, s.db, "check-pending", "-q", "--loop", "8s", "--max-duration", "8s", "--tick", "200ms")
	if r.code != 0 || !strings.Contains(r.stderr, "the database takes answers again") {
		t.Errorf("exit %d, want 0 and the answers kept through the outage said saved\n%s", r.code, r.all())
	}
	for id, pin := range pins {
		if row := s.db.ReadOrder(id); row.ExternalStatus != "completed" || row.PINCode == nil || *row.PINCode != pin {
			t.Errorf("order %s after the restart: %+v, want completed with its PIN", id, row)
		}
	}
	assertNoSecret(t, "output", r.all(), "RESTART-PIN")
}

// A waiting answer whose PIN field holds a code the panel holds back, and
// whose description repeats it: check shows neither without --show-pin.
func TestCheckOrderMasksACodeAWaitingAnswerWithholds(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("38")
	s.znet.Script("38", znettest.Raw(200, []byte("OK|1|QW7R-9TZK-4MNB-8HJD|Kodunuz QW7R-9TZK-4MNB-8HJD onay bekliyor")))

	for _, output := range []string{"table", "json"} {
		r := zwatch(t, s.db, "check", "--order", id, "-o", output)
		if r.code != 0 || !strings.Contains(r.stdout, "onay bekliyor") {
			t.Fatalf("-o %s: exit %d\n%s", output, r.code, r.all())
		}
		assertNoSecret(t, "-o "+output, r.all(), "QW7R-9TZK")
	}
}

// An operator who presses Ctrl-C while znet thinks has asked nothing:
// check says so, records nothing, hands the order back for the next run
// and exits 3, znet could not be asked.
func TestCheckOrderStoppedBeforeZnetAnswers(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"table", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			s := newShop(t)
			id := s.order("38")
			s.znet.Script("38", znettest.Done("STOP-PIN-0038", "tamam"))
			s.znet.SetLatency(time.Minute)
			ctx, stop := context.WithCancel(context.Background())
			go func() {
				for s.znet.Requests("38") == 0 {
					time.Sleep(10 * time.Millisecond)
				}
				stop()
			}()
			var out, errOut bytes.Buffer
			code := cmd.Main(ctx, []string{"check", "--order", id, "-o", format, "--database-url", s.db.URL},
				cmd.IOStreams{Out: &out, ErrOut: &errOut})

			if code != 3 {
				t.Errorf("exit %d, want 3 (znet could not be asked)\n%s%s", code, out.String(), errOut.String())
			}
			if format == "json" {
				var report struct {
					Answer  string `json:"answer"`
					Stopped bool   `json:"stopped"`
				}
				if err := json.Unmarshal(out.Bytes(), &report); err != nil || !report.Stopped || report.Answer != "error" {
					t.Errorf("JSON %s (%v): want answer error, stopped true", out.String(), err)
				}
			} else if !strings.Contains(out.String(), "stopped by a signal") || !strings.Contains(out.String(), "nothing was recorded") {
				t.Errorf("output should say the check was stopped and nothing recorded:\n%s", out.String())
			}
			if row := s.db.ReadOrder(id); row.ExternalStatus != "sent" {
				t.Errorf("the order after a stopped check: %+v, want still sent", row)
			}
			if c := s.db.ReadCheck(id); c.Attempts != 0 || c.ClaimedBy != nil || c.LastError != nil {
				t.Errorf("bookkeeping %+v: want no attempt recorded, the claim handed back", c)
			}
		})
	}
}

// The line saying why an order is not zwatch's quotes the shop's row: a
// line break in it (a status, a provider written by a careless script)
// cannot print a second line that reads as zwatch's.
func TestCheckOrderExplainsWhyNotOnOneLine(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("42")
	s.db.Exec(`UPDATE product_orders SET status = $1 WHERE id = $2`, "approved\nzwatch: all well", id)

	r := zwatch(t, s.db, "check", "--order", id)

	if r.code != 4 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, `approved\nzwatch: all well`) {
		t.Errorf("exit %d, want 4 and one line quoting the status escaped:\n%s", r.code, r.all())
	}
}

// An order another run or check holds is not asked about; the operator is
// told by when that claim lapses, also where its holder died (a check
// killed mid-request holds the order for its --timeout and a minute).
func TestCheckOrderHeldElsewhereSaysWhenTheClaimLapses(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("44")
	s.znet.SetDefault(znettest.Waiting(""))
	if r := zwatch(t, s.db, "check-pending"); r.code != 0 {
		t.Fatalf("check-pending: exit %d\n%s", r.code, r.all())
	}
	s.db.TakeClaim(id, "check/killed")

	for _, args := range [][]string{{"check", "--order", id}, {"check", "--order", id, "--dry-run"}} {
		r := zwatch(t, s.db, args...)
		if r.code != 4 || !strings.Contains(r.stderr, "check/killed") || !regexp.MustCompile(`lapses within [45]m`).MatchString(r.stderr) {
			t.Errorf("%v: exit %d, want 4 naming the holder and when its claim lapses:\n%s", args, r.code, r.all())
		}
	}
	if n := s.znet.Requests("44"); n != 1 {
		t.Errorf("znet asked %d times about the order, want once (by check-pending)", n)
	}
}

// check --order on an order a shop trigger silently keeps unchanged says
// the answer was not written (exit 3), not "unchanged" as if all were well.
func TestCheckOrderTheShopSkipsWriting(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.order("46")
	s.znet.Script("46", znettest.Done("SKIP-PIN-0046", "tamam"))
	s.db.SkipWrites(id, true)

	r := zwatch(t, s.db, "check", "--order", id)

	if r.code != 3 || !strings.Contains(r.stdout, "did not write znet's answer") {
		t.Errorf("exit %d, want 3 saying the answer was not written:\n%s", r.code, r.all())
	}
	assertNoSecret(t, "output", r.all(), "SKIP-PIN")
}

// The run that met a PIN other than the order's own says so once (-q mails
// it once) and leaves the order completed, not approved, for a person to
// compare the two. Looked up afterwards with check --order, the way README
// says a person looks at one order, it reads as any completed order:
// "completed, PIN ••••-PIN2 ... shop status pending", with nothing about
// the PIN znet gave that differs, nor that a person must compare them;
// zwatch's note is in "lastMessage" only, which check does not show.
func TestCheckOfAnOrderHeldForTwoPINsSaysSo(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "73", OrderNo: 7300, PINCode: "SHOP-OLD-PIN3"})
	s.znet.Script("73", znettest.Done("ZNET-NEW-PIN3", "ok"))
	if r := zwatch(t, s.db, "check-pending", "-q"); r.code != 3 {
		t.Fatalf("check-pending -q: exit %d, want 3\n%s", r.code, r.all())
	}

	r := zwatch(t, s.db, "check", "--order", "7300")
	if r.code != 4 || !strings.Contains(r.stdout, id) {
		t.Fatalf("check --order of the final order: exit %d, want 4 and its facts\n%s", r.code, r.all())
	}
	if !strings.Contains(r.stdout, "compare") {
		t.Errorf("check --order of an order left for a person to compare two PINs does not say so:\n%s", r.stdout)
	}
	assertNoSecret(t, "check's output", r.all(), "SHOP-OLD-PIN3", "ZNET-NEW-PIN3")
}

// last_error is znet's words as an older zwatch saved them, which may
// quote the PIN the order holds (staff delivered it by hand) or another
// code: list masks them as it masks the PIN column, unless asked.
func TestListMasksThePINInTheLastErrorUnlessAsked(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	id := s.db.AddOrder(storetest.Order{IntegrationID: s.integ, Referans: "63", PINCode: "482910375561"})
	s.znet.Script("63", znettest.Waiting("bekliyor"))
	zwatch(t, s.db, "check-pending")
	s.db.Exec(`UPDATE zwatch_order_checks SET last_error = 'znet rejected the request: 3|482910375561 zaten teslim, siparis 20261205' WHERE order_id = $1`, id)

	for _, args := range [][]string{{"list", "--order", id}, {"list", "--order", id, "-o", "json"}} {
		r := zwatch(t, s.db, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "znet rejected the request: 3|••••") {
			t.Errorf("%q: exit %d, want the last error shown\n%s", args, r.code, r.all())
		}
		assertNoSecret(t, "list output", r.all(), "48291037")
	}
	r := zwatch(t, s.db, "list", "--order", id, "-o", "json", "--show-pin")
	if !strings.Contains(r.stdout, "3|482910375561 zaten") {
		t.Errorf("--show-pin must print the last error as it is:\n%s", r.stdout)
	}
}
