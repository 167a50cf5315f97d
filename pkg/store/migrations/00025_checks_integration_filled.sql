-- +goose NO TRANSACTION
-- The waiting orders' integration (migration 00023), filled in batches of
-- 1,000 rows, each committed at once, so that runs meet no table lock and
-- a row lock for a moment at most (their claims skip locked rows); rows a
-- run holds meanwhile are left for this zwatch's next claim of them. Until
-- a row has it, a claim that passes over a panel with a backlog cannot
-- tell that row's panel, and just after an outage nearly every waiting
-- order would be such a row. The integration is read as the shop's "providerId"
-- names it (store.integrationIDSQL); an order naming none keeps NULL.

-- +goose Up
SET statement_timeout = 0;
-- Each page commits on its own, at the session's isolation: a shop whose
-- database defaults to repeatable read would fail a page that meets a row
-- a run saved meanwhile (zwatch's own transactions ask for read committed).
SET default_transaction_isolation = 'read committed';
-- +goose StatementBegin
DO $$
DECLARE
    after uuid := '00000000-0000-0000-0000-000000000000';
    read integer;
BEGIN
    LOOP
        -- Along the primary key, a page at a time, whatever each row
        -- holds: a read of the rows still without one would read them all
        -- again for every batch, and those that name no integration for
        -- ever.
        WITH page AS MATERIALIZED (
            SELECT c.order_id
            FROM zwatch_order_checks c
            WHERE c.order_id > after
            ORDER BY c.order_id
            LIMIT 1000
        ),
        -- A row a run holds (an older zwatch's, still running: its claims,
        -- saves and releases) is passed over, not waited for: waiting,
        -- this could deadlock with a release that locks its rows in
        -- another order. The run's next claim of it, or a newer zwatch's,
        -- fills it in.
        waiting AS MATERIALIZED (
            SELECT c.order_id
            FROM zwatch_order_checks c
            WHERE c.order_id = ANY (ARRAY(SELECT order_id FROM page))
              AND c.integration_id IS NULL
              AND c.finished_at IS NULL
              AND c.given_up_at IS NULL
            ORDER BY c.order_id
            FOR UPDATE SKIP LOCKED
        ),
        filled AS (
            UPDATE zwatch_order_checks c
            SET integration_id = i.id
            FROM waiting
            -- Each order by its primary key: a join the planner could
            -- make by reading the whole of the shop's table for each page.
            CROSS JOIN LATERAL (
                SELECT CASE WHEN lower(btrim(o."providerId")) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                    THEN lower(btrim(o."providerId"))::uuid END AS integration_id
                FROM product_orders o
                WHERE o.id = waiting.order_id
                LIMIT 1
            ) named
            -- A znet integration the order names, as a claim's would be;
            -- none otherwise.
            JOIN integrations i ON i.id = named.integration_id AND i.provider = 'znet'
            WHERE c.order_id = waiting.order_id
            RETURNING c.order_id
        )
        SELECT count(*), (array_agg(page.order_id ORDER BY page.order_id DESC))[1]
        INTO read, after
        FROM page;
        EXIT WHEN read = 0;
        COMMIT;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
