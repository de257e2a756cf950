/**
 * Blueprints and reconciliation (PROTOCOL §6.15, SEMANTICS §18, OBJECTS §20, observed Go
 * replies): definitions, blueprints, update/generation rules, status, history, reconcile,
 * removal, the auto-created location and reconcile cron, and colony removal (DECISIONS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, setupColony, startTestServer, type Cast, type Key, type TestServer } from '../helpers/server.js';

const KIND = 'ExecutorDeployment';
const COLONY = 'bp';
const ZERO = '0001-01-01T00:00:00Z';

let t: TestServer;
let c: Cast;
const stranger = newKey();
const reconciler = { ...newKey(), name: 'rec-edge' };

function definition(name: string, kind: string, extra: Record<string, unknown> = {}, colonyname = COLONY) {
  return {
    kind: 'BlueprintDefinition',
    metadata: { name, colonyname },
    spec: {
      group: 'compute.colonies.io',
      version: 'v1',
      names: { kind, listKind: `${kind}List`, singular: kind.toLowerCase(), plural: `${kind.toLowerCase()}s` },
      scope: 'Namespaced',
      handler: { executorType: 'reconciler', functionName: 'reconcile' },
      ...extra,
    },
  };
}

const SCHEMA = {
  type: 'object',
  properties: {
    replicas: { type: 'integer' },
    image: { type: 'string' },
    mode: { type: 'string', enum: ['rolling', 'recreate'] },
    ports: { type: 'array', items: { type: 'integer' } },
    resources: { type: 'object', properties: { cpu: { type: 'string' } } },
  },
  required: ['replicas'],
};

function blueprint(name: string, spec: Record<string, unknown>, locationname?: string, kind = KIND) {
  return { kind, metadata: { name, colonyname: COLONY, ...(locationname ? { locationname } : {}) }, spec };
}

const addBp = (name: string, spec: Record<string, unknown>, locationname?: string, key: Key = c.user) =>
  t.call('addblueprintmsg', { blueprint: blueprint(name, spec, locationname) }, key);
const getBp = (name: string) => t.call('getblueprintmsg', { namespace: COLONY, name }, c.user);
const listBps = (kind = '', locationname = '') => t.call('getblueprintsmsg', { namespace: COLONY, kind, locationname }, c.user);
const history = (blueprintid: string, limit = 0) => t.call('getblueprinthistorymsg', { blueprintid, limit }, c.user);
const reconcilerProcesses = async (): Promise<any[]> =>
  (await t.call('getprocessesmsg', { colonyname: COLONY, count: 100, state: 0, executortype: 'reconciler' }, c.user)) ?? [];
const cronsNamed = async (name: string): Promise<any[]> =>
  ((await t.call('getcronsmsg', { colonyname: COLONY, count: 100 }, c.user)) as any[]).filter((x) => x.name === name);
const newOnes = (after: any[], before: any[]) => after.filter((p) => !before.some((b) => b.processid === p.processid));

beforeAll(async () => {
  t = await startTestServer();
  c = await setupColony(t, COLONY);
  await t.call(
    'addexecutormsg',
    { executor: { executorid: reconciler.id, executortype: 'reconciler', executorname: reconciler.name, colonyname: COLONY, locationname: 'edge' } },
    c.owner,
  );
  await t.call('approveexecutormsg', { colonyname: COLONY, executorname: reconciler.name }, c.owner);
  await t.call('addblueprintdefinitionmsg', { blueprintdefinition: definition('execdeps', KIND, { schema: SCHEMA }) }, c.owner);
  await t.call('addblueprintdefinitionmsg', { blueprintdefinition: definition('nohandler', 'Passive', { handler: {} }) }, c.owner);
});
afterAll(async () => {
  await t?.close();
});

describe('blueprint definitions', () => {
  it('the colony owner adds one: id generated, zero times, the spec as sent (observed reply shape)', async () => {
    const d = await t.call('addblueprintdefinitionmsg', { blueprintdefinition: definition('things', 'Thing') }, c.owner);
    expect(d).toEqual({
      blueprintdefinitionid: expect.stringMatching(/^[0-9a-f]{64}$/),
      ...definition('things', 'Thing'),
      metadata: { name: 'things', colonyname: COLONY, createdAt: ZERO, updatedAt: ZERO, lastReconciliationTime: ZERO },
    });
    const mine = await t.call('addblueprintdefinitionmsg', { blueprintdefinition: { ...definition('mine', 'Mine'), blueprintdefinitionid: 'my-id' } }, c.owner);
    expect(mine.blueprintdefinitionid).toBe('my-id');
  });

  it('get by name and list, for members and the colony owner; [] for a colony without any', async () => {
    const d = await t.call('getblueprintdefinitionmsg', { colonyname: COLONY, name: 'execdeps' }, c.executor);
    expect(d.spec.schema).toEqual(SCHEMA);
    expect(await t.call('getblueprintdefinitionmsg', { colonyname: COLONY, name: 'execdeps' }, c.owner)).toEqual(d);
    const names = ((await t.call('getblueprintdefinitionsmsg', { colonyname: COLONY }, c.owner)) as any[]).map((x) => x.metadata.name);
    expect(names.slice(0, 2)).toEqual(['execdeps', 'nohandler']);
    const empty = await setupColony(t, 'bp-empty');
    expect(await t.call('getblueprintdefinitionsmsg', { colonyname: 'bp-empty' }, empty.user)).toEqual([]);
  });

  it('refusals: nil definition 400, non-owner 403, duplicate name 500, unknown 404 — nothing changes', async () => {
    const before = await t.call('getblueprintdefinitionsmsg', { colonyname: COLONY }, c.owner);
    expect(await t.fail('addblueprintdefinitionmsg', { blueprintdefinition: null }, c.owner)).toEqual({
      status: 400,
      message: 'Failed to add blueprint definition, blueprint definition is nil',
    });
    expect(await t.fail('addblueprintdefinitionmsg', { blueprintdefinition: definition('x', 'X') }, c.user)).toEqual({
      status: 403,
      message: 'Access denied, not colony owner',
    });
    expect((await t.fail('addblueprintdefinitionmsg', { blueprintdefinition: definition('execdeps', 'Other') }, c.owner)).status).toBe(500);
    expect(await t.fail('getblueprintdefinitionmsg', { colonyname: COLONY, name: 'nope' }, c.user)).toEqual({
      status: 404,
      message: 'Blueprint definition not found',
    });
    expect((await t.fail('getblueprintdefinitionmsg', { colonyname: COLONY, name: 'execdeps' }, stranger)).status).toBe(403);
    expect((await t.fail('getblueprintdefinitionsmsg', { colonyname: COLONY }, stranger)).status).toBe(403);
    expect(await t.call('getblueprintdefinitionsmsg', { colonyname: COLONY }, c.owner)).toEqual(before);
  });

  it('removal: colony owner only, 404 when missing, 409 while blueprints of its kind exist', async () => {
    await t.call('addblueprintdefinitionmsg', { blueprintdefinition: definition('gadgets', 'Gadget', { handler: {} }) }, c.owner);
    await t.call('addblueprintmsg', { blueprint: blueprint('g1', {}, undefined, 'Gadget') }, c.user);
    expect(await t.fail('removeblueprintdefinitionmsg', { namespace: COLONY, name: 'gadgets' }, c.owner)).toEqual({
      status: 409,
      message: "cannot remove BlueprintDefinition 'gadgets': 1 blueprint(s) of kind 'Gadget' still exist",
    });
    expect(await t.fail('removeblueprintdefinitionmsg', { namespace: COLONY, name: 'gadgets' }, c.user)).toEqual({
      status: 403,
      message: 'Access denied, not colony owner',
    });
    expect(await t.fail('removeblueprintdefinitionmsg', { namespace: COLONY, name: 'nope' }, c.owner)).toEqual({
      status: 404,
      message: `BlueprintDefinition 'nope' not found in namespace '${COLONY}'`,
    });
    expect((await t.call('getblueprintdefinitionmsg', { colonyname: COLONY, name: 'gadgets' }, c.owner)).metadata.name).toBe('gadgets');
    await t.call('removeblueprintmsg', { namespace: COLONY, name: 'g1' }, c.user);
    expect(await t.call('removeblueprintdefinitionmsg', { namespace: COLONY, name: 'gadgets' }, c.owner)).toEqual({});
    expect((await t.fail('getblueprintdefinitionmsg', { colonyname: COLONY, name: 'gadgets' }, c.owner)).status).toBe(404);
  });
});

describe('addblueprintmsg', () => {
  it('stores the blueprint, records history, creates the location and cron, submits a reconcile process', async () => {
    const before = await reconcilerProcesses();
    const bp = await addBp('web', { replicas: 2, image: 'nginx' }, 'edge');
    expect(bp).toEqual({
      blueprintid: expect.stringMatching(/^[0-9a-f]{64}$/),
      kind: KIND,
      metadata: { name: 'web', colonyname: COLONY, locationname: 'edge', createdAt: ZERO, updatedAt: ZERO, lastReconciliationTime: ZERO },
      spec: { image: 'nginx', replicas: 2 },
    });
    expect(await getBp('web')).toEqual(bp);
    expect(await history(bp.blueprintid)).toEqual([
      expect.objectContaining({ blueprintid: bp.blueprintid, kind: KIND, namespace: COLONY, name: 'web', generation: 0, changetype: 'create', changedby: c.user.id }),
    ]);
    const loc = await t.call('getlocationmsg', { colonyname: COLONY, name: 'edge' }, c.user);
    expect(loc.description).toBe('Auto-created from blueprint web');

    const [cron] = await cronsNamed(`reconcile-${KIND}-edge`);
    expect(cron).toMatchObject({ interval: 60, waitforprevprocessgraph: true, initiatorid: c.user.id, initiatorname: c.user.name });
    const wf = JSON.parse(cron.workflowspec);
    expect(wf.colonyname).toBe(COLONY);
    expect(wf.functionspecs).toHaveLength(1);
    expect(wf.functionspecs[0]).toMatchObject({
      nodename: 'reconciler-reconcile',
      funcname: 'reconcile',
      kwargs: { kind: KIND },
      maxexectime: -1,
      maxretries: -1,
      conditions: { colonyname: COLONY, executortype: 'reconciler', locationname: 'edge' },
    });

    const [p] = newOnes(await reconcilerProcesses(), before);
    expect(p).toMatchObject({ initiatorid: c.user.id, initiatorname: c.user.name, state: 0 });
    expect(p.spec).toMatchObject({
      nodename: 'reconciler-reconcile',
      funcname: 'reconcile',
      kwargs: { blueprintName: 'web', kind: KIND },
      maxwaittime: 0,
      maxexectime: -1,
      maxretries: -1,
      conditions: { colonyname: COLONY, executortype: 'reconciler', locationname: 'edge' },
    });
    // the reconciler at that location gets it
    const assigned = await t.call('assignprocessmsg', { colonyname: COLONY, timeout: -1 }, reconciler);
    expect(assigned.processid).toBe(p.processid);
  });

  it('one cron per kind and location; the colony owner may add too (M|CO)', async () => {
    const before = await reconcilerProcesses();
    await addBp('api', { replicas: 1 }, 'edge', c.owner);
    expect(await cronsNamed(`reconcile-${KIND}-edge`)).toHaveLength(1);
    const [p] = newOnes(await reconcilerProcesses(), before);
    expect(p).toMatchObject({ initiatorid: c.owner.id, initiatorname: '' });
    await addBp('db', { replicas: 1 });
    expect(await cronsNamed(`reconcile-${KIND}`)).toHaveLength(1);
  });

  it('a kind whose definition has no handler gets no cron and no process', async () => {
    const before = await reconcilerProcesses();
    await t.call('addblueprintmsg', { blueprint: blueprint('quiet', {}, undefined, 'Passive') }, c.user);
    expect(await cronsNamed('reconcile-Passive')).toEqual([]);
    expect(newOnes(await reconcilerProcesses(), before)).toEqual([]);
  });

  it('keeps int64 spec values exact and renders client metadata times in UTC; a bad time is invalid JSON', async () => {
    const bp = await t.call(
      'addblueprintmsg',
      { blueprint: { ...blueprint('big', { replicas: 9007199254740993n }), metadata: { name: 'big', colonyname: COLONY, createdAt: '2026-01-02T03:04:05.5+01:00' } } },
      c.user,
    );
    expect(bp.spec.replicas).toBe(9007199254740993n);
    expect(bp.metadata.createdAt).toBe('2026-01-02T02:04:05.5Z');
    expect((await getBp('big')).spec.replicas).toBe(9007199254740993n);
    const bad = { ...blueprint('badtime', { replicas: 1 }), metadata: { name: 'badtime', colonyname: COLONY, updatedAt: 'yesterday' } };
    expect(await t.fail('addblueprintmsg', { blueprint: bad }, c.user)).toEqual({ status: 400, message: 'Failed to add blueprint, invalid JSON' });
    expect((await t.fail('getblueprintmsg', { namespace: COLONY, name: 'badtime' }, c.user)).status).toBe(404);
  });

  it.each([
    [{ image: 'x' }, "required field 'replicas' is missing"],
    [{ replicas: 'two' }, "field 'replicas' must be an integer, got string"],
    [{ replicas: 1.5 }, "field 'replicas' must be an integer, got float64"],
    [{ replicas: 1, mode: 'blue' }, "field 'mode' must be one of [rolling recreate], got blue"],
    [{ replicas: 1, ports: [80, 'x'] }, "field 'ports[1]' must be an integer, got string"],
    [{ replicas: 1, resources: { cpu: 2 } }, "field 'resources.cpu' must be a string, got float64"],
    [{ replicas: 1, image: null }, "field 'image' must be a string, got <nil>"],
  ])('schema violation %j → 400', async (spec, message) => {
    expect(await t.fail('addblueprintmsg', { blueprint: blueprint('bad', spec, 'nowhere') }, c.user)).toEqual({
      status: 400,
      message: `blueprint validation failed: ${message}`,
    });
  });

  it('refusals change nothing: nil, no kind, unknown kind, duplicate name (409), non-member', async () => {
    const bps = await listBps();
    const procs = await reconcilerProcesses();
    expect(await t.fail('addblueprintmsg', { blueprint: null }, c.user)).toEqual({ status: 400, message: 'Failed to add blueprint, blueprint is nil' });
    expect(await t.fail('addblueprintmsg', { blueprint: blueprint('k', { replicas: 1 }, 'nowhere', '') }, c.user)).toEqual({
      status: 400,
      message: 'blueprint kind is required',
    });
    expect(await t.fail('addblueprintmsg', { blueprint: blueprint('k', {}, 'nowhere', 'Unknown') }, c.user)).toEqual({
      status: 400,
      message: `BlueprintDefinition for kind 'Unknown' not found in namespace '${COLONY}'`,
    });
    expect(await t.fail('addblueprintmsg', { blueprint: blueprint('web', { replicas: 5 }, 'nowhere') }, c.user)).toEqual({
      status: 409,
      message: `blueprint with name 'web' already exists in colony '${COLONY}'`,
    });
    expect((await t.fail('addblueprintmsg', { blueprint: blueprint('s', { replicas: 1 }, 'nowhere') }, stranger)).status).toBe(403);
    expect(await listBps()).toEqual(bps);
    expect(await reconcilerProcesses()).toEqual(procs);
    expect((await t.fail('getlocationmsg', { colonyname: COLONY, name: 'nowhere' }, c.user)).status).toBe(404);
    expect(await cronsNamed(`reconcile-${KIND}-nowhere`)).toEqual([]);
  });
});

describe('getblueprintmsg / getblueprintsmsg', () => {
  it('filters by kind, and by location only together with a kind (as Go)', async () => {
    const names = (list: any[] | null) => (list ?? []).map((b) => b.metadata.name);
    expect(names(await listBps())).toEqual(expect.arrayContaining(['web', 'api', 'db', 'quiet']));
    expect(names(await listBps(KIND))).not.toContain('quiet');
    expect(names(await listBps(KIND, 'edge'))).toEqual(['web', 'api']);
    expect(names(await listBps('', 'edge'))).toContain('quiet');
    expect(await listBps('NoSuchKind')).toBeNull();
  });

  it('404 for an unknown name; 403 for a non-member', async () => {
    expect(await t.fail('getblueprintmsg', { namespace: COLONY, name: 'nope' }, c.user)).toEqual({ status: 404, message: 'Blueprint not found' });
    expect((await t.fail('getblueprintmsg', { namespace: COLONY, name: 'web' }, stranger)).status).toBe(403);
    expect((await t.fail('getblueprintsmsg', { namespace: COLONY }, stranger)).status).toBe(403);
  });
});

describe('updateblueprintmsg', () => {
  it('a spec change bumps the generation, records history and submits a reconcile process', async () => {
    const old = await getBp('web');
    const before = await reconcilerProcesses();
    const up = await t.call('updateblueprintmsg', { blueprint: { ...old, blueprintid: 'ignored', spec: { replicas: 3, image: 'nginx' } }, forcegeneration: false }, c.user);
    expect(up.blueprintid).toBe(old.blueprintid);
    expect(up.metadata.generation).toBe(1);
    expect(await getBp('web')).toEqual(up);
    const h = await history(old.blueprintid);
    expect(h.map((x: any) => [x.changetype, x.generation])).toEqual([['update', 1], ['create', 0]]);
    expect(h[0].spec).toEqual({ image: 'nginx', replicas: 3 });
    expect(await history(old.blueprintid, 1)).toEqual([h[0]]);
    expect(newOnes(await reconcilerProcesses(), before)).toHaveLength(1);
  });

  it('the same spec keeps the generation (no history, no process); forcegeneration bumps it', async () => {
    const cur = await getBp('web');
    const before = await reconcilerProcesses();
    const same = await t.call('updateblueprintmsg', { blueprint: { ...cur, status: { note: 'x' } }, forcegeneration: false }, c.owner);
    expect(same.metadata.generation).toBe(1);
    expect(same.status).toEqual({ note: 'x' });
    expect(await history(cur.blueprintid)).toHaveLength(2);
    expect(await reconcilerProcesses()).toEqual(before);
    const forced = await t.call('updateblueprintmsg', { blueprint: cur, forcegeneration: true }, c.user);
    expect(forced.metadata.generation).toBe(2);
    expect(await history(cur.blueprintid)).toHaveLength(3);
  });

  it('refusals change nothing: nil 400, unknown 404, schema violation 400, non-member 403', async () => {
    const cur = await getBp('web');
    expect(await t.fail('updateblueprintmsg', { blueprint: null }, c.user)).toEqual({ status: 400, message: 'Failed to update blueprint, blueprint is nil' });
    expect(await t.fail('updateblueprintmsg', { blueprint: blueprint('nope', { replicas: 1 }) }, c.user)).toEqual({
      status: 404,
      message: `blueprint 'nope' not found in namespace '${COLONY}'`,
    });
    expect(await t.fail('updateblueprintmsg', { blueprint: { ...cur, spec: { replicas: 'x' } } }, c.user)).toEqual({
      status: 400,
      message: "blueprint validation failed: field 'replicas' must be an integer, got string",
    });
    expect((await t.fail('updateblueprintmsg', { blueprint: { ...cur, spec: { replicas: 9 } } }, stranger)).status).toBe(403);
    expect(await getBp('web')).toEqual(cur);
  });
});

describe('updateblueprintstatusmsg', () => {
  it('replaces only the status; members only (not the colony owner)', async () => {
    const cur = await getBp('api');
    expect(await t.call('updateblueprintstatusmsg', { colonyname: COLONY, blueprintname: 'api', status: { ready: 1 } }, reconciler)).toEqual({});
    expect(await getBp('api')).toEqual({ ...cur, status: { ready: 1 } });
    expect((await t.fail('updateblueprintstatusmsg', { colonyname: COLONY, blueprintname: 'api', status: { ready: 0 } }, c.owner)).status).toBe(403);
    expect(await t.fail('updateblueprintstatusmsg', { colonyname: COLONY, blueprintname: 'nope', status: {} }, c.user)).toEqual({
      status: 404,
      message: 'Blueprint not found',
    });
    expect((await getBp('api')).status).toEqual({ ready: 1 });
  });
});

describe('getblueprinthistorymsg', () => {
  it('unknown blueprint → 404 (also without an id); non-member → 403', async () => {
    expect(await t.fail('getblueprinthistorymsg', {}, c.user)).toEqual({ status: 404, message: 'Blueprint not found' });
    const web = await getBp('web');
    expect((await t.fail('getblueprinthistorymsg', { blueprintid: web.blueprintid }, stranger)).status).toBe(403);
    expect(await t.call('getblueprinthistorymsg', { blueprintid: web.blueprintid }, c.owner)).toHaveLength(3);
  });
});

describe('reconcileblueprintmsg', () => {
  it('submits a reconcile process and replies with it; force bumps the generation', async () => {
    const cur = await getBp('db');
    const p = await t.call('reconcileblueprintmsg', { namespace: COLONY, name: 'db', force: false }, c.executor);
    expect(p).toMatchObject({ state: 0, initiatorid: c.executor.id, initiatorname: c.executor.name });
    expect(p.spec).toMatchObject({ nodename: 'reconciler-reconcile', funcname: 'reconcile', kwargs: { blueprintName: 'db', kind: KIND }, maxexectime: -1, maxretries: -1 });
    expect(p.spec.conditions.locationname).toBeUndefined();
    expect(await t.call('getprocessmsg', { processid: p.processid }, c.user)).toEqual(p);
    expect((await getBp('db')).metadata.generation).toBe(cur.metadata.generation);
    const forced = await t.call('reconcileblueprintmsg', { namespace: COLONY, name: 'db', force: true }, c.user);
    expect(forced.spec.kwargs).toEqual({ blueprintName: 'db', force: true, kind: KIND });
    expect((await getBp('db')).metadata.generation).toBe(1);
  });

  it('refusals change nothing: unknown 404, no handler 400, colony owner 403', async () => {
    const before = await reconcilerProcesses();
    expect(await t.fail('reconcileblueprintmsg', { namespace: COLONY, name: 'nope' }, c.user)).toEqual({ status: 404, message: 'Blueprint not found' });
    expect(await t.fail('reconcileblueprintmsg', { namespace: COLONY, name: 'quiet', force: true }, c.user)).toEqual({
      status: 400,
      message: 'Blueprint has no handler with executor type defined',
    });
    expect((await getBp('quiet')).metadata.generation).toBeUndefined();
    expect((await t.fail('reconcileblueprintmsg', { namespace: COLONY, name: 'db' }, c.owner)).status).toBe(403);
    expect(await reconcilerProcesses()).toEqual(before);
  });
});

describe('removeblueprintmsg', () => {
  it('removes it, keeps the cron while the location has others of the kind, submits cleanup processes', async () => {
    const before = await reconcilerProcesses();
    expect(await t.call('removeblueprintmsg', { namespace: COLONY, name: 'web' }, c.user)).toEqual({});
    expect((await t.fail('getblueprintmsg', { namespace: COLONY, name: 'web' }, c.user)).status).toBe(404);
    expect(await cronsNamed(`reconcile-${KIND}-edge`)).toHaveLength(1);
    await t.call('removeblueprintmsg', { namespace: COLONY, name: 'api' }, c.owner);
    expect(await cronsNamed(`reconcile-${KIND}-edge`)).toEqual([]);
    expect(await cronsNamed(`reconcile-${KIND}`)).toHaveLength(1);
    const cleanups = newOnes(await reconcilerProcesses(), before).map((p) => p.spec);
    expect(cleanups).toHaveLength(2);
    for (const s of cleanups) {
      expect(s).toMatchObject({ nodename: 'reconciler-cleanup', funcname: 'cleanup', maxexectime: -1, maxretries: -1 });
    }
    expect(cleanups.map((s) => s.kwargs).sort((a, b) => a.blueprintName.localeCompare(b.blueprintName))).toEqual([
      { blueprintName: 'api', kind: KIND },
      { blueprintName: 'web', kind: KIND },
    ]);
  });

  it('refusals change nothing: unknown 404, non-member 403', async () => {
    expect(await t.fail('removeblueprintmsg', { namespace: COLONY, name: 'web' }, c.user)).toEqual({ status: 404, message: 'Blueprint not found' });
    expect((await t.fail('removeblueprintmsg', { namespace: COLONY, name: 'db' }, stranger)).status).toBe(403);
    expect((await getBp('db')).metadata.name).toBe('db');
  });
});

describe('removing the colony', () => {
  it('removes its blueprints and definitions too (DECISIONS: unlike Go)', async () => {
    await t.call('removecolonymsg', { colonyname: COLONY }, t.serverKey);
    const again = await setupColony(t, COLONY);
    expect(await t.call('getblueprintdefinitionsmsg', { colonyname: COLONY }, again.owner)).toEqual([]);
    expect(await t.call('getblueprintsmsg', { namespace: COLONY }, again.owner)).toBeNull();
  });
});
