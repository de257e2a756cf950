// Each bad input gets its own status and message (PROTOCOL.md §3.1, §4).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserCrypto } from '../../src/crypto/index.js';
import {
  BAD_REPLY_STATUS,
  EMPTY_PAYLOAD_TYPE_MESSAGE,
  buildRequest,
  checkPayloadType,
  decodeMessage,
  decodeReply,
  errorEnvelope,
  errorReply,
  parseRequestEnvelope,
  replyEnvelope,
} from '../../src/protocol/envelope.js';
import { ColoniesError } from '../../src/protocol/errors.js';
import { utf8ToBase64 } from '../../src/protocol/wire.js';

function thrown(fn: () => unknown): ColoniesError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ColoniesError);
    return e as ColoniesError;
  }
  throw new Error('expected an error');
}

describe('malformed envelope → 400 with the parser text', () => {
  it.each(['nonsense', '', '{"payloadtype":', 'nul'])('%j', (body) => {
    const e = thrown(() => parseRequestEnvelope(body));
    expect(e.status).toBe(400);
    expect(e.message.length).toBeGreaterThan(0);
  });

  it.each([
    ['null', 'null'],
    ['[]', 'array'],
    ['"x"', 'string'],
    ['7', 'number'],
  ])('non-object %s', (body, kind) => {
    const e = thrown(() => parseRequestEnvelope(body));
    expect(e.status).toBe(400);
    expect(e.message).toContain(kind);
  });

  it('non-string field', () => {
    const e = thrown(() => parseRequestEnvelope('{"payloadtype":"getcoloniesmsg","payload":42,"signature":""}'));
    expect(e).toMatchObject({ status: 400, message: 'json: cannot unmarshal number into Go struct field RPCMsg.payload of type string' });
  });

  it('missing fields are "" and keys are case-insensitive', () => {
    expect(parseRequestEnvelope('{}')).toEqual({ payloadtype: '', payload: '', signature: '' });
    expect(parseRequestEnvelope('{"PayloadType":"versionmsg","PAYLOAD":"e30=","Signature":null,"extra":1}')).toEqual({
      payloadtype: 'versionmsg',
      payload: 'e30=',
      signature: '',
    });
  });
});

describe('payloadtype checks → 403', () => {
  it('unknown', () => {
    expect(thrown(() => checkPayloadType('nosuchmsg'))).toMatchObject({ status: 403, message: 'invalid rpcMsg.PayloadType: nosuchmsg' });
    expect(thrown(() => decodeMessage('nosuchmsg' as any, 'e30='))).toMatchObject({ status: 403, message: 'invalid rpcMsg.PayloadType: nosuchmsg' });
  });

  it('empty gives the long message', () => {
    const e = thrown(() => checkPayloadType(''));
    expect(e.status).toBe(403);
    expect(e.message).toBe(EMPTY_PAYLOAD_TYPE_MESSAGE);
    expect(e.message).toBe(
      'invalid rpcMsg.PayloadType: empty (this usually means the client is misconfigured - check that COLONIES_PRVKEY and other environment variables are set correctly)',
    );
    expect(thrown(() => decodeMessage('' as any, 'e30=')).message).toBe(EMPTY_PAYLOAD_TYPE_MESSAGE);
  });

  it('unhandled getnode* types are unknown to the server, as in Go', () => {
    for (const t of ['getnodemsg', 'getnodesmsg', 'getnodesbylocationmsg']) {
      expect(thrown(() => checkPayloadType(t))).toMatchObject({ status: 403, message: `invalid rpcMsg.PayloadType: ${t}` });
      expect(thrown(() => checkPayloadType(t, 'websocket')).status).toBe(403);
    }
  });

  it('transport decides which types are served', () => {
    expect(checkPayloadType('getcoloniesmsg')).toBe('getcoloniesmsg');
    expect(checkPayloadType('versionmsg')).toBe('versionmsg');
    expect(checkPayloadType('subscribeprocessmsg', 'websocket')).toBe('subscribeprocessmsg');
    expect(thrown(() => checkPayloadType('subscribeprocessmsg', 'http')).status).toBe(403);
    expect(thrown(() => checkPayloadType('getcoloniesmsg', 'websocket')).status).toBe(403);
  });

  it('inherited object properties are not payloadtypes', () => {
    expect(thrown(() => checkPayloadType('toString')).status).toBe(403);
    expect(thrown(() => checkPayloadType('__proto__')).status).toBe(403);
  });
});

describe('message errors → 400', () => {
  it('msgtype mismatch', () => {
    const e = thrown(() => decodeMessage('getcolonymsg', utf8ToBase64('{"msgtype":"getcoloniesmsg","colonyname":"dev"}')));
    expect(e).toMatchObject({ status: 400, message: 'Failed to get colony, msg.MsgType does not match payloadType' });
  });

  it('bad JSON', () => {
    const e = thrown(() => decodeMessage('getcoloniesmsg', utf8ToBase64('{not json')));
    expect(e).toMatchObject({ status: 400, message: 'Failed to get colonies, invalid JSON' });
  });

  it('wrong field type names the field', () => {
    const e = thrown(() => decodeMessage('submitfuncspecmsg', utf8ToBase64('{"msgtype":"submitfuncspecmsg","spec":{"conditions":{"executornames":["a",7]}}}')));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Failed to submit function spec, invalid JSON: spec\.conditions\.executornames\[1\]: /);
  });

  it('literal null payload', () => {
    const e = thrown(() => decodeMessage('addcolonymsg', utf8ToBase64('null')));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Failed to add colony, invalid JSON/);
  });

  it('payload that is not base64', () => {
    const e = thrown(() => decodeMessage('addcolonymsg', 'eyJ'));
    expect(e).toMatchObject({ status: 400, message: 'Failed to add colony, invalid JSON' });
  });
});

describe('replies', () => {
  it('empty success reply', () => {
    expect(replyEnvelope('approveexecutormsg', {})).toBe('{"payloadtype":"approveexecutormsg","payload":"e30=","error":false}');
  });

  it('Go escapes <, > and & in error messages', () => {
    const body = errorEnvelope(400, 'A Colony with name <dev> already exists');
    const payload = Buffer.from(JSON.parse(body).payload, 'base64').toString();
    expect(payload).toBe('{"status":400,"message":"A Colony with name \\u003cdev\\u003e already exists"}');
    expect(thrown(() => decodeReply(body))).toMatchObject({ status: 400, message: 'A Colony with name <dev> already exists' });
  });

  it('errorReply maps non-ColoniesErrors to 500', () => {
    expect(errorReply(new ColoniesError(404, 'nope')).status).toBe(404);
    const r = errorReply(new Error('boom'));
    expect(r.status).toBe(500);
    expect(() => decodeReply(r.body)).toThrow('boom');
  });

  it.each(['', 'not json', '{}', '[]', '{"payloadtype":"x","payload":"!!","error":false}', '{"payloadtype":"x","payload":"bm90IGpzb24=","error":false}'])(
    'garbage reply %j',
    (body) => {
      const e = thrown(() => decodeReply(body));
      expect(e.status).toBe(BAD_REPLY_STATUS);
      expect(e.message).toBe(`Expected a valid Colonies RPC message, but got this: ${body}`);
    },
  );

  it('int64 in replies survive decodeReply', () => {
    const body = replyEnvelope('getlogsmsg', [{ timestamp: 1735787045123456789n }]);
    expect(decodeReply(body).payload).toEqual([{ timestamp: 1735787045123456789n }]);
  });

  it('a null list reply', () => {
    expect(decodeReply(replyEnvelope('getcoloniesmsg', null))).toEqual({ payloadtype: 'getcoloniesmsg', payload: null });
  });
});

describe('buildRequest with real crypto', () => {
  const prv = 'fcc79953d8a751bf41db661592dc34d30004b1a651ffa0725b03ac227641499d';
  const id = '039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103';

  it('signs the base64 payload; the server recovers the signer', () => {
    const body = buildRequest('getcoloniesmsg', {}, prv, browserCrypto);
    const env = parseRequestEnvelope(body);
    expect(env.payloadtype).toBe('getcoloniesmsg');
    expect(env.payload).toBe('eyJtc2d0eXBlIjoiZ2V0Y29sb25pZXNtc2cifQ==');
    expect(browserCrypto.recoverId(env.payload, env.signature)).toBe(id);
    expect(decodeMessage('getcoloniesmsg', env.payload)).toEqual({ msgtype: 'getcoloniesmsg' });
  });

  it('unauthenticated types carry an empty signature', () => {
    const body = buildRequest('versionmsg', { buildversion: '', buildtime: '' }, prv, browserCrypto);
    expect(body).toBe('{"signature":"","payloadtype":"versionmsg","payload":"eyJidWlsZHZlcnNpb24iOiIiLCJidWlsZHRpbWUiOiIiLCJtc2d0eXBlIjoidmVyc2lvbm1zZyJ9"}');
  });

  it('msgtype is forced to the payloadtype and placed where Go puts it', () => {
    const body = buildRequest('closesuccessfulmsg', { out: [1], processid: 'p', msgtype: 'wrong' } as any, prv, browserCrypto);
    const payload = Buffer.from(parseRequestEnvelope(body).payload, 'base64').toString();
    expect(payload).toBe('{"processid":"p","msgtype":"closesuccessfulmsg","out":[1]}');
  });

  it('payloadtypes outside the catalogue are still signed and sent (to test the server)', () => {
    for (const t of ['nosuchmsg', '']) {
      const env = parseRequestEnvelope(buildRequest(t as any, { colonyname: 'dev', msgtype: 'x' } as any, prv, browserCrypto));
      expect(env.payloadtype).toBe(t);
      expect(Buffer.from(env.payload, 'base64').toString()).toBe(`{"colonyname":"dev","msgtype":${JSON.stringify(t)}}`);
      expect(browserCrypto.recoverId(env.payload, env.signature)).toBe(id);
      expect(thrown(() => checkPayloadType(env.payloadtype)).status).toBe(403);
    }
  });

  it('channel payload bytes and int64 go out as Go would write them', () => {
    const body = buildRequest('channelappendmsg', { processid: 'p', name: 'c', sequence: 2n ** 60n, payload: new Uint8Array([104, 105]) }, prv, browserCrypto);
    const payload = Buffer.from(parseRequestEnvelope(body).payload, 'base64').toString();
    expect(payload).toBe('{"processid":"p","name":"c","sequence":1152921504606846976,"payload":"aGk=","msgtype":"channelappendmsg"}');
  });
});

describe('base64 like Go StdEncoding (Node code path)', () => {
  it.each([
    ['aGk=', 'hi'],
    ['aGl=', 'hi'], // non-zero trailing bits: Go (non-strict) accepts
    ['aG\r\nk=', 'hi'], // CR/LF are skipped
    ['', ''],
    ['aGk', null], // padding required
    ['aGk=aGk=', null],
    ['aG-k', null], // URL alphabet is not StdEncoding
    ['aGk=\u0000', null],
    ['not base64!', null],
  ])('%j → %j', async (input, out) => {
    const wire = await import('../../src/protocol/wire.js');
    expect(wire.base64ToUtf8(input)).toBe(out);
    expect(wire.base64ToBytes(input) === null).toBe(out === null);
  });
});

describe('browser code path (no Buffer)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('base64 helpers and envelopes work with atob/btoa only', async () => {
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    const wire = await import('../../src/protocol/wire.js');
    const text = 'héllo wörld ✓ <&> 𝄞';
    const b64 = wire.utf8ToBase64(text);
    expect(b64).toBe(globalThis.btoa(String.fromCharCode(...new TextEncoder().encode(text))));
    expect(wire.base64ToUtf8(b64)).toBe(text);
    expect(wire.base64ToUtf8('not base64!')).toBeNull();
    expect(wire.base64ToUtf8('aGk')).toBeNull(); // Go StdEncoding requires padding
    expect(wire.base64ToUtf8('aG\nk=')).toBe('hi'); // and skips newlines
    const big = new Uint8Array(100_000).map((_, i) => i & 255);
    expect(wire.base64ToBytes(wire.bytesToBase64(big))).toEqual(big);
    expect(wire.stringifyWire({ b: new Uint8Array([104, 105]), n: 2n ** 63n - 1n })).toBe('{"b":"aGk=","n":9223372036854775807}');
    const env = await import('../../src/protocol/envelope.js');
    expect(env.decodeReply(env.replyEnvelope('x', { s: text }))).toEqual({ payloadtype: 'x', payload: { s: text } });
  });
});
