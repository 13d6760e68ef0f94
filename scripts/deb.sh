#!/bin/sh
# Builds ringca's Debian packages from this tree into OUT (default
# build-deb/): dpkg-buildpackage -us -uc -b on a copy of the tree, so the
# source directory stays clean, then lintian over the result. Used by
# `make deb` and by scripts/test_deb.sh.
set -eu
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-deb}")
version=$(dpkg-parsechangelog -S Version)
src="$out/ringca-$version"
rm -rf "$src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$src"
# The tree as it is (uncommitted changes included), without build trees.
tar --exclude-vcs --exclude='./build' --exclude='./build-*' --exclude='./lab-run' \
    -cf - . | tar -C "$src" -xf -
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") > "$out/build.log" 2>&1 || {
  tail -n 40 "$out/build.log" >&2
  echo "deb: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
  exit 1
}
rm -rf "$src"
ls "$out"/*.deb
# Errors fail the build; the warnings kept are listed in docs/deploy.md.
lintian --fail-on error --suppress-tags-from-file debian/lintian-kept "$out"/*.changes
