-- Migration 00026 was first written as 00026_events_answered_at.sql
-- (2134166): it added zwatch_order_events.answered_at, when znet's answer
-- came. Minutes later it became 00026_events_asked_at.sql, which adds
-- asked_at, when zwatch asked. goose knows a migration by its number only,
-- so a database migrated by a build between the two counts 26 as applied
-- and has no asked_at, which every run's save writes: each would fail. This
-- adds the column such a database lacks, and drops answered_at, which no
-- zwatch reads; on any other database it changes nothing.

-- +goose Up
-- A moment's lock on zwatch's log, at most once: do not queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_events ADD COLUMN IF NOT EXISTS asked_at timestamptz;
COMMENT ON COLUMN zwatch_order_events.asked_at IS
    'a status event: when znet was asked for the answer it records (at is when zwatch saved it); NULL: not known';
ALTER TABLE zwatch_order_events DROP COLUMN IF EXISTS answered_at;

-- +goose Down
-- Nothing to undo: 00026's Down drops asked_at.
SELECT 1;
