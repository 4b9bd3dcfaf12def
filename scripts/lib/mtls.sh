# The local mutual-TLS run of scripts/run (SSLPANEL_MTLS=1): a throw-away PKI
# under .run/pki and the flags that turn every service's mTLS and
# authorization policy on. Source it after common.sh; do not run it.
#
# PKI (made anew by every run; nothing in it is secret beyond this machine):
#   ca.pem / ca.key                 the one CA every service trusts
#   <service>-server.pem / .key     a server certificate per service, SANs
#                                   IP:127.0.0.1 and DNS:localhost
#   <identity>.pem / .key           a client certificate per caller, its only
#                                   URI SAN spiffe://sslpanel.local/<identity>
#                                   (ops/alice is in ops-alice.pem)
#   other-ca.pem, stranger.pem      for trying refusals: a certificate of
#                                   another CA, and one of ours that no
#                                   policy lists

MTLS_TRUST_DOMAIN=sslpanel.local
MTLS_SERVERS=(workflow prevalidation ca-sandbox ca-acme ca-sectigo)
MTLS_CLIENTS=(workflow billing panel console ops/alice auditor stranger)

# mtls_cert DIR NAME CA_PREFIX EXTENSIONS: an EC P-256 key and certificate
# DIR/NAME.{key,pem} signed by DIR/CA_PREFIX.{pem,key}.
mtls_cert() {
  local dir=$1 name=$2 ca=$3 ext=$4
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
    -CAcreateserial -days 30 -out "$dir/$name.pem" -extfile <(printf '%b' "$ext") 2>/dev/null
  rm -f "$dir/$name.csr"
}

# mtls_ca DIR NAME: a self-signed CA DIR/NAME.{pem,key}.
mtls_ca() {
  local dir=$1 name=$2
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=sslpanel local $name" -keyout "$dir/$name.key" -out "$dir/$name.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
}

# mtls_pki DIR: the throw-away PKI described above.
mtls_pki() {
  local dir=$1 name identity
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  mtls_ca "$dir" ca
  mtls_ca "$dir" other-ca-root
  for name in "${MTLS_SERVERS[@]}"; do
    mtls_cert "$dir" "$name-server" ca \
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE"
  done
  for identity in "${MTLS_CLIENTS[@]}"; do
    mtls_cert "$dir" "${identity//\//-}" ca \
      "subjectAltName=URI:spiffe://$MTLS_TRUST_DOMAIN/$identity\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE"
  done
  # A billing certificate from a CA nobody trusts: refused at the handshake.
  mtls_cert "$dir" other-ca other-ca-root \
    "subjectAltName=URI:spiffe://$MTLS_TRUST_DOMAIN/billing\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE"
  rm -f "$dir"/*.srl
}

# mtls_server_flags ARRAY DIR SERVICE HEALTH_PORT POLICY BINARY: fills the
# array ARRAY with the server flags of SERVICE: TLS with its certificate,
# clients verified against the CA, a plaintext health port, and the
# authorization policy. A BINARY without --authz_policy_file dies: mTLS
# without a policy admits every certificate of the CA, and SSLPANEL_MTLS=1
# promises the policies (fail closed; rebuild the binary).
mtls_server_flags() {
  local -n flags=$1
  local dir=$2 service=$3 health_port=$4 policy=$5 binary=$6
  flags=("--tls_cert_file=$dir/$service-server.pem" "--tls_key_file=$dir/$service-server.key"
         "--tls_client_ca_file=$dir/ca.pem" "--health_listen=127.0.0.1:$health_port")
  # Read first, then match: --help exits non-zero (absl), and grep -q
  # closing the pipe early would fail the pipeline under pipefail too.
  local help
  help=$("$binary" --help 2>&1 || true)
  if [[ $help == *--authz_policy_file* ]]; then
    flags+=("--authz_policy_file=$policy")
  else
    die "$(basename "$binary") has no --authz_policy_file, so it would admit every certificate of the CA: rebuild it (scripts/test builds) before SSLPANEL_MTLS=1 scripts/run"
  fi
}

# mtls_grpcurl IDENTITY: the grpcurl TLS options of a caller ("" for none).
mtls_grpcurl() {
  local file=${1//\//-}
  if [ -z "$1" ]; then
    echo "-cacert .run/pki/ca.pem"
  else
    echo "-cacert .run/pki/ca.pem -cert .run/pki/$file.pem -key .run/pki/$file.key"
  fi
}

# mtls_banner: what scripts/run prints once everything serves on mutual TLS:
# the addresses, and per role a call it may make and one it may not.
mtls_banner() {
  local wf="127.0.0.1:$WORKFLOW_PORT" api=sslpanel.workflow.v1.WorkflowService
  local acme_line=""
  [ "${SSLPANEL_WITH_ACME:-0}" = 1 ] && acme_line="
  ACME CA adapter        127.0.0.1:$ACME_PORT   health 127.0.0.1:$ACME_HEALTH_PORT   policy config/authz/ca-adapter.json"
  cat <<TXT

SSL Panel is running on mutual TLS (logs in .run/logs, Ctrl-C stops everything):
  workflow service       $wf   health 127.0.0.1:$WORKFLOW_HEALTH_PORT   policy config/authz/workflow-service.json
  prevalidation service  127.0.0.1:$PREVALIDATION_PORT   health 127.0.0.1:$PREVALIDATION_HEALTH_PORT   policy config/authz/prevalidation-service.json
  sandbox CA adapter     127.0.0.1:$SANDBOX_PORT   health 127.0.0.1:$SANDBOX_HEALTH_PORT   policy config/authz/ca-adapter.json$acme_line
  Sectigo CA adapter     127.0.0.1:$SECTIGO_PORT   health 127.0.0.1:$SECTIGO_HEALTH_PORT   policy config/authz/ca-adapter.json
  fake Sectigo API       http://127.0.0.1:$SECTIGO_FAKE_PORT/products/   (plain HTTP; orders: /fake/orders)
  MariaDB                127.0.0.1:$DB_PORT   user sslpanel, password in .run/db-password
  console (read-only)    http://127.0.0.1:$CONSOLE_PORT/orders   (calls the API as spiffe://$MTLS_TRUST_DOMAIN/console, role panel)
The main ports speak only TLS and ask for a client certificate of .run/pki/ca.pem; the
health ports are plaintext and serve grpc.health.v1.Health only. A client certificate
per identity is in .run/pki (<identity>.pem / .key; ops/alice is ops-alice). Run these
from the repository root (scripts/grpcurl takes grpcurl's arguments):

  # billing (orders: create, update, submit, cancel, reissue, renew; reads)
  scripts/grpcurl $(mtls_grpcurl billing) $wf $api/ListProducts
  # ... and refused with PermissionDenied (ops only):
  scripts/grpcurl $(mtls_grpcurl billing) -d '{"requestId": "x", "orderId": "1", "reason": "r"}' \\
    $wf $api/OverridePrevalidation
  # panel (reads, DecodeCsr, ListProducts; the console's role)
  scripts/grpcurl $(mtls_grpcurl panel) $wf $api/ListOrders
  # ... and refused with PermissionDenied:
  scripts/grpcurl $(mtls_grpcurl panel) -d '{"requestId": "x", "orderId": "1"}' \\
    $wf $api/CancelCertificate
  # ops (everything; any identity under spiffe://$MTLS_TRUST_DOMAIN/ops/)
  scripts/grpcurl $(mtls_grpcurl ops/alice) -d '{"stuck": true}' $wf $api/ListOrders
  scripts/grpcurl $(mtls_grpcurl ops/alice) 127.0.0.1:$SANDBOX_PORT sslpanel.ca.v1.CaAdapterService/GetCapabilities
  # auditor (reads and events)
  scripts/grpcurl $(mtls_grpcurl auditor) -d '{"orderId": "1"}' $wf $api/ListOrderEvents
  # ... and refused with PermissionDenied:
  scripts/grpcurl $(mtls_grpcurl auditor) -d '{}' $wf $api/CreateOrder
  # workflow (the only caller of the adapters and the prevalidation service)
  scripts/grpcurl $(mtls_grpcurl workflow) 127.0.0.1:$SANDBOX_PORT sslpanel.ca.v1.CaAdapterService/GetCapabilities
  # ... and anyone else there (but ops' reads) is refused with PermissionDenied:
  scripts/grpcurl $(mtls_grpcurl billing) 127.0.0.1:$SANDBOX_PORT sslpanel.ca.v1.CaAdapterService/GetCapabilities
  # refused: no certificate (Unauthenticated; reflection too, so the schema comes from
  # protos/), an identity no policy lists (PermissionDenied), a certificate of another
  # CA (the handshake fails)
  scripts/grpcurl $(mtls_grpcurl "") -import-path protos -proto sslpanel/workflow/v1/workflow.proto $wf $api/ListProducts
  scripts/grpcurl $(mtls_grpcurl stranger) $wf $api/ListProducts
  scripts/grpcurl -cacert .run/pki/ca.pem -cert .run/pki/other-ca.pem -key .run/pki/other-ca.key $wf $api/ListProducts
  # health, plaintext and without reflection (so with the proto file; grpcurl: -plaintext
  # -import-path /usr/share/grpc-proto -proto grpc/health/v1/health.proto)
  node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge \
    --schema /usr/share/grpc-proto/grpc/health/v1/health.proto \
    http://127.0.0.1:$WORKFLOW_HEALTH_PORT/grpc.health.v1.Health/Check
TXT
}
