package dev.parley.core;

import dev.parley.core.Member.Kind;
import dev.parley.protocol.Protocol;
import dev.parley.protocol.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * One room's presence news, coalesced when it comes fast in a big room (from the server's
 * {@code presenceFromMembers} members here): news that follows other news within
 * the server's presence window waits for the window's end and then goes to the room's members
 * together, in the order it came; news after a quiet window goes out at once. Whatever else the
 * room sends its members (a message, typing, a read marker) first sends the news waiting, so
 * presence keeps its place among a room's frames. A member hears only news that came after it
 * joined (what came before is in its {@code joined}). A member that asked for batches ({@code join} with
 * {@code "presence":"batch"}) gets one {@code presence} frame listing them all; the others get one
 * frame per user, as v1 always sent, but all in one go, so a transport writes them together. So
 * a join storm costs each member one write per window instead of one per join. Used only on the
 * room's {@link Serial}.
 */
final class PresenceBatch {
  private final RoomState room;
  /** The news waiting, in the order it came. */
  private final List<News> waiting = new ArrayList<>();
  private boolean armed;
  /** How many pieces of news this room has had; numbers them. */
  private long count;
  /** When news last went out ({@code System.nanoTime()}). */
  private long lastSent = System.nanoTime() - Long.MAX_VALUE / 2;

  record News(User user, boolean joined, long n) {}

  PresenceBatch(RoomState room) {
    this.room = room;
  }

  /** The number of the latest news: a member joining now hears only news after it. */
  long count() {
    return count;
  }

  /** News of a user: at once after a quiet window, else with the window's batch. */
  void add(User user, boolean joined) {
    News news = new News(user, joined, ++count);
    long window = room.members.size() >= room.engine.presenceFromMembers
        ? room.engine.presenceWindow.toNanos() : 0;
    long now = System.nanoTime();
    if (!armed && now - lastSent >= window) {
      lastSent = now;
      send(List.of(news));
      return;
    }
    if (room.members.isEmpty()) {
      return; // nobody here to tell
    }
    waiting.add(news);
    if (!armed) {
      armed = true;
      try {
        room.engine.schedule(Duration.ofNanos(lastSent + window - now),
            () -> room.serial.execute(this::flush));
      } catch (RejectedExecutionException closing) {
        flush(); // the server is closing: no window to wait for
      }
    }
  }

  /** Whether no news waits for members here (the room stays until it went out). */
  boolean idle() {
    return !armed || room.members.isEmpty();
  }

  /** Sends the news waiting now, before another frame of the room goes out. */
  void drain() {
    if (waiting.isEmpty()) {
      return;
    }
    List<News> news = new ArrayList<>(waiting);
    waiting.clear();
    lastSent = System.nanoTime();
    send(news);
  }

  private void flush() {
    armed = false;
    drain();
    room.maybeRetire();
  }

  private void send(List<News> news) {
    String batch = null;
    boolean each = false;
    for (Member m : room.members.values()) {
      if (m.session.protocol != Protocol.V1) {
        continue;
      }
      if (!m.batchPresence) {
        each = true;
        continue;
      }
      List<News> forIt = others(news, m);
      if (forIt.size() == news.size()) {
        if (batch == null) {
          batch = Codec.presenceBatch(room.name, news);
        }
        m.push(batch, 0, Kind.OTHER);
      } else if (!forIt.isEmpty()) {
        m.push(Codec.presenceBatch(room.name, forIt), 0, Kind.OTHER);
      }
    }
    if (!each) {
      return;
    }
    // one piece of news to every member, then the next: each member still hears them in order,
    // and a transport that keeps the last frame it encoded (Netty's WireFrames) encodes each
    // frame once, not once per member (a window's batch, member by member, did that)
    for (News n : news) {
      String frame = Codec.presence(room.name, n.user(), n.joined());
      for (Member m : room.members.values()) {
        if (m.session.protocol == Protocol.V1 && !m.batchPresence && heard(n, m)) {
          m.push(frame, 0, Kind.OTHER);
        }
      }
    }
  }

  /** The news a member receives: not about its own user, and none from before it joined. */
  private static List<News> others(List<News> news, Member m) {
    for (News n : news) {
      if (!heard(n, m)) {
        List<News> out = new ArrayList<>(news);
        out.removeIf(x -> !heard(x, m));
        return out;
      }
    }
    return news;
  }

  private static boolean heard(News n, Member m) {
    return n.n() > m.presenceFrom && !n.user().id().equals(m.session.user.id());
  }
}
