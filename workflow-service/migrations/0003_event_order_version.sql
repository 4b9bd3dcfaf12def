-- The order version each event was written with. A reader takes the order
-- row first and ignores events of later versions, so a read that overlaps a
-- write sees the order and its history as of one version, without holding a
-- read transaction. Rows written before this migration carry 0 (old enough
-- for any reader).
ALTER TABLE order_events ADD COLUMN order_version BIGINT NOT NULL DEFAULT 0 AFTER order_id;
