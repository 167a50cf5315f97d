-- A final answer belongs to the panel that gave it. stats counted it under
-- the integration the order names now, so an order the shop sent again
-- through another panel took its earlier answers along: a panel that
-- cancels much looked healthy, and the one the shop fell back to looked
-- bad. Events written from now on say which integration the order named
-- when znet answered; older ones keep NULL and are read as before.

-- +goose Up
-- Adding a nullable column takes a moment's lock on zwatch's log: do not
-- queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_events ADD COLUMN IF NOT EXISTS integration_id uuid;
COMMENT ON COLUMN zwatch_order_events.integration_id IS
    'an answer''s event: the integration the order named when znet answered; NULL: not known (before migration 00032, or not an answer)';

-- +goose Down
ALTER TABLE zwatch_order_events DROP COLUMN IF EXISTS integration_id;
