-- A run now records a panel that refused the requests ("3|...") about
-- too few orders to call it failing, and answered nothing else, as
-- "refused:REFERANS,..." (the orders it had not refused before, by
-- their referans as znet reads it: "04300" is 4300) rather
-- than "answered": a refusal shows the panel reachable, but no answer
-- about an order brings a failing panel back, and the next runs count
-- such orders until enough say the dealer, not the orders, is refused.
-- Only the column's comment changes; a zwatch before this one takes the
-- new value for a verdict it does not know, which tells it nothing.

-- +goose Up
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | faulted:ORDER-ID (asked in this run, no usable answer, one order''s request failed) | refused:REFERANS,... (asked in this run, znet refused the requests and answered nothing else; the referans numbers of the orders it had not refused before) | still failing (failing before, not asked) | still failing, faulted:ORDER-ID (failing before, asked, no usable answer, one order''s request failed) | let go (failing before, no order waits)';

-- +goose Down
SET LOCAL lock_timeout = '5s';
COMMENT ON COLUMN zwatch_runs.panels IS
    'integration id -> failing | answered (found so in this run) | faulted:ORDER-ID (asked in this run, no usable answer, one order''s request failed) | still failing (failing before, not asked) | still failing, faulted:ORDER-ID (failing before, asked, no usable answer, one order''s request failed) | let go (failing before, no order waits)';
