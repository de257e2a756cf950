// Workflow counts of getcolonystatsmsg / getstatisticsmsg the way migration 6 does process
// counts: counting a colony's 200,000 SUCCESS graphs read them all (44 ms a call, index-only),
// and the dashboard asks every 2 s. Same meaning: a rollup row says "while
// colonies.graph_countgen is still `countgen`, the colony has `n` graphs in `state` with
// 0 < endtime <= `upto`". A graph enters a closed state (2, 3, 4) with endtime = now; anything
// else that changes a closed graph with endtime > 0 (removal, retention, a closed graph changing
// state again, a graph inserted closed) moves graph_countgen on and voids the rollups.
// process_graphs_colony_end finds the graphs closed since a rollup, as processes_colony_list
// does for processes (its key is -endtime, so the statistics code reads both the same way).
export const sql = `
ALTER TABLE colonies ADD COLUMN graph_countgen bigint NOT NULL DEFAULT 0;

CREATE TABLE graph_count_rollups (
  colonyname text   NOT NULL,
  state      int    NOT NULL,
  countgen   bigint NOT NULL,
  upto       bigint NOT NULL,
  n          bigint NOT NULL,
  PRIMARY KEY (colonyname, state)
);

CREATE INDEX process_graphs_colony_end ON process_graphs (colonyname, state, (-endtime));

CREATE FUNCTION graph_counts_void_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE colonies SET graph_countgen = graph_countgen + 1
   WHERE name IN (SELECT DISTINCT colonyname FROM gone WHERE state >= 2 AND endtime > 0);
  RETURN NULL;
END $$;

CREATE FUNCTION graph_counts_void_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  colony text := CASE WHEN TG_OP = 'UPDATE' THEN OLD.colonyname ELSE NEW.colonyname END;
BEGIN
  IF current_setting('colonies.graph_countgen_voided', true) IS DISTINCT FROM colony THEN
    UPDATE colonies SET graph_countgen = graph_countgen + 1 WHERE name = colony;
    PERFORM set_config('colonies.graph_countgen_voided', colony, true);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER graph_counts_delete AFTER DELETE ON process_graphs
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION graph_counts_void_deleted();

CREATE TRIGGER graph_counts_update AFTER UPDATE ON process_graphs FOR EACH ROW
  WHEN (OLD.state >= 2 AND OLD.endtime > 0
        AND (NEW.state IS DISTINCT FROM OLD.state OR NEW.endtime IS DISTINCT FROM OLD.endtime))
  EXECUTE FUNCTION graph_counts_void_row();

CREATE TRIGGER graph_counts_insert AFTER INSERT ON process_graphs FOR EACH ROW
  WHEN (NEW.state >= 2 AND NEW.endtime > 0)
  EXECUTE FUNCTION graph_counts_void_row();
`;
