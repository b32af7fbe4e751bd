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
  # Two tutorials at a time, each in its own namespace (their cluster-wide steps do not overlap: see
  # test/tutorials/README.md). The longest (002: kubia ignores SIGTERM, so every deletion takes its full
  # 30 s grace period) goes first, and the others share the second lane.
  export TSKUBE_TEST_CONCURRENCY=${TSKUBE_TEST_CONCURRENCY:-2}
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -- '/002-'; printf '%s\n' "${files[@]}" | grep -v -- '/002-')
fi
run_node_tests "$suite" "${files[@]}"
