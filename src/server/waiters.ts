// Executors parked in a long-poll assign. A "process became WAITING" event wakes one waiter
// of that colony and executor type (all of them when the process targets executor names or a
// location, or when a colony resumes). A waiter registers BEFORE it looks at the queue, so an
// event between its look and its sleep is never missed. When this replica may have missed
// events (its LISTEN connection was lost and is back), the waiters of every colony and type
// that has something waiting look again (one probe per colony and type, not one assign
// attempt per parked executor: a replica may hold thousands). When the server shuts down,
// every waiter ends at once (its long poll answers "nothing came") and no new one parks.
// A waiter that is asleep (its own attempt found nothing) may instead be claimed by a submit on
// this replica, whose statement stores the process already assigned to it where its own assign
// would have got it, and hands it the result (see ./handoff.ts): no wake-up, no second statement.
import type { Assigned } from '../store/process-assign.js';
import type { EventBus, ServerEvent } from './events.js';

/** Who waits: what an assignment for this waiter needs to know. */
export interface Claimant {
  executorid: string;
  cpu: bigint;
  mem: bigint;
}

interface Waiter {
  key: string;
  wake: () => void;
  /** ends the wait without a wake-up (shutdown) */
  end: () => void;
  claimant?: Claimant;
  /** asleep: its attempt is over, it only waits (only then may a submit claim it) */
  asleep: boolean;
  /** takes the waiter out of the set for a handoff; null when it cannot be claimed any more */
  claim: () => Claimed | null;
}

/** What a parked waiter is told: woken (look again), not (deadline, abort), or handed an assignment. */
export type WakeUp = boolean | Assigned;

export interface Parked {
  /** resolves when woken (true), handed an attempt, or when the deadline/abort comes (false) */
  readonly woken: Promise<WakeUp>;
  /** still parked (not woken, timed out, aborted or cancelled yet) */
  readonly active: boolean;
  /** its own attempt is over: from now on a submit may claim it; resolves as `woken` */
  sleep(): Promise<WakeUp>;
  cancel(): void;
}

/** A waiter claimed by a submit: it is told exactly once, by give(). */
export interface Claimed extends Claimant {
  /** an assignment made for it, or true: look again yourself */
  give(result: Assigned | true): void;
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

  /** Waiters asleep (their own attempt is over), which a submit may claim. */
  get asleep(): number {
    let n = 0;
    for (const s of this.byKey.values()) for (const w of s) if (w.asleep) n++;
    return n;
  }

  /** Executors of a colony parked on this replica (any type). */
  parkedIn(colonyname: string): number {
    const prefix = `${colonyname}\u0000`;
    let n = 0;
    for (const [key, set] of this.byKey) if (key.startsWith(prefix)) n += set.size;
    return n;
  }

  park(colonyname: string, executortype: string, deadlineMs: number, signal?: AbortSignal, claimant?: Claimant): Parked {
    const key = `${colonyname}\u0000${executortype}`;
    let resolve!: (v: WakeUp) => void;
    const woken = new Promise<WakeUp>((r) => (resolve = r));
    let done = false;
    /** leaves the set; false if it had already left */
    const leave = () => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const set = this.byKey.get(key);
      set?.delete(waiter);
      if (set && set.size === 0) this.byKey.delete(key);
      return true;
    };
    const finish = (v: boolean) => {
      if (leave()) resolve(v);
    };
    const waiter: Waiter = {
      key,
      wake: () => finish(true),
      end: () => finish(false),
      claimant,
      asleep: false,
      claim: () => {
        if (!claimant || !waiter.asleep || signal?.aborted || !leave()) return null;
        let told = false;
        return {
          ...claimant,
          give: (result) => {
            if (told) return;
            told = true;
            resolve(result);
          },
        };
      },
    };
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
      sleep: () => {
        waiter.asleep = true;
        return woken;
      },
      cancel: () => finish(false),
    };
  }

  /**
   * Takes up to `n` asleep waiters of a colony/type that said who they are (oldest first) out of
   * the set, for a submit to assign to in its own statement. Each must then be given a result.
   */
  claim(colonyname: string, executortype: string, n: number): Claimed[] {
    const out: Claimed[] = [];
    const set = this.byKey.get(`${colonyname}\u0000${executortype}`);
    if (!set || this.closed) return out;
    for (const w of [...set]) {
      if (out.length >= n) break;
      const c = w.claim();
      if (c) out.push(c);
    }
    return out;
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
    else if (e.kind === 'process' && e.state === 0 && !e.taken) this.wake(e.colonyname, e.executortype, e.targeted ? Infinity : 1);
  }
}
