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
run_node_tests "$suite" "${files[@]}"
