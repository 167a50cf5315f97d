-- A panel's finishing times are learned from its orders' final answers
-- (store.FinishHistory), and an event's at is when zwatch saved the answer:
-- a second after znet was asked when the answer waited for company, minutes
-- after when the database was down meanwhile. For a panel that finishes
-- most orders within seconds that is a large error, always the same way.
-- The events of answers keep when znet was asked, as an order's last
-- "still waiting" is kept (zwatch_order_checks.waiting_seen_at); at stays
-- the save, when the shop had the PIN, which stats reports. Older events
-- keep NULL and are read by at.

-- +goose Up
-- Adding a nullable column takes a moment's lock on zwatch's log: do not
-- queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_events ADD COLUMN IF NOT EXISTS asked_at timestamptz;
COMMENT ON COLUMN zwatch_order_events.asked_at IS
    'a status event: when znet was asked for the answer it records (at is when zwatch saved it); NULL: not known';

-- +goose Down
ALTER TABLE zwatch_order_events DROP COLUMN IF EXISTS asked_at;
