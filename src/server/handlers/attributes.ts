// Attribute RPCs (PROTOCOL §6.8, SEMANTICS §7).
import { RUNNING } from '../../domain/process-state.js';
import { badRequest, forbidden, notFound } from '../../protocol/errors.js';
import { attributeId, attributeToWire, getAttributeForCaller, insertAttribute, type StoredAttribute } from '../../store/attributes.js';
import type { Queryable } from '../../store/db.js';
import { getProcessForCaller, type ProcessBrief } from '../../store/processes.js';
import { member } from '../access.js';
import { rpc } from '../registry.js';

// Rows read by the access rule, reused by the handler (same message object).
const targets = new WeakMap<object, ProcessBrief>();
const found = new WeakMap<object, StoredAttribute>();

rpc('addattributemsg', {
  access: member(async (m, q: Queryable, callerId) => {
    if (!m.attribute) throw badRequest('Failed to add attribute, msg.Attribute is nil');
    const p = await getProcessForCaller(q, m.attribute.targetid, callerId);
    if (!p) throw notFound('Failed to add attribute, process not found');
    targets.set(m, p);
    return { colonyname: p.colonyname, colonyid: p.acc_colonyid, member: p.acc_member };
  }),
  handle: async ({ msg, callerId, srv }) => {
    const a = msg.attribute!;
    const p = targets.get(msg)!;
    if (p.state !== RUNNING) throw forbidden('Failed to add attribute, process is not running');
    if (p.assignedexecutorid !== callerId) {
      throw forbidden(`Failed to add attribute, only executor with id <${p.assignedexecutorid}> is allowed to set attributes`);
    }
    const row = {
      attributeid: attributeId(a.targetid, a.key, a.attributetype),
      targetcolonyname: a.targetcolonyname,
      targetprocessgraphid: p.processgraphid,
      attributetype: a.attributetype,
      key: a.key,
      value: a.value,
    };
    await insertAttribute(srv.db, a.targetid, row);
    // Go echoes the attribute as sent (its state included); later reads mirror the process state.
    return attributeToWire(a.targetid, row, a.state);
  },
});

rpc('getattributemsg', {
  access: member(async (m, q: Queryable, callerId) => {
    const a = await getAttributeForCaller(q, m.attributeid, callerId);
    // An attribute whose process is gone is unreachable (Go: deleted with the process).
    if (!a || a.processcolony === null) throw badRequest('Attribute does not exists');
    found.set(m, a);
    return { colonyname: a.processcolony, colonyid: a.acc_colonyid, member: a.acc_member };
  }),
  handle: async ({ msg }) => {
    const a = found.get(msg)!;
    return attributeToWire(a.targetid, a, a.processstate ?? 0);
  },
});
