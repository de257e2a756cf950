// Roles of the access matrix (PROTOCOL §5) and what each declared rule lets through.
import type { Rule } from '../../../src/server/access.js';
import type { Key, TestServer } from '../../helpers/server.js';
import type { Fixtures } from './fixtures.js';

/**
 * SO server owner · CO owner of colony A · EA/PE/RE/RM approved/pending/rejected/removed
 * (unregistered) executor of A · UA user of A · EB approved executor of colony B · UB user of B ·
 * X a key nobody registered.
 */
export const ROLES = ['SO', 'CO', 'EA', 'PE', 'RE', 'RM', 'UA', 'EB', 'UB', 'X'] as const;
export type Role = (typeof ROLES)[number];

/** The Auth column of PROTOCOL §6 (AE/self/"caller must be …" are handler checks, see Row.handler). */
export type Auth = 'none' | 'signed' | 'SO' | 'CO' | 'M' | 'M*' | 'M|CO';

const PASSES: Record<Auth, readonly Role[]> = {
  none: ROLES,
  signed: ROLES,
  SO: ['SO'],
  CO: ['CO'],
  M: ['EA', 'UA'],
  'M*': ['EA', 'PE', 'RE', 'RM', 'UA'],
  // the colony owner is not a member (§5); blueprints let it in explicitly
  'M|CO': ['EA', 'UA', 'CO'],
};

export const passes = (auth: Auth, role: Role): boolean => PASSES[auth].includes(role);

/** The Auth column as the registry declares it. */
export function authOf(rule: Rule<unknown>): Auth {
  switch (rule.kind) {
    case 'none':
      return 'none';
    case 'signed':
      return 'signed';
    case 'serverOwner':
      return 'SO';
    case 'colonyOwner':
      return 'CO';
    case 'member':
      return rule.approved ? 'M' : 'M*';
    case 'memberOrOwner':
      return 'M|CO';
  }
}

/** The 403 text of a failed rule for a caller whose target colony exists (§5). */
export function denial(auth: Auth, colony: string): string {
  switch (auth) {
    case 'SO':
      return '403 Access denied, not server owner';
    case 'CO':
      return '403 Access denied, not colony owner';
    case 'M':
    case 'M*':
      return `403 Access denied, not a member of Colony with name <${colony}>`;
    case 'M|CO':
      return `403 Access denied, not a member or owner of Colony with name <${colony}>`;
    default:
      throw new Error(`rule ${auth} denies nobody`);
  }
}

/** What the rows of the table see: the server, the fixtures and the key of each role. */
export interface Ctx {
  t: TestServer;
  f: Fixtures;
  key(role: Role): Key;
}

export type Msg = Record<string, unknown>;

export interface Row {
  /** the spec's Auth column; the registry's declared rule must say the same */
  auth: Auth;
  /** the message `role` sends; it targets colony A (role-specific targets for destructive calls) */
  msg(role: Role): Msg;
  /**
   * Outcome ("<status> <message>") of a role the rule lets through but a handler check refuses
   * (AE, self, "caller must be an executor/user"); every other permitted role must succeed.
   */
  handler?: Partial<Record<Role, string>>;
  /** colony named in the denial text (default: colony A) */
  colony?: string;
  /**
   * For write RPCs: a read (by a legitimate role) of the state the denied calls target; it must
   * read the same before and after them. Gets the ids of the denied roles.
   */
  readBack?(denied: string[]): Promise<unknown>;
  /** runs after the concurrent rows, one at a time in table order (pause, id changes, remove-all) */
  last?: boolean;
  /** undoes the permitted call where later rows need the fixture back */
  restore?(): Promise<void>;
}

export type Table = Record<string, Row>;
