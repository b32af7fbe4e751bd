#!/usr/bin/env bash
# Foundation figures (issue 3): time of `npm start` with the images built and from nothing, rebuild time
# after a one-line code change, image sizes, and the memory of each idle component.
#   bash bench/foundation/run.sh            (keeps the images; measures start with images, rebuild, sizes, memory)
#   bash bench/foundation/run.sh --cold     (also removes every tskube image first: start from nothing)
# Destroys and recreates the local cluster (data purged).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cold=0; [[ ${1:-} == --cold ]] && cold=1
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

bash deploy/scripts/stop.sh --purge >/dev/null 2>&1 || true
if ((cold)); then
  docker rmi -f tskube/tskube:dev tskube/etcd:3.4 tskube/base:bookworm >/dev/null 2>&1 || true
  docker builder prune -af >/dev/null 2>&1 || true
  t=$(now); bash deploy/scripts/start.sh >/dev/null; cold_start=$(secs "$t" "$(now)")
  echo "npm start from nothing (no images): ${cold_start} s"
  bash deploy/scripts/stop.sh --purge >/dev/null
fi

t=$(now); out=$(bash deploy/scripts/start.sh); warm=$(secs "$t" "$(now)")
api=$(grep -o 'apiserver ready[^0-9]*[0-9.]*s' <<<"$out" | grep -o '[0-9.]*s$' | tr -d s)
echo "npm start with images built (data purged): apiserver healthy in ${api} s (goal: 10 s); whole cluster ready (nodes, kube-proxy on every node) in ${warm} s"

# A one-line change in a component: rebuild the image and recreate the containers that run it.
marker=pkg/util/log.ts
cp "$marker" /tmp/tskube-bench-marker
echo "// bench $(date +%s%N)" >>"$marker"
t=$(now); bash deploy/scripts/start.sh --rebuild >/dev/null; rebuild=$(secs "$t" "$(now)")
cp /tmp/tskube-bench-marker "$marker"
echo "rebuild + recreate after a one-line change: ${rebuild} s   (goal: 20 s)"

echo "image sizes:"
for img in tskube/base:bookworm tskube/etcd:3.4 tskube/tskube:dev; do
  docker image inspect -f '{{.Size}}' "$img" | awk -v i="$img" '{ printf "  %-22s %6.0f MiB\n", i, $1/1048576 }'
done
sleep 10
echo "memory of idle components (resident set of each process, goal: under 80 MiB each):"
for c in $(docker ps --filter label=com.docker.compose.project=tskube --format '{{.Names}}' | sort); do
  docker top "$c" -o pid,rss,args 2>/dev/null | awk -v c="${c#tskube_}" '
    NR > 1 && $3 ~ /etcd$/ { printf "  %-22s %-20s %6.1f MiB\n", c, "etcd", $2 / 1024 }
    NR > 1 && $3 ~ /node$/ && /dist\// { for (i = 3; i <= NF; i++) if ($i ~ /^dist\//) { n = $i; break }
      sub(/^dist\//, "", n); sub(/\/main\.js$/, "", n); printf "  %-22s %-20s %6.1f MiB\n", c, n, $2 / 1024 }'
done
# A node's processes include those of its pods (the kube-proxy DaemonSet pod, DNS) in the node's cgroup.
