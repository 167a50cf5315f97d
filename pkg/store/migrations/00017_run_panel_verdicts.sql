-- What each run found of each dealer panel, for the next run to read: a
-- panel that starts failing is said once, not again in every run while it
-- fails. The runs kept this in their error text, which is cut at 1,000
-- characters: with a score of panels failing at once, those past the cut
-- were said again every minute. And the newest run alone told, where
-- runs overlap (several hosts): one that had no order of a failing panel
-- said nothing of it, and the run after took it for new.

-- +goose Up
-- A nullable column without a default only touches the catalogue, but it
-- needs a moment's lock on zwatch's table: do not queue behind a run.
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_runs ADD COLUMN panels jsonb;
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | still failing (failing before, not asked) | let go (failing before, no order waits)';

-- +goose Down
ALTER TABLE zwatch_runs DROP COLUMN panels;
