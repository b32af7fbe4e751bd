// Adoption and release (controller.ControllerRefManager): a controller owns what its selector
// matches and nobody else controls; it lets go of what it owns but no longer matches. The decision
// is pure; applying it is a patch of ownerReferences guarded by resourceVersion.
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import {
  getControllerOf,
  newControllerRef,
  type ObjectWithMeta as OwnerLike,
  withControllerRef,
  withoutOwner,
} from "../../pkg/api/meta.js";
import { isNotFound, type ResourceClient } from "../../pkg/client/index.js";

/** The apiVersion and kind a controller stamps into the ownerReferences of what it owns. */
export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

export interface ClaimDecision<T> {
  /** Already ours and matching, plus those to adopt (the set the controller then works with). */
  claimed: T[];
  adopt: T[];
  release: T[];
}

export function decideClaims<T extends OwnerLike>(
  owner: OwnerLike,
  matches: (obj: T) => boolean,
  objs: readonly T[],
): ClaimDecision<T> {
  const ownerUid = owner.metadata?.uid;
  const ownerDeleting = Boolean(owner.metadata?.deletionTimestamp);
  const out: ClaimDecision<T> = { claimed: [], adopt: [], release: [] };
  for (const obj of objs) {
    const ref = getControllerOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches(obj)) out.claimed.push(obj);
      else if (!ownerDeleting && !obj.metadata?.deletionTimestamp) out.release.push(obj);
      continue;
    }
    if (ownerDeleting || !matches(obj) || obj.metadata?.deletionTimestamp) continue;
    out.adopt.push(obj);
  }
  return out;
}

export interface ClaimOptions<T extends OwnerLike> {
  owner: OwnerLike;
  ownerKind: GroupVersionKind;
  matches: (obj: T) => boolean;
  objs: readonly T[];
  /** The owned objects' client, in the owner's namespace. */
  client: ResourceClient<T>;
  /** A fresh read of the owner (bypassing the cache): adoption must not race its deletion. */
  getFreshOwner: () => Promise<OwnerLike>;
}

/** Adopts and releases as decided; returns the objects the owner now controls. */
export async function claimObjects<T extends OwnerLike>(opts: ClaimOptions<T>): Promise<T[]> {
  const d = decideClaims(opts.owner, opts.matches, opts.objs);
  const claimed = [...d.claimed];
  if (d.adopt.length > 0) {
    const fresh = await opts.getFreshOwner();
    if (fresh.metadata?.uid !== opts.owner.metadata?.uid)
      throw new Error(
        `original ${opts.ownerKind.kind} ${opts.owner.metadata?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${opts.owner.metadata?.uid}`,
      );
    if (fresh.metadata?.deletionTimestamp)
      throw new Error(
        `${opts.ownerKind.kind} ${opts.owner.metadata?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
      );
    const ref = newControllerRef(opts.owner, opts.ownerKind.apiVersion, opts.ownerKind.kind);
    await Promise.all(
      d.adopt.map(async (obj) => {
        try {
          const updated = await opts.client.patch(obj.metadata?.name ?? "", {
            metadata: guarded(obj.metadata, withControllerRef(obj.metadata?.ownerReferences, ref)),
          });
          claimed.push(updated);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }),
    );
  }
  await Promise.all(
    d.release.map(async (obj) => {
      try {
        await opts.client.patch(obj.metadata?.name ?? "", {
          metadata: guarded(
            obj.metadata,
            withoutOwner(obj.metadata?.ownerReferences, opts.owner.metadata?.uid ?? ""),
          ),
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }),
  );
  return claimed;
}

function guarded(meta: ObjectMeta | undefined, ownerReferences: unknown[]): Record<string, unknown> {
  // A merge patch replaces the whole list; the resourceVersion makes it fail (409) if the list
  // changed since we read it, instead of dropping someone else's reference.
  return { ownerReferences, resourceVersion: meta?.resourceVersion, uid: meta?.uid };
}
