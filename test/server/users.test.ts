// User RPCs (PROTOCOL §6.4, SEMANTICS §14, DECISIONS "duplicate user id").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let n = 0;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const fresh = () => setupColony(t, `us${++n}`);
const users = (c: Cast) => t.call('getusersmsg', { colonyname: c.colonyName }, c.user);

describe('addusermsg', () => {
  it('adds a user (reply in Go field order) who is a member without approval', async () => {
    const c = await fresh();
    const k = newKey();
    const u = { colonyname: c.colonyName, userid: k.id, name: 'alice', email: 'a@b.c', phone: '1' };
    const reply = await t.call('addusermsg', { user: u }, c.owner);
    expect(reply).toEqual(u);
    expect(Object.keys(reply)).toEqual(['colonyname', 'userid', 'name', 'email', 'phone']);
    await t.call('getcolonymsg', { colonyname: c.colonyName }, k);
  });

  it('refuses non-owners, null users, unknown colonies, taken names and taken ids; nothing is added', async () => {
    const c = await fresh();
    const k = newKey();
    const u = { colonyname: c.colonyName, userid: k.id, name: 'bob' };
    expect(await t.fail('addusermsg', { user: u }, c.user)).toEqual({ status: 403, message: 'Access denied, not colony owner' });
    expect(await t.fail('addusermsg', { user: null }, c.owner)).toEqual({ status: 400, message: 'Failed to add user, user is nil' });
    expect(await t.fail('addusermsg', { user: { ...u, colonyname: 'nope' } }, c.owner)).toEqual({
      status: 400,
      message: 'Colony with name <nope> does not exists',
    });
    expect(await t.fail('addusermsg', { user: { ...u, name: c.user.name } }, c.owner)).toEqual({
      status: 400,
      message: `A user with name <${c.user.name}> already exists in Colony with name <${c.colonyName}>`,
    });
    // DECISIONS: the same id twice in a colony is refused (Go accepts it)
    expect(await t.fail('addusermsg', { user: { ...u, userid: c.user.id } }, c.owner)).toEqual({
      status: 400,
      message: `A user with Id <${c.user.id}> already exists in Colony with name <${c.colonyName}>`,
    });
    expect((await users(c)).map((x: any) => x.name)).toEqual([c.user.name]);
  });

  it('the same id may be a user in two colonies', async () => {
    const a = await fresh();
    const b = await fresh();
    await t.call('addusermsg', { user: { colonyname: b.colonyName, userid: a.user.id, name: 'visitor' } }, b.owner);
    await t.call('getcolonymsg', { colonyname: b.colonyName }, a.user);
  });
});

describe('getusersmsg / getusermsg / getuserbyidmsg', () => {
  it('answer any registered member (M*)', async () => {
    const c = await fresh();
    const pending = newKey();
    await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: 't', executorname: 'p', colonyname: c.colonyName } }, c.owner);
    const expected = { colonyname: c.colonyName, userid: c.user.id, name: c.user.name, email: '', phone: '' };
    expect(await t.call('getusersmsg', { colonyname: c.colonyName }, pending)).toEqual([expected]);
    expect(await t.call('getusermsg', { colonyname: c.colonyName, name: c.user.name }, pending)).toEqual(expected);
    expect(await t.call('getuserbyidmsg', { colonyname: c.colonyName, userid: c.user.id }, pending)).toEqual(expected);
  });

  it('errors: strangers 403, unknown colony 400, unknown name 500, unknown id 404', async () => {
    const c = await fresh();
    for (const [type, extra] of [
      ['getusersmsg', {}],
      ['getusermsg', { name: c.user.name }],
      ['getuserbyidmsg', { userid: c.user.id }],
    ] as const) {
      expect((await t.fail(type, { colonyname: c.colonyName, ...extra }, c.owner)).status).toBe(403);
      expect(await t.fail(type, { colonyname: 'nope', ...extra }, c.user)).toEqual({ status: 400, message: 'Colony with name <nope> does not exists' });
    }
    expect(await t.fail('getusermsg', { colonyname: c.colonyName, name: 'nobody' }, c.user)).toEqual({ status: 500, message: 'Failed to get user, user is nil' });
    expect(await t.fail('getuserbyidmsg', { colonyname: c.colonyName, userid: newKey().id }, c.user)).toEqual({
      status: 404,
      message: 'Failed to get user, user is nil',
    });
  });
});

describe('removeusermsg', () => {
  it('removes a user (who stops being a member); owner only; unknown is 400', async () => {
    const c = await fresh();
    expect(await t.fail('removeusermsg', { colonyname: c.colonyName, name: c.user.name }, c.executor)).toEqual({
      status: 403,
      message: 'Access denied, not colony owner',
    });
    expect(await t.fail('removeusermsg', { colonyname: c.colonyName, name: 'nobody' }, c.owner)).toEqual({
      status: 400,
      message: 'User with name <nobody> not found',
    });
    expect((await users(c)).length).toBe(1);
    expect(await t.call('removeusermsg', { colonyname: c.colonyName, name: c.user.name }, c.owner)).toEqual({});
    expect(await t.call('getusersmsg', { colonyname: c.colonyName }, c.executor)).toBeNull();
    expect((await t.fail('getcolonymsg', { colonyname: c.colonyName }, c.user)).status).toBe(403);
  });
});

describe('changeuseridmsg', () => {
  it('the calling user rotates its own id', async () => {
    const c = await fresh();
    const next = newKey();
    expect(await t.call('changeuseridmsg', { colonyname: c.colonyName, userid: next.id }, c.user)).toEqual({
      msgtype: 'changeuseridmsg',
      colonyname: c.colonyName,
      userid: next.id,
    });
    await t.call('getcolonymsg', { colonyname: c.colonyName }, next);
    expect((await t.fail('getcolonymsg', { colonyname: c.colonyName }, c.user)).status).toBe(403);
  });

  it('refuses empty/short/taken ids, non-users and strangers; the id stays', async () => {
    const c = await fresh();
    const other = newKey();
    await t.call('addusermsg', { user: { colonyname: c.colonyName, userid: other.id, name: 'other' } }, c.owner);
    const msg = (userid: string) => ({ colonyname: c.colonyName, userid });
    expect(await t.fail('changeuseridmsg', msg(''), c.user)).toEqual({ status: 400, message: 'Failed to change user Id, user Id is empty' });
    expect(await t.fail('changeuseridmsg', msg('abc'), c.user)).toEqual({ status: 400, message: 'Failed to change user Id, new user Id is not 64 characters' });
    expect(await t.fail('changeuseridmsg', msg(other.id), c.user)).toEqual({
      status: 400,
      message: `A user with Id <${other.id}> already exists in Colony with name <${c.colonyName}>`,
    });
    expect(await t.fail('changeuseridmsg', msg(newKey().id), c.executor)).toEqual({ status: 400, message: 'Failed to change user Id, user not found' });
    expect((await t.fail('changeuseridmsg', msg(newKey().id), newKey())).status).toBe(403);
    expect((await t.call('getusermsg', { colonyname: c.colonyName, name: c.user.name }, c.user)).userid).toBe(c.user.id);
  });
});
