-- The plan each panel's orders follow, saved with its fit (issue 11). A
-- run used to make it afresh from the fit, tens of milliseconds of CPU per
-- panel on every run, before its first answers could be saved; the refit,
-- every few minutes, makes it once. plan_key names the settings and the
-- planner it was made with: a run with others makes its own. Nullable
-- without defaults: adding them rewrites nothing, and a fit saved before
-- simply has no plan.

-- +goose Up
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_panel_fits
    ADD COLUMN plan_key   text,      -- planner and settings (schedule, first delay, give-up) of the plan
    ADD COLUMN plan_next  float8[],  -- the age to ask next at, found waiting at each of the planner's ages; -1: never
    ADD COLUMN plan_cost  float8,    -- seconds of wait one request was worth
    ADD COLUMN plan_fixed boolean;   -- the plan is the fixed schedule

-- +goose Down
ALTER TABLE zwatch_panel_fits
    DROP COLUMN plan_key, DROP COLUMN plan_next, DROP COLUMN plan_cost, DROP COLUMN plan_fixed;
