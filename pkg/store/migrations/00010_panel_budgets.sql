-- One request budget per dealer panel for the whole deployment: every run,
-- on every host, reserves its send times here, so that all of them together
-- never send a panel more than its rate (issue 14).
--
-- Each row is a virtual clock (GCRA): next_free_at is the first send time
-- nobody has reserved yet. A run takes k send times at once by moving it
-- forward k intervals, in one short UPDATE; the times are the database's, so
-- hosts whose clocks differ still agree.
--
-- UNLOGGED: the row is worth nothing after a crash (an empty table means a
-- fresh budget, which is right after a restart), so it writes no WAL and a
-- reservation commits without waiting for a disk flush. A standby has no
-- copy, which is fine: zwatch writes to the primary only.

-- +goose Up
CREATE UNLOGGED TABLE zwatch_panel_budgets (
    integration_id uuid        PRIMARY KEY,     -- integrations.id; no foreign key, so that the shop's table is never locked for it
    next_free_at   timestamptz NOT NULL,        -- the panel's first unreserved send time, on the database's clock
    reserved_by    text,                        -- run id of the last reservation, for a person looking
    reserved_at    timestamptz                  -- when it was made
) WITH (fillfactor = 50);                      -- room on the page for HOT updates of these few hot rows

-- +goose Down
DROP TABLE zwatch_panel_budgets;
