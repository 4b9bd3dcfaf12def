-- The ACME adapter's state (ca-adapter-acme only; empty elsewhere): the
-- account key and URL per ACME directory, and one row per ACME order this
-- adapter created, keyed by the order URL (the ca_order_id) and by the
-- idempotency key that created it.
CREATE TABLE acme_accounts (
  directory_url VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  account_key_pem TEXT NOT NULL,
  account_url VARCHAR(768) CHARACTER SET ascii COLLATE ascii_bin NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (directory_url)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE acme_orders (
  order_url VARCHAR(768) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  idempotency_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  account_url VARCHAR(768) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(16) CHARACTER SET ascii NOT NULL,
  original_order_url VARCHAR(768) CHARACTER SET ascii COLLATE ascii_bin NULL,
  names_json TEXT NOT NULL,
  dcv_json TEXT NOT NULL,
  csr_pem TEXT NOT NULL,
  acme_status VARCHAR(32) CHARACTER SET ascii NOT NULL,
  submitted_at DATETIME(6) NOT NULL,
  challenges_answered_at DATETIME(6) NULL,
  finalized_at DATETIME(6) NULL,
  cancelled_at DATETIME(6) NULL,
  cancel_reason VARCHAR(1024) NOT NULL DEFAULT '',
  revoked_at DATETIME(6) NULL,
  revocation_reason INT NOT NULL DEFAULT 0,
  refusal_reason TEXT NULL,
  certificate_pem TEXT NULL,
  chain_pem MEDIUMTEXT NULL,
  serial_number VARCHAR(64) CHARACTER SET ascii NULL,
  not_before DATETIME(6) NULL,
  not_after DATETIME(6) NULL,
  version INT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (order_url),
  UNIQUE KEY acme_orders_by_key (idempotency_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
