// ColonyFS metadata (files, snapshots) and the blueprint add-on (definitions, blueprints, history).
// Every table carries `colonyname` so removing a colony can delete its rows generically.
// Free-form JSON (S3 refs, blueprint documents) is kept in jsonb and read back as text, so
// integers beyond 2^53 survive (parseJson).
export const sql = `
-- One global counter: a file's sequencenr orders revisions across the whole server.
CREATE SEQUENCE file_seq;

CREATE TABLE files (
  fileid      text PRIMARY KEY,
  colonyname  text NOT NULL,
  label       text NOT NULL,
  name        text NOT NULL,
  size        int8 NOT NULL DEFAULT 0,
  sequencenr  int8 NOT NULL DEFAULT nextval('file_seq'),
  checksum    text NOT NULL DEFAULT '',
  checksumalg text NOT NULL DEFAULT '',
  ref         jsonb NOT NULL,
  added       int8 NOT NULL
);
CREATE INDEX files_label_name ON files (colonyname, label, name, sequencenr DESC);

CREATE TABLE snapshots (
  snapshotid text PRIMARY KEY,
  colonyname text NOT NULL,
  label      text NOT NULL,
  name       text NOT NULL,
  fileids    text[],
  added      int8 NOT NULL,
  UNIQUE (colonyname, name)
);

-- kind = spec.names.kind, the key blueprints are matched on.
CREATE TABLE blueprint_definitions (
  blueprintdefinitionid text PRIMARY KEY,
  colonyname            text NOT NULL,
  name                  text NOT NULL,
  kind                  text NOT NULL,
  doc                   jsonb NOT NULL,
  seq                   bigserial,
  UNIQUE (colonyname, name)
);
CREATE INDEX blueprint_definitions_kind ON blueprint_definitions (colonyname, kind);

CREATE TABLE blueprints (
  blueprintid  text PRIMARY KEY,
  colonyname   text NOT NULL,
  name         text NOT NULL,
  kind         text NOT NULL,
  locationname text NOT NULL DEFAULT '',
  doc          jsonb NOT NULL,
  seq          bigserial,
  UNIQUE (colonyname, name)
);
CREATE INDEX blueprints_kind ON blueprints (colonyname, kind, locationname);

CREATE TABLE blueprint_history (
  historyid   text PRIMARY KEY,
  blueprintid text NOT NULL,
  colonyname  text NOT NULL,
  doc         jsonb NOT NULL,
  seq         bigserial
);
CREATE INDEX blueprint_history_blueprint ON blueprint_history (blueprintid, seq DESC);
`;
