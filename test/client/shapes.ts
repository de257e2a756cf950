// Compares the key sets of SDK replies with the Go server's JSON shapes (vectors/json-shapes.json):
// every object key Go emits must be there, nothing else, recursively through nested objects.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export const shapes = JSON.parse(readFileSync(new URL('../vectors/json-shapes.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** Dotted key paths of all object members (array elements are not descended into). */
export function keyPaths(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  const out: string[] = [];
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    out.push(prefix + k);
    out.push(...keyPaths(child, `${prefix}${k}.`));
  }
  return out.sort();
}

/** The reply has exactly the keys of Go's shape `name` (optionally only the top level). */
export function expectShape(reply: unknown, name: string, opts: { topLevelOnly?: boolean; ignore?: string[] } = {}): void {
  const want = shapes[name];
  if (!want) throw new Error(`no shape ${name}`);
  const keys = (v: unknown) =>
    (opts.topLevelOnly ? Object.keys(v as object).sort() : keyPaths(v)).filter((k) => !(opts.ignore ?? []).some((i) => k === i || k.startsWith(i + '.')));
  expect(keys(reply), `key set of ${name}`).toEqual(keys(want));
}
