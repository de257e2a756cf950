// Go encoding/json rules on decoding (PROTOCOL.md §3.2).
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodePayload } from '../../src/protocol/envelope.js';
import { ColoniesError } from '../../src/protocol/errors.js';
import { parseJson } from '../../src/protocol/json.js';
import { catalogue, payloadTypes, type PayloadType } from '../../src/protocol/messages.js';
import { FunctionSpecSchema, MsgEntrySchema, ProcessSchema } from '../../src/protocol/objects.js';
import { stringifyWire, utf8ToBase64 } from '../../src/protocol/wire.js';

const b64 = (text: string) => utf8ToBase64(text);

/** Go zero value: "", 0, false, nil, or a struct of zero values. */
function isZero(v: unknown): boolean {
  if (v === '' || v === 0 || v === 0n || v === false || v === null || v === undefined) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'object' && !Array.isArray(v)) return Object.values(v as object).every(isZero);
  return false;
}

function decodeError(t: PayloadType, json: string): ColoniesError {
  try {
    decodeMessage(t, b64(json));
  } catch (e) {
    expect(e).toBeInstanceOf(ColoniesError);
    return e as ColoniesError;
  }
  throw new Error(`expected ${t} ${json} to fail`);
}

describe('zero values', () => {
  it.each([...payloadTypes])('%s: {"msgtype"} alone decodes with every field at its zero value', (t) => {
    const msg = decodeMessage(t, b64(JSON.stringify({ msgtype: t }))) as Record<string, unknown>;
    expect(msg.msgtype).toBe(t);
    for (const [k, v] of Object.entries(msg)) {
      if (k === 'msgtype') continue;
      expect(isZero(v), `${t}.${k} = ${String(v)}`).toBe(true);
    }
  });

  it('{} decodes to zeros (then fails the msgtype check)', () => {
    const e = decodeError('getprocessesmsg', '{}');
    expect(e.status).toBe(400);
    expect(e.message).toBe('Failed to get processes, msg.MsgType does not match payloadType');
  });

  it('getprocessesmsg: missing state/count are 0', () => {
    const m = decodeMessage('getprocessesmsg', b64('{"msgtype":"getprocessesmsg","colonyname":"dev"}'));
    expect(m).toEqual({ colonyname: 'dev', count: 0, state: 0, executortype: '', label: '', initiator: '', msgtype: 'getprocessesmsg' });
  });

  it('null fields are zero values', () => {
    const m = decodeMessage('assignprocessmsg', b64('{"msgtype":"assignprocessmsg","colonyname":null,"timeout":null,"availablecpu":null}'));
    expect(m).toEqual({ colonyname: '', timeout: 0, availablecpu: '', availablemem: '', msgtype: 'assignprocessmsg' });
  });

  it('pointer objects stay null, value structs become zero structs', () => {
    expect(decodeMessage('addcolonymsg', b64('{"msgtype":"addcolonymsg","colony":null}')).colony).toBeNull();
    expect(decodeMessage('addcolonymsg', b64('{"msgtype":"addcolonymsg"}')).colony).toBeNull();
    const u = decodeMessage('updateexecutormsg', b64('{"msgtype":"updateexecutormsg","capabilities":null}'));
    expect(u.capabilities).toEqual({ hardware: null, software: null });
  });

  it('FunctionSpec: {} gives Go zero value shape, null vs [] preserved', () => {
    const zero = FunctionSpecSchema.parse({});
    expect(zero.args).toBeNull();
    expect(zero.kwargs).toBeNull();
    expect(zero.conditions.executornames).toBeNull();
    expect(zero.conditions.gpu).toEqual({ name: '', mem: '', count: 0, nodecount: 0 });
    expect(zero.channels).toBeUndefined();
    const withEmpty = FunctionSpecSchema.parse({ args: [], kwargs: {}, conditions: { executornames: [] } });
    expect(withEmpty.args).toEqual([]);
    expect(withEmpty.kwargs).toEqual({});
    expect(withEmpty.conditions.executornames).toEqual([]);
  });

  it('unknown fields are ignored', () => {
    const m = decodeMessage('getcolonymsg', b64('{"msgtype":"getcolonymsg","colonyname":"dev","bogus":[1,2,3]}'));
    expect(m).toEqual({ colonyname: 'dev', msgtype: 'getcolonymsg' });
  });
});

describe('case-insensitive keys', () => {
  it('top level and nested', () => {
    const m = decodeMessage(
      'submitfuncspecmsg',
      b64('{"MSGTYPE":"submitfuncspecmsg","Spec":{"FuncName":"x","Conditions":{"ColonyName":"dev","ExecutorType":"cli"},"KWARGS":{"Keep":"Case"}}}'),
    );
    expect(m.msgtype).toBe('submitfuncspecmsg');
    expect(m.spec?.funcname).toBe('x');
    expect(m.spec?.conditions.colonyname).toBe('dev');
    expect(m.spec?.conditions.executortype).toBe('cli');
    // map keys are data, not field names
    expect(m.spec?.kwargs).toEqual({ Keep: 'Case' });
  });

  it('{"MSGTYPE":..., "ColonyName":...}', () => {
    const m = decodeMessage('getcolonymsg', b64('{"MSGTYPE":"getcolonymsg","ColonyName":"dev"}'));
    expect(m).toEqual({ colonyname: 'dev', msgtype: 'getcolonymsg' });
  });

  it('an exact key wins over a case variant', () => {
    const m = decodeMessage('getcolonymsg', b64('{"msgtype":"getcolonymsg","COLONYNAME":"a","colonyname":"b"}'));
    expect(m.colonyname).toBe('b');
  });

  it('camelCase blueprint metadata keys', () => {
    const m = decodeMessage('addblueprintmsg', b64('{"msgtype":"addblueprintmsg","blueprint":{"kind":"K","metadata":{"name":"w","CREATEDAT":"2025-01-02T03:04:05Z"}}}'));
    expect(m.blueprint?.metadata.createdAt).toBe('2025-01-02T03:04:05Z');
  });
});

describe('integer fields', () => {
  it.each(['1.5', '"1"', 'true', '[1]', '{}', '1e400'])('int rejects %s with 400 invalid JSON', (bad) => {
    const e = decodeError('assignprocessmsg', `{"msgtype":"assignprocessmsg","colonyname":"dev","timeout":${bad}}`);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Failed to assign process, invalid JSON/);
  });

  it.each(['1.5', '"1"'])('int64 rejects %s', (bad) => {
    const e = decodeError('getlogsmsg', `{"msgtype":"getlogsmsg","since":${bad}}`);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Failed to get logs, invalid JSON/);
  });

  it('string fields reject numbers', () => {
    const e = decodeError('addcolonymsg', '{"msgtype":"addcolonymsg","colony":{"name":5}}');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Failed to add colony, invalid JSON: colony\.name: /);
  });

  it('negative ints are fine', () => {
    expect(decodeMessage('assignprocessmsg', b64('{"msgtype":"assignprocessmsg","timeout":-1}')).timeout).toBe(-1);
  });

  it('int64 stays exact: prioritytime 1795611181743249700 survives parse → stringify', () => {
    const text = '{"processid":"p","prioritytime":1795611181743249700}';
    const p = ProcessSchema.parse(parseJson(text));
    expect(p.prioritytime).toBe(1795611181743249700n);
    expect(stringifyWire(p)).toContain('"prioritytime":1795611181743249700,');
    const m = decodeMessage('getlogsmsg', b64('{"msgtype":"getlogsmsg","since":1735787045123456789}'));
    expect(m.since).toBe(1735787045123456789n);
    expect(encodePayload(m)).toBe(b64('{"colonyname":"","processid":"","executorname":"","count":0,"since":1735787045123456789,"latest":false,"msgtype":"getlogsmsg"}'));
  });

  it('small int64 values are BigInt too', () => {
    expect(decodeMessage('channelreadmsg', b64('{"msgtype":"channelreadmsg","afterseq":5}')).afterseq).toBe(5n);
  });
});

describe('[]byte fields', () => {
  const hi = new TextEncoder().encode('hi');
  it('accept a base64 string', () => {
    const m = decodeMessage('channelappendmsg', b64('{"msgtype":"channelappendmsg","payload":"aGk="}'));
    expect(m.payload).toEqual(hi);
  });
  it('accept an array of numbers', () => {
    const m = decodeMessage('channelappendmsg', b64('{"msgtype":"channelappendmsg","payload":[104,105]}'));
    expect(m.payload).toEqual(hi);
  });
  it('reject bytes out of range and non-base64 strings', () => {
    expect(decodeError('channelappendmsg', '{"msgtype":"channelappendmsg","payload":[256]}').status).toBe(400);
    expect(decodeError('channelappendmsg', '{"msgtype":"channelappendmsg","payload":"not base64!"}').status).toBe(400);
  });
  it('are written as base64', () => {
    const m = decodeMessage('channelappendmsg', b64('{"msgtype":"channelappendmsg","payload":[104,105]}'));
    expect(stringifyWire(m)).toContain('"payload":"aGk="');
    const e = MsgEntrySchema.parse({ sequence: 1, payload: [104, 105] });
    expect(stringifyWire(e)).toBe('{"sequence":1,"timestamp":"","senderid":"","payload":"aGk="}');
  });
  it('omitempty channel fields are left out when zero', () => {
    const m = decodeMessage('channelappendmsg', b64('{"msgtype":"channelappendmsg","inreplyto":0,"payloadtype":""}'));
    expect(m.inreplyto).toBeUndefined();
    expect(m.payloadtype).toBeUndefined();
    expect(stringifyWire(m)).toBe('{"processid":"","name":"","sequence":0,"payload":"","msgtype":"channelappendmsg"}');
  });
});

describe('payloads that are not a JSON object', () => {
  it.each(['null', '[]', '"x"', '42', 'true', '', '{', '{"msgtype":'])('%j → 400 invalid JSON', (json) => {
    const e = decodeError('getcolonymsg', json);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Failed to get colony, invalid JSON/);
  });

  it('invalid base64 is treated as an empty payload', () => {
    try {
      decodeMessage('getcoloniesmsg', '!!!not-base64');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ColoniesError);
      expect((e as ColoniesError).status).toBe(400);
      expect((e as ColoniesError).message).toBe('Failed to get colonies, invalid JSON');
    }
  });

  it('every action phrase appears in the error', () => {
    for (const t of payloadTypes) {
      const e = decodeError(t, 'null');
      expect(e.message.startsWith(`Failed to ${catalogue[t].action}, invalid JSON`)).toBe(true);
    }
  });
});
