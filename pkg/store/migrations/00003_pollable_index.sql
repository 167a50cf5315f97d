-- +goose NO TRANSACTION
-- product_orders holds millions of finished orders and only a few thousand
-- that zwatch cares about. A partial index over exactly those keeps finding
-- new work cheap at any table size. It is built CONCURRENTLY because the
-- table is hot: a plain CREATE INDEX would block the shop's writes for as
-- long as the build takes. CONCURRENTLY cannot run inside a transaction.
--
-- It is keyed by id, so that it answers both questions zwatch asks, "which
-- orders are pollable" (a scan of this small index) and "is this order still
-- pollable" (a lookup by id), cheaply. Keyed by anything else, a planner
-- without fresh statistics (a table that just grew) scans the whole index
-- once per claimed order instead of looking the order up.

-- +goose Up
-- A statement_timeout the DBA set for the owner would cancel the build
-- half-way, in every migrate, and every command would then wait for a
-- migrate that never finishes. Building takes as long as the table needs.
SET statement_timeout = 0;
-- A build that was interrupted leaves an INVALID index behind that IF NOT
-- EXISTS would happily accept; this migration only runs when it has not been
-- recorded as applied, so whatever index of this name exists is a leftover of
-- ours and is rebuilt.
DROP INDEX CONCURRENTLY IF EXISTS zwatch_product_orders_pollable;
CREATE INDEX CONCURRENTLY zwatch_product_orders_pollable
    ON product_orders (id)
    WHERE "externalStatus" IN ('sent', 'pending', 'processing') AND status = 'pending';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_product_orders_pollable;
