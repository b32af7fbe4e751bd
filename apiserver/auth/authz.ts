// Authorization: kube-apiserver 1.32's chain (--authorization-mode=Node,RBAC plus the system:masters
// short cut), one decision function in the request path:
//   1. group system:masters: allowed (upstream's privileged-group authorizer; bootstrap policy binds
//      cluster-admin to it as well);
//   2. group system:nodes: allowed. Upstream runs the Node authorizer here (a kubelet may read the
//      secrets, configmaps and volumes of the pods bound to it, write its Node, Lease, pod statuses and
//      events) plus the system:node role; tskube has neither yet, so its kubelets keep full access;
//   3. the control-plane users of PRIVILEGED_USERS: allowed. Upstream gives the scheduler, the
//      controller-manager and kube-proxy's legacy user each a bootstrap role (system:kube-scheduler,
//      system:kube-controller-manager, system:node-proxier), the controller-manager one service account
//      per controller with its own role (--use-service-account-credentials), and its own loopback
//      client (system:apiserver) system:masters. tskube's controller-manager runs every controller
//      under its one client certificate, so it needs the union of those controller roles; until
//      they are written out (bootstrap-policy.ts keeps to the user-facing roles) these users keep
//      full access, as before RBAC;
//   4. everyone else: RBAC (rbac.ts) on the roles and bindings of the apiserver's watch cache, no etcd
//      read per request. Health, version and discovery paths are open to whom the bootstrap roles
//      system:public-info-viewer and system:discovery are bound (bootstrap-policy.ts).
import type { PolicyRule } from "kubernetes-types/rbac/v1";
import type { CacheWatcher, ResourceCache, WatchCache } from "../watchcache/cache.js";
import type { UserInfo } from "./authn.js";
import { bootstrapPolicy } from "./bootstrap-policy.js";
import {
  type AuthzAttributes,
  type Decision,
  RbacIndex,
  type RbacObjects,
  type RbacSource,
  rbacAuthorize,
  rbacRulesFor,
} from "./rbac.js";

export type { AuthzAttributes, Decision } from "./rbac.js";

export const MASTERS_GROUP = "system:masters";
export const NODES_GROUP = "system:nodes";

/** The control-plane components' users (their client certificates' CNs, deploy/scripts/pki.sh). */
export const PRIVILEGED_USERS: ReadonlySet<string> = new Set([
  "system:kube-scheduler",
  "system:kube-controller-manager",
  "system:kube-proxy",
  "kube-apiserver",
  "system:apiserver",
]);

const ALLOWED: Decision = { allowed: true, reason: "" };

/** What a SelfSubjectRulesReview reports: the rules, whether they are all, and resolution errors. */
export interface RulesReview {
  rules: PolicyRule[];
  incomplete: boolean;
  errors: string[];
}

const ALL_RULES: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

export interface AuthorizerOptions {
  /** The RBAC objects to evaluate (the watch cache's, or fixed ones in tests). */
  source(): RbacSource;
  /**
   * Waits (briefly) until the RBAC objects include this apiserver's latest acknowledged write; true
   * when they moved. Lets a request right after `kubectl create rolebinding` see the binding.
   */
  catchUp?(): Promise<boolean>;
}

export class Authorizer {
  constructor(private readonly opts: AuthorizerOptions) {}

  /** The RBAC objects at hand (what a binding's roleRef names, for escalation checks). */
  source(): RbacSource {
    return this.opts.source();
  }

  /** The decision, from the objects at hand. */
  authorize(user: UserInfo, a: AuthzAttributes): Decision {
    if (user.groups.includes(MASTERS_GROUP)) return ALLOWED;
    if (user.groups.includes(NODES_GROUP)) return ALLOWED;
    if (PRIVILEGED_USERS.has(user.name)) return ALLOWED;
    return rbacAuthorize(this.opts.source(), user, a);
  }

  /** As authorize(), but a denial is checked again once the RBAC objects caught up with our writes. */
  async authorizeFresh(user: UserInfo, a: AuthzAttributes): Promise<Decision> {
    const d = this.authorize(user, a);
    if (d.allowed || !this.opts.catchUp) return d;
    return (await this.opts.catchUp()) ? this.authorize(user, a) : d;
  }

  /**
   * The rules that apply to the user in a namespace (upstream's union of the Node and RBAC rule
   * resolvers; the privileged-group authorizer resolves none).
   */
  rulesFor(user: UserInfo, namespace: string): RulesReview {
    const { rules, errors } = rbacRulesFor(this.opts.source(), user, namespace);
    if (user.groups.includes(NODES_GROUP)) {
      // The Node authorizer's answer for nodes: their permissions are not enumerable.
      return {
        rules,
        incomplete: true,
        errors: [...errors, "node authorizer does not support user rule resolution"],
      };
    }
    if (PRIVILEGED_USERS.has(user.name))
      return { rules: [...ALL_RULES, ...rules], incomplete: false, errors };
    return { rules, incomplete: false, errors };
  }
}

/** Kubernetes' forbidden message (responsewriters.forbiddenMessage), with the authorizer's reason. */
export function forbiddenMessage(user: UserInfo, a: AuthzAttributes, reason = ""): string {
  const tail = reason ? `: ${reason}` : "";
  if (a.path !== undefined) return `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"${tail}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : " at the cluster scope";
  return `User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group ?? ""}"${scope}${tail}`;
}

// ------------------------------------------------------------------ the watch cache as RBAC source

const RBAC_STORAGE = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"] as const;
type RbacStorage = (typeof RBAC_STORAGE)[number];

/**
 * The RBAC objects of the apiserver's watch cache, indexed (RbacIndex) and re-indexed only after one of
 * them changed (a watcher on each of the four resources marks the index stale). Before the cache holds
 * the bootstrap policy (first start, or before its initial list), the bootstrap roles and bindings
 * missing from it are evaluated from memory, so health checks and discovery answer from the start.
 */
export class RbacCache {
  private index: RbacIndex | null = null;
  private lastGood: RbacIndex | null = null;
  private readonly watched = new Map<RbacStorage, ResourceCache>();
  private policyStored = false;
  private readonly defaults = bootstrapPolicy();

  constructor(
    private readonly cache: WatchCache,
    /** This apiserver's newest acknowledged write (EtcdStore.lastWriteRevision). */
    private readonly lastWrite: () => number = () => 0,
  ) {}

  /** Whether the bootstrap policy is in etcd (readyz's poststarthook/rbac/bootstrap-roles). */
  get policyInPlace(): boolean {
    return this.policyStored;
  }

  /** The bootstrap policy is in etcd: stop filling in from memory. */
  markPolicyStored(): void {
    this.policyStored = true;
    this.index = null;
  }

  source(): RbacSource {
    // While the cache (re)lists, the last index stays in use, as an informer's store does.
    if (!this.cache.ready) {
      if (!this.lastGood) this.lastGood = new RbacIndex(this.objects());
      return this.lastGood;
    }
    for (const s of RBAC_STORAGE) {
      const rc = this.cache.cache(s);
      if (this.watched.get(s) !== rc) this.watch(s, rc);
    }
    if (!this.index) this.lastGood = this.index = new RbacIndex(this.objects());
    return this.index;
  }

  async catchUp(timeoutMs = 1000): Promise<boolean> {
    const want = this.lastWrite();
    if (!this.cache.ready || this.cache.revision >= want) return false;
    return this.cache.waitForRevision(want, timeoutMs);
  }

  private watch(storage: RbacStorage, rc: ResourceCache): void {
    this.watched.set(storage, rc);
    this.index = null;
    const stale = () => {
      if (this.watched.get(storage) === rc) this.index = null;
    };
    const w: CacheWatcher = {
      matches: () => true,
      deliver: stale,
      bookmark: () => {},
      terminate: () => {
        stale();
        if (this.watched.get(storage) === rc) this.watched.delete(storage);
      },
    };
    rc.watchers.add(w);
  }

  private list<T>(storage: RbacStorage): T[] {
    const rc = this.watched.get(storage);
    return rc ? [...rc.items.values()].map((o) => o.obj as unknown as T) : [];
  }

  private objects(): RbacObjects {
    const objs: RbacObjects = {
      roles: this.list("roles"),
      roleBindings: this.list("rolebindings"),
      clusterRoles: this.list("clusterroles"),
      clusterRoleBindings: this.list("clusterrolebindings"),
    };
    if (this.policyStored) return objs;
    const missing = <T extends { metadata?: { name?: string } }>(
      have: readonly T[],
      defaults: readonly T[],
    ) => {
      const names = new Set(have.map((o) => o.metadata?.name));
      return [...have, ...defaults.filter((d) => !names.has(d.metadata?.name))];
    };
    return {
      ...objs,
      clusterRoles: missing(objs.clusterRoles, this.defaults.clusterRoles),
      clusterRoleBindings: missing(objs.clusterRoleBindings, this.defaults.clusterRoleBindings),
    };
  }
}
