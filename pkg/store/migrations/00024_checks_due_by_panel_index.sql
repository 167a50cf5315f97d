-- +goose NO TRANSACTION
-- The due orders of one panel, oldest first (migration 00023): the index
-- by which a claim takes the orders of the panels that have room.
-- CONCURRENTLY, as 00021.

-- +goose Up
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_due_by_panel;
CREATE INDEX CONCURRENTLY zwatch_order_checks_due_by_panel
    ON zwatch_order_checks (integration_id, next_check_at)
    WHERE given_up_at IS NULL AND finished_at IS NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_due_by_panel;
