import { randomUUID } from 'node:crypto';
import type { DocStore, PendingUpdate } from './docStore';

export type SaveState = 'ok' | 'paused';

interface Entry extends PendingUpdate {
  /** With the stored row's id when the store reports it. */
  resolve: (rowId?: string) => void;
  reject: (e: Error) => void;
}

export interface WriterOptions {
  /** Most updates committed in one transaction. */
  maxBatch?: number;
  /** Backoff after a failed commit: doubles from min to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
  onStateChange?: (state: SaveState, error?: Error) => void;
}

export class WriterClosedError extends Error {
  override name = 'WriterClosedError';
}

/**
 * Group commit: every update that arrives while a commit is in flight joins the next one, so
 * under load N updates cost far fewer than N transactions while each still waits for its own
 * durability. Commits are strictly sequential and FIFO, so per-debate order is kept. A failed
 * commit is retried with backoff and never dropped; the caller relays only after its promise
 * resolves ("durable before relay").
 */
export class GroupCommitWriter {
  private queue: Entry[] = [];
  private running = false;
  private closed = false;
  private state: SaveState = 'ok';
  private idleWaiters: (() => void)[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly maxBatch: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  /** Transactions committed and updates written, for tests and metrics. */
  readonly stats = { commits: 0, updates: 0, failures: 0 };

  constructor(
    private readonly store: DocStore,
    private readonly opts: WriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 2000;
    this.retryMinMs = opts.retryMinMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
  }

  get saveState(): SaveState {
    return this.state;
  }

  get pending(): number {
    return this.queue.length;
  }

  pendingFor(debateId: string): number {
    let n = 0;
    for (const e of this.queue) if (e.debateId === debateId) n++;
    return n;
  }

  /** Resolves once the update is committed, with its log row id when the store reports ids. */
  write(debateId: string, data: Uint8Array): Promise<string | undefined> {
    if (this.closed) return Promise.reject(new WriterClosedError('writer is closed'));
    return new Promise<string | undefined>((resolve, reject) => {
      this.queue.push({ debateId, data, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  /** Resolves once everything queued so far (and anything queued meanwhile) is committed. */
  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    // A drain is urgent (shutdown, unload): skip the rest of a backoff wait.
    this.wakeRetry?.();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting writes. With `abandonAfterMs`, entries still failing after that long are
   * rejected so shutdown can finish; they were never relayed, and their senders still hold them.
   */
  async close(abandonAfterMs?: number): Promise<void> {
    this.closed = true;
    if (abandonAfterMs === undefined) return this.drain();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        const left = this.queue.splice(0);
        for (const e of left) e.reject(new WriterClosedError('shutdown before the update could be saved'));
        this.wakeRetry?.();
        resolve();
      }, abandonAfterMs);
    });
    await Promise.race([this.drain(), gaveUp]);
    clearTimeout(timer);
  }

  private setState(s: SaveState, err?: Error): void {
    if (this.state === s) return;
    this.state = s;
    this.opts.onStateChange?.(s, err);
  }

  private async run(): Promise<void> {
    this.running = true;
    let delay = this.retryMinMs;
    /**
     * The batch being committed. A failed attempt is retried with the same entries and the same
     * commit id (entries queued meanwhile wait for the next batch), so that the store can tell a
     * commit whose acknowledgement was lost from one that never happened.
     */
    let attempt: { batch: Entry[]; commit: { id: string; retry: boolean } } | undefined;
    while (this.queue.length > 0) {
      // close(abandon) may have rejected a failing batch's entries while we waited.
      if (!attempt || this.queue[0] !== attempt.batch[0])
        attempt = { batch: this.queue.slice(0, this.maxBatch), commit: { id: randomUUID(), retry: false } };
      const batch = attempt.batch;
      let ids: void | string[];
      try {
        ids = await this.store.append(batch, attempt.commit);
      } catch (e) {
        attempt.commit.retry = true;
        this.stats.failures++;
        const err = e instanceof Error ? e : new Error(String(e));
        this.setState('paused', err);
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          this.retryTimer = setTimeout(resolve, delay);
        });
        clearTimeout(this.retryTimer);
        this.wakeRetry = undefined;
        delay = Math.min(delay * 2, this.retryMaxMs);
        continue;
      }
      delay = this.retryMinMs;
      attempt = undefined;
      // close(abandon) may have emptied the queue while we committed; only settle what is still ours.
      const done = this.queue[0] === batch[0] ? this.queue.splice(0, batch.length) : [];
      this.stats.commits++;
      this.stats.updates += done.length;
      this.setState('ok');
      done.forEach((e, i) => e.resolve(ids ? ids[i] : undefined));
    }
    this.running = false;
    const waiters = this.idleWaiters.splice(0);
    for (const w of waiters) w();
  }
}
