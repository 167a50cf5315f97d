-- A panel answering about another referans than it is asked (a cache in
-- front of it that leaves the referans out of its key) gives one customer's
-- PIN to every order it is asked about. A run compares its own answers'
-- PINs; a PIN given in one run and again in the next, or to an order that
-- retry --stuck put back, or in a check by hand, was saved to a second
-- customer. zwatch keeps, of each PIN it saves, a bucket: 32 bits of the
-- SHA-256 of the dealer account and the PIN (store.Outcome.PINBucket), so
-- that a later save of a PIN can find, along an index, the few orders
-- whose PIN may be the same, and compare it with what their rows hold. A
-- bucket is shared by millions of possible PINs: it tells nothing of one.
-- It is kept while zwatch keeps the order's row.

-- +goose Up
-- Adding a nullable column takes a moment's lock on zwatch's table: do not
-- queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_checks ADD COLUMN IF NOT EXISTS pin_bucket integer;
COMMENT ON COLUMN zwatch_order_checks.pin_bucket IS
    '32 bits of SHA-256 of the dealer account and the PIN zwatch saved on the order, to find another order given the same PIN; NULL: none saved, or a PIN too short to compare';

-- +goose Down
ALTER TABLE zwatch_order_checks DROP COLUMN IF EXISTS pin_bucket;
