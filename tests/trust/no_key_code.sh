#!/bin/sh
# Fails if any relay-side binary defines a symbol of the key-holding library
# (every global symbol libringca_signer.a defines, so a function added there
# tomorrow is covered too), or if the relay core library uses OpenSSL's
# X.509 code. Usage: no_key_code.sh SIGNER_LIB CORE_LIB BINARY...
# With --expect-violation it inverts the verdict: the test runs it once on
# ringca-signer itself to prove the check can fail.
set -eu
expect_violation=0
if [ "${1:-}" = --expect-violation ]; then
  expect_violation=1
  shift
fi
signer_lib=$1 core_lib=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm --defined-only -g "$signer_lib" 2>/dev/null | awk 'NF == 3 { print $3 }' \
  | sort -u > "$tmp/key_symbols"
if [ ! -s "$tmp/key_symbols" ]; then
  echo "no_key_code: no symbols read from $signer_lib" >&2
  exit 2
fi
violations=0
for bin in "$@"; do
  nm --defined-only "$bin" | awk 'NF == 3 { print $3 }' | sort -u \
    | comm -12 - "$tmp/key_symbols" > "$tmp/found"
  if [ -s "$tmp/found" ]; then
    violations=$((violations + 1))
    echo "$bin: contains key-holding code from $(basename "$signer_lib"):" \
         "$(head -n 5 "$tmp/found" | tr '\n' ' ')"
  fi
done
x509=$(nm -u "$core_lib" | awk '{ print $2 }' | grep -E '^(X509|d2i_X509|i2d_X509)' \
       | sort -u | head -n 5 | tr '\n' ' ')
if [ -n "$x509" ]; then
  violations=$((violations + 1))
  echo "$core_lib: the relay core uses OpenSSL X.509 code: $x509"
fi
if [ "$expect_violation" -eq 1 ]; then
  [ "$violations" -gt 0 ] && { echo "no_key_code: violation detected, as expected"; exit 0; }
  echo "no_key_code: expected a violation in $*, found none" >&2
  exit 1
fi
[ "$violations" -eq 0 ] || exit 1
echo "no_key_code: $# relay-side binaries hold no key-holding symbol" \
     "($(wc -l < "$tmp/key_symbols") checked); the core uses no X.509"
