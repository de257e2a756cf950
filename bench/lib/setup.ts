// A fresh colony per run: random owner key, K approved executors and a submitting user, so that
// runs never see each other's processes (and the same code works against the Go server).
import { randomBytes } from 'node:crypto';
import { BenchClient, newKey, type Key } from './client.js';

export const EXECUTOR_TYPE = 'bench';

export interface ExecutorKey extends Key {
  name: string;
}

export interface Colony {
  name: string;
  owner: Key;
  executors: ExecutorKey[];
  /** the key that submits and reads (a user of the colony, or an executor if users are not served) */
  submitter: Key;
}

export async function createColony(target: string, serverKey: Key, executorCount: number, label: string): Promise<Colony> {
  const c = new BenchClient(target, 16);
  try {
    const name = `bench-${label}-${randomBytes(4).toString('hex')}`;
    const owner = newKey();
    await c.call('addcolonymsg', { colony: { colonyid: owner.id, name } }, serverKey);
    const addExecutor = async (i: number, type = EXECUTOR_TYPE): Promise<ExecutorKey> => {
      const k = { ...newKey(), name: `${name}-ex${i}` };
      await c.call('addexecutormsg', { executor: { executorid: k.id, executortype: type, executorname: k.name, colonyname: name } }, owner);
      await c.call('approveexecutormsg', { colonyname: name, executorname: k.name }, owner);
      return k;
    };
    const executors: ExecutorKey[] = [];
    for (let i = 0; i < executorCount; i++) executors.push(await addExecutor(i));
    let submitter: Key;
    try {
      const u = newKey();
      await c.call('addusermsg', { user: { colonyname: name, userid: u.id, name: `${name}-user`, email: '', phone: '' } }, owner);
      submitter = u;
    } catch {
      // a server without users: an executor of another type submits instead (never assigned work)
      submitter = await addExecutor(executorCount, `${EXECUTOR_TYPE}-submitter`);
    }
    return { name, owner, executors, submitter };
  } finally {
    await c.close();
  }
}

/** Removes a colony (best effort; keeps the database from growing across many runs). */
export async function removeColony(target: string, serverKey: Key, name: string): Promise<void> {
  const c = new BenchClient(target, 1);
  try {
    await c.call('removecolonymsg', { colonyname: name }, serverKey);
  } catch {
    /* not served or already gone */
  } finally {
    await c.close();
  }
}

/** The spec every bench process is submitted with (maxexectime -1: the Go server times out 0). */
export function benchSpec(colonyname: string, i: number, executortype = EXECUTOR_TYPE): Record<string, unknown> {
  return {
    funcname: 'bench',
    args: [i],
    maxwaittime: 0,
    maxexectime: -1,
    maxretries: 0,
    priority: 0,
    conditions: { colonyname, executortype },
  };
}
