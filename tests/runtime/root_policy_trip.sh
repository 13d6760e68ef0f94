#!/bin/sh
# The root trips on a request its signer refuses on policy grounds: such a
# request passed the same policy at its front-end, so only an altered
# request (or a front-end running other rules) can get there. Here fe1
# runs the built-in profiles while the signer restricts names to
# lab.example, so a CSR for www.elsewhere.example passes fe1, reaches the
# root through im1 and must trip the root (exit 3, cause external).
#
#   root_policy_trip.sh BUILD_DIR RUN_DIR
set -eu
LAB_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$LAB_TOP/scripts/lab.sh"
fail() { printf 'root_policy_trip: %s (logs in %s/logs)\n' "$*" "$LAB_RUN" >&2; exit 1; }
trap 'lab_down 2>/dev/null || true' EXIT

lab_init "$1" "$2"
sed 's/^    # domains: \[example.org\].*/    domains: [lab.example]/' \
    "$LAB_TOP/deploy/signer/profiles.yaml" > "$LAB_RUN/strict.yaml"
grep -q '^    domains: \[lab.example\]' "$LAB_RUN/strict.yaml" ||
  fail "could not make the strict profiles"
lab_cables_up
lab_signer_start --profiles "$LAB_RUN/strict.yaml"
for n in root im1 fe1; do lab_node_start "$n"; done
lab_wait_rings root 30 im1-root || fail "im1-root did not come up"
lab_wait_rings fe1 30 im1-fe || fail "im1-fe did not come up at fe1"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$LAB_RUN/certs/x.key" -subj /CN=www.elsewhere.example \
    -addext subjectAltName=DNS:www.elsewhere.example \
    -out "$LAB_RUN/certs/x.csr" 2>/dev/null
st=0
"$LAB_SUBMIT" --node-socket "$LAB_RUN/state/fe1/ctl.sock" \
    --csr "$LAB_RUN/certs/x.csr" --profile server --timeout 8 \
    --out "$LAB_RUN/certs/x.pem" 2> "$LAB_RUN/logs/submit.log" || st=$?
[ $st -ne 0 ] || fail "a certificate was issued for www.elsewhere.example"
[ ! -e "$LAB_RUN/certs/x.pem" ] || fail "a certificate file was written"
lab_wait_exit root 10 || fail "the root did not trip"
[ "$(lab_node_exit root)" = 3 ] || fail "root exited $(lab_node_exit root), not 3"
grep -q '^cause=external$' "$LAB_RUN/state/root/TRIPPED" ||
  fail "the root's trip cause is not external"
grep -q "^detail=.*from fe1 failed the signer's policy" \
    "$LAB_RUN/state/root/TRIPPED" || fail "the trip detail does not name fe1"
grep '"event":"trip"' "$LAB_RUN/state/root/audit.jsonl" | grep -q external ||
  fail "no trip record in the root's audit log"
printf 'root_policy_trip: ok: %s\n' "$(sed -n 's/^detail=//p' "$LAB_RUN/state/root/TRIPPED")"
