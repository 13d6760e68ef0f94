#!/bin/sh
# Runs every benchmark program built under BUILD/bench/ (one per area),
# each printing its ratios and PASS/FAIL. usage: bench/run.sh BUILD
set -u
build=${1:-build}
status=0
for prog in "$build"/bench/*/*_bench "$build"/bench/*_bench; do
  [ -x "$prog" ] || continue
  echo "== $prog"
  "$prog" || status=1
done
exit $status
