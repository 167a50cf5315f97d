package store

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
)

// SetHostClock makes s read this host's clock from now, as if the host's
// clock differed from the database's.
func SetHostClock(s *Store, now func() time.Time) { s.hostNow = now }

// RoleOption is roleOption, for the tests of the hint it writes.
var RoleOption = roleOption

// ReferansKeySQL is referansKeySQL, for the test that its index is used.
var ReferansKeySQL = referansKeySQL

// SharedReferansSQL is sharedReferansSQL, for the test of its plan.
var SharedReferansSQL = sharedReferansSQL

// SetGooseUp makes Migrate call goose's up through wrap.
func SetGooseUp(s *Store, wrap func(ctx context.Context, up func(context.Context) ([]*goose.MigrationResult, error)) ([]*goose.MigrationResult, error)) {
	s.gooseUp = wrap
}

// FinishHistorySQL is finishHistorySQL, for the test of its plan.
var FinishHistorySQL = finishHistorySQL

// PINGivenBeforeSQL is pinGivenBeforeSQL, for the test of its plan.
var PINGivenBeforeSQL = pinGivenBeforeSQL

// ExplainLockedDue returns the plan of the look for held rows, run as a
// run runs it.
func (s *Store) ExplainLockedDue(ctx context.Context) (string, error) {
	var lines []string
	err := s.db.SelectContext(ctx, &lines, `EXPLAIN `+lockedDueSQL.text, lockedDueSQL.args(params{
		"due_after_seconds": lockedDueAfter.Seconds(),
		"held":              pq.Array([]string{}),
		"per_panel":         lockedDuePerPanel,
	})...)
	return strings.Join(lines, "\n"), err
}

// SettingInItsTransactions is setting as zwatch's own transactions see it.
func (s *Store) SettingInItsTransactions(ctx context.Context, setting string) (string, error) {
	var value string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &value, `SELECT current_setting($1)`, setting)
	})
	return value, err
}
