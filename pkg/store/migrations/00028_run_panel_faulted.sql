-- A run now records a panel it asked without a usable answer, and with too
-- few faults to call it failing by itself, as "faulted:ORDER-ID", the order
-- whose request failed: a later run that finds it so too, with another
-- order and no answer between, reports it failing. A panel broken for good
-- with one order due at a time faulted once a run, and was never reported.
-- Only the column's comment changes; a zwatch before this one passes the
-- value over.

-- +goose Up
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | faulted:ORDER-ID (asked in this run, no usable answer, one order''s request failed) | still failing (failing before, not asked) | let go (failing before, no order waits)';

-- +goose Down
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | still failing (failing before, not asked) | let go (failing before, no order waits)';
