// Small readers the rows use for their read-backs (always as a legitimate role).
import { ColoniesError } from '../../../src/protocol/errors.js';
import type { Ctx, Msg, Role } from './roles.js';

export interface Reader {
  /** a call that must succeed */
  get(type: string, msg: Msg, role?: Role): Promise<any>;
  /** a call whose refusal is part of the state read ("gone" objects): the value or "<status>" */
  probe(type: string, msg: Msg, role?: Role): Promise<unknown>;
  /** list of the `field` values of a list reply (null = empty), sorted */
  names(type: string, msg: Msg, field: string, role?: Role, filter?: (x: any) => boolean): Promise<string[]>;
}

export function reader(ctx: Ctx): Reader {
  const get = (type: string, msg: Msg, role: Role = 'UA') => ctx.t.call(type, msg, ctx.key(role));
  return {
    get,
    probe: (type, msg, role) =>
      get(type, msg, role).catch((e: unknown) => {
        if (e instanceof ColoniesError) return `${e.status}`;
        throw e;
      }),
    async names(type, msg, field, role, filter = () => true) {
      const list = ((await get(type, msg, role)) ?? []) as any[];
      return list
        .filter(filter)
        .map((x) => String(x[field]))
        .sort();
    },
  };
}

export const startsWith = (field: string, prefix: string) => (x: any) => String(x[field]).startsWith(prefix);
