// Request and reply envelopes (PROTOCOL.md §3, §4).
//
// Server side: parseRequestEnvelope → (signature check elsewhere) → checkPayloadType →
// decodeMessage; replies with replyEnvelope / errorEnvelope.
// Client side (browser-safe, no Buffer needed): buildRequest, encodePayload, decodeReply.
import type { CryptoProvider } from '../crypto/index.js';
import { ColoniesError } from './errors.js';
import type { z } from './fields.js';
import { parseJson } from './json.js';
import { catalogue, isPayloadType, type Msg, type MsgKind, type PayloadType } from './messages.js';
import { base64ToUtf8, stringifyWire, utf8ToBase64 } from './wire.js';

export interface RequestEnvelope {
  payloadtype: string;
  payload: string;
  signature: string;
}

export const EMPTY_PAYLOAD_TYPE_MESSAGE =
  'invalid rpcMsg.PayloadType: empty (this usually means the client is misconfigured - check that COLONIES_PRVKEY and other environment variables are set correctly)';

/** The 403 error Go gives for an unknown (or unhandled) payloadtype. */
export function invalidPayloadType(payloadtype: string): ColoniesError {
  return new ColoniesError(403, payloadtype === '' ? EMPTY_PAYLOAD_TYPE_MESSAGE : `invalid rpcMsg.PayloadType: ${payloadtype}`);
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'bigint') return 'number';
  return typeof v; // string, number, boolean
}

/** Value of `key` in `obj`, with Go's case-insensitive fallback when there is no exact key. */
function field(obj: Record<string, unknown>, key: string): unknown {
  const v = obj[key];
  if (v !== undefined || Object.prototype.hasOwnProperty.call(obj, key)) return v;
  for (const k in obj) {
    if (k.length === key.length && k.toLowerCase() === key) return obj[k];
  }
  return undefined;
}

function envelopeString(obj: Record<string, unknown>, key: string): string {
  const v = field(obj, key);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  throw new ColoniesError(400, `json: cannot unmarshal ${jsonKind(v)} into Go struct field RPCMsg.${key} of type string`);
}

/**
 * Parses a request body `{"signature","payloadtype","payload"}` (keys case-insensitive, missing = "").
 * Not JSON / not an object / a non-string field → 400 with the parser's error text.
 */
export function parseRequestEnvelope(body: string): RequestEnvelope {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (e) {
    throw new ColoniesError(400, (e as Error).message);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ColoniesError(400, `json: cannot unmarshal ${jsonKind(v)} into Go value of type rpc.RPCMsg`);
  }
  const obj = v as Record<string, unknown>;
  return {
    payloadtype: envelopeString(obj, 'payloadtype'),
    payload: envelopeString(obj, 'payload'),
    signature: envelopeString(obj, 'signature'),
  };
}

/**
 * PROTOCOL.md §3.1 step 5: the payloadtype must be in the catalogue and be served over this
 * transport (`http`: api + unauthenticated types; `websocket`: the subscribe types). Otherwise
 * 403 "invalid rpcMsg.PayloadType: <t>" (the long message for an empty type). Unhandled types
 * (getnode*) are always rejected, as Go does.
 */
export function checkPayloadType(payloadtype: string, transport: 'http' | 'websocket' = 'http'): PayloadType {
  if (!isPayloadType(payloadtype)) throw invalidPayloadType(payloadtype);
  const kind: MsgKind = catalogue[payloadtype].kind;
  const ok = transport === 'http' ? kind === 'api' || kind === 'unauthenticated' : kind === 'websocket';
  if (!ok) throw invalidPayloadType(payloadtype);
  return payloadtype;
}

function describeIssue(issue: { path: PropertyKey[]; message: string }): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** A JSON escape of U+0000: `\u0000` preceded by an even number of backslashes (an odd run would escape the backslash itself). */
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * PROTOCOL.md §3.1 steps 6–7: base64-decode the payload (invalid base64 counts as ""),
 * JSON-decode it with Go's rules and check `msgtype`.
 * Errors: unknown type → 403; bad JSON / not an object / wrong field type →
 * 400 "Failed to <action>, invalid JSON[: detail]"; msgtype ≠ payloadtype →
 * 400 "Failed to <action>, msg.MsgType does not match payloadType".
 */
export function decodeMessage<T extends PayloadType>(payloadtype: T, payloadB64: string): Msg<T> {
  if (!isPayloadType(payloadtype)) throw invalidPayloadType(payloadtype);
  const entry = catalogue[payloadtype];
  const invalid = (detail?: string) =>
    new ColoniesError(400, `Failed to ${entry.action}, invalid JSON${detail ? `: ${detail}` : ''}`);
  const text = base64ToUtf8(payloadB64) ?? '';
  let json: unknown;
  try {
    json = parseJson(text);
  } catch {
    throw invalid();
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalid(`expected a JSON object, got ${jsonKind(json)}`);
  }
  // PostgreSQL text and jsonb cannot hold U+0000: refuse it here, with a clear 400, rather
  // than let the database fail the write with a 500.
  if (text.includes('\\u0000') && NUL_ESCAPE.test(text)) throw invalid('a string contains the NUL character (\\u0000), which cannot be stored');
  const r = (entry.schema as z.ZodTypeAny).safeParse(json);
  if (!r.success) throw invalid(describeIssue(r.error.issues[0]));
  const msg = r.data as Msg<T>;
  if ((msg as { msgtype: string }).msgtype !== payloadtype) {
    throw new ColoniesError(400, `Failed to ${entry.action}, msg.MsgType does not match payloadType`);
  }
  return msg;
}

/** base64(JSON) of a message or reply value (Go-compatible JSON, see stringifyWire). */
export function encodePayload(msg: unknown): string {
  return utf8ToBase64(stringifyWire(msg));
}

/**
 * Any subset of a decoded value, recursively, as a client may send it: fields may be missing or
 * null (Go zero values), int64 may be a number, []byte may be a number array or base64 string,
 * free-form JSON is `unknown`.
 */
export type DeepInput<T> = unknown extends T
  ? unknown
  : T extends bigint
    ? bigint | number
    : T extends Uint8Array
      ? Uint8Array | number[] | string
      : T extends string | number | boolean | null | undefined
        ? T
        : T extends readonly (infer U)[]
          ? DeepInput<U>[]
          : NonNullable<unknown> extends T // free-form JSON ({} | null from anyValue())
            ? unknown
            : T extends object
              ? { [K in keyof T]?: DeepInput<T[K]> | null }
              : T;

/** What a client passes to buildRequest: any subset of the message fields (msgtype is set for you). */
export type MsgInput<T extends PayloadType> = {
  [K in Exclude<keyof Msg<T>, 'msgtype'>]?: DeepInput<Msg<T>[K]> | null;
} & { msgtype?: string };

const MSGTYPE_ONLY: readonly string[] = ['msgtype'];

/**
 * The message with `msgtype` = payloadtype and top-level keys in Go's order (other keys kept,
 * after them). For a payloadtype outside the catalogue, msgtype goes last.
 */
export function orderMessage(payloadtype: string, msg: object): Record<string, unknown> {
  const src = msg as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = isPayloadType(payloadtype) ? catalogue[payloadtype].keys : MSGTYPE_ONLY;
  for (const k of keys) {
    if (k === 'msgtype') out.msgtype = payloadtype;
    else if (src[k] !== undefined) out[k] = src[k];
  }
  for (const k in src) {
    if (!Object.prototype.hasOwnProperty.call(out, k) && k.toLowerCase() !== 'msgtype' && src[k] !== undefined) out[k] = src[k];
  }
  if (keys === MSGTYPE_ONLY) {
    delete out.msgtype;
    out.msgtype = payloadtype;
  }
  return out;
}

/**
 * The full request body `{"signature","payloadtype","payload"}` as the Go client writes it.
 * `msgtype` is set to `payloadtype`; unauthenticated types (versionmsg, getserverinfomsg)
 * carry an empty signature, all others are signed with `prvKey`. The message is not validated
 * (tests may send odd values on purpose); a payloadtype outside the catalogue is signed and sent
 * as is, so the server's 403 can be exercised.
 */
export function buildRequest<T extends PayloadType>(
  payloadtype: T,
  msg: MsgInput<T>,
  prvKey: string,
  crypto: Pick<CryptoProvider, 'sign'>,
): string {
  const payload = encodePayload(orderMessage(payloadtype, msg));
  const unsigned = isPayloadType(payloadtype) && catalogue[payloadtype].kind === 'unauthenticated';
  const signature = unsigned ? '' : crypto.sign(payload, prvKey);
  return `{"signature":${JSON.stringify(signature)},"payloadtype":${JSON.stringify(payloadtype)},"payload":"${payload}"}`;
}

/** A success reply `{"payloadtype","payload":base64(JSON),"error":false}`. */
export function replyEnvelope(payloadtype: string, payload: unknown): string {
  return replyEnvelopeJson(payloadtype, stringifyWire(payload));
}

/** Like replyEnvelope, for a payload that is already JSON text. */
export function replyEnvelopeJson(payloadtype: string, payloadJson: string): string {
  return `{"payloadtype":${JSON.stringify(payloadtype)},"payload":"${utf8ToBase64(payloadJson)}","error":false}`;
}

/** An error reply `{"payloadtype":"error","payload":base64({"status","message"}),"error":true}`. */
export function errorEnvelope(status: number, message: string): string {
  return `{"payloadtype":"error","payload":"${utf8ToBase64(stringifyWire({ status, message }))}","error":true}`;
}

/** Status and error envelope for anything thrown by a handler (non-ColoniesError → 500). */
export function errorReply(err: unknown): { status: number; body: string } {
  const status = err instanceof ColoniesError ? err.status : 500;
  const message = err instanceof Error ? err.message : String(err);
  return { status, body: errorEnvelope(status, message) };
}

/** Status used by decodeReply when the body is not a Colonies reply envelope. */
export const BAD_REPLY_STATUS = 502;

function badReply(body: string): ColoniesError {
  return new ColoniesError(BAD_REPLY_STATUS, `Expected a valid Colonies RPC message, but got this: ${body}`);
}

/**
 * Client side: decodes a reply body. Error envelopes throw ColoniesError(status, message);
 * anything that is not a reply envelope throws ColoniesError(502, "Expected a valid Colonies
 * RPC message, but got this: <body>"). int64 values come back as BigInt when they exceed 2^53.
 */
export function decodeReply(body: string): { payloadtype: string; payload: unknown } {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw badReply(body);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badReply(body);
  const env = v as Record<string, unknown>;
  const payloadtype = field(env, 'payloadtype');
  const payloadB64 = field(env, 'payload');
  const isError = field(env, 'error');
  if (typeof payloadtype !== 'string' || typeof payloadB64 !== 'string') throw badReply(body);
  const text = base64ToUtf8(payloadB64);
  if (text === null) throw badReply(body);
  let payload: unknown;
  try {
    payload = parseJson(text);
  } catch {
    throw badReply(body);
  }
  if (isError === true) {
    const f = (payload ?? {}) as Record<string, unknown>;
    const status = typeof f.status === 'number' ? f.status : typeof f.status === 'bigint' ? Number(f.status) : 500;
    throw new ColoniesError(status, typeof f.message === 'string' ? f.message : text);
  }
  return { payloadtype, payload };
}
