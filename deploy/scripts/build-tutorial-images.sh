#!/usr/bin/env bash
# Builds the tutorial images (deploy/images/tutorial/images.list) under the names the tutorials use,
# without any registry: everything is FROM tskube/base:bookworm, Debian packages and small apps of our own.
#
#   build-tutorial-images.sh           build what is missing or out of date (fast when all are there)
#   build-tutorial-images.sh --force   rebuild everything, without Docker's layer cache
#
# An image is up to date when it carries the label tskube.tutorial.hash of the current inputs (the files
# of deploy/images/tutorial, the base image, the node binary). Images of one stage build in parallel;
# one build per line of images.list, its other names tagged from it. Logs: $TSKUBE_DATA/tutorial-build/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

DIR=deploy/images/tutorial
LIST=$DIR/images.list
BASE=${TSKUBE_BASE_IMAGE:-tskube/base:bookworm}
LABEL=tskube.tutorial.hash
NODE_BIN=${TSKUBE_TUTORIAL_NODE:-/usr/bin/node}
JOBS=${TSKUBE_BUILD_JOBS:-4}
LOGS=$TSKUBE_DATA/tutorial-build

force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $arg (try --help)" ;;
  esac
done

t_start=$SECONDS
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (is it running? may this user use it?)"
[[ -x $NODE_BIN ]] || die "no node binary at $NODE_BIN (set TSKUBE_TUTORIAL_NODE): the app images copy the host's node"
docker image inspect "$BASE" >/dev/null 2>&1 || bash deploy/images/base/build.sh
mkdir -p "$LOGS"

# The inputs' fingerprint: any change to them makes every image out of date (Docker's cache keeps the
# rebuild of unchanged layers instant).
hash=$(
  {
    (cd "$DIR" && find . -type f ! -name '*.test.ts' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    docker image inspect -f '{{.Id}}' "$BASE"
    "$NODE_BIN" --version
    stat -c '%s %Y' "$NODE_BIN"
  } | sha256sum | cut -c1-16
)

# Images already built from these inputs, with their sizes.
declare -A current=()
while IFS=$'\t' read -r name size; do
  current[$name]=$size
done < <(docker images --filter "label=$LABEL=$hash" --format '{{.Repository}}:{{.Tag}}\t{{.Size}}')

# The lines of images.list, and the names that must stay absent.
lines=()
absent=()
while read -r stage rest; do
  [[ -z $stage || $stage == \#* ]] && continue
  if [[ $stage == absent ]]; then
    read -r -a absent <<<"$rest"
  else
    lines+=("$stage $rest")
  fi
done <"$LIST"

node_ctx=""
cleanup() { [[ -n $node_ctx ]] && rm -rf "$node_ctx"; return 0; }
trap cleanup EXIT

# The node image's context: the host's node binary and the apps compiled by tsc.
prepare_node_context() {
  node_ctx=$(mktemp -d "${TMPDIR:-/tmp}/tskube-tutorial-node.XXXXXX")
  local tsc=node_modules/.bin/tsc
  [[ -x $tsc ]] || die "TypeScript is missing (run npm ci first): the tutorial apps are compiled from $DIR/apps"
  "$tsc" -p "$DIR/apps/tsconfig.json" --outDir "$node_ctx/apps" >"$LOGS/apps-tsc.log" 2>&1 || {
    tail -30 "$LOGS/apps-tsc.log" >&2
    die "compiling the tutorial apps ($DIR/apps) failed"
  }
  cp "$DIR/apps/package.json" "$node_ctx/apps/"
  cp "$DIR/node/"* "$node_ctx/"
  cp "$NODE_BIN" "$node_ctx/node"
}

# Builds one line: stage, recipe, build args, names. Prints a line per name.
build_line() {
  local stage=$1 recipe=$2 args=$3
  shift 3
  local names=("$@") first=$1 ctx=$DIR/$recipe t0=$SECONDS
  local log=$LOGS/${first//[\/:]/_}.log
  [[ $recipe == node ]] && ctx=$node_ctx
  local opts=(-q --label "$LABEL=$hash" -t "$first")
  ((force)) && opts+=(--no-cache)
  if [[ $args != - ]]; then
    local kv
    IFS=, read -r -a kvs <<<"$args"
    for kv in "${kvs[@]}"; do opts+=(--build-arg "$kv"); done
  fi
  if ! docker build "${opts[@]}" "$ctx" >"$log" 2>&1; then
    printf '[tskube] error: building %s (stage %s, %s) failed; the end of %s:\n' "$first" "$stage" "$DIR/$recipe" "$log" >&2
    tail -15 "$log" | sed 's/^/    /' >&2
    return 1
  fi
  local n
  for n in "${names[@]:1}"; do docker tag "$first" "$n" || return 1; done
  local size
  size=$(docker images --format '{{.Size}}' "$first")
  say "image $first built ($((SECONDS - t0))s, $size)"
  for n in "${names[@]:1}"; do say "image $n tagged (same image as $first)"; done
}

built=0
for stage in $(printf '%s\n' "${lines[@]}" | awk '{print $1}' | sort -un); do
  failed=0
  running=0
  for line in "${lines[@]}"; do
    read -r s recipe args names <<<"$line"
    [[ $s == "$stage" ]] || continue
    read -r -a names <<<"$names"
    missing=0
    for n in "${names[@]}"; do [[ -n ${current[$n]:-} ]] || missing=1; done
    if ((!force && !missing)); then
      for n in "${names[@]}"; do say "image $n up to date (${current[$n]})"; done
      continue
    fi
    [[ $recipe == node && -z $node_ctx ]] && prepare_node_context
    built=$((built + ${#names[@]}))
    build_line "$s" "$recipe" "$args" "${names[@]}" &
    running=$((running + 1))
    if ((running >= JOBS)); then
      wait -n || failed=1
      running=$((running - 1))
    fi
  done
  while ((running > 0)); do
    wait -n || failed=1
    running=$((running - 1))
  done
  ((failed)) && die "tutorial images: stage $stage failed (see the messages above)"
done

# The tutorials use these names as broken images on purpose (ErrImagePull): they must not exist.
for n in "${absent[@]}"; do
  if docker image inspect "$n" >/dev/null 2>&1; then
    docker rmi "$n" >/dev/null
    say "image $n removed: the tutorials use it as a broken image"
  fi
done

# Earlier builds of ours that no name points to any more (Docker keeps them after a rebuild).
stale=$(docker images -q --filter dangling=true --filter "label=$LABEL")
[[ -z $stale ]] || docker rmi $stale >/dev/null 2>&1 || true

say "tutorial images ready: $built built or tagged in $((SECONDS - t_start))s"
