// addattributemsg / getattributemsg (PROTOCOL §6.8, SEMANTICS §7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeId } from '../../src/store/attributes.js';
import { addApprovedExecutor, newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';

let t: TestServer;
let c: Cast;
let other: Key;
const COLONY = 'dev';
const TYPE = 'cli';

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY, TYPE);
  other = newKey();
  await addApprovedExecutor(t, c.owner, COLONY, other, 'other', 'nobody');
});
afterAll(() => t?.close());

const get = (processid: string) => t.call('getprocessmsg', { processid }, c.user);
const attr = (targetid: string, key: string, attributetype = 1, value = '42') => ({
  attribute: { targetid, targetcolonyname: COLONY, attributetype, key, value },
});

async function running() {
  const p = await t.call('submitfuncspecmsg', { spec: { funcname: 'f', maxexectime: -1, conditions: { colonyname: COLONY, executortype: TYPE } } }, c.user);
  await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, c.executor);
  return p;
}

describe('addattributemsg', () => {
  it('the assigned executor adds attributes to its RUNNING process; they follow the process state', async () => {
    const p = await running();
    const a = await t.call('addattributemsg', attr(p.processid, 'result'), c.executor);
    expect(a).toEqual({
      attributeid: attributeId(p.processid, 'result', 1),
      targetid: p.processid,
      targetcolonyname: COLONY,
      targetprocessgraphid: '',
      state: 0,
      attributetype: 1,
      key: 'result',
      value: '42',
    });
    // the same key with another type is another attribute
    await t.call('addattributemsg', attr(p.processid, 'result', 2, 'oops'), c.executor);
    const g = await get(p.processid);
    expect(g.attributes.map((x: any) => [x.key, x.attributetype, x.value, x.state])).toEqual([
      ['result', 1, '42', 1],
      ['result', 2, 'oops', 1],
    ]);
    expect(await t.call('getattributemsg', { attributeid: a.attributeid }, c.user)).toEqual({ ...a, state: 1 });
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
    expect((await t.call('getattributemsg', { attributeid: a.attributeid }, c.executor)).state).toBe(2);
  });

  it('refuses a duplicate key/type (400) without changing the first', async () => {
    const p = await running();
    await t.call('addattributemsg', attr(p.processid, 'k', 1, 'first'), c.executor);
    expect(await t.fail('addattributemsg', attr(p.processid, 'k', 1, 'second'), c.executor)).toEqual({
      status: 400,
      message: 'duplicate key value violates unique constraint "attributes_pkey"',
    });
    expect((await get(p.processid)).attributes.map((x: any) => x.value)).toEqual(['first']);
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
  });

  it('only the assigned executor, only while RUNNING (403); unknown process 404; no attribute 400', async () => {
    const p = await running();
    expect(await t.fail('addattributemsg', attr(p.processid, 'x'), other)).toEqual({
      status: 403,
      message: `Failed to add attribute, only executor with id <${c.executor.id}> is allowed to set attributes`,
    });
    expect((await t.fail('addattributemsg', attr(p.processid, 'x'), c.user)).status).toBe(403);
    expect((await t.fail('addattributemsg', attr(p.processid, 'x'), newKey())).status).toBe(403);
    await t.call('closesuccessfulmsg', { processid: p.processid }, c.executor);
    expect(await t.fail('addattributemsg', attr(p.processid, 'x'), c.executor)).toEqual({
      status: 403,
      message: 'Failed to add attribute, process is not running',
    });
    const w = await t.call('submitfuncspecmsg', { spec: { funcname: 'w', conditions: { colonyname: COLONY, executortype: 'nobody-at-all' } } }, c.user);
    expect((await t.fail('addattributemsg', attr(w.processid, 'x'), c.executor)).status).toBe(403);
    expect((await get(p.processid)).attributes).toEqual([]);
    expect((await get(w.processid)).attributes).toEqual([]);
    expect(await t.fail('addattributemsg', attr('c'.repeat(64), 'x'), c.executor)).toEqual({
      status: 404,
      message: 'Failed to add attribute, process not found',
    });
    expect((await t.fail('addattributemsg', { attribute: null }, c.executor)).status).toBe(400);
  });
});

describe('getattributemsg', () => {
  it('400 for an unknown attribute, 403 for non-members of the process colony', async () => {
    expect(await t.fail('getattributemsg', { attributeid: 'd'.repeat(64) }, c.user)).toEqual({ status: 400, message: 'Attribute does not exists' });
    const p = await t.call(
      'submitfuncspecmsg',
      { spec: { funcname: 'e', env: { HOME: '/root' }, conditions: { colonyname: COLONY, executortype: 'nobody-at-all' } } },
      c.user,
    );
    const id = p.attributes[0].attributeid;
    expect(await t.call('getattributemsg', { attributeid: id }, c.executor)).toMatchObject({ key: 'HOME', value: '/root', attributetype: 3, state: 0 });
    expect((await t.fail('getattributemsg', { attributeid: id }, newKey())).status).toBe(403);
    expect((await t.fail('getattributemsg', { attributeid: id }, c.owner)).status).toBe(403);
  });
});
