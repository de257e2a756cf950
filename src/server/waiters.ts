// Executors parked in a long-poll assign. A "process became WAITING" event wakes one waiter
// of that colony and executor type (all of them when the process targets executor names or a
// location, or when a colony resumes). A waiter registers BEFORE it looks at the queue, so an
// event between its look and its sleep is never missed. When this replica may have missed
// events (its LISTEN connection was lost and is back), the waiters of every colony and type
// that has something waiting look again (one probe per colony and type, not one assign
// attempt per parked executor: a replica may hold thousands). When the server shuts down,
// every waiter ends at once (its long poll answers "nothing came") and no new one parks.
import type { EventBus, ServerEvent } from './events.js';

interface Waiter {
  key: string;
  wake: () => void;
  /** ends the wait without a wake-up (shutdown) */
  end: () => void;
}

export interface Parked {
  /** resolves when woken (true) or when the deadline/abort comes (false) */
  readonly woken: Promise<boolean>;
  /** still parked (not woken, timed out, aborted or cancelled yet) */
  readonly active: boolean;
  cancel(): void;
}

/** Is anything assignable WAITING for this colony and executor type? */
export type QueueProbe = (colonyname: string, executortype: string) => Promise<boolean>;

export class AssignWaiters {
  private byKey = new Map<string, Set<Waiter>>();
  private closed = false;

  /** `probe`: asked after a resync; without one, every waiter looks again. */
  constructor(
    bus: EventBus,
    private readonly probe?: QueueProbe,
  ) {
    bus.on((e) => this.onEvent(e));
  }

  get size(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }

  /** Executors of a colony parked on this replica (any type). */
  parkedIn(colonyname: string): number {
    const prefix = `${colonyname}\u0000`;
    let n = 0;
    for (const [key, set] of this.byKey) if (key.startsWith(prefix)) n += set.size;
    return n;
  }

  park(colonyname: string, executortype: string, deadlineMs: number, signal?: AbortSignal): Parked {
    const key = `${colonyname}\u0000${executortype}`;
    let resolve!: (v: boolean) => void;
    const woken = new Promise<boolean>((r) => (resolve = r));
    let done = false;
    const finish = (v: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const set = this.byKey.get(key);
      set?.delete(waiter);
      if (set && set.size === 0) this.byKey.delete(key);
      resolve(v);
    };
    const waiter: Waiter = { key, wake: () => finish(true), end: () => finish(false) };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), this.closed ? 0 : Math.max(0, deadlineMs - Date.now()));
    signal?.addEventListener('abort', onAbort);
    let set = this.byKey.get(key);
    if (!set) {
      set = new Set();
      this.byKey.set(key, set);
    }
    set.add(waiter);
    return {
      woken,
      get active() {
        return !done;
      },
      cancel: () => finish(false),
    };
  }

  /** Wakes up to n waiters of a colony/type (oldest first); n = Infinity wakes all. */
  wake(colonyname: string, executortype: string, n = 1): void {
    const set = this.byKey.get(`${colonyname}\u0000${executortype}`);
    if (!set) return;
    for (const w of [...set]) {
      if (n-- <= 0) break;
      w.wake();
    }
  }

  private wakeColony(colonyname: string): void {
    const prefix = `${colonyname}\u0000`;
    for (const [key, set] of [...this.byKey]) {
      if (key.startsWith(prefix)) for (const w of [...set]) w.wake();
    }
  }

  /** Shutdown: every waiter ends now, unwoken, and later ones end at once. */
  close(): void {
    this.closed = true;
    for (const set of [...this.byKey.values()]) for (const w of [...set]) w.end();
  }

  /**
   * Events may have been missed: the waiters of a colony and type look again if something is
   * waiting for them (an attempt finding nothing parks a waiter anew). A probe that fails
   * counts as "something": in doubt, look. Waiters that park meanwhile make their own attempt.
   */
  private async resync(): Promise<void> {
    for (const [key, set] of [...this.byKey]) {
      let waiting = true;
      if (this.probe) {
        const [colonyname, executortype] = key.split('\u0000');
        waiting = await this.probe(colonyname, executortype).catch(() => true);
      }
      if (waiting) for (const w of [...set]) w.wake();
    }
  }

  private onEvent(e: ServerEvent): void {
    if (e.kind === 'resync') void this.resync();
    else if (e.kind === 'resume') this.wakeColony(e.colonyname);
    else if (e.kind === 'process' && e.state === 0) this.wake(e.colonyname, e.executortype, e.targeted ? Infinity : 1);
  }
}
