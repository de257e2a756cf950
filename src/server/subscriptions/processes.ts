// subscribeprocessmsg / subscribeprocessesmsg (PROTOCOL §7.1, §7.2, SEMANTICS §15, DECISIONS).
// One listener on the event bus serves every subscriber of this replica: events that match at
// least one subscriber are queued, their processes are read in one query per batch, and each
// frame is serialised once and sent to every matching subscriber, in event order.
import { replyEnvelope } from '../../protocol/envelope.js';
import { forbidden } from '../../protocol/errors.js';
import type { Msg } from '../../protocol/messages.js';
import type { Queryable } from '../../store/db.js';
import { processToWire } from '../../store/process-wire.js';
import { loadProcessesWire, processesEnteredSince } from '../../store/processes.js';
import { checkMember, checkMemberOrOwner, notMember } from '../access.js';
import type { ServerContext } from '../context.js';
import type { ProcessEvent, ServerEvent } from '../events.js';
import type { Conn, Subscription } from './conn.js';

const FRAME_TYPE = 'subscribeprocessmsg';
/** After a gap in the events: margin for the clocks of the replicas that wrote the times. */
const CATCH_UP_SKEW_MS = 1000;
/** ... and the most processes one type subscription is sent per state. */
const CATCH_UP_MAX = 1000;
/** setTimeout's limit (~24.8 days); longer timeouts would fire at once */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ProcessSub extends Subscription {
  conn: Conn;
  binary: boolean;
  state: number;
  /** '' = any executor type (subscribeprocessmsg without a type) */
  executortype: string;
}

interface Pending {
  e: ProcessEvent;
  targets: ProcessSub[];
}

type WireProcess = { state: number } & Record<string, unknown>;

export class ProcessSubscriptions {
  private byProcess = new Map<string, Set<ProcessSub>>();
  /** subscribeprocessesmsg: colony \0 executortype → subscribers */
  private byType = new Map<string, Set<ProcessSub>>();
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly srv: ServerContext) {}

  get size(): number {
    let n = 0;
    for (const s of this.byProcess.values()) n += s.size;
    for (const s of this.byType.values()) n += s.size;
    return n;
  }

  onEvent(e: ServerEvent): void {
    if (e.kind === 'resync') return void this.resync(e.since);
    if (e.kind !== 'process') return;
    const targets: ProcessSub[] = [];
    for (const s of this.byProcess.get(e.processid) ?? []) {
      if (s.state === e.state && (s.executortype === '' || s.executortype === e.executortype)) targets.push(s);
    }
    for (const s of this.byType.get(typeKey(e.colonyname, e.executortype)) ?? []) {
      if (s.state === e.state) targets.push(s);
    }
    if (targets.length === 0) return;
    this.queue.push({ e, targets });
    if (!this.flushing) void this.flush();
  }

  /** subscribeprocessmsg: members of the process's colony and its owner (DECISIONS). */
  async subscribeProcess(conn: Conn, binary: boolean, callerId: string, msg: Msg<'subscribeprocessmsg'>): Promise<void> {
    const db = this.srv.db;
    const row = await processColony(db, msg.processid);
    if (!row) throw forbidden(`Invalid process with Id ${msg.processid}`);
    await checkMemberOrOwner(db, row.colonyname, callerId);
    const sub = this.register(conn, binary, msg.state, msg.executortype, msg.timeout, this.byProcess, msg.processid);
    // Registered before this read, so no later change is missed (at worst one frame twice).
    const wire = (await loadProcessesWire(db, [msg.processid])).get(msg.processid) as WireProcess | undefined;
    if (wire && wire.state === msg.state && (msg.executortype === '' || msg.executortype === row.executortype)) {
      conn.send(replyEnvelope(FRAME_TYPE, wire), sub.binary);
    }
    if (msg.timeout <= 0) conn.close();
  }

  /** subscribeprocessesmsg: an approved executor; events of its own colony only (DECISIONS). */
  async subscribeProcesses(conn: Conn, binary: boolean, callerId: string, msg: Msg<'subscribeprocessesmsg'>): Promise<void> {
    const rows = await this.srv.db.query<{ colonyname: string }>('SELECT colonyname FROM executors WHERE executorid = $1', [callerId]);
    if (rows.length === 0) throw forbidden('executor not found');
    // An id may be registered in several colonies; the message's colony picks one of them.
    const colony = msg.colonyname !== '' ? msg.colonyname : rows[0].colonyname;
    if (msg.colonyname !== '' && !rows.some((r) => r.colonyname === colony)) {
      throw notMember(colony);
    }
    await checkMember(this.srv.db, colony, callerId, true);
    this.register(conn, binary, msg.state, msg.executortype, msg.timeout, this.byType, typeKey(colony, msg.executortype));
    if (msg.timeout <= 0) conn.close();
  }

  private register(
    conn: Conn,
    binary: boolean,
    state: number,
    executortype: string,
    timeoutS: number,
    index: Map<string, Set<ProcessSub>>,
    key: string,
  ): ProcessSub {
    let set = index.get(key);
    if (!set) {
      set = new Set();
      index.set(key, set);
    }
    // Go closes the whole socket when a subscription's timeout expires.
    const timer = timeoutS > 0 ? setTimeout(() => conn.close(), Math.min(MAX_TIMER_MS, timeoutS * 1000)) : null;
    const sub: ProcessSub = {
      conn,
      binary,
      state,
      executortype: index === this.byType ? '' : executortype,
      stop: () => {
        if (timer) clearTimeout(timer);
        const s = index.get(key);
        s?.delete(sub);
        if (s && s.size === 0) index.delete(key);
        conn.remove(sub);
      },
    };
    set.add(sub);
    conn.add(sub);
    return sub;
  }

  /** The processes as subscribers get them; null (logged) when the database could not be read. */
  private async read(ids: string[]): Promise<Map<string, unknown> | null> {
    try {
      return await loadProcessesWire(this.srv.db, ids);
    } catch (err) {
      this.srv.log.error({ err }, 'pubsub: failed to read processes for subscribers');
      return null;
    }
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const procs = await this.read([...new Set(batch.map((p) => p.e.processid))]);
        if (!procs) continue;
        const frames = new Map<string, string>();
        for (const { e, targets } of batch) {
          const wire = procs.get(e.processid) as WireProcess | undefined;
          if (!wire) continue; // removed meanwhile
          // The process may have moved on since the event; the frame reports the event's state.
          const key = `${e.processid}\u0000${e.state}`;
          let frame = frames.get(key);
          if (frame === undefined) {
            frame = replyEnvelope(FRAME_TYPE, wire.state === e.state ? wire : { ...wire, state: e.state });
            frames.set(key, frame);
          }
          for (const s of targets) if (s.conn.open) s.conn.send(frame, s.binary);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Events may have been missed since `since` (see ResyncEvent): every subscriber of one
   * process whose process is now in the state it waits for gets its frame (at worst one frame
   * twice, as at subscribe time), and subscribers to a type get the processes that entered
   * their state since then and are still in it (the most recent CATCH_UP_MAX; again at worst
   * twice). Not told: a process that entered the state and left it again within the gap, and a
   * process put back to WAITING (a timeout) within it.
   */
  private async resync(since: number): Promise<void> {
    await Promise.all([this.resyncProcesses(), this.resyncTypes(since)]);
  }

  private async resyncTypes(since: number): Promise<void> {
    const sinceNs = BigInt(Math.max(0, since - CATCH_UP_SKEW_MS)) * 1_000_000n;
    for (const [key, subs] of [...this.byType]) {
      const [colonyname, executortype] = key.split('\u0000');
      for (const state of new Set([...subs].map((s) => s.state))) {
        let rows;
        try {
          rows = await processesEnteredSince(this.srv.db, colonyname, executortype, state, sinceNs, CATCH_UP_MAX);
        } catch (err) {
          this.srv.log.error({ err }, 'pubsub: failed to read processes for type subscribers');
          continue;
        }
        for (const row of rows) {
          const frame = replyEnvelope(FRAME_TYPE, processToWire(row));
          for (const s of subs) if (s.state === state && s.conn.open) s.conn.send(frame, s.binary);
        }
      }
    }
  }

  private async resyncProcesses(): Promise<void> {
    const ids = [...this.byProcess.keys()];
    if (ids.length === 0) return;
    const procs = await this.read(ids);
    if (!procs) return;
    for (const id of ids) {
      const wire = procs.get(id) as (WireProcess & { spec?: { conditions?: { executortype?: string } } }) | undefined;
      if (!wire) continue;
      const type = wire.spec?.conditions?.executortype ?? '';
      let frame: string | undefined;
      for (const s of this.byProcess.get(id) ?? []) {
        if (s.state !== wire.state || (s.executortype !== '' && s.executortype !== type) || !s.conn.open) continue;
        frame ??= replyEnvelope(FRAME_TYPE, wire);
        s.conn.send(frame, s.binary);
      }
    }
  }

  /** Stops every subscription (server shutdown). */
  stopAll(): void {
    for (const index of [this.byProcess, this.byType]) {
      for (const set of [...index.values()]) for (const s of [...set]) s.stop();
    }
  }
}

function typeKey(colonyname: string, executortype: string): string {
  return `${colonyname}\u0000${executortype}`;
}

async function processColony(q: Queryable, processid: string): Promise<{ colonyname: string; executortype: string } | null> {
  const rows = await q.query<{ colonyname: string; executortype: string }>(
    'SELECT colonyname, executortype FROM processes WHERE processid = $1',
    [processid],
  );
  return rows[0] ?? null;
}
