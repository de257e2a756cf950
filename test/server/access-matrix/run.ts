// Runs one matrix row as every role and reports the outcome per role, in a form that reads well
// in a failed toEqual: role → "ok" or "<status> <message>", plus whether the read-back held.
import { ColoniesError } from '../../../src/protocol/errors.js';
import type { Key } from '../../helpers/server.js';
import { openPubsub } from '../../helpers/ws.js';
import { A } from './fixtures.js';
import { denial, passes, ROLES, type Ctx, type Msg, type Role, type Row } from './roles.js';

export type Outcomes = Record<string, string>;

export const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

/** What the spec says each role gets. */
export function expected(row: Row): Outcomes {
  const out: Outcomes = {};
  for (const role of ROLES) {
    out[role] = passes(row.auth, role) ? (row.handler?.[role] ?? 'ok') : denial(row.auth, row.colony ?? A);
  }
  if (row.readBack) out.readBack = 'unchanged';
  return out;
}

export async function outcome(ctx: Ctx, type: string, msg: Msg, key: Key): Promise<string> {
  try {
    await ctx.t.call(type, msg, key);
    return 'ok';
  } catch (e) {
    if (e instanceof ColoniesError) return `${e.status} ${e.message}`;
    throw e;
  }
}

/** Like outcome, but a reply that mentions colony A is a leak. */
export async function leakOutcome(ctx: Ctx, type: string, msg: Msg, key: Key): Promise<string> {
  try {
    const reply = await ctx.t.call(type, msg, key);
    return text(reply).includes(`"${A}"`) ? `ok, but the reply leaks colony ${A}: ${text(reply)}` : 'ok';
  } catch (e) {
    if (e instanceof ColoniesError) return `${e.status} ${e.message}`;
    throw e;
  }
}

/**
 * Denied roles first (all at once, between two read-backs), then the permitted ones one by one:
 * those a handler check refuses before those that succeed, so a success that consumes the
 * target (a close, a remove) cannot hide a refusal.
 */
export async function runRow(ctx: Ctx, type: string, row: Row): Promise<Outcomes> {
  const out: Outcomes = {};
  const denied = ROLES.filter((r) => !passes(row.auth, r));
  const deniedIds = denied.map((r) => ctx.key(r).id);
  const before = row.readBack ? text(await row.readBack(deniedIds)) : '';
  await Promise.all(
    denied.map(async (role) => {
      out[role] = await outcome(ctx, type, row.msg(role), ctx.key(role));
    }),
  );
  if (row.readBack) {
    const after = text(await row.readBack(deniedIds));
    out.readBack = after === before ? 'unchanged' : `changed: ${before} → ${after}`;
  }
  const permitted = ROLES.filter((r) => passes(row.auth, r));
  const refusedFirst = [...permitted.filter((r) => row.handler?.[r]), ...permitted.filter((r) => !row.handler?.[r])];
  for (const role of refusedFirst) out[role] = await outcome(ctx, type, row.msg(role), ctx.key(role));
  await row.restore?.();
  return out;
}

/** Runs `fn` over `items`, `n` at a time. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/**
 * One subscription on a fresh socket: "ok" when the server accepted it (a data frame, or a
 * close without a word for timeout 0), else the error frame's "<status> <message>".
 */
export async function subscribeOutcome(url: string, type: string, msg: Msg, key: Key): Promise<string> {
  const c = await openPubsub(url);
  try {
    c.subscribe(type, msg, key);
    const frames = await c.waitFrames(1).catch(() => c.frames);
    const first = frames[0];
    if (!first) return c.isClosed() ? 'ok' : 'no reply';
    return first.error ? `${first.payload.status} ${first.payload.message}` : 'ok';
  } finally {
    c.close();
  }
}

export type SubscribeRow = { msg: Msg; expect: Record<Role, string> };
