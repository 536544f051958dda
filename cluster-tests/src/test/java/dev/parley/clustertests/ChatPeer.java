package dev.parley.clustertests;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.protocol.TextListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A chat client for the cluster tests, on the JDK's WebSocket, that resumes as docs/PROTOCOL.md's
 * worked example does (each room's last {@code seq} and {@code epoch}; sends kept by {@code cid}
 * until acknowledged and sent again after a reconnect), and that checks every delivery as it
 * arrives: per room, within an epoch, each {@code message} or {@code ack} must carry the next
 * {@code seq}; a smaller one is a duplicate, a larger one a gap, another epoch without a
 * {@code joined} {@code recovered:false} first a silent gap. Each is recorded as a violation, so
 * a test asserts {@link #violations()} is empty at the end.
 *
 * <h2>Lifecycle</h2>
 * {@link #connect} opens a connection and waits for {@code welcome}. Sends made while the
 * connection is down stay pending. {@link #resumeOn} opens a new connection (to any node),
 * joins every room again with {@code since} and {@code epoch} and sends what is pending again.
 * {@link #close()} drops the connection. Frames of a connection that was replaced are ignored.
 * Thread-safe: frames are handled under this object's lock, and waits use it.
 */
final class ChatPeer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** One message as this peer received it: a {@code message}, or an {@code ack} of its own. */
  record Delivery(String room, String epoch, long seq, String from, String body, boolean ack) {}

  /** What a peer knows of one room. */
  static final class RoomLog {
    String epoch;
    long seq = -1;
    boolean mayJump;
    int recoveredFalse;
    final List<Delivery> deliveries = new ArrayList<>();
  }

  final String user;
  private Link link;
  private final Map<String, RoomLog> rooms = new LinkedHashMap<>();
  /** Rooms joined (and direct rooms seen): joined again on a resume. */
  private final List<String> joined = new ArrayList<>();
  private final Map<String, JsonObject> pending = new LinkedHashMap<>();
  private final Map<String, Delivery> acked = new HashMap<>();
  private final List<String> errors = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final List<JsonObject> frames = new ArrayList<>();
  private int cids;

  private ChatPeer(String user) {
    this.user = user;
  }

  /** Connects as {@code user} to a node's endpoint and waits for {@code welcome}. */
  static ChatPeer connect(URI endpoint, String user) {
    ChatPeer p = new ChatPeer(user);
    p.open(endpoint);
    p.ready();
    return p;
  }

  /** A peer with no connection, fed frames by {@link #receive}: for testing the checks. */
  static ChatPeer offline(String user) {
    ChatPeer p = new ChatPeer(user);
    p.link = p.new Link();
    return p;
  }

  /** Handles {@code json} as if the current connection had received it. */
  void receive(String json) {
    handle(link, JsonParser.parseString(json).getAsJsonObject());
  }

  /** Connects as {@code user} where the node must refuse it; returns the close code. */
  static int refusedWith(URI endpoint, String user) {
    ChatPeer p = new ChatPeer(user);
    try {
      p.open(endpoint);
    } catch (AssertionError expected) {
      return p.awaitClosed();
    }
    p.close();
    throw new AssertionError(user + " was welcomed by " + endpoint);
  }

  /** Opens a connection; sends wait (pending) until {@code ready} is set, after any rejoins. */
  private void open(URI endpoint) {
    Link l = new Link();
    synchronized (this) {
      link = l;
    }
    HTTP.newWebSocketBuilder().subprotocols("parley.v1").connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(endpoint + "?name=" + user), l)
        .whenComplete((ws, e) -> {
          if (e != null) {
            l.welcome.completeExceptionally(e);
            l.closed.complete(1006);
          }
        });
    get(l.welcome, user + " welcomed by " + endpoint);
  }

  private synchronized void ready() {
    link.ready = true;
  }

  // ---- what the peer sends ---------------------------------------------------------------------

  /** Joins {@code room} (fresh: live from now on) and returns the {@code joined} frame. */
  JsonObject join(String room) {
    int mark;
    synchronized (this) {
      mark = frames.size();
      if (!joined.contains(room)) {
        joined.add(room);
      }
      transmit(joinFrame(room));
    }
    return awaitFrame(mark, f -> type(f, "joined") && room.equals(str(f, "room")), "joined "
        + room);
  }

  /** Sends a {@code join} without waiting for its answer. */
  synchronized void joinAsync(String room) {
    transmit(joinFrame(room));
  }

  private JsonObject joinFrame(String room) {
    RoomLog r = rooms.get(room);
    JsonObject f = frame("type", "join", "room", room);
    if (r != null && r.epoch != null) {
      f.addProperty("since", r.seq);
      f.addProperty("epoch", r.epoch);
    }
    return f;
  }

  /** Sends {@code body} to a room with a fresh cid, kept until acknowledged; returns the cid. */
  synchronized String send(String room, String body) {
    return keep(frame("type", "send", "room", room, "body", body));
  }

  /** Sends a direct message to {@code to}. */
  synchronized String sendDirect(String to, String body) {
    return keep(frame("type", "send", "to", to, "body", body));
  }

  private String keep(JsonObject f) {
    String cid = user + "-" + (++cids);
    f.addProperty("cid", cid);
    pending.put(cid, f);
    transmit(f);
    return cid;
  }

  /**
   * Sends {@code body} to a room, then stops hearing this connection, as if it died with the
   * frame on its way: the {@code ack} (and anything after it) is lost, the send stays pending and
   * is retried with the same cid by the next {@link #resumeOn}. Returns the cid.
   */
  synchronized String sendThenGoDeaf(String room, String body) {
    Link l = link;
    String cid = send(room, body);
    l.deaf = true;
    return cid;
  }

  /** Sends {@code frame} as it is (a test's own frame: an old cid again, say). */
  synchronized void sendFrame(JsonObject frame) {
    transmit(frame);
  }

  /** Sends every unacknowledged send again (same cid: stored once). */
  synchronized void retryPending() {
    pending.values().forEach(this::transmit);
  }

  synchronized void typing(String room) {
    transmit(frame("type", "typing", "room", room));
  }

  synchronized void read(String room, long seq) {
    transmit(frame("type", "read", "room", room, "seq", seq));
  }

  /** A ping answered: everything sent before it was handled by the node. */
  void roundTrip() {
    int mark;
    synchronized (this) {
      mark = frames.size();
      transmit(frame("type", "ping"));
    }
    awaitFrame(mark, f -> type(f, "pong"), "pong");
  }

  /**
   * Reconnects to {@code endpoint}, joins every room again with {@code since} and {@code epoch},
   * sends what is pending again, and waits for every {@code joined}.
   */
  void resumeOn(URI endpoint) {
    synchronized (this) {
      if (link != null) {
        link.abort();
      }
    }
    open(endpoint);
    int mark;
    List<String> again;
    synchronized (this) {
      mark = frames.size();
      again = List.copyOf(joined);
      link.ready = true; // as a page's onopen: the rejoins go first, then what is pending
      for (String room : again) {
        transmit(joinFrame(room));
      }
      retryPending();
    }
    for (String room : again) {
      awaitFrame(mark, f -> type(f, "joined") && room.equals(str(f, "room")), "rejoined " + room);
    }
  }

  private void transmit(JsonObject f) {
    Link l = link;
    if (l != null && l.ready && !l.closed.isDone()) {
      String text = f.toString();
      l.chain = l.chain
          .thenCompose(v -> l.socket().sendText(text, true).thenApply(ws -> (Void) null))
          .exceptionally(e -> null); // a dropped connection: the send stays pending
    }
  }

  // ---- what arrives ----------------------------------------------------------------------------

  private synchronized void handle(Link from, JsonObject f) {
    if (from != link || from.deaf) {
      return; // a replaced connection, or one that stopped delivering
    }
    frames.add(f);
    switch (str(f, "type")) {
      case "welcome" -> from.welcome.complete(null);
      case "joined" -> joined(f);
      case "message" -> delivered(f, false);
      case "ack" -> delivered(f, true);
      case "error" -> {
        if (f.has("cid") && pending.containsKey(str(f, "cid"))) {
          errors.add(str(f, "cid") + ":" + str(f, "code"));
        }
      }
      default -> { } // presence, typing, read, pong, history: read through frames()
    }
    notifyAll();
  }

  private void joined(JsonObject f) {
    RoomLog r = rooms.computeIfAbsent(str(f, "room"), k -> new RoomLog());
    String epoch = str(f, "epoch");
    long seq = f.get("seq").getAsLong();
    JsonElement recovered = f.get("recovered");
    if (recovered == null) { // no since: live from here
      if (r.epoch == null) {
        r.epoch = epoch;
        r.seq = seq;
      } else if (!r.epoch.equals(epoch)) {
        violation("a fresh joined of " + f + " in another epoch than " + r.epoch);
      }
    } else if (recovered.getAsBoolean()) {
      if (!epoch.equals(r.epoch)) {
        violation("recovered:true in another epoch: " + f + " (had " + r.epoch + ")");
      }
    } else {
      r.recoveredFalse++;
      if (!epoch.equals(r.epoch)) { // a new history: nothing before seq is replayed
        r.epoch = epoch;
        r.seq = seq;
      } else {
        r.mayJump = true; // evicted: what remains is replayed
      }
    }
  }

  private void delivered(JsonObject f, boolean ack) {
    String room = str(f, "room");
    String epoch = str(f, "epoch");
    long seq = f.get("seq").getAsLong();
    String body;
    if (ack) {
      String cid = str(f, "cid");
      JsonObject sent = pending.remove(cid);
      if (sent == null) {
        Delivery first = acked.get(cid);
        if (first == null || first.seq() != seq || !first.epoch().equals(epoch)) {
          violation("an ack of nothing pending, or not the first ack: " + f);
        }
        return;
      }
      body = str(sent, "body");
      acked.put(cid, new Delivery(room, epoch, seq, user, body, true));
    } else {
      body = str(f, "body");
    }
    RoomLog r = rooms.computeIfAbsent(room, k -> new RoomLog());
    if (r.epoch == null) { // a direct room this peer had not seen: it starts at its first message
      r.epoch = epoch;
      r.seq = 0;
      if (!joined.contains(room)) {
        joined.add(room);
      }
    }
    if (!epoch.equals(r.epoch)) {
      violation("a silent epoch change in " + room + ": " + f + " while at " + r.epoch);
      r.epoch = epoch;
      r.seq = seq;
      r.deliveries.add(new Delivery(room, epoch, seq, str(f, "from"), body, ack));
      return;
    }
    if (seq <= r.seq) {
      if (ack && r.deliveries.stream().anyMatch(d -> d.seq() == seq && d.epoch().equals(epoch)
          && d.body().equals(body))) {
        return; // the answer to a retry of a send already received as a message
      }
      violation("a duplicate or old seq in " + room + ": " + f + " while at " + r.seq);
      return;
    }
    if (seq != r.seq + 1 && !r.mayJump) {
      violation("a gap in " + room + ": expected seq " + (r.seq + 1) + ", got " + f);
    }
    r.mayJump = false;
    r.seq = seq;
    r.deliveries.add(new Delivery(room, epoch, seq, ack ? user : str(f, "from"), body, ack));
  }

  private void violation(String what) {
    violations.add(user + ": " + what);
  }

  // ---- what the test reads ---------------------------------------------------------------------

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  /** The messages received in {@code room}, in arrival order. */
  synchronized List<Delivery> deliveries(String room) {
    RoomLog r = rooms.get(room);
    return r == null ? List.of() : List.copyOf(r.deliveries);
  }

  /** How many times {@code joined} said {@code recovered:false} for {@code room}. */
  synchronized int recoveredFalse(String room) {
    RoomLog r = rooms.get(room);
    return r == null ? 0 : r.recoveredFalse;
  }

  /** The last seq and epoch this peer has of {@code room}. */
  synchronized long seq(String room) {
    return rooms.get(room).seq;
  }

  /** The last seq received in {@code room} in {@code epoch}; -1 when in another epoch. */
  synchronized long seqOf(String room, String epoch) {
    RoomLog r = rooms.get(room);
    if (r == null) {
      return -1;
    }
    if (epoch.equals(r.epoch)) {
      return r.seq;
    }
    return r.deliveries.stream().filter(d -> d.epoch().equals(epoch)).mapToLong(Delivery::seq)
        .max().orElse(-1);
  }

  synchronized String epoch(String room) {
    return rooms.get(room).epoch;
  }

  synchronized Map<String, Delivery> acked() {
    return Map.copyOf(acked);
  }

  synchronized List<String> pending() {
    return List.copyOf(pending.keySet());
  }

  /** {@code cid:code} of every error that answered a pending send. */
  synchronized List<String> errors() {
    return List.copyOf(errors);
  }

  synchronized int frameCount() {
    return frames.size();
  }

  /** Frames received from index {@code from} on that match. */
  synchronized List<JsonObject> frames(int from, Predicate<JsonObject> p) {
    return frames.subList(from, frames.size()).stream().filter(p).toList();
  }

  /** Waits for a frame from index {@code from} on that matches; returns the first. */
  JsonObject awaitFrame(int from, Predicate<JsonObject> p, String what) {
    JsonObject[] found = new JsonObject[1];
    await(what, () -> {
      List<JsonObject> m = frames(from, p);
      found[0] = m.isEmpty() ? null : m.get(0);
      return found[0] != null;
    });
    return found[0];
  }

  /** Waits until {@code condition} (read under this peer's lock) holds. */
  void await(String what, BooleanSupplier condition) {
    await(what, condition, WAIT);
  }

  /** Waits at most {@code within} until {@code condition} holds. */
  void await(String what, BooleanSupplier condition, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    synchronized (this) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(user + ": not within " + within + ": " + what + "; last frames "
              + frames.subList(Math.max(0, frames.size() - 5), frames.size()));
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 100_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Waits until the current connection has ended (its node died, or closed it). */
  int awaitClosed() {
    Link l;
    synchronized (this) {
      l = link;
    }
    return get(l.closed, user + "'s connection to end");
  }

  /** Closes the connection with a close frame (1000). */
  void leave() {
    Link l;
    synchronized (this) {
      l = link;
    }
    WebSocket w = l.socket();
    if (w != null) {
      w.sendClose(1000, "bye");
    }
  }

  /** Drops the connection. */
  @Override
  public void close() {
    Link l;
    synchronized (this) {
      l = link;
    }
    if (l != null) {
      l.abort();
    }
  }

  @Override
  public String toString() {
    return "ChatPeer[" + user + "]";
  }

  static boolean type(JsonObject f, String type) {
    return type.equals(str(f, "type"));
  }

  static String str(JsonObject f, String key) {
    JsonElement e = f.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static JsonObject frame(Object... kv) {
    return dev.parley.testing.Json.object(kv);
  }

  private static <T> T get(CompletableFuture<T> f, String what) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (Exception e) {
      throw new AssertionError("not within " + WAIT + ": " + what + ": " + e, e);
    }
  }

  /** One connection; frames of a replaced one are ignored. */
  private final class Link extends TextListener {
    final CompletableFuture<Void> welcome = new CompletableFuture<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** Welcomed, and rejoined what the peer is in: sends go out. */
    boolean ready;
    /** Its frames are no longer heard ({@link #sendThenGoDeaf}). */
    boolean deaf;
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);

    @Override
    protected void onMessage(String text) {
      handle(this, JsonParser.parseString(text).getAsJsonObject());
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ended(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended(1006);
    }

    private void ended(int code) {
      closed.complete(code);
      welcome.completeExceptionally(new IllegalStateException("closed with " + code));
      synchronized (ChatPeer.this) {
        ChatPeer.this.notifyAll();
      }
    }

    void abort() {
      WebSocket w = socket();
      if (w != null) {
        w.abort();
      }
      ended(1006);
    }
  }
}
