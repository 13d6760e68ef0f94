#!/bin/sh
# Installs the Debian 12 packages ringca needs, and only those missing, so it
# is a no-op on a ready machine. Everything comes from apt; nothing vendored.
set -eu
PACKAGES="
build-essential cmake pkg-config git
libssl-dev openssl
libuv1-dev
libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
libserialport-dev
libcmocka-dev
libyaml-dev
clang libclang-rt-14-dev
graphviz gnutls-bin socat python3
ssss python3-cryptography
mandoc debhelper dpkg-dev lintian debootstrap
"
missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "deps: need root (or sudo) to install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
