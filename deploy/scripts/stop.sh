#!/usr/bin/env bash
# npm stop: removes the cluster's containers and network. Keeps its data (etcd volumes, certificates)
# unless --purge is given, so that the next npm start finds every object again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
purge=0
for a in "$@"; do
  case $a in
    --purge) purge=1 ;;
    -h|--help) echo "npm stop [-- --purge]"; exit 0 ;;
    *) die "unknown flag $a" ;;
  esac
done
command -v docker-compose >/dev/null || die "docker-compose is not installed: nothing to stop"
timeout 5 docker version >/dev/null 2>&1 || die "the Docker engine does not answer"
if ((purge)); then
  compose down -v --remove-orphans -t 5
else
  compose down --remove-orphans -t 5
fi
# Pod containers are created by the kubelets on the host engine, outside compose: remove them too.
pods=$(docker ps -aq --filter label=io.tskube.cluster="$COMPOSE_PROJECT_NAME" 2>/dev/null || true)
[[ -n "$pods" ]] && docker rm -f $pods >/dev/null
if ((purge)); then
  rm -rf "$TSKUBE_DATA" "$KUBECONFIG_OUT" /var/lib/tskube/volumes "$MACHINE_PKI"
  say "cluster removed with its data"
else
  say "cluster removed (data kept in $TSKUBE_DATA and the etcd volumes; npm stop -- --purge removes it)"
fi
