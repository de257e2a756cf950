// Core tables: server, colonies, executors, users, locations, functions, processes, attributes.
// Times are int8 nanoseconds since the Unix epoch; 0 means unset.
export const sql = `
CREATE TABLE server_config (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE colonies (
  name     text PRIMARY KEY,
  colonyid text NOT NULL,
  paused   boolean NOT NULL DEFAULT false,
  seq      bigserial
);

CREATE TABLE executors (
  colonyname        text NOT NULL,
  executorname      text NOT NULL,
  executorid        text NOT NULL,
  executortype      text NOT NULL,
  state             int  NOT NULL DEFAULT 0,
  requirefuncreg    boolean NOT NULL DEFAULT false,
  commissiontime    int8 NOT NULL DEFAULT 0,
  lastheardfromtime int8 NOT NULL DEFAULT 0,
  locationname      text NOT NULL DEFAULT '',
  capabilities      jsonb,
  allocations       jsonb,
  blueprintid       text NOT NULL DEFAULT '',
  blueprintgen      int8 NOT NULL DEFAULT 0,
  seq               bigserial,
  PRIMARY KEY (colonyname, executorname)
);
CREATE INDEX executors_id ON executors (executorid);

CREATE TABLE users (
  colonyname text NOT NULL,
  name       text NOT NULL,
  userid     text NOT NULL,
  email      text NOT NULL DEFAULT '',
  phone      text NOT NULL DEFAULT '',
  seq        bigserial,
  PRIMARY KEY (colonyname, name)
);
CREATE UNIQUE INDEX users_id ON users (colonyname, userid);
CREATE INDEX users_userid ON users (userid);

CREATE TABLE locations (
  colonyname  text NOT NULL,
  name        text NOT NULL,
  locationid  text NOT NULL,
  description text NOT NULL DEFAULT '',
  long        float8 NOT NULL DEFAULT 0,
  lat         float8 NOT NULL DEFAULT 0,
  seq         bigserial,
  PRIMARY KEY (colonyname, name)
);

CREATE TABLE functions (
  functionid   text PRIMARY KEY,
  colonyname   text NOT NULL,
  executorname text NOT NULL,
  executortype text NOT NULL,
  funcname     text NOT NULL,
  description  text NOT NULL DEFAULT '',
  args         jsonb,
  counter      int  NOT NULL DEFAULT 0,
  minwaittime  float8 NOT NULL DEFAULT 0,
  maxwaittime  float8 NOT NULL DEFAULT 0,
  minexectime  float8 NOT NULL DEFAULT 0,
  maxexectime  float8 NOT NULL DEFAULT 0,
  avgwaittime  float8 NOT NULL DEFAULT 0,
  avgexectime  float8 NOT NULL DEFAULT 0,
  locationname text NOT NULL DEFAULT '',
  -- lists come back in registration order, as in the original
  seq          bigserial
);
CREATE INDEX functions_colony ON functions (colonyname, executorname);

-- One row per process. The matching columns are copied out of the spec so that the
-- assignment statement can use an index; the spec itself is kept as submitted (normalised).
CREATE TABLE processes (
  processid          text PRIMARY KEY,
  colonyname         text NOT NULL,
  executortype       text NOT NULL,
  state              int  NOT NULL,
  isassigned         boolean NOT NULL DEFAULT false,
  waitforparents     boolean NOT NULL DEFAULT false,
  prioritytime       int8 NOT NULL,
  executornames      text[],
  locationname       text NOT NULL DEFAULT '',
  cpu                int8 NOT NULL DEFAULT 0,
  mem                int8 NOT NULL DEFAULT 0,
  oversized          boolean NOT NULL DEFAULT false,
  initiatorid        text NOT NULL DEFAULT '',
  initiatorname      text NOT NULL DEFAULT '',
  assignedexecutorid text NOT NULL DEFAULT '',
  submissiontime     int8 NOT NULL DEFAULT 0,
  starttime          int8 NOT NULL DEFAULT 0,
  endtime            int8 NOT NULL DEFAULT 0,
  waitdeadline       int8 NOT NULL DEFAULT 0,
  execdeadline       int8 NOT NULL DEFAULT 0,
  retries            int  NOT NULL DEFAULT 0,
  maxwaittime        int  NOT NULL DEFAULT 0,
  maxexectime        int  NOT NULL DEFAULT 0,
  maxretries         int  NOT NULL DEFAULT 0,
  label              text NOT NULL DEFAULT '',
  funcname           text NOT NULL DEFAULT '',
  processgraphid     text NOT NULL DEFAULT '',
  spec               jsonb NOT NULL,
  parents            text[] NOT NULL DEFAULT '{}',
  children           text[] NOT NULL DEFAULT '{}',
  input              jsonb NOT NULL DEFAULT '[]',
  output             jsonb NOT NULL DEFAULT '[]',
  errors             jsonb DEFAULT '[]'
);
-- The assignment queue: only assignable rows, in the order they are handed out.
CREATE INDEX processes_queue ON processes (colonyname, executortype, prioritytime)
  WHERE state = 0 AND NOT waitforparents;
CREATE INDEX processes_colony_state ON processes (colonyname, state, submissiontime DESC);
CREATE INDEX processes_running_deadline ON processes (execdeadline) WHERE state = 1;
CREATE INDEX processes_waiting_deadline ON processes (waitdeadline) WHERE state = 0 AND waitdeadline > 0;
CREATE INDEX processes_assigned ON processes (assignedexecutorid) WHERE state = 1;
CREATE INDEX processes_graph ON processes (processgraphid) WHERE processgraphid <> '';

CREATE TABLE attributes (
  attributeid          text PRIMARY KEY,
  targetid             text NOT NULL,
  targetcolonyname     text NOT NULL DEFAULT '',
  targetprocessgraphid text NOT NULL DEFAULT '',
  attributetype        int  NOT NULL,
  key                  text NOT NULL,
  value                text NOT NULL DEFAULT '',
  seq                  bigserial
);
CREATE INDEX attributes_target ON attributes (targetid);
`;
