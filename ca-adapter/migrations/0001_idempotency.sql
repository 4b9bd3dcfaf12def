-- One row per idempotency key the workflow sent: the request's fingerprint,
-- the lease of the call running with it, and the answer replays return.
-- Keys and CA references are validated printable ASCII, compared exactly.
CREATE TABLE ca_idempotency (
  idempotency_key VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  operation VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  fingerprint VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  state VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  attempt INT NOT NULL,
  lease_until DATETIME(6) NOT NULL,
  request LONGBLOB NOT NULL,
  response LONGBLOB NULL,
  error_code INT NOT NULL DEFAULT 0,
  error_message TEXT NULL,
  ca_order_id VARCHAR(768) CHARACTER SET ascii COLLATE ascii_bin NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (idempotency_key),
  KEY ca_idempotency_by_order (ca_order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
