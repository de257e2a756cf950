// Channels (PROTOCOL §6.14, SEMANTICS §13): per-process message logs shared by the process
// initiator and its assigned executor. Kept in the database so that every replica serves the
// same log; a NOTIFY per append wakes streaming subscribers on all replicas.
//
// Every table has a `colonyname` column (colony removal deletes by it) and references its
// process with ON DELETE CASCADE (removing a process removes its channels).
export const sql = `
CREATE TABLE channels (
  processid  text NOT NULL REFERENCES processes (processid) ON DELETE CASCADE,
  name       text NOT NULL,
  colonyname text NOT NULL,
  -- number of entries so far = the arrival number of the next entry
  entries    int  NOT NULL DEFAULT 0,
  PRIMARY KEY (processid, name)
);

-- pos: index in the ordered log (what channelreadmsg.afterseq counts); arrival: the order in
-- which entries came in (what streaming subscribers follow). They differ only when a sender
-- sends an older sequence number after a newer one.
CREATE TABLE channel_entries (
  processid  text NOT NULL,
  name       text NOT NULL,
  colonyname text NOT NULL,
  pos        int  NOT NULL,
  arrival    int  NOT NULL,
  sequence   int8 NOT NULL,
  inreplyto  int8 NOT NULL DEFAULT 0,
  senderid   text NOT NULL,
  payload    bytea NOT NULL,
  type       text NOT NULL DEFAULT 'data',
  ts         int8 NOT NULL,
  PRIMARY KEY (processid, name, pos),
  FOREIGN KEY (processid, name) REFERENCES channels (processid, name) ON DELETE CASCADE
);
CREATE UNIQUE INDEX channel_entries_arrival ON channel_entries (processid, name, arrival);
CREATE INDEX channel_entries_sender ON channel_entries (processid, name, senderid, sequence);

-- Per-process token bucket for appends (500 burst, 100/s), shared by all replicas.
CREATE TABLE channel_rates (
  processid  text PRIMARY KEY REFERENCES processes (processid) ON DELETE CASCADE,
  colonyname text NOT NULL,
  tokens     float8 NOT NULL,
  refilled   int8 NOT NULL
);
`;
