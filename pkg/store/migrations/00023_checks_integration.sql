-- Each panel has its own request budget, but a claim took the due orders
-- of every panel together, oldest first: one panel with a backlog (after
-- an outage, or under more orders than its --rate asks about) filled every
-- claim, and the orders of every other tenant waited behind it for as long
-- as the backlog lasted, their own panels' budgets idle. zwatch keeps each
-- order's integration in its own table, so that a claim can pass over the
-- panels that have all they can ask and take the others' orders along an
-- index (next migration).
--
-- The rows of orders already waiting get theirs in the migration after the
-- next, in batches: filling them here would hold the table's lock, and
-- every run, for as long as reading their orders takes.

-- +goose Up
-- Adding a nullable column takes a moment's lock on zwatch's table: do not
-- queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_checks ADD COLUMN IF NOT EXISTS integration_id uuid;
COMMENT ON COLUMN zwatch_order_checks.integration_id IS
    'the integration the order named when zwatch registered or last claimed it; NULL: none, or not known yet';

-- +goose Down
ALTER TABLE zwatch_order_checks DROP COLUMN IF EXISTS integration_id;
