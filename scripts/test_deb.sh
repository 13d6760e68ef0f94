#!/bin/sh
# Builds the Debian packages and installs them into a throwaway Debian 12
# root (debootstrap --variant=minbase, kept in OUT/base between runs),
# checks what an operator gets (files, users, groups, modes, conffiles, man
# pages, `ringca-topo check /etc/ringca/mesh.yaml.example` from /usr/bin),
# then purges them and checks nothing of ours is left but the users
# (Debian never removes system users). The host system is not touched.
# It also walks docs/deploy.md with the installed binaries
# (tests/deb/deploy_walk.sh). Needs root (debootstrap, chroot); `make test-deb`, run by `make test`.
set -eu
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build-deb}")
if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$out"
fi
[ -n "${RINGCA_DEB_PREBUILT:-}" ] || scripts/deb.sh "$out"
base="$out/base"
if [ ! -x "$base/usr/bin/apt-get" ]; then
  rm -rf "$base"
  echo "test-deb: debootstrap bookworm into $base (once)"
  debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian \
    > "$out/debootstrap.log" 2>&1 || {
    tail -n 20 "$out/debootstrap.log" >&2
    echo "test-deb: debootstrap failed; log in $out/debootstrap.log" >&2
    exit 1
  }
fi
root="$out/root"
cleanup() {
  # Whatever still runs inside the root (a failed walk's nodes and cables).
  for proc in /proc/[0-9]*; do
    [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ] && kill -9 "${proc#/proc/}" 2>/dev/null
  done
  sleep 0.2
  umount "$root/dev/pts" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
# RINGCA_DEB_KEEP=1 leaves the root (and its mounts) for a post-mortem.
[ -n "${RINGCA_DEB_KEEP:-}" ] || trap cleanup EXIT
cleanup
cp -a "$base" "$root"
mount -t proc proc "$root/proc"
# ptys for the deploy walk's cables.
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
ln -sf pts/ptmx "$root/dev/ptmx"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/debs"
cp "$out"/ringca-node_*.deb "$out"/ringca-signer_*.deb \
   "$out"/ringca-ceremony_*.deb "$out"/ringca-tools_*.deb "$root/debs/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            DEBIAN_FRONTEND=noninteractive "$@"; }
in_root apt-get update -qq > "$out/apt.log" 2>&1
# man-db to check `man ringca-node` as an operator would type it.
in_root sh -c "apt-get install -y -qq --no-install-recommends man-db openssl /debs/*.deb" \
  >> "$out/apt.log" 2>&1 || {
  tail -n 30 "$out/apt.log" >&2
  echo "test-deb: installing the packages failed; log in $out/apt.log" >&2
  exit 1
}

failures=0 passes=0
fail() { echo "test-deb: FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "test-deb: ok: $*"; passes=$((passes + 1)); }
expect_mode() { # PATH MODE OWNER:GROUP
  got=$(in_root stat -c '%a %U:%G' "$1" 2>/dev/null || echo missing)
  [ "$got" = "$2 $3" ] && ok "$1 $2 $3" || fail "$1 is '$got', want '$2 $3'"
}
for bin in ringca-node ringca-ctl ringca-submit ringca-signer ringca-ceremony \
           ringca-topo ringca-sim ringca-dump ringca-ptylink; do
  [ -x "$root/usr/bin/$bin" ] && ok "/usr/bin/$bin" || fail "/usr/bin/$bin missing"
  page=$(in_root man -w "$bin" 2>/dev/null || true)
  [ -n "$page" ] && ok "man $bin: $page" || fail "man $bin finds no page"
done
for page in ringca-topology ringca-profiles ringca-ceremony-plan; do
  in_root man -w 5 "$page" > /dev/null 2>&1 && ok "man 5 $page" || fail "man 5 $page"
done
in_root man ringca-node 2>/dev/null | grep -q 'relay daemon of one node' \
  && ok "man ringca-node renders" || fail "man ringca-node does not render"
for u in ringca ringca-signer; do
  in_root getent passwd "$u" > /dev/null && ok "user $u" || fail "no user $u"
done
in_root getent group ringca-spool > /dev/null && ok "group ringca-spool" || fail "no group ringca-spool"
in_root id -nG ringca | grep -qw dialout && ok "ringca in dialout" || fail "ringca not in dialout"
in_root id -nG ringca-signer | grep -qw ringca-spool \
  && ok "ringca-signer in ringca-spool" || fail "ringca-signer not in ringca-spool"
expect_mode /etc/ringca/keys 750 root:ringca
expect_mode /etc/ringca/ca 750 root:ringca-signer
expect_mode /var/lib/ringca-signer 700 ringca-signer:ringca-signer
expect_mode /var/spool/ringca 2770 ringca-signer:ringca-spool
for unit in ringca-node@.service ringca-signer.service ringca-signer.timer \
            ringca-signer-watch.service; do
  [ -f "$root/lib/systemd/system/$unit" ] && ok "unit $unit" || fail "unit $unit missing"
done
for f in /etc/ringca/mesh.yaml.example /etc/ringca/profiles.yaml; do
  in_root dpkg-query -W -f='${Conffiles}\n' ringca-node ringca-signer | grep -q " $f " \
    && ok "conffile $f" || fail "$f is not a conffile"
done
if in_root /usr/bin/ringca-topo check /etc/ringca/mesh.yaml.example; then
  ok "ringca-topo check /etc/ringca/mesh.yaml.example"
else
  fail "ringca-topo check /etc/ringca/mesh.yaml.example"
fi
in_root /usr/bin/ringca-signer check-profiles /etc/ringca/profiles.yaml \
  && ok "ringca-signer check-profiles /etc/ringca/profiles.yaml" \
  || fail "ringca-signer check-profiles /etc/ringca/profiles.yaml"

# docs/deploy.md, step by step, with the installed binaries.
cp tests/deb/deploy_walk.sh "$root/deploy_walk.sh"
if in_root sh /deploy_walk.sh; then
  ok "docs/deploy.md walked: seven nodes, ten cables, the first certificate"
else
  fail "docs/deploy.md walk (above)"
fi
rm -rf "$out/walk-logs"
cp -r "$root/run/ringca-walk/logs" "$out/walk-logs" 2>/dev/null || true

in_root apt-get purge -y -qq ringca-node ringca-signer ringca-ceremony ringca-tools \
  >> "$out/apt.log" 2>&1 || fail "purge failed (see $out/apt.log)"
left=$(cd "$root" && ls -d usr/bin/ringca-* etc/ringca/mesh.yaml.example \
       etc/ringca/profiles.yaml lib/systemd/system/ringca-* \
       usr/share/man/man*/ringca-* 2>/dev/null || true)
[ -z "$left" ] && ok "purge removed every file" || fail "left after purge: $left"

echo "test-deb: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
