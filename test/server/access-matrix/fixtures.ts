// The objects of colony A every matrix row targets, created by their legitimate roles. Rows
// that destroy their target get one per permitted role, so the order of the rows never matters.
import { newKey, setupColony, type Key, type TestServer } from '../../helpers/server.js';
import type { Role } from './roles.js';

export const A = 'mxa';
export const B = 'mxb';
/** a throw-away colony (owned by A's owner) for removecolonymsg */
export const Z = 'mxz';
/** the type of every executor: only processes of this type can be assigned */
export const EXEC = 'mx-exec';
/** processes of this type are never assigned (no executor has it), so they stay WAITING */
export const IDLE = 'mx-idle';
export const RECONCILER = 'mx-reconciler';

/** Roles that pass a member rule, i.e. may create and destroy member objects. */
type Member = 'EA' | 'UA';
type PerMember = Record<Member, string>;

export interface Fixtures {
  keys: Record<Role, Key>;
  /** executor names in colony A */
  names: { EA: string; PE: string; RE: string; RM: string; UA: string };
  /** WAITING (IDLE): get, per member remove/cancel targets */
  idle: string;
  removeProcess: PerMember;
  cancelProcess: PerMember;
  /** the one WAITING process of type EXEC: what the assign row takes */
  assignTarget: string;
  /** RUNNING, assigned to EA */
  running: { closeOk: string; closeFailed: string; output: string; attr: string; log: string; chan: string; parent: string };
  attributeid: string;
  graph: string;
  removeGraph: PerMember;
  cancelGraph: PerMember;
  functionid: string;
  generatorid: string;
  packGeneratorid: string;
  removeGenerator: PerMember;
  cronid: string;
  runCronid: string;
  removeCron: PerMember;
  fileid: string;
  removeFile: PerMember;
  snapshotid: string;
  blueprintid: string;
}

/** A workflow of one IDLE node, as a string (crons and generators carry it so). */
export const idleWorkflow = (colonyname = A) =>
  JSON.stringify({ colonyname, functionspecs: [{ nodename: 'n', funcname: 'mx', maxexectime: -1, maxretries: 0, conditions: { executortype: IDLE } }] });

export const spec = (executortype: string, extra: Record<string, unknown> = {}) => ({
  funcname: 'mx',
  maxwaittime: -1,
  maxexectime: -1,
  maxretries: 0,
  ...extra,
  conditions: { colonyname: A, executortype },
});

export const definition = (name: string, kind: string, handler: Record<string, unknown>) => ({
  kind: 'BlueprintDefinition',
  metadata: { name, colonyname: A },
  spec: {
    group: 'mx.colonies.io',
    version: 'v1',
    names: { kind, listKind: `${kind}List`, singular: kind.toLowerCase(), plural: `${kind.toLowerCase()}s` },
    scope: 'Namespaced',
    handler,
  },
});

export const blueprint = (name: string, kind: string, spec: Record<string, unknown> = {}) => ({ kind, metadata: { name, colonyname: A }, spec });

export const file = (label: string, name: string) => ({
  colonyname: A,
  label,
  name,
  size: 1,
  checksum: 'c',
  checksumalg: 'SHA256',
  ref: { protocol: 's3', s3object: { server: 's', port: 1, tls: false, accesskey: '', secretkey: '', region: '', encryptionkey: '', encryptionalg: '', object: name, bucket: 'b' } },
});

export async function buildFixtures(t: TestServer): Promise<Fixtures> {
  const a = await setupColony(t, A, EXEC);
  const b = await setupColony(t, B, EXEC);
  const CO = a.owner;
  const EA = a.executor;
  const UA = a.user;
  const call = t.call;
  const addExecutor = (key: Key, executorname: string) =>
    call('addexecutormsg', { executor: { executorid: key.id, executortype: EXEC, executorname, colonyname: A } }, CO);
  const PE = newKey();
  const RE = newKey();
  const RM = newKey();
  await Promise.all([
    addExecutor(PE, 'mx-pending'),
    addExecutor(RE, 'mx-rejected').then(() => call('rejectexecutormsg', { colonyname: A, executorname: 'mx-rejected' }, CO)),
    addExecutor(RM, 'mx-removed').then(() => call('removeexecutormsg', { colonyname: A, executorname: 'mx-removed' }, CO)),
    // targets of the colony-owner rows
    call('addcolonymsg', { colony: { colonyid: CO.id, name: Z } }, t.serverKey),
    addExecutor(newKey(), 'mx-cand-approve'),
    addExecutor(newKey(), 'mx-cand-reject'),
    addExecutor(newKey(), 'mx-victim').then(() => call('approveexecutormsg', { colonyname: A, executorname: 'mx-victim' }, CO)),
    call('addusermsg', { user: { colonyname: A, userid: newKey().id, name: 'mx-victim-user', email: '', phone: '' } }, CO),
    call('addlocationmsg', { location: { locationid: newKey().id, name: 'mx-loc', colonyname: A } }, CO),
    call('addlocationmsg', { location: { locationid: newKey().id, name: 'mx-loc-victim', colonyname: A } }, CO),
  ]);

  // RUNNING processes: one EXEC process at a time, so each assign takes the one just submitted.
  const runOne = async (submit: () => Promise<string>): Promise<string> => {
    const id = await submit();
    const got = await call('assignprocessmsg', { colonyname: A, timeout: -1 }, EA);
    if (got.processid !== id) throw new Error('fixture: assigned an unexpected process');
    return id;
  };
  const submit = (s: Record<string, unknown>, key: Key = UA) => () => call('submitfuncspecmsg', { spec: s }, key).then((p: any) => p.processid as string);
  const running = {
    closeOk: await runOne(submit(spec(EXEC))),
    closeFailed: await runOne(submit(spec(EXEC))),
    output: await runOne(submit(spec(EXEC))),
    attr: await runOne(submit(spec(EXEC))),
    log: await runOne(submit(spec(EXEC))),
    // the user initiates and the executor runs it: both are parties of its channels
    chan: await runOne(submit(spec(EXEC, { channels: ['chat', 'ws'] }))),
    parent: await runOne(() =>
      call('submitworkflowspecmsg', { spec: { colonyname: A, functionspecs: [{ ...spec(EXEC), nodename: 'root' }] } }, UA).then((g: any) => g.processids[0] as string),
    ),
  };
  const assignTarget = await submit(spec(EXEC))();

  const idleProcess = submit(spec(IDLE));
  const graph = () =>
    call('submitworkflowspecmsg', { spec: { colonyname: A, functionspecs: [{ ...spec(IDLE), nodename: 'n' }] } }, UA).then((g: any) => g.processgraphid as string);
  const perMember = async (make: (m: Member) => Promise<string>): Promise<PerMember> => {
    const [ea, ua] = await Promise.all([make('EA'), make('UA')]);
    return { EA: ea, UA: ua };
  };
  const gen = (name: string, trigger = 1000) =>
    call('addgeneratormsg', { generator: { colonyname: A, name, workflowspec: idleWorkflow(), trigger, timeout: -1 } }, UA).then((g: any) => g.generatorid as string);
  const cron = (name: string) =>
    call('addcronmsg', { cron: { colonyname: A, name, interval: 3600, workflowspec: idleWorkflow() } }, UA).then((c: any) => c.cronid as string);
  const addFile = (label: string, name: string) => call('addfilemsg', { file: file(label, name) }, UA).then((x: any) => x.fileid as string);
  const defs = async () => {
    await call('addblueprintdefinitionmsg', { blueprintdefinition: definition('mx-def', 'MxThing', { executorType: RECONCILER, functionName: 'reconcile' }) }, CO);
    await call('addblueprintdefinitionmsg', { blueprintdefinition: definition('mx-def-passive', 'MxPassive', {}) }, CO);
    await call('addblueprintdefinitionmsg', { blueprintdefinition: definition('mx-def-victim', 'MxVictim', {}) }, CO);
    const bps = ['mx-bp', 'mx-bp-upd', 'mx-bp-status', 'mx-bp-rm-EA', 'mx-bp-rm-UA', 'mx-bp-rm-CO'];
    const [first] = await Promise.all(bps.map((n) => call('addblueprintmsg', { blueprint: blueprint(n, 'MxPassive') }, UA)));
    await call('addblueprintmsg', { blueprint: blueprint('mx-bp-rec', 'MxThing') }, UA);
    return first.blueprintid as string;
  };

  const [idle, removeProcess, cancelProcess, g, removeGraph, cancelGraph] = await Promise.all([
    idleProcess(),
    perMember(idleProcess),
    perMember(idleProcess),
    graph(),
    perMember(graph),
    perMember(graph),
  ]);
  const [attribute, fn, generatorid, packGeneratorid, removeGenerator, cronid, runCronid, removeCron, fileid, removeFile, blueprintid] = await Promise.all([
    call('addattributemsg', { attribute: { targetid: running.attr, targetcolonyname: A, attributetype: 1, key: 'fixture', value: 'v' } }, EA),
    call('addfunctionmsg', { fun: { executorname: EA.name, colonyname: A, funcname: 'mx-fn-victim' } }, EA),
    gen('mx-gen'),
    gen('mx-gen-pack'),
    perMember((m) => gen(`mx-gen-rm-${m}`)),
    cron('mx-cron'),
    cron('mx-cron-run'),
    perMember((m) => cron(`mx-cron-rm-${m}`)),
    addFile('/mx', 'fixture'),
    perMember((m) => addFile('/mx-rm', m)),
    defs(),
    call('addlogmsg', { processid: running.log, message: 'mx fixture log' }, EA),
    call('channelappendmsg', { processid: running.chan, name: 'ws', sequence: 1, payload: 'aGk=' }, UA),
  ]);
  const snapshots = await Promise.all(
    ['mx-snap', 'mx-snap-rm-EA', 'mx-snap-rm-UA'].map((name) => call('createsnapshotmsg', { colonyname: A, label: '/mx', name }, UA)),
  );

  return {
    keys: { SO: t.serverKey, CO, EA, PE, RE, RM, UA, EB: b.executor, UB: b.user, X: newKey() },
    names: { EA: EA.name, PE: 'mx-pending', RE: 'mx-rejected', RM: 'mx-removed', UA: UA.name },
    idle,
    removeProcess,
    cancelProcess,
    assignTarget,
    running,
    attributeid: attribute.attributeid,
    graph: g,
    removeGraph,
    cancelGraph,
    functionid: fn.functionid,
    generatorid,
    packGeneratorid,
    removeGenerator,
    cronid,
    runCronid,
    removeCron,
    fileid,
    removeFile,
    snapshotid: snapshots[0].snapshotid,
    blueprintid,
  };
}
