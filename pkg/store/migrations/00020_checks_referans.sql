-- znet has one order per referans, so its PIN belongs to one of the shop's
-- orders. Two orders of one integration carrying the same referans (a shop
-- that copied an order with its "externalOrderId", say) would both be given
-- the PIN of the one znet order: a PIN delivered to a second customer.
-- zwatch keeps the referans it registers, claims or asks about in its own
-- table, so that saving a PIN can look for another order carrying it
-- without reading the shop's table, which has no index on it. Its index is
-- built by the next migration, without blocking runs.

-- +goose Up
-- Adding a nullable column takes a moment's lock on zwatch's table: do not
-- queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_checks ADD COLUMN IF NOT EXISTS referans text;
COMMENT ON COLUMN zwatch_order_checks.referans IS
    'the referans zwatch registered, claimed or last asked znet about, to find orders that share one';
-- The rows zwatch keeps (orders waiting, and those finished in the last
-- days) get theirs now, read by primary key as store.referansSQL reads it,
-- so that an order finished before this migration is found too. Runs meet
-- the table locked meanwhile (a second or two for a few hundred thousand
-- rows): their claims and saves fail on their lock timeouts and are tried
-- again, as after any moment the database was away.
UPDATE zwatch_order_checks c
SET referans = COALESCE(NULLIF(btrim(o.provider_referans::text, E' \t\n\f\r'), ''), btrim(o."externalOrderId"::text, E' \t\n\f\r'), '')
FROM product_orders o
WHERE o.id = c.order_id
  AND c.referans IS NULL;

-- +goose Down
ALTER TABLE zwatch_order_checks DROP COLUMN IF EXISTS referans;
