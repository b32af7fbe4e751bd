# Shared settings and helpers for the cluster scripts (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export TSKUBE_DATA=${TSKUBE_DATA:-$ROOT/.cluster}
export TSKUBE_NODES=${TSKUBE_NODES:-3}
export TSKUBE_API_PORT=${TSKUBE_API_PORT:-6443}
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-tskube}
KUBECONFIG_OUT=${TSKUBE_KUBECONFIG:-$ROOT/kubeconfig}
NODES_FILE="$TSKUBE_DATA/docker-compose.nodes.yml"

say() { printf '[tskube] %s\n' "$*"; }
die() { printf '[tskube] error: %s\n' "$*" >&2; exit 1; }

# The compose command with the generated file for node-4.. when more than 3 nodes are asked for.
compose() {
  local files=(-f "$ROOT/docker-compose.yml")
  [[ -f "$NODES_FILE" ]] && files+=(-f "$NODES_FILE")
  docker-compose --project-directory "$ROOT" "${files[@]}" "$@"
}

node_names() { for i in $(seq 1 "$TSKUBE_NODES"); do echo "node-$i"; done; }
control_plane_services() { echo etcd-1 etcd-2 etcd-3 apiserver scheduler scheduler-2 controller-manager controller-manager-2; }

# readyz of the apiserver through the published port, checked against the cluster CA.
apiserver_ready() {
  [[ -f "$TSKUBE_DATA/pki/ca.crt" ]] || return 1
  curl -fsS --max-time 2 --cacert "$TSKUBE_DATA/pki/ca.crt" "https://127.0.0.1:$TSKUBE_API_PORT/readyz" >/dev/null 2>&1
}

# Health of every service's container in one engine call (docker-compose ps costs a second a call):
# fills the associative array HEALTH[service]=healthy|starting|unhealthy|running|exited.
declare -gA HEALTH
read_health() {
  HEALTH=()
  local svc status
  while read -r svc status; do
    [[ -n $svc ]] || continue
    HEALTH[$svc]=$status
  done < <(docker ps -a --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
    --format '{{.Label "com.docker.compose.service"}} {{.Status}}' 2>/dev/null |
    sed -E 's/ Up .*\((healthy|unhealthy|health: starting)\).*/ \1/; s/ Up .*/ running/; s/ (Exited|Created|Restarting|Dead).*/ exited/; s/health: starting/starting/')
}
service_health() {
  read_health
  echo "${HEALTH[$1]:-missing}"
}

# The cluster's identity (its CA, service-account key and credentials) belongs with its data, and both are
# the machine's: the etcd volumes are named by the compose project, not by the clone that made them. A
# second clone of the repository (a CI checkout, say) must not start the existing data under certificates of
# its own: every service-account token in it would be refused and every pod's CA be wrong. So the
# certificates are kept beside the volumes too, and a clone without them, or with others, takes them over.
MACHINE_PKI=/var/lib/tskube/identity
etcd_volumes_exist() { docker volume inspect "${COMPOSE_PROJECT_NAME}_etcd-1" >/dev/null 2>&1; }
adopt_cluster_identity() {
  [[ -f $MACHINE_PKI/pki/ca.crt ]] || return 0
  if ! etcd_volumes_exist; then
    rm -rf "$MACHINE_PKI" # the data it belonged to is gone
    return 0
  fi
  cmp -s "$MACHINE_PKI/pki/ca.crt" "$TSKUBE_DATA/pki/ca.crt" 2>/dev/null && return 0
  say "this machine's cluster data was made with other certificates (another clone of tskube?): using them"
  rm -rf "$TSKUBE_DATA/pki" "$TSKUBE_DATA/kubeconfigs"
  mkdir -p "$TSKUBE_DATA"
  cp -a "$MACHINE_PKI/pki" "$MACHINE_PKI/kubeconfigs" "$TSKUBE_DATA/"
}
record_cluster_identity() {
  cmp -s "$MACHINE_PKI/pki/ca.crt" "$TSKUBE_DATA/pki/ca.crt" 2>/dev/null && return 0
  rm -rf "$MACHINE_PKI"
  mkdir -p "$MACHINE_PKI"
  chmod 700 "$MACHINE_PKI"
  cp -a "$TSKUBE_DATA/pki" "$TSKUBE_DATA/kubeconfigs" "$MACHINE_PKI/"
}
