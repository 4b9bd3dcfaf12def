-- Orders, their certificate chains, the append-only event history,
-- prevalidation reports, request ids (idempotency) and the outbox.
-- Times are UTC DATETIME(6). Host names are ASCII (IDNs as punycode).

CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  external_order_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  product_id VARCHAR(64) NOT NULL,
  validation_type VARCHAR(8) NOT NULL,
  organization TEXT NOT NULL,
  status VARCHAR(8) NOT NULL,
  -- Denormalised from the chain for ListOrders filters.
  current_status VARCHAR(16) NOT NULL,
  reseller_code CHAR(3) NOT NULL,
  common_name VARCHAR(253) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  common_name_reversed VARCHAR(253) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  expires_at DATETIME(6) NULL,
  stuck_since DATETIME(6) NULL,
  version BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_orders_external_order_id (external_order_id),
  KEY ix_orders_status (status, id),
  KEY ix_orders_current_status (current_status, id),
  KEY ix_orders_reseller_code (reseller_code, id),
  KEY ix_orders_common_name (common_name, id),
  KEY ix_orders_common_name_reversed (common_name_reversed, id),
  KEY ix_orders_expires_at (expires_at, id),
  KEY ix_orders_stuck_since (stuck_since, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE certificates (
  id BIGINT NOT NULL AUTO_INCREMENT,
  order_id BIGINT NOT NULL,
  seq INT NOT NULL,
  kind VARCHAR(8) NOT NULL,
  status VARCHAR(16) NOT NULL,
  pending_operation VARCHAR(8) NOT NULL,
  hold_reason VARCHAR(32) NOT NULL,
  predecessor_seq INT NULL,
  submission INT NOT NULL,
  csr TEXT NOT NULL,
  common_name VARCHAR(253) CHARACTER SET ascii NOT NULL,
  additional_names TEXT NOT NULL,
  domain_validations TEXT NOT NULL,
  period_months INT NOT NULL,
  ca_adapter VARCHAR(64) NOT NULL,
  ca_reference VARCHAR(512) NOT NULL,
  ca_raw_status VARCHAR(255) NOT NULL,
  dcv_instructions TEXT NOT NULL,
  not_before DATETIME(6) NULL,
  not_after DATETIME(6) NULL,
  certificate_pem MEDIUMTEXT NOT NULL,
  chain_pem MEDIUMTEXT NOT NULL,
  serial_number VARCHAR(128) NOT NULL,
  rejection_reason VARCHAR(1024) NOT NULL,
  last_error VARCHAR(1024) NOT NULL,
  -- When the CA status sync looks at this certificate next (NULL: never).
  next_poll_at DATETIME(6) NULL,
  poll_failures INT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_certificates_order_seq (order_id, seq),
  KEY ix_certificates_expiry (status, not_after),
  KEY ix_certificates_next_poll (next_poll_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_events (
  id BIGINT NOT NULL AUTO_INCREMENT,
  order_id BIGINT NOT NULL,
  certificate_id BIGINT NOT NULL,
  type VARCHAR(64) NOT NULL,
  from_status VARCHAR(16) NULL,
  to_status VARCHAR(16) NOT NULL,
  from_pending VARCHAR(8) NOT NULL,
  to_pending VARCHAR(8) NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  recorded_at DATETIME(6) NOT NULL,
  actor VARCHAR(128) NOT NULL,
  reason VARCHAR(1024) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_order_events_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE prevalidation_reports (
  id BIGINT NOT NULL AUTO_INCREMENT,
  order_id BIGINT NOT NULL,
  certificate_id BIGINT NOT NULL,
  submission INT NOT NULL,
  overall VARCHAR(16) NOT NULL,
  report_json MEDIUMTEXT NOT NULL,
  checked_at DATETIME(6) NOT NULL,
  overridden_by VARCHAR(128) NULL,
  override_reason VARCHAR(1024) NULL,
  override_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  KEY ix_prevalidation_reports_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE request_ids (
  request_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  method VARCHAR(64) NOT NULL,
  fingerprint CHAR(64) CHARACTER SET ascii NOT NULL,
  order_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (request_id),
  KEY ix_request_ids_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE outbox (
  id BIGINT NOT NULL AUTO_INCREMENT,
  order_id BIGINT NOT NULL,
  certificate_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  submission INT NOT NULL,
  -- Chosen and stored before the first delivery; every retry reuses it.
  idempotency_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  -- For ABANDON_AT_CA: the key the order was submitted with.
  ref_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  status VARCHAR(16) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  -- Due for delivery; a claim pushes it forward by the lease, so a worker
  -- that dies leaves the row due again when its lease runs out.
  due_at DATETIME(6) NOT NULL,
  lease_owner VARCHAR(64) NULL,
  last_error VARCHAR(1024) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_outbox_idempotency_key (idempotency_key),
  KEY ix_outbox_due (status, due_at),
  KEY ix_outbox_certificate (certificate_id, kind, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
