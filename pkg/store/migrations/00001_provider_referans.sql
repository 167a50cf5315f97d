-- Some shops already store the znet referans in provider_referans (their own
-- migration added it); others keep it only in "externalOrderId". zwatch reads
-- COALESCE(NULLIF(provider_referans, ''), "externalOrderId"), so the column
-- must exist, and it must be added without disturbing a hot table.

-- +goose Up
-- ALTER TABLE ... ADD COLUMN IF NOT EXISTS still queues for an ACCESS
-- EXCLUSIVE lock before it finds the column, which would stall every shop
-- query behind it. Look first, and only then ask for the lock; give up after
-- half a second rather than lock the shop out (migrate tries again).
SET LOCAL lock_timeout = '500ms';
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1
        FROM information_schema.columns
        WHERE table_schema = current_schema()
          AND table_name = 'product_orders'
          AND column_name = 'provider_referans'
    ) THEN
        ALTER TABLE product_orders ADD COLUMN provider_referans varchar(255);
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- The column may hold the shop's own data by now: zwatch never drops it.
SELECT 1;
