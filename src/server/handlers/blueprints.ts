// Registry rows for the blueprint add-on (PROTOCOL §6.15, SEMANTICS §18): definitions (colony
// owner), blueprints (member or colony owner), status, history and reconciliation. Changes
// that need a reconciler submit a process (and keep one reconcile cron per kind and location);
// all of it commits in one transaction and the WAITING events go out afterwards.
import { validateSpec, sameSpec } from '../../domain/blueprint-schema.js';
import { randomId } from '../../domain/ids.js';
import { badRequest, ColoniesError, internal, notFound } from '../../protocol/errors.js';
import type { Blueprint, BlueprintDefinition, BlueprintMetadata, FunctionSpec, Process } from '../../protocol/objects.js';
import { formatTime, nowNs, parseTime } from '../../protocol/time.js';
import { stringifyWire } from '../../protocol/wire.js';
import { isTargeted } from '../../domain/spec.js';
import {
  addHistory,
  colonyOfBlueprint,
  countBlueprints,
  getBlueprintByName,
  getBlueprints,
  getDefinitionByKind,
  getDefinitionByName,
  getDefinitions,
  getHistory,
  insertBlueprint,
  insertDefinition,
  removeBlueprint,
  removeDefinition,
  replaceBlueprint,
  setBlueprintStatus,
} from '../../store/blueprints.js';
import { insertCron, removeCronByName } from '../../store/crons.js';
import type { Queryable } from '../../store/db.js';
import { getExecutorById } from '../../store/executors.js';
import { insertLocation } from '../../store/locations.js';
import { getProcess, insertProcesses, newProcessRow, processToWire } from '../../store/processes.js';
import { getUserById } from '../../store/users.js';
import { colonyOwner, member, memberOrOwner } from '../access.js';
import type { ServerContext } from '../context.js';
import type { ProcessEvent, ServerEvent } from '../events.js';
import { rpc } from '../registry.js';

/** Go decodes the metadata times as time.Time: bad text is invalid JSON, missing is the zero time. */
function normalizeMetadata(m: BlueprintMetadata, action: string): BlueprintMetadata {
  const time = (s: string) => {
    const ns = parseTime(s);
    if (ns === null) throw badRequest(`Failed to ${action}, invalid JSON`);
    return formatTime(ns);
  };
  return { ...m, createdAt: time(m.createdAt), updatedAt: time(m.updatedAt), lastReconciliationTime: time(m.lastReconciliationTime) };
}

/** The definition a blueprint of `kind` must have, and the spec check against its schema. */
async function definitionFor(q: Queryable, bp: Blueprint): Promise<BlueprintDefinition> {
  if (bp.kind === '') throw badRequest('blueprint kind is required');
  const colony = bp.metadata.colonyname;
  const def = await getDefinitionByKind(q, colony, bp.kind);
  if (!def) throw badRequest(`BlueprintDefinition for kind '${bp.kind}' not found in namespace '${colony}'`);
  const violation = validateSpec(bp.spec, def.spec.schema);
  if (violation) throw badRequest(`blueprint validation failed: ${violation}`);
  return def;
}

const hasHandler = (def: BlueprintDefinition | null): def is BlueprintDefinition => !!def && def.spec.handler.executorType !== '';

/** Runs `fn` in one transaction and publishes the events it collected after the commit. */
async function withEvents<T>(srv: ServerContext, fn: (q: Queryable, events: ServerEvent[]) => Promise<T>): Promise<T> {
  const events: ServerEvent[] = [];
  const out = await srv.db.tx((q) => fn(q, events));
  srv.bus.publish(...events);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reconciliation: processes for the definition's handler and the periodic reconcile cron

/** Go's CreateEmptyFunctionSpec: no execution limit, unlimited retries. */
function emptySpec(colonyname: string, executortype: string, locationname: string): FunctionSpec {
  return {
    nodename: '',
    funcname: '',
    args: [],
    kwargs: {},
    priority: 0,
    maxwaittime: 0,
    maxexectime: -1,
    maxretries: -1,
    conditions: {
      colonyname,
      executornames: null,
      executortype,
      locationname: locationname || undefined,
      dependencies: [],
      nodes: 0,
      cpu: '',
      processes: 0,
      processespernode: 0,
      mem: '',
      storage: '',
      gpu: { name: '', mem: '', count: 0, nodecount: 0 },
      walltime: 0n,
    },
    label: '',
    fs: { mount: '', snapshots: null, dirs: null },
    env: {},
    channels: undefined,
  };
}

/** Executor name, else user name of the caller; '' for the colony owner (Go carries on without one). */
async function initiatorName(q: Queryable, colonyname: string, callerId: string): Promise<string> {
  const executor = await getExecutorById(q, callerId);
  if (executor) return executor.executorname;
  return (await getUserById(q, colonyname, callerId))?.name ?? '';
}

const cronName = (bp: Blueprint) => `reconcile-${bp.kind}${bp.metadata.locationname ? `-${bp.metadata.locationname}` : ''}`;

/** The reconcile cron of the blueprint's kind and location, created if missing (SEMANTICS §18): every 60 s, one node, waits for the previous run. */
async function ensureReconcileCron(q: Queryable, def: BlueprintDefinition, bp: Blueprint, callerId: string): Promise<void> {
  const { executorType, functionName } = def.spec.handler;
  const colony = bp.metadata.colonyname;
  const spec = emptySpec(colony, executorType, bp.metadata.locationname ?? '');
  spec.nodename = `${executorType}-${functionName}`;
  spec.funcname = functionName;
  spec.kwargs = { kind: bp.kind };
  await insertCron(q, {
    cronid: randomId(),
    colonyname: colony,
    name: cronName(bp),
    initiatorid: callerId,
    initiatorname: await initiatorName(q, colony, callerId),
    cronexpression: '',
    interval: 60,
    random: false,
    nextrun: 0n,
    lastrun: 0n,
    workflowspec: stringifyWire({ colonyname: colony, functionspecs: [spec] }),
    prevprocessgraphid: '',
    waitforprevprocessgraph: true,
  });
}

async function removeReconcileCron(q: Queryable, bp: Blueprint): Promise<void> {
  await removeCronByName(q, bp.metadata.colonyname, cronName(bp));
}

/**
 * Submits a reconcile process (funcname = the handler's function, at the blueprint's location)
 * or a cleanup process for a removed blueprint. Returns it and its WAITING event.
 */
async function submitReconcilerProcess(
  q: Queryable,
  def: BlueprintDefinition,
  bp: Blueprint,
  callerId: string,
  purpose: 'reconcile' | 'cleanup',
  force = false,
): Promise<{ process: Process; event: ProcessEvent }> {
  const { executorType, functionName } = def.spec.handler;
  const colony = bp.metadata.colonyname;
  let spec: FunctionSpec;
  if (purpose === 'reconcile') {
    spec = emptySpec(colony, executorType, bp.metadata.locationname ?? '');
    spec.nodename = `${executorType}-${functionName}`;
    spec.funcname = functionName;
    spec.kwargs = force ? { blueprintName: bp.metadata.name, force: true, kind: bp.kind } : { blueprintName: bp.metadata.name, kind: bp.kind };
  } else {
    spec = emptySpec(colony, executorType, '');
    spec.nodename = `${executorType}-cleanup`;
    spec.funcname = 'cleanup';
    spec.kwargs = { blueprintName: bp.metadata.name, kind: bp.kind };
  }
  const row = newProcessRow(spec, { initiatorid: callerId, initiatorname: await initiatorName(q, colony, callerId), now: nowNs() });
  await insertProcesses(q, [row]);
  const stored = await getProcess(q, row.processid);
  return {
    process: processToWire(stored!),
    event: { kind: 'process', processid: row.processid, colonyname: colony, executortype: executorType, state: row.state, targeted: isTargeted(row) },
  };
}

// ---------------------------------------------------------------------------------------------
// Definitions

rpc('addblueprintdefinitionmsg', {
  access: colonyOwner((m) => {
    if (!m.blueprintdefinition) throw badRequest('Failed to add blueprint definition, blueprint definition is nil');
    return m.blueprintdefinition.metadata.colonyname;
  }),
  async handle({ msg, srv }) {
    const given = msg.blueprintdefinition!;
    const def: BlueprintDefinition = {
      ...given,
      blueprintdefinitionid: given.blueprintdefinitionid || randomId(),
      metadata: normalizeMetadata(given.metadata, 'add blueprint definition'),
    };
    if (!(await insertDefinition(srv.db, def))) {
      // Go: 500 with the database's unique-constraint error
      throw internal(`BlueprintDefinition with name '${def.metadata.name}' already exists in colony '${def.metadata.colonyname}'`);
    }
    return def;
  },
});

rpc('getblueprintdefinitionmsg', {
  access: memberOrOwner((m) => m.colonyname),
  async handle({ msg, srv }) {
    const def = await getDefinitionByName(srv.db, msg.colonyname, msg.name);
    if (!def) throw notFound('Blueprint definition not found');
    return def;
  },
});

rpc('getblueprintdefinitionsmsg', {
  access: memberOrOwner((m) => m.colonyname),
  // `[]` when empty (OBJECTS §0)
  handle: async ({ msg, srv }) => getDefinitions(srv.db, msg.colonyname),
});

rpc('removeblueprintdefinitionmsg', {
  access: colonyOwner((m) => m.namespace),
  async handle({ msg, srv }) {
    await srv.db.tx(async (q) => {
      const def = await getDefinitionByName(q, msg.namespace, msg.name);
      if (!def) throw notFound(`BlueprintDefinition '${msg.name}' not found in namespace '${msg.namespace}'`);
      const kind = def.spec.names.kind;
      const inUse = await countBlueprints(q, msg.namespace, kind);
      if (inUse > 0) {
        throw new ColoniesError(409, `cannot remove BlueprintDefinition '${msg.name}': ${inUse} blueprint(s) of kind '${kind}' still exist`);
      }
      await removeDefinition(q, msg.namespace, msg.name);
    });
  },
});

// ---------------------------------------------------------------------------------------------
// Blueprints

rpc('addblueprintmsg', {
  access: memberOrOwner((m) => {
    if (!m.blueprint) throw badRequest('Failed to add blueprint, blueprint is nil');
    return m.blueprint.metadata.colonyname;
  }),
  async handle({ msg, srv, callerId }) {
    const given = msg.blueprint!;
    const bp: Blueprint = {
      ...given,
      blueprintid: given.blueprintid || randomId(),
      metadata: normalizeMetadata(given.metadata, 'add blueprint'),
    };
    const colony = bp.metadata.colonyname;
    return withEvents(srv, async (q, events) => {
      const def = await definitionFor(q, bp);
      if (!(await insertBlueprint(q, bp))) {
        throw new ColoniesError(409, `blueprint with name '${bp.metadata.name}' already exists in colony '${colony}'`);
      }
      const location = bp.metadata.locationname ?? '';
      if (location !== '') {
        await insertLocation(q, {
          locationid: randomId(),
          name: location,
          colonyname: colony,
          description: `Auto-created from blueprint ${bp.metadata.name}`,
          long: 0,
          lat: 0,
        });
      }
      await addHistory(q, bp, callerId, 'create');
      if (hasHandler(def)) {
        await ensureReconcileCron(q, def, bp, callerId);
        events.push((await submitReconcilerProcess(q, def, bp, callerId, 'reconcile')).event);
      }
      return bp;
    });
  },
});

rpc('getblueprintmsg', {
  access: memberOrOwner((m) => m.namespace),
  async handle({ msg, srv }) {
    const bp = await getBlueprintByName(srv.db, msg.namespace, msg.name);
    if (!bp) throw notFound('Blueprint not found');
    return bp;
  },
});

rpc('getblueprintsmsg', {
  access: memberOrOwner((m) => m.namespace),
  async handle({ msg, srv }) {
    const list = await getBlueprints(srv.db, msg.namespace, msg.kind, msg.locationname);
    return list.length > 0 ? list : null;
  },
});

rpc('updateblueprintmsg', {
  access: memberOrOwner((m) => {
    if (!m.blueprint) throw badRequest('Failed to update blueprint, blueprint is nil');
    return m.blueprint.metadata.colonyname;
  }),
  async handle({ msg, srv, callerId }) {
    const given = msg.blueprint!;
    const colony = given.metadata.colonyname;
    return withEvents(srv, async (q, events) => {
      const old = await getBlueprintByName(q, colony, given.metadata.name, true);
      if (!old) throw notFound(`blueprint '${given.metadata.name}' not found in namespace '${colony}'`);
      const bp: Blueprint = { ...given, blueprintid: old.blueprintid, metadata: normalizeMetadata(given.metadata, 'update blueprint') };
      const def = await definitionFor(q, bp);
      // generation counts spec changes (or forced reconciliations), not status/metadata edits
      const changed = !sameSpec(old.spec, bp.spec) || msg.forcegeneration;
      const generation = (old.metadata.generation ?? 0n) + (changed ? 1n : 0n);
      bp.metadata.generation = generation === 0n ? undefined : generation;
      await replaceBlueprint(q, bp);
      if (changed) {
        await addHistory(q, bp, callerId, 'update');
        if (hasHandler(def)) events.push((await submitReconcilerProcess(q, def, bp, callerId, 'reconcile')).event);
      }
      return bp;
    });
  },
});

rpc('removeblueprintmsg', {
  access: memberOrOwner((m) => m.namespace),
  async handle({ msg, srv, callerId }) {
    await withEvents(srv, async (q, events) => {
      const bp = await getBlueprintByName(q, msg.namespace, msg.name, true);
      if (!bp) throw notFound('Blueprint not found');
      await removeBlueprint(q, bp.blueprintid);
      // the cron serves every blueprint of this kind at this location
      if ((await countBlueprints(q, msg.namespace, bp.kind, bp.metadata.locationname ?? '')) === 0) {
        await removeReconcileCron(q, bp);
      }
      const def = await getDefinitionByKind(q, msg.namespace, bp.kind);
      if (hasHandler(def)) events.push((await submitReconcilerProcess(q, def, bp, callerId, 'cleanup')).event);
    });
  },
});

rpc('getblueprinthistorymsg', {
  access: memberOrOwner(async (m, q) => {
    const colony = await colonyOfBlueprint(q, m.blueprintid);
    if (colony === null) throw notFound('Blueprint not found');
    return colony;
  }),
  async handle({ msg, srv }) {
    const list = await getHistory(srv.db, msg.blueprintid, msg.limit ?? 0);
    return list.length > 0 ? list : null;
  },
});

rpc('updateblueprintstatusmsg', {
  access: member((m) => m.colonyname),
  async handle({ msg, srv }) {
    await srv.db.tx(async (q) => {
      const bp = await getBlueprintByName(q, msg.colonyname, msg.blueprintname, true);
      if (!bp) throw notFound('Blueprint not found');
      await setBlueprintStatus(q, bp.blueprintid, msg.status);
    });
  },
});

rpc('reconcileblueprintmsg', {
  access: member((m) => m.namespace),
  async handle({ msg, srv, callerId }) {
    return withEvents(srv, async (q, events) => {
      const bp = await getBlueprintByName(q, msg.namespace, msg.name, true);
      if (!bp) throw notFound('Blueprint not found');
      if (msg.force) {
        bp.metadata.generation = (bp.metadata.generation ?? 0n) + 1n;
        await replaceBlueprint(q, bp);
      }
      const def = await getDefinitionByKind(q, msg.namespace, bp.kind);
      if (!hasHandler(def)) throw badRequest('Blueprint has no handler with executor type defined');
      const { process, event } = await submitReconcilerProcess(q, def, bp, callerId, 'reconcile', msg.force);
      events.push(event);
      return process;
    });
  },
});
