#!/bin/sh
# `make demo`: the most complete end-to-end scenario the tree supports.
# Grows with the project (see README.md); every step runs real components.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d /tmp/ringca-demo.XXXXXX)
say() { printf '\n== %s\n' "$*"; }

say "1. A serial capture: real protobuf link frames (encoded by protoc), COBS-framed with CRC-32C, with line noise"
python3 "$top/tests/fuzz/make_seed_corpus.py" --capture "$out/capture.bin"
od -A d -t x1 "$out/capture.bin" | head -n 4
say "2. ringca-dump reads it: good frames decoded, noisy ones dropped and counted (exit 1 = some frames were bad)"
set +e
"$build/relay/ringca-dump" "$out/capture.bin"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "demo: expected ringca-dump to report the noisy frames (exit 1), got $rc" >&2; exit 1; }
say "done: the capture is in $out"
