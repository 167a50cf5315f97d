-- +goose NO TRANSACTION
-- znet's referans is a number, and a PHP panel reads it as one (intval, or
-- MySQL comparing with an integer column): "04300", "+4300" and "4300" with
-- something after its digits are znet order 4300. The guard against one PIN
-- reaching two orders (migration 00020) compares referanses as znet reads
-- them, store.referansKeySQL, which this index is built on; it replaces the
-- index on the referans as written. CONCURRENTLY, as 00021.

-- +goose Up
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_referans_key;
CREATE INDEX CONCURRENTLY zwatch_order_checks_referans_key
    ON zwatch_order_checks ((COALESCE(substring(referans FROM '^[ \t\n\f\r\v]*\+?0*([0-9]+)'), referans)))
    WHERE referans <> '';
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_referans;
-- Statistics of the new expression now, not when autovacuum comes round:
-- the look-up is written to read the same way without them, but plans
-- the rest of zwatch's statements on this table better with them.
ANALYZE zwatch_order_checks;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS zwatch_order_checks_referans
    ON zwatch_order_checks (referans) WHERE referans <> '';
DROP INDEX CONCURRENTLY IF EXISTS zwatch_order_checks_referans_key;
