// Log RPCs (PROTOCOL §6.10, SEMANTICS §11).
import { RUNNING } from '../../domain/workflow.js';
import { badRequest, forbidden, internal } from '../../protocol/errors.js';
import { nowNs } from '../../protocol/time.js';
import { getExecutorByName, getExecutorInColonyById } from '../../store/executors.js';
import { addLog, getLogs, searchLogs } from '../../store/logs.js';
import { processHead } from '../../store/workflows.js';
import { member } from '../access.js';
import { rpc } from '../registry.js';
// Retention deletes old logs (and successful processes and workflows): its loop is declared there.
import '../retention.js';

const MAX_LOG_COUNT = 500;
const MAX_SEARCH_COUNT = 100;
const MAX_SEARCH_DAYS = 30;
const DAY_NS = 86_400n * 1_000_000_000n;

const orNull = <T>(list: T[]): T[] | null => (list.length > 0 ? list : null);

rpc('addlogmsg', {
  access: member(async (m, q) => {
    const p = await processHead(q, m.processid);
    if (!p) throw internal('Failed to add log, process is nil');
    return p.colonyname;
  }),
  handle: async ({ msg, callerId, srv }) => {
    const p = await processHead(srv.db, msg.processid);
    if (!p) throw internal('Failed to add log, process is nil');
    if (p.state !== RUNNING) throw forbidden('Failed to add log, process is not running');
    if (p.assignedexecutorid !== callerId) {
      throw forbidden('Failed to add log, not allowed to add log, only the assigned Executor may att logs');
    }
    const executor = await getExecutorInColonyById(srv.db, p.colonyname, callerId);
    await addLog(srv.db, {
      colonyname: p.colonyname,
      processid: p.processid,
      executorname: executor?.executorname ?? '',
      message: msg.message,
      ts: nowNs(),
    });
  },
});

rpc('addexecutorlogmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, callerId, srv }) => {
    const executor = await getExecutorInColonyById(srv.db, msg.colonyname, callerId);
    if (!executor) throw forbidden('Failed to add executor log, executor not found');
    if (executor.executorname !== msg.executorname) throw forbidden('Failed to add executor log, executor name mismatch');
    await addLog(srv.db, { colonyname: msg.colonyname, processid: '', executorname: executor.executorname, message: msg.message, ts: nowNs() });
  },
});

rpc('getlogsmsg', {
  // By executor name (scoped to that executor's colony, DECISIONS.md) or else by process.
  access: member(async (m, q) => {
    if (m.executorname !== '') {
      const e = await getExecutorByName(q, m.colonyname, m.executorname);
      if (!e) throw internal('Failed to get logs, executor does not exist');
      return e.colonyname;
    }
    const p = await processHead(q, m.processid);
    if (!p) throw internal('Failed to get logs, process does not exist');
    return p.colonyname;
  }),
  handle: async ({ msg, srv }) => {
    if (msg.count > MAX_LOG_COUNT) throw forbidden(`Count exceeds max log count (${MAX_LOG_COUNT})`);
    const query = { count: Math.max(0, msg.count), since: msg.since, latest: msg.latest };
    const logs =
      msg.executorname !== ''
        ? await getLogs(srv.db, { colonyname: msg.colonyname, executorname: msg.executorname }, query)
        : await getLogs(srv.db, { processid: msg.processid }, query);
    return orNull(logs);
  },
});

rpc('searchlogsmsg', {
  access: member((m) => m.colonyname),
  handle: async ({ msg, srv }) => {
    if (msg.count > MAX_SEARCH_COUNT) throw badRequest(`Count exceeds max log count (${MAX_SEARCH_COUNT})`);
    if (msg.days > MAX_SEARCH_DAYS) throw badRequest(`Count exceeds max day count (${MAX_SEARCH_DAYS})`);
    const since = nowNs() - BigInt(Math.max(0, msg.days)) * DAY_NS;
    return orNull(await searchLogs(srv.db, msg.colonyname, msg.text, since, Math.max(0, msg.count)));
  },
});
