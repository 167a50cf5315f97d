-- zwatch's own tables. Scheduling and claiming happen here, never on the
-- shop's rows, so that overlapping runs coordinate with short row locks on
-- rows nobody else touches.

-- +goose Up
-- The foreign keys below lock product_orders against writes while they are
-- added. Behind a long shop transaction that would queue every shop write
-- behind this migration: give up after half a second instead (migrate
-- tries again), and let the operator run it again at a quieter moment.
SET LOCAL lock_timeout = '500ms';

CREATE TABLE zwatch_order_checks (
    order_id         uuid PRIMARY KEY REFERENCES product_orders (id) ON DELETE CASCADE,
    attempts         integer     NOT NULL DEFAULT 0,   -- times znet was asked
    first_checked_at timestamptz,                      -- give-up is counted from here
    last_checked_at  timestamptz,
    next_check_at    timestamptz NOT NULL,
    claimed_by       text,                             -- run id of the run asking now
    claim_expires_at timestamptz,                      -- a dead run's claim lapses by itself
    last_result      varchar(30),                      -- waiting | done | cancelled | error kind
    last_error       text,                             -- never holds a password or a PIN
    given_up_at      timestamptz,                      -- stuck: polled for too long
    finished_at      timestamptz,                      -- left the pollable set (final, or taken by staff)
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Only orders still being polled are in this index, so finding due work costs
-- the same with a hundred or a million finished orders behind it.
CREATE INDEX zwatch_order_checks_due
    ON zwatch_order_checks (next_check_at)
    WHERE given_up_at IS NULL AND finished_at IS NULL;

-- What happened to each order, for people and for stats. It never stores a
-- PIN: pin_delivered only says one was saved.
CREATE TABLE zwatch_order_events (
    id               bigserial   PRIMARY KEY,
    order_id         uuid        NOT NULL REFERENCES product_orders (id) ON DELETE CASCADE,
    at               timestamptz NOT NULL DEFAULT now(),
    kind             varchar(20) NOT NULL DEFAULT 'status',  -- status | gave_up
    from_status      varchar(30),
    to_status        varchar(30) NOT NULL,
    pin_delivered    boolean     NOT NULL DEFAULT false,
    provider_message text,
    run_id           text
);
CREATE INDEX zwatch_order_events_order ON zwatch_order_events (order_id, at);
CREATE INDEX zwatch_order_events_at ON zwatch_order_events (at);

-- +goose StatementBegin
CREATE FUNCTION zwatch_order_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'zwatch_order_events is append-only';
END
$$;
-- +goose StatementEnd

-- Deletes stay allowed so that ON DELETE CASCADE from the shop's orders works.
CREATE TRIGGER zwatch_order_events_no_update
    BEFORE UPDATE ON zwatch_order_events
    FOR EACH ROW EXECUTE FUNCTION zwatch_order_events_append_only();

-- +goose Down
DROP TABLE zwatch_order_events;
DROP FUNCTION zwatch_order_events_append_only();
DROP TABLE zwatch_order_checks;
