// Workflows (process graphs), logs, crons, generators and their queued args.
// Times are int8 nanoseconds since the Unix epoch; 0 means unset. Every table carries
// `colonyname` so that removing a colony can delete from all of them the same way.
export const sql = `
CREATE TABLE process_graphs (
  processgraphid text PRIMARY KEY,
  colonyname     text NOT NULL,
  initiatorid    text NOT NULL DEFAULT '',
  initiatorname  text NOT NULL DEFAULT '',
  rootprocessids text[] NOT NULL DEFAULT '{}',
  state          int  NOT NULL DEFAULT 0,
  submissiontime int8 NOT NULL DEFAULT 0,
  starttime      int8 NOT NULL DEFAULT 0,
  endtime        int8 NOT NULL DEFAULT 0
);
CREATE INDEX process_graphs_colony_state ON process_graphs (colonyname, state, submissiontime DESC);
CREATE INDEX process_graphs_success_time ON process_graphs (submissiontime) WHERE state = 2;

-- seq keeps insertion order among entries with the same timestamp.
CREATE TABLE logs (
  seq          bigserial PRIMARY KEY,
  colonyname   text NOT NULL,
  processid    text NOT NULL DEFAULT '',
  executorname text NOT NULL DEFAULT '',
  message      text NOT NULL DEFAULT '',
  ts           int8 NOT NULL
);
CREATE INDEX logs_process ON logs (processid, ts, seq);
CREATE INDEX logs_executor ON logs (colonyname, executorname, ts, seq);
CREATE INDEX logs_colony_ts ON logs (colonyname, ts);
CREATE INDEX logs_ts ON logs (ts);

CREATE TABLE crons (
  cronid                  text PRIMARY KEY,
  colonyname              text NOT NULL,
  name                    text NOT NULL,
  initiatorid             text NOT NULL DEFAULT '',
  initiatorname           text NOT NULL DEFAULT '',
  cronexpression          text NOT NULL DEFAULT '',
  interval                int  NOT NULL DEFAULT 0,
  random                  boolean NOT NULL DEFAULT false,
  nextrun                 int8 NOT NULL DEFAULT 0,
  lastrun                 int8 NOT NULL DEFAULT 0,
  workflowspec            text NOT NULL DEFAULT '',
  prevprocessgraphid      text NOT NULL DEFAULT '',
  waitforprevprocessgraph boolean NOT NULL DEFAULT false,
  seq                     bigserial,
  UNIQUE (colonyname, name)
);

CREATE TABLE generators (
  generatorid   text PRIMARY KEY,
  colonyname    text NOT NULL,
  name          text NOT NULL,
  initiatorid   text NOT NULL DEFAULT '',
  initiatorname text NOT NULL DEFAULT '',
  workflowspec  text NOT NULL DEFAULT '',
  trigger       int  NOT NULL DEFAULT 0,
  timeout       int  NOT NULL DEFAULT 0,
  firstpack     int8 NOT NULL DEFAULT 0,
  lastrun       int8 NOT NULL DEFAULT 0,
  seq           bigserial,
  UNIQUE (colonyname, name)
);

-- The queue of packed args; seq is the queue order.
CREATE TABLE generator_args (
  seq         bigserial PRIMARY KEY,
  generatorid text NOT NULL,
  colonyname  text NOT NULL,
  arg         text NOT NULL,
  added       int8 NOT NULL DEFAULT 0
);
CREATE INDEX generator_args_queue ON generator_args (generatorid, seq);
`;
