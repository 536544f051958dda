-- Parley's history, version 1. See docs/ARCHITECTURE.md, "The JDBC store".

-- name 'epoch': the database's epoch, random, written once by the store on its first start
CREATE TABLE parley_meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- one row per room that ever had a message; retention never deletes it, so seq and epoch survive
CREATE TABLE parley_rooms (
  room     TEXT PRIMARY KEY,
  epoch    TEXT NOT NULL,
  last_seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE parley_messages (
  room      TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  id        TEXT NOT NULL,
  sender    TEXT NOT NULL,
  name      TEXT NOT NULL,
  recipient TEXT,
  body      TEXT NOT NULL,
  ts        INTEGER NOT NULL,
  cid       TEXT,
  PRIMARY KEY (room, seq)
);

-- a sender's cid is stored once (NULLs are distinct: messages without a cid never conflict)
CREATE UNIQUE INDEX parley_messages_cid ON parley_messages (sender, cid);

-- for retention by age
CREATE INDEX parley_messages_ts ON parley_messages (ts);

CREATE TABLE parley_read_markers (
  room TEXT NOT NULL,
  usr  TEXT NOT NULL,
  seq  INTEGER NOT NULL,
  PRIMARY KEY (room, usr)
) WITHOUT ROWID;
