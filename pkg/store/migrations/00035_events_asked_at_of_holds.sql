-- A give-up at znet's final answer, the order held for a person (its PIN
-- too long or another order's, its referans shared), keeps when znet was
-- asked for that answer, as the answer's status event would: the learning
-- reads it as a completion then, where a give-up for want of an answer
-- keeps none. Only the column's comment changes.

-- +goose Up
-- A comment takes a moment's lock on zwatch's log: do not queue behind a
-- run.
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_order_events.asked_at IS
    'a status event, or a give-up at a final answer (held for a person): when znet was asked for the answer (at is when zwatch saved it); NULL: not known, or a give-up for want of a final answer';

-- +goose Down
COMMENT ON COLUMN zwatch_order_events.asked_at IS
    'a status event: when znet was asked for the answer it records (at is when zwatch saved it); NULL: not known';
