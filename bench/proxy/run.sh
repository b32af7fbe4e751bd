#!/usr/bin/env bash
# Runs the kube-proxy benchmark in a private network namespace (root needed; nothing outside it changes),
# with the legacy iptables backend that the node image uses.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for b in iptables iptables-save iptables-restore; do ln -s "/usr/sbin/${b/iptables/iptables-legacy}" "$bin/$b"; done
PATH="$bin:$PATH" unshare --net node ${TSKUBE_DIST:-dist}/bench/proxy/run.js "$@"
