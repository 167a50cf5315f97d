//go:build bench || demo

package store

import (
	"context"
	"fmt"
	"strings"
)

// ExplainClaim runs the statements of one claim, as a run's first chunk runs
// them when it is also the sweep's turn (register or sweep up to p.Register
// waiting orders from the first, purge, claim up to p.Limit), each under
// EXPLAIN (ANALYZE, BUFFERS), and returns the plans. It all happens in a
// transaction that is rolled back, so nothing is claimed; only the time the
// statements took is real.
//
// Only the benchmarks call it, to show that the claim's cost does not grow
// with the shop's finished orders; no zwatch command runs it, and the
// installed binary does not carry it. It is built under make test's tag
// (demo) too, so that a test (TestExplainClaimRunsTheClaimsStatements) runs
// it with every parameter the statements take: vet under the benchmarks'
// tag sees only that it compiles.
func (s *Store) ExplainClaim(ctx context.Context, p ClaimParams) (string, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("explaining the claim: %w", err)
	}
	defer tx.Rollback() // always: explaining must claim nothing

	claim, claimArgs := claimDue(p)
	steps := []struct {
		name   string
		query  namedSQL
		params params
	}{
		{"enlist", enlistSQL, enlistParams(enlistFrom{SentAt: "-infinity", OrderID: uuidZero, UpToNow: true}, p.Register, p.FirstDelay, p.LearnedFirstChecks)},
		{"purge", purgeSQL, purgeParams()},
		{"claim", claim, claimArgs},
	}
	var b strings.Builder
	for _, step := range steps {
		var lines []string
		if err := tx.SelectContext(ctx, &lines, `EXPLAIN (ANALYZE, BUFFERS) `+step.query.text, step.query.args(step.params)...); err != nil {
			return "", fmt.Errorf("explaining the claim's %s statement: %w", step.name, err)
		}
		fmt.Fprintf(&b, "-- %s\n%s\n", step.name, strings.Join(lines, "\n"))
	}
	return b.String(), nil
}

// ExplainFinalList returns the plan of the statement `zwatch list
// --completed` (state "completed") or `--failed` runs, so that a test can
// see it reads zwatch's log and looks the shop's orders up by primary key,
// never reading product_orders through.
func (s *Store) ExplainFinalList(ctx context.Context, state string) (string, error) {
	var lines []string
	if err := s.db.SelectContext(ctx, &lines, `EXPLAIN `+finalListSQL, state, "", "", 50, ListCountCap); err != nil {
		return "", fmt.Errorf("explaining the %s list: %w", state, err)
	}
	return strings.Join(lines, "\n"), nil
}
