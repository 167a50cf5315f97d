-- Runs that end together take turns to report (check-pending): each reads
-- again what the runs recorded before it found, says what is new, and
-- records its own before the next one's turn, so that two hosts' runs of
-- one cron minute mail a panel's failing once. The turn is a lease in
-- zwatch_state (moved_at: when it ends), as the refit's turn is, not a lock
-- an open transaction holds: behind a pooler in transaction mode with a
-- pool of one, the run holding such a lock waited on itself for the
-- server connection its own transaction kept, and a run stopped while it
-- has the turn frees it when the lease ends.

-- +goose Up
INSERT INTO zwatch_state (name) VALUES ('report') ON CONFLICT (name) DO NOTHING;

-- +goose Down
DELETE FROM zwatch_state WHERE name = 'report';
