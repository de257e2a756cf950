// POST /api: one envelope in, one envelope out, in the order of PROTOCOL.md §3.1.
import { checkPayloadType, decodeMessage, errorEnvelope, parseRequestEnvelope, replyEnvelope } from '../protocol/envelope.js';
import { ColoniesError, forbidden } from '../protocol/errors.js';
import { catalogue } from '../protocol/messages.js';
import { authorize } from './access.js';
import type { ServerContext } from './context.js';
import { lookup, Reply } from './registry.js';

export interface HttpReply {
  status: number;
  body: string;
}

/**
 * Authenticates an envelope: returns the payloadtype, payload and signer id (403 on a bad
 * signature). A signature the cache does not know is recovered by srv.recoverer, which under load
 * answers a little later, off the event loop (recover-offload.ts).
 */
export async function authenticate(srv: ServerContext, body: string): Promise<{ payloadtype: string; payload: string; callerId: string }> {
  const env = parseRequestEnvelope(body);
  const meta = (catalogue as Record<string, { kind: string }>)[env.payloadtype];
  if (meta?.kind === 'unauthenticated') return { ...env, callerId: '' };
  let callerId: string;
  try {
    callerId = await srv.signers.signer(env.payload, env.signature, (payload, signature) => srv.recoverer.recoverId(payload, signature));
  } catch (e) {
    throw forbidden((e as Error).message);
  }
  return { ...env, callerId };
}

/** `signal`: aborted when the client goes away (made on first use: only long polls ask). */
export async function dispatch(srv: ServerContext, body: string, signal: () => AbortSignal): Promise<HttpReply> {
  try {
    const { payloadtype, payload, callerId } = await authenticate(srv, body);
    const type = checkPayloadType(payloadtype, 'http');
    const row = lookup(type);
    if (!row) throw forbidden(`invalid rpcMsg.PayloadType: ${type}`);
    const msg = decodeMessage(type, payload);
    if (!row.enforcedByHandler) await authorize(row.access, msg, srv.db, callerId);
    const out = await row.handle({
      type: payloadtype,
      msg,
      callerId,
      srv,
      get signal() {
        return signal();
      },
    });
    if (out instanceof Reply) return { status: 200, body: replyEnvelope(out.payloadtype, out.payload) };
    return { status: 200, body: replyEnvelope(payloadtype, out === undefined ? {} : out) };
  } catch (e) {
    if (e instanceof ColoniesError) return { status: e.status, body: errorEnvelope(e.status, e.message) };
    srv.log.error({ err: e }, 'internal error');
    const message = e instanceof Error ? e.message : String(e);
    return { status: 500, body: errorEnvelope(500, message) };
  }
}
