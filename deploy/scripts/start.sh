#!/usr/bin/env bash
# npm start: brings a tskube cluster up on this machine, from nothing if need be.
#   npm start                      set up the host, build what is missing, start, wait, write ./kubeconfig
#   npm start -- --rebuild         rebuild the component image from the current code and recreate containers
#   npm start -- --nodes 5         number of node containers (also TSKUBE_NODES)
#   npm start -- --tutorial-images build the images the tutorials name, too
# Settings: TSKUBE_NODES (3), TSKUBE_API_PORT (6443), TSKUBE_NODE_CPUS (2), TSKUBE_NODE_MEMORY (4g),
# TSKUBE_DATA (./.cluster: certificates and generated files).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

rebuild=0 tutorial=0
while (($#)); do
  case $1 in
    --rebuild) rebuild=1 ;;
    --nodes) TSKUBE_NODES=$2; shift ;;
    --nodes=*) TSKUBE_NODES=${1#*=} ;;
    --tutorial-images) tutorial=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown flag $1 (see npm start -- --help)" ;;
  esac
  shift
done
[[ $TSKUBE_NODES =~ ^[1-9][0-9]?$ ]] || die "--nodes must be a number from 1 to 99"
export TSKUBE_NODES
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

bash deploy/scripts/host-setup.sh

all_services() { control_plane_services; node_names; }
kubectl_bin=$(command -v kubectl || echo "$TSKUBE_DATA/tools/bin/kubectl")
kc() { "$kubectl_bin" --kubeconfig "$KUBECONFIG_OUT" --request-timeout=5s "$@"; }

# The node component that runs as a pod: "ready" when the kube-proxy DaemonSet runs a ready pod on every
# node (numberReady == desiredNumberScheduled == the number of nodes, status of the current generation),
# else what it has so far ("1/3", "missing").
kube_proxy_state() {
  local out desired ready observed generation
  out=$(kc -n kube-system get daemonset kube-proxy -o \
    'jsonpath={.status.desiredNumberScheduled}/{.status.numberReady}/{.status.observedGeneration}/{.metadata.generation}' \
    2>/dev/null) || { echo missing; return; }
  IFS=/ read -r desired ready observed generation <<<"$out"
  if [[ ${desired:-0} == "$TSKUBE_NODES" && ${ready:-0} == "$desired" && ${observed:-0} == "$generation" ]]; then
    echo ready
  else
    echo "${ready:-0}/$TSKUBE_NODES"
  fi
}

# How many Nodes report Ready (a recreated node container's Node may still carry the NotReady its absence earned).
nodes_ready() {
  kc get nodes -o 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null |
    grep -c '^True$' || true
}

# Every node component has started: the containers healthy, the apiserver ready, every Node Ready,
# kube-proxy on every node.
cluster_up() {
  apiserver_ready || return 1
  read_health
  local s
  for s in $(all_services); do [[ ${HEALTH[$s]:-missing} == healthy ]] || return 1; done
  write_kubeconfig
  [[ $(nodes_ready) == "$TSKUBE_NODES" ]] || return 1
  [[ $(kube_proxy_state) == ready ]]
}

write_kubeconfig() {
  local pki=$TSKUBE_DATA/pki
  cat >"$KUBECONFIG_OUT" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: tskube
  cluster:
    server: https://127.0.0.1:$TSKUBE_API_PORT
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: tskube-admin
  user:
    client-certificate-data: $(base64 -w0 "$pki/admin.crt")
    client-key-data: $(base64 -w0 "$pki/admin.key")
contexts:
- name: tskube
  context:
    cluster: tskube
    user: tskube-admin
    namespace: default
current-context: tskube
KCFG
  chmod 0600 "$KUBECONFIG_OUT"
}

next_steps() {
  cat <<TXT

tskube is up: $(echo "$TSKUBE_NODES") node(s), apiserver at https://127.0.0.1:$TSKUBE_API_PORT
Try:
  export KUBECONFIG=$KUBECONFIG_OUT
  kubectl get nodes
  kubectl create deployment web --image=nginx:1.14.2 --replicas=3 && kubectl get pods -o wide
Stop it with: npm stop   (add -- --purge to remove its data too)
TXT
}

if ((rebuild == 0)) && cluster_up; then
  write_kubeconfig
  say "the cluster is already up (nothing to do; npm start -- --rebuild recreates it from the current code)"
  next_steps
  exit 0
fi

# The apiserver port must be ours or free.
if ! compose ps -q apiserver 2>/dev/null | grep -q . ; then
  if ss -Hltn "sport = :$TSKUBE_API_PORT" 2>/dev/null | grep -q .; then
    owner=$(ss -Hltnp "sport = :$TSKUBE_API_PORT" 2>/dev/null | grep -o 'users:(("[^"]*"' | head -1 | cut -d'"' -f2)
    die "port $TSKUBE_API_PORT is already in use${owner:+ by $owner}: stop it or set TSKUBE_API_PORT"
  fi
fi

# Dependencies for the host-side tools and tests (kept in step with the lock file).
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies"
  # npm 11 sometimes rejects a lock file without other platforms' optional packages; install then.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error
fi

say "building images"
bash deploy/scripts/build-images.sh
if ((tutorial)) && [[ -f deploy/scripts/build-tutorial-images.sh ]]; then
  bash deploy/scripts/build-tutorial-images.sh
fi

say "certificates and kubeconfigs in $TSKUBE_DATA"
adopt_cluster_identity
TSKUBE_NODES=$TSKUBE_NODES bash deploy/scripts/pki.sh
record_cluster_identity
mkdir -p /var/lib/tskube
bash deploy/scripts/compose-nodes.sh

say "starting the cluster"
services=$(all_services | tr '\n' ' ')
if ((rebuild)); then
  compose up -d --force-recreate --no-build --remove-orphans $services >/dev/null 2>"$TSKUBE_DATA/compose-up.log" || { cat "$TSKUBE_DATA/compose-up.log" >&2; die "docker-compose up failed"; }
else
  compose up -d --no-build --remove-orphans $services >/dev/null 2>"$TSKUBE_DATA/compose-up.log" || { cat "$TSKUBE_DATA/compose-up.log" >&2; die "docker-compose up failed"; }
fi
# Nodes beyond the ones in docker-compose.yml are not in the main file; stop nodes no longer asked for.
for extra in $(compose ps --services 2>/dev/null | grep -E '^node-[0-9]+$' || true); do
  n=${extra#node-}
  ((n > TSKUBE_NODES)) && compose rm -sf "$extra" >/dev/null 2>&1 || true
done

# Wait, saying what for. The add-ons (cluster DNS, kube-proxy: plain manifests applied with kubectl, as
# kubeadm installs them) go in as soon as the apiserver answers, so their pods start while the rest comes up.
deadline=$((SECONDS + ${TSKUBE_START_TIMEOUT:-240}))
last="" addons_applied=0 addons_out=""
while :; do
  waiting=()
  read_health
  for s in $(all_services); do
    h=${HEALTH[$s]:-missing}
    [[ $h == healthy ]] || waiting+=("$s($h)")
  done
  if ! apiserver_ready; then
    waiting+=("apiserver-readyz")
  elif ((addons_applied == 0)); then
    write_kubeconfig
    if addons_out=$(kc apply -f deploy/addons/ 2>&1); then
      addons_applied=1
      [[ -t 1 ]] && printf '\r\033[K'
      say "apiserver ready, add-ons applied in $(elapsed)s"
      # Nodes no longer asked for leave the cluster, as a removed machine does (kubectl delete node):
      # the DaemonSets must not wait for them.
      for n in $(kc get nodes -o name 2>/dev/null | sed -n 's|^node/node-\([0-9][0-9]*\)$|\1|p'); do
        ((n > TSKUBE_NODES)) && kc delete node "node-$n" --wait=false >/dev/null 2>&1 || true
      done
    else
      waiting+=("add-ons(not applied)")
    fi
  fi
  if ((addons_applied)); then
    nr=$(nodes_ready)
    [[ $nr == "$TSKUBE_NODES" ]] || waiting+=("nodes-ready($nr/$TSKUBE_NODES)")
    kp=$(kube_proxy_state)
    [[ $kp == ready ]] || waiting+=("kube-proxy($kp)")
  fi
  ((${#waiting[@]} == 0)) && break
  line="waiting for: ${waiting[*]}  [$(elapsed)s]"
  if [[ -t 1 ]]; then printf '\r\033[K[tskube] %s' "$line"
  elif [[ ${waiting[*]} != "$last" ]]; then say "$line"; last=${waiting[*]}; fi
  if ((SECONDS > deadline)); then
    [[ -t 1 ]] && echo
    for s in "${waiting[@]}"; do
      s=${s%%(*}
      case $s in
        add-ons) say "--- kubectl apply -f deploy/addons/"; echo "$addons_out" | tail -15 ;;
        nodes-ready) say "--- kubectl get nodes"; kc get nodes -o wide 2>&1 | tail -15 || true ;;
        kube-proxy)
          say "--- the kube-proxy pods"
          kc -n kube-system get pods -l k8s-app=kube-proxy -o wide 2>&1 | tail -15 || true
          kc -n kube-system get events --field-selector involvedObject.kind=Pod 2>&1 | grep kube-proxy | tail -10 || true
          ;;
        *)
          [[ $s == apiserver-readyz ]] && s=apiserver
          say "--- last log lines of $s"; compose logs --tail=15 "$s" 2>&1 | tail -15 || true
          ;;
      esac
    done
    die "the cluster did not become ready in time: still waiting for ${waiting[*]}"
  fi
  sleep 0.5
done
[[ -t 1 ]] && printf '\r\033[K'
say "ready in $(elapsed)s"
next_steps
