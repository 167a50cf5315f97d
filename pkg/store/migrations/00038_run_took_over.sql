-- Which runs' orders a run took over, their claims lapsed: a run lets go of
-- every order it ends with, so the one that held them was killed (OOM, a
-- timeout's SIGKILL), lost its host or its database, or was held up past
-- its lease. Such a run records nothing of itself; the run that finds its
-- orders says so, and keeps it here for zwatch stats.

-- +goose Up
-- A nullable column without a default only touches the catalogue, but it
-- needs a moment's lock on zwatch's table: do not queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_runs ADD COLUMN IF NOT EXISTS took_over jsonb;
COMMENT ON COLUMN zwatch_runs.took_over IS
    'run id -> how many orders whose claim by that run had lapsed this run took over';

-- +goose Down
ALTER TABLE zwatch_runs DROP COLUMN IF EXISTS took_over;
