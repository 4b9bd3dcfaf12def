#!/usr/bin/env bash
# mtls_server_flags fails closed: a binary that cannot take the policy stops
# SSLPANEL_MTLS=1 scripts/run instead of serving every certificate of the CA.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/mtls.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '#!/bin/sh\necho "  --authz_policy_file (policy)" >&2\nexit 1\n' >"$dir/with-policy"
printf '#!/bin/sh\necho "  --tls_cert_file (cert)" >&2\nexit 1\n' >"$dir/without-policy"
chmod +x "$dir/with-policy" "$dir/without-policy"

mtls_server_flags out "$dir" svc 1234 "$dir/policy.json" "$dir/with-policy"
[[ " ${out[*]} " == *" --authz_policy_file=$dir/policy.json "* ]] \
  || { echo "FAIL: the policy flag is missing: ${out[*]}"; exit 1; }

if (mtls_server_flags out "$dir" svc 1234 "$dir/policy.json" "$dir/without-policy") \
     2>"$dir/err"; then
  echo "FAIL: a binary without --authz_policy_file did not stop the run"; exit 1
fi
grep -q "without-policy has no --authz_policy_file" "$dir/err" \
  || { echo "FAIL: the error does not name the binary:"; cat "$dir/err"; exit 1; }
echo PASS
