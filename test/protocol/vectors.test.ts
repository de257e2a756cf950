// Golden data produced by the original Go code (test/vectors, copied from shared/protocol/vectors).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildRequest,
  decodeMessage,
  decodeReply,
  errorEnvelope,
  parseRequestEnvelope,
  replyEnvelope,
} from '../../src/protocol/envelope.js';
import { ColoniesError } from '../../src/protocol/errors.js';
import { parseJson } from '../../src/protocol/json.js';
import { isPayloadType, type PayloadType } from '../../src/protocol/messages.js';
import * as O from '../../src/protocol/objects.js';
import { stringifyWire } from '../../src/protocol/wire.js';

const vector = (name: string) => parseJson(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as any;
const crypto = vector('crypto.json');
const shapes = vector('json-shapes.json') as Record<string, unknown>;

interface Envelope {
  comment: string;
  transport: string;
  signer_prvkey: string;
  payloadtype: string;
  payload_json: string;
  payload_decoded: Record<string, unknown>;
  signed_string: string;
  signature: string;
  rpcmsg_json: string;
}

const envelopes = crypto.envelopes as Envelope[];

describe('crypto.json envelopes', () => {
  it('covers the expected types', () => {
    expect(envelopes.length).toBeGreaterThanOrEqual(11);
  });

  describe.each(envelopes.map((e) => [e.payloadtype, e] as const))('%s', (t, env) => {
    it('parseRequestEnvelope gives the three fields', () => {
      expect(parseRequestEnvelope(env.rpcmsg_json)).toEqual({
        payloadtype: env.payloadtype,
        payload: env.signed_string,
        signature: env.signature,
      });
    });

    it('decodeMessage gives payload_decoded', () => {
      expect(isPayloadType(t)).toBe(true);
      const msg = decodeMessage(t as PayloadType, env.signed_string);
      // compare on the JSON level (int64 fields are BigInt after decoding)
      expect(parseJson(stringifyWire(msg))).toEqual(env.payload_decoded);
      // and Go's own serialisation comes back byte for byte
      expect(stringifyWire(msg)).toBe(env.payload_json);
    });

    it('buildRequest writes the same body as the Go client', () => {
      const fake = {
        sign(message: string, prv: string) {
          expect(message).toBe(env.signed_string);
          expect(prv).toBe(env.signer_prvkey);
          return env.signature;
        },
      };
      // payload_decoded has sorted keys; payload_json keeps Go's order of the nested objects
      const msg = parseJson(env.payload_json) as Record<string, unknown>;
      delete msg.msgtype;
      expect(buildRequest(t as PayloadType, msg as any, env.signer_prvkey, fake)).toBe(env.rpcmsg_json);
    });
  });
});

describe('crypto.json replies', () => {
  const replies = crypto.replies as { comment: string; reply_json: string; payload_decoded: any }[];

  it.each(replies.map((r) => [r.comment, r] as const))('%s', (_c, r) => {
    const outer = JSON.parse(r.reply_json);
    expect(Object.keys(outer)).toEqual(['payloadtype', 'payload', 'error']);
    if (outer.error) {
      const { status, message } = r.payload_decoded;
      expect(errorEnvelope(status, message)).toBe(r.reply_json);
      try {
        decodeReply(r.reply_json);
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(ColoniesError);
        expect((e as ColoniesError).status).toBe(status);
        expect((e as ColoniesError).message).toBe(message);
      }
    } else {
      // Go writes struct fields in order; reuse the decoded payload's order via the reply's own JSON
      const payloadJson = Buffer.from(outer.payload, 'base64').toString('utf8');
      expect(replyEnvelope(outer.payloadtype, JSON.parse(payloadJson))).toBe(r.reply_json);
      expect(decodeReply(r.reply_json)).toEqual({ payloadtype: outer.payloadtype, payload: r.payload_decoded });
    }
  });

  it('an addcolonymsg reply built from the Colony schema is byte-identical', () => {
    const r = replies.find((x) => x.comment.includes('addcolonymsg'))!;
    const colony = O.ColonySchema.parse({ name: 'dev', colonyid: r.payload_decoded.colonyid });
    expect(replyEnvelope('addcolonymsg', colony)).toBe(r.reply_json);
  });
});

// json-shapes.json key → schema
const shapeSchemas: Record<string, { parse(v: unknown): unknown }> = {
  Attribute: O.AttributeSchema,
  Blueprint: O.BlueprintSchema,
  BlueprintDefinition: O.BlueprintDefinitionSchema,
  BlueprintHistory: O.BlueprintHistorySchema,
  ChannelMsgEntry: O.MsgEntrySchema,
  ClusterConfig: O.ClusterSchema,
  Colony: O.ColonySchema,
  Cron: O.CronSchema,
  Executor_full: O.ExecutorSchema,
  Executor_minimal: O.ExecutorSchema,
  Failure: O.FailureSchema,
  File: O.FileSchema,
  FileData: O.FileDataSchema,
  Function: O.FunctionSchema,
  FunctionSpec_CreateEmptyFunctionSpec: O.FunctionSpecSchema,
  FunctionSpec_with_optionals: O.FunctionSpecSchema,
  FunctionSpec_zero_value: O.FunctionSpecSchema,
  Function_with_args: O.FunctionSchema,
  Generator: O.GeneratorSchema,
  Label: O.LabelSchema,
  Location: O.LocationSchema,
  Log: O.LogSchema,
  PauseStatusReplyMsg: O.PauseStatusReplySchema,
  ProcessGraph_fresh: O.ProcessGraphSchema,
  Process_fresh_CreateProcess: O.ProcessSchema,
  ServerInfo: O.ServerInfoSchema,
  Snapshot: O.SnapshotSchema,
  Statistics: O.StatisticsSchema,
  User: O.UserSchema,
  VersionMsg_reply: O.VersionReplySchema,
  WorkflowSpec: O.WorkflowSpecSchema,
};

describe('json-shapes.json', () => {
  it('every object shape has a schema', () => {
    const objectShapes = Object.keys(shapes).filter((k) => typeof shapes[k] === 'object');
    expect(objectShapes.sort()).toEqual(Object.keys(shapeSchemas).sort());
  });

  it.each(Object.keys(shapeSchemas))('%s: parse → stringify reproduces Go JSON exactly', (name) => {
    const go = shapes[name];
    const parsed = shapeSchemas[name].parse(go);
    const ours = stringifyWire(parsed);
    expect(parseJson(ours)).toEqual(go);
    // exact bytes, incl. key order, omitted omitempty fields and Go's \u003c escaping
    expect(ours).toBe(stringifyWire(go));
  });

  it('zero values of every object schema have Go key order', () => {
    // a Process parsed from {} has all keys in the order of Process_fresh_CreateProcess
    const p = O.ProcessSchema.parse({});
    expect(Object.keys(p)).toEqual(Object.keys(shapes.Process_fresh_CreateProcess as object));
    const e = O.ExecutorSchema.parse({});
    expect(Object.keys(JSON.parse(stringifyWire(e)))).toEqual(Object.keys(shapes.Executor_minimal as object));
  });
});

describe('observed-go-server.json requests', () => {
  const observed = vector('observed-go-server.json');
  const requests = (['probe1', 'probe2', 'probe3'] as const)
    .flatMap((p) => observed[p] as any[])
    .filter((e) => e.request && isPayloadType(e.request.msgtype));

  it('every request a real client sent decodes', () => {
    expect(requests.length).toBeGreaterThan(50);
    for (const e of requests) {
      const t = e.request.msgtype as PayloadType;
      const payload = Buffer.from(stringifyWire(e.request)).toString('base64');
      let msg: unknown;
      try {
        msg = decodeMessage(t, payload);
      } catch (err) {
        // Go answered "invalid JSON" for this one, so must we
        expect(e.decoded?.message, e.note).toMatch(/invalid JSON/);
        expect((err as ColoniesError).status).toBe(400);
        continue;
      }
      expect(e.decoded?.message ?? '', e.note).not.toMatch(/invalid JSON/);
      expect((msg as { msgtype: string }).msgtype).toBe(t);
    }
  });
});
