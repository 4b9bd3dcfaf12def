-- Finished idempotency records are deleted once they are older than the
-- adapter's --idempotency_retention; this index lets that sweep find them
-- by age without reading the table.
ALTER TABLE ca_idempotency ADD KEY ca_idempotency_by_age (state, updated_at);
