// The signer cache: a repeated (payload, signature) pair is recovered once; anything else —
// another payload under the same signature, a bad signature, a big payload — is checked afresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserCrypto } from '../../src/crypto/index.js';
import { buildRequest, encodePayload } from '../../src/protocol/envelope.js';
import { SignerCache } from '../../src/server/signer-cache.js';
import { newKey, setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

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
  it('recovers a repeated pair once, and a new payload under the same signature again', () => {
    const c = new SignerCache();
    const { calls, recover } = counting();
    expect(c.signer('p1', 's1', recover)).toBe('id:s1:p1');
    expect(c.signer('p1', 's1', recover)).toBe('id:s1:p1');
    expect(calls).toEqual(['p1']);
    expect(c.signer('p2', 's1', recover)).toBe('id:s1:p2');
    expect(c.signer('p1', 's2', recover)).toBe('id:s2:p1');
    expect(calls).toEqual(['p1', 'p2', 'p1']);
  });

  it('never remembers a failure', () => {
    const c = new SignerCache();
    const { calls, recover } = counting();
    expect(() => c.signer('p', 'bad', recover)).toThrow('bad signature');
    expect(() => c.signer('p', 'bad', recover)).toThrow('bad signature');
    expect(calls).toEqual(['p', 'p']);
    expect(c.size).toBe(0);
  });

  it('keeps the most recently used pairs up to its size', () => {
    const c = new SignerCache(2);
    const { calls, recover } = counting();
    c.signer('a', 'sa', recover);
    c.signer('b', 'sb', recover);
    c.signer('a', 'sa', recover); // a is now the most recent
    c.signer('c', 'sc', recover); // evicts b
    expect(c.size).toBe(2);
    c.signer('a', 'sa', recover);
    c.signer('b', 'sb', recover);
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not keep big payloads', () => {
    const c = new SignerCache();
    const { calls, recover } = counting();
    const big = 'x'.repeat(5000);
    c.signer(big, 's', recover);
    c.signer(big, 's', recover);
    expect(calls.length).toBe(2);
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
