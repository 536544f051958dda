-- Parley's history, version 2 (SQLite only). See docs/ARCHITECTURE.md, "The JDBC store".
--
-- The writer inserts each message with seq = its room's last_seq + 1 (read in the same statement,
-- inside the writer's BEGIN IMMEDIATE transaction); this trigger then does, in the same statement,
-- what version 1's writer did with two more statements per batch: it raises the room's last_seq
-- (creating the room's row with the database's epoch on its first message) and the sender's read
-- marker. One statement per message instead of three per batch through the JDBC driver.
-- A message skipped by ON CONFLICT (sender, cid) DO NOTHING fires nothing: no seq is burnt.
-- max() keeps both monotonic whatever order rows come in.
CREATE TRIGGER parley_messages_stored AFTER INSERT ON parley_messages
BEGIN
  INSERT INTO parley_rooms (room, epoch, last_seq)
    VALUES (NEW.room, (SELECT value FROM parley_meta WHERE name = 'epoch'), NEW.seq)
    ON CONFLICT (room) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq);
  INSERT INTO parley_read_markers (room, usr, seq)
    VALUES (NEW.room, NEW.sender, NEW.seq)
    ON CONFLICT (room, usr) DO UPDATE SET seq = max(seq, excluded.seq);
END;
