package store

import "time"

// SetHostClock makes s read this host's clock from now, as if the host's
// clock differed from the database's.
func SetHostClock(s *Store, now func() time.Time) { s.hostNow = now }

// RoleOption is roleOption, for the tests of the hint it writes.
var RoleOption = roleOption

// ReferansKeySQL is referansKeySQL, for the test that its index is used.
var ReferansKeySQL = referansKeySQL

// SharedReferansSQL is sharedReferansSQL, for the test of its plan.
var SharedReferansSQL = sharedReferansSQL
