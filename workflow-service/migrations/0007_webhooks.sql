-- Events out: webhook subscriptions, their deliveries, the dispatcher's
-- cursor over the committed events, idempotency records of the webhook
-- RPCs, and the order as it stood at each version that had events (the
-- webhook payload and WatchOrderEvents include_order read it).

CREATE TABLE webhook_subscriptions (
  id BIGINT NOT NULL AUTO_INCREMENT,
  url VARCHAR(2048) NOT NULL,
  -- Comma-separated event types; empty: all.
  event_types VARCHAR(2048) CHARACTER SET ascii NOT NULL,
  description VARCHAR(255) NOT NULL,
  paused BOOLEAN NOT NULL,
  -- "whsec_..." sealed with the secrets keyring (plaintext without a key).
  secret TEXT NOT NULL,
  previous_secret TEXT NULL,
  previous_secret_expires_at DATETIME(6) NULL,
  -- The event feed's watermark when created: only later events are sent.
  start_after_event_id BIGINT NOT NULL,
  deleted_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_webhook_subscriptions_deleted (deleted_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE webhook_deliveries (
  id BIGINT NOT NULL AUTO_INCREMENT,
  subscription_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL,
  order_version BIGINT NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  -- PENDING, DELIVERED, DEAD, DISMISSED.
  status VARCHAR(16) CHARACTER SET ascii NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  -- Due; a claim pushes it forward by the lease, so a worker that dies
  -- leaves the delivery due again when its lease runs out.
  next_attempt_at DATETIME(6) NOT NULL,
  -- Set at the first attempt (and by a redelivery): DEAD if still failing then.
  dead_at DATETIME(6) NULL,
  lease_owner VARCHAR(64) NULL,
  last_attempt_at DATETIME(6) NULL,
  last_http_status INT NOT NULL DEFAULT 0,
  last_error VARCHAR(1024) NOT NULL DEFAULT '',
  -- The JSON body, fixed when the delivery is created (the order as of the
  -- event); every attempt signs it anew.
  payload MEDIUMTEXT NOT NULL,
  -- When the event was recorded (dispatch lag is created_at minus this).
  event_recorded_at DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  delivered_at DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_webhook_deliveries_event (subscription_id, event_id),
  KEY ix_webhook_deliveries_due (status, next_attempt_at),
  KEY ix_webhook_deliveries_order (subscription_id, order_id, event_id, status),
  KEY ix_webhook_deliveries_order_id (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row: how far the dispatcher has turned events into deliveries, and
-- which replica dispatches (a lease, taken over when it runs out).
CREATE TABLE webhook_dispatch_cursor (
  id INT NOT NULL,
  position BIGINT NOT NULL,
  lease_owner VARCHAR(64) NULL,
  lease_until DATETIME(6) NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO webhook_dispatch_cursor (id, position, lease_owner, lease_until, updated_at)
  VALUES (1, 0, NULL, NULL, UTC_TIMESTAMP(6));

-- Idempotency of the webhook RPCs. A create or a rotation keeps the secret
-- it returned (sealed), so a replay returns it again; purged like request_ids.
CREATE TABLE webhook_requests (
  request_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  method VARCHAR(64) NOT NULL,
  fingerprint CHAR(64) CHARACTER SET ascii NOT NULL,
  subscription_id BIGINT NOT NULL,
  delivery_id BIGINT NOT NULL,
  secret TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (request_id),
  KEY ix_webhook_requests_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The order as of each saved version that had events (the serialized
-- v1.Order), deleted after a retention.
CREATE TABLE order_snapshots (
  order_id BIGINT NOT NULL,
  version BIGINT NOT NULL,
  snapshot MEDIUMBLOB NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (order_id, version),
  KEY ix_order_snapshots_created_at (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
