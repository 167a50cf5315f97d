-- A run now records a panel whose only answers were znet refusing the
-- request ("3|…"), too few to call it failing, as "refused": it is up,
-- which clears an earlier fault, but a dealer account suspended refuses
-- every order, so it is not answering again either. Only the column's
-- comment changes; a zwatch before this one passes the value over.

-- +goose Up
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | faulted:ORDER-ID (asked in this run, no usable answer, one order''s request failed) | refused (asked in this run, znet refused every request, too few to be failing) | still failing (failing before, not asked) | let go (failing before, no order waits)';

-- +goose Down
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | faulted:ORDER-ID (asked in this run, no usable answer, one order''s request failed) | still failing (failing before, not asked) | let go (failing before, no order waits)';
