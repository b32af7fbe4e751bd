// ControllerExpectations, as Kubernetes' pkg/controller/controller_utils.go: a controller that has
// just asked for N creations or deletions must not act again on its (stale) cache until the informer
// has shown them, or it would create or delete twice. Expectations expire after 5 minutes, in case an
// event was missed, so a controller is never stuck for good.

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

export interface ControlleeExpectations {
  add: number;
  del: number;
  key: string;
  /** When the expectations were set (ms). */
  timestamp: number;
}

export function fulfilled(e: ControlleeExpectations): boolean {
  return e.add <= 0 && e.del <= 0;
}

export class ControllerExpectations {
  protected readonly store = new Map<string, ControlleeExpectations>();

  constructor(
    protected readonly now: () => number = Date.now,
    protected readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  getExpectations(controllerKey: string): ControlleeExpectations | undefined {
    return this.store.get(controllerKey);
  }

  deleteExpectations(controllerKey: string): void {
    this.store.delete(controllerKey);
  }

  /**
   * May the controller sync? Yes if its expectations are met, have expired, or were never set
   * (a new controller, or one whose expectations were deleted).
   */
  satisfiedExpectations(controllerKey: string): boolean {
    const exp = this.store.get(controllerKey);
    if (!exp) return true;
    if (fulfilled(exp)) return true;
    return this.now() - exp.timestamp > this.timeoutMs;
  }

  setExpectations(controllerKey: string, add: number, del: number): void {
    this.store.set(controllerKey, { add, del, key: controllerKey, timestamp: this.now() });
  }

  expectCreations(controllerKey: string, adds: number): void {
    this.setExpectations(controllerKey, adds, 0);
  }

  expectDeletions(controllerKey: string, dels: number): void {
    this.setExpectations(controllerKey, 0, dels);
  }

  /** Lowers existing expectations (a create failed, so its event will never come). */
  lowerExpectations(controllerKey: string, add: number, del: number): void {
    const exp = this.store.get(controllerKey);
    if (!exp) return;
    exp.add -= add;
    exp.del -= del;
  }

  raiseExpectations(controllerKey: string, add: number, del: number): void {
    const exp = this.store.get(controllerKey);
    if (!exp) return;
    exp.add += add;
    exp.del += del;
  }

  /** The informer saw one of the expected creations. */
  creationObserved(controllerKey: string): void {
    this.lowerExpectations(controllerKey, 1, 0);
  }

  /** The informer saw one of the expected deletions. */
  deletionObserved(controllerKey: string): void {
    this.lowerExpectations(controllerKey, 0, 1);
  }
}

/**
 * Deletions tracked by the deleted objects' keys, so that a deletion seen twice (an update with a
 * deletionTimestamp, then the delete) is counted once (UIDTrackingControllerExpectations).
 */
export class UIDTrackingControllerExpectations extends ControllerExpectations {
  private readonly uids = new Map<string, Set<string>>();

  getUIDs(controllerKey: string): Set<string> | undefined {
    return this.uids.get(controllerKey);
  }

  /** Expect the deletion of exactly these object keys ("namespace/name"). Replaces earlier ones. */
  expectDeletionsOf(controllerKey: string, deletedKeys: string[]): void {
    const keys = new Set(deletedKeys);
    this.uids.set(controllerKey, keys);
    super.setExpectations(controllerKey, 0, keys.size);
  }

  /** Counts the deletion only if deleteKey was expected and not yet seen. */
  deletionObservedOf(controllerKey: string, deleteKey: string): void {
    const keys = this.uids.get(controllerKey);
    if (keys?.has(deleteKey)) {
      keys.delete(deleteKey);
      super.deletionObserved(controllerKey);
    }
  }

  override deleteExpectations(controllerKey: string): void {
    super.deleteExpectations(controllerKey);
    this.uids.delete(controllerKey);
  }
}
