// Group commit for hot statements (submit, assign, close, and the process RPCs' access read).
// Requests that arrive while a statement of the same kind (and key) is already running in the
// database wait for it and then go together, as one statement: under load many processes share
// one round trip and one commit, and alone a request goes at once (no timer, no added latency).
// Each request still gets its own result; when a grouped statement fails, every request in it
// is retried on its own, so one bad item cannot fail the others.

export type BatchWrite<I, R> = (items: I[]) => Promise<R[]>;

interface Pending<I, R> {
  item: I;
  resolve(r: R): void;
  reject(e: unknown): void;
}

interface Lane<I, R> {
  running: number;
  queue: Pending<I, R>[];
}

export class Batcher<I, R> {
  private readonly lanes = new Map<string, Lane<I, R>>();

  /**
   * @param write  stores items that share a key, in one statement; returns one result per item, in order
   * @param maxBatch  most items per statement
   * @param maxRunning  statements of one key in flight at once (the rest wait and group)
   * @param onGroupFailure  told when a grouped write failed (its items are then written one by
   *   one): a group that keeps failing costs every item a second statement, so it is logged
   */
  constructor(
    private readonly write: BatchWrite<I, R>,
    private readonly maxBatch = 64,
    private readonly maxRunning = 2,
    private readonly onGroupFailure?: (err: unknown, size: number) => void,
  ) {}

  run(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let lane = this.lanes.get(key);
      if (!lane) this.lanes.set(key, (lane = { running: 0, queue: [] }));
      lane.queue.push({ item, resolve, reject });
      this.pump(key, lane);
    });
  }

  private pump(key: string, lane: Lane<I, R>): void {
    while (lane.running < this.maxRunning && lane.queue.length > 0) {
      const batch = lane.queue.splice(0, this.maxBatch);
      lane.running++;
      void this.flush(batch).finally(() => {
        lane.running--;
        if (lane.queue.length > 0) this.pump(key, lane);
        else if (lane.running === 0) this.lanes.delete(key);
      });
    }
  }

  private async flush(batch: Pending<I, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (e) {
      if (batch.length === 1) {
        batch[0].reject(e);
        return;
      }
      this.onGroupFailure?.(e, batch.length);
      // one by one, so that only the item at fault fails
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve((await this.write([p.item]))[0]);
          } catch (err) {
            p.reject(err);
          }
        }),
      );
    }
  }
}
