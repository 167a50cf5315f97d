-- One PIN given to two orders of two dealer accounts went unnoticed: a
-- cache in front of one panel that leaves the query out of its key answers
-- every dealer code asking through it alike, and one panel may be named by
-- two addresses (127.0.0.1 and localhost). A panel never sells one PIN
-- twice, so zwatch now compares the PINs of all the shop's znet orders,
-- and the bucket it keeps of a PIN (migration 00033) no longer holds the
-- dealer account: 16 bits of SHA-256 of the PIN's letters and digits in
-- capitals (pkg/watch pinBucket), which tens of millions of a 16-digit
-- PIN's candidates share even with its last four digits known. The
-- buckets kept (orders finished within the last 7 days) are made anew from
-- the PIN each order's row holds, which is what a later save compares
-- with; an order whose row holds none keeps none. Made here in SQL, they
-- are zwatch's only for a PIN of ASCII letters and digits (whatever its
-- separators and letter case), which SQL reads as zwatch does whatever
-- the database's collation; zwatch folds other letters its own way
-- (Turkish dotted and dotless i, full-width forms), so such a PIN keeps no
-- bucket, and a later save of it is not held until its order's row is
-- swept, 7 days after it finished (helper-356).

-- +goose Up
-- Rows a run of an older zwatch is saving are waited for a moment, not
-- queued behind.
SET LOCAL lock_timeout = '5s';
UPDATE zwatch_order_checks c
SET pin_bucket = CASE WHEN held.ascii AND held.letters <> ''
                      THEN (get_byte(held.digest, 0) << 8) | get_byte(held.digest, 1) END
FROM (SELECT c2.order_id, l.letters, l.ascii, sha256(convert_to(l.letters, 'UTF8')) AS digest
      FROM zwatch_order_checks c2
      -- Each order by its primary key.
      CROSS JOIN LATERAL (SELECT "pinCode" FROM product_orders WHERE id = c2.order_id LIMIT 1) o
      CROSS JOIN LATERAL (
          SELECT upper(regexp_replace(o."pinCode" COLLATE "C", '[^A-Za-z0-9]', '', 'g')) AS letters,
                 -- Not octet_length = char_length: in LATIN5, WIN1254 or
                 -- SQL_ASCII every character is one byte (helper-358).
                 o."pinCode" COLLATE "C" ~ '^[\x01-\x7F]*$' AS ascii) l
      WHERE c2.pin_bucket IS NOT NULL) held
WHERE c.order_id = held.order_id;
COMMENT ON COLUMN zwatch_order_checks.pin_bucket IS
    '16 bits of SHA-256 of the letters and digits, in capitals, of the PIN zwatch saved on the order, to find another order given the same PIN; NULL: none saved, or a PIN too short to compare';

-- +goose Down
-- An older zwatch's buckets hold the dealer account; none is made here.
-- Until the orders' rows are swept, that zwatch does not find their PINs
-- given again in a later run.
SET LOCAL lock_timeout = '5s';
UPDATE zwatch_order_checks SET pin_bucket = NULL WHERE pin_bucket IS NOT NULL;
COMMENT ON COLUMN zwatch_order_checks.pin_bucket IS
    '32 bits of SHA-256 of the dealer account and the PIN zwatch saved on the order, to find another order given the same PIN; NULL: none saved, or a PIN too short to compare';
