-- What zwatch learns of each dealer panel: how long it takes to finish
-- orders (issue 11). Two small additions to zwatch's own tables.
--
-- zwatch_order_checks.waiting_seen_at is the last time znet said an order
-- was still waiting: with the time it said final, it brackets when the
-- order finished, which is what a fit needs. Nullable without a default,
-- so adding it rewrites nothing.
--
-- zwatch_panel_fits holds one row per panel: the fitted share of orders
-- not yet final at each age, refitted every few minutes by one run from
-- the last final answers, so that no run reads the history itself.

-- +goose Up
SET LOCAL lock_timeout = '5s';
ALTER TABLE zwatch_order_checks ADD COLUMN waiting_seen_at timestamptz;

CREATE TABLE zwatch_panel_fits (
    integration_id uuid PRIMARY KEY,                -- integrations.id; a panel removed leaves a row nobody reads
    fitted_at      timestamptz NOT NULL DEFAULT now(),
    finals         integer     NOT NULL,            -- final answers (done or cancelled) the fit rests on
    completions    integer     NOT NULL,            -- of which done
    gave_up        integer     NOT NULL,            -- orders zwatch gave up on, in the same window
    own_weight     float8      NOT NULL,            -- 0: the prior alone, 1: the panel's own history alone
    first_check_s  float8,                          -- seconds after sentAt the claim registers the panel's orders; NULL: --first-delay
    ages           float8[]    NOT NULL,            -- seconds after sentAt
    survival       float8[]    NOT NULL             -- share of orders not final at each age
);

-- +goose Down
DROP TABLE zwatch_panel_fits;
ALTER TABLE zwatch_order_checks DROP COLUMN waiting_seen_at;
