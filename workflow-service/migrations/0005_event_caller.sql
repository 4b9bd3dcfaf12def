-- The authenticated caller behind each event: the identity of the client
-- certificate of the API call that caused it (e.g.
-- spiffe://sslpanel.local/ops/alice), or "system:<loop>" for the workflow's
-- own work. Beside the free-text actor, which the caller chooses. Rows
-- written before this migration, and with mutual TLS off, carry ''.
ALTER TABLE order_events ADD COLUMN caller VARCHAR(255) NOT NULL DEFAULT '' AFTER actor;
