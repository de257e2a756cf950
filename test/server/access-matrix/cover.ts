// "Cover colony" probes: the approved executor of colony B names its own colony B (so the
// access rule passes) but aims at objects of colony A by id or name. The handler must look the
// target up within B: the call fails or finds nothing, replies carry nothing of A, and A's
// state stays as it was. (The matrix rows cannot see this: there the rule already denies.)
import { A, B, RECONCILER } from './fixtures.js';
import { reader } from './read.js';
import type { Ctx, Msg } from './roles.js';

export interface Probe {
  type: string;
  msg: Msg;
  /** "ok" (then the reply must not mention colony A) or "<status> <message>" */
  expect: string;
}

export function coverProbes(ctx: Ctx): Record<string, Probe> {
  const { f } = ctx;
  const EA = f.names.EA;
  const UA = f.names.UA;
  const bp = (name: string) => ({ kind: 'MxPassive', metadata: { name, colonyname: B }, spec: {} });
  const p = (type: string, msg: Msg, expect: string): Probe => ({ type, msg, expect });
  return {
    'getexecutormsg by name': p('getexecutormsg', { colonyname: B, executorname: EA }, '500 Failed to get executor, executor is nil'),
    // the executor's own colony decides (Go): A, where the caller is no member
    'getexecutorbyidmsg by id': p('getexecutorbyidmsg', { colonyname: B, executorid: f.keys.EA.id }, `403 Access denied, not a member of Colony with name <${A}>`),
    'getusermsg by name': p('getusermsg', { colonyname: B, name: UA }, '500 Failed to get user, user is nil'),
    'getuserbyidmsg by id': p('getuserbyidmsg', { colonyname: B, userid: f.keys.UA.id }, '404 Failed to get user, user is nil'),
    'getlocationmsg by name': p('getlocationmsg', { colonyname: B, name: 'mx-loc' }, '404 Failed to get location, location is nil'),
    'getfunctionsmsg of an executor of A': p('getfunctionsmsg', { colonyname: B, executorname: EA }, 'ok'),
    'getprocessesmsg by an initiator of A': p('getprocessesmsg', { colonyname: B, count: 10, state: 0, initiator: UA }, `400 User <${UA}> does not exist`),
    'getlogsmsg by process': p('getlogsmsg', { colonyname: B, processid: f.running.log, count: 10 }, `403 Access denied, not a member of Colony with name <${A}>`),
    'getlogsmsg by executor name': p('getlogsmsg', { colonyname: B, executorname: EA, count: 10 }, '500 Failed to get logs, executor does not exist'),
    'addexecutorlogmsg as an executor of A': p('addexecutorlogmsg', { colonyname: B, executorname: EA, message: 'x' }, '403 Failed to add executor log, executor name mismatch'),
    'reportallocationmsg for an executor of A': p('reportallocationmsg', { colonyname: B, executorname: EA, allocations: {} }, `400 Executor with name <${EA}> does not exist`),
    'updateexecutormsg for an executor of A': p('updateexecutormsg', { colonyname: B, executorname: EA, capabilities: {} }, `400 Executor with name <${EA}> does not exist`),
    'addfunctionmsg for an executor of A': p(
      'addfunctionmsg',
      { fun: { colonyname: B, executorname: EA, funcname: 'x' } },
      `400 Failed to add function, Executor with name <${EA}> does not exist`,
    ),
    'addattributemsg on a process of A': p(
      'addattributemsg',
      { attribute: { targetid: f.running.attr, targetcolonyname: B, attributetype: 1, key: 'x', value: 'x' } },
      `403 Access denied, not a member of Colony with name <${A}>`,
    ),
    'addchildmsg under a process of A': p(
      'addchildmsg',
      { processgraphid: '', parentprocessid: f.running.parent, childprocessid: '', spec: { nodename: 'x', conditions: { colonyname: B, executortype: RECONCILER } }, insert: false },
      `400 Process with Id ${f.running.parent} is not assigned to executor with Id ${f.keys.EB.id}`,
    ),
    'getfilemsg by id': p('getfilemsg', { colonyname: B, fileid: f.fileid }, '400 Failed to get file'),
    'getfilemsg by label and name': p('getfilemsg', { colonyname: B, label: '/mx', name: 'fixture' }, '404 Failed to get file'),
    'removefilemsg by id': p('removefilemsg', { colonyname: B, fileid: f.fileid }, 'ok'),
    'removefilemsg by label and name': p('removefilemsg', { colonyname: B, label: '/mx', name: 'fixture' }, 'ok'),
    'getsnapshotmsg by id': p(
      'getsnapshotmsg',
      { colonyname: B, snapshotid: f.snapshotid },
      `500 Snapshot not found with Id <${f.snapshotid}> in Colony <${B}> does not exists`,
    ),
    'removesnapshotmsg by id': p('removesnapshotmsg', { colonyname: B, snapshotid: f.snapshotid }, 'ok'),
    'removesnapshotmsg by name': p('removesnapshotmsg', { colonyname: B, name: 'mx-snap' }, 'ok'),
    'resolvegeneratormsg by name': p('resolvegeneratormsg', { colonyname: B, generatorname: 'mx-gen' }, '500 Failed to resolve generator, generator is nil'),
    'getblueprintdefinitionmsg by name': p('getblueprintdefinitionmsg', { colonyname: B, name: 'mx-def' }, '404 Blueprint definition not found'),
    'getblueprintmsg by name': p('getblueprintmsg', { namespace: B, name: 'mx-bp' }, '404 Blueprint not found'),
    'getblueprintsmsg of a kind of A': p('getblueprintsmsg', { namespace: B, kind: 'MxPassive', locationname: '' }, 'ok'),
    'updateblueprintmsg by name': p('updateblueprintmsg', { blueprint: bp('mx-bp-upd'), forcegeneration: true }, `404 blueprint 'mx-bp-upd' not found in namespace '${B}'`),
    'removeblueprintmsg by name': p('removeblueprintmsg', { namespace: B, name: 'mx-bp' }, '404 Blueprint not found'),
    'updateblueprintstatusmsg by name': p('updateblueprintstatusmsg', { colonyname: B, blueprintname: 'mx-bp-status', status: { x: 1 } }, '404 Blueprint not found'),
    'reconcileblueprintmsg by name': p('reconcileblueprintmsg', { namespace: B, name: 'mx-bp-rec', force: true }, '404 Blueprint not found'),
  };
}

/** Everything of colony A the probes aim at, read by its legitimate roles. */
export async function stateOfA(ctx: Ctx): Promise<unknown> {
  const r = reader(ctx);
  const { f } = ctx;
  const strip = (list: any[] | null, drop: string[]) => (list ?? []).map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !drop.includes(k))));
  return {
    executors: strip(await r.get('getexecutorsmsg', { colonyname: A }), ['lastheardfromtime']),
    users: await r.get('getusersmsg', { colonyname: A }),
    locations: await r.get('getlocationsmsg', { colonyname: A }),
    functions: await r.get('getfunctionsmsg', { colonyname: A, executorname: '' }),
    logs: await r.get('getlogsmsg', { colonyname: A, executorname: f.names.EA, count: 100 }),
    files: await r.get('getfilesmsg', { colonyname: A, label: '/mx' }),
    snapshots: await r.get('getsnapshotsmsg', { colonyname: A }),
    blueprints: await r.get('getblueprintsmsg', { namespace: A, kind: '', locationname: '' }),
    attributes: (await r.get('getprocessmsg', { processid: f.running.attr })).attributes,
    children: (await r.get('getprocessmsg', { processid: f.running.parent })).children,
  };
}
