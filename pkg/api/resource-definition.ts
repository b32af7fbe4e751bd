// The contract between the API catalogue (pkg/api) and the generic machinery that serves it
// (apiserver/). One ResourceDefinition per served group/version/resource; the apiserver stores,
// lists, watches, patches and prints every resource through it, so that adding a kind is data,
// not a new code path. Modeled on Kubernetes' rest.Strategy (PrepareForCreate, Validate, ...).
import type { FieldError, KubeObject, StoredObject } from "./types.js";

export interface GroupVersionKind {
  group: string; // "" for the core group
  version: string;
  kind: string;
}

/** A server-side Table column, as metav1.TableColumnDefinition. priority 1 = `-o wide` only. */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string; // "name" for the first column
  description: string;
  priority: 0 | 1;
}

export interface TablePrinter {
  columns: TableColumn[];
  /** One row's cells, in column order. `now` is passed so that ages are testable. */
  cells(obj: StoredObject, now: Date): unknown[];
}

export interface SubresourceDefinition {
  /** "status", "scale", "binding", "eviction", "log", "exec", ... */
  name: string;
  kind: GroupVersionKind;
  verbs: string[];
}

export interface ResourceDefinition {
  group: string; // "" for core
  version: string;
  /** Plural, lower case: "deployments". */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources?: SubresourceDefinition[];
  /**
   * Where the object lives in etcd when another version of the same kind is the storage version
   * (extensions/v1beta1 deployments are stored as apps/v1). Defaults to group/version itself.
   */
  storage?: { group: string; version: string };
  /** Whether `spec` changes bump metadata.generation (true for kinds with spec + status). */
  hasStatus?: boolean;
  /** Apply Kubernetes' defaults in place (the ones `kubectl get -o yaml` shows on a real cluster). */
  defaults?(obj: KubeObject): void;
  /** Validate a create (old undefined) or an update. Field paths and messages as Kubernetes'. */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
  /** Server-side table printing; absent means the default NAME / AGE table. */
  table?: TablePrinter;
  /** Field selectors this resource supports beyond metadata.name and metadata.namespace. */
  fieldSelectors?: Record<string, (obj: StoredObject) => string | undefined>;
  /**
   * For old beta versions: the text of the `Warning: 299` header a real apiserver sends
   * (`extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment`).
   */
  deprecationWarning?: string;
  /**
   * Converts an object of this version into the storage version's schema when the two differ beyond
   * apiVersion (networking.k8s.io/v1beta1 Ingress `serviceName`/`servicePort`). Absent: only apiVersion
   * changes. `fromStorage` is the reverse, for serving a stored object in this version.
   */
  toStorage?(obj: KubeObject): KubeObject;
  fromStorage?(obj: KubeObject): KubeObject;
}
