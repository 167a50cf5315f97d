-- znet has one order per referans, so its PIN belongs to one of the shop's
-- orders. Two orders of one integration carrying the same referans (a shop
-- that copied an order with its "externalOrderId", say) would both be given
-- the PIN of the one znet order: a PIN delivered to a second customer.
-- zwatch keeps the referans it asks about in its own table, indexed, so
-- that saving a PIN can look for another order carrying it without reading
-- the shop's table, which has no index on it.

-- +goose Up
-- Adding a nullable column and an index to zwatch's own table takes a
-- moment's lock on it: do not queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_checks ADD COLUMN IF NOT EXISTS referans text;
CREATE INDEX IF NOT EXISTS zwatch_order_checks_referans
    ON zwatch_order_checks (referans) WHERE referans <> '';
COMMENT ON COLUMN zwatch_order_checks.referans IS
    'the referans zwatch registered or last asked znet about, to find orders that share one';

-- +goose Down
DROP INDEX IF EXISTS zwatch_order_checks_referans;
ALTER TABLE zwatch_order_checks DROP COLUMN IF EXISTS referans;
