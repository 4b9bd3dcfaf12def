-- While a creating call (AutoApplySSL/AutoReplaceSSL) may still be in
-- flight or being processed at Sectigo, no replica looks the order up or
-- sends it again: the row is owned by that send until this time (last send
-- + request timeout + settle time; after a lost answer, its moment + settle
-- time).
ALTER TABLE sectigo_orders ADD COLUMN sending_until DATETIME(6) NULL AFTER last_sent_at;
