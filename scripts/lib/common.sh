# Shared by scripts/run, scripts/test and scripts/bench: install what is
# missing, build, and start/stop a private MariaDB. Source it; do not run it.

SSLPANEL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian packages the build, the tests and the local system need.
SSLPANEL_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates openssl
  clang-format
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libmysqlcppconn-dev libboost-dev libgtest-dev libgmock-dev
  libssl-dev libcurl4-openssl-dev nlohmann-json3-dev
  mariadb-server mariadb-client pebble
  prometheus-cpp-dev python3-prometheus-client
  libcpp-httplib-dev libkainjow-mustache-dev chromium
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

install_packages() {
  [ "$(id -u)" = 0 ] || die "run as root (installs Debian packages)"
  local missing=() pkg
  for pkg in "${SSLPANEL_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if ! command -v npm >/dev/null 2>&1; then
    missing+=(nodejs npm)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >/dev/null
  fi
}

# buf (proto lint, and the reflection client the integration tests use) and
# puppeteer-core (the console's browser tests drive Debian's chromium with it),
# pinned by package-lock.json.
install_node_tools() {
  local stamp="$SSLPANEL_ROOT/node_modules/.sslpanel-lock"
  if [ ! -x "$SSLPANEL_ROOT/node_modules/.bin/buf" ] \
      || ! cmp -s "$SSLPANEL_ROOT/package-lock.json" "$stamp"; then
    log "npm ci (buf, puppeteer-core, standardwebhooks)"
    (cd "$SSLPANEL_ROOT" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$SSLPANEL_ROOT/package-lock.json" "$stamp"
  fi
  export SSLPANEL_BUF="$SSLPANEL_ROOT/node_modules/.bin/buf"
}

# build BUILD_DIR: configure (once) and build everything with two jobs.
build() {
  local dir=$1
  # ccache's own per-user cache (~/.cache/ccache unless CCACHE_DIR says
  # otherwise), shared by every checkout of this machine: git worktrees,
  # a fresh clone, the fuzz build. Paths are taken relative to the
  # checkout, so the same source in another directory hits the same entries.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$SSLPANEL_ROOT}
  if [ ! -f "$dir/build.ninja" ]; then
    log "configuring $dir"
    cmake -S "$SSLPANEL_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  log "building"
  # Two cores: builds from several checkouts on one machine take turns.
  flock /tmp/sslpanel-build.lock cmake --build "$dir" -j2
}

# free_port: prints a TCP port on 127.0.0.1 nobody listens on.
free_port() {
  local port i
  for i in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# mariadb_start DIR PORT USER PASSWORD [extra mariadbd options...]
# Starts a private mariadbd with its data under DIR (created on first use),
# listening on 127.0.0.1:PORT only, and a user with every privilege (tests
# create one database per test). Prints nothing on success.
mariadb_start() {
  local dir=$1 port=$2 user=$3 password=$4
  shift 4
  mkdir -p "$dir"/{data,log,tmp}
  # Unix socket paths are limited to 108 bytes: keep it short under /tmp.
  local sockdir
  sockdir=$(mktemp -d /tmp/sslpanel-mdb.XXXXXX)
  cat >"$dir/my.cnf" <<CNF
[mariadbd]
datadir=$dir/data
socket=$sockdir/mysqld.sock
pid-file=$dir/mysqld.pid
port=$port
bind-address=127.0.0.1
user=root
skip-name-resolve
log-error=$dir/log/mysqld.err
tmpdir=$dir/tmp
innodb_buffer_pool_size=256M
innodb_log_file_size=64M
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
default-time-zone=+00:00
max_connections=500
[client]
socket=$sockdir/mysqld.sock
port=$port
CNF
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --defaults-file="$dir/my.cnf" --skip-test-db \
      >"$dir/log/install-db.log" 2>&1 || { cat "$dir/log/install-db.log"; die "mariadb-install-db failed"; }
  fi
  setsid /usr/sbin/mariadbd --defaults-file="$dir/my.cnf" "$@" >>"$dir/log/mariadbd.out" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$dir/mariadbd.started-pid"
  for i in $(seq 1 300); do
    mariadb-admin --defaults-file="$dir/my.cnf" -uroot ping >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { tail -20 "$dir/log/mysqld.err"; die "mariadbd exited"; }
    sleep 0.1
  done
  mariadb-admin --defaults-file="$dir/my.cnf" -uroot ping >/dev/null 2>&1 \
    || { tail -20 "$dir/log/mysqld.err"; die "mariadbd did not answer within 30 s"; }
  mariadb --defaults-file="$dir/my.cnf" -uroot <<SQL
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'localhost';
SQL
}

# mariadb_tls_pki DIR: a throw-away CA (ca.pem) and a server certificate for
# the name "localhost" only (server.pem, server.key) to start MariaDB with
# TLS, plus a second CA that signed nothing of it (other-ca.pem), for the
# database TLS tests.
mariadb_tls_pki() {
  local dir=$1
  mkdir -p "$dir"
  (
    cd "$dir"
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=sslpanel test database CA"
    openssl req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.pem -days 2 -subj "/CN=another CA"
    openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=DNS:localhost\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile server.ext -out server.pem
  ) >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log"; die "cannot make the database test PKI"; }
}

# mariadb_sql DIR: runs SQL from stdin as root on the private server.
mariadb_sql() { mariadb --defaults-file="$1/my.cnf" -uroot; }

# mariadb_stop DIR: stops the server started by mariadb_start, by its PID.
mariadb_stop() {
  local dir=$1 pid i
  [ -f "$dir/mariadbd.started-pid" ] || return 0
  pid=$(cat "$dir/mariadbd.started-pid")
  rm -f "$dir/mariadbd.started-pid"
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
