#!/bin/sh
# Runs every benchmark executable built under BUILD_DIR/bench and collects
# their output in BUILD_DIR/bench/results.txt (also printed).
# Usage: bench/run.sh BUILD_DIR      (make bench does this)
# Exit status: 0 when every benchmark met its goals, 1 when one did not,
# 2 on usage error or when no benchmark was built.
set -u
if [ $# -ne 1 ] || [ "$1" = "--help" ]; then
  echo "usage: $0 BUILD_DIR   e.g. $0 build" >&2
  exit 2
fi
dir="$1/bench"
out="$dir/results.txt"
[ -d "$dir" ] || { echo "$0: no $dir (build first)" >&2; exit 2; }
: > "$out"
status=0
found=0
for exe in "$dir"/*; do
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  found=1
  name=$(basename "$exe")
  echo "== $name" | tee -a "$out"
  if ! "$exe" 2>&1 | tee -a "$out"; then
    status=1
  fi
done
[ "$found" -eq 1 ] || { echo "$0: no benchmark executables in $dir" >&2; exit 2; }
echo "results in $out"
exit $status
