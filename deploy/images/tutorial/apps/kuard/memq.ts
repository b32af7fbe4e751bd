// kuard's in-memory work queue server ("MemQ"), used by the Jobs chapter: named queues of messages,
// with the statistics and the JSON shapes of the original.

export interface MemqMessage {
  kind: "message";
  id: string;
  body: string;
  creationTimestamp: string;
}

export interface MemqStat {
  name: string;
  depth: number;
  enqueued: number;
  dequeued: number;
  drained: number;
}

export class MemqError extends Error {}

export const errEmptyQueue = new MemqError("empty queue");
export const errNotExist = new MemqError("does not exist");
export const errAlreadyExist = new MemqError("already exists");

interface Queue {
  messages: MemqMessage[];
  enqueued: number;
  dequeued: number;
  drained: number;
}

export class MemqBroker {
  private queues = new Map<string, Queue>();

  constructor(private readonly newId: () => string) {}

  createQueue(name: string): void {
    if (this.queues.has(name)) throw errAlreadyExist;
    this.queues.set(name, { messages: [], enqueued: 0, dequeued: 0, drained: 0 });
  }

  deleteQueue(name: string): void {
    if (!this.queues.delete(name)) throw errNotExist;
  }

  drainQueue(name: string): void {
    const q = this.get(name);
    q.drained += q.messages.length;
    q.messages = [];
  }

  enqueue(name: string, body: string, now: Date): MemqMessage {
    const q = this.get(name);
    const m: MemqMessage = { kind: "message", id: this.newId(), body, creationTimestamp: now.toISOString() };
    q.messages.push(m);
    q.enqueued++;
    return m;
  }

  dequeue(name: string): MemqMessage {
    const q = this.get(name);
    const m = q.messages.shift();
    if (!m) throw errEmptyQueue;
    q.dequeued++;
    return m;
  }

  stats(): { kind: "stats"; queues: MemqStat[] } {
    const queues = [...this.queues.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, q]) => ({
        name,
        depth: q.messages.length,
        enqueued: q.enqueued,
        dequeued: q.dequeued,
        drained: q.drained,
      }));
    return { kind: "stats", queues };
  }

  private get(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw errNotExist;
    return q;
  }
}
