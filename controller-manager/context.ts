// What every controller gets from the process: the client, shared informers, the event broadcaster,
// a logger, the leadership signal and the options. A controller is a descriptor in registry.ts.
import type { EventBroadcaster, InformerFactory, RestClient } from "../pkg/client/index.js";
import type { Logger } from "../pkg/util/log.js";

export interface ControllerManagerOptions {
  clusterCIDR?: string;
  nodeCIDRMaskSize: number;
  serviceAccountPrivateKeyFile?: string;
  /** Workers per controller (upstream has one flag per controller; one knob is enough here). */
  concurrentSyncs: number;
}

export interface ControllerContext {
  client: RestClient;
  factory: InformerFactory;
  events: EventBroadcaster;
  log: Logger;
  /** Aborts when leadership is lost or the process stops. */
  signal: AbortSignal;
  options: ControllerManagerOptions;
  now: () => number;
}

export interface ControllerDescriptor {
  /** The name used by --controllers, as kube-controller-manager's (`replicaset`, `deployment`, ...). */
  name: string;
  /** Not started by `*`; only when named. */
  disabledByDefault?: boolean;
  /**
   * Registers informers and handlers (synchronously enough that factory.start() sees them) and
   * returns the controller's run loop, which waits for its caches and works until ctx.signal aborts.
   */
  init(ctx: ControllerContext): () => Promise<void>;
}
