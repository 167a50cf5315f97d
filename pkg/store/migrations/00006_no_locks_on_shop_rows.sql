-- zwatch never locks the shop's rows to keep its own books. A foreign key
-- from zwatch's tables to product_orders does: every insert into them takes
-- FOR KEY SHARE on the shop's order, so a shop transaction holding one newly
-- sent order FOR UPDATE made registering wait for it, and the whole run with
-- it; and ON DELETE CASCADE made the shop's own deletes wait on zwatch's
-- claims. zwatch cleans up after deleted orders itself instead: a claim that
-- meets one retires its row, and the sweep deletes the rows (and events) of
-- orders gone for FinishedKeptFor.
--
-- zwatch_state is what overlapping runs, on one host or many, share about
-- finding work without reading every waiting order on every tick:
--   register  how far newly sent orders are registered, by ("sentAt", id)
--   sweep     where the next sweep of the waiting orders starts, and when
--             the last one ran, so that only one run sweeps every few seconds

-- +goose Up
-- Dropping a foreign key also drops its triggers on product_orders, which
-- takes a brief lock there: behind a long shop transaction, give up after
-- half a second rather than queue the shop's writes behind this migration
-- (migrate tries again).
SET LOCAL lock_timeout = '500ms';

ALTER TABLE zwatch_order_checks DROP CONSTRAINT IF EXISTS zwatch_order_checks_order_id_fkey;
ALTER TABLE zwatch_order_events DROP CONSTRAINT IF EXISTS zwatch_order_events_order_id_fkey;

-- A claim rewrites a row's lease and nothing it is indexed by: with room
-- left on the page, the new version stays there (a HOT update) and no index
-- grows. New pages keep that room.
ALTER TABLE zwatch_order_checks SET (fillfactor = 70);

CREATE TABLE zwatch_state (
    name      text        PRIMARY KEY,                   -- register | sweep
    sent_at   timestamptz NOT NULL DEFAULT '-infinity',  -- the position, by ("sentAt", id) of
    order_id  uuid        NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000', -- pollable orders
    caught_up boolean     NOT NULL DEFAULT false,        -- register: nothing sent after sent_at is left
    moved_at  timestamptz NOT NULL DEFAULT '-infinity',  -- sweep: when the last sweep ran
    -- sweep: the oldest transaction running when this pass over the waiting
    -- orders began, and when the one before began. A row no transaction
    -- since the one before last changed was seen by that pass.
    horizon          xid8,
    previous_horizon xid8
);
INSERT INTO zwatch_state (name) VALUES ('register'), ('sweep');

-- +goose Down
SET LOCAL lock_timeout = '5s';
DROP TABLE zwatch_state;
ALTER TABLE zwatch_order_checks RESET (fillfactor);
DELETE FROM zwatch_order_checks c WHERE NOT EXISTS (SELECT 1 FROM product_orders o WHERE o.id = c.order_id);
DELETE FROM zwatch_order_events e WHERE NOT EXISTS (SELECT 1 FROM product_orders o WHERE o.id = e.order_id);
ALTER TABLE zwatch_order_checks ADD CONSTRAINT zwatch_order_checks_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES product_orders (id) ON DELETE CASCADE;
ALTER TABLE zwatch_order_events ADD CONSTRAINT zwatch_order_events_order_id_fkey
    FOREIGN KEY (order_id) REFERENCES product_orders (id) ON DELETE CASCADE;
