// Background work: timeouts, stale executors, crons, generators, retention. Singleton work
// runs only on the replica holding the PostgreSQL advisory lock (the leader); when the
// leader dies its session ends, the lock is freed and another replica takes over.
import type { ServerContext } from './context.js';

export interface LoopDef {
  name: string;
  periodMs: (srv: ServerContext) => number;
  leaderOnly: boolean;
  run: (srv: ServerContext) => Promise<void>;
}

const defs: LoopDef[] = [];

/** Handler modules declare their loops at import time. */
export function loop(def: LoopDef): void {
  defs.push(def);
}

export const LEADER_LOCK_KEY = 4_242_000;

export class Loops {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<void>>();
  private leader = false;
  private stopped = false;

  constructor(private readonly srv: ServerContext) {}

  isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    await this.elect();
    this.every(2000, () => this.elect());
    for (const d of defs) {
      this.every(Math.max(10, d.periodMs(this.srv)), async () => {
        if (d.leaderOnly && !this.leader) return;
        try {
          await d.run(this.srv);
        } catch (e) {
          if (!this.stopped) this.srv.log.error({ err: e, loop: d.name }, 'background loop failed');
        }
      });
    }
  }

  private async elect(): Promise<void> {
    const was = this.leader;
    this.leader = await this.srv.db.tryAdvisoryLock(LEADER_LOCK_KEY);
    if (this.leader !== was) this.srv.log.info({ leader: this.leader }, this.leader ? 'became leader' : 'lost leadership');
  }

  private every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      const p = fn().finally(() => {
        busy = false;
        this.running.delete(p);
      });
      this.running.add(p);
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.running]);
  }
}
