// The access rules of PROTOCOL.md §5, declared per RPC in the registry. A rule names whose
// colony it is about; the check itself is the same SQL for every RPC.
import { ColoniesError, forbidden } from '../protocol/errors.js';
import type { Queryable } from '../store/db.js';

/**
 * What a colony resolver may return instead of a bare name when its own query already read the
 * caller's approved membership (with memberSql of store/membership.ts): the `member` rule then
 * needs no second query.
 */
export interface ResolvedColony {
  colonyname: string;
  /** null when the colony does not exist */
  colonyid: string | null;
  /** Member(approved) of the caller */
  member: boolean;
}

export type ColonyOf<M> = (msg: M, q: Queryable, callerId: string) => string | ResolvedColony | Promise<string | ResolvedColony>;

const nameOf = (r: string | ResolvedColony) => (typeof r === 'string' ? r : r.colonyname);

export type Rule<M> =
  /** no signature needed (versionmsg, getserverinfomsg) */
  | { kind: 'none' }
  /** any valid signature; the handler checks the rest (e.g. "caller must be an executor") */
  | { kind: 'signed' }
  | { kind: 'serverOwner' }
  | { kind: 'colonyOwner'; colony: ColonyOf<M> }
  /** approved = true: M (approved executors and users); false: M* (any registered executor state) */
  | { kind: 'member'; approved: boolean; colony: ColonyOf<M> }
  /** blueprint rule M|CO: an approved member or else the colony owner */
  | { kind: 'memberOrOwner'; colony: ColonyOf<M> };

export const none = { kind: 'none' } as const;
export const signed = { kind: 'signed' } as const;
export const serverOwner = { kind: 'serverOwner' } as const;
export const colonyOwner = <M>(colony: ColonyOf<M>): Rule<M> => ({ kind: 'colonyOwner', colony });
export const member = <M>(colony: ColonyOf<M>): Rule<M> => ({ kind: 'member', approved: true, colony });
export const memberAnyState = <M>(colony: ColonyOf<M>): Rule<M> => ({ kind: 'member', approved: false, colony });
export const memberOrOwner = <M>(colony: ColonyOf<M>): Rule<M> => ({ kind: 'memberOrOwner', colony });

export async function serverId(q: Queryable): Promise<string> {
  const rows = await q.query<{ value: string }>("SELECT value FROM server_config WHERE key = 'serverid'");
  return rows[0]?.value ?? '';
}

export async function checkServerOwner(q: Queryable, callerId: string): Promise<void> {
  if ((await serverId(q)) !== callerId) throw forbidden('Access denied, not server owner');
}

interface ColonyAccess {
  colonyid: string;
  member: boolean;
}

async function colonyAccess(q: Queryable, colonyname: string, callerId: string, approved: boolean): Promise<ColonyAccess | null> {
  const rows = await q.query<ColonyAccess>(
    `SELECT c.colonyid,
            (EXISTS (SELECT 1 FROM executors e WHERE e.executorid = $2 AND e.colonyname = c.name AND ($3::boolean = false OR e.state = 1))
             OR EXISTS (SELECT 1 FROM users u WHERE u.userid = $2 AND u.colonyname = c.name)) AS member
       FROM colonies c WHERE c.name = $1`,
    [colonyname, callerId, approved],
  );
  return rows[0] ?? null;
}

export function notMember(colonyname: string): ColoniesError {
  return forbidden(`Access denied, not a member of Colony with name <${colonyname}>`);
}

function noColony(colonyname: string): ColoniesError {
  return forbidden(colonyname === '' ? 'Empty Colony name' : `Colony with name <${colonyname}> does not exists`);
}

export async function checkColonyOwner(q: Queryable, colonyname: string, callerId: string): Promise<void> {
  const rows = await q.query<{ colonyid: string }>('SELECT colonyid FROM colonies WHERE name = $1', [colonyname]);
  if (!rows[0]) throw noColony(colonyname);
  if (rows[0].colonyid !== callerId) throw forbidden('Access denied, not colony owner');
}

export async function checkMember(q: Queryable, colonyname: string, callerId: string, approved: boolean): Promise<void> {
  const a = await colonyAccess(q, colonyname, callerId, approved);
  if (!a) throw noColony(colonyname);
  if (!a.member) throw notMember(colonyname);
}

/** The approved-member rule on an access a query already resolved (see ResolvedColony). */
export function checkResolvedMember(r: ResolvedColony): void {
  if (r.colonyid === null) throw noColony(r.colonyname);
  if (!r.member) throw notMember(r.colonyname);
}

export async function checkMemberOrOwner(q: Queryable, colonyname: string, callerId: string): Promise<void> {
  const a = await colonyAccess(q, colonyname, callerId, true);
  if (!a) throw noColony(colonyname);
  if (!a.member && a.colonyid !== callerId) throw forbidden(`Access denied, not a member or owner of Colony with name <${colonyname}>`);
}

export async function authorize<M>(rule: Rule<M>, msg: M, q: Queryable, callerId: string): Promise<void> {
  switch (rule.kind) {
    case 'none':
    case 'signed':
      return;
    case 'serverOwner':
      return checkServerOwner(q, callerId);
    case 'colonyOwner':
      return checkColonyOwner(q, nameOf(await rule.colony(msg, q, callerId)), callerId);
    case 'member': {
      const r = await rule.colony(msg, q, callerId);
      if (typeof r === 'string' || !rule.approved) return checkMember(q, nameOf(r), callerId, rule.approved);
      return checkResolvedMember(r);
    }
    case 'memberOrOwner':
      return checkMemberOrOwner(q, nameOf(await rule.colony(msg, q, callerId)), callerId);
  }
}
