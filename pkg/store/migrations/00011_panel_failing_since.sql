-- The give-up clock of an order stops while its dealer panel is failing: a
-- panel broken over a weekend must not cost every order it holds. The clock
-- is first_checked_at; while panel_failing_since is set, the time since it
-- does not count, and when the order is next claimed first_checked_at moves
-- later by that much (in the claim itself, store.claimDueSQL).

-- +goose Up
-- Adding a nullable column without a default only touches the catalogue, but
-- it needs a moment's lock on zwatch's table: do not queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_checks ADD COLUMN panel_failing_since timestamptz;
COMMENT ON COLUMN zwatch_order_checks.panel_failing_since IS
    'set while the order''s dealer panel is failing; that time does not count toward giving up';

-- +goose Down
ALTER TABLE zwatch_order_checks DROP COLUMN panel_failing_since;
