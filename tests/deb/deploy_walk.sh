#!/bin/sh
# docs/deploy.md, walked on one machine with the installed packages: run
# as root inside the throwaway root of scripts/test_deb.sh, after the
# packages are installed. The seven machines become seven processes and
# the ten serial cables ten ringca-ptylink pty pairs (both run as user
# ringca, as the units would); every other command is the guide's own.
# Prints "deploy-walk: ok ..." lines and exits non-zero on the first step
# that fails.
set -eu
walk=/run/ringca-walk
nodes="fe1 fe2 fe3 fe4 im1 im2 root"
step() { echo "deploy-walk: $*"; }
die() {
  echo "deploy-walk: FAIL: $*" >&2
  for f in "$walk"/logs/*.log; do
    [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}
# Foreground only: a backgrounded function would leave $! naming a subshell.
as_user() { u=$1; shift; setpriv --reuid "$u" --regid "$u" --init-groups -- "$@"; }
stop_all() {
  for p in "$walk"/pids/*; do
    [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
  done
  # Every process must be gone before the caller unmounts the ptys.
  for p in "$walk"/pids/*; do
    n=0
    while [ -f "$p" ] && kill -0 "$(cat "$p")" 2>/dev/null; do
      n=$((n + 1)); [ $n -lt 100 ] || { kill -9 "$(cat "$p")" 2>/dev/null; break; }
      sleep 0.05
    done
  done
}
trap stop_all EXIT
rm -rf "$walk" && mkdir -p "$walk/tty" "$walk/logs" "$walk/pids" "$walk/certs"
chown ringca:ringca "$walk/tty"

step "2. keys and the topology"
cp /etc/ringca/mesh.yaml.example /etc/ringca/mesh.yaml
# One machine plays all seven: each port's device becomes its pty cable end
# (the only edit docs/deploy.md asks for besides the keys).
awk -v walk="$walk/tty" '
  /^  - name: / { node = $3 }
  /device: \/dev\/tty/ {
    match($0, /name: [A-Za-z0-9]+/); port = substr($0, RSTART + 6, RLENGTH - 6)
    sub(/device: \/dev\/tty[A-Za-z0-9]+/, "device: " walk "/" node "-" port)
    sub(/kind: serial/, "kind: pty")
  }
  { print }' /etc/ringca/mesh.yaml > "$walk/mesh.yaml"
mv "$walk/mesh.yaml" /etc/ringca/mesh.yaml
# shellcheck disable=SC2086
ringca-topo keys --dir /etc/ringca/keys --update /etc/ringca/mesh.yaml $nodes \
  > "$walk/logs/keys.log" 2>&1 || die "ringca-topo keys"
for n in $nodes; do chown ringca "/etc/ringca/keys/$n.key"; done
ringca-topo check /etc/ringca/mesh.yaml > "$walk/logs/check.log" 2>&1 \
  || die "ringca-topo check /etc/ringca/mesh.yaml"
[ "$(stat -c %a /etc/ringca/keys/fe1.key)" = 600 ] || die "fe1.key is not 0600"

step "3. cabling"
sed -n 's/^  - {a: \([^,]*\), b: \([^}]*\)}.*/\1 \2/p' /etc/ringca/mesh.yaml |
while read -r a b; do
  da="$walk/tty/$(echo "$a" | tr : -)" db="$walk/tty/$(echo "$b" | tr : -)"
  setpriv --reuid ringca --regid ringca --init-groups -- \
    ringca-ptylink --baud 115200 "$da" "$db" \
    > "$walk/logs/cable-$a.log" 2>&1 &
  echo $! > "$walk/pids/cable-$a"
done
n=0
until [ "$(ls "$walk/tty" | wc -l)" -eq 20 ]; do
  n=$((n + 1)); [ $n -lt 250 ] || die "the ten cables did not come up"
  sleep 0.02
done

step "4. the CA's keys on the root (a throwaway CA stands in for the ceremony's)"
ringca-signer init-dev-ca "$walk/ceremony-output" > "$walk/logs/init-dev-ca.log" 2>&1 \
  || die "init-dev-ca"
cd "$walk/ceremony-output"
install -m 0644 -o root -g ringca-signer root.pem server.pem client.pem /etc/ringca/ca/
install -m 0600 -o ringca-signer -g ringca-signer server.key client.key /etc/ringca/ca/
install -m 0600 -o ringca-signer -g ringca-signer passphrase /var/lib/ringca-signer/passphrase
cd /
ringca-signer check-profiles /etc/ringca/profiles.yaml > "$walk/logs/profiles.log" 2>&1 \
  || die "check-profiles"
setpriv --reuid ringca-signer --regid ringca-signer --init-groups -- \
  ringca-signer --watch --spool /var/spool/ringca --ca /etc/ringca/ca \
    --profiles /etc/ringca/profiles.yaml --audit /var/lib/ringca-signer/audit.log \
    --passphrase-file /var/lib/ringca-signer/passphrase > "$walk/logs/signer.log" 2>&1 &
echo $! > "$walk/pids/signer"

step "5. first start"
for n in $nodes; do
  install -d -m 0700 -o ringca -g ringca "/var/lib/ringca/$n"
  # What the unit and, on the root, its spool drop-in give the process.
  groups=dialout
  [ "$n" = root ] && groups=dialout,ringca-spool
  setpriv --reuid ringca --regid ringca --groups "$groups" -- \
    ringca-node --topology /etc/ringca/mesh.yaml --node "$n" \
      --state-dir "/var/lib/ringca/$n" --user - > "$walk/logs/$n.log" 2>&1 &
  echo $! > "$walk/pids/$n"
done
for n in $nodes; do
  end=$(( $(date +%s) + 30 ))
  until as_user ringca ringca-ctl --state-dir "/var/lib/ringca/$n" rings 2>/dev/null \
        | grep -q ' up'; do
    [ "$(date +%s)" -lt "$end" ] || die "no ring up at $n after 30 s"
    kill -0 "$(cat "$walk/pids/$n")" 2>/dev/null || die "$n exited"
    sleep 0.2
  done
done
as_user ringca ringca-ctl --state-dir /var/lib/ringca/im1 status > "$walk/logs/status-im1.log" \
  || die "ringca-ctl status im1"

step "6. the first certificate"
cd "$walk/certs"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout www.key -subj /CN=www.lab.example \
    -addext subjectAltName=DNS:www.lab.example -out www.csr 2>/dev/null
chown -R ringca "$walk/certs"
as_user ringca ringca-submit --node-socket /var/lib/ringca/fe1/ctl.sock \
    --csr www.csr --profile server --out www.pem --chain --timeout 60 \
    > "$walk/logs/submit.log" 2>&1 || die "ringca-submit (exit $?)"
openssl verify -CAfile /etc/ringca/ca/root.pem -untrusted www.pem www.pem \
  > "$walk/logs/verify.log" 2>&1 || die "openssl verify"
ringca-signer verify-log /var/lib/ringca-signer/audit.log > "$walk/logs/verify-log.log" 2>&1 \
  || die "ringca-signer verify-log"
step "ok: the first certificate, issued through seven nodes and ten cables, verifies"
