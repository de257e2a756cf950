// The event bus: local listeners always hear events; NOTIFY is only sent while another
// replica is alive, and a newcomer's hello is answered so both sides know each other.
import { afterEach, expect, it, vi } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { EventBus, type ServerEvent } from '../../src/server/events.js';

function fakePostgres() {
  const notified: { channel: string; payload: any }[] = [];
  let handler: ((p: string) => void) | null = null;
  let resume: (() => void) | null = null;
  const db = {
    kind: 'postgres',
    where: 'fake',
    schema: 'fake_schema',
    async query(sql: string, params?: unknown[]) {
      if (sql.includes('pg_notify')) notified.push({ channel: String(params![0]), payload: JSON.parse(String(params![1])) });
      return [];
    },
    async listen(_channel: string, h: (p: string) => void, onResume?: () => void) {
      handler = h;
      resume = onResume ?? null;
      return async () => undefined;
    },
  } as unknown as Db;
  return { db, notified, deliver: (w: object) => handler!(JSON.stringify(w)), resume: () => resume!() };
}

const ev: ServerEvent = { kind: 'process', processid: 'p1', colonyname: 'c', executortype: 't', state: 0 };
const tick = () => new Promise((r) => setImmediate(r));

it('sends no NOTIFY while alone, and NOTIFYs events once a peer is alive, until it says bye', async () => {
  const f = fakePostgres();
  const bus = new EventBus(f.db);
  const heard: ServerEvent[] = [];
  bus.on((e) => heard.push(e));
  await bus.start();
  expect(f.notified.map((n) => n.payload.hb)).toEqual(['hello']);
  expect(f.notified[0].channel).toBe('colonies_events_fake_schema');

  bus.publish(ev);
  await tick();
  expect(heard).toEqual([ev]); // local listeners always hear it
  expect(f.notified.filter((n) => n.payload.e)).toEqual([]); // nobody else to tell

  f.deliver({ r: 'peer-1', hb: 'hello' });
  await tick();
  expect(f.notified.at(-1)!.payload).toEqual({ r: bus.replicaId, hb: 'alive' }); // answered at once
  expect(bus.livePeers()).toBe(1);

  bus.publish(ev);
  await tick();
  await tick();
  expect(f.notified.filter((n) => n.payload.e).map((n) => n.payload.e)).toEqual([[ev]]);

  // the peer's events reach our listeners; our own echoes are ignored
  const remote: ServerEvent = { ...ev, processid: 'p2' };
  f.deliver({ r: 'peer-1', e: [remote] });
  f.deliver({ r: bus.replicaId, e: [{ ...ev, processid: 'echo' }] });
  expect(heard.map((e) => (e as { processid: string }).processid)).toEqual(['p1', 'p1', 'p2']);

  f.deliver({ r: 'peer-1', hb: 'bye' });
  expect(bus.livePeers()).toBe(0);
  const before = f.notified.length;
  bus.publish(ev);
  await tick();
  expect(f.notified.length).toBe(before);
  await bus.stop();
});

afterEach(() => {
  vi.useRealTimers();
});

it('while it cannot hear itself (LISTEN lost), a replica NOTIFYs every event and forgets no peer; once back it says hello', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  const f = fakePostgres();
  const bus = new EventBus(f.db);
  const heard: ServerEvent[] = [];
  bus.on((e) => heard.push(e));
  await bus.start();
  const events = () => f.notified.filter((n) => n.payload.e).length;

  // alone and hearing its own heartbeats: nothing to send
  f.deliver({ r: bus.replicaId, hb: 'hello' });
  const lastHeard = Date.now();
  bus.publish(ev);
  await tick();
  expect(events()).toBe(0);

  // alone, then its LISTEN connection goes quiet (it no longer hears itself) for 20 s: a peer
  // that came meanwhile could not be heard, so events go out anyway
  vi.advanceTimersByTime(20_000);
  bus.publish(ev);
  await tick();
  expect(events()).toBe(1);

  // the connection is back: waiters look again (at what came since it last heard itself), and
  // peers are asked to say who they are
  f.resume();
  expect(heard.at(-1)).toEqual({ kind: 'resync', since: lastHeard });
  expect(f.notified.at(-1)!.payload).toEqual({ r: bus.replicaId, hb: 'hello' });
  f.deliver({ r: bus.replicaId, hb: 'hello' });
  f.deliver({ r: 'peer-1', hb: 'alive' });
  expect(bus.livePeers()).toBe(1);

  // deaf again for 20 s: the peer is not forgotten for having been silent meanwhile
  vi.advanceTimersByTime(20_000);
  expect(bus.livePeers()).toBe(1);
  bus.publish(ev);
  await tick();
  expect(events()).toBe(2);

  // hearing its own heartbeats again (every 2 s) but not the peer for 8 s: now the peer is
  // gone, and nothing is sent
  f.deliver({ r: bus.replicaId, hb: 'alive' });
  expect(bus.livePeers()).toBe(1);
  for (let i = 0; i < 4; i++) {
    vi.advanceTimersByTime(2_000);
    f.deliver({ r: bus.replicaId, hb: 'alive' });
  }
  expect(bus.livePeers()).toBe(0);
  bus.publish(ev);
  await tick();
  expect(events()).toBe(2);
  await bus.stop();
});
