// The run loop every controller shares: wait for its informers, then workers over its queue.
import { runWorkers, type WorkQueue, waitForCacheSync } from "../../pkg/client/index.js";
import type { ReconcileResult } from "../../pkg/client/workqueue.js";
import type { ControllerContext } from "../context.js";

export function runLoop(
  ctx: ControllerContext,
  name: string,
  queue: WorkQueue<string>,
  informers: { waitForSync(signal?: AbortSignal): Promise<boolean> }[],
  sync: (key: string) => Promise<ReconcileResult>,
): () => Promise<void> {
  return async () => {
    const log = ctx.log.child({ controller: name });
    if (!(await waitForCacheSync(ctx.signal, ...informers))) return;
    log.info({ workers: ctx.options.concurrentSyncs }, "caches synced, starting workers");
    await runWorkers(queue, ctx.options.concurrentSyncs, sync, { logger: log, signal: ctx.signal });
  };
}
