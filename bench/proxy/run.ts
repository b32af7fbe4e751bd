// kube-proxy benchmark (issue 8): a full sync for 1,000 services with 3 endpoints each (read the kernel's
// chains, render, ensure jumps, one iptables-restore) next to one raw iptables-restore of the same rules,
// measured in the same run. Runs in a private network namespace (`unshare --net`) so nothing on the
// machine is touched; `bench/proxy/run.sh` starts it that way.
import type { Service } from "kubernetes-types/core/v1";
import type { EndpointSlice } from "kubernetes-types/discovery/v1";
import { endpointsOf, type ProxyState, renderRules, servicePortsOf } from "../../proxy/rules.js";
import { run, syncProxyRules } from "../../proxy/sync.js";

const SERVICES = 1000;
const ROUNDS = 5;

function state(generation: number): ProxyState {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${i}`;
    services.push({
      metadata: { namespace: "bench", name },
      spec: {
        type: i % 10 === 0 ? "NodePort" : "ClusterIP",
        clusterIP: `10.96.${Math.floor(i / 250) + 4}.${(i % 250) + 1}`,
        ports: [{ name: "http", port: 80, protocol: "TCP", nodePort: 30000 + i }],
      },
    });
    slices.push({
      addressType: "IPv4",
      metadata: { namespace: "bench", name: `${name}-x`, labels: { "kubernetes.io/service-name": name } },
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      // Each round moves one endpoint, as a rolling update would, so every sync has real changes.
      endpoints: [0, 1, 2].map((j) => ({
        addresses: [`10.244.${j}.${((i + generation * (j === 0 ? 1 : 0)) % 250) + 1}`],
        conditions: { ready: true },
        nodeName: `node-${j + 1}`,
      })),
    });
  }
  const servicePorts = services.flatMap(servicePortsOf);
  const bySvc = new Map(slices.map((s) => [s.metadata?.labels?.["kubernetes.io/service-name"] ?? "", s]));
  const endpoints = new Map(
    servicePorts.map((sp) => [sp.key, endpointsOf(sp, [bySvc.get(sp.name) as EndpointSlice])]),
  );
  return { servicePorts, endpoints, nodeName: "node-1", clusterCIDR: "10.244.0.0/16" };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await syncProxyRules(state(0), true); // warm: chains and jumps exist, as on a running node
  const syncs: number[] = [];
  const fulls: number[] = [];
  const raws: number[] = [];
  let rules = 0;
  for (let r = 1; r <= ROUNDS; r++) {
    const s = state(r);
    const t0 = performance.now();
    const res = await syncProxyRules(s);
    syncs.push(performance.now() - t0);
    rules = res.rules;
    // A full resync also reads the kernel's chains back (start-up, then every --sync-period).
    const t2 = performance.now();
    await syncProxyRules(state(r + 50), true);
    fulls.push(performance.now() - t2);
    // The ceiling: the same rule text (rendered beforehand) applied by one iptables-restore.
    const text = renderRules(state(r + 100), { nat: [], filter: [] }).text;
    const t1 = performance.now();
    await run("iptables-restore", ["-w", "--noflush"], text);
    raws.push(performance.now() - t1);
  }
  const sync = median(syncs);
  const full = median(fulls);
  const raw = median(raws);
  console.log(
    `kube-proxy full sync, ${SERVICES} services x 3 endpoints (${rules} rules), median of ${ROUNDS}`,
  );
  console.log(`  raw iptables-restore of the same rules: ${raw.toFixed(0)} ms (the ceiling)`);
  console.log(
    `  sync on a change:  ${sync.toFixed(0)} ms   ratio ${(sync / raw).toFixed(2)}   (goal <= 1.5 and < 1000 ms)`,
  );
  console.log(
    `  full resync (reads the tables back too): ${full.toFixed(0)} ms   ratio ${(full / raw).toFixed(2)}`,
  );
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
