package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore.Position;
import dev.parley.core.spi.MessageStore.Range;
import dev.parley.protocol.Message;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The read queries, the same SQL on every database; each runs on a connection it is given. */
final class Reads {
  private final Dialect dialect;
  private final String epoch;

  Reads(Dialect dialect, String epoch) {
    this.dialect = dialect;
    this.epoch = epoch;
  }

  /**
   * A room without a row (it never had a message) is at seq 0 in the database's epoch, which its
   * first message will also have: the row is created with it.
   */
  Position position(Connection c, String room) throws SQLException {
    Position p = row(c, room);
    return p != null ? p : new Position(0, epoch);
  }

  /** The room's row as a position, null when it has none. */
  private Position row(Connection c, String room) throws SQLException {
    try (PreparedStatement ps = dialect.prepare(c,
        "SELECT last_seq, epoch FROM parley_rooms WHERE room = ?")) {
      ps.setString(1, room);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Position(rs.getLong(1), rs.getString(2)) : null;
      }
    }
  }

  Range after(Connection c, String room, long afterSeq, int limit) throws SQLException {
    dialect.beginRead(c); // the position and the messages from one snapshot
    try {
      Position pos = row(c, room);
      if (pos == null) {
        dialect.endRead(c);
        return new Range(List.of(), afterSeq == 0, new Position(0, epoch));
      }
      if (afterSeq >= pos.seq()) {
        dialect.endRead(c);
        return new Range(List.of(), true, pos);
      }
      List<Message> out = new ArrayList<>();
      try (PreparedStatement ps = dialect.prepare(c, "SELECT " + Dialect.COLUMNS
          + " FROM parley_messages m WHERE m.room = ? AND m.seq > ? ORDER BY m.seq LIMIT ?")) {
        ps.setString(1, room);
        ps.setLong(2, afterSeq);
        ps.setInt(3, Math.max(limit, 1)); // one row even for limit 0: it tells if there is a gap
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(Dialect.message(rs, 1, room));
          }
        }
      }
      dialect.endRead(c);
      // seqs are gapless as stored, so the range is complete iff it starts right after afterSeq
      boolean complete = !out.isEmpty() && out.get(0).seq() == afterSeq + 1;
      return new Range(out.subList(0, Math.min(limit, out.size())), complete, pos);
    } catch (SQLException | RuntimeException e) {
      try {
        Dialect.execute(c, "ROLLBACK");
      } catch (SQLException ignored) {
        // nothing open, or the connection is gone
      }
      throw e;
    }
  }

  List<Message> before(Connection c, String room, long beforeSeq, int limit) throws SQLException {
    List<Message> out = new ArrayList<>();
    try (PreparedStatement ps = dialect.prepare(c, "SELECT " + Dialect.COLUMNS
        + " FROM parley_messages m WHERE m.room = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?")) {
      ps.setString(1, room);
      ps.setLong(2, beforeSeq);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(Dialect.message(rs, 1, room));
        }
      }
    }
    Collections.reverse(out);
    return out;
  }

  long lastRead(Connection c, String room, String user) throws SQLException {
    try (PreparedStatement ps = dialect.prepare(c,
        "SELECT seq FROM parley_read_markers WHERE room = ? AND usr = ?")) {
      ps.setString(1, room);
      ps.setString(2, user);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}
