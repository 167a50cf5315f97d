-- One run at a time refits the panels (issue 11), and at most every few
-- minutes, whatever the refit finds. Before, a run refitted whenever the
-- newest fit was old, so a shop whose panels had no history yet (a refit
-- that saves no fit) read the history on every run, and runs starting
-- together all read it. zwatch_state holds the turn, as it holds the
-- sweep's.

-- +goose Up
INSERT INTO zwatch_state (name) VALUES ('refit') ON CONFLICT (name) DO NOTHING;

-- +goose Down
DELETE FROM zwatch_state WHERE name = 'refit';
