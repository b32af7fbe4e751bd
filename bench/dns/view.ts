// The DNS benchmark's cluster: 1,000 services in 20 namespaces (one in ten headless, with three named
// endpoints each), fed to the view the way the informers feed it, and the questions dnsperf asks about it:
// service A lookups, headless endpoint A, SRV for named ports, PTR for cluster IPs and NXDOMAIN names.
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { ClusterDnsView } from "../../dns/records.js";

export const SERVICES = 1000;

const namespaceOf = (i: number): string => `ns${i % 20}`;
const isHeadless = (i: number): boolean => i % 10 === 0;

/** The EndpointSlice of headless service i; `generation` changes the last endpoint's address. */
export function sliceOf(i: number, generation = 0): EndpointSlice {
  const name = `svc-${i}`;
  return {
    addressType: "IPv4",
    metadata: {
      namespace: namespaceOf(i),
      name: `${name}-x`,
      labels: { "kubernetes.io/service-name": name },
    },
    ports: [{ name: "http", port: 80, protocol: "TCP" }],
    endpoints: [0, 1, 2].map((j) => ({
      addresses: [`10.244.${j === 2 ? 2 + (generation % 200) : j}.${(i % 250) + 1}`],
      hostname: `web-${j}`,
      conditions: { ready: true },
    })),
  };
}

export function benchView(): { view: ClusterDnsView; questions: string[] } {
  const view = new ClusterDnsView();
  const questions: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const ns = namespaceOf(i);
    const name = `svc-${i}`;
    const headless = isHeadless(i);
    view.upsertService({
      metadata: { namespace: ns, name },
      spec: {
        clusterIP: headless ? "None" : `10.96.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`,
        ports: [{ name: "http", port: 80, protocol: "TCP" }],
      },
    });
    if (headless) view.upsertEndpointSlice(sliceOf(i));
    questions.push(`${name}.${ns}.svc.cluster.local A`);
    if (headless) questions.push(`web-1.${name}.${ns}.svc.cluster.local A`);
    if (i % 5 === 0) questions.push(`_http._tcp.${name}.${ns}.svc.cluster.local SRV`);
    if (i % 7 === 0) questions.push(`missing-${i}.${ns}.svc.cluster.local A`);
    if (i % 9 === 0 && !headless)
      questions.push(`${(i % 250) + 1}.${Math.floor(i / 250) + 1}.96.10.in-addr.arpa PTR`);
  }
  return { view, questions };
}

/**
 * Churn as a busy cluster makes it: the n-th change moves one endpoint of the n-th headless service
 * (a pod replaced during a rollout), one EndpointSlice update through the view, as the informer delivers it.
 */
export function churn(view: ClusterDnsView, n: number): void {
  const headless = Math.floor(SERVICES / 10);
  view.upsertEndpointSlice(sliceOf((n % headless) * 10, Math.floor(n / headless) + 1));
}
