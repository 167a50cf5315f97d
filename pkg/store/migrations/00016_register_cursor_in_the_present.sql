-- Registering's position may stand in the future: an order sent at
-- 'infinity', or by a shop host whose clock ran ahead, carried it there
-- before zwatch stopped reading such orders when registering. From there
-- registering read only the last seconds before now, and every order sent
-- while no run was registering waited for the sweep. Such a position
-- starts over from the first waiting order, reading every row once.

-- +goose Up
UPDATE zwatch_state
SET sent_at = '-infinity', order_id = '00000000-0000-0000-0000-000000000000', caught_up = false, horizon = NULL
WHERE name = 'register' AND sent_at > now();

-- +goose Down
-- Nothing to undo: the position is found again by reading.
SELECT 1;
