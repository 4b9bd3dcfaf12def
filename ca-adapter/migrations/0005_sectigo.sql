-- The Sectigo adapter's state (ca-adapter-sectigo only; empty elsewhere).
-- sectigo_orders: one row per creating call (submit, reissue, renewal),
-- written BEFORE the call goes to the CA, keyed by its idempotency key and
-- by the uniqueValue derived from it. `send_state` says what is known:
-- not_sent (nothing can have reached the CA), sending (a request may have
-- reached it: look it up before sending again), created (ca_order_id set),
-- refused (the CA refused; nothing created). The reseller API has no
-- idempotency of its own; this row is what keeps every order to one.
CREATE TABLE sectigo_orders (
  idempotency_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  original_ca_order_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  unique_value VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  foreign_order_number VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  common_name VARCHAR(253) NOT NULL,
  names_json TEXT NOT NULL,
  csr_pem TEXT NOT NULL,
  dcv_json TEXT NOT NULL,
  product_code VARCHAR(64) NOT NULL,
  request_json MEDIUMTEXT NOT NULL,
  send_state VARCHAR(16) CHARACTER SET ascii NOT NULL,
  sends INT NOT NULL DEFAULT 0,
  first_sent_at DATETIME(6) NULL,
  last_sent_at DATETIME(6) NULL,
  ca_order_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  order_number VARCHAR(32) CHARACTER SET ascii NULL,
  certificate_id VARCHAR(32) CHARACTER SET ascii NULL,
  state VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'pending',
  raw_status VARCHAR(255) NOT NULL DEFAULT '',
  refusal_reason VARCHAR(1024) NOT NULL DEFAULT '',
  last_polled_at DATETIME(6) NULL,
  cancel_requested_at DATETIME(6) NULL,
  revoke_requested_at DATETIME(6) NULL,
  certificate_pem TEXT NULL,
  chain_pem MEDIUMTEXT NULL,
  serial_number VARCHAR(64) CHARACTER SET ascii NULL,
  not_before DATETIME(6) NULL,
  not_after DATETIME(6) NULL,
  resolution VARCHAR(16) CHARACTER SET ascii NULL,
  resolved_by VARCHAR(255) NULL,
  resolve_reason VARCHAR(1024) NULL,
  resolved_at DATETIME(6) NULL,
  version INT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (idempotency_key),
  UNIQUE KEY sectigo_orders_by_unique_value (unique_value),
  UNIQUE KEY sectigo_orders_by_ca_order_id (ca_order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per reseller account: until when every replica holds back after the CA
-- answered -42 (call limit).
CREATE TABLE sectigo_accounts (
  login_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  backoff_until DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (login_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
