-- +goose NO TRANSACTION
-- zwatch keeps an order's bookkeeping row for a while after the order is
-- final (so that an order staff reopen picks up where it left off), then
-- deletes it: the table is a working set, not an archive. The transition
-- log keeps the history. This index finds the rows to delete without
-- reading the working set. CONCURRENTLY, because runs write to the table
-- all the time.

-- +goose Up
-- A statement_timeout the DBA set for the owner would cancel the build
-- half-way, in every migrate, and every command would then wait for a
-- migrate that never finishes. Building takes as long as the table needs.
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_finished;
CREATE INDEX CONCURRENTLY zwatch_order_checks_finished
    ON zwatch_order_checks (finished_at)
    WHERE finished_at IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_finished;
