#!/usr/bin/env bash
# apiserver benchmark (issue 4). Compiles nothing: run `npx tsc -p tsconfig.json` first (or point
# TSKUBE_DIST at another tsc output folder). Starts a private 3-member etcd cluster (containers
# bench-etcd-1..3 from the local image tskube/etcd:3.4 on the Docker network bench-etcd), makes throw-away
# certificates with openssl, runs bench/apiserver/run.js (which runs the apiserver as a child process on
# 127.0.0.1), and removes the containers, the network and the certificates at the end. The compose
# cluster is not touched.
#   npx tsc -p tsconfig.json && bash bench/apiserver/run.sh [--nice] [--cpu-prof] [--seconds 10] [--rounds 50] ...
# --nice (root only) runs the etcd members, the apiserver and the clients at nice -10, so that other work on
# a shared machine disturbs the figures less; every other option goes to run.js (see --help).
# Results: printed, and written to bench/apiserver/RESULTS.md (--results FILE to change).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DIST=${TSKUBE_DIST:-dist}
NET=bench-etcd
IMAGE=tskube/etcd:3.4
if [[ ${1:-} == --help || ${1:-} == -h ]]; then
  exec node "$DIST/bench/apiserver/run.js" --help
fi
nice=0
args=()
for a in "$@"; do
  if [[ $a == --nice ]]; then nice=1; else args+=("$a"); fi
done
[[ -f $DIST/bench/apiserver/run.js && -f $DIST/apiserver/main.js ]] ||
  { echo "bench/apiserver: $DIST/bench/apiserver/run.js missing: run 'npx tsc -p tsconfig.json' first" >&2; exit 1; }
docker image inspect "$IMAGE" >/dev/null 2>&1 ||
  { echo "bench/apiserver: image $IMAGE missing (npm run images)" >&2; exit 1; }

tmp=$(mktemp -d)
cleanup() {
  docker rm -f -v bench-etcd-1 bench-etcd-2 bench-etcd-3 >/dev/null 2>&1 || true
  docker network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cleanup_old() { docker rm -f -v bench-etcd-1 bench-etcd-2 bench-etcd-3 >/dev/null 2>&1 || true; docker network rm "$NET" >/dev/null 2>&1 || true; }
cleanup_old

# Certificates in the layout of deploy/scripts/pki.sh (ca, apiserver serving cert for 127.0.0.1, admin in
# system:masters, service-account keys).
pki=$tmp/pki
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=bench-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
issue() {
  local name=$1 subj=$2 ext=$3
  openssl req -new -newkey rsa:2048 -nodes -subj "$subj" -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 2 -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -out "$pki/$name.crt" -extfile <(printf '%s\n' "$ext") 2>/dev/null
}
issue apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
issue admin "/O=system:masters/CN=kubernetes-admin" "basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

# The etcd cluster: the same flags as docker-compose.yml, one anonymous volume per member (removed with -v).
docker network create "$NET" >/dev/null
cluster=bench-etcd-1=http://bench-etcd-1:2380,bench-etcd-2=http://bench-etcd-2:2380,bench-etcd-3=http://bench-etcd-3:2380
for i in 1 2 3; do
  docker run -d --name "bench-etcd-$i" --hostname "bench-etcd-$i" --network "$NET" -v /var/lib/etcd "$IMAGE" \
    --name="bench-etcd-$i" --data-dir=/var/lib/etcd \
    --listen-client-urls=http://0.0.0.0:2379 --advertise-client-urls="http://bench-etcd-$i:2379" \
    --listen-peer-urls=http://0.0.0.0:2380 --initial-advertise-peer-urls="http://bench-etcd-$i:2380" \
    --initial-cluster="$cluster" --initial-cluster-state=new --initial-cluster-token=bench \
    --auto-compaction-mode=periodic --auto-compaction-retention=5m --quota-backend-bytes=4294967296 >/dev/null
done
# The apiserver runs on the host and reaches the members by their addresses on the bridge.
endpoints=""
for i in 1 2 3; do
  ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" "bench-etcd-$i")
  endpoints+="${endpoints:+,}http://$ip:2379"
done
for _ in $(seq 1 60); do
  if docker exec bench-etcd-1 etcdctl --endpoints="${endpoints}" --command-timeout=2s endpoint health >/dev/null 2>&1; then break; fi
  sleep 1
done
docker exec bench-etcd-1 etcdctl --endpoints="${endpoints}" --command-timeout=2s endpoint health >/dev/null ||
  { echo "bench/apiserver: etcd cluster not healthy" >&2; docker logs bench-etcd-1 2>&1 | tail -5 >&2; exit 1; }

run=(node "$DIST/bench/apiserver/run.js" --etcd-servers="$endpoints" --pki="$pki" --dist="$DIST" ${args[@]+"${args[@]}"})
if ((nice)); then
  # Linux sets a nice value per thread: renice every thread of each etcd member (new ones inherit it).
  for i in 1 2 3; do
    pid=$(docker inspect -f '{{.State.Pid}}' "bench-etcd-$i")
    for t in /proc/"$pid"/task/*; do renice -n -10 -p "${t##*/}" >/dev/null 2>&1 || true; done
  done
  run=(nice -n -10 "${run[@]}" --note "etcd members, apiserver and clients ran at nice -10 (run.sh --nice)")
fi
"${run[@]}"
