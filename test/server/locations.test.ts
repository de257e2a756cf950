// Location RPCs (PROTOCOL §6.5, OBJECTS §6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

let t: TestServer;
let n = 0;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const fresh = () => setupColony(t, `loc${++n}`);
const home = (c: Cast) => ({ locationid: 'loc1', name: 'home', colonyname: c.colonyName, description: 'd', long: 1.5, lat: 2 });

describe('addlocationmsg', () => {
  it('adds a location, replies in Go field order', async () => {
    const c = await fresh();
    const reply = await t.call('addlocationmsg', { location: home(c) }, c.owner);
    expect(reply).toEqual(home(c));
    expect(Object.keys(reply)).toEqual(['locationid', 'name', 'colonyname', 'description', 'long', 'lat']);
  });

  it('refuses non-owners, null, unknown colonies and taken names; nothing is added', async () => {
    const c = await fresh();
    await t.call('addlocationmsg', { location: home(c) }, c.owner);
    expect(await t.fail('addlocationmsg', { location: { ...home(c), name: 'x' } }, c.user)).toEqual({ status: 403, message: 'Access denied, not colony owner' });
    expect(await t.fail('addlocationmsg', { location: null }, c.owner)).toEqual({ status: 400, message: 'Failed to add location, location is nil' });
    expect(await t.fail('addlocationmsg', { location: { ...home(c), colonyname: 'nope' } }, c.owner)).toEqual({
      status: 400,
      message: 'Colony with name <nope> does not exists',
    });
    expect(await t.fail('addlocationmsg', { location: { ...home(c), locationid: 'other' } }, c.owner)).toEqual({
      status: 400,
      message: `A location with name <home> already exists in Colony with name <${c.colonyName}>`,
    });
    expect(await t.call('getlocationsmsg', { colonyname: c.colonyName }, c.user)).toEqual([home(c)]);
  });
});

describe('getlocationsmsg / getlocationmsg', () => {
  it('answer any registered member; null when none; unknown name is 404', async () => {
    const c = await fresh();
    const pending = newKey();
    await t.call('addexecutormsg', { executor: { executorid: pending.id, executortype: 't', executorname: 'p', colonyname: c.colonyName } }, c.owner);
    expect(await t.call('getlocationsmsg', { colonyname: c.colonyName }, pending)).toBeNull();
    await t.call('addlocationmsg', { location: home(c) }, c.owner);
    await t.call('addlocationmsg', { location: { ...home(c), locationid: 'l2', name: 'away', long: 0, lat: -3.25 } }, c.owner);
    expect((await t.call('getlocationsmsg', { colonyname: c.colonyName }, pending)).map((l: any) => l.name)).toEqual(['home', 'away']);
    expect(await t.call('getlocationmsg', { colonyname: c.colonyName, name: 'away' }, pending)).toMatchObject({ long: 0, lat: -3.25 });
    expect(await t.fail('getlocationmsg', { colonyname: c.colonyName, name: 'nowhere' }, c.user)).toEqual({
      status: 404,
      message: 'Failed to get location, location is nil',
    });
    expect((await t.fail('getlocationsmsg', { colonyname: c.colonyName }, c.owner)).status).toBe(403);
    expect((await t.fail('getlocationmsg', { colonyname: 'nope', name: 'home' }, c.user)).status).toBe(400);
  });
});

describe('removelocationmsg', () => {
  it('removes; owner only; unknown is 400', async () => {
    const c = await fresh();
    await t.call('addlocationmsg', { location: home(c) }, c.owner);
    expect(await t.fail('removelocationmsg', { colonyname: c.colonyName, name: 'home' }, c.executor)).toEqual({
      status: 403,
      message: 'Access denied, not colony owner',
    });
    expect(await t.fail('removelocationmsg', { colonyname: c.colonyName, name: 'nowhere' }, c.owner)).toEqual({
      status: 400,
      message: 'Location with name <nowhere> not found',
    });
    expect((await t.call('getlocationsmsg', { colonyname: c.colonyName }, c.user)).length).toBe(1);
    expect(await t.call('removelocationmsg', { colonyname: c.colonyName, name: 'home' }, c.owner)).toEqual({});
    expect(await t.call('getlocationsmsg', { colonyname: c.colonyName }, c.user)).toBeNull();
  });
});
