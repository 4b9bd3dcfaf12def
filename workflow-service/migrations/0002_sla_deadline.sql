-- When an order becomes stuck if nothing happens: set on every state change
-- while the order waits on us or the CA, cleared when it waits on the
-- customer or nothing. The stuck sweep reads it through its index and moves
-- it to stuck_since. One statement, so it applies whole or not at all.
ALTER TABLE orders ADD COLUMN sla_deadline DATETIME(6) NULL AFTER stuck_since,
  ADD KEY ix_orders_sla_deadline (sla_deadline);
