# Sourced by the MariaDB image's entrypoint on the first start of an empty data
# volume (docker-entrypoint-initdb.d), with docker_process_sql available.
# Creates one database per service and two accounts for each:
#   <db>          rows only (SELECT, INSERT, UPDATE, DELETE): the running service
#   <db>_migrate  everything on its database: the migration Job
# Passwords come from the mounted Secrets <service>-db (keys password and
# migrate-password). Changing them later needs a fresh volume (or ALTER USER).
# The workflow's account also gets PROCESS (server-wide; it shows other
# sessions' transactions and queries, changes nothing): the event feed reads
# information_schema.INNODB_TRX to prove that a missing event id belongs to
# no open transaction (README "Events out"). Without it the feed waits
# --event_gap_timeout on every hole in the ids instead.
sslpanel_create_database() {
  local db=$1 secrets=$2 password migrate_password
  password=$(docker_sql_escape_string_literal "$(<"$secrets/password")")
  migrate_password=$(docker_sql_escape_string_literal "$(<"$secrets/migrate-password")")
  mysql_note "creating database $db with accounts $db and ${db}_migrate"
  docker_process_sql --database=mysql <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$db'@'%' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '${db}_migrate'@'%' IDENTIFIED BY '$migrate_password';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$db\`.* TO '$db'@'%';
GRANT ALL PRIVILEGES ON \`$db\`.* TO '${db}_migrate'@'%';
SQL
}

sslpanel_create_database sslpanel_workflow /etc/mariadb/secrets/workflow-service
docker_process_sql --database=mysql <<SQL
GRANT PROCESS ON *.* TO 'sslpanel_workflow'@'%';
SQL
sslpanel_create_database sslpanel_ca_sandbox /etc/mariadb/secrets/ca-adapter-sandbox
sslpanel_create_database sslpanel_ca_acme /etc/mariadb/secrets/ca-adapter-acme
sslpanel_create_database sslpanel_ca_sectigo /etc/mariadb/secrets/ca-adapter-sectigo
