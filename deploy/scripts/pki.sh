#!/usr/bin/env bash
# Makes the cluster's certificates and kubeconfigs once, under $TSKUBE_DATA/pki and $TSKUBE_DATA/kubeconfigs
# (kept with the cluster's data; `npm stop -- --purge` removes them). Safe to run again: existing files are
# kept, so the CA and every credential stay valid across restarts.
#   ca.crt/key            the cluster CA (also the client CA the apiserver trusts)
#   apiserver.crt/key     serving certificate for every name and address the apiserver is reached by
#   sa.key/pub            service-account token signing key
#   apiserver-kubelet-client.crt/key  the apiserver's client certificate towards the kubelets
#   <user>.crt/key        client credentials: admin (system:masters), scheduler, controller-manager,
#                         dns, and one per node (system:node:<name>, group system:nodes)
set -euo pipefail
DATA=${TSKUBE_DATA:?TSKUBE_DATA must be set}
NODES=${TSKUBE_NODES:-3}
APISERVER_IP=${TSKUBE_APISERVER_IP:-172.28.0.10}
PKI="$DATA/pki"
KC="$DATA/kubeconfigs"
mkdir -p "$PKI" "$KC"
umask 077

command -v openssl >/dev/null || { echo "pki: openssl is missing (apt-get install openssl)" >&2; exit 1; }

if [[ ! -f "$PKI/ca.crt" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 3650 -subj "/CN=tskube-ca" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
fi
if [[ ! -f "$PKI/sa.key" ]]; then
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
fi

# issue NAME SUBJECT EXTENSIONS
issue() {
  local name=$1 subj=$2 ext=$3
  [[ -f "$PKI/$name.crt" ]] && return 0
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj" \
    -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 3650 -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAcreateserial -out "$PKI/$name.crt" -extfile <(printf '%s\n' "$ext") 2>/dev/null
  rm -f "$PKI/$name.csr"
}

issue apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:apiserver,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1,IP:$APISERVER_IP"

client_ext="basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=clientAuth"
issue admin "/O=system:masters/CN=kubernetes-admin" "$client_ext"
issue scheduler "/CN=system:kube-scheduler" "$client_ext"
issue controller-manager "/CN=system:kube-controller-manager" "$client_ext"
issue dns "/CN=system:serviceaccount:kube-system:coredns" "$client_ext"
# The apiserver's client certificate for the kubelets (logs, exec, attach, port-forward, proxy, metrics).
issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client_ext"
for i in $(seq 1 "$NODES"); do
  issue "node-$i" "/O=system:nodes/CN=system:node:node-$i" "$client_ext"
done
# The kubelets' own serving certificate (port 10250), trusted by the apiserver through the same CA.
issue kubelet "/CN=kubelet" "basicConstraints=CA:FALSE
keyUsage=digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,$(for i in $(seq 1 "$NODES"); do printf 'DNS:node-%s,' "$i"; done)IP:127.0.0.1"
chmod 0644 "$PKI"/*.crt "$PKI"/sa.pub
# Keys are read by the component processes in their containers (root there); keep them private on the host.

# kubeconfig NAME SERVER CA CERT KEY (file references, for the components: the pki dir is mounted at
# /etc/tskube/pki in every container)
component_kubeconfig() {
  local name=$1
  cat >"$KC/$name.kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: tskube
  cluster:
    server: https://apiserver:6443
    certificate-authority: /etc/tskube/pki/ca.crt
users:
- name: $name
  user:
    client-certificate: /etc/tskube/pki/$name.crt
    client-key: /etc/tskube/pki/$name.key
contexts:
- name: tskube
  context: {cluster: tskube, user: $name}
current-context: tskube
KCFG
}
for n in scheduler controller-manager dns $(for i in $(seq 1 "$NODES"); do echo "node-$i"; done); do
  component_kubeconfig "$n"
done
chmod 0644 "$KC"/*.kubeconfig

# The resolvers pods with dnsPolicy Default (and cluster DNS, for names outside the cluster) use: the
# host's, as the kubelet's --resolv-conf. Inside the node containers /etc/resolv.conf points at Docker's
# embedded resolver (127.0.0.11), which a pod's network namespace cannot reach.
mkdir -p "$DATA/node"
host_resolv=/etc/resolv.conf
grep -qE '^nameserver 127\.0\.0\.53' /etc/resolv.conf 2>/dev/null && [[ -f /run/systemd/resolve/resolv.conf ]] && host_resolv=/run/systemd/resolve/resolv.conf
{
  grep -E '^nameserver ' "$host_resolv" | grep -vE ' 127\.' || true
  grep -E '^(search|options) ' "$host_resolv" || true
} >"$DATA/node/resolv.conf.new"
grep -q '^nameserver ' "$DATA/node/resolv.conf.new" ||
  echo "[pki] warning: the host has no resolver pods can reach (only loopback ones): names outside the cluster will not resolve in pods" >&2
mv "$DATA/node/resolv.conf.new" "$DATA/node/resolv.conf"
chmod 0644 "$DATA/node/resolv.conf"
