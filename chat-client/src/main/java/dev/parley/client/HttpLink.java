package dev.parley.client;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parley.protocol.EventStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection over the HTTP fallback: the first stream (or poll) opens the session and brings
 * its {@code welcome}; a stream (or a loop of polls) reads its numbered frames and, when it
 * breaks, starts again after the last one it got
 * (nothing lost, nothing repeated); frames to send wait in a queue and go out in POSTs numbered
 * by their first frame, one POST at a time, retried as they were when a request fails (the server
 * applies each once). A stream or POST that cannot be made again within {@link #RETRY_WINDOW},
 * or a session the server no longer holds (404), fails the connection.
 *
 * <h2>Threading</h2>
 * State is guarded by this object's lock; requests complete on the {@code HttpClient}'s threads;
 * the listener is called through a serial executor, one call at a time, and never after
 * {@code onClosed} or {@code onFailure}.
 */
final class HttpLink implements Transport.Connection {
  private static final Logger log = LoggerFactory.getLogger(HttpLink.class);
  static final Duration RETRY_WINDOW = Duration.ofSeconds(10);
  /** A stream silent this long (the server comments every 15 s) is started again. */
  private static final long SILENCE_NANOS = TimeUnit.SECONDS.toNanos(45);
  private static final String V1 = "parley.v1";

  private final HttpClient http;
  private final boolean poll;
  private final Transport.Listener listener;
  private final SerialExecutor events = new SerialExecutor(ClientThreads.events());
  private final HttpUplink uplink;
  private URI base;
  private String credentials = "";
  // guarded by this
  private String session;
  private boolean over;
  private int reader;
  private long lastId;
  private long lastHeard = System.nanoTime();
  private long readFailingSince;
  private Flow.Subscription subscription;
  private ScheduledFuture<?> watchdog;

  HttpLink(HttpClient http, boolean poll, Transport.Listener listener) {
    this.http = http;
    this.poll = poll;
    this.listener = listener;
    this.uplink = new HttpUplink(http, new HttpUplink.Link() {
      @Override
      public HttpRequest.Builder request(String action, String more) {
        return HttpLink.this.request(action, more);
      }

      @Override
      public void closed(int code, String reason) {
        HttpLink.this.closed(code, reason);
      }

      @Override
      public void fail(Throwable cause) {
        HttpLink.this.fail(cause);
      }
    });
  }

  /**
   * Opens the session with its first stream (or poll), which the server answers with the
   * {@code welcome}: one request, so a load balancer may send each to another node.
   */
  void start(URI url, List<String> protocols) {
    if (protocols.stream().noneMatch(V1::equalsIgnoreCase)) {
      fail(new IOException("the HTTP fallback speaks parley.v1 only: offer it"));
      return;
    }
    try {
      base = HttpTransport.base(url);
      credentials = url.getRawQuery() == null ? "" : url.getRawQuery();
    } catch (IllegalArgumentException e) {
      fail(e);
      return;
    }
    read();
  }

  /** The first frame arrived: it must be the welcome, which names the session. */
  private void opened(String welcome) {
    String id;
    try {
      JsonObject w = json(welcome);
      id = "welcome".equals(w.get("type").getAsString()) ? w.get("session").getAsString() : null;
    } catch (RuntimeException e) {
      id = null;
    }
    if (id == null) {
      fail(new IOException("the fallback's first frame is no welcome: " + welcome));
      return;
    }
    synchronized (this) {
      if (over) {
        return;
      }
      session = id;
      if (!poll) {
        watchdog = ClientThreads.timer().scheduleWithFixedDelay(this::watch, 15, 15,
            TimeUnit.SECONDS);
      }
      report(() -> listener.onOpen(V1));
    }
  }

  // ---- down ------------------------------------------------------------------------------------

  private void read() {
    int me;
    long last;
    synchronized (this) {
      if (over) {
        return;
      }
      me = ++reader;
      last = lastId;
    }
    if (poll) {
      http.sendAsync(request("poll", "last=" + last).timeout(Duration.ofSeconds(90)).GET()
          .build(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 200) {
              readFailed(me, e, r);
            } else if (current(me)) {
              new EventStream(this::event).all(r.body());
              heard();
              read();
            }
          });
      return;
    }
    EventStream parser = new EventStream(this::event);
    http.sendAsync(request("stream", "last=" + last).GET().build(), info -> {
      if (info.statusCode() != 200) {
        return HttpResponse.BodySubscribers.replacing(null);
      }
      return HttpResponse.BodySubscribers.fromLineSubscriber(new Flow.Subscriber<String>() {
        @Override
        public void onSubscribe(Flow.Subscription s) {
          synchronized (HttpLink.this) {
            if (me != reader || over) {
              s.cancel();
              return;
            }
            subscription = s;
          }
          s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
          if (current(me)) {
            heard();
            parser.line(line);
          }
        }

        @Override
        public void onError(Throwable t) {
          readFailed(me, t, null);
        }

        @Override
        public void onComplete() {
          readFailed(me, new IOException("the stream ended"), null);
        }
      });
    }).whenComplete((r, e) -> {
      if (e != null || r.statusCode() != 200) {
        readFailed(me, e, r);
      }
    });
  }

  private synchronized boolean current(int me) {
    return me == reader && !over;
  }

  private synchronized void heard() {
    lastHeard = System.nanoTime();
    readFailingSince = 0;
  }

  private void event(long id, String type, String data) {
    boolean first;
    synchronized (this) {
      first = session == null;
    }
    if ("close".equals(type)) {
      JsonObject c = json(data);
      if (first) { // refused (4401): as a socket server, accepted, then closed
        report(() -> listener.onOpen(V1));
      }
      closed(c.get("code").getAsInt(), c.has("reason") ? c.get("reason").getAsString() : "");
      return;
    }
    if (first) {
      opened(data);
    }
    synchronized (this) {
      if (id > 0) {
        lastId = id;
      }
      if (!over) { // enqueued under the lock: never after the final onClosed or onFailure
        report(() -> listener.onText(data));
      }
    }
    if (first) {
      uplink.ready(); // frames queued before the session was known go now
    }
  }

  private void readFailed(int me, Throwable cause, HttpResponse<?> r) {
    int status = r == null ? 0 : r.statusCode();
    if (status == 401) {
      closed(4401, "the server no longer accepts these credentials");
      return;
    }
    boolean giveUp;
    long delay = 0;
    synchronized (this) {
      if (me != reader || over) {
        return;
      }
      long now = System.nanoTime();
      if (readFailingSince == 0) {
        readFailingSince = now;
      }
      // before the welcome the handshake failed: nothing to resume
      giveUp = session == null || status == 404 || status == 400
          || now - readFailingSince > RETRY_WINDOW.toNanos();
      if (!giveUp) {
        delay = Math.min(1000, 50L << Math.min(5, (now - readFailingSince) / 200_000_000L));
      }
    }
    if (giveUp) {
      String why = status != 0 ? "the fallback answered " + status
          : "the stream could not be (re)opened: " + cause;
      fail(new IOException(why, cause));
      return;
    }
    log.debug("reading from {} failed ({}); again in {} ms", base, status != 0 ? status : cause,
        delay);
    ClientThreads.timer().schedule(this::read, delay, TimeUnit.MILLISECONDS);
  }

  /** Starts a stream again that has been silent longer than the server's keep-alive allows. */
  private void watch() {
    Flow.Subscription s;
    synchronized (this) {
      if (over || System.nanoTime() - lastHeard < SILENCE_NANOS) {
        return;
      }
      s = subscription;
      reader++; // the silent one is not current any more
      lastHeard = System.nanoTime();
    }
    if (s != null) {
      s.cancel();
    }
    read();
  }

  // ---- up --------------------------------------------------------------------------------------

  @Override
  public CompletionStage<?> send(String text) {
    synchronized (this) {
      if (over) {
        return CompletableFuture.failedFuture(new IOException("closed"));
      }
    }
    return uplink.send(text);
  }

  @Override
  public void close(int code, String reason) {
    uplink.close(code, reason);
  }

  @Override
  public void cancel() {
    String id;
    synchronized (this) {
      if (over) {
        return;
      }
      id = session;
    }
    end();
    if (id != null) { // tell the server, best effort, rather than leave it waiting for a stream
      http.sendAsync(request("close", "code=1000&reason=" + HttpUplink.encode("the client went away"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private HttpRequest.Builder request(String action, String more) {
    StringBuilder q = new StringBuilder(credentials);
    String id;
    synchronized (this) {
      id = session;
    }
    if (id != null) {
      q.append(q.length() > 0 ? "&" : "").append("session=").append(HttpUplink.encode(id));
    }
    if (!more.isEmpty()) {
      q.append(q.length() > 0 ? "&" : "").append(more);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + action
        + (q.length() > 0 ? "?" + q : "")));
    return action.equals("stream") ? b : b.timeout(Duration.ofSeconds(30));
  }

  private void closed(int code, String reason) {
    if (end()) {
      report(() -> listener.onClosed(code, reason));
    }
  }

  private void fail(Throwable cause) {
    if (end()) {
      report(() -> listener.onFailure(cause));
    }
  }

  /** Stops everything; true for the one call that did. */
  private boolean end() {
    Flow.Subscription s;
    ScheduledFuture<?> w;
    synchronized (this) {
      if (over) {
        return false;
      }
      over = true;
      s = subscription;
      w = watchdog;
    }
    uplink.stop();
    if (s != null) {
      s.cancel();
    }
    if (w != null) {
      w.cancel(false);
    }
    return true;
  }

  /** Calls the listener on the serial executor. */
  private void report(Runnable call) {
    events.execute(call);
  }

  private static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  static String reason(HttpResponse<String> r) {
    try {
      JsonObject o = json(r.body());
      return o.has("reason") ? o.get("reason").getAsString() : "";
    } catch (RuntimeException e) {
      return r.body();
    }
  }

  @Override
  public String toString() {
    return "HttpLink{" + base + ", session " + session + (poll ? ", polling" : "") + "}";
  }
}
