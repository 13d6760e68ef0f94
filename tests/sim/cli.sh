#!/bin/sh
# ringca-sim's documented exit codes and messages: 0 held, 1 an invariant
# or expectation failed, 2 usage or input error naming file:line:col.
set -u
sim=$1
src=$2
topo=$src/topology/examples/canonical.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { # code, then the command
  want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
  [ "$got" -eq "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "$* exited $got, wanted $want"; }
}
expect 0 "$sim" --help
grep -q "ringca-sim sweep --topology" "$tmp/out" || fail "--help lacks an example"
expect 2 "$sim" --seed 1
expect 2 "$sim" --topology "$topo" --seed 1
expect 2 "$sim" --topology "$topo" --seed x --random
expect 2 "$sim" --topology "$topo" --seed 1 --scenario "$src/tests/fuzz/corpus/scenario/bad_ber"
grep -q "bad_ber:3:45: ber" "$tmp/err" || fail "no file:line:col for a bad scenario"
expect 2 "$sim" --topology "$topo" --seed 1 --random --report "$tmp/r.txt"
grep -q "must end in .md, .json or .svg" "$tmp/err" || fail "bad report name not explained"
# a story whose expectation is wrong: exit 1 and the unmet claim printed
cat >"$tmp/wrong.yaml" <<'YAML'
name: wrong-claim
duration: 20s
steps:
  - {at: 0s, do: load, rate: 6}
expect:
  trips: {root: any}
YAML
expect 1 "$sim" --topology "$topo" --seed 1 --scenario "$tmp/wrong.yaml"
grep -q "EXPECTATION not met: root should have tripped" "$tmp/out" || fail "unmet expectation not printed"
# the same inputs give byte-identical outputs
expect 0 "$sim" --topology "$topo" --seed 3 --random --duration 30s \
  --report "$tmp/a.md" --report "$tmp/a.json" --report "$tmp/a.svg" --trace "$tmp/a.trace" \
  --write-scenario "$tmp/a.yaml"
expect 0 "$sim" --topology "$topo" --seed 3 --scenario "$tmp/a.yaml" \
  --report "$tmp/b.json" --trace "$tmp/b.trace"
expect 0 "$sim" --topology "$topo" --seed 3 --random --duration 30s \
  --report "$tmp/c.md" --report "$tmp/c.json" --report "$tmp/c.svg" --trace "$tmp/c.trace"
for f in md json svg trace; do cmp -s "$tmp/a.$f" "$tmp/c.$f" || fail "a.$f differs between identical runs"; done
cmp -s "$tmp/a.trace" "$tmp/b.trace" || fail "a written-back scenario does not replay the same run"
echo "cli: ok"
