// Function registry RPCs (PROTOCOL §6.6). Run statistics are updated on close by the process
// handlers through recordFunctionRun (src/store/functions.ts).
import { randomId } from '../../domain/ids.js';
import { badRequest, forbidden, notFound } from '../../protocol/errors.js';
import { getExecutorByName } from '../../store/executors.js';
import { getFunction, insertFunction, listFunctions, removeFunction } from '../../store/functions.js';
import { member } from '../access.js';
import { rpc } from '../registry.js';

rpc('addfunctionmsg', {
  access: member((m) => {
    if (!m.fun) throw badRequest('Failed to add function, msg.Function is nil');
    return m.fun.colonyname;
  }),
  handle: async ({ msg, srv, callerId }) => {
    const f = msg.fun!;
    const ex = await getExecutorByName(srv.db, f.colonyname, f.executorname);
    if (!ex) throw badRequest(`Failed to add function, Executor with name <${f.executorname}> does not exist`);
    if (ex.executorid !== callerId) throw forbidden('Not allowed to add a function to another executor');
    // Duplicates are allowed: every registration is its own row with its own id.
    return insertFunction(srv.db, {
      ...f,
      functionid: f.functionid || randomId(),
      executortype: f.executortype || ex.executortype,
      locationname: ex.locationname,
    });
  },
});

rpc('getfunctionsmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    const functions = await listFunctions(srv.db, msg.colonyname, msg.executorname);
    return functions.length > 0 ? functions : null;
  },
});

rpc('removefunctionmsg', {
  access: member(async (m, q) => {
    if (m.functionid === '') throw badRequest('Failed to remove function, msg.FunctionID is empty');
    const f = await getFunction(q, m.functionid);
    if (!f) throw notFound('Failed to remove function, function does not exist');
    return f.colonyname;
  }),
  handle: async ({ msg, srv, callerId }) => {
    const f = await getFunction(srv.db, msg.functionid);
    if (!f) throw notFound('Failed to remove function, function does not exist');
    const ex = await getExecutorByName(srv.db, f.colonyname, f.executorname);
    if (ex?.executorid !== callerId) throw forbidden('Not allowed to remove a function from another executor');
    await removeFunction(srv.db, msg.functionid);
  },
});
