#!/bin/sh
# A tool's --help and its man page must not contradict each other: both
# list the same long options. The page's options are read from its
# SYNOPSIS and OPTIONS sections (its prose may name other tools' options).
#   help_matches_man.sh BINARY PAGE
set -eu
bin=$1 page=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
options() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
"$bin" --help > "$tmp/help" 2>&1 || true
options < "$tmp/help" > "$tmp/help.opts"
if [ ! -s "$tmp/help.opts" ]; then
  echo "$bin --help lists no long option" >&2
  exit 1
fi
mandoc -Tascii "$page" | col -b \
  | awk '/^[A-Z][A-Z ]*$/ { keep = ($0 == "SYNOPSIS" || $0 == "OPTIONS"); next }
         keep' | options > "$tmp/man.opts"
status=0
only_help=$(comm -23 "$tmp/help.opts" "$tmp/man.opts" | tr '\n' ' ')
only_man=$(comm -13 "$tmp/help.opts" "$tmp/man.opts" | tr '\n' ' ')
if [ -n "$only_help" ]; then
  echo "$(basename "$page"): missing options that $(basename "$bin") --help lists: $only_help"
  status=1
fi
if [ -n "$only_man" ]; then
  echo "$(basename "$page"): lists options that $(basename "$bin") --help does not: $only_man"
  status=1
fi
[ "$status" -eq 0 ] && echo "$(basename "$page"): $(wc -l < "$tmp/help.opts") options, as in --help"
exit "$status"
