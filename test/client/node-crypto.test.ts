// Native signing for SDK clients in Node (src/client/node-crypto.ts): loaded on first use,
// byte-identical to the browser implementation (which test/crypto checks against the vectors), used by createNodeClient and runExecutor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultNodeCrypto, loadNodeCrypto } from '../../src/client/node-crypto.js';
import { createNodeClient } from '../../src/client/node-transport.js';
import { browserCrypto } from '../../src/crypto/index.js';
import { setupColony, startTestServer, type Cast, type TestServer } from '../helpers/server.js';

describe('defaultNodeCrypto', () => {
  it('signs with native libsecp256k1 once loaded, and byte-identically to the browser implementation', async () => {
    const loaded = await loadNodeCrypto();
    expect(loaded.name).toBe('native');
    const c = defaultNodeCrypto();
    expect(c.name).toBe('native');
    const prv = browserCrypto.generatePrivateKey();
    for (const message of ['', 'hello', '{"msgtype":"versionmsg"}', 'x'.repeat(5000)]) {
      const s = c.sign(message, prv);
      expect(s).toBe(browserCrypto.sign(message, prv));
      expect(c.recoverId(message, s)).toBe(browserCrypto.idOf(prv));
    }
    expect(c.idOf(prv)).toBe(browserCrypto.idOf(prv));
    expect(c.sha3Hex('abc')).toBe(browserCrypto.sha3Hex('abc'));
  });
});

describe('createNodeClient', () => {
  let t: TestServer;
  let cast: Cast;
  beforeAll(async () => {
    t = await startTestServer();
    cast = await setupColony(t, 'dev', 'cli');
  });
  afterAll(() => t?.close());

  it('signs natively and is accepted by the server', async () => {
    await loadNodeCrypto();
    const c = createNodeClient({ url: t.url, prvKey: cast.user.prv });
    expect(c.crypto.name).toBe('native');
    const colony = await c.getColony('dev');
    expect(colony.name).toBe('dev');
  });
});
