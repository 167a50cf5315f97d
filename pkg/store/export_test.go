package store

import (
	"context"
	"time"

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
