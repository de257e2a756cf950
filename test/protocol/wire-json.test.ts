// stringifyWire / stringifyJson replace BigInt (and, on the wire, bytes) in a pass before a
// plain JSON.stringify. They must write exactly what a replacer function writes, and never
// change the value they were given.
import { describe, expect, it } from 'vitest';
import { stringifyJson } from '../../src/protocol/json.js';
import { bytesToBase64, stringifyWire } from '../../src/protocol/wire.js';

/** The straightforward reference: a replacer called for every member. */
function reference(value: unknown, bytes: boolean): string {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    if (typeof v === 'bigint') return `\u0000bigint:${v}`;
    if (bytes && this[key] instanceof Uint8Array) return bytesToBase64(this[key] as Uint8Array);
    return v;
  });
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

const shared = { n: 5n, s: 'x' };
const cases: [string, unknown][] = [
  ['bigints at every depth', { a: 1n, b: [2n, { c: -3n, d: [[4n]] }], e: 'text', f: 1.5 }],
  ['int64 limits', { max: 2n ** 63n - 1n, min: -(2n ** 63n) }],
  ['bytes and Buffers', { b: new Uint8Array([1, 2, 3]), nb: Buffer.from('hi'), list: [new Uint8Array([255]), 7n] }],
  ['empty bytes', { b: new Uint8Array(0) }],
  ['undefined members and holes', { u: undefined, keep: 1, arr: [undefined, 1n, , 3] }], // eslint-disable-line no-sparse-arrays
  ['toJSON objects', { when: new Date(0), inner: { toJSON: () => ({ x: 1 }) } }],
  ['other typed arrays', { f: new Float64Array([1.5, 2]) }],
  ['the same object twice', { first: shared, second: shared, list: [shared, shared] }],
  ['no bigint at all', { a: [1, 2, { b: 'c' }], d: null, e: true }],
  ['top-level values', 12n],
  ['top-level bytes', new Uint8Array([9])],
  ['null', null],
  ['a string', 'plain <&> text'],
];

describe('stringifyWire and stringifyJson write what a replacer writes', () => {
  it.each(cases)('%s', (_name, value) => {
    const before = reference(value, true);
    expect(stringifyWire(value)).toBe(before.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    expect(stringifyJson(value)).toBe(reference(value, false));
    // the value itself is untouched (the pass copies what it changes)
    expect(reference(value, true)).toBe(before);
  });

  it('leaves the input objects as they were', () => {
    const v = { a: 1n, nested: { b: [2n], bytes: new Uint8Array([1]) } };
    stringifyWire(v);
    stringifyJson(v);
    expect(typeof v.a).toBe('bigint');
    expect(typeof v.nested.b[0]).toBe('bigint');
    expect(v.nested.bytes).toBeInstanceOf(Uint8Array);
  });

  it('writes undefined as null at the top level and spaces when asked', () => {
    expect(stringifyWire(undefined)).toBe('null');
    expect(stringifyJson(undefined)).toBe('null');
    expect(stringifyJson({ a: 1n }, 2)).toBe('{\n  "a": 1\n}');
  });
});
