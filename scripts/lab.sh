#!/bin/sh
# The pty lab: the canonical mesh of topology/examples/lab.yaml as separate
# real processes on one machine. Sourced by scripts/demo.sh (make demo) and
# by the lab integration test; it can also be driven by hand:
#
#   . scripts/lab.sh; lab_init build /tmp/mylab; lab_cables_up
#   lab_signer_start; for n in root im1 im2 fe1; do lab_node_start $n; done
#   lab_ctl fe1 status; lab_submit fe1 server www.lab.example; lab_down
# (docs/operations.md, "The lab", has a longer session.)
#
# Layout of a run directory (everything the lab makes stays inside it):
#   lab.yaml        the topology with device paths and fresh keys rewritten
#   keys/NODE.key   fresh node keys (ringca-topo keys)
#   tty/NODE-PEER   pty cable ends published by ringca-ptylink
#   state/NODE/     control socket, TRIPPED marker, audit.jsonl
#   ca/ spool/      throwaway CA (ringca-signer init-dev-ca) and its spool
#   logs/           one log per process      pids/  one pid file per process
#   certs/          CSRs, keys and certificates the lab requested
#
# Why ringca-node-lab: the fault injection the demo needs is compiled only
# into the lab binary (RINGCA_LAB); the production ringca-node refuses it.

lab_die() { printf 'lab: %s\n' "$*" >&2; exit 1; }

# lab_init BUILD_DIR RUN_DIR: tools, topology copy, keys, CA, spool.
lab_init() {
  LAB_BUILD=$(cd "$1" && pwd)
  LAB_RUN=$2
  # The source tree: LAB_TOP, else the tree of the script sourcing us
  # (demo.sh), else the current directory (sourced by hand from the tree).
  if [ -z "${LAB_TOP:-}" ]; then
    if [ -f "$(dirname "$0")/../scripts/lab.sh" ]; then
      LAB_TOP=$(cd "$(dirname "$0")/.." && pwd)
    elif [ -f scripts/lab.sh ]; then
      LAB_TOP=$(pwd)
    else
      lab_die "set LAB_TOP to the ringca source tree"
    fi
  fi
  mkdir -p "$LAB_RUN" && LAB_RUN=$(cd "$LAB_RUN" && pwd)
  LAB_NODE=$LAB_BUILD/relay/runtime/ringca-node-lab
  LAB_CTL=$LAB_BUILD/relay/runtime/ringca-ctl
  LAB_PTYLINK=$LAB_BUILD/relay/runtime/ringca-ptylink
  LAB_TOPO=$LAB_BUILD/topology/ringca-topo
  LAB_SIGNER=$LAB_BUILD/signer/ringca-signer
  LAB_SUBMIT=$LAB_BUILD/frontend/ringca-submit
  for t in "$LAB_NODE" "$LAB_CTL" "$LAB_PTYLINK" "$LAB_TOPO" "$LAB_SIGNER" \
           "$LAB_SUBMIT"; do
    [ -x "$t" ] || lab_die "missing $t (build first)"
  done
  mkdir -p "$LAB_RUN/keys" "$LAB_RUN/tty" "$LAB_RUN/state" "$LAB_RUN/logs" \
           "$LAB_RUN/pids" "$LAB_RUN/certs"
  # Device paths point into this run's tty/ directory, whatever directory
  # the example names; everything else is the example verbatim.
  sed -E "s#(device:[[:space:]]*)[^,}[:space:]]*/([^/,}[:space:]]+)#\\1$LAB_RUN/tty/\\2#" \
      "$LAB_TOP/topology/examples/lab.yaml" > "$LAB_RUN/lab.yaml"
  "$LAB_TOPO" show "$LAB_RUN/lab.yaml" --json > "$LAB_RUN/mesh.json" ||
    lab_die "lab.yaml does not load"
  LAB_NODES=$(python3 -c 'import json,sys
print(" ".join(n["name"] for n in json.load(open(sys.argv[1]))["nodes"]))' \
      "$LAB_RUN/mesh.json")
  # shellcheck disable=SC2086
  "$LAB_TOPO" keys --dir "$LAB_RUN/keys" --force --update "$LAB_RUN/lab.yaml" \
      $LAB_NODES > "$LAB_RUN/logs/keys.log" 2>&1 || lab_die "ringca-topo keys failed"
  "$LAB_TOPO" check "$LAB_RUN/lab.yaml" > "$LAB_RUN/logs/check.log" 2>&1 ||
    lab_die "lab.yaml with fresh keys does not check (logs/check.log)"
  LAB_ROOT=$(python3 -c 'import json,sys
print([n["name"] for n in json.load(open(sys.argv[1]))["nodes"] if n["role"]=="root"][0])' \
      "$LAB_RUN/mesh.json")
  umask 077
  printf 'lab passphrase %s\n' "$$" > "$LAB_RUN/passphrase"
  "$LAB_SIGNER" init-dev-ca "$LAB_RUN/ca" --passphrase-file "$LAB_RUN/passphrase" \
      > "$LAB_RUN/logs/init-dev-ca.log" 2>&1 || lab_die "init-dev-ca failed"
  mkdir -p "$LAB_RUN/spool"
}

# The pty cables, one ringca-ptylink per topology link, paced at its baud.
lab_cables_up() {
  python3 -c 'import json,sys
m=json.load(open(sys.argv[1]))
dev={}
for n in m["nodes"]:
    for p in n["ports"]:
        dev[n["name"]+":"+p["name"]]=p["device"]
for i,l in enumerate(m["links"]):
    print(i, l["a"], l["b"], dev[l["a"]], dev[l["b"]], l["baud"])' \
      "$LAB_RUN/mesh.json" > "$LAB_RUN/cables"
  while read -r i a b da db baud; do
    lab_cable_up "$i"
  done < "$LAB_RUN/cables"
}

# lab_cable_up INDEX: (re)lays one cable.
lab_cable_up() {
  set -- $(awk -v i="$1" '$1 == i' "$LAB_RUN/cables")
  [ $# -eq 6 ] || lab_die "no cable $1"
  "$LAB_PTYLINK" --baud "$6" "$4" "$5" > "$LAB_RUN/logs/cable$1.log" 2>&1 &
  echo $! > "$LAB_RUN/pids/cable$1"
  n=0
  while [ ! -e "$4" ] || [ ! -e "$5" ]; do
    n=$((n + 1)); [ $n -lt 200 ] || lab_die "cable $1 ($2 -- $3) did not come up"
    sleep 0.02
  done
}

# lab_cut NODE_A NODE_B: kills the helper of the cable between two nodes.
lab_cut() {
  i=$(awk -v a="$1" -v b="$2" '{ split($2, x, ":"); split($3, y, ":");
        if ((x[1] == a && y[1] == b) || (x[1] == b && y[1] == a)) print $1 }' \
      "$LAB_RUN/cables")
  [ -n "$i" ] || lab_die "no cable between $1 and $2"
  lab_stop_pid "cable$i"
}

lab_stop_pid() {
  f=$LAB_RUN/pids/$1
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  n=0
  while kill -0 "$pid" 2>/dev/null; do
    n=$((n + 1))
    [ $n -lt 250 ] || { kill -9 "$pid" 2>/dev/null || true; break; }
    sleep 0.02
  done
  wait "$pid" 2>/dev/null || true
  rm -f "$f"
}

# lab_node_start NAME: one ringca-node-lab process in the background; its
# exit status lands in pids/NAME.exit when it stops (3 = tripped).
lab_node_start() {
  node=$1
  rm -f "$LAB_RUN/pids/$node.exit"
  extra=""
  [ "$node" = "$LAB_ROOT" ] && extra="--spool $LAB_RUN/spool"
  (
    # shellcheck disable=SC2086
    "$LAB_NODE" --topology "$LAB_RUN/lab.yaml" --node "$node" \
        --key "$LAB_RUN/keys/$node.key" --state-dir "$LAB_RUN/state/$node" \
        --user - $extra >> "$LAB_RUN/logs/$node.log" 2>&1 &
    echo $! > "$LAB_RUN/pids/$node"
    status=0
    wait $! || status=$?   # the caller may run under set -e
    echo $status > "$LAB_RUN/pids/$node.exit"
  ) 2>> "$LAB_RUN/logs/$node.log" &   # the shell's "Killed" goes to the log
  n=0
  while [ ! -s "$LAB_RUN/pids/$node" ]; do
    n=$((n + 1)); [ $n -lt 100 ] || lab_die "$node did not start"
    sleep 0.01
  done
}

# lab_node_exit NAME: "running", or the exit status of a stopped node.
lab_node_exit() {
  if [ -s "$LAB_RUN/pids/$1.exit" ]; then cat "$LAB_RUN/pids/$1.exit"; return; fi
  pid=$(cat "$LAB_RUN/pids/$1" 2>/dev/null) || { echo gone; return; }
  if kill -0 "$pid" 2>/dev/null; then echo running; return; fi
  sleep 0.1
  cat "$LAB_RUN/pids/$1.exit" 2>/dev/null || echo gone
}

# lab_signer_start [ARGS...]: ringca-signer --watch on the lab's spool;
# extra arguments (e.g. --profiles FILE) are passed on.
lab_signer_start() {
  "$LAB_SIGNER" --watch --spool "$LAB_RUN/spool" --ca "$LAB_RUN/ca" \
      --audit "$LAB_RUN/signer-audit.log" \
      --passphrase-file "$LAB_RUN/passphrase" "$@" \
      > "$LAB_RUN/logs/signer.log" 2>&1 &
  echo $! > "$LAB_RUN/pids/signer"
}

lab_ctl() {
  node=$1
  shift
  "$LAB_CTL" --state-dir "$LAB_RUN/state/$node" "$@"
}

# lab_wait_rings NODE SECONDS RING...: until every ring is up at NODE.
lab_wait_rings() {
  node=$1 secs=$2
  shift 2
  end=$(( $(date +%s) + secs ))
  while :; do
    js=$(lab_ctl "$node" --json rings 2>/dev/null) && ok=1 || ok=0
    if [ $ok = 1 ]; then
      missing=$(printf '%s' "$js" | python3 -c 'import json,sys
up={r["ring"] for r in json.load(sys.stdin)["rings"] if r["up"]}
print(" ".join(r for r in sys.argv[1:] if r not in up))' "$@")
      [ -z "$missing" ] && return 0
    fi
    st=$(lab_node_exit "$node")
    [ "$st" = running ] || {
      printf 'lab: %s exited (status %s) before its rings came up\n' \
          "$node" "$st" >&2
      return 1
    }
    [ "$(date +%s)" -lt "$end" ] || {
      printf 'lab: rings not up at %s after %ss: %s\n' "$node" "$secs" \
          "${missing:-control socket unreachable}" >&2
      return 1
    }
    sleep 0.2
  done
}

# lab_wait_exit NODE SECONDS: until the node process has exited.
lab_wait_exit() {
  end=$(( $(date +%s) + $2 ))
  while [ "$(lab_node_exit "$1")" = running ]; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.2
  done
  return 0
}

# lab_submit FE PROFILE CN: a real openssl CSR through the front-end's
# control socket; the certificate is verified against the lab CA.
lab_submit() {
  fe=$1 profile=$2 cn=$3
  base=$LAB_RUN/certs/$fe-$cn
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$base.key" -subj "/CN=$cn" \
      -addext "subjectAltName=DNS:$cn" -out "$base.csr" 2>/dev/null ||
    lab_die "openssl req failed"
  "$LAB_SUBMIT" --node-socket "$LAB_RUN/state/$fe/ctl.sock" --csr "$base.csr" \
      --profile "$profile" --out "$base.pem" --timeout 60 \
      2>> "$LAB_RUN/logs/submit.log" || return $?
  openssl verify -CAfile "$LAB_RUN/ca/root.pem" \
      -untrusted "$LAB_RUN/ca/$profile.pem" "$base.pem"
}

lab_down() {
  for f in "$LAB_RUN"/pids/*; do
    case $f in *.exit) continue ;; esac
    [ -e "$f" ] || continue
    lab_stop_pid "$(basename "$f")"
  done
}
