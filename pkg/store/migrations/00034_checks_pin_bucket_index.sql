-- +goose NO TRANSACTION
-- The index by which saving a PIN finds another order zwatch saved the same
-- PIN on (migration 00033). CONCURRENTLY, as 00021.

-- +goose Up
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_pin_bucket;
CREATE INDEX CONCURRENTLY zwatch_order_checks_pin_bucket
    ON zwatch_order_checks (pin_bucket) WHERE pin_bucket IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_pin_bucket;
