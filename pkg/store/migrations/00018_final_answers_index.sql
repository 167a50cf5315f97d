-- +goose NO TRANSACTION
-- `zwatch list --completed` and `--failed` show the orders zwatch found
-- done or cancelled, newest first. product_orders has no index to find them
-- by: the lists read and sorted the shop's whole history, 12-17 s and
-- 400 MB of sort on disk for 4 million orders, holding up any DDL of the
-- shop's, and its writes behind that. This index on zwatch's own log of
-- transitions gives them newest first, as many as a list reads. It only
-- grows with the final answers zwatch saves. CONCURRENTLY, because runs
-- write to the log all the time.

-- +goose Up
-- A statement_timeout the DBA set for the owner would cancel the build
-- half-way, in every migrate, and every command would then wait for a
-- migrate that never finishes. Building takes as long as the table needs.
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_events_final;
CREATE INDEX CONCURRENTLY zwatch_order_events_final
    ON zwatch_order_events (to_status, at)
    WHERE kind = 'status' AND to_status IN ('completed', 'failed');

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_events_final;
