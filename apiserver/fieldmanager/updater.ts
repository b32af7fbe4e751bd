// Ownership bookkeeping of structured-merge-diff's merge.Updater: Update (a create, PUT or PATCH
// hands over the fields it changed) and Apply (merge an applied configuration, prune what the
// applier dropped, detect conflicts with other managers). Managers are keyed by their identifier
// (see managedfields.ts). Every manager's set is taken in the request's version: tskube's kinds keep
// their field paths across versions, so no conversion is made. Pure.
import { FieldSet } from "./fieldset.js";
import { type Path, pathToString } from "./pathelement.js";
import {
  type Comparison,
  compare,
  deepEqual,
  ensureNamedFieldsAreMembers,
  merge,
  removeItems,
  type TypeNode,
  toFieldSet,
} from "./typed.js";

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  /** Owned by an Apply (true) or an Update. */
  applied: boolean;
}

/** Field sets by manager identifier. */
export type Managers = Map<string, VersionedSet>;

export interface Conflict {
  manager: string;
  path: Path;
}

/** Fields the applier would change that other managers own (merge.Conflicts). */
export class Conflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(
      conflicts.map((c) => `conflict with ${JSON.stringify(c.manager)}: ${pathToString(c.path)}`).join("\n"),
    );
  }
}

export class Updater {
  /**
   * @param root the type of the objects
   * @param ignored fields never tracked (the strategy resets them: status through the main resource)
   */
  constructor(
    private readonly root: TypeNode,
    private readonly ignored: FieldSet = new FieldSet(),
  ) {}

  private compare(oldObj: unknown, newObj: unknown): Comparison {
    const c = compare(oldObj, newObj, this.root, this.ignored);
    return {
      added: c.added.recursiveDifference(this.ignored),
      modified: c.modified.recursiveDifference(this.ignored),
      removed: c.removed.recursiveDifference(this.ignored),
    };
  }

  /** Other managers lose what changed; with force the changed fields they owned are not conflicts. */
  private update(
    oldObj: unknown,
    newObj: unknown,
    managers: Managers,
    workflow: string,
    force: boolean,
  ): { managers: Managers; comparison: Comparison } {
    const comparison = this.compare(oldObj, newObj);
    const changed = comparison.modified.union(comparison.added);
    const conflicts = new Map<string, FieldSet>();
    for (const [manager, vs] of managers) {
      if (manager === workflow) continue;
      const c = vs.set.intersection(changed);
      if (!c.empty()) conflicts.set(manager, c);
    }
    if (!force && conflicts.size > 0) {
      const list: Conflict[] = [];
      for (const manager of [...conflicts.keys()].sort())
        for (const path of conflicts.get(manager)!.paths()) list.push({ manager, path });
      throw new Conflicts(list);
    }
    const out: Managers = new Map();
    for (const [manager, vs] of managers) {
      let set = vs.set;
      if (manager !== workflow) {
        const c = conflicts.get(manager);
        if (c) set = set.difference(c);
        set = set.difference(comparison.removed);
      }
      if (!set.empty()) out.set(manager, { ...vs, set });
    }
    return { managers: out, comparison };
  }

  /**
   * A create, update or patch: `manager` takes the fields that `newObj` adds or changes over `liveObj`
   * (an empty object for a create) and loses those it removes; other managers lose both.
   */
  updateManagers(
    liveObj: unknown,
    newObj: unknown,
    version: string,
    managers: Managers,
    manager: string,
  ): Managers {
    const { managers: out, comparison } = this.update(liveObj, newObj, managers, manager, true);
    const previous = out.get(manager)?.set ?? new FieldSet();
    const set = previous
      .union(comparison.modified)
      .union(comparison.added)
      .difference(comparison.removed)
      .recursiveDifference(this.ignored);
    if (set.empty()) out.delete(manager);
    else out.set(manager, { set, apiVersion: version, applied: false });
    return out;
  }

  /**
   * Server-side apply: the configuration merged into `liveObj`, minus what `manager` applied last time
   * and no longer applies (unless another manager owns it). Throws Conflicts when the merge changes
   * fields other managers own and `force` is false. `object` is undefined when nothing changed.
   */
  apply(
    liveObj: unknown,
    config: unknown,
    version: string,
    managers: Managers,
    manager: string,
    force: boolean,
  ): { object: unknown; managers: Managers } {
    let merged = merge(liveObj, config, this.root);
    const lastSet = managers.get(manager);
    const set = toFieldSet(config, this.root).recursiveDifference(this.ignored);
    const withApplier: Managers = new Map(managers);
    withApplier.set(manager, { set, apiVersion: version, applied: true });
    merged = this.prune(merged, withApplier, lastSet);
    const { managers: out } = this.update(liveObj, merged, withApplier, manager, force);
    return { object: deepEqual(liveObj, merged) ? undefined : merged, managers: out };
  }

  /** Removes the fields the applier owned last time, does not apply now, and nobody else owns. */
  private prune(merged: unknown, managers: Managers, lastSet: VersionedSet | undefined): unknown {
    if (!lastSet || lastSet.set.empty()) return merged;
    const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, this.root);
    const last = ensure(lastSet.set);
    let pruned = removeItems(merged, last, this.root);
    // add back what any manager (the applier's new configuration included) owns
    let owned = new FieldSet();
    for (const vs of managers.values()) owned = owned.union(vs.set);
    const mergedSet = ensure(toFieldSet(merged, this.root));
    const prunedSet = ensure(toFieldSet(pruned, this.root));
    pruned = removeItems(merged, mergedSet.difference(prunedSet.union(ensure(owned))), this.root);
    // and everything that was not the applier's to remove
    const kept = ensure(toFieldSet(pruned, this.root));
    return removeItems(merged, mergedSet.difference(kept).intersection(last), this.root);
  }
}
