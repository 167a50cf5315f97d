//go:build bench

package store

import (
	"context"
	"fmt"
	"strings"
)

// ExplainClaim runs the statements of one claim, as a run's first chunk runs
// them (retire, register up to p.Limit newly sent orders, claim up to
// p.Limit), each under EXPLAIN (ANALYZE, BUFFERS), and returns the plans.
// It all happens in a transaction that is rolled back, so nothing is
// claimed; only the time the statements took is real.
//
// Only the benchmarks call it (this file is built with -tags bench): their
// report shows that the claim reads the partial index
// zwatch_product_orders_pollable and not the shop's finished orders. No
// zwatch command runs it.
func (s *Store) ExplainClaim(ctx context.Context, p ClaimParams) (string, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("explaining the claim: %w", err)
	}
	defer tx.Rollback() // always: explaining must claim nothing

	steps := []struct {
		name  string
		query string
		args  []any
	}{
		{"retire", retireSQL, nil},
		{"purge", purgeSQL, []any{FinishedKeptFor.Seconds()}},
		{"revive", reviveSQL, []any{p.FirstDelay.Seconds()}},
		{"register", registerSQL, []any{p.FirstDelay.Seconds(), p.Limit}},
		{"claim", claimSQL, []any{p.RunID, p.Limit, p.Lease.Seconds()}},
	}
	var b strings.Builder
	for _, step := range steps {
		var lines []string
		if err := tx.SelectContext(ctx, &lines, `EXPLAIN (ANALYZE, BUFFERS) `+step.query, step.args...); err != nil {
			return "", fmt.Errorf("explaining the claim's %s statement: %w", step.name, err)
		}
		fmt.Fprintf(&b, "-- %s\n%s\n", step.name, strings.Join(lines, "\n"))
	}
	return b.String(), nil
}
