-- An answer whose order row a transaction of the shop holds to the end of
-- a run is not saved, and the next run asks again. A row held for minutes
-- (a transaction left open, or row-level security that lets zwatch read
-- the order but not update it) would have it asked every run for ever, in
-- silence: shop_held_since is when zwatch first met the row held, so that
-- a run can tell a person once it has lasted too long.

-- +goose Up
-- A nullable column without a default only touches the catalogue, but it
-- needs a moment's lock on zwatch's table: do not queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_checks ADD COLUMN IF NOT EXISTS shop_held_since timestamptz;
COMMENT ON COLUMN zwatch_order_checks.shop_held_since IS
    'set while znet''s answer could not be saved because a transaction of the shop held the order''s row; cleared when an answer is saved';

-- +goose Down
ALTER TABLE zwatch_order_checks DROP COLUMN IF EXISTS shop_held_since;
