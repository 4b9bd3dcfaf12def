-- A redelivery keeps a delivery's attempt count (its history for
-- operators) and restarts only its backoff and dead deadline: the backoff
-- counts the attempts after `backoff_base`, the count at the last
-- redelivery.
ALTER TABLE webhook_deliveries ADD COLUMN backoff_base INT NOT NULL DEFAULT 0;

-- Retention (--webhook_delivery_retention) deletes DELIVERED and DISMISSED
-- deliveries by their last change, oldest first, in bounded batches.
ALTER TABLE webhook_deliveries ADD KEY ix_webhook_deliveries_finished (status, updated_at);
