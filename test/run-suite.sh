#!/usr/bin/env bash
# One suite of test/: integration (real etcd / Docker, started by the tests themselves) or e2e and chaos
# (the compose cluster, driven by the real kubectl; brought up with npm start when it is not up).
#   bash test/run-suite.sh e2e [file-filter]
#   bash test/run-suite.sh tutorials   the tutorial suites (test/tutorials; not yet part of npm test: see README)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/lib/suite.sh
suite=${1:?usage: run-suite.sh integration|e2e|chaos [filter]}
filter=${2:-}
build_ts
if [[ $suite == e2e || $suite == chaos || $suite == tutorials ]]; then
  bash deploy/scripts/start.sh
fi
mapfile -t files < <(find "dist/test/$suite" -name '*.test.js' 2>/dev/null | grep -- "$filter" | sort)
if [[ $suite == tutorials && ${#files[@]} -gt 1 ]]; then
  # Two lanes of tutorials at once, each tutorial in its own namespace: 002 (the longest: kubia ignores
  # SIGTERM, so every deletion takes its full 30 s grace period) then 003 in one, 000, 001, 004 in the other.
  # Their cluster-wide steps do not collide across the lanes (test/tutorials/README.md says which).
  # Two node processes rather than --test-concurrency, which does not keep the order of the files.
  lane_a=() lane_b=()
  for f in "${files[@]}"; do
    if [[ $f == */002-* || $f == */003-* ]]; then lane_a+=("$f"); else lane_b+=("$f"); fi
  done
  if ((${#lane_a[@]} && ${#lane_b[@]})); then
    out_a=$(mktemp)
    run_node_tests "$suite-lane-a" "${lane_a[@]}" >"$out_a" 2>&1 &
    pid_a=$!
    rc=0
    run_node_tests "$suite-lane-b" "${lane_b[@]}" || rc=$?
    wait "$pid_a" || rc=$?
    echo "=== $suite: the other lane (${lane_a[*]##*/})"
    cat "$out_a"
    rm -f "$out_a"
    exit "$rc"
  fi
fi
run_node_tests "$suite" "${files[@]}"
