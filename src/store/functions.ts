// SQL for the function registry (PROTOCOL §6.6, OBJECTS §11) and its run statistics (SEMANTICS §5).
import { list, struct } from '../protocol/fields.js';
import { stringifyJson } from '../protocol/json.js';
import { FunctionArgShape, type Function } from '../protocol/objects.js';
import type { Queryable } from './db.js';

interface FunctionRow {
  functionid: string;
  executorname: string;
  executortype: string;
  colonyname: string;
  funcname: string;
  description: string;
  args: unknown;
  counter: number;
  minwaittime: number;
  maxwaittime: number;
  minexectime: number;
  maxexectime: number;
  avgwaittime: number;
  avgexectime: number;
  locationname: string;
}

// jsonb reorders keys; the schema puts them back in Go's order and drops empty omitempty fields.
const argsSchema = list(struct(FunctionArgShape));

function toFunction(r: FunctionRow): Function {
  const args = argsSchema.parse(r.args);
  return {
    functionid: r.functionid,
    executorname: r.executorname,
    executortype: r.executortype,
    colonyname: r.colonyname,
    funcname: r.funcname,
    description: r.description || undefined,
    args: args && args.length > 0 ? args : undefined,
    counter: r.counter,
    minwaittime: r.minwaittime,
    maxwaittime: r.maxwaittime,
    minexectime: r.minexectime,
    maxexectime: r.maxexectime,
    avgwaittime: r.avgwaittime,
    avgexectime: r.avgexectime,
    locationname: r.locationname || undefined,
  };
}

const COLUMNS = `functionid, executorname, executortype, colonyname, funcname, description, args, counter,
  minwaittime, maxwaittime, minexectime, maxexectime, avgwaittime, avgexectime, locationname`;

export async function insertFunction(q: Queryable, f: Function): Promise<Function> {
  const rows = await q.query<FunctionRow>(
    `INSERT INTO functions (functionid, executorname, executortype, colonyname, funcname, description, args, counter,
       minwaittime, maxwaittime, minexectime, maxexectime, avgwaittime, avgexectime, locationname)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15)
     RETURNING ${COLUMNS}`,
    [
      f.functionid,
      f.executorname,
      f.executortype,
      f.colonyname,
      f.funcname,
      f.description ?? '',
      f.args ? stringifyJson(f.args) : null,
      f.counter,
      f.minwaittime,
      f.maxwaittime,
      f.minexectime,
      f.maxexectime,
      f.avgwaittime,
      f.avgexectime,
      f.locationname ?? '',
    ],
  );
  return toFunction(rows[0]);
}

export async function getFunction(q: Queryable, functionid: string): Promise<Function | null> {
  const rows = await q.query<FunctionRow>(`SELECT ${COLUMNS} FROM functions WHERE functionid = $1`, [functionid]);
  return rows[0] ? toFunction(rows[0]) : null;
}

/** The colony's functions, or only one executor's when executorname is given; registration order. */
export async function listFunctions(q: Queryable, colonyname: string, executorname = ''): Promise<Function[]> {
  const rows = await q.query<FunctionRow>(
    `SELECT ${COLUMNS} FROM functions WHERE colonyname = $1 AND ($2 = '' OR executorname = $2) ORDER BY seq`,
    [colonyname, executorname],
  );
  return rows.map(toFunction);
}

export async function removeFunction(q: Queryable, functionid: string): Promise<void> {
  await q.query('DELETE FROM functions WHERE functionid = $1', [functionid]);
}

export interface FunctionRun {
  colonyname: string;
  executorname: string;
  funcname: string;
  /** seconds between submission and start */
  waitS: number;
  /** seconds between start and end */
  execS: number;
}

/**
 * Counts a successful run of `funcname` on every registration of it by that executor
 * (SEMANTICS §5). The first run sets min, max and avg; later runs keep min/max and set
 * avg := (avg + new) / 2, which is Go's formula (not a true mean), kept so numbers match.
 * Call it from the close transaction.
 */
export async function recordFunctionRun(q: Queryable, run: FunctionRun): Promise<void> {
  await q.query(
    `UPDATE functions SET
       counter     = counter + 1,
       minwaittime = CASE WHEN counter = 0 OR $4::float8 < minwaittime THEN $4::float8 ELSE minwaittime END,
       maxwaittime = CASE WHEN counter = 0 OR $4::float8 > maxwaittime THEN $4::float8 ELSE maxwaittime END,
       avgwaittime = CASE WHEN counter = 0 THEN $4::float8 ELSE (avgwaittime + $4::float8) / 2 END,
       minexectime = CASE WHEN counter = 0 OR $5::float8 < minexectime THEN $5::float8 ELSE minexectime END,
       maxexectime = CASE WHEN counter = 0 OR $5::float8 > maxexectime THEN $5::float8 ELSE maxexectime END,
       avgexectime = CASE WHEN counter = 0 THEN $5::float8 ELSE (avgexectime + $5::float8) / 2 END
     WHERE colonyname = $1 AND executorname = $2 AND funcname = $3`,
    [run.colonyname, run.executorname, run.funcname, run.waitS, run.execS],
  );
}
