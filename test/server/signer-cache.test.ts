// The signer cache: a repeated (payload, signature) pair is recovered at its first two sightings
// and served from the cache after that; a pair seen once is never kept; anything else — another
// payload under the same signature, a bad signature, a big payload — is checked afresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserCrypto } from '../../src/crypto/index.js';
import { buildRequest, encodePayload } from '../../src/protocol/envelope.js';
import { SignerCache } from '../../src/server/signer-cache.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

// signatures are hex on the wire; the cache keys first sightings by a hex prefix
const S1 = 'a1'.repeat(65);
const S2 = 'b2'.repeat(65);
const sig = (n: number) => n.toString(16).padStart(7, '0').padEnd(130, 'c');

function counting() {
  const calls: string[] = [];
  const recover = (payload: string, signature: string) => {
    calls.push(payload);
    if (signature === 'bad') throw new Error('bad signature');
    return `id:${signature}:${payload}`;
  };
  return { calls, recover };
}

describe('SignerCache', () => {
  it('recovers a pair at its first two sightings, then from the cache; a new payload under the same signature again', () => {
    const c = new SignerCache();
    const { calls, recover } = counting();
    expect(c.signer('p1', S1, recover)).toBe(`id:${S1}:p1`);
    expect(c.size).toBe(0); // seen once: not kept
    expect(c.signer('p1', S1, recover)).toBe(`id:${S1}:p1`);
    expect(c.size).toBe(1);
    expect(c.signer('p1', S1, recover)).toBe(`id:${S1}:p1`);
    expect(c.signer('p1', S1, recover)).toBe(`id:${S1}:p1`);
    expect(calls).toEqual(['p1', 'p1']);
    expect(c.signer('p2', S1, recover)).toBe(`id:${S1}:p2`);
    expect(c.signer('p1', S2, recover)).toBe(`id:${S2}:p1`);
    expect(calls).toEqual(['p1', 'p1', 'p2', 'p1']);
  });

  it('keeps nothing of pairs that are never sent twice (every submit, every close)', () => {
    const c = new SignerCache(64);
    const { calls, recover } = counting();
    for (let i = 0; i < 1000; i++) expect(c.signer(`p${i}`, sig(i), recover)).toBe(`id:${sig(i)}:p${i}`);
    expect(calls.length).toBe(1000);
    expect(c.size).toBe(0);
    // a pair seen again within the last two generations of first sightings is kept
    c.signer('p999', sig(999), recover);
    expect(c.size).toBe(1);
    // one seen too long ago counts as new again
    c.signer('p0', sig(0), recover);
    expect(c.size).toBe(1);
  });

  it('never remembers a failure', () => {
    const c = new SignerCache();
    const { calls, recover } = counting();
    for (let i = 0; i < 3; i++) expect(() => c.signer('p', 'bad', recover)).toThrow('bad signature');
    expect(calls).toEqual(['p', 'p', 'p']);
    expect(c.size).toBe(0);
  });

  it('keeps the most recently used pairs up to its size', () => {
    const c = new SignerCache(2);
    const { calls, recover } = counting();
    const [sa, sb, sc] = [sig(10), sig(11), sig(12)];
    const twice = (p: string, s: string) => (c.signer(p, s, recover), c.signer(p, s, recover));
    twice('a', sa);
    twice('b', sb);
    c.signer('a', sa, recover); // a is now the most recent
    twice('c', sc); // evicts b
    expect(c.size).toBe(2);
    c.signer('a', sa, recover);
    c.signer('b', sb, recover);
    expect(calls).toEqual(['a', 'a', 'b', 'b', 'c', 'c', 'b']);
  });

  it('remembers a recovery that answers later (a promise) once it resolves, never one that rejects', async () => {
    const c = new SignerCache();
    const calls: string[] = [];
    const later = (payload: string, signature: string) => {
      calls.push(payload);
      return signature === 'bad' ? Promise.reject(new Error('bad signature')) : Promise.resolve(`id:${signature}:${payload}`);
    };
    expect(await c.signer('p1', S1, later)).toBe(`id:${S1}:p1`);
    expect(await c.signer('p1', S1, later)).toBe(`id:${S1}:p1`);
    expect(c.size).toBe(1);
    expect(c.signer('p1', S1, later)).toBe(`id:${S1}:p1`); // at once, from the cache
    expect(calls).toEqual(['p1', 'p1']);
    for (let i = 0; i < 3; i++) await expect(c.signer('p', 'bad', later)).rejects.toThrow('bad signature');
    expect(calls).toEqual(['p1', 'p1', 'p', 'p', 'p']);
    expect(c.size).toBe(1);
  });

  it('does not keep big payloads', () => {
    const c = new SignerCache();
    const { calls, recover } = counting();
    const big = 'x'.repeat(5000);
    for (let i = 0; i < 3; i++) c.signer(big, S1, recover);
    expect(calls.length).toBe(3);
    expect(c.size).toBe(0);
  });
});

describe('signer cache in the server', () => {
  let t: TestServer;
  let c: Cast;
  beforeAll(async () => {
    t = await startTestServer();
    c = await setupColony(t, 'dev', 'cli');
  });
  afterAll(() => t?.close());

  it('a replayed envelope is served as its signer; its signature on another payload is refused and changes nothing', async () => {
    const body = buildRequest('getprocessesmsg', { colonyname: 'dev', count: 10, state: 0 }, c.user.prv, browserCrypto);
    for (let i = 0; i < 3; i++) expect((await t.post(body)).status).toBe(200);

    // the same signature over a submit: recovers some other key (or none), never the user's
    const env = JSON.parse(body) as { signature: string };
    const forged = JSON.stringify({
      payloadtype: 'submitfuncspecmsg',
      payload: encodePayload({ msgtype: 'submitfuncspecmsg', spec: { funcname: 'f', conditions: { colonyname: 'dev', executortype: 'cli' } } }),
      signature: env.signature,
    });
    const r = await t.post(forged);
    expect(r.status).toBe(403);
    const waiting = await t.call('getprocessesmsg', { colonyname: 'dev', count: 10, state: 0 }, c.user);
    expect(waiting).toBeNull();
    // and an unknown key is still refused, cached or not
    const stranger = buildRequest('getprocessesmsg', { colonyname: 'dev', count: 10, state: 0 }, newKey().prv, browserCrypto);
    for (let i = 0; i < 2; i++) expect((await t.post(stranger)).status).toBe(403);
  });
});
