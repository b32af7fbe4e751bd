#!/usr/bin/env bash
# Writes $TSKUBE_DATA/docker-compose.nodes.yml with node-4..node-N when more than the 3 nodes of
# docker-compose.yml are asked for (TSKUBE_NODES), each extending node-1 with its own name and address.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mkdir -p "$TSKUBE_DATA"
if ((TSKUBE_NODES <= 3)); then rm -f "$NODES_FILE"; exit 0; fi
{
  echo 'version: "2.4"'
  echo 'services:'
  for i in $(seq 4 "$TSKUBE_NODES"); do
    cat <<YML
  node-$i:
    extends: { file: $ROOT/docker-compose.yml, service: node-1 }
    hostname: node-$i
    environment: { NODE_NAME: node-$i, NODE_IP: 172.28.0.$((100 + i)) }
    networks: { tskube: { ipv4_address: 172.28.0.$((100 + i)) } }
    depends_on: { apiserver: { condition: service_started } }
YML
  done
} >"$NODES_FILE"
