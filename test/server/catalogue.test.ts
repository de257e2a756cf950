/**
 * The protocol catalogue (src/protocol/messages.ts) against the server registry: every
 * payloadtype a client may POST to /api is served, the WebSocket-only and unhandled ones are
 * refused the way Go refuses them, and every request type is exercised by some test.
 * Failures name the payloadtypes that are missing something.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserCrypto } from '../../src/crypto/index.js';
import { buildRequest, decodeReply } from '../../src/protocol/envelope.js';
import { ColoniesError } from '../../src/protocol/errors.js';
import { catalogue, payloadTypes, type PayloadType } from '../../src/protocol/messages.js';
import '../../src/server/handlers/index.js';
import { lookup, registeredTypes } from '../../src/server/registry.js';
import { newKey, startTestServer, type TestServer } from '../helpers/server.js';

const TEST_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const ofKind = (...kinds: string[]) => payloadTypes.filter((t) => kinds.includes(catalogue[t].kind));

/** Every *.test.ts under test/ that exercises behaviour: not this file, not the codec tests. */
function behaviourTestFiles(dir = TEST_ROOT): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      out.push(...behaviourTestFiles(path));
      continue;
    }
    const rel = relative(TEST_ROOT, path).split(sep).join('/');
    // test/protocol lists every payloadtype to check the schemas; it says nothing about the server
    if (!name.endsWith('.test.ts') || name === 'catalogue.test.ts' || rel.startsWith('protocol/')) continue;
    out.push(path);
  }
  return out;
}

describe('registry', () => {
  it('serves every api and unauthenticated payloadtype with an access rule and a handler', () => {
    const missing = ofKind('api', 'unauthenticated').filter((t) => {
      const row = lookup(t);
      return !row || typeof row.handle !== 'function' || typeof row.access?.kind !== 'string';
    });
    expect(missing, 'payloadtypes without a complete registry row').toEqual([]);
  });

  it('uses access "none" exactly for the unauthenticated payloadtypes', () => {
    const wrong = ofKind('api', 'unauthenticated').filter((t) => {
      const row = lookup(t);
      return row && (row.access.kind === 'none') !== (catalogue[t].kind === 'unauthenticated');
    });
    expect(wrong, 'payloadtypes whose access rule does not match their kind').toEqual([]);
  });

  it('has no rows for websocket-only, unhandled or unknown payloadtypes', () => {
    const extra = registeredTypes().filter((t) => !(t in catalogue) || !['api', 'unauthenticated'].includes(catalogue[t].kind));
    expect(extra, 'registry rows that /api must not serve').toEqual([]);
  });
});

describe('every request payloadtype is tested', () => {
  // The unhandled types are exercised below, by this file.
  it('appears in at least one behaviour test file', () => {
    const texts = behaviourTestFiles().map((f) => readFileSync(f, 'utf8'));
    const untested = ofKind('api', 'unauthenticated', 'websocket').filter((t) => !texts.some((text) => new RegExp(`\\b${t}\\b`).test(text)));
    expect(untested, 'payloadtypes that no test under test/ (outside test/protocol) mentions').toEqual([]);
  });
});

describe('POST /api with a payloadtype the server does not serve there', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function refusal(type: PayloadType): Promise<{ http: number; status: number; message: string }> {
    const key = newKey();
    const r = await t.post(buildRequest(type, {} as never, key.prv, browserCrypto));
    try {
      decodeReply(r.text);
    } catch (e) {
      if (e instanceof ColoniesError) return { http: r.status, status: e.status, message: e.message };
      throw e;
    }
    throw new Error(`${type} was answered with a success`);
  }

  it.each(ofKind('websocket'))('%s (WebSocket only) → 403 invalid payloadtype, as Go', async (type) => {
    expect(await refusal(type)).toEqual({ http: 403, status: 403, message: `invalid rpcMsg.PayloadType: ${type}` });
  });

  it.each(ofKind('unhandled'))('%s (defined, unhandled) → 403 invalid payloadtype, as Go', async (type) => {
    expect(await refusal(type)).toEqual({ http: 403, status: 403, message: `invalid rpcMsg.PayloadType: ${type}` });
  });

  it('the three kinds each have three members', () => {
    expect(ofKind('websocket')).toEqual(['subscribeprocessmsg', 'subscribeprocessesmsg', 'subscribechannelmsg']);
    expect(ofKind('unhandled')).toEqual(['getnodemsg', 'getnodesmsg', 'getnodesbylocationmsg']);
  });
});
