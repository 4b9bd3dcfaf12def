-- A redelivery keeps a delivery's attempt count (its history for
-- operators) and restarts only its backoff and dead deadline: the backoff
-- counts the attempts after `backoff_base`, the count at the last
-- redelivery.
ALTER TABLE webhook_deliveries ADD COLUMN backoff_base INT NOT NULL DEFAULT 0;
