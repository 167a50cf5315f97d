package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Result is what znet said about one order, as the store records it.
type Result string

const (
	ResultWaiting   Result = "waiting"
	ResultDone      Result = "done"
	ResultCancelled Result = "cancelled"
	// ResultError means znet could not be asked or gave no usable answer:
	// nothing is written to the shop's row.
	ResultError Result = "error"
)

// ErrorResult is the last_result of an order whose request failed with
// an error of kind (Outcome.ErrorKind), as Order.LastResult reads it.
func ErrorResult(kind string) string { return string(ResultError) + ":" + kind }

// The kinds of error a completion held for a person books in last_result
// (its PIN or codes do not fit, another order has its PIN or its
// referans): znet finished the order, and nothing of it was written.
const (
	heldPINTooLong     = "pin_too_long"
	heldCodesTooMany   = "codes_too_many"
	heldValueTaken     = "value_taken"
	heldSharedReferans = "shared_referans"
)

// Outcome is one asked order, ready to be applied.
type Outcome struct {
	Order   Order // as claimed: the compare-and-set checks its integration and referans
	Result  Result
	PIN     string // with ResultDone; may be empty (top-ups have none)
	Message string // znet's description, for "providerMessage", its codes masked
	// ShopMessage, when set, is "providerMessage" instead: a top-up's
	// description with the codes it names (they may be the PIN a panel
	// gave there and not in its field), for the shop's row alone, and only
	// while the row holds the PIN it held at the claim (Order.HeldPIN,
	// masked in it). Events, logs and output keep Message. ShopCodes are
	// the codes it names: the row must hold each whole (shopMessage), and
	// an error that quotes the row (a shop's trigger refusing the update)
	// is masked of them.
	ShopMessage string
	ShopCodes   []string
	LastMessage string // with ResultDone, for "lastMessage"
	Error       string // with ResultError; must hold no secret
	// ErrorKind names the kind of error for zwatch's own table, e.g.
	// "unauthorized"; last_result becomes "error:<kind>".
	ErrorKind string
	// NextCheckIn is how long after DecidedAt (this host's clock; zero:
	// the save) the order is due again. Apply counts it from the save's
	// transaction, less the time the answer waited to be saved: a batch
	// that waited out a busy row or a database outage would otherwise
	// push every next check back by that wait.
	NextCheckIn time.Duration
	DecidedAt   time.Time
	// AskedAt is when the request left, on this host's clock (zero: now):
	// the age a panel's finishing times are learned from, the order
	// waiting or final then, where the save may come a second or a
	// database outage later. Both answers are dated alike, so that a
	// check marks one age: dated by the request's start when waiting and
	// its end when final, every check marked out its flight time as an
	// interval all its orders' intervals share, and the fit piled the
	// orders there.
	AskedAt time.Time
	// Taken, when its Index is set, is the shop's unique index that
	// refused a done answer before: nothing of it is written, and the
	// order is given up on (held) with Taken.Problem, for a person.
	Taken Taken
	// PINBucket, with a done answer, is what zwatch keeps of its PIN once
	// saved (zwatch_order_checks.pin_bucket): 16 bits of a digest of the
	// PIN, which pkg/watch makes for the PINs it compares (migration 00037
	// in SQL). Another order in the same bucket that zwatch saved a PIN on
	// before, in any run or check, and whose row holds this PIN still,
	// holds this one for a person (pinGivenBeforeSQL). A bucket is shared
	// by tens of millions of PINs, and tells nothing of one. Nil: the PIN
	// is not compared.
	PINBucket *int32
}

// LastResult is what zwatch_order_checks.last_result books of the answer
// (Order.LastResult).
func (o Outcome) LastResult() string {
	if o.Result == ResultError && o.ErrorKind != "" {
		return ErrorResult(o.ErrorKind)
	}
	return string(o.Result)
}

// ExternalStatus is the shop's "externalStatus" an answer leads to, and
// whether that status is final. An answer that changes no status (an error)
// returns ok false. This is the one definition: Apply writes it, and dry
// runs predict with it.
func (r Result) ExternalStatus() (status string, final, ok bool) {
	switch r {
	case ResultDone:
		return "completed", true, true
	case ResultWaiting:
		return "processing", false, true
	case ResultCancelled:
		return "failed", true, true
	}
	return "", false, false
}

// ApplyParams is what every outcome of one apply shares.
type ApplyParams struct {
	RunID string
	// GiveUpAfter counts from zwatch's first check of an order; an order
	// still not final after it is marked stuck and no longer asked about.
	GiveUpAfter time.Duration
	// GiveUpNote goes into "lastMessage" of an order zwatch gives up on.
	GiveUpNote string
}

// Applied is what the apply did to one order.
type Applied struct {
	OrderID    string `db:"order_id"`
	FromStatus string `db:"from_status"` // "externalStatus" before
	ToStatus   string `db:"to_status"`   // and after
	Written    bool   `db:"written"`     // the shop's row was updated
	PINSaved   bool   `db:"pin_saved"`   // completed, holding znet's PIN
	GaveUp     bool   `db:"gave_up"`     // given up on by this answer
	// Stuck means the order is given up on after this answer: by it, or
	// before and the answer not final (only retry --stuck, or the shop
	// sending the order again, puts it back).
	Stuck bool `db:"stuck"`
	// Overtaken means the shop or a person changed the order after it was
	// claimed (decided it, re-sent it), or another run holds it now: their
	// change wins, and nothing of this answer was written.
	Overtaken bool `db:"overtaken"`
	// Busy means a transaction of the shop's held the order's row: nothing
	// was written, the claim stands and no attempt was counted. The answer
	// can be applied again a moment later, or its claim released.
	Busy bool `db:"busy"`
	// PINTooLong means znet's PIN does not fit the shop's "pinCode": it was
	// neither saved cut nor approved; the order was given up on (GaveUp),
	// with the reason in "lastMessage" and last_error, for a person.
	PINTooLong bool `db:"-"`
	// CodesTooMany means znet completed a top-up with no PIN in its field
	// and words naming more codes than the shop's "providerMessage" holds
	// whole: one of them may be the PIN, so nothing was saved cut nor the
	// order approved; it was given up on (GaveUp), with the reason in
	// "lastMessage" and last_error, for a person.
	CodesTooMany bool `db:"-"`
	// PINTaken means the completion was held for another order's PIN:
	// the shop's unique index on "pinCode" refused it, or znet gave that
	// order the PIN before (Outcome.Taken; holdPINGivenBefore). Nothing of
	// it was saved, and the order was given up on (GaveUp), with the reason
	// in "lastMessage" and last_error. Taken says which.
	PINTaken bool  `db:"-"`
	Taken    Taken `db:"-"`
	// GivenBefore, with Taken.Before, is the order zwatch saved the PIN on
	// before: its id, number and referans, for the summary to name.
	GivenBefore Order `db:"-"`
	// PINKept means the order already held a PIN other than the one znet
	// completed it with: the order's own was kept, as a saved PIN always
	// is, znet's was not written and the order not approved;
	// "lastMessage" says so, for a person to compare them on the dealer
	// panel. With ToStatus "failed": znet cancelled an order that holds a
	// PIN (delivered by hand?), and a person looks before any refund.
	PINKept bool `db:"pin_kept"`
	// PINNotStored means the order took znet's completion with a PIN,
	// and its row as stored holds none, or the PIN's beginning only: a
	// trigger of the shop's kept the old blank "pinCode", moved the PIN
	// elsewhere, or cut it. The completion stands, as the shop's database
	// took it, for a person to look.
	PINNotStored bool `db:"pin_not_stored"`
	// SharedWith names another order of the same integration that carries
	// the referans znet completed: znet has one order per referans, so its
	// answer was not saved to this one, which was given up on (GaveUp) with
	// the reason in "lastMessage" and last_error. Empty: none.
	SharedWith string `db:"-"`
	// Unwritten means the order was due to take znet's status and did not:
	// a BEFORE UPDATE trigger of the shop's skipped the update (returning
	// NULL) or left the row as it was (OLD). The attempt was booked, the
	// reason kept in last_error and the claim handed back; the next runs
	// ask again, and a person should look.
	Unwritten bool `db:"unwritten"`
}

// ProviderMessageLen is the most of znet's description an order keeps, in
// characters, however much the shop's "providerMessage" takes (text in the
// schema): a bound keeps one odd answer from bloating the row, and
// pkg/watch masks the PIN in the description only this far and a little
// past it (describedPast), so that more could show a PIN in clear.
const ProviderMessageLen = 2000

// LongestPIN is the longest PIN zwatch saves, in characters, however much
// the shop's "pinCode" takes (text, say): the schema's 120. A longer one
// is held for a person, and the answer's description is written nowhere.
// Real PINs have 8 to 24 characters. A text column is often bounded by a
// CHECK of the shop's instead of a length (PostgreSQL's own advice), which
// zwatch does not read: past 120, such a column refused the PIN run after
// run, never held nor given up on (helper-326). And pkg/watch masks the
// PIN in the description in its other shapes (lower case, other
// separators) only up to this length: a longer PIN saved would have its
// description show it in clear, in "providerMessage" and zwatch's events.
const LongestPIN = schemaPINCodeLen

// The schema's sizes of the shop's columns, in characters (varchar counts
// characters), which stand where the shop's own could not be read
// (columnSizes). lastMessageLen also caps a wider "lastMessage": it is a
// short log beside the order, and zwatch's notes are written for 250.
// lastErrorLen bounds zwatch's own last_error.
const (
	schemaPINCodeLen = 120
	lastMessageLen   = 250
	lastErrorLen     = 1000
)

// FinalChannel is the channel Apply notifies, in the transaction that makes
// an order completed or failed, with a FinalNotice as JSON: the shop can
// LISTEN and push the PIN to the customer's screen at once.
const FinalChannel = "zwatch_order_final"

// FinalNotice is the payload on FinalChannel. It never holds the PIN.
type FinalNotice struct {
	OrderID        string `json:"order_id"`
	ExternalStatus string `json:"external_status"` // completed or failed
	// PINSaved: the order holds znet's PIN, as zwatch's update wrote the
	// row; a shop's AFTER UPDATE trigger that moves it to a vault runs
	// after that, unseen.
	PINSaved bool `json:"pin_saved"`
	// PINKept: the order kept a PIN of its own, other than znet's, which
	// a person is to compare with the dealer panel's before the customer
	// is shown either; or, with ExternalStatus failed, znet cancelled an
	// order that holds a PIN, which a person looks at before any refund.
	PINKept bool `json:"pin_kept,omitempty"`
	// PINNotStored: completed with a PIN the order's row, as the shop's
	// database stored it, does not hold whole: not a top-up, whose
	// pin_saved is false too; a person makes sure the customer has it.
	PINNotStored bool `json:"pin_not_stored,omitempty"`
}

// applyRow is one outcome as applySQL reads it, each field named beside
// its column in the statement.
type applyRow struct {
	OrderID       string   `json:"order_id"`
	IntegrationID string   `json:"integration_id"`
	Referans      shopText `json:"referans_hex"`
	Result        string   `json:"result"`    // for last_result
	ToStatus      *string  `json:"to_status"` // nil: no status to write
	Final         bool     `json:"final"`
	PIN           string   `json:"pin"`
	Message       string   `json:"message"` // for zwatch's events
	// RowMessage is Message as the shop's "providerMessage" takes it,
	// which may be narrower than what the events keep.
	RowMessage  string `json:"row_message"`
	ShopMessage string `json:"shop_message"`
	// HeldPIN is the order's own PIN at the claim, which ShopMessage
	// masks: in hex, as the referans, since in SQL_ASCII it may hold
	// bytes that are no UTF-8 (a PIN staff typed), which JSON cannot carry.
	HeldPIN     shopText `json:"held_pin_hex"`
	LastMessage string   `json:"last_message"`
	Error       string   `json:"error"`
	NextDelay   float64  `json:"next_delay_seconds"`
	// AskedAgo is Outcome.AskedAt as seconds before the statement's
	// transaction began (Apply measures it).
	AskedAgo float64 `json:"asked_ago_seconds"`
	// HoldNote, when set, gives the order up at once with this note: an
	// answer that must not be applied as it stands, and needs a person.
	HoldNote string `json:"hold_note"`
	// PINBucket is Outcome.PINBucket of a completion saved as it stands.
	PINBucket *int32 `json:"pin_bucket"`
	// held is why HoldNote gives the order up, for Applied, and taken the
	// other order's PIN it was held for.
	held  heldAnswer
	taken Taken
}

// heldAnswer is why a completion was held for a person, not saved.
type heldAnswer int

const (
	notHeld heldAnswer = iota
	heldPINUnfit
	heldCodesUnfit
	heldPINTaken
)

// newApplyRow is o as the apply writes it, its texts fitted to the shop's
// columns and to the server's encoding.
func newApplyRow(o Outcome, f textFitter) applyRow {
	row := applyRow{
		OrderID:       o.Order.ID,
		IntegrationID: o.Order.IntegrationID,
		Referans:      shopText(o.Order.Referans),
		Result:        o.LastResult(),
		PIN:           cleanText(o.PIN),
		Message:       f.fit(o.Message, ProviderMessageLen),
		RowMessage:    f.fit(o.Message, f.cols.providerMessage()),
		HeldPIN:       shopText(o.Order.HeldPIN),
		LastMessage:   f.fit(o.LastMessage, f.cols.lastMessage()),
		Error:         f.fit(o.Error, lastErrorLen),
	}
	if status, final, ok := o.Result.ExternalStatus(); ok {
		row.ToStatus, row.Final = &status, final
	}
	// A PIN cut to fit is a wrong PIN on a final order: the customer paid
	// for the whole of it. Nothing of the answer is written but the reason.
	if o.Taken.Held() && o.Result == ResultDone {
		row.holdTaken(o.Taken, f)
	} else if unfit := f.pinUnfit(row.PIN); o.Result == ResultDone && unfit != "" {
		row.Result = ErrorResult(heldPINTooLong)
		row.ToStatus, row.Final, row.PIN = nil, false, ""
		row.Error = unfit + ": not saved and not approved; deliver it by hand from the dealer panel"
		row.HoldNote, row.held = f.fit(ZwatchNotePrefix+row.Error, f.cols.lastMessage()), heldPINUnfit
	} else if o.Result == ResultDone && fitEncoding(row.PIN, f.holds) != row.PIN {
		// Written as near as the encoding allows, it would be a wrong PIN.
		row.Result = ErrorResult(heldPINTooLong)
		row.ToStatus, row.Final, row.PIN = nil, false, ""
		row.Error = "znet's PIN holds characters the shop's database cannot store in its encoding: " +
			"not saved and not approved; deliver it by hand from the dealer panel"
		row.HoldNote, row.held = f.fit(ZwatchNotePrefix+row.Error, f.cols.lastMessage()), heldPINUnfit
	} else if shop, ok := shopMessage(o, f); ok {
		row.ShopMessage = shop
	} else {
		// Cut, the row would lose a code that may be the PIN.
		row.Result = ErrorResult(heldCodesTooMany)
		row.ToStatus, row.Final = nil, false
		row.Error = CodesTooManyProblem + ": not saved and not approved; deliver them by hand from the dealer panel"
		row.HoldNote, row.held = f.fit(ZwatchNotePrefix+row.Error, f.cols.lastMessage()), heldCodesUnfit
	}
	if row.held == notHeld && row.ToStatus != nil && *row.ToStatus == "completed" && row.PIN != "" {
		row.PINBucket = o.PINBucket
	}
	return row
}

// holdTaken makes row's completion one held for a person, nothing of it
// written, for the PIN another order has (t).
func (row *applyRow) holdTaken(t Taken, f textFitter) {
	row.Result = ErrorResult(heldValueTaken)
	row.ToStatus, row.Final, row.PIN, row.ShopMessage, row.PINBucket = nil, false, "", "", nil
	row.Error = f.fit(t.Problem(), lastErrorLen)
	row.HoldNote = f.fit(ZwatchNotePrefix+t.Note(), f.cols.lastMessage())
	row.held, row.taken = heldPINTaken, t
}

// shopMessage is o.ShopMessage as the shop's row takes it, fitted to the
// column in its own unit (bytes in SQL_ASCII) and to the encoding, which
// may lengthen it ("…" as "..."): whole where every code it names stays
// whole in it; else each code labelled ("Kod: A | Kod: B | "), whole, and
// the masked words after them, cut. false where not even the codes fit:
// cut in the middle of one, a code would be lost in part, and its piece
// shown where nothing masks it.
func shopMessage(o Outcome, f textFitter) (string, bool) {
	if o.ShopMessage == "" {
		return "", true
	}
	if whole := f.fit(o.ShopMessage, f.cols.providerMessage()); holdsCodes(whole, o.ShopCodes, f) {
		return whole, true
	}
	codes := innermostCodes(o.ShopCodes)
	var labelled strings.Builder
	for _, code := range codes {
		labelled.WriteString("Kod: " + code + " | ")
	}
	if text := f.fit(labelled.String()+o.Message, f.cols.providerMessage()); holdsCodes(text, codes, f) {
		return text, true
	}
	return "", false
}

// holdsCodes says whether text holds each of codes whole, as f writes them.
func holdsCodes(text string, codes []string, f textFitter) bool {
	for _, code := range codes {
		// Fitted to the encoding alone: cut to the column too, a code
		// longer than it would be found in a text holding its beginning.
		if !strings.Contains(text, f.fit(code, math.MaxInt)) {
			return false
		}
	}
	return true
}

// innermostCodes are codes but those that hold another of them: a clause
// read as one code ("AB12-CD34 EF56-GH78") beside the codes in it.
func innermostCodes(codes []string) []string {
	var inner []string
	for _, code := range codes {
		if !slices.ContainsFunc(codes, func(other string) bool { return other != code && strings.Contains(code, other) }) {
			inner = append(inner, code)
		}
	}
	return inner
}

// secondsBefore is how long before then t was, on the monotonic clock; none
// for a zero t.
func secondsBefore(t, then time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return max(then.Sub(t).Seconds(), 0)
}

// CodesTooManyProblem is why a top-up's completion was held for a person
// (Applied.CodesTooMany): a code cut off may be the PIN, which the panel
// gave in its words and not in its field.
const CodesTooManyProblem = "znet's words name more codes than the shop's providerMessage column holds whole"

// WouldHold says, as Apply decides it for the shop's database and its
// encoding, whether a completion would be held for a person and nothing
// of it saved: its PIN does not fit "pinCode" (Applied.PINTooLong), or the
// codes its words name do not fit "providerMessage" (CodesTooMany). Dry
// runs predict with it.
func (s *Store) WouldHold(ctx context.Context, o Outcome) (pinTooLong, codesTooMany bool) {
	f := s.encodingFitter(ctx)
	f.cols = s.readShopTable(ctx).columnSizes
	row := newApplyRow(o, f)
	return row.held == heldPINUnfit, row.held == heldCodesUnfit
}

// HeldUnsaved says the answer was held for a person and nothing of it
// saved: its PIN, or the codes its words name, did not fit the shop's row,
// or the shop's unique index on "pinCode" refused it.
func (a Applied) HeldUnsaved() bool { return a.PINTooLong || a.CodesTooMany || a.PINTaken }

// TrimPIN is a PIN without the white space around it, as the apply reads
// the PIN an order already holds: one of white space only (a form's
// space, tab or line break) is no PIN, and gets znet's. ASCII white space
// only: the statement must read alike in every server encoding (a
// Turkish shop's may be LATIN5 or SQL_ASCII), and any other character
// left there is the order's own, kept and named for a person.
func TrimPIN(pin string) string { return strings.Trim(pin, pinSpace) }

// KeepsOwnPIN says, as the apply decides it, whether an order holding the
// PIN own, completed by znet with znets, keeps its own and znet's is not
// written: it holds a PIN, and znet's is another. Dry runs predict with it.
func KeepsOwnPIN(own, znets string) bool {
	own, znets = TrimPIN(own), TrimPIN(znets)
	return own != "" && znets != "" && own != znets
}

// pinSpace is the white space TrimPIN trims.
const pinSpace = " \t\n\f\r"

// pinSpaceSQL is pinSpace as btrim's second argument.
const pinSpaceSQL = `E' \t\n\f\r'` // PostgreSQL has no \v escape

// shopPINSQL and answerPINSQL are TrimPIN in SQL of the PIN order o holds
// and of znet's.
const (
	shopPINSQL   = `btrim(o."pinCode", ` + pinSpaceSQL + `)`
	answerPINSQL = `btrim(input.pin, ` + pinSpaceSQL + `)`
)

// Apply writes a batch of outcomes in one statement, in one transaction.
//
// Each order is still its own compare-and-set: its row is updated only while
// it is pollable, still with the integration and referans that were asked
// about, so a decision the shop or staff made meanwhile wins; a final state
// is never moved back and a PIN already saved is never overwritten. Values
// are fitted to the shop's columns first, so that no answer can make the
// statement, and with it the order, fail forever; a PIN that does not fit
// is never cut but left for a person (Applied.HeldUnsaved), nor are codes
// of a top-up that its words name and "providerMessage" cannot hold whole.
//
// Apply never waits for the shop: an order whose row a shop transaction
// holds is skipped and reported Busy, and the others are written at once.
// Orders that became final are announced on FinalChannel in the same
// transaction, so a listener hears of them exactly when they are committed.
//
// One statement for many orders keeps the database round trips per run
// small when thousands of answers come back within seconds.
func (s *Store) Apply(ctx context.Context, p ApplyParams, outcomes []Outcome) ([]Applied, error) {
	if len(outcomes) == 0 {
		return nil, nil
	}
	rows := make([]applyRow, len(outcomes))
	table := s.readShopTable(ctx)
	fitter := s.encodingFitter(ctx)
	fitter.cols = table.columnSizes
	statement := table.statement()
	for k, o := range outcomes {
		rows[k] = newApplyRow(o, fitter)
	}
	var (
		applied     []Applied
		shared      map[string]string
		givenBefore map[string]Order
	)
	began := time.Now()
	// The shop's rows are taken with SKIP LOCKED; the lock timeout bounds
	// what else could wait (zwatch's own rows, a foreign key check), so that
	// no shop transaction holds up a batch of answers, PINs among them.
	err := s.inTxWaiting(ctx, "1s", func(tx *sqlx.Tx) error {
		// Measured as the transaction begins, and counted from its now():
		// a round trip early at most. Measured later, after the waits
		// below (another run's save of a PIN in the same bucket, up to the
		// lock timeout), the next check came that much early
		// (helper-349); counted from the statement's start instead, a
		// 30-minute step came a millisecond past the floor.
		began := time.Now()
		for k, o := range outcomes {
			rows[k].AskedAgo = secondsBefore(o.AskedAt, began)
			rows[k].NextDelay = max(o.NextCheckIn.Seconds()-secondsBefore(o.DecidedAt, began), 0)
		}
		var err error
		if shared, err = holdSharedReferans(ctx, tx, rows, fitter); err != nil {
			return err
		}
		if givenBefore, err = holdPINGivenBefore(ctx, tx, rows, fitter); err != nil {
			return err
		}
		input, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		if err := tx.SelectContext(ctx, &applied, statement,
			string(input), p.RunID, p.GiveUpAfter.Seconds(), fitter.fit(p.GiveUpNote, fitter.cols.lastMessage()),
			// Fitted here, as every note is: a shop's "lastMessage" may
			// be narrower than the schema's, and a note too long for it
			// fails the whole save, run after run.
			fitter.fit(pinKeptNote, fitter.cols.lastMessage()), fitter.fit(cancelledHoldingPINNote, fitter.cols.lastMessage())); err != nil {
			return err
		}
		return notifyFinal(ctx, tx, applied)
	})
	if cut := (*cutShortError)(nil); errors.As(err, &cut) {
		cut.after, cut.table = time.Since(began), "product_orders"
	}
	if err != nil {
		if pqErr := (*pq.Error)(nil); errors.As(err, &pqErr) && (pqErr.Code == generatedColumnWritten || pqErr.Code == valueTooLong) {
			// The shop made "durationMs" generated, or narrowed a column
			// zwatch fits its texts to, since the table was read (a deploy
			// during a --loop run): the next save reads it again, rather
			// than fail every save until the run ends.
			s.forgetShopTable()
		}
		return nil, fmt.Errorf("saving %s: %w", counted(len(rows), "answer"), err)
	}
	byID := make(map[string]*applyRow, len(rows))
	for k := range rows {
		byID[rows[k].OrderID] = &rows[k]
	}
	for k := range applied {
		id := applied[k].OrderID
		if other, ok := shared[id]; ok && applied[k].GaveUp {
			applied[k].SharedWith = other
		}
		row := byID[id]
		if row == nil || !applied[k].GaveUp {
			continue
		}
		applied[k].PINTooLong = row.held == heldPINUnfit
		applied[k].CodesTooMany = row.held == heldCodesUnfit
		if applied[k].PINTaken = row.held == heldPINTaken; applied[k].PINTaken {
			applied[k].Taken, applied[k].GivenBefore = row.taken, givenBefore[id]
		}
	}
	return applied, nil
}

// holdPINGivenBefore turns into holds, for a person, the completions whose
// PIN zwatch saved before on another order, which holds it still
// (Outcome.PINBucket): in an earlier run, in a check by hand, or in a run
// overlapping this one. A run compares its own
// answers (pkg/watch); this is what a run that ends forgets. The buckets
// are locked for the transaction first, in one order, so that two runs
// saving one PIN at once do not each find the other's save uncommitted
// and both save it: the second waits for the first's COMMIT (at most the
// transaction's lock timeout), and then finds it. It returns the orders
// held, each with the order that has its PIN.
func holdPINGivenBefore(ctx context.Context, tx *sqlx.Tx, rows []applyRow, f textFitter) (map[string]Order, error) {
	comparing := comparedRows(rows)
	if len(comparing) == 0 {
		return nil, nil
	}
	var buckets []int32
	for _, r := range comparing {
		buckets = append(buckets, *r.PINBucket)
	}
	slices.Sort(buckets)
	if _, err := tx.ExecContext(ctx, lockPINBucketsSQL, pq.Array(slices.Compact(buckets))); err != nil {
		return nil, fmt.Errorf("waiting for another run saving the same PIN: %w", err)
	}
	given, err := findPINGivenBefore(ctx, tx, comparing)
	if err != nil {
		return nil, err
	}
	for k := range rows {
		if other, ok := given[rows[k].OrderID]; ok {
			rows[k].holdTaken(Taken{SameAs: other.ID, SameAsCalled: OrderCalled(other.ID, other.OrderNo), Before: true}, f)
		}
	}
	return given, nil
}

// comparedRows are the rows whose PIN is compared with those zwatch saved
// before: completions saved as they stand, of orders that hold no PIN of
// their own. One that holds a PIN keeps it and writes none, as the run's
// comparison leaves it (pkg/watch sameAsEarlier): nothing of the other's
// reaches it.
func comparedRows(rows []applyRow) []applyRow {
	var comparing []applyRow
	for _, r := range rows {
		if r.PINBucket != nil && r.HoldNote == "" && TrimPIN(string(r.HeldPIN)) == "" {
			comparing = append(comparing, r)
		}
	}
	return comparing
}

// PINGivenBefore is, for a dry run, what Apply would hold of these
// outcomes for a PIN zwatch saved on another order before
// (holdPINGivenBefore): each such done answer's order, with that other
// order. It writes nothing, and waits for no other run's save.
func (s *Store) PINGivenBefore(ctx context.Context, outcomes []Outcome) (map[string]Order, error) {
	// Fitted as Apply fits them: a PIN the shop's encoding or column
	// cannot take is held, and left out of the look-up, where its JSON
	// would fail the whole statement, and every prediction with it.
	f := s.encodingFitter(ctx)
	f.cols = s.readShopTable(ctx).columnSizes
	rows := make([]applyRow, len(outcomes))
	for k, o := range outcomes {
		rows[k] = newApplyRow(o, f)
	}
	comparing := comparedRows(rows)
	if len(comparing) == 0 {
		return nil, nil
	}
	var given map[string]Order
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		var err error
		given, err = findPINGivenBefore(ctx, tx, comparing)
		return err
	})
	return given, err
}

// findPINGivenBefore is, of the comparing rows, those whose PIN zwatch
// saved on another order before (pinGivenBeforeSQL), each with one such
// order.
func findPINGivenBefore(ctx context.Context, q sqlx.QueryerContext, comparing []applyRow) (map[string]Order, error) {
	input, err := json.Marshal(comparing)
	if err != nil {
		return nil, err
	}
	var found []struct {
		OrderID       string `db:"order_id"`
		Other         string `db:"other_id"`
		OtherNo       *int64 `db:"other_no"`
		OtherReferans string `db:"other_referans"`
	}
	if err := sqlx.SelectContext(ctx, q, &found, pinGivenBeforeSQL, string(input)); err != nil {
		return nil, fmt.Errorf("looking for another order given the same PIN: %w", err)
	}
	given := make(map[string]Order, len(found))
	for _, g := range found {
		given[g.OrderID] = Order{ID: g.Other, OrderNo: g.OtherNo, Referans: g.OtherReferans}
	}
	return given, nil
}

// lockPINBucketsSQL: $1 the buckets, sorted. unnest takes them in the
// array's order, so that two runs locking the same two never wait for each
// other crosswise. Keyed apart from other advisory locks by pinBucketLock.
var lockPINBucketsSQL = `SELECT pg_advisory_xact_lock(` + pinBucketLock + `, k) FROM unnest($1::int[]) AS k`

// pinBucketLock is the first key of the buckets' advisory locks: "zwTN".
const pinBucketLock = "2054640718"

// pinGivenBeforeSQL: $1 the completions compared, as applyRow JSON. Of
// each, one other order in the PIN's bucket that holds the PIN still, as
// its letters and digits in capitals (a shop trigger may store it so),
// found along zwatch's index of buckets (migration 00034), each read by
// primary key, with its number. One that no longer holds it (staff, having
// asked znet, took it off the order it was not for) holds nothing up, as
// the shop's unique index would not: retry --stuck then lets the held
// order have it. One that holds it spelt alike is left to such an index,
// where the shop has one. Nor does a value either order's "userIdentifier" holds:
// a top-up panel echoing the player's account (a Steam ID, an e-mail
// address) in the PIN field for each of the player's top-ups. One
// referans of one integration is one znet order, given one PIN, which the
// shared-referans guard decides (sharedReferansSQL): a copy of the order
// carrying it is not counted here.
var pinGivenBeforeSQL = `
SELECT a.order_id::text AS order_id, other.id::text AS other_id, other.referans AS other_referans, other."orderNo" AS other_no
FROM (SELECT r.order_id, lower(btrim(r.integration_id)) AS integration_id, r.pin_bucket,
             ` + referansFromHexSQL + ` AS referans, ` + alnumsSQL(`r.pin`) + ` AS pin, btrim(r.pin, ` + pinSpaceSQL + `) AS spelt
      FROM json_to_recordset($1::json) AS r(order_id uuid, integration_id text, referans_hex text, pin_bucket int, pin text)) AS a
JOIN LATERAL (
	SELECT o.id, o."orderNo", COALESCE(c.referans, '') AS referans
	FROM zwatch_order_checks c
	JOIN LATERAL (SELECT * FROM product_orders o WHERE o.id = c.order_id LIMIT 1) o ON true
	WHERE c.pin_bucket = a.pin_bucket AND c.order_id <> a.order_id
	  AND ` + alnumsSQL(`o."pinCode"`) + ` = a.pin
	  -- Spelt alike, the shop's unique index on "pinCode" alone refuses
	  -- it, in its own words (Taken.Index); another spelling it lets by.
	  AND NOT (` + shopPINSQL + ` = a.spelt AND EXISTS (` + pinIndexSQL + `))
	  AND ` + alnumsSQL(`o."userIdentifier"`) + ` <> a.pin
	  AND NOT EXISTS (SELECT 1 FROM product_orders self WHERE self.id = a.order_id
	                  AND ` + alnumsSQL(`self."userIdentifier"`) + ` = a.pin)
	  AND NOT (c.integration_id::text IS NOT DISTINCT FROM a.integration_id
	           AND ` + referansKeySQL("c.referans") + ` = ` + referansKeySQL("a.referans") + `)
	ORDER BY o.id
	LIMIT 1
) other ON true`

// holdSharedReferans turns into holds, for a person, the completions znet
// gave for a referans that another order of the same integration carries
// as well, and returns those orders with one such other order each: znet
// has one order per referans, so its PIN (or top-up) belongs to one
// customer, and written to both it would be delivered to a second. Such a
// copy is a fault of the shop's data, rare; the statement runs only for a
// batch that completes orders, and finds each referans by the index on
// zwatch's own table (kept while zwatch keeps the order's row, 7 days
// after it finished).
func holdSharedReferans(ctx context.Context, tx *sqlx.Tx, rows []applyRow, f textFitter) (map[string]string, error) {
	var completing []applyRow
	for _, r := range rows {
		if r.ToStatus != nil && *r.ToStatus == "completed" && r.Referans != "" {
			completing = append(completing, r)
		}
	}
	if len(completing) == 0 {
		return nil, nil
	}
	shared, err := findSharedReferans(ctx, tx, completing)
	if err != nil {
		return nil, err
	}
	for k := range rows {
		if other, ok := shared[rows[k].OrderID]; ok {
			r := &rows[k]
			r.Result = ErrorResult(heldSharedReferans)
			r.ToStatus, r.Final, r.PIN = nil, false, ""
			r.Error = SharedReferansProblem(other)
			r.HoldNote = f.fit(ZwatchNotePrefix+r.Error, f.cols.lastMessage())
		}
	}
	return shared, nil
}

// findSharedReferans is, of the completing rows, those whose referans
// another order of their integration carries (sharedReferansSQL), each
// with one such order.
func findSharedReferans(ctx context.Context, q sqlx.QueryerContext, completing []applyRow) (map[string]string, error) {
	input, err := json.Marshal(completing)
	if err != nil {
		return nil, err
	}
	var found []struct {
		OrderID string `db:"order_id"`
		Other   string `db:"other_id"`
	}
	if err := sqlx.SelectContext(ctx, q, &found, sharedReferansSQL, string(input)); err != nil {
		return nil, fmt.Errorf("looking for other orders with the same referans: %w", err)
	}
	shared := make(map[string]string, len(found))
	for _, f := range found {
		shared[f.OrderID] = f.Other
	}
	return shared, nil
}

// SharedReferans is, for a dry run, what Apply would hold of these
// outcomes for a referans another order carries: each done answer's order
// with one such other order. It writes nothing.
func (s *Store) SharedReferans(ctx context.Context, outcomes []Outcome) (map[string]string, error) {
	var completing []applyRow
	for _, o := range outcomes {
		if r := newApplyRow(o, textFitter{}); r.ToStatus != nil && *r.ToStatus == "completed" && r.Referans != "" {
			completing = append(completing, r)
		}
	}
	if len(completing) == 0 {
		return nil, nil
	}
	var shared map[string]string
	err := s.readShop(ctx, func(tx *sqlx.Tx) error {
		var err error
		shared, err = findSharedReferans(ctx, tx, completing)
		return err
	})
	return shared, err
}

// SharedReferansProblem says what to do about an order znet completed whose
// referans order other carries too.
func SharedReferansProblem(other string) string {
	return "order " + other + " carries the same referans, and znet has one order per referans: its answer was not saved " +
		"to this order; see whether that order holds the PIN, and deliver it by hand to the customer it belongs to"
}

// sharedReferansSQL: $1 the completing answers, as applyRow JSON. Of each,
// one other order of its integration, or of another integration for the
// same dealer account (dealerAccountSQL), carrying its referans as znet
// reads it (referansKeySQL), if any: found by zwatch's index (the
// referans zwatch registered, claimed or last asked about), of the orders
// that may hold what znet gave for it:
//   - one still waiting, whose row carries the referans now: a shop that
//     changed it since zwatch last claimed the order has another in mind;
//   - one completed or holding a PIN, whatever its row says now: the
//     customer may have the PIN, even if staff rejected or edited the
//     order since.
//
// A copy staff decided or znet cancelled that holds no PIN holds nothing up.
//
// It runs for every batch that completes orders, so it is written, as the
// claim is, to read the same way whatever the planner's statistics (none
// at all on zwatch's referans right after migrate, say): from the answers,
// along zwatch's index to the orders carrying each referans, and from
// each of those one primary key look-up on the shop's table; never a join
// the planner may turn into reading product_orders through.
var sharedReferansSQL = `
SELECT a.order_id::text AS order_id, other.id::text AS other_id
FROM (SELECT r.order_id, r.integration_id, ` + referansFromHexSQL + ` AS referans
      FROM json_to_recordset($1::json) AS r(order_id uuid, integration_id text, referans_hex text)) AS a
LEFT JOIN integrations ai ON ai.id = CASE WHEN a.integration_id ~ ` + uuidPatternSQL + ` THEN a.integration_id::uuid END
JOIN LATERAL (
	SELECT o.id
	FROM zwatch_order_checks c
	JOIN LATERAL (SELECT * FROM product_orders o WHERE o.id = c.order_id LIMIT 1) o ON true
	WHERE ` + referansKeySQL("c.referans") + ` = ` + referansKeySQL("a.referans") + `
	  AND c.referans <> '' AND c.order_id <> a.order_id
	  AND (lower(btrim(o."providerId")) = a.integration_id
	       -- Another integration row for the same dealer account asks
	       -- the same znet orders.
	       OR EXISTS (SELECT 1 FROM integrations oi
	                  WHERE oi.id = ` + integrationIDSQL + `
	                    AND oi.provider = ` + providerSQL + `
	                    AND ` + dealerAccountSQL("oi") + ` = ` + dealerAccountSQL("ai") + `))
	  AND (` + waitingSQL + ` AND ` + referansKeySQL(referansSQL) + ` = ` + referansKeySQL("a.referans") + `
	       OR o."externalStatus" = 'completed'
	       OR NULLIF(` + shopPINSQL + `, '') IS NOT NULL)
	ORDER BY o.id
	LIMIT 1
) other ON true`

// dealerAccountSQL is the dealer account integration i names, as znet
// knows it: its panel's address without the scheme or a trailing slash,
// and its dealer code. Two integration rows with the same one ask the same
// znet orders.
func dealerAccountSQL(i string) string {
	return `(rtrim(regexp_replace(lower(btrim(` + i + `."baseUrl")), '^https?://', ''), '/') || ' ' || btrim(` + i + `.kod))`
}

// notifyFinalSQL announces orders that became final; each payload is a
// FinalNotice as JSON.
const notifyFinalSQL = `
SELECT pg_notify('` + FinalChannel + `', payload)
FROM unnest($1::text[]) AS payload`

func notifyFinal(ctx context.Context, tx *sqlx.Tx, applied []Applied) error {
	var payloads []string
	for _, ap := range applied {
		if !ap.Written || ap.FromStatus == ap.ToStatus {
			continue
		}
		if ap.ToStatus != "completed" && ap.ToStatus != "failed" {
			continue
		}
		payload, err := json.Marshal(FinalNotice{OrderID: ap.OrderID, ExternalStatus: ap.ToStatus, PINSaved: ap.PINSaved, PINKept: ap.PINKept, PINNotStored: ap.PINNotStored})
		if err != nil {
			return err
		}
		payloads = append(payloads, string(payload))
	}
	if len(payloads) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, notifyFinalSQL, pq.Array(payloads))
	return err
}

// answeredBySQL is the integration an answer's order named when its panel
// answered (prev.cas_holds compares them).
const answeredBySQL = `CASE WHEN input.integration_id ~ ` + uuidPatternSQL + ` THEN input.integration_id::uuid END`

// applySQLLocking is the whole of applying answers, as data-modifying CTEs
// so that each step sees exactly which orders the step before it changed,
// taking the shop's rows with rowLock (see applySQL).
//
//	input   the outcomes, one row per order: $1, a JSON array of applyRow
//	params  what they share: $2 the run, $3 the give-up time, $4 to $6
//	        the notes for "lastMessage", fitted to it (give-up,
//	        pinKeptNote, cancelledHoldingPINNote)
//	checks  decides give-up on the database's clock
//	prev    locks the shop's rows, skipping those a shop transaction holds,
//	        and evaluates the compare-and-set
//	busy    of the orders prev did not get (unlocked), those whose row
//	        exists: a shop transaction holds it. Looked up only for those,
//	        which is rarely any, not for every order of the batch.
//	changed the shop's columns zwatch owns, only where the CAS holds
//	events  the transition log (never the PIN itself)
//	booked  zwatch's scheduling row: attempt counted, claim cleared; not for
//	        a busy order, whose answer is applied again or its claim released
func applySQLLocking(rowLock string, durationGenerated bool) string {
	durationSet := durationSetSQL
	if durationGenerated {
		// PostgreSQL refuses any value but DEFAULT for a generated
		// column, the one it held too: set, it failed every save.
		durationSet = "\t\t-- \"durationMs\" is the shop's table's to generate.\n"
	}
	return `
WITH input AS (
	SELECT r.*, ` + referansFromHexSQL + ` AS referans, ` + heldPINFromHexSQL + ` AS held_pin
	FROM json_to_recordset($1::json) AS r(
		order_id uuid, integration_id text, referans_hex text, result text,
		to_status text, final boolean, pin text, message text, row_message text, shop_message text, held_pin_hex text, last_message text,
		error text, next_delay_seconds float8, asked_ago_seconds float8, hold_note text, pin_bucket int)
),
params AS (
	SELECT $2::text AS run_id,
	       $3::float8 AS give_up_after_seconds,
	       $4::text AS give_up_note
),
checks AS (
	-- Locked, in the order of their ids, and read as they are once locked:
	-- a claim of this run's that lapsed and that another run took a moment
	-- ago is no longer ours, and the statement's snapshot alone would not
	-- say so. That run asks and writes, not this one. (Other runs' claims
	-- skip locked rows, and this run's lease renewal skips them too, so no
	-- one waits here for long, and no two writers deadlock.)
	SELECT c.order_id,
	       c.claimed_by IS NOT DISTINCT FROM params.run_id AS ours,
	       input.hold_note <> ''
	       OR NOT input.final
	          -- Given up already: an order a person checks by hand (check
	          -- --order) stays stuck until retry --stuck, whatever the
	          -- check's own --give-up-after.
	          AND c.given_up_at IS NULL
	          AND COALESCE(c.first_checked_at, now()) <= now() - make_interval(secs => params.give_up_after_seconds)
	       AS give_up,
	       CASE WHEN input.hold_note <> '' THEN input.hold_note ELSE params.give_up_note END AS give_up_note,
	       -- Given up on before, and this answer not final: it stays so,
	       -- its note with it.
	       c.given_up_at IS NOT NULL AND NOT input.final AS stays_given_up
	FROM zwatch_order_checks c
	JOIN input ON input.order_id = c.order_id
	CROSS JOIN params
	ORDER BY c.order_id
	FOR UPDATE OF c
),
prev AS (
	SELECT o.id,
	       o."externalStatus" AS from_status,
	       NULLIF(` + shopPINSQL + `, '') AS shop_pin,
	       (` + orderPollableSQL + `) AS still_pollable,
	       (` + orderPollableSQL + `
	        AND lower(btrim(o."providerId")) = input.integration_id
	        AND ` + referansSQL + ` = input.referans) AS cas_holds
	FROM product_orders o
	JOIN input ON input.order_id = o.id
	-- Locked as read, so that the compare-and-set below cannot act on a row
	-- the shop changed since; in one order, so that no two writers deadlock.
	-- A row a shop transaction holds is skipped, not waited for: it is
	-- present but not here, and reported busy. The lock is the one the
	-- update below takes (applySQL, applyStatement).
	ORDER BY o.id
	` + rowLock + ` OF o SKIP LOCKED
),
unlocked AS MATERIALIZED (
	SELECT input.order_id AS id
	FROM input
	WHERE NOT EXISTS (SELECT 1 FROM prev WHERE prev.id = input.order_id)
),
busy AS (
	SELECT unlocked.id
	FROM unlocked
	CROSS JOIN LATERAL (
		SELECT 1 FROM product_orders o WHERE o.id = unlocked.id LIMIT 1
	) present
),
changed AS (
	UPDATE product_orders o
	SET "externalStatus" = COALESCE(input.to_status, o."externalStatus"),
		-- The order's own PIN is kept where it has one (prev.shop_pin):
		-- a blank one, white space only, is none, and gets znet's, as
		-- the check for a PIN kept (shop_pin) and pin_saved read it.
		"pinCode" = CASE WHEN input.to_status = 'completed' AND prev.shop_pin IS NULL
			THEN COALESCE(NULLIF(input.pin, ''), o."pinCode")
			ELSE o."pinCode" END,
		"completedAt" = CASE WHEN input.to_status = 'completed'
			THEN COALESCE(o."completedAt", now())
			ELSE o."completedAt" END,
` + durationSet + `		-- Not approved where the order keeps a PIN of its own other than
		-- znet's: a shop that delivers what is approved would deliver a
		-- PIN a person has yet to compare with znet's.
		status = CASE WHEN input.to_status = 'completed' AND NOT ` + keepsOtherPINSQL + ` THEN 'approved' ELSE o.status END,
		"approvedAt" = CASE WHEN input.to_status = 'completed' AND NOT ` + keepsOtherPINSQL + `
			THEN COALESCE(o."approvedAt", now())
			ELSE o."approvedAt" END,
		"providerMessage" = CASE WHEN input.to_status IS NOT NULL
			-- Not where the order holds another PIN than at the claim
			-- (staff's, written since the answer came), which the words
			-- were not masked of.
			THEN CASE WHEN prev.shop_pin IS NOT DISTINCT FROM NULLIF(input.held_pin, '')
				THEN COALESCE(NULLIF(input.shop_message, ''), input.row_message)
				ELSE input.row_message END
			ELSE o."providerMessage" END,
		"lastMessage" = CASE
			WHEN input.to_status = 'completed' AND ` + keepsOtherPINSQL + `
				THEN $5::text
			WHEN input.to_status = 'failed' AND prev.shop_pin IS NOT NULL
				THEN $6::text
			WHEN input.to_status = 'completed' THEN COALESCE(NULLIF(input.last_message, ''), o."lastMessage")
			WHEN checks.give_up THEN checks.give_up_note
			WHEN checks.stays_given_up THEN o."lastMessage"
			-- A note zwatch left when it gave up ("stopped asking, check
			-- the order on the dealer panel") is stale once the order is
			-- asked again (retry --stuck, check --order) and znet answers:
			-- staff would look for a problem zwatch no longer has.
			WHEN input.to_status IS NOT NULL AND o."lastMessage" LIKE ` + zwatchNotePrefixSQL + ` THEN NULL
			ELSE o."lastMessage" END,
		"lastSyncAt" = CASE WHEN input.to_status IS NOT NULL
			THEN now()
			ELSE o."lastSyncAt" END
	FROM prev
	JOIN input ON input.order_id = prev.id
	JOIN checks ON checks.order_id = prev.id
	WHERE o.id = prev.id
	  AND prev.cas_holds
	  AND checks.ours
	  AND (input.to_status IS NOT NULL OR checks.give_up)
	RETURNING o.id,
	          prev.from_status,
	          o."externalStatus" AS to_status,
	          -- znet's PIN is the order's now: saved, or the same as the
	          -- one it held. Not where the order kept a PIN of its own
	          -- (pin_kept), nor for a top-up's answer on an order that
	          -- holds a PIN: the listener would push a PIN zwatch has just
	          -- left for a person to compare, or none znet gave.
	          -- Read off the row as stored: a shop trigger may have left it
	          -- as it was (returning OLD), and nothing was saved then.
	          COALESCE(input.to_status = 'completed' AND o."externalStatus" = 'completed' AND ` + answerPINSQL + ` <> ''
	              AND ` + shopPINSQL + ` = ` + answerPINSQL + `, false) AS pin_saved,
	          COALESCE(input.to_status = 'completed' AND o."externalStatus" = 'completed' AND ` + keepsOtherPINSQL + `
	              -- Cancelled while holding a PIN (delivered by hand?): a
	              -- refund must wait for a person too.
	              OR input.to_status = 'failed' AND o."externalStatus" = 'failed' AND prev.shop_pin IS NOT NULL, false) AS pin_kept,
	          -- Completed, with a PIN from znet and none of the order's own
	          -- before, yet the row as stored holds none, or its beginning
	          -- only: a shop trigger kept the old blank, moved the PIN to a
	          -- vault, kept the first of several codes, or cut it (one
	          -- written for shorter PINs), which SQL cannot tell apart.
	          -- Written as the shop's database took it, and said, for a
	          -- person to make sure the customer has the PIN. Stored its
	          -- own way (in capitals, encrypted), it is the shop's.
	          -- Compared by their letters and digits, in capitals: a cut one
	          -- may have been written in capitals too, or with a mark after it.
	          COALESCE(input.to_status = 'completed' AND o."externalStatus" = 'completed' AND prev.shop_pin IS NULL
	              AND ` + answerPINSQL + ` <> ''
	              AND (` + shopPINAlnumsSQL + ` = ''
	                   OR length(` + shopPINAlnumsSQL + `) < length(` + answerPINAlnumsSQL + `)
	                      AND left(` + answerPINAlnumsSQL + `, length(` + shopPINAlnumsSQL + `)) = ` + shopPINAlnumsSQL + `), false) AS pin_not_stored,
	          -- The row holds znet's PIN, however written (pin_bucket).
	          COALESCE(` + answerPINAlnumsSQL + ` <> '' AND ` + shopPINAlnumsSQL + ` = ` + answerPINAlnumsSQL + `, false) AS pin_alike,
	          input.message,
	          now() - make_interval(secs => input.asked_ago_seconds) AS asked_at,
	          ` + answeredBySQL + ` AS answered_by
),
events AS (
	-- The integration the order names as znet answers (cas_holds): stats
	-- counts the answer for that panel, wherever the shop sends it next.
	INSERT INTO zwatch_order_events (order_id, kind, from_status, to_status, pin_delivered, provider_message, run_id, asked_at, integration_id)
	SELECT id, 'status', from_status, to_status, pin_saved, message, params.run_id, asked_at, answered_by
	FROM changed, params
	WHERE from_status IS DISTINCT FROM to_status OR pin_saved
	UNION ALL
	-- Given up on whether or not the shop's row took the note (a trigger
	-- suppressing updates that change nothing skips it where the order
	-- holds the note already: retried, and given up on again), unless it
	-- left znet's status unwritten, which is asked again (unwrittenSQL).
	-- Held for a person at znet's answer, it keeps when znet was asked,
	-- as the answer's status event would: the learning reads it as that
	-- answer (history.go), which a give-up for want of one is not.
	SELECT prev.id, 'gave_up', prev.from_status, COALESCE(changed.to_status, prev.from_status), false, checks.give_up_note, params.run_id,
	       CASE WHEN input.hold_note <> '' THEN now() - make_interval(secs => input.asked_ago_seconds) END,
	       ` + answeredBySQL + `
	FROM prev
	JOIN input ON input.order_id = prev.id
	JOIN checks ON checks.order_id = prev.id
	LEFT JOIN changed ON changed.id = prev.id
	CROSS JOIN params
	WHERE checks.give_up AND checks.ours AND prev.cas_holds AND NOT ` + unwrittenSQL + `
),
booked AS (
	UPDATE zwatch_order_checks c
	SET attempts = c.attempts + 1,
		first_checked_at = COALESCE(c.first_checked_at, now()),
		last_checked_at = now(),
		-- When the order finished lies between this and the final answer
		-- (issue 11: learning each panel's finishing times): the ask, not
		-- this save, which may come a second (an answer waiting for
		-- company) or a database outage later, when the order may be
		-- final already.
		waiting_seen_at = CASE WHEN input.result = 'waiting'
			THEN now() - make_interval(secs => input.asked_ago_seconds)
			ELSE c.waiting_seen_at END,
		next_check_at = now() + make_interval(secs => input.next_delay_seconds),
		claimed_by = NULL,
		claim_expires_at = NULL,
		last_result = input.result,
		last_error = CASE WHEN ` + unwrittenSQL + ` THEN ` + unwrittenNoteSQL + `
			WHEN changed.pin_not_stored THEN ` + pinNotStoredNoteSQL + `
			ELSE NULLIF(input.error, '') END,
		shop_held_since = NULL,
		referans = input.referans,
		-- The bucket of znet's PIN, for a later save of it to another
		-- order to find this one (holdPINGivenBefore): written with each
		-- completion whose row holds znet's PIN by its letters and digits
		-- (saved now, stored by a shop trigger in capitals, or typed in by
		-- staff before), none for a PIN not compared. In this update, not
		-- one of its own after it: that wrote every completed order's row
		-- twice, half as slow again a batch.
		pin_bucket = CASE WHEN input.to_status = 'completed' AND changed.to_status = 'completed' AND changed.pin_alike
			AND NOT ` + unwrittenSQL + `
			THEN input.pin_bucket
			ELSE c.pin_bucket END,
		-- Now, whatever "sentAt" says: dated at a "sentAt" a shop host's
		-- clock set ahead, a hold hid the shop's sending again from a
		-- clock set right, before that time, for good (helper-364). A hold
		-- check --order makes ahead of such a "sentAt" reads as sent again
		-- (resentSQL) until that time: README, check.
		given_up_at = CASE
			WHEN checks.give_up AND prev.cas_holds AND NOT ` + unwrittenSQL + ` THEN now()
			WHEN checks.stays_given_up THEN c.given_up_at
			END,
		finished_at = CASE
			WHEN changed.to_status IN ('completed', 'failed') THEN now()
			WHEN prev.id IS NULL OR NOT prev.still_pollable THEN now()
			END
	FROM input
	JOIN checks ON checks.order_id = input.order_id
	LEFT JOIN prev ON prev.id = input.order_id
	LEFT JOIN changed ON changed.id = input.order_id
	WHERE c.order_id = input.order_id
	  AND checks.ours
	  AND (prev.id IS NOT NULL OR input.order_id NOT IN (SELECT id FROM busy))
	RETURNING c.order_id, c.given_up_at IS NOT NULL AS stuck
)
SELECT input.order_id::text AS order_id,
       COALESCE(changed.from_status, prev.from_status, '') AS from_status,
       COALESCE(changed.to_status, prev.from_status, '') AS to_status,
       changed.id IS NOT NULL AND NOT (` + unwrittenSQL + `) AS written,
       COALESCE(changed.pin_saved, false) AS pin_saved,
       COALESCE(changed.pin_kept, false) AS pin_kept,
       COALESCE(changed.pin_not_stored, false) AS pin_not_stored,
       COALESCE(checks.give_up AND checks.ours AND prev.cas_holds AND NOT ` + unwrittenSQL + `, false) AS gave_up,
       COALESCE(booked.stuck, false) AS stuck,
       busy.id IS NOT NULL AND COALESCE(checks.ours, false) AS busy,
       ` + unwrittenSQL + ` AS unwritten,
       NOT (busy.id IS NOT NULL AND COALESCE(checks.ours, false))
           AND NOT (COALESCE(prev.cas_holds, false) AND COALESCE(checks.ours, false)) AS overtaken
FROM input
LEFT JOIN prev ON prev.id = input.order_id
LEFT JOIN checks ON checks.order_id = input.order_id
LEFT JOIN changed ON changed.id = input.order_id
LEFT JOIN busy ON busy.id = input.order_id
LEFT JOIN booked ON booked.order_id = input.order_id`
}

// applySQL takes the shop's rows FOR NO KEY UPDATE, the lock an update of
// columns no foreign key can reference takes: a shop transaction inserting
// a row that references the order (FOR KEY SHARE) is neither waited for
// nor kept waiting. applyKeyedSQL takes them FOR UPDATE, for a shop whose
// table has such a key among the columns zwatch writes (a unique index on
// "pinCode", so that no PIN is delivered twice): the update then takes
// that lock anyway, and one taken only at the update would wait for the
// shop's transaction instead of skipping its row. applyStatements are the
// four statements, by what they depend on of the shop's table.
var (
	applySQL        = applySQLLocking("FOR NO KEY UPDATE", false)
	applyKeyedSQL   = applySQLLocking("FOR UPDATE", false)
	applyStatements = map[statementShape]string{
		{}:                                     applySQL,
		{keyed: true}:                          applyKeyedSQL,
		{durationGenerated: true}:              applySQLLocking("FOR NO KEY UPDATE", true),
		{keyed: true, durationGenerated: true}: applySQLLocking("FOR UPDATE", true),
	}
)

// statementShape is what of the shop's table the apply's statement is
// written for (shopTable).
type statementShape struct{ keyed, durationGenerated bool }

// durationSetSQL sets "durationMs" as applySQL does where the shop's table
// does not generate it.
const durationSetSQL = `		-- durationMs is an integer: an order sent weeks ago must not
		-- overflow it and fail the whole batch, nor one whose sentAt or
		-- completedAt (kept if set) is infinite, which PostgreSQL refuses
		-- to subtract.
		"durationMs" = CASE WHEN input.to_status = 'completed' AND isfinite(o."sentAt")
				AND isfinite(COALESCE(o."completedAt", now()))
			THEN LEAST(2147483647, GREATEST(0, round(1000 * extract(epoch FROM
				COALESCE(o."completedAt", now()) - o."sentAt"))))::integer
			ELSE o."durationMs" END,
`

// shopColumnsWritten are the columns of product_orders applySQL sets, and
// the ones RuntimeGrants grants UPDATE on.
var shopColumnsWritten = []string{"externalStatus", "pinCode", "completedAt", "durationMs", "status", "approvedAt",
	"providerMessage", "lastMessage", "lastSyncAt"}

// shopTable is what the apply depends on of product_orders: its
// statement, and the sizes its texts are fitted to.
type shopTable struct {
	// Keyed: one of the columns zwatch writes is a key to PostgreSQL, whose
	// update takes the row's FOR UPDATE lock: a key column of a unique
	// index that is neither partial nor on an expression (not one it
	// INCLUDEs; indkey lists its key columns first, from 0).
	Keyed bool `db:"keyed"`
	// DurationGenerated: "durationMs" is a generated column (GENERATED
	// ALWAYS AS, from "completedAt" and "sentAt" most likely).
	DurationGenerated bool `db:"duration_generated"`
	columnSizes
}

// statement is the apply's statement for the table.
func (t shopTable) statement() string {
	return applyStatements[statementShape{keyed: t.Keyed, durationGenerated: t.DurationGenerated}]
}

// columnSizes are the sizes of the shop's text columns zwatch writes, as
// its table declares them, in characters (varchar(n) and char(n); bytes
// under SQL_ASCII, textFitter.bytes): the schema's are only what most shops
// have, and a text longer than a shop's own was refused with the whole
// save, run after run (a PIN never held as too long, a give-up note never
// written). 0: not read, and the schema's size stands; unboundedColumn:
// text, or varchar without a length.
type columnSizes struct {
	PINCode         int `db:"pin_code_len"`
	LastMessage     int `db:"last_message_len"`
	ProviderMessage int `db:"provider_message_len"`
}

// unboundedColumn is the size columnSizes gives a column without a bound.
const unboundedColumn = -1

// pinCode is how much "pinCode" takes; math.MaxInt, any PIN. A PIN is
// never cut: one longer is held for a person (textFitter.pinUnfit), as is
// one longer than LongestPIN.
func (c columnSizes) pinCode() int {
	switch c.PINCode {
	case 0:
		return schemaPINCodeLen
	case unboundedColumn:
		return math.MaxInt
	}
	return c.PINCode
}

// lastMessage is the most of a text zwatch writes into "lastMessage".
func (c columnSizes) lastMessage() int { return capped(c.LastMessage, lastMessageLen) }

// providerMessage is the most of a text zwatch writes into
// "providerMessage".
func (c columnSizes) providerMessage() int {
	return capped(c.ProviderMessage, ProviderMessageLen)
}

// capped is a column's size as zwatch fills it: at most limit, zwatch's
// own bound on what it writes there, which is the schema's size too, and
// all of it where the size was not read or the column has none.
func capped(size, limit int) int {
	if size == 0 || size == unboundedColumn {
		return limit
	}
	return min(size, limit)
}

// columnSizeSQL is the size of product_orders' column named, as
// columnSizes has it: a varchar's or char's length (its typmod, less the
// 4 bytes of its header), that of the type a domain the column is of rests
// on, through domains of domains, unboundedColumn for any other type, and
// 0 for no such column.
func columnSizeSQL(column string) string {
	return `COALESCE((
	WITH RECURSIVE base (oid, typmod, depth) AS (
		SELECT a.atttypid, a.atttypmod, 0
		FROM pg_attribute a
		WHERE a.attrelid = to_regclass('product_orders') AND a.attname = '` + column + `' AND NOT a.attisdropped
		UNION ALL
		-- A domain's length is its own, or the one of the type it rests on.
		SELECT t.typbasetype, CASE WHEN b.typmod >= 0 THEN b.typmod ELSE t.typtypmod END, b.depth + 1
		FROM base b
		JOIN pg_type t ON t.oid = b.oid
		WHERE t.typtype = 'd' AND b.depth < 16
	)
	SELECT CASE WHEN oid IN ('varchar'::regtype, 'bpchar'::regtype) AND typmod >= 4 THEN typmod - 4
	            ELSE ` + fmt.Sprint(unboundedColumn) + ` END
	FROM base
	ORDER BY depth DESC
	LIMIT 1), 0)`
}

// shopTableSQL reads a shopTable; $1 are the columns zwatch writes.
var shopTableSQL = `
SELECT EXISTS (
	SELECT 1
	FROM pg_index i
	JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])
	WHERE i.indrelid = to_regclass('product_orders')
	  AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
	  AND a.attname = ANY ($1::text[])) AS keyed,
EXISTS (
	SELECT 1 FROM pg_attribute a
	WHERE a.attrelid = to_regclass('product_orders') AND a.attname = 'durationMs'
	  AND a.attgenerated <> '' AND NOT a.attisdropped) AS duration_generated,
` + columnSizeSQL("pinCode") + ` AS pin_code_len,
` + columnSizeSQL("lastMessage") + ` AS last_message_len,
` + columnSizeSQL("providerMessage") + ` AS provider_message_len`

// valueTooLong is PostgreSQL's refusal of a text longer than its column
// ("value too long for type character varying(16)").
const valueTooLong = "22001"

// generatedColumnWritten is PostgreSQL's refusal of a value for a
// generated column ("column ... can only be updated to DEFAULT").
const generatedColumnWritten = "428C9"

// forgetShopTable has the next save read the shop's table again.
func (s *Store) forgetShopTable() {
	s.shopTableMu.Lock()
	defer s.shopTableMu.Unlock()
	s.shopTableRead = false
}

// readShopTable is the shop's table as the apply writes it: its statement
// is applySQL, or applyKeyedSQL where the table has a key among the
// columns zwatch writes, either without "durationMs" where the table
// generates it; and its texts are fitted to its columns' sizes. The table
// is read until it could be once, as the encoding is (a unique index the
// shop adds, or a column it widens, during a looping run is seen by the
// next run), and again after a save PostgreSQL refused for writing a
// generated column or a text too long (forgetShopTable).
func (s *Store) readShopTable(ctx context.Context) shopTable {
	s.shopTableMu.Lock()
	defer s.shopTableMu.Unlock()
	// A table that generates "durationMs" is read at every save: one that
	// stops (DROP EXPRESSION) refuses nothing that would say so, and the
	// rest of the run would leave the duration unwritten. A catalogue read
	// a save, on the few shops that generate it.
	if !s.shopTableRead || s.shopTable.DurationGenerated {
		var read shopTable
		if err := s.db.GetContext(ctx, &read, shopTableSQL, pq.Array(shopColumnsWritten)); err == nil {
			s.shopTable, s.shopTableRead = read, true
		}
	}
	return s.shopTable
}

// unwrittenSQL holds, in applySQL's last steps, for an answer whose status
// the order was due to take and did not: the shop's row took none of the
// update (a BEFORE UPDATE trigger returning NULL) or kept its status (one
// returning OLD). A give-up alone is not counted: it only writes a note,
// which a trigger suppressing updates that change nothing may skip.
const unwrittenSQL = `COALESCE(input.to_status IS NOT NULL AND prev.cas_holds AND checks.ours
	AND (changed.id IS NULL OR changed.to_status IS DISTINCT FROM input.to_status), false)`

// shopPINAlnumsSQL and answerPINAlnumsSQL are the letters and digits of
// the order's stored PIN and of znet's, in capitals; empty for none.
var (
	shopPINAlnumsSQL   = alnumsSQL(shopPINSQL)
	answerPINAlnumsSQL = alnumsSQL(answerPINSQL)
)

// alnumsSQL is the letters and digits of the text expr, in capitals (one
// PIN, however spelt); empty for none.
func alnumsSQL(expr string) string {
	return `upper(regexp_replace(COALESCE(` + expr + `, ''), '[^[:alnum:]]', '', 'g'))`
}

// pinNotStoredNoteSQL is last_error of an order completed with a PIN its
// row, as stored, does not hold whole; list shows its first words.
const pinNotStoredNoteSQL = `'PIN not stored whole: the shop''s database took znet''s completion, but its "pinCode" holds no PIN or only the beginning of znet''s ' ||
	'(a trigger of the shop''s that keeps it blank, moves it elsewhere, which belongs AFTER UPDATE, or cuts it); ' ||
	'make sure the customer has the PIN, from the dealer panel'`

// unwrittenNoteSQL is last_error of an answer the shop's row did not take,
// for list and stats to show.
const unwrittenNoteSQL = `'the shop''s database did not write znet''s answer (a trigger of the shop''s skipped the update?)'`

// cutShortError is a statement its caller's deadline cancelled, said as
// such (inTxWaiting). It wraps nothing: the server answered the cancel, so
// the driver's error tells no more, and a log line's cause (the innermost
// error) must be this. Nor is it Cancelled: the driver words that cancel
// as it words a signal's, and no signal's doing is said of it.
type cutShortError struct {
	after time.Duration
	// left is how far off the deadline was when the statement began:
	// under a second (a run whose time was all but up), the deadline cut
	// the statement, not the database's pace.
	left  time.Duration
	table string // the shop's table written, where the caller knows it
	// unbegun: the transaction never began, its BEGIN waiting for a
	// connection (the run's others all held) or for the database.
	unbegun bool
}

func (e *cutShortError) Error() string {
	if e.left <= 0 {
		return "zwatch gave the statement up: its deadline had passed before it began"
	}
	if e.unbegun {
		return fmt.Sprintf("zwatch gave the statement up at its deadline, after %s without a connection that would begin it: "+
			"the run's others all busy with statements the database had not finished, or the database slow to answer "+
			"(a lock, a slow trigger of the shop's, or a server overloaded)", e.after.Round(time.Millisecond))
	}
	if e.left < time.Second {
		return fmt.Sprintf("zwatch cancelled the statement at its deadline, which was only %s away when it began",
			e.left.Round(time.Millisecond))
	}
	slow := "a lock or a slow trigger of the shop's"
	if e.table != "" {
		slow = "a slow trigger of the shop's on " + e.table
	}
	return fmt.Sprintf("the database had not finished after %s, so zwatch cancelled the statement "+
		"(%s, or a server overloaded)", e.after.Round(time.Second), slow)
}

// ZwatchNotePrefix begins the notes zwatch writes into "lastMessage" of an
// order it gave up on or left for a person (GiveUpNote, a hold note), as
// against its record of an answer ("znet: ..."). zwatchNotePrefixSQL
// matches them, as a LIKE pattern.
const (
	ZwatchNotePrefix    = "zwatch: "
	zwatchNotePrefixSQL = `'` + ZwatchNotePrefix + `%'`
)

// keepsOtherPINSQL holds, in applySQL, where order o holds a PIN of its own
// other than znet's: the order keeps its own (a saved PIN is never
// overwritten), and a person compares the two.
const keepsOtherPINSQL = `COALESCE(prev.shop_pin <> ` + answerPINSQL + ` AND ` + answerPINSQL + ` <> '', false)`

// pinKeptNote is "lastMessage" of an order that already held a PIN
// other than the one znet completed it with. It names neither PIN. Each
// note says what to do first: list shows its first 40 characters.
const pinKeptNote = ZwatchNotePrefix + "PIN kept, znet gave another: compare them on the dealer panel " +
	"(znet completed the order with a PIN other than the one it already held; the order's own was kept and the order not approved)"

// cancelledHoldingPINNote is "lastMessage" of an order znet cancelled
// that holds a PIN (staff delivered one by hand?): refunding it may pay
// back a customer who has a PIN.
const cancelledHoldingPINNote = ZwatchNotePrefix + "cancelled but holds a PIN: check it on the dealer panel before refunding " +
	"(znet cancelled the order, but it holds a PIN: delivered by hand?)"

// FitColumn makes s safe for a varchar(max) column of the shop: valid UTF-8,
// no NUL bytes (PostgreSQL rejects both) and at most max characters, cut on
// a character boundary.
func FitColumn(s string, max int) string {
	s = cleanText(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	return string(runes[:max])
}

func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// counted is n of a thing, in words: "1 answer", "3 answers".
func counted(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
