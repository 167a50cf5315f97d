-- +goose NO TRANSACTION
-- An order zwatch gave up on keeps its row while the shop has it waiting:
-- list --stuck reads it, and retry --stuck starts it over. Once the shop
-- settles the order (refunds it, decides or completes it by hand, deletes
-- it), the sweep finishes the row, and it is deleted 7 days later as a
-- finished one is. This index lets each sweep read a slice of the rows
-- given up on, from any place, without reading the working set.
-- CONCURRENTLY, because runs write to the table all the time.

-- +goose Up
-- A statement_timeout the DBA set for the owner would cancel the build
-- half-way, in every migrate. Building takes as long as the table needs.
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_given_up;
CREATE INDEX CONCURRENTLY zwatch_order_checks_given_up
    ON zwatch_order_checks (order_id)
    WHERE given_up_at IS NOT NULL AND finished_at IS NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_given_up;
