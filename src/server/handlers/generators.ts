// Generator RPCs (PROTOCOL §6.11, SEMANTICS §9). The trigger loop lives in ../scheduler.ts.
import { badRequest, internal } from '../../protocol/errors.js';
import { nowNs } from '../../protocol/time.js';
import type { Queryable } from '../../store/db.js';
import {
  generatorToWire,
  getGenerator,
  getGeneratorByName,
  insertGenerator,
  listGenerators,
  packArg,
  queueSize,
  removeGenerator,
} from '../../store/generators.js';
import { randomId } from '../../domain/ids.js';
import { member } from '../access.js';
import { rpc } from '../registry.js';
import '../scheduler.js';
import { buildWorkflow, initiatorName, parseWorkflowSpecText } from '../workflow-create.js';

const generatorColony = (action: string) => async (m: { generatorid: string }, q: Queryable) => {
  const g = await getGenerator(q, m.generatorid);
  if (!g) throw internal(`Failed to ${action}, generator is nil`);
  return g.colonyname;
};

rpc('addgeneratormsg', {
  access: member((m) => {
    if (!m.generator) throw badRequest('Failed to add generator, msg.Generator is nil');
    return m.generator.colonyname;
  }),
  handle: async ({ msg, callerId, srv }) => {
    const g = msg.generator!;
    const spec = parseWorkflowSpecText(g.workflowspec, g.colonyname, 'add generator');
    const name = await initiatorName(srv.db, g.colonyname, callerId);
    buildWorkflow(spec, { initiatorid: callerId, initiatorname: name, now: 0n });
    // The original divides by the trigger in its loop: 0 would crash it (DECISIONS.md).
    if (g.trigger <= 0) throw badRequest('Failed to add generator, trigger must be larger than 0');
    const row = {
      generatorid: randomId(),
      colonyname: g.colonyname,
      name: g.name,
      initiatorid: callerId,
      initiatorname: name,
      workflowspec: g.workflowspec,
      trigger: g.trigger,
      timeout: g.timeout,
      firstpack: 0n,
      lastrun: 0n,
    };
    if (!(await insertGenerator(srv.db, row))) {
      throw badRequest(`Generator with name <${g.name}> in Colony <${g.colonyname}> already exists`);
    }
    return generatorToWire(row);
  },
});

rpc('getgeneratormsg', {
  access: member(generatorColony('get generator')),
  handle: async ({ msg, srv }) => {
    const g = await getGenerator(srv.db, msg.generatorid);
    if (!g) throw internal('Failed to get generator, generator is nil');
    return generatorToWire(g, await queueSize(srv.db, g.generatorid), srv.config.generatorCheckerPeriod);
  },
});

rpc('resolvegeneratormsg', {
  access: member(async (m, q) => {
    const g = await getGeneratorByName(q, m.colonyname, m.generatorname);
    if (!g) throw internal('Failed to resolve generator, generator is nil');
    return g.colonyname;
  }),
  handle: async ({ msg, srv }) => {
    const g = await getGeneratorByName(srv.db, msg.colonyname, msg.generatorname);
    if (!g) throw internal('Failed to resolve generator, generator is nil');
    return generatorToWire(g);
  },
});

rpc('getgeneratorsmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    const list = await listGenerators(srv.db, msg.colonyname, Math.max(0, msg.count));
    return list.length > 0 ? list.map((g) => generatorToWire(g)) : null;
  },
});

rpc('packgeneratormsg', {
  access: member(generatorColony('increment generator')),
  handle: async ({ msg, srv }) => {
    await srv.db.tx(async (q) => {
      const g = await getGenerator(q, msg.generatorid);
      if (!g) throw internal('Failed to increment generator, generator is nil');
      await packArg(q, g, msg.arg, nowNs());
    });
  },
});

rpc('removegeneratormsg', {
  access: member(generatorColony('remove generator')),
  handle: async ({ msg, srv }) => {
    await srv.db.tx((q) => removeGenerator(q, msg.generatorid));
  },
});
