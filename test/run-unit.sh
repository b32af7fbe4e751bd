#!/usr/bin/env bash
# Unit tests: every *.test.ts next to the code (no Docker, no cluster), compiled then run with node's
# test runner. Prints node's summary and leaves the counts in $TSKUBE_TEST_COUNTS when set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/lib/suite.sh
build_ts
mapfile -t files < <(find dist -name '*.test.js' -not -path 'dist/test/*' -not -path 'dist/bench/*' | sort)
run_node_tests unit "${files[@]}"
