package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * PostgreSQL: a group commit's write is one statement over arrays ({@code unnest}), so a batch
 * costs two round trips (the statement, the commit) whatever its size. Rooms are locked by
 * {@code INSERT ... ON CONFLICT DO UPDATE} in sorted order, so two nodes locking overlapping rooms
 * never deadlock. A cid already stored, also by another node a moment ago, is skipped by
 * {@code ON CONFLICT DO NOTHING} (which waits for that node's transaction to end); the caller then
 * rolls back and runs the batch again with that append as a duplicate, so no seq is burnt.
 */
final class PostgresDialect extends Dialect {
  private final int networkTimeoutMillis;

  PostgresDialect(int statementTimeoutSeconds) {
    super(statementTimeoutSeconds, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // past the statement timeout the server cancels; past this the network itself is presumed dead
    this.networkTimeoutMillis = (int) TimeUnit.SECONDS.toMillis(statementTimeoutSeconds + 5L);
  }

  @Override
  String name() {
    return "postgresql";
  }

  @Override
  void onBorrow(Connection c) throws SQLException {
    super.onBorrow(c);
    c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
  }

  @Override
  void begin(Connection c) throws SQLException {
    c.setAutoCommit(false);
  }

  @Override
  void commit(Connection c) throws SQLException {
    c.commit();
    c.setAutoCommit(true);
  }

  @Override
  void rollback(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      // the connection is broken; the pool drops it, the server rolls back
    }
  }

  /** PostgreSQL's text cannot hold U+0000: it becomes U+FFFD, as an unpaired surrogate does. */
  @Override
  Message storable(Message m) {
    if (m.body().indexOf('\0') < 0 && m.name().indexOf('\0') < 0) {
      return m;
    }
    return new Message(m.id(), m.room(), m.seq(), m.from(), clean(m.name()), m.to(),
        clean(m.body()), m.ts());
  }

  @Override
  String storableCid(String cid) {
    return cid == null ? null : clean(cid);
  }

  private static String clean(String s) {
    return s.replace('\0', '\uFFFD');
  }

  @Override
  Map<CidKey, Appended> findByCid(Connection c, List<CidKey> keys) throws SQLException {
    // LIMIT 1 keeps the subquery from being flattened: one index probe per key, never a scan
    String sql = "SELECT k.sender, k.cid, m.room, r.epoch, " + COLUMNS
        + " FROM unnest(?::text[], ?::text[]) AS k(sender, cid)"
        + " CROSS JOIN LATERAL (SELECT * FROM parley_messages x"
        + "   WHERE x.sender = k.sender AND x.cid = k.cid LIMIT 1) m"
        + " JOIN parley_rooms r ON r.room = m.room";
    Map<CidKey, Appended> found = new HashMap<>();
    PreparedStatement ps = writeStatement(c, sql);
    ps.setArray(1, texts(c, keys, CidKey::sender));
    ps.setArray(2, texts(c, keys, CidKey::cid));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Message m = message(rs, 5, rs.getString(3));
        found.put(new CidKey(rs.getString(1), rs.getString(2)),
            new Appended(m, rs.getString(4), true));
      }
    }
    return found;
  }

  /**
   * The whole write as one statement (one round trip, whatever the batch's size): data-modifying
   * CTEs lock and raise the rooms ({@code r}), insert the messages with the seqs that follow
   * ({@code m}), and raise the read markers of the inserted messages' senders and of the batch's
   * {@code markRead}s ({@code k}), each in sorted order so two nodes never deadlock.
   */
  private static final String WRITE = """
      WITH c AS (
        SELECT * FROM unnest(?::text[], ?::int8[]) WITH ORDINALITY AS c(room, n, o)
      ), r AS (
        INSERT INTO parley_rooms AS r (room, epoch, last_seq)
        SELECT c.room, ?, c.n FROM c ORDER BY c.o
        ON CONFLICT (room) DO UPDATE SET last_seq = r.last_seq + EXCLUDED.last_seq
        RETURNING r.room, r.last_seq, r.epoch
      ), m AS (
        INSERT INTO parley_messages (room, seq, id, sender, name, recipient, body, ts, cid)
        SELECT i.room, r.last_seq - c.n + i.k, i.id, i.sender, i.name, i.recipient, i.body, i.ts,
               i.cid
        FROM unnest(?::text[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                    ?::int8[], ?::text[]) AS i(room, k, id, sender, name, recipient, body, ts, cid)
        JOIN c ON c.room = i.room JOIN r ON r.room = i.room
        ON CONFLICT (sender, cid) DO NOTHING
        RETURNING room, seq, sender
      ), k AS (
        INSERT INTO parley_read_markers AS k (room, usr, seq)
        SELECT x.room, x.usr, max(x.seq) FROM (
          SELECT room, sender AS usr, seq FROM m
          UNION ALL
          SELECT u.room COLLATE "C", u.usr COLLATE "C", u.seq
          FROM unnest(?::text[], ?::text[], ?::int8[]) AS u(room, usr, seq)
        ) x GROUP BY x.room, x.usr ORDER BY x.room, x.usr
        ON CONFLICT (room, usr) DO UPDATE SET seq = GREATEST(k.seq, EXCLUDED.seq)
        RETURNING k.room, k.usr, k.seq
      )
      SELECT 'r', room, NULL::text, last_seq, epoch FROM r
      UNION ALL SELECT 'k', room, usr, seq, NULL FROM k
      UNION ALL SELECT 'm', NULL, NULL, count(*), NULL FROM m""";

  @Override
  Written write(Connection c, Appends appends, SortedMap<MarkerKey, Long> marks, String epoch)
      throws SQLException {
    List<String> rooms = new ArrayList<>(appends.counts().keySet());
    List<Row> rows = appends.rows();
    List<MarkerKey> keys = new ArrayList<>(marks.keySet());
    Map<String, RoomRow> after = new HashMap<>();
    Map<MarkerKey, Long> markers = new HashMap<>();
    int inserted = 0;
    PreparedStatement ps = writeStatement(c, WRITE);
    ps.setArray(1, texts(c, rooms, room -> room));
    ps.setArray(2, longs(c, rooms, room -> (long) appends.counts().get(room)));
    ps.setString(3, epoch);
    ps.setArray(4, texts(c, rows, r -> r.message().room()));
    ps.setArray(5, longs(c, rows, r -> (long) r.k()));
    ps.setArray(6, texts(c, rows, r -> r.message().id()));
    ps.setArray(7, texts(c, rows, r -> r.message().from()));
    ps.setArray(8, texts(c, rows, r -> r.message().name()));
    ps.setArray(9, texts(c, rows, r -> r.message().to()));
    ps.setArray(10, texts(c, rows, r -> r.message().body()));
    ps.setArray(11, longs(c, rows, r -> r.message().ts()));
    ps.setArray(12, texts(c, rows, Row::cid));
    ps.setArray(13, texts(c, keys, MarkerKey::room));
    ps.setArray(14, texts(c, keys, MarkerKey::user));
    ps.setArray(15, longs(c, keys, marks::get));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        switch (rs.getString(1)) {
          case "r" -> after.put(rs.getString(2), new RoomRow(rs.getLong(4), rs.getString(5)));
          case "k" -> markers.put(new MarkerKey(rs.getString(2), rs.getString(3)), rs.getLong(4));
          default -> inserted = (int) rs.getLong(4);
        }
      }
    }
    return new Written(after, inserted, markers);
  }

  private static <T> Array texts(Connection c, List<T> items, Function<T, String> f)
      throws SQLException {
    return array(c, "text", items, f, String[]::new);
  }

  private static <T> Array longs(Connection c, List<T> items, Function<T, Long> f)
      throws SQLException {
    return array(c, "int8", items, f, Long[]::new);
  }

  /** A typed array parameter: the driver picks its encoding by the Java array's element type. */
  private static <T, E> Array array(Connection c, String sqlType, List<T> items,
      Function<T, E> f, IntFunction<E[]> newArray) throws SQLException {
    E[] a = newArray.apply(items.size());
    for (int i = 0; i < a.length; i++) {
      a[i] = f.apply(items.get(i));
    }
    return c.createArrayOf(sqlType, a);
  }
}
