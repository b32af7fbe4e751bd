// kube-apiserver for tskube: `node dist/apiserver/main.js --etcd-servers=... --secure-port=6443 ...`

import { Command } from "commander";
import { admissionDefaults } from "../pkg/api/defaults/core.js";
import { newLogger } from "../pkg/util/log.js";
import { DEFAULT_CONTROLLER_MANAGER_URLS, DEFAULT_SCHEDULER_URLS } from "./registry/componentstatus.js";
import { ApiServer, parseEtcdServers } from "./server.js";

const program = new Command()
  .name("apiserver")
  .description("The Kubernetes API server of tskube, on etcd")
  .option("--etcd-servers <urls>", "comma-separated etcd client URLs", "http://127.0.0.1:2379")
  .option("--etcd-prefix <prefix>", "key prefix in etcd", "/registry")
  .option("--secure-port <port>", "HTTPS port", "6443")
  .option("--bind-address <ip>", "address to listen on", "0.0.0.0")
  .option("--advertise-address <ip>", "address published in the kubernetes Endpoints", "127.0.0.1")
  .option("--tls-cert-file <file>", "serving certificate")
  .option("--tls-private-key-file <file>", "serving key")
  .option("--client-ca-file <file>", "CA that signs client certificates")
  .option("--service-account-key-file <file>", "public key that verifies service-account tokens")
  .option("--service-account-signing-key-file <file>", "private key that signs service-account tokens")
  .option(
    "--service-account-issuer <url>",
    "issuer of service-account tokens",
    "https://kubernetes.default.svc.cluster.local",
  )
  .option("--service-cluster-ip-range <cidr>", "ClusterIP range", "10.96.0.0/12")
  .option("--service-node-port-range <range>", "NodePort range", "30000-32767")
  .option(
    "--default-not-ready-toleration-seconds <s>",
    "tolerationSeconds of the not-ready toleration added to pods",
    "300",
  )
  .option(
    "--default-unreachable-toleration-seconds <s>",
    "tolerationSeconds of the unreachable toleration added to pods",
    "300",
  )
  .option("--kubelet-client-certificate <file>", "client certificate the apiserver presents to kubelets")
  .option("--kubelet-client-key <file>", "key of --kubelet-client-certificate")
  .option(
    "--kubelet-certificate-authority <file>",
    "CA that verifies the kubelets' serving certificates (absent: not verified)",
  )
  .option(
    "--scheduler-healthz-urls <urls>",
    "comma-separated /healthz URLs of the scheduler replicas that componentstatuses probes",
    DEFAULT_SCHEDULER_URLS.join(","),
  )
  .option(
    "--controller-manager-healthz-urls <urls>",
    "comma-separated /healthz URLs of the controller-manager replicas that componentstatuses probes",
    DEFAULT_CONTROLLER_MANAGER_URLS.join(","),
  )
  .allowUnknownOption(true);

program.parse(process.argv);
const o = program.opts<Record<string, string>>();
const log = newLogger("apiserver");
for (const required of ["tlsCertFile", "tlsPrivateKeyFile", "clientCaFile"]) {
  if (!o[required]) {
    log.fatal(`missing --${required.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    process.exit(2);
  }
}

admissionDefaults.notReadyTolerationSeconds = Number(o.defaultNotReadyTolerationSeconds);
admissionDefaults.unreachableTolerationSeconds = Number(o.defaultUnreachableTolerationSeconds);

const server = new ApiServer({
  etcdServers: parseEtcdServers(o.etcdServers!),
  etcdPrefix: o.etcdPrefix!,
  securePort: Number(o.securePort),
  bindAddress: o.bindAddress!,
  advertiseAddress: o.advertiseAddress!,
  tlsCertFile: o.tlsCertFile!,
  tlsPrivateKeyFile: o.tlsPrivateKeyFile!,
  clientCAFile: o.clientCaFile!,
  serviceAccountKeyFile: o.serviceAccountKeyFile,
  serviceAccountSigningKeyFile: o.serviceAccountSigningKeyFile,
  serviceAccountIssuer: o.serviceAccountIssuer,
  serviceClusterIPRange: o.serviceClusterIpRange!,
  serviceNodePortRange: o.serviceNodePortRange!,
  kubeletClient: {
    certFile: o.kubeletClientCertificate,
    keyFile: o.kubeletClientKey,
    caFile: o.kubeletCertificateAuthority,
  },
  // Same comma-separated URL list syntax as --etcd-servers; empty leaves the component out.
  schedulerHealthzUrls: parseEtcdServers(o.schedulerHealthzUrls ?? ""),
  controllerManagerHealthzUrls: parseEtcdServers(o.controllerManagerHealthzUrls ?? ""),
  log,
});

process.on("unhandledRejection", (err) => log.error({ err: String(err) }, "unhandled rejection"));
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    log.info({ signal: sig }, "shutting down");
    void server.stop().finally(() => process.exit(0));
  });
}
await server.start();
