// The Member(approved) check of PROTOCOL §5 as an SQL expression, for queries that read an
// object and the caller's membership of its colony in one round trip (see ResolvedColony in
// server/access.ts).

/** SQL boolean: is `caller` an approved executor or a user of colony `colony` (both SQL expressions)? */
export function memberSql(colony: string, caller: string): string {
  return `(EXISTS (SELECT 1 FROM executors e WHERE e.executorid = ${caller} AND e.colonyname = ${colony} AND e.state = 1)
     OR EXISTS (SELECT 1 FROM users u WHERE u.userid = ${caller} AND u.colonyname = ${colony}))`;
}
