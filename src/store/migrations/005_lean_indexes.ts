// Fewer index entries per process state change. A non-HOT UPDATE writes an entry into every
// index whose predicate the new row version satisfies, so each index that RUNNING rows enter
// costs every assignment a B-tree insertion (and PostgreSQL CPU, WAL and vacuum work later).
//
// - processes_assigned (assignedexecutorid WHERE state = 1) served one rare statement: putting
//   back the RUNNING processes of a removed executor. processes_colony_state (colonyname, state)
//   finds the colony's RUNNING rows for it just as well.
// - processes_running_deadline now holds only rows that have a deadline: the timeout loop only
//   ever looks for those (maxexectime > 0), and most processes run without one.
export const sql = `
DROP INDEX IF EXISTS processes_assigned;
DROP INDEX IF EXISTS processes_running_deadline;
CREATE INDEX processes_running_deadline ON processes (execdeadline) WHERE state = 1 AND execdeadline > 0;
`;
