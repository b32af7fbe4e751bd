// Three small controllers around service accounts, as kube-controller-manager runs them:
// - `serviceaccount`: a `default` ServiceAccount in every active namespace, recreated if deleted;
// - `root-ca-cert-publisher`: the kube-root-ca.crt ConfigMap with the cluster CA in every namespace;
// - `serviceaccount-token`: Secrets of type kubernetes.io/service-account-token get a signed token,
//   ca.crt and namespace (and are deleted when their account is gone).
import { readFileSync } from "node:fs";
import type { ConfigMap, Namespace, Secret, ServiceAccount } from "kubernetes-types/core/v1";
import { TokenIssuer } from "../../../apiserver/auth/tokens.js";
import {
  ConfigMaps,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isNotFound,
  metaNamespaceKey,
  Namespaces,
  objectOf,
  Secrets,
  ServiceAccounts,
  type SharedInformer,
  splitKey,
  WorkQueue,
} from "../../../pkg/client/index.js";
import type { ReconcileResult } from "../../../pkg/client/workqueue.js";
import type { ControllerContext, ControllerManagerOptions } from "../../context.js";
import { runLoop } from "../../lib/run.js";
import {
  DEFAULT_SERVICE_ACCOUNT,
  decideTokenSecret,
  missingDefaultServiceAccount,
  populatedTokenSecret,
  ROOT_CA_CONFIGMAP,
  rootCAConfigMap,
  SA_NAME_ANNOTATION,
  TOKEN_SECRET_TYPE,
} from "./decide.js";

export const DEFAULT_ROOT_CA_FILE = "/etc/tskube/pki/ca.crt";
/** Secret-based tokens do not expire upstream; ours are JWTs the apiserver verifies, so: ten years. */
const TOKEN_SECRET_LIFETIME_S = 10 * 365 * 24 * 3600;

/** --root-ca-file (upstream: the CA bundle put into tokens and kube-root-ca.crt). */
export function rootCAFile(opts: ControllerManagerOptions): string {
  return (opts as ControllerManagerOptions & { rootCAFile?: string }).rootCAFile ?? DEFAULT_ROOT_CA_FILE;
}

function readCA(ctx: ControllerContext): string | undefined {
  const path = rootCAFile(ctx.options);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    ctx.log.warn({ path, err: String(e) }, "cannot read the root CA");
    return undefined;
  }
}

/** A namespace being deleted refuses new objects with 403 Forbidden: nothing to retry. */
function ignorable(e: unknown): boolean {
  return isAlreadyExists(e) || isNotFound(e) || isForbidden(e) || isConflict(e);
}

export class ServiceAccountsController {
  readonly queue = new WorkQueue<string>({ name: "serviceaccount" });
  readonly namespaces: SharedInformer<Namespace>;
  readonly accounts: SharedInformer<ServiceAccount>;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.factory.informerFor(Namespaces);
    this.accounts = ctx.factory.informerFor(ServiceAccounts);
    this.namespaces.addEventHandler({
      onAdd: (n) => this.queue.add(metaNamespaceKey(n)),
      onUpdate: (_o, n) => this.queue.add(metaNamespaceKey(n)),
    });
    this.accounts.addEventHandler({
      onDelete: (s) => {
        const sa = objectOf(s);
        if (sa.metadata?.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(sa.metadata?.namespace ?? "");
      },
    });
  }

  run(): () => Promise<void> {
    return runLoop(this.ctx, "serviceaccount-controller", this.queue, [this.namespaces, this.accounts], (k) =>
      this.sync(k),
    );
  }

  async sync(ns: string): Promise<ReconcileResult> {
    const sa = missingDefaultServiceAccount(
      this.namespaces.store.getByKey(ns),
      this.accounts.store.getByKey(`${ns}/${DEFAULT_SERVICE_ACCOUNT}`),
    );
    if (!sa) return;
    try {
      await this.ctx.client.resource(ServiceAccounts, ns).create(sa);
    } catch (e) {
      if (!ignorable(e)) throw e;
    }
  }
}

export class RootCACertPublisher {
  readonly queue = new WorkQueue<string>({ name: "root-ca-cert-publisher" });
  readonly namespaces: SharedInformer<Namespace>;
  readonly configMaps: SharedInformer<ConfigMap>;
  private readonly caPem: string | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    caPem?: string,
  ) {
    this.caPem = caPem ?? readCA(ctx);
    this.namespaces = ctx.factory.informerFor(Namespaces);
    this.configMaps = ctx.factory.informerFor(ConfigMaps, {
      fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}`,
    });
    this.namespaces.addEventHandler({
      onAdd: (n) => this.queue.add(metaNamespaceKey(n)),
      onUpdate: (_o, n) => this.queue.add(metaNamespaceKey(n)),
    });
    const byCm = (c: ConfigMap) =>
      c.metadata?.name === ROOT_CA_CONFIGMAP && this.queue.add(c.metadata?.namespace ?? "");
    this.configMaps.addEventHandler({
      onUpdate: (_o, c) => byCm(c),
      onDelete: (c) => byCm(objectOf(c)),
    });
  }

  run(): () => Promise<void> {
    return runLoop(
      this.ctx,
      "root-ca-certificate-publisher",
      this.queue,
      [this.namespaces, this.configMaps],
      (k) => this.sync(k),
    );
  }

  async sync(ns: string): Promise<ReconcileResult> {
    if (this.caPem === undefined) return;
    const action = rootCAConfigMap(
      this.namespaces.store.getByKey(ns),
      this.configMaps.store.getByKey(`${ns}/${ROOT_CA_CONFIGMAP}`),
      this.caPem,
    );
    if (!action) return;
    const rc = this.ctx.client.resource(ConfigMaps, ns);
    try {
      if (action.create) await rc.create(action.create);
      else if (action.update) await rc.update(action.update);
    } catch (e) {
      if (!isAlreadyExists(e) && !isNotFound(e) && !isForbidden(e)) throw e;
    }
  }
}

export class TokensController {
  readonly queue = new WorkQueue<string>({ name: "serviceaccount-token" });
  readonly secrets: SharedInformer<Secret>;
  readonly accounts: SharedInformer<ServiceAccount>;
  private readonly issuer: TokenIssuer | undefined;
  private readonly caPem: string | undefined;
  private readonly log;

  constructor(private readonly ctx: ControllerContext) {
    this.log = ctx.log.child({ controller: "tokens-controller" });
    const keyFile = ctx.options.serviceAccountPrivateKeyFile;
    try {
      this.issuer = keyFile ? new TokenIssuer(readFileSync(keyFile, "utf8")) : undefined;
    } catch (e) {
      this.log.error({ keyFile, err: String(e) }, "cannot load the service account signing key");
    }
    this.caPem = readCA(ctx);
    this.secrets = ctx.factory.informerFor(Secrets, { fieldSelector: `type=${TOKEN_SECRET_TYPE}` });
    this.accounts = ctx.factory.informerFor(ServiceAccounts);
    this.secrets.addEventHandler({
      onAdd: (s) => this.queue.add(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.queue.add(metaNamespaceKey(s)),
    });
    const bySa = (sa: ServiceAccount) => {
      const ns = sa.metadata?.namespace ?? "";
      for (const s of this.secrets.store.listByNamespace(ns))
        if (s.metadata?.annotations?.[SA_NAME_ANNOTATION] === sa.metadata?.name)
          this.queue.add(metaNamespaceKey(s));
    };
    this.accounts.addEventHandler({ onAdd: bySa, onDelete: (sa) => bySa(objectOf(sa)) });
  }

  run(): () => Promise<void> {
    return runLoop(
      this.ctx,
      "serviceaccount-token-controller",
      this.queue,
      [this.secrets, this.accounts],
      (k) => this.sync(k),
    );
  }

  async sync(key: string): Promise<ReconcileResult> {
    const secret = this.secrets.store.getByKey(key);
    if (!secret || !this.issuer) return;
    const { namespace = "", name } = splitKey(key);
    const saName = secret.metadata?.annotations?.[SA_NAME_ANNOTATION] ?? "";
    const sa = this.accounts.store.getByKey(`${namespace}/${saName}`);
    const action = decideTokenSecret(secret, sa, this.caPem);
    const rc = this.ctx.client.resource(Secrets, namespace);
    if (action.kind === "delete") {
      // The informer may lag a just-created account: ask before deleting.
      const live = await this.ctx.client
        .resource(ServiceAccounts, namespace)
        .get(saName)
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (decideTokenSecret(secret, live, this.caPem).kind !== "delete") return { requeueAfter: 200 };
      await rc.delete(name, { preconditions: { uid: secret.metadata?.uid } }).catch((e: unknown) => {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      });
      return;
    }
    if (action.kind !== "populate") return;
    const nowS = Math.floor(this.ctx.now() / 1000);
    const saMeta = action.serviceAccount.metadata;
    const token = this.issuer.issue({
      sub: `system:serviceaccount:${namespace}:${saMeta?.name}`,
      aud: ["https://kubernetes.default.svc.cluster.local"],
      iat: nowS,
      nbf: nowS,
      exp: nowS + TOKEN_SECRET_LIFETIME_S,
      "kubernetes.io": { namespace, serviceaccount: { name: saMeta?.name ?? "", uid: saMeta?.uid ?? "" } },
    });
    try {
      await rc.update(populatedTokenSecret(secret, action.serviceAccount, token, this.caPem));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
