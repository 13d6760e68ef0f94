#!/bin/sh
# The build's trust boundaries as a test (docs/architecture.md, "Trust
# levels in the build"). Fails if any BINARY defines a global symbol that
# one of the object files of ARCHIVE whose name matches OBJECTS defines, so
# a function added there tomorrow is covered too. With --no-x509 ARCHIVE it
# also fails if ARCHIVE uses OpenSSL's X.509 code.
#
#   forbid_symbols.sh [--expect-violation] [--no-x509 LIB] ARCHIVE OBJECTS BINARY...
#
# --expect-violation inverts the verdict: the tests run it once on a binary
# that must violate the rule, to prove the check can fail.
set -eu
expect_violation=0 no_x509=
while :; do
  case "${1:-}" in
    --expect-violation) expect_violation=1; shift ;;
    --no-x509) no_x509=$2; shift 2 ;;
    *) break ;;
  esac
done
archive=$1 objects=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# nm -A prints "ARCHIVE:OBJECT: VALUE TYPE NAME" for each defined global.
nm -A --defined-only -g "$archive" 2>/dev/null \
  | awk '{ n = split($1, part, ":"); print part[n - 1], $NF }' \
  | grep -E "^($objects) " | awk '{ print $2 }' | sort -u > "$tmp/forbidden"
if [ ! -s "$tmp/forbidden" ]; then
  echo "forbid_symbols: no symbol of objects /$objects/ read from $archive" >&2
  exit 2
fi
violations=0
for bin in "$@"; do
  nm --defined-only "$bin" | awk 'NF == 3 { print $3 }' | sort -u \
    | comm -12 - "$tmp/forbidden" > "$tmp/found"
  if [ -s "$tmp/found" ]; then
    violations=$((violations + 1))
    echo "$bin: contains code from $(basename "$archive") ($objects):" \
         "$(head -n 5 "$tmp/found" | tr '\n' ' ')"
  fi
done
if [ -n "$no_x509" ]; then
  x509=$(nm -u "$no_x509" | awk '{ print $2 }' \
         | grep -E '^(X509|d2i_X509|i2d_X509)' | sort -u | head -n 5 | tr '\n' ' ')
  if [ -n "$x509" ]; then
    violations=$((violations + 1))
    echo "$no_x509: uses OpenSSL X.509 code: $x509"
  fi
fi
if [ "$expect_violation" -eq 1 ]; then
  [ "$violations" -gt 0 ] && { echo "forbid_symbols: violation detected, as expected"; exit 0; }
  echo "forbid_symbols: expected a violation in $*, found none" >&2
  exit 1
fi
[ "$violations" -eq 0 ] || exit 1
echo "forbid_symbols: $# binaries define none of the $(wc -l < "$tmp/forbidden")" \
     "symbols of $(basename "$archive") /$objects/"
