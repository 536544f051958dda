package dev.parley.store.jdbc;

import dev.parley.core.spi.MessageStore.Appended;
import dev.parley.protocol.Message;
import dev.parley.store.jdbc.Dialect.Appends;
import dev.parley.store.jdbc.Dialect.CidKey;
import dev.parley.store.jdbc.Dialect.MarkerKey;
import dev.parley.store.jdbc.Dialect.Row;
import dev.parley.store.jdbc.Dialect.Written;
import dev.parley.store.jdbc.Write.AppendWrite;
import dev.parley.store.jdbc.Write.MarkWrite;
import dev.parley.store.jdbc.Write.SweepWrite;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One group commit's work, in a transaction the caller began and will commit: every queued write
 * in one {@link Dialect#write} (on PostgreSQL one statement), whatever their number.
 *
 * <ol>
 *   <li>Retries of one {@code (sender, cid)} within the batch collapse onto the first.</li>
 *   <li>The rest are written optimistically, as if no cid were stored yet (a retry is rare): each
 *       room's seqs are handed out in queue order, so appends issued in order are stored in
 *       order.</li>
 *   <li>If the database skipped a row because its cid is already stored (a retry, or another
 *       node's append of the same cid a moment ago), the transaction is rolled back, so no seq is
 *       burnt and nothing is half-written, and run again after looking the batch's cids up: those
 *       appends are answered as duplicates, the others stored. A whole-transaction rollback
 *       here costs what a savepoint would, without the savepoint's round trip in every batch.</li>
 *   <li>Retention by count evicts, in steps of {@code keepLast / 64} messages; an age sweep, if
 *       queued, deletes its chunk.</li>
 * </ol>
 */
final class Batch {
  /** Runs of step 3 before giving up (each turns at least one append into a duplicate). */
  private static final int MAX_ROUNDS = 8;

  private final Dialect dialect;
  private final String epoch;
  private final long keepLast;
  private final long evictionStep;

  Batch(Dialect dialect, String epoch, long keepLast) {
    this.dialect = dialect;
    this.epoch = epoch;
    this.keepLast = keepLast;
    this.evictionStep = Math.max(1, keepLast / 64);
  }

  /** What a batch did: each write's result, by index, and what it counted. */
  record Outcome(Object[] results, int stored, int duplicates) {}

  /** An append that may store: its message as the database keeps it, and its cid. */
  private record Draft(int index, Message message, String cid) {
    CidKey key() {
      return new CidKey(message.from(), cid);
    }
  }

  /**
   * Runs the writes on {@code c}, inside a transaction begun with {@link Dialect#begin} (which it
   * may roll back and begin again); the caller commits, then completes each write with its result.
   */
  Outcome run(Connection c, List<Write> writes) throws SQLException {
    Object[] results = new Object[writes.size()];
    List<Draft> drafts = new ArrayList<>();
    Map<Integer, Integer> copies = new HashMap<>(); // a retry within the batch -> its first
    Map<CidKey, Integer> firstByCid = new HashMap<>();
    SortedMap<MarkerKey, Long> marks = new TreeMap<>();
    for (int i = 0; i < writes.size(); i++) {
      Write w = writes.get(i);
      if (w instanceof AppendWrite a) {
        Message m = dialect.storable(a.append().message());
        String cid = dialect.storableCid(a.append().cid());
        Integer first = cid == null ? null : firstByCid.putIfAbsent(new CidKey(m.from(), cid), i);
        if (first != null) {
          copies.put(i, first);
        } else {
          drafts.add(new Draft(i, m, cid));
        }
      } else if (w instanceof MarkWrite m) {
        marks.merge(new MarkerKey(m.room(), m.user()), m.seq(), Math::max);
      }
    }
    int stored = 0;
    if (!drafts.isEmpty() || !marks.isEmpty()) {
      stored = write(c, drafts, new ArrayList<>(firstByCid.keySet()), marks, writes, results);
    }
    for (Map.Entry<Integer, Integer> e : copies.entrySet()) {
      Appended first = (Appended) results[e.getValue()];
      results[e.getKey()] = new Appended(first.message(), first.epoch(), true);
    }
    for (int i = 0; i < writes.size(); i++) {
      if (writes.get(i) instanceof SweepWrite s) {
        results[i] = dialect.sweep(c, s.ts(), s.limit());
      }
    }
    return new Outcome(results, stored, copies.size() + drafts.size() - stored);
  }

  /** Steps 2–4; fills the drafts' and marks' results; returns how many messages were stored. */
  private int write(Connection c, List<Draft> drafts, List<CidKey> cids,
      SortedMap<MarkerKey, Long> marks, List<Write> writes, Object[] results)
      throws SQLException {
    for (int round = 1; ; round++) {
      Map<CidKey, Appended> known = round == 1 || cids.isEmpty() ? Map.of()
          : dialect.findByCid(c, cids);
      SortedMap<String, Integer> counts = new TreeMap<>();
      List<Row> rows = new ArrayList<>();
      List<Draft> fresh = new ArrayList<>();
      for (Draft d : drafts) {
        Appended dup = d.cid() == null ? null : known.get(d.key());
        if (dup != null) {
          results[d.index()] = dup;
        } else {
          int k = counts.merge(d.message().room(), 1, Integer::sum);
          rows.add(new Row(d.message(), d.cid(), k));
          fresh.add(d);
        }
      }
      Written w = dialect.write(c, new Appends(rows, counts), marks, epoch);
      if (w.inserted() == rows.size()) {
        for (int i = 0; i < rows.size(); i++) {
          Message m = rows.get(i).message();
          long seq = w.rooms().get(m.room()).lastSeq() - counts.get(m.room()) + rows.get(i).k();
          results[fresh.get(i).index()] =
              new Appended(m.withSeq(seq), w.rooms().get(m.room()).epoch(), false);
        }
        for (int i = 0; i < writes.size(); i++) {
          if (writes.get(i) instanceof MarkWrite m) {
            results[i] = w.markers().get(new MarkerKey(m.room(), m.user()));
          }
        }
        evict(c, counts, w);
        return rows.size();
      }
      if (round == MAX_ROUNDS) {
        throw new SQLTransactionRollbackException("cid conflicts kept recurring", "40001");
      }
      // a cid is already stored; when another node stored it, its transaction has ended by now
      // (the insert waited for it), so the lookup of the next round sees it
      dialect.rollback(c);
      dialect.begin(c);
    }
  }

  /** Evicts a room's oldest messages each time it passes another step beyond {@code keepLast}. */
  private void evict(Connection c, SortedMap<String, Integer> counts, Written w)
      throws SQLException {
    if (keepLast <= 0) {
      return;
    }
    Map<String, Long> upTo = new TreeMap<>();
    counts.forEach((room, n) -> {
      long last = w.rooms().get(room).lastSeq();
      if (steps(last) > steps(last - n)) {
        upTo.put(room, last - keepLast);
      }
    });
    if (!upTo.isEmpty()) {
      dialect.evict(c, upTo);
    }
  }

  private long steps(long lastSeq) {
    return lastSeq > keepLast ? (lastSeq - keepLast + evictionStep - 1) / evictionStep : 0;
  }
}
