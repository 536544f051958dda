package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * What differs between the databases: how a write transaction starts and ends, the statements of
 * a group commit (PostgreSQL sends each as one statement over arrays; SQLite, in process, runs a
 * prepared statement per row), which failures mean "unavailable", and per-connection settings.
 * Everything else is plain SQL both accept, here.
 *
 * <p>The schema (the migrations under {@code dev/parley/store/jdbc/migration/<name>}):
 * {@code parley_meta(name, value)} holds the database's epoch; {@code parley_rooms(room, epoch,
 * last_seq)}; {@code parley_messages(room, seq, id, sender, name, recipient, body, ts, cid)} keyed
 * by {@code (room, seq)}, unique on {@code (sender, cid)}; {@code parley_read_markers(room, usr,
 * seq)} keyed by {@code (room, usr)}.
 */
abstract class Dialect {
  /** Columns of a message, in the order {@link #message} reads them. */
  static final String COLUMNS = "m.seq, m.id, m.sender, m.name, m.recipient, m.body, m.ts";

  private final int statementTimeoutSeconds;
  private final String beginRead;
  /**
   * The writer's statements and the connection they were prepared on (the one {@link GroupCommit}
   * holds): each prepared once, not once per batch (SQLite compiles a statement's SQL each time it
   * is prepared). Writer thread only.
   */
  private Connection preparedOn;
  private final Map<String, PreparedStatement> prepared = new HashMap<>();

  /**
   * {@code beginRead} is the statement that starts a read-only transaction over one snapshot;
   * {@link #endRead} commits it.
   */
  Dialect(int statementTimeoutSeconds, String beginRead) {
    this.statementTimeoutSeconds = statementTimeoutSeconds;
    this.beginRead = beginRead;
  }

  /** The migrations' folder name. */
  abstract String name();

  /**
   * Called on every connection borrowed from the pool, before it is used. The store drives its
   * transactions itself and expects auto-commit on, whatever a pool it was given defaults to.
   */
  void onBorrow(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.setAutoCommit(true);
    }
  }

  /** Starts a write transaction: after it, no other writer can assign this room's seqs. */
  abstract void begin(Connection c) throws SQLException;

  abstract void commit(Connection c) throws SQLException;

  /** Rolls back the open write transaction, if any; never throws. */
  abstract void rollback(Connection c);

  /** Starts a read-only transaction whose reads all see one snapshot. */
  void beginRead(Connection c) throws SQLException {
    execute(c, beginRead);
  }

  /** Ends what {@link #beginRead} started. */
  void endRead(Connection c) throws SQLException {
    execute(c, "COMMIT");
  }

  /** The message as this database will store it (PostgreSQL's text cannot hold U+0000). */
  Message storable(Message m) {
    return m;
  }

  /** The cid as this database will store it. */
  String storableCid(String cid) {
    return cid;
  }

  /**
   * The stored messages of the given senders' cids, with their rooms' epochs; keys not found are
   * absent.
   */
  abstract Map<CidKey, Appended> findByCid(Connection c, List<CidKey> keys) throws SQLException;

  /**
   * Stores a batch's appends and read markers as one step, in the transaction begun by
   * {@link #begin}:
   *
   * <ol>
   *   <li>locks each room of {@code appends.counts()} in the map's order (creating its row with
   *       {@code epoch} when missing) and raises its {@code last_seq} by its count;</li>
   *   <li>inserts each row with {@code seq = last_seq - count + k}, skipping rows whose
   *       {@code (sender, cid)} is already stored;</li>
   *   <li>raises the read markers of the inserted rows' senders to their seqs, and those of
   *       {@code marks}.</li>
   * </ol>
   *
   * When {@link Written#inserted()} is less than the rows given, the caller rolls back.
   */
  abstract Written write(Connection c, Appends appends, SortedMap<MarkerKey, Long> marks,
      String epoch) throws SQLException;

  /** Deletes each room's messages with {@code seq <= upTo}. */
  void evict(Connection c, Map<String, Long> upTo) throws SQLException {
    PreparedStatement ps = writeStatement(c,
        "DELETE FROM parley_messages WHERE room = ? AND seq <= ?");
    for (Map.Entry<String, Long> e : upTo.entrySet()) {
      ps.setString(1, e.getKey());
      ps.setLong(2, e.getValue());
      ps.addBatch();
    }
    ps.executeBatch();
  }

  /** Deletes up to {@code limit} messages older than {@code ts}; returns how many. */
  int sweep(Connection c, long ts, int limit) throws SQLException {
    PreparedStatement ps = writeStatement(c, "DELETE FROM parley_messages WHERE (room, seq) IN"
        + " (SELECT room, seq FROM parley_messages WHERE ts < ? LIMIT ?)");
    ps.setLong(1, ts);
    ps.setInt(2, limit);
    return ps.executeUpdate();
  }

  /** A prepared statement with the statement timeout. */
  PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    if (statementTimeoutSeconds > 0) {
      ps.setQueryTimeout(statementTimeoutSeconds);
    }
    return ps;
  }

  /**
   * A statement of the writer's on {@code c}, prepared on the first call and kept until
   * {@link #released}: the caller must not close it. Writer thread only.
   */
  PreparedStatement writeStatement(Connection c, String sql) throws SQLException {
    if (c != preparedOn) {
      // another connection than last time: the old one went back to the pool with its
      // statements closed (released), or was never released; either way forget them here
      prepared.clear();
      preparedOn = c;
    }
    PreparedStatement ps = prepared.get(sql);
    if (ps == null) {
      ps = prepare(c, sql);
      prepared.put(sql, ps);
    }
    return ps;
  }

  /** Closes the writer's statements on {@code c}, before it goes back to the pool. */
  void released(Connection c) {
    if (c != preparedOn) {
      return;
    }
    for (PreparedStatement ps : prepared.values()) {
      try {
        ps.close();
      } catch (SQLException e) {
        // the connection is broken or closed: its statements are gone with it
      }
    }
    prepared.clear();
    preparedOn = null;
  }

  static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * Whether a failure means the database cannot serve now (down, unreachable, too slow, out of
   * resources, or a transaction lost a race it may retry), rather than a bug.
   */
  boolean unavailable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof java.sql.SQLRecoverableException
          || t instanceof java.sql.SQLNonTransientConnectionException
          || t instanceof java.io.IOException) {
        return true;
      }
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String cls = s.getSQLState().length() >= 2 ? s.getSQLState().substring(0, 2) : "";
        // connection, transaction rollback (deadlock, serialization), insufficient resources,
        // operator intervention (shutdown, cancel), system error (I/O)
        if (List.of("08", "40", "53", "57", "58").contains(cls)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether a failure is a lost race that the same transaction, run again, may win. */
  boolean retryable(SQLException e) {
    return "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
  }

  /** The message at the result's current row: {@link #COLUMNS} from column {@code at} on. */
  static Message message(ResultSet rs, int at, String room) throws SQLException {
    return new Message(rs.getString(at + 1), room, rs.getLong(at), rs.getString(at + 2),
        rs.getString(at + 3), rs.getString(at + 4), rs.getString(at + 5), rs.getLong(at + 6));
  }

  /** A sender's cid. */
  record CidKey(String sender, String cid) {}

  /** A room's row: its last seq and its epoch. */
  record RoomRow(long lastSeq, String epoch) {}

  /**
   * A message to insert as its room's {@code k}-th of this batch (from 1), with its sender's cid
   * (null when none).
   */
  record Row(Message message, String cid, int k) {}

  /** A batch's appends: the rows, and how many go to each room (sorted: the lock order). */
  record Appends(List<Row> rows, SortedMap<String, Integer> counts) {}

  /**
   * What {@link #write} did: each room's row after it, how many rows it inserted, and each read
   * marker it raised, with its value after.
   */
  record Written(Map<String, RoomRow> rooms, int inserted, Map<MarkerKey, Long> markers) {}

  /** A user's read marker in a room. */
  record MarkerKey(String room, String user) implements Comparable<MarkerKey> {
    @Override
    public int compareTo(MarkerKey o) {
      int c = room.compareTo(o.room);
      return c != 0 ? c : user.compareTo(o.user);
    }
  }
}
