#!/bin/sh
# A mesh whose tokens are too small for a certificate with its chain (1 KiB
# frames): the root must answer REFUSAL_TOO_LARGE naming limits.token_size
# instead of leaving the webserver waiting for its deadline.
#
#   too_large_reply.sh BUILD_DIR RUN_DIR
set -eu
LAB_TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$LAB_TOP/scripts/lab.sh"
fail() { printf 'too_large_reply: %s (logs in %s/logs)\n' "$*" "$LAB_RUN" >&2; exit 1; }
trap 'lab_down 2>/dev/null || true' EXIT

lab_init "$1" "$2"
sed -i 's/^  frame_size: .*/  frame_size: 1024/; s/^  token_size: .*/  token_size: 896/' \
    "$LAB_RUN/lab.yaml"
"$LAB_TOPO" check "$LAB_RUN/lab.yaml" > "$LAB_RUN/logs/check-small.log" 2>&1 ||
  fail "the 1 KiB-frame lab does not check"
lab_cables_up
lab_signer_start
for n in root im1 fe1; do lab_node_start "$n"; done
lab_wait_rings root 30 im1-root || fail "im1-root did not come up"
lab_wait_rings fe1 30 im1-fe || fail "im1-fe did not come up at fe1"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$LAB_RUN/certs/w.key" -subj /CN=www.lab.example \
    -addext subjectAltName=DNS:www.lab.example -out "$LAB_RUN/certs/w.csr" \
    2>/dev/null
st=0
"$LAB_SUBMIT" --node-socket "$LAB_RUN/state/fe1/ctl.sock" \
    --csr "$LAB_RUN/certs/w.csr" --profile server --timeout 8 \
    --out "$LAB_RUN/certs/w.pem" 2> "$LAB_RUN/logs/submit.log" || st=$?
[ $st = 1 ] || fail "ringca-submit exited $st, not 1 (refused)"
grep -q 'REFUSAL_TOO_LARGE.*limits.token_size' "$LAB_RUN/logs/submit.log" ||
  fail "the refusal does not name REFUSAL_TOO_LARGE and limits.token_size"
[ "$(lab_node_exit root)" = running ] || fail "the root stopped"
printf 'too_large_reply: ok: %s\n' "$(cat "$LAB_RUN/logs/submit.log")"
