package store

import "time"

// Provider is the integrations.provider of the dealer platform zwatch asks:
// the one place that names it. Statements read it as providerSQL.
const Provider = "znet"

// NotPollable says why zwatch will not ask znet about an order; empty when
// it will. It is decided in SQL, by notPollableSQL alone, so that a claim,
// an apply and `zwatch check --order` cannot disagree about an order; people
// read it worded by the caller.
type NotPollable string

const (
	NotPollableGone          NotPollable = "gone"           // no such order (the shop deleted it)
	NotPollableFinal         NotPollable = "final"          // externalStatus completed or failed
	NotPollableStaff         NotPollable = "staff"          // the shop's status is no longer pending
	NotPollableNotSent       NotPollable = "not_sent"       // externalStatus is not one zwatch polls
	NotPollableNoReferans    NotPollable = "no_referans"    // provider_referans and externalOrderId empty
	NotPollableNoIntegration NotPollable = "no_integration" // providerId names no integration
	NotPollableNotZnet       NotPollable = "not_znet"       // the integration is another provider's
	NotPollableDisabled      NotPollable = "disabled"       // the znet integration is switched off
)

// referansKeySQL is referans (an SQL expression) as a PHP panel reads it:
// znet's referans is a number, which intval() or MySQL comparing with an
// integer column takes from the digits at its start, after white space
// and a "+", leading zeros dropped ("04300", "+4300" and "4300" followed
// by something else are znet order 4300); a referans that does not start
// so, as it is. The guard against one PIN reaching two orders
// (sharedReferansSQL) compares referanses so, along the index migration
// 00022 builds on this very expression: change both together, and
// znet.ReferansNumber, which reads them so in Go.
func referansKeySQL(referans string) string {
	return `COALESCE(substring(` + referans + ` FROM '^[ \t\n\f\r\v]*\+?0*([0-9]+)'), ` + referans + `)`
}

// These fragments are the single definition of which orders zwatch may touch.
// Every statement that selects, claims or updates a shop order is built from
// them, so "pollable" means the same thing everywhere. They expect the shop's
// order aliased as o and its integration as i.
const (
	// providerSQL is Provider as an SQL literal, for the statements that
	// pick the shop's integrations zwatch works with.
	providerSQL = `'` + Provider + `'`

	// referansSQL is the znet referans of order o: the shop's own
	// provider_referans column where it is filled in, "externalOrderId" where
	// not. A shop may have made its own column a number (znet's referans is
	// one): read as text, whatever its type.
	// Trimmed of the white space the znet client trims before it asks
	// (znet.ReferansSpace), so that two orders whose referans differ only
	// by a tab are seen as the one znet order they are.
	referansSQL = `COALESCE(NULLIF(btrim(o.provider_referans::text, E' \t\n\f\r'), ''), btrim(o."externalOrderId"::text, E' \t\n\f\r'), '')`

	// waitingSQL holds while order o waits for its provider and no person
	// has decided it. It is, word for word, the predicate of the partial
	// index zwatch_product_orders_pollable_sent (migration 00007): the
	// planner reads a partial index only for a statement that repeats it.
	waitingSQL = awaitingZnetSQL + ` AND o.status = 'pending'`

	// awaitingZnetSQL holds while the shop has order o as sent to its
	// provider and not yet answered, whoever decides it.
	awaitingZnetSQL = `o."externalStatus" IN ('sent', 'pending', 'processing')`

	// orderNotPollableSQL is why order o, judged by its own row, is not
	// zwatch's to ask about, or NULL. o is NULL when the shop deleted it.
	orderNotPollableSQL = `CASE
		WHEN o.id IS NULL THEN '` + string(NotPollableGone) + `'
		WHEN o."externalStatus" IN ('completed', 'failed') THEN '` + string(NotPollableFinal) + `'
		WHEN o.status <> 'pending' THEN '` + string(NotPollableStaff) + `'
		WHEN NOT (` + waitingSQL + `) THEN '` + string(NotPollableNotSent) + `'
		WHEN ` + referansSQL + ` = '' THEN '` + string(NotPollableNoReferans) + `'
	END`

	// integrationNotPollableSQL is why integration i (NULL: none has the
	// order's providerId) does not let zwatch ask, or NULL.
	integrationNotPollableSQL = `CASE
		WHEN i.id IS NULL THEN '` + string(NotPollableNoIntegration) + `'
		WHEN i.provider <> ` + providerSQL + ` THEN '` + string(NotPollableNotZnet) + `'
		WHEN NOT i.enabled THEN '` + string(NotPollableDisabled) + `'
	END`

	// notPollableSQL is why zwatch does not ask znet about order o with
	// integration i (joined with integrationOfOrderSQL), or NULL when it does.
	notPollableSQL = `COALESCE(` + orderNotPollableSQL + `, ` + integrationNotPollableSQL + `)`

	// orderPollableSQL holds while the shop's order still waits for its
	// provider and no person has decided it by hand. waitingSQL is implied,
	// and repeated so that the partial index can serve the statement.
	orderPollableSQL = waitingSQL + ` AND (` + orderNotPollableSQL + `) IS NULL`

	// integrationIDSQL is the integration id order o names. providerId is
	// text in the shop's schema, holding the integration's uuid; text that is
	// no uuid names none. As a uuid, it is a primary key lookup.
	integrationIDSQL = `CASE WHEN lower(btrim(o."providerId")) ~ ` + uuidPatternSQL + `
		THEN lower(btrim(o."providerId"))::uuid END`

	// uuidPatternSQL matches a uuid's text as PostgreSQL writes it: a cast
	// of any other text would fail the whole statement over one row.
	uuidPatternSQL = `'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`

	// integrationOfOrderSQL is the integration of order o, whatever its
	// provider: LATERAL lookups that the planner cannot turn into a join
	// over every order (OFFSET 0 and LIMIT keep them from being flattened),
	// the first so that the order's providerId is parsed once per order, not
	// once per integration compared with it.
	integrationOfOrderSQL = `CROSS JOIN LATERAL (
		SELECT ` + integrationIDSQL + ` AS id OFFSET 0
	) named_integration
	LEFT JOIN LATERAL (
		SELECT i.* FROM integrations i WHERE i.id = named_integration.id LIMIT 1
	) i ON true`

	// joinZnetSQL joins the order's integration, a znet one only.
	joinZnetSQL = `JOIN integrations i ON i.id = ` + integrationIDSQL + ` AND i.provider = ` + providerSQL

	// pollableSQL is an order zwatch asks znet about: pollable, and its
	// integration (joined with joinZnetSQL) is a znet one that is switched on.
	pollableSQL = orderPollableSQL + ` AND (` + integrationNotPollableSQL + `) IS NULL`

	// sentAtSQL is when the order went to znet. The shop always sets sentAt
	// with 'sent'; createdAt stands in should a row ever lack it. It is the
	// key of zwatch_product_orders_pollable_sent, with the id.
	sentAtSQL = `COALESCE(o."sentAt", o."createdAt")`

	// resentSQL is an order o the shop sent to znet again since zwatch
	// finished with it or gave up on it (its row c): a new order, which the
	// next run's registering starts over (enlistSQL's resent), and which
	// what a person reads shows as such, not as the sending before.
	resentSQL = `COALESCE(` + sentAtSQL + ` > COALESCE(c.given_up_at, c.finished_at), false)`

	// restartedClockSQL is the give-up clock of zwatch's row c as a claim
	// restarts it: the time its panel was failing when it was last tried
	// (or its integration switched off) is not counted. An order never
	// asked has no clock yet (NULL), and keeps none.
	restartedClockSQL = `(c.first_checked_at + (now() - COALESCE(c.panel_failing_since, now())))`

	// stuckSQL is an order zwatch gave up on as the shop sent it last:
	// only a person (retry --stuck) or the shop sending it again puts it
	// back. One zwatch also finished with (staff decided it during a
	// check, and undid that since) is revived as any finished one is.
	stuckSQL = `(c.given_up_at IS NOT NULL AND c.finished_at IS NULL AND NOT ` + resentSQL + `)`
)

// Order is a shop order as zwatch polls it.
type Order struct {
	ID             string     `db:"id" json:"id"`
	OrderNo        *int64     `db:"order_no" json:"order_no,omitempty"`
	TenantID       *string    `db:"tenant_id" json:"tenant_id,omitempty"`
	IntegrationID  string     `db:"integration_id" json:"integration_id"`
	Referans       string     `db:"referans" json:"referans"`
	ExternalStatus string     `db:"external_status" json:"external_status"`
	SentAt         *time.Time `db:"sent_at" json:"sent_at,omitempty"`
	Attempts       int        `db:"attempts" json:"attempts"`
	FirstCheckedAt *time.Time `db:"first_checked_at" json:"first_checked_at,omitempty"`
	// HeldPIN is the PIN the shop's row holds already (staff delivered one
	// by hand and left the order sent), trimmed; mostly empty. It is read
	// only so that what znet says of the order can be told without it:
	// znet's texts may quote it in any shape. Never printed, never
	// written anywhere.
	HeldPIN string `db:"held_pin" json:"-"`
	// UserIdentifier is the player's account or number the customer typed
	// ("userIdentifier"), which a top-up panel may echo in its PIN field
	// for each of the player's top-ups: no PIN to hold another order for.
	UserIdentifier string `db:"user_identifier" json:"-"`
	// DueAt is when an order claimed ahead of time falls due, on the
	// host's clock; zero for one due already (ClaimParams.Ahead).
	DueAt time.Time `db:"-" json:"-"`
	// LastResult is what zwatch's last request about the order got, as
	// zwatch_order_checks.last_result holds it ("waiting", "error:KIND");
	// "" if none, or if the shop changed the order's referans or moved it
	// to another integration since, or retry --stuck brought it back.
	LastResult string  `db:"last_result" json:"-"`
	dueIn      float64 // seconds, as the claim read it
}

// orderFieldsSQL selects the shop's part of an Order from o and i.
const orderFieldsSQL = `o.id,
	o."orderNo" AS order_no,
	o."tenantId" AS tenant_id,
	i.id::text AS integration_id,
	` + referansSQL + ` AS referans,
	o."externalStatus" AS external_status,
	` + sentAtSQL + ` AS sent_at,
	COALESCE(` + shopPINSQL + `, '') AS held_pin,
	COALESCE(o."userIdentifier", '') AS user_identifier`

// orderColumnsSQL selects an Order from o, i and zwatch_order_checks c.
const orderColumnsSQL = orderFieldsSQL + `,
	COALESCE(c.attempts, 0) AS attempts,
	c.first_checked_at,
	-- As the next claim leaves it: of another znet order, once the shop
	-- changed the referans or the integration. (check --order's claim,
	-- which reads it after writing the referans, does not use it.)
	COALESCE(CASE WHEN c.referans IS NOT DISTINCT FROM ` + referansSQL + `
		AND c.integration_id IS NOT DISTINCT FROM i.id THEN c.last_result END, '') AS last_result`
