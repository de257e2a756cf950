// AssignWaiters on their own (src/server/waiters.ts), with a stand-in event bus: who is woken by
// what, and after a resync only the colony/type pairs with something waiting.
import { describe, expect, it } from 'vitest';
import type { EventBus, EventListener, ServerEvent } from '../../src/server/events.js';
import { AssignWaiters } from '../../src/server/waiters.js';

function fakeBus() {
  const listeners: EventListener[] = [];
  const bus = { on: (l: EventListener) => (listeners.push(l), () => undefined) } as unknown as EventBus;
  return { bus, emit: (e: ServerEvent) => listeners.forEach((l) => l(e)) };
}

const settle = () => new Promise((r) => setTimeout(r, 10));
const later = () => Date.now() + 60_000;

describe('AssignWaiters after a resync', () => {
  it('wakes the waiters of the colony/type pairs that have something waiting, and no others', async () => {
    const { bus, emit } = fakeBus();
    const probed: string[] = [];
    const waiting = new Set(['c1/busy']);
    const w = new AssignWaiters(bus, async (colony, type) => (probed.push(`${colony}/${type}`), waiting.has(`${colony}/${type}`)));
    const busy = [w.park('c1', 'busy', later()), w.park('c1', 'busy', later())];
    const idle = [w.park('c1', 'idle', later()), w.park('c2', 'busy', later())];
    const woken: unknown[] = [];
    for (const p of [...busy, ...idle]) void p.woken.then((v) => woken.push(v));
    emit({ kind: 'resync', since: 0 });
    await settle();
    expect(probed.sort()).toEqual(['c1/busy', 'c1/idle', 'c2/busy']);
    expect(busy.map((p) => p.active)).toEqual([false, false]);
    expect(idle.map((p) => p.active)).toEqual([true, true]);
    expect(woken).toEqual([true, true]);
    for (const p of idle) p.cancel();
  });

  it('a probe that fails wakes the waiters (in doubt, look); without a probe every waiter looks', async () => {
    const a = fakeBus();
    const failing = new AssignWaiters(a.bus, async () => Promise.reject(new Error('database away')));
    const p = failing.park('c', 't', later());
    a.emit({ kind: 'resync', since: 0 });
    await settle();
    expect(await p.woken).toBe(true);

    const b = fakeBus();
    const plain = new AssignWaiters(b.bus);
    const q = [plain.park('c', 't', later()), plain.park('d', 'u', later())];
    b.emit({ kind: 'resync', since: 0 });
    await settle();
    expect(q.map((x) => x.active)).toEqual([false, false]);
  });

  it('a process event still wakes one waiter of its pair; a targeted one wakes them all', async () => {
    const { bus, emit } = fakeBus();
    const w = new AssignWaiters(bus, async () => false);
    const ps = [w.park('c', 't', later()), w.park('c', 't', later()), w.park('c', 't', later())];
    emit({ kind: 'process', processid: 'x', colonyname: 'c', executortype: 't', state: 0 });
    expect(ps.map((p) => p.active)).toEqual([false, true, true]);
    emit({ kind: 'process', processid: 'y', colonyname: 'c', executortype: 't', state: 0, targeted: true });
    expect(ps.map((p) => p.active)).toEqual([false, false, false]);
  });
});
