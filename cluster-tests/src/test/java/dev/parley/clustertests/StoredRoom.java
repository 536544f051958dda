package dev.parley.clustertests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.clustertests.ChatPeer.Delivery;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What a room's history holds in the JDBC store's own tables ({@code parley_messages}), read
 * with plain JDBC beside the nodes: the ground truth a test compares the clients' view with.
 *
 * @param jdbcUrl the database ({@code jdbc:sqlite:…} or {@code jdbc:postgresql:…})
 * @param room    the room
 * @param epoch   the room's epoch (null while it has no row)
 * @param rows    its messages, by seq
 */
record StoredRoom(String jdbcUrl, String room, String epoch, List<Row> rows) {
  /** One stored message. */
  record Row(long seq, String sender, String cid, String body) {}

  /** Reads {@code room}'s messages now. */
  static StoredRoom read(String jdbcUrl, String room) {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
         PreparedStatement st = c.prepareStatement(
             "SELECT seq, sender, cid, body FROM parley_messages WHERE room = ? ORDER BY seq");
         PreparedStatement ep = c.prepareStatement(
             "SELECT epoch FROM parley_rooms WHERE room = ?")) {
      st.setString(1, room);
      ep.setString(1, room);
      List<Row> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
      String epoch;
      try (ResultSet rs = ep.executeQuery()) {
        epoch = rs.next() ? rs.getString(1) : null;
      }
      return new StoredRoom(jdbcUrl, room, epoch, List.copyOf(rows));
    } catch (SQLException e) {
      throw new AssertionError("cannot read " + room + " from " + jdbcUrl, e);
    }
  }

  /**
   * Asserts the history is seqs 1…{@code expected} without a gap, no cid or body twice, and holds
   * every acknowledged message at the seq its ack named.
   */
  StoredRoom assertWholeOnce(int expected, List<ChatPeer> senders) {
    List<Long> seqs = rows.stream().map(Row::seq).toList();
    assertEquals(LongStream.rangeClosed(1, expected).boxed().toList(), seqs,
        room + ": seqs 1.." + expected + ", gapless, each send stored once");
    Set<String> cids = new HashSet<>();
    Set<String> bodies = new HashSet<>();
    for (Row r : rows) {
      assertTrue(r.cid() == null || cids.add(r.sender() + "/" + r.cid()), "cid twice: " + r);
      assertTrue(bodies.add(r.body()), "stored twice: " + r);
    }
    for (Delivery a : Histories.acked(room, senders)) {
      Row r = rows.get((int) a.seq() - 1);
      assertEquals(a.body(), r.body(), "the acknowledged message at seq " + a.seq());
      assertEquals(a.from(), r.sender());
      assertEquals(epoch, a.epoch(), "acknowledged in the epoch the room still has");
    }
    return this;
  }

  /** The bodies stored after {@code seq}, in seq order. */
  List<String> bodiesAfter(long seq) {
    return rows.stream().filter(r -> r.seq() > seq).map(Row::body)
        .collect(Collectors.toList());
  }
}
