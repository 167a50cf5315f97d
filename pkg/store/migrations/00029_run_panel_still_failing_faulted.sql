-- A run now records a panel that was failing before, and that it asked
-- and heard nothing from but one order's failed request, as
-- "still failing, faulted:ORDER-ID" rather than "faulted:ORDER-ID": a
-- fault on one order is no answer, and the panel must stay failing in the
-- runs the next ones read however many runs go by so. Only the column's
-- comment changes; a zwatch before this one takes the new value for a
-- verdict it does not know, which tells it nothing of the panel.

-- +goose Up
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | faulted:ORDER-ID (asked in this run, no usable answer, one order''s request failed) | still failing (failing before, not asked) | still failing, faulted:ORDER-ID (failing before, asked, no usable answer, one order''s request failed) | let go (failing before, no order waits)';

-- +goose Down
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | faulted:ORDER-ID (asked in this run, no usable answer, one order''s request failed) | still failing (failing before, not asked) | let go (failing before, no order waits)';
