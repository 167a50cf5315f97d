-- +goose NO TRANSACTION
-- Registering newly sent orders follows them in the order the shop sends
-- them: a range scan of this index from where the last registration stopped
-- (zwatch_state 'register'), which reads only what was sent since, however
-- many orders wait. The sweep walks the same index a slice at a time. Its
-- predicate is store.waitingSQL, word for word.
--
-- It replaces zwatch_product_orders_pollable, which was keyed by id: every
-- question zwatch asks about one order is now a lookup by the shop's primary
-- key, and the shop keeps one partial index of ours up to date, not two.
-- Both are built and dropped CONCURRENTLY, so the shop keeps writing.

-- +goose Up
-- A statement_timeout the DBA set for the owner would cancel the build
-- half-way, in every migrate, and every command would then wait for a
-- migrate that never finishes. Building takes as long as the table needs.
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_product_orders_pollable_sent;
CREATE INDEX CONCURRENTLY zwatch_product_orders_pollable_sent
    ON product_orders ((COALESCE("sentAt", "createdAt")), id)
    WHERE "externalStatus" IN ('sent', 'pending', 'processing') AND status = 'pending';
DROP INDEX CONCURRENTLY IF EXISTS zwatch_product_orders_pollable;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS zwatch_product_orders_pollable
    ON product_orders (id)
    WHERE "externalStatus" IN ('sent', 'pending', 'processing') AND status = 'pending';
DROP INDEX CONCURRENTLY IF EXISTS zwatch_product_orders_pollable_sent;
