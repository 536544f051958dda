package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * SQLite: the database is a library in this process, so a statement costs microseconds and each
 * step runs a prepared statement per row; the writer prepares each of its statements once per
 * connection it holds ({@link #writeStatement}), since SQLite compiles the SQL at every prepare.
 * Since migration V2 an append is one statement: a trigger raises the room's {@code last_seq} and
 * the sender's read marker ({@link #write}). A write transaction starts with
 * {@code BEGIN IMMEDIATE} (SQLite's one write lock, taken up front), so nothing changes between
 * reading a room's {@code last_seq} and writing the next ones, even with another store open on
 * the same file. Transactions are driven with SQL on connections left in auto-commit mode,
 * because the driver's own transactions begin deferred.
 */
final class SqliteDialect extends Dialect {
  /** SQLite's primary result codes meaning busy, locked, I/O error, full, cannot open. */
  private static final Set<Integer> UNAVAILABLE = Set.of(5, 6, 10, 13, 14, 15);

  SqliteDialect() {
    super(0, "BEGIN"); // SQLite waits on its busy timeout, set on each connection
  }

  @Override
  String name() {
    return "sqlite";
  }

  @Override
  void begin(Connection c) throws SQLException {
    writeStatement(c, "BEGIN IMMEDIATE").execute();
  }

  @Override
  void commit(Connection c) throws SQLException {
    writeStatement(c, "COMMIT").execute();
  }

  @Override
  void rollback(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      } else {
        execute(c, "ROLLBACK");
      }
    } catch (SQLException e) {
      // no transaction was open, or the connection is gone: nothing to undo either way
    }
  }

  @Override
  boolean unavailable(SQLException e) {
    return UNAVAILABLE.contains(e.getErrorCode() & 0xff) || super.unavailable(e);
  }

  @Override
  Map<CidKey, Appended> findByCid(Connection c, List<CidKey> keys) throws SQLException {
    Map<CidKey, Appended> found = new HashMap<>();
    PreparedStatement ps = writeStatement(c, "SELECT m.room, r.epoch, " + COLUMNS
        + " FROM parley_messages m JOIN parley_rooms r ON r.room = m.room"
        + " WHERE m.sender = ? AND m.cid = ?");
    for (CidKey k : keys) {
      ps.setString(1, k.sender());
      ps.setString(2, k.cid());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          Message m = message(rs, 3, rs.getString(1));
          found.put(k, new Appended(m, rs.getString(2), true));
        }
      }
    }
    return found;
  }

  /**
   * One prepared INSERT per message: its seq is its room's {@code last_seq + 1}, read in the same
   * statement, and the trigger of migration V2 ({@code parley_messages_stored}) raises the room's
   * {@code last_seq} (creating the room's row with the database's epoch) and the sender's read
   * marker. Rows of one room come in the batch's order, so their seqs are the room's next ones in
   * that order, as {@link Dialect#write} asks. Only explicit read marks take a statement more.
   */
  @Override
  Written write(Connection c, Appends appends, SortedMap<MarkerKey, Long> marks, String epoch)
      throws SQLException {
    Map<String, RoomRow> rooms = new HashMap<>();
    int inserted = 0;
    PreparedStatement ps = writeStatement(c, "INSERT INTO parley_messages"
        + " (room, seq, id, sender, name, recipient, body, ts, cid) VALUES"
        + " (?, coalesce((SELECT r.last_seq FROM parley_rooms r WHERE r.room = ?), 0) + 1,"
        + " ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender, cid) DO NOTHING"
        + " RETURNING seq, (SELECT r.epoch FROM parley_rooms r WHERE r.room = ?)");
    for (Row r : appends.rows()) {
      Message m = r.message();
      ps.setString(1, m.room());
      ps.setString(2, m.room());
      ps.setString(3, m.id());
      ps.setString(4, m.from());
      ps.setString(5, m.name());
      ps.setString(6, m.to());
      ps.setString(7, m.body());
      ps.setLong(8, m.ts());
      ps.setString(9, r.cid());
      ps.setString(10, m.room());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          // a cid already stored: the caller rolls back
          return new Written(rooms, inserted, Map.of());
        }
        String roomEpoch = rs.getString(2);
        rooms.put(m.room(), new RoomRow(rs.getLong(1), roomEpoch != null ? roomEpoch : epoch));
      }
      inserted++;
    }
    return new Written(rooms, inserted, marks.isEmpty() ? Map.of() : raiseMarkers(c, marks));
  }

  private Map<MarkerKey, Long> raiseMarkers(Connection c, SortedMap<MarkerKey, Long> markers)
      throws SQLException {
    Map<MarkerKey, Long> after = new HashMap<>();
    PreparedStatement ps = writeStatement(c,
        "INSERT INTO parley_read_markers (room, usr, seq) VALUES (?, ?, ?)"
            + " ON CONFLICT (room, usr) DO UPDATE SET seq = max(seq, excluded.seq)"
            + " RETURNING seq");
    for (Map.Entry<MarkerKey, Long> e : markers.entrySet()) {
      ps.setString(1, e.getKey().room());
      ps.setString(2, e.getKey().user());
      ps.setLong(3, e.getValue());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        after.put(e.getKey(), rs.getLong(1));
      }
    }
    return after;
  }
}
