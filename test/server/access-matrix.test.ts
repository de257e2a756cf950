/**
 * The access-rule matrix (PROTOCOL §5, the Auth column of §6, DECISIONS): every registered RPC,
 * sent as each of ten roles (roles.ts), against objects of colony A. Permitted roles must get through the
 * rule (and, unless a handler check of the spec refuses them, succeed); denied roles get the
 * rule's 403 and — for write RPCs — change nothing (a read-back before and after). A payloadtype
 * without a row in the table fails, so a new RPC cannot skip it. Rows live in access-matrix/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogue } from '../../src/protocol/messages.js';
import '../../src/server/handlers/index.js';
import { lookup, registeredTypes } from '../../src/server/registry.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { A, EXEC, buildFixtures } from './access-matrix/fixtures.js';
import { addonRows } from './access-matrix/rows-addons.js';
import { adminRows } from './access-matrix/rows-admin.js';
import { processRows } from './access-matrix/rows-processes.js';
import { ROLES, authOf, type Ctx, type Msg, type Role, type Table } from './access-matrix/roles.js';
import { coverProbes, stateOfA } from './access-matrix/cover.js';
import { expected, leakOutcome, outcome, pool, runRow, subscribeOutcome, text, type Outcomes } from './access-matrix/run.js';

const CONCURRENCY = 8;

let t: TestServer;
let ctx: Ctx;
let table: Table = {};
const results = new Map<string, Outcomes>();
const cover: Outcomes = {};

beforeAll(async () => {
  t = await startTestServer();
  const f = await buildFixtures(t);
  ctx = { t, f, key: (role) => f.keys[role] };
  table = { ...adminRows(ctx), ...processRows(ctx), ...addonRows(ctx) };
  // the cover-colony probes first, while every fixture is in place
  const before = text(await stateOfA(ctx));
  const probes = coverProbes(ctx);
  await pool(Object.keys(probes), CONCURRENCY, async (name) => {
    cover[name] = await leakOutcome(ctx, probes[name].type, probes[name].msg, f.keys.EB);
  });
  const after = text(await stateOfA(ctx));
  cover['state of colony A'] = after === before ? 'unchanged' : `changed: ${before} → ${after}`;
  const rows = registeredTypes().filter((type) => table[type]);
  const run = async (type: string) => {
    try {
      results.set(type, await runRow(ctx, type, table[type]));
    } catch (e) {
      results.set(type, { error: (e as Error).message });
    }
  };
  // Rows touching colony-wide state (pause, the user's own id, remove-all) run alone, after the rest.
  await pool(
    rows.filter((type) => !table[type].last),
    CONCURRENCY,
    run,
  );
  for (const type of rows.filter((type) => table[type].last)) await run(type);
});
afterAll(() => t?.close());

const types = registeredTypes();

describe('the table covers the registry', () => {
  it('registers the 96 served payloadtypes, each with a matrix row, and no row is stale', () => {
    expect(types).toHaveLength(96);
    expect(types.filter((type) => !table[type])).toEqual([]);
    expect(Object.keys(table).filter((type) => !lookup(type))).toEqual([]);
  });
});

describe('the declared rule is the spec Auth column', () => {
  it.each(types)('%s', (type) => {
    expect(table[type], 'matrix row').toBeDefined();
    expect(authOf(lookup(type)!.access)).toBe(table[type].auth);
  });
});

describe('every role: permitted roles get through, denied roles get 403 and change nothing', () => {
  it.each(types)('%s', (type) => {
    expect(table[type], 'matrix row').toBeDefined();
    expect(results.get(type)).toEqual(expected(table[type]));
  });
});

describe('cover colony: a member of B names B but aims at objects of A', () => {
  it('finds nothing of A, leaks nothing of A and changes nothing in A', () => {
    const probes = coverProbes(ctx);
    const want: Outcomes = Object.fromEntries(Object.entries(probes).map(([name, p]) => [name, p.expect]));
    expect(cover).toEqual({ ...want, 'state of colony A': 'unchanged' });
  });
});

describe('payloadtypes outside the registry', () => {
  const unhandled = Object.keys(catalogue).filter((type) => catalogue[type as keyof typeof catalogue].kind === 'unhandled');

  it.each(unhandled)('%s is an unknown payloadtype for every role (§6.17)', async (type) => {
    const msg = { colonyname: A };
    const got = Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, await outcome(ctx, type, msg, ctx.key(role))])));
    expect(got).toEqual(Object.fromEntries(ROLES.map((role) => [role, `403 invalid rpcMsg.PayloadType: ${type}`])));
  });

  const notMember = `403 Access denied, not a member of Colony with name <${A}>`;
  const websocket: Record<string, { msg: () => Msg; expect: Record<Role, string> }> = {
    // DECISIONS: members of the process's colony and its owner; the process is RUNNING, so an
    // accepted subscription to state 1 gets it at once
    subscribeprocessmsg: {
      msg: () => ({ colonyname: '', processid: ctx.f.running.attr, executortype: '', state: 1, timeout: 0 }),
      expect: byRole(['EA', 'UA', 'CO'], `403 Access denied, not a member or owner of Colony with name <${A}>`),
    },
    // an approved executor, for its own colony only (DECISIONS: events never cross colonies)
    subscribeprocessesmsg: {
      msg: () => ({ colonyname: A, executortype: EXEC, state: 0, timeout: 0 }),
      expect: { ...byRole(['EA'], '403 executor not found'), PE: notMember, RE: notMember, RM: notMember, EB: notMember },
    },
    // members that are parties: the user initiated the process, the executor runs it
    subscribechannelmsg: {
      msg: () => ({ processid: ctx.f.running.chan, name: 'ws', afterseq: 0, timeout: 1 }),
      expect: byRole(['EA', 'UA'], notMember),
    },
  };

  it('every WebSocket type has a row', () => {
    const ws = Object.keys(catalogue).filter((type) => catalogue[type as keyof typeof catalogue].kind === 'websocket');
    expect(Object.keys(websocket).sort()).toEqual(ws.sort());
  });

  it.each(Object.keys(websocket))('%s on /pubsub, as every role', async (type) => {
    const row = websocket[type];
    const got: Record<string, string> = {};
    await pool(ROLES, CONCURRENCY, async (role) => {
      got[role] = await subscribeOutcome(t.url, type, row.msg(), ctx.key(role));
    });
    expect(got).toEqual(row.expect);
  });
});

function byRole(permitted: Role[], denied: string): Record<Role, string> {
  return Object.fromEntries(ROLES.map((role) => [role, permitted.includes(role) ? 'ok' : denied])) as Record<Role, string>;
}
