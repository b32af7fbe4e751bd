#!/usr/bin/env bash
# Builds the images the cluster runs, without any registry: tskube/base (Debian root fs), tskube/etcd
# (Debian's etcd-server) and tskube/tskube (every component). Docker's layer cache makes a rebuild after a
# code change cost only the compile and the last layer.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
bash deploy/images/base/build.sh
build() {
  local tag=$1; shift
  local t0=$SECONDS
  docker build -q "$@" -t "$tag" . >/dev/null 2>"$TSKUBE_DATA/build-${tag//[\/:]/_}.log" || {
    tail -30 "$TSKUBE_DATA/build-${tag//[\/:]/_}.log" >&2
    die "building $tag failed"
  }
  say "image $tag ready ($((SECONDS - t0))s)"
}
mkdir -p "$TSKUBE_DATA"
# The build stages trust the same extra CAs as the host (deploy/images/host-ca/README.md).
find deploy/images/host-ca -name '*.crt' -delete
for crt in /usr/local/share/ca-certificates/*.crt; do [[ -f $crt ]] && cp "$crt" deploy/images/host-ca/; done
# Always built: a cached build takes a second, and a changed Dockerfile must reach machines that have the image.
(cd deploy/images/etcd && build tskube/etcd:3.4)
# The pod sandbox image every kubelet uses (deploy/images/pause).
if ! docker image inspect tskube/pause:3.10 >/dev/null 2>&1; then
  (cd deploy/images/pause && build tskube/pause:3.10)
fi
build tskube/tskube:dev -f deploy/images/tskube/Dockerfile
