-- +goose NO TRANSACTION
-- The orders znet said are still waiting, of one panel, by when zwatch
-- registered them, which follows their sending: what the learning reads of
-- each panel's waiting orders, its newest first (history.go,
-- waiting_checks). Read along the index of due orders instead, a backlog
-- not yet asked, placeholders never due, or orders waiting for hours filled
-- the share read, and the panel was fitted from its fast answers alone.
-- Not by first_checked_at: retry --stuck and a failing panel's restart of
-- the give-up clock move it to now for orders days old. CONCURRENTLY, as
-- 00021.

-- +goose Up
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_seen_waiting;
CREATE INDEX CONCURRENTLY zwatch_order_checks_seen_waiting
    ON zwatch_order_checks (integration_id, created_at)
    WHERE given_up_at IS NULL AND finished_at IS NULL AND waiting_seen_at IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_seen_waiting;
