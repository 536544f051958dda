package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import dev.parley.store.jdbc.Dialect.CidKey;
import dev.parley.store.jdbc.Dialect.MarkerKey;
import dev.parley.store.jdbc.Dialect.RoomRow;
import dev.parley.store.jdbc.Dialect.Stored;
import dev.parley.store.jdbc.Write.AppendWrite;
import dev.parley.store.jdbc.Write.MarkWrite;
import dev.parley.store.jdbc.Write.SweepWrite;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One group commit's work, inside a transaction the caller began and will commit: every queued
 * write in a handful of statements, whatever their number.
 *
 * <ol>
 *   <li>Retries of one {@code (sender, cid)} within the batch collapse onto the first.</li>
 *   <li>Cids already stored are looked up: those appends are duplicates and store nothing.</li>
 *   <li>The rooms of the rest are locked (created when new) and their {@code last_seq} raised by
 *       their count at once; seqs are handed out in queue order, so appends issued in order are
 *       stored in order.</li>
 *   <li>The messages go in. If one was skipped because another node stored the same cid
 *       meanwhile, everything since the savepoint is rolled back (no seq is burnt, none left
 *       out) and steps 2–4 run again: that cid is now a duplicate.</li>
 *   <li>Read markers (the senders', and {@code markRead}s) are raised; retention by count
 *       evicts; an age sweep, if queued, deletes its chunk.</li>
 * </ol>
 */
final class Batch {
  /** Rounds of step 4 before giving up (each round turns at least one append into a duplicate). */
  private static final int MAX_ROUNDS = 8;

  private final Dialect dialect;
  private final String epoch;
  private final long keepLast;

  Batch(Dialect dialect, String epoch, long keepLast) {
    this.dialect = dialect;
    this.epoch = epoch;
    this.keepLast = keepLast;
  }

  /** What a batch did: each write's result, by index, and what it counted. */
  record Outcome(Object[] results, int stored, int duplicates) {}

  /** Runs the writes on {@code c}; the caller commits, then completes each write with its result. */
  Outcome run(Connection c, List<Write> writes) throws SQLException {
    Object[] results = new Object[writes.size()];
    Map<Integer, Stored> drafts = new LinkedHashMap<>(); // the appends that may store, by index
    Map<Integer, Integer> copies = new HashMap<>();      // a retry within the batch -> its first
    Map<CidKey, Integer> firstByCid = new HashMap<>();
    for (int i = 0; i < writes.size(); i++) {
      if (writes.get(i) instanceof AppendWrite a) {
        Message m = dialect.storable(a.append().message());
        String cid = dialect.storableCid(a.append().cid());
        Integer first = cid == null ? null : firstByCid.putIfAbsent(new CidKey(m.from(), cid), i);
        if (first != null) {
          copies.put(i, first);
        } else {
          drafts.put(i, new Stored(m, cid));
        }
      }
    }
    int stored = drafts.isEmpty() ? 0 : append(c, drafts, firstByCid, results);
    int duplicates = copies.size() + drafts.size() - stored;
    for (Map.Entry<Integer, Integer> e : copies.entrySet()) {
      Appended first = (Appended) results[e.getValue()];
      results[e.getKey()] = new Appended(first.message(), first.epoch(), true);
    }
    raiseMarkers(c, writes, drafts, results);
    for (int i = 0; i < writes.size(); i++) {
      if (writes.get(i) instanceof SweepWrite s) {
        results[i] = dialect.sweep(c, s.ts(), s.limit());
      }
    }
    return new Outcome(results, stored, duplicates);
  }

  /** Steps 2–4 and retention; fills {@code results} of the drafts; returns how many were stored. */
  private int append(Connection c, Map<Integer, Stored> drafts, Map<CidKey, Integer> cids,
      Object[] results) throws SQLException {
    for (int round = 1; ; round++) {
      if (!cids.isEmpty()) {
        Dialect.execute(c, "SAVEPOINT parley_batch");
      }
      Map<CidKey, Appended> known = cids.isEmpty() ? Map.of()
          : dialect.findByCid(c, new ArrayList<>(cids.keySet()));
      SortedMap<String, Integer> counts = new TreeMap<>();
      for (Stored d : drafts.values()) {
        if (d.cid() == null || !known.containsKey(key(d))) {
          counts.merge(d.message().room(), 1, Integer::sum);
        }
      }
      Map<String, RoomRow> rooms = counts.isEmpty() ? Map.of() : dialect.reserve(c, counts, epoch);
      Map<String, Long> next = new HashMap<>();
      counts.forEach((room, n) -> next.put(room, rooms.get(room).lastSeq() - n + 1));
      List<Stored> rows = new ArrayList<>();
      for (Map.Entry<Integer, Stored> e : drafts.entrySet()) {
        Stored d = e.getValue();
        Appended dup = d.cid() == null ? null : known.get(key(d));
        if (dup != null) {
          results[e.getKey()] = dup;
        } else {
          String room = d.message().room();
          Message m = d.message().withSeq(next.merge(room, 1L, Long::sum) - 1);
          rows.add(new Stored(m, d.cid()));
          results[e.getKey()] = new Appended(m, rooms.get(room).epoch(), false);
        }
      }
      if (rows.isEmpty() || dialect.insert(c, rows).isEmpty()) {
        evict(c, counts.keySet(), rooms);
        return rows.size();
      }
      if (round == MAX_ROUNDS) {
        throw new SQLTransactionRollbackException("cid conflicts kept recurring", "40001");
      }
      // another node stored one of these cids meanwhile; its transaction has ended, so the next
      // lookup sees it
      Dialect.execute(c, "ROLLBACK TO SAVEPOINT parley_batch");
    }
  }

  private static CidKey key(Stored d) {
    return new CidKey(d.message().from(), d.cid());
  }

  private void evict(Connection c, Iterable<String> touched, Map<String, RoomRow> rooms)
      throws SQLException {
    if (keepLast <= 0) {
      return;
    }
    Map<String, Long> upTo = new TreeMap<>();
    for (String room : touched) {
      long last = rooms.get(room).lastSeq();
      if (last > keepLast) {
        upTo.put(room, last - keepLast);
      }
    }
    if (!upTo.isEmpty()) {
      dialect.evict(c, upTo);
    }
  }

  /** The senders of stored messages have read up to them; markRead raises markers; never lower. */
  private void raiseMarkers(Connection c, List<Write> writes, Map<Integer, Stored> drafts,
      Object[] results) throws SQLException {
    SortedMap<MarkerKey, Long> markers = new TreeMap<>();
    for (Integer i : drafts.keySet()) {
      Appended a = (Appended) results[i];
      if (!a.duplicate()) {
        markers.merge(new MarkerKey(a.message().room(), a.message().from()), a.message().seq(),
            Math::max);
      }
    }
    for (Write w : writes) {
      if (w instanceof MarkWrite m) {
        markers.merge(new MarkerKey(m.room(), m.user()), m.seq(), Math::max);
      }
    }
    if (markers.isEmpty()) {
      return;
    }
    Map<MarkerKey, Long> after = dialect.raiseMarkers(c, markers);
    for (int i = 0; i < writes.size(); i++) {
      if (writes.get(i) instanceof MarkWrite m) {
        results[i] = after.get(new MarkerKey(m.room(), m.user()));
      }
    }
  }
}
