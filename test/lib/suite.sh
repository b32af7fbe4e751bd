# Helpers for the test scripts (sourced).
# build_ts: compile the whole tree to dist/ (type errors fail the run).
build_ts() {
  if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    # npm 11 sometimes rejects a lock file without other platforms' optional packages; install then.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
  node_modules/.bin/tsc -p tsconfig.json
}

# run_node_tests NAME FILE...: runs node's test runner on the files; appends "NAME passed failed" to
# $TSKUBE_TEST_COUNTS (when set) and fails when a test failed or when there was no test at all. Tests marked
# `todo` (a known gap, named in the test) count neither as passed nor as failed; they are reported apart.
run_node_tests() {
  local name=$1; shift
  if (($# == 0)); then
    echo "[$name] no test files found: a suite with no test is a failure" >&2
    [[ -n ${TSKUBE_TEST_COUNTS:-} ]] && echo "$name 0 1 0" >>"$TSKUBE_TEST_COUNTS"
    return 1
  fi
  local tap
  tap=$(mktemp)
  local rc=0
  node --test --test-concurrency="${TSKUBE_TEST_CONCURRENCY:-1}" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$@" || rc=$?
  local pass fail todo
  pass=$(grep -E '^# pass [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  fail=$(grep -E '^# fail [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  todo=$(grep -E '^# todo [0-9]+' "$tap" | tail -1 | awk '{print $3}')
  rm -f "$tap"
  pass=${pass:-0} fail=${fail:-0} todo=${todo:-0}
  if ((rc != 0 && fail == 0)); then fail=1; fi
  [[ -n ${TSKUBE_TEST_COUNTS:-} ]] && echo "$name $pass $fail $todo" >>"$TSKUBE_TEST_COUNTS"
  echo "[$name] $pass passed, $fail failed$( ((todo)) && echo ", $todo todo (known gaps, not counted as passed)")"
  return "$rc"
}
