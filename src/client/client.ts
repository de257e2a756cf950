// The SDK entry point: one typed async method per RPC of PROTOCOL.md §6, plus WebSocket
// helpers. The methods are grouped by area in the class layers this one stacks up:
// colonies.ts → members.ts → processes.ts → workflows.ts → storage.ts → blueprints.ts → realtime.ts.
import { RealtimeClient } from './realtime.js';

/**
 * A client of one Colonies server.
 *
 * ```ts
 * const client = new ColoniesClient({ host: 'localhost', port: 50080, prvKey });
 * const p = await client.submitFunctionSpec({ funcname: 'echo', args: ['hi'], conditions: { colonyname: 'dev', executortype: 'echo' } });
 * const done = await client.waitForProcessEnd(p.processid, 60);
 * ```
 *
 * Every method takes an optional last `prvKey` that overrides the client's default key.
 * Errors are ColoniesError(status, message) as the server sent them; ConnectionError
 * (status 0) when the server cannot be reached. Lists come back as arrays (the server's
 * `null` for an empty list becomes []).
 */
export class ColoniesClient extends RealtimeClient {}
