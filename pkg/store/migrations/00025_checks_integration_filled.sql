-- +goose NO TRANSACTION
-- The waiting orders' integration (migration 00023), filled in batches of
-- 1,000 rows, each committed at once, so that runs meet no table lock and
-- a row lock for a moment at most (their claims skip locked rows). Until a
-- row has it, a claim that passes over a panel with a backlog cannot tell
-- that row's panel, and just after an outage nearly every waiting order
-- would be such a row. The integration is read as the shop's "providerId"
-- names it (store.integrationIDSQL); an order naming none keeps NULL.

-- +goose Up
SET statement_timeout = 0;
-- +goose StatementBegin
DO $$
DECLARE
    after uuid := '00000000-0000-0000-0000-000000000000';
    batch_size integer;
BEGIN
    LOOP
        WITH batch AS MATERIALIZED (
            SELECT c.order_id
            FROM zwatch_order_checks c
            WHERE c.order_id > after
              AND c.integration_id IS NULL
              AND c.finished_at IS NULL
              AND c.given_up_at IS NULL
            ORDER BY c.order_id
            LIMIT 1000
        ),
        filled AS (
            UPDATE zwatch_order_checks c
            SET integration_id = CASE
                WHEN lower(btrim(o."providerId")) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                THEN lower(btrim(o."providerId"))::uuid END
            FROM batch
            JOIN product_orders o ON o.id = batch.order_id
            WHERE c.order_id = batch.order_id
              AND c.integration_id IS NULL
            RETURNING c.order_id
        )
        SELECT count(*), (array_agg(batch.order_id ORDER BY batch.order_id DESC))[1]
        INTO batch_size, after
        FROM batch;
        EXIT WHEN batch_size = 0;
        COMMIT;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
