-- +goose NO TRANSACTION
-- The index by which saving a PIN finds another order carrying the same
-- referans (migration 00020). CONCURRENTLY, because runs write to zwatch's
-- table all the time, and a plain build would hold them for its length.

-- +goose Up
-- A statement_timeout the DBA set for the owner would cancel the build
-- half-way, in every migrate.
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_referans;
CREATE INDEX CONCURRENTLY zwatch_order_checks_referans
    ON zwatch_order_checks (referans) WHERE referans <> '';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_referans;
