-- The installation id: 16 random hex digits that prefix every idempotency key
-- this database sends to CA adapters ("wf-<installation id>-submit-42-1"), so
-- two workflow databases sharing an adapter (a staging copy, a rebuilt
-- cluster) never send the same key for different requests. One row, id = 1.
-- The id is not generated here: `workflow-service migrate` (and the service
-- at start when the row is missing) inserts it from the operating system's
-- randomness with INSERT ... ON DUPLICATE KEY UPDATE, so concurrent runs agree
-- on one id; SQL's UUID() is time-and-host based, differs between MySQL and
-- MariaDB and is unsafe for statement-based replication.
-- A restored backup carries the original's id: `migrate --new_installation_id`
-- gives a copy its own (previous_installation_id keeps the old one). Keys are
-- stored with their outbox rows, so rows in flight keep the key they were
-- first sent with.
CREATE TABLE installation (
  id TINYINT NOT NULL,
  installation_id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  previous_installation_id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
