#!/bin/sh
# Runs every benchmark executable built under BUILD_DIR/bench, keeps their
# whole output in BUILD_DIR/bench/results.txt, and has bench/collect.py
# write bench/results/latest.json and the table in docs/performance.md.
# Usage: bench/run.sh BUILD_DIR      (make bench does this; e.g. build)
# Exit status: 0 when every benchmark ran and met its goals, 1 when a goal
# failed or a benchmark did not run, 2 on usage error or when no benchmark
# was built.
set -u
if [ $# -ne 1 ] || [ "$1" = "--help" ]; then
  echo "usage: $0 BUILD_DIR   e.g. $0 build" >&2
  [ $# -eq 1 ] && exit 0
  exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
dir="$1/bench"
out="$dir/results.txt"
[ -d "$dir" ] || { echo "$0: no $dir (build first)" >&2; exit 2; }
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp" "$tmp.status"' EXIT
: > "$out"
found=0
for exe in "$dir"/*; do
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  found=1
  name=$(basename "$exe")
  echo "== $name"
  { "$exe" 2>&1; echo $? > "$tmp.status"; } | tee "$tmp"
  status=$(cat "$tmp.status")
  { echo "== $name exit=$status"; cat "$tmp"; } >> "$out"
done
[ "$found" -eq 1 ] || { echo "$0: no benchmark executables in $dir" >&2; exit 2; }
echo "== summary (full output in $out)"
python3 "$src/bench/collect.py" report "$out" "$1" \
  "$src/bench/results/latest.json" "$src/docs/performance.md"
status=$?
echo "results in $src/bench/results/latest.json and $src/docs/performance.md"
exit $status
