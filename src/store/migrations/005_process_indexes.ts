// Process indexes that cost fewer writes and serve the lists. A non-HOT UPDATE writes an
// entry into every index whose predicate the new row version satisfies, so each index that
// RUNNING rows enter costs every assignment a B-tree insertion (and PostgreSQL CPU, WAL and
// vacuum work later).
//
// - processes_assigned (assignedexecutorid WHERE state = 1) served one rare statement: putting
//   back the RUNNING processes of a removed executor. The colony's RUNNING rows are found just
//   as well through processes_colony_list (colonyname, state, ...).
// - processes_running_deadline now holds only rows that have a deadline: the timeout loop only
//   ever looks for those (maxexectime > 0), and most processes run without one.
// - processes_colony_state (colonyname, state, submissiontime DESC) becomes
//   processes_colony_list (colonyname, state, list key): the same number of entries, but its
//   third column is the order getprocessesmsg returns a state in (LIST_KEY in processes.ts), so
//   a page is read from the index instead of sorting every row of the state (at 1,000,000
//   SUCCESS rows, a page of 20 took 420 ms).
export const sql = `
DROP INDEX IF EXISTS processes_assigned;
DROP INDEX IF EXISTS processes_running_deadline;
CREATE INDEX processes_running_deadline ON processes (execdeadline) WHERE state = 1 AND execdeadline > 0;
CREATE INDEX processes_colony_list ON processes (colonyname, state, (CASE state WHEN 0 THEN prioritytime WHEN 1 THEN starttime ELSE -endtime END));
DROP INDEX IF EXISTS processes_colony_state;
`;
