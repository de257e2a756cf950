// Getting an executor ready to take work: optional self-registration with the colony owner's
// key, then registering the functions it serves (skipping ones already registered, so a
// restarted executor does not pile up duplicates).
import type { ColoniesClient } from '../client/client.js';
import { ColoniesError } from '../protocol/errors.js';

export interface Identity {
  colonyName: string;
  prvKey: string;
  executorId: string;
  type: string;
  name: string;
  locationName?: string;
}

/**
 * Adds and approves the executor with the colony owner's key. If the name is already
 * registered to this very key (a restart), that is fine; if it belongs to another key the
 * server's error is passed on with a hint.
 */
export async function selfRegister(client: ColoniesClient, me: Identity, colonyPrvKey: string): Promise<void> {
  try {
    await client.addExecutor(
      {
        executorid: me.executorId,
        executortype: me.type,
        executorname: me.name,
        colonyname: me.colonyName,
        locationname: me.locationName || undefined,
      },
      colonyPrvKey,
    );
  } catch (e) {
    if (!(e instanceof ColoniesError) || e.status !== 400 || !/already exists/i.test(e.message)) throw e;
    const mine = await client.getExecutors(me.colonyName, me.prvKey).catch(() => []);
    if (!mine.some((x) => x.executorname === me.name && x.executorid === me.executorId)) {
      throw new ColoniesError(e.status, `${e.message} (registered with another key: pick another executor name)`);
    }
  }
  await client.approveExecutor(me.colonyName, me.name, colonyPrvKey);
}

/** Registers each function name this executor serves that the server does not list yet. */
export async function registerFunctions(client: ColoniesClient, me: Identity, funcNames: string[]): Promise<void> {
  const existing = await client.getFunctions(me.colonyName, me.name, me.prvKey);
  const have = new Set(existing.map((f) => f.funcname));
  for (const funcname of funcNames) {
    if (have.has(funcname)) continue;
    await client.addFunction({ executorname: me.name, executortype: me.type, colonyname: me.colonyName, funcname }, me.prvKey);
  }
}
