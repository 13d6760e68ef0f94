#!/bin/sh
# Runs every libFuzzer target of a RINGCA_FUZZ build for SECONDS each over
# its corpus in tests/fuzz/corpus/NAME, adding new interesting inputs there.
set -eu
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS}
seconds=${2:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
found=0
for bin in $(find "$build" -maxdepth 3 -type f -name 'fuzz_*' -perm -u+x | sort); do
  name=$(basename "$bin"); name=${name#fuzz_}
  corpus="$top/tests/fuzz/corpus/$name"
  mkdir -p "$corpus"
  echo "fuzz: $name for ${seconds}s (corpus $corpus)"
  "$bin" -max_total_time="$seconds" -print_final_stats=1 "$corpus"
  found=$((found + 1))
done
[ "$found" -gt 0 ] || { echo "fuzz: no fuzz targets in $build" >&2; exit 1; }
