// Small builders for workflow, cron and generator tests.
import type { Cast, Key, TestServer } from './server.js';

/** A workflow node for the colony's test executor type. */
export function node(nodename: string, dependencies: string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nodename,
    funcname: `fn-${nodename}`,
    args: [],
    maxexectime: -1,
    maxretries: 0,
    ...extra,
    conditions: { executortype: 'test-executor', dependencies },
  };
}

export function workflow(colonyname: string, ...nodes: Record<string, unknown>[]): Record<string, unknown> {
  return { colonyname, functionspecs: nodes };
}

/** One assign attempt by the cast's executor (or `key`); throws a ColoniesError 404 when nothing is assignable. */
export function assignNow(t: TestServer, c: Cast, key: Key = c.executor): Promise<any> {
  return t.call('assignprocessmsg', { colonyname: c.colonyName, timeout: -1, availablecpu: '', availablemem: '' }, key);
}

/** Polls `probe` until it returns a truthy value (no fixed sleeps); fails after `ms`. */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, ms = 10_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
