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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * PostgreSQL: each step of a group commit is one statement over arrays ({@code unnest}), so a
 * batch costs the same few round trips whatever its size. Rooms are locked by
 * {@code INSERT ... ON CONFLICT DO UPDATE} in sorted order, so two nodes locking overlapping rooms
 * never deadlock; a cid another node stored meanwhile is skipped by {@code ON CONFLICT DO NOTHING}
 * (which waits for that node's transaction to end), and the caller then rolls back to its
 * savepoint and retries without it, so no seq is burnt.
 */
final class PostgresDialect extends Dialect {
  private final int networkTimeoutMillis;

  PostgresDialect(int statementTimeoutSeconds) {
    super(statementTimeoutSeconds);
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

  @Override
  void beginRead(Connection c) throws SQLException {
    execute(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
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
    try (PreparedStatement ps = prepare(c, sql)) {
      ps.setArray(1, texts(c, keys, CidKey::sender));
      ps.setArray(2, texts(c, keys, CidKey::cid));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Message m = message(rs, 5, rs.getString(3));
          found.put(new CidKey(rs.getString(1), rs.getString(2)),
              new Appended(m, rs.getString(4), true));
        }
      }
    }
    return found;
  }

  @Override
  Map<String, RoomRow> reserve(Connection c, SortedMap<String, Integer> counts, String epoch)
      throws SQLException {
    String sql = "INSERT INTO parley_rooms AS r (room, epoch, last_seq)"
        + " SELECT u.room, ?, u.n FROM unnest(?::text[], ?::int8[]) WITH ORDINALITY AS u(room, n, i)"
        + " ORDER BY u.i"
        + " ON CONFLICT (room) DO UPDATE SET last_seq = r.last_seq + EXCLUDED.last_seq"
        + " RETURNING r.room, r.last_seq, r.epoch";
    List<String> rooms = new ArrayList<>(counts.keySet());
    Long[] ns = new Long[rooms.size()];
    for (int i = 0; i < ns.length; i++) {
      ns[i] = (long) counts.get(rooms.get(i));
    }
    Map<String, RoomRow> rows = new HashMap<>();
    try (PreparedStatement ps = prepare(c, sql)) {
      ps.setString(1, epoch);
      ps.setArray(2, c.createArrayOf("text", rooms.toArray()));
      ps.setArray(3, c.createArrayOf("int8", ns));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.put(rs.getString(1), new RoomRow(rs.getLong(2), rs.getString(3)));
        }
      }
    }
    return rows;
  }

  @Override
  List<Stored> insert(Connection c, List<Stored> rows) throws SQLException {
    String sql = "INSERT INTO parley_messages"
        + " (room, seq, id, sender, name, recipient, body, ts, cid)"
        + " SELECT * FROM unnest(?::text[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[],"
        + " ?::text[], ?::int8[], ?::text[])"
        + " ON CONFLICT (sender, cid) DO NOTHING RETURNING room, seq";
    Set<String> inserted = new HashSet<>();
    try (PreparedStatement ps = prepare(c, sql)) {
      ps.setArray(1, texts(c, rows, r -> r.message().room()));
      ps.setArray(2, longs(c, rows, r -> r.message().seq()));
      ps.setArray(3, texts(c, rows, r -> r.message().id()));
      ps.setArray(4, texts(c, rows, r -> r.message().from()));
      ps.setArray(5, texts(c, rows, r -> r.message().name()));
      ps.setArray(6, texts(c, rows, r -> r.message().to()));
      ps.setArray(7, texts(c, rows, r -> r.message().body()));
      ps.setArray(8, longs(c, rows, r -> r.message().ts()));
      ps.setArray(9, texts(c, rows, Stored::cid));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1) + '\0' + rs.getLong(2));
        }
      }
    }
    if (inserted.size() == rows.size()) {
      return List.of();
    }
    List<Stored> skipped = new ArrayList<>();
    for (Stored r : rows) {
      if (!inserted.contains(r.message().room() + '\0' + r.message().seq())) {
        skipped.add(r);
      }
    }
    return skipped;
  }

  @Override
  Map<MarkerKey, Long> raiseMarkers(Connection c, SortedMap<MarkerKey, Long> markers)
      throws SQLException {
    String sql = "INSERT INTO parley_read_markers AS k (room, usr, seq)"
        + " SELECT u.room, u.usr, u.seq"
        + " FROM unnest(?::text[], ?::text[], ?::int8[]) WITH ORDINALITY AS u(room, usr, seq, i)"
        + " ORDER BY u.i"
        + " ON CONFLICT (room, usr) DO UPDATE SET seq = GREATEST(k.seq, EXCLUDED.seq)"
        + " RETURNING k.room, k.usr, k.seq";
    List<MarkerKey> keys = new ArrayList<>(markers.keySet());
    Map<MarkerKey, Long> after = new HashMap<>();
    try (PreparedStatement ps = prepare(c, sql)) {
      ps.setArray(1, texts(c, keys, MarkerKey::room));
      ps.setArray(2, texts(c, keys, MarkerKey::user));
      ps.setArray(3, longs(c, keys, markers::get));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          after.put(new MarkerKey(rs.getString(1), rs.getString(2)), rs.getLong(3));
        }
      }
    }
    return after;
  }

  private static <T> Array texts(Connection c, List<T> items, Function<T, String> f)
      throws SQLException {
    String[] a = new String[items.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = f.apply(items.get(i));
    }
    return c.createArrayOf("text", a);
  }

  private static <T> Array longs(Connection c, List<T> items, Function<T, Long> f)
      throws SQLException {
    Long[] a = new Long[items.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = f.apply(items.get(i));
    }
    return c.createArrayOf("int8", a);
  }
}
