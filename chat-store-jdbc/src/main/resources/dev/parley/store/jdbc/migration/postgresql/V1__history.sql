-- Parley's history, version 1. See docs/ARCHITECTURE.md, "The JDBC store".
-- Keys collate as "C": byte order, cheaper to compare than a locale's, and the same everywhere.

-- name 'epoch': the database's epoch, random, written once by the store on its first start
CREATE TABLE parley_meta (
  name  text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);

-- one row per room that ever had a message; retention never deletes it, so seq and epoch survive.
-- Every append batch updates its rooms' rows: room for HOT updates on the same page.
CREATE TABLE parley_rooms (
  room     text COLLATE "C" PRIMARY KEY,
  epoch    text NOT NULL,
  last_seq bigint NOT NULL
) WITH (fillfactor = 50);

CREATE TABLE parley_messages (
  room      text COLLATE "C" NOT NULL,
  seq       bigint NOT NULL,
  id        text NOT NULL,
  sender    text COLLATE "C" NOT NULL,
  name      text NOT NULL,
  recipient text,
  body      text NOT NULL,
  ts        bigint NOT NULL,
  cid       text COLLATE "C",
  PRIMARY KEY (room, seq)
);

-- a sender's cid is stored once (NULLs are distinct: messages without a cid never conflict)
CREATE UNIQUE INDEX parley_messages_cid ON parley_messages (sender, cid);

-- for retention by age
CREATE INDEX parley_messages_ts ON parley_messages (ts);

CREATE TABLE parley_read_markers (
  room text COLLATE "C" NOT NULL,
  usr  text COLLATE "C" NOT NULL,
  seq  bigint NOT NULL,
  PRIMARY KEY (room, usr)
) WITH (fillfactor = 70);
