package dev.parley.client;

import com.google.gson.JsonArray;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upward half of an {@link HttpLink}: frames wait in a queue and go out in POSTs numbered by
 * their first frame, one POST at a time (those that queue meanwhile go in the next), each retried
 * as it was while it fails, for at most {@link HttpLink#RETRY_WINDOW} (the server applies each
 * frame once); then the close, after the frames before it. Thread-safe: its state is guarded by
 * this object's lock, never held while the link's is taken.
 */
final class HttpUplink {
  private static final Logger log = LoggerFactory.getLogger(HttpUplink.class);
  private static final long MAX_QUEUED_CHARS = 1 << 20;
  private static final int MAX_BATCH_CHARS = 64 * 1024;

  /** What the uplink needs of its link. */
  interface Link {
    /** A request about the session, or null while the session is not known yet. */
    HttpRequest.Builder request(String action, String more);

    /** The server ended the session so. */
    void closed(int code, String reason);

    /** The connection failed. */
    void fail(Throwable cause);
  }

  private final HttpClient http;
  private final Link link;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private long queuedChars;
  private CompletableFuture<Void> room;
  private List<String> inFlight;
  private long posted;
  private long failingSince;
  private boolean ready;
  private boolean stopped;
  private int closeCode;
  private String closeReason;
  private boolean closeSent;

  HttpUplink(HttpClient http, Link link) {
    this.http = http;
    this.link = link;
  }

  /**
   * Queues a frame; the stage completes at once while under 1 M characters wait, else once there
   * is room again.
   */
  CompletionStage<?> send(String text) {
    CompletableFuture<Void> stage;
    synchronized (this) {
      if (stopped || closeReason != null) {
        return CompletableFuture.failedFuture(new IOException("closed"));
      }
      queue.add(text);
      queuedChars += text.length();
      stage = queuedChars <= MAX_QUEUED_CHARS ? CompletableFuture.completedFuture(null)
          : (room = new CompletableFuture<>());
    }
    pump();
    return stage;
  }

  /** The session is known: what waits may go. */
  void ready() {
    synchronized (this) {
      ready = true;
    }
    pump();
  }

  /** Closes the session with {@code code}, after the frames queued. */
  void close(int code, String reason) {
    synchronized (this) {
      if (stopped || closeReason != null) {
        return;
      }
      closeCode = code;
      closeReason = reason;
    }
    pump();
  }

  /** The link is over: nothing more goes out, a send waiting for room fails. */
  void stop() {
    CompletableFuture<Void> r;
    synchronized (this) {
      stopped = true;
      r = room;
      room = null;
    }
    if (r != null) {
      r.completeExceptionally(new IOException("closed"));
    }
  }

  /** Starts the next POST when none is under way: the frames queued, or the close. */
  private void pump() {
    List<String> batch;
    long first;
    synchronized (this) {
      if (stopped || !ready || inFlight != null) {
        return;
      }
      if (queue.isEmpty()) {
        if (closeReason != null && !closeSent) {
          closeSent = true;
          postClose(closeCode, closeReason);
        }
        return;
      }
      batch = new ArrayList<>();
      int chars = 0;
      while (!queue.isEmpty()
          && (batch.isEmpty() || chars + queue.peek().length() <= MAX_BATCH_CHARS)) {
        String f = queue.poll();
        chars += f.length();
        batch.add(f);
      }
      inFlight = batch;
      first = posted + 1;
    }
    post(batch, first);
  }

  private void post(List<String> batch, long first) {
    JsonArray body = new JsonArray();
    batch.forEach(body::add);
    http.sendAsync(link.request("send", "first=" + first)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
          int status = e != null ? 0 : r.statusCode();
          if (status == 204) {
            posted(batch);
          } else if (status == 401) {
            link.closed(4401, HttpLink.reason(r));
          } else if (status == 400 || status == 403 || status == 404 || status == 413) {
            link.fail(new IOException("send answered " + status + ": " + r.body()));
          } else {
            retry(batch, first, e != null ? e.toString() : status + " " + r.body());
          }
        });
  }

  private void posted(List<String> batch) {
    CompletableFuture<Void> freed = null;
    synchronized (this) {
      posted += batch.size();
      inFlight = null;
      failingSince = 0;
      for (String f : batch) {
        queuedChars -= f.length();
      }
      if (room != null && queuedChars <= MAX_QUEUED_CHARS) {
        freed = room;
        room = null;
      }
    }
    if (freed != null) {
      freed.complete(null);
    }
    pump();
  }

  private void retry(List<String> batch, long first, String why) {
    boolean giveUp;
    synchronized (this) {
      if (stopped) {
        return;
      }
      long now = System.nanoTime();
      if (failingSince == 0) {
        failingSince = now;
      }
      giveUp = now - failingSince > HttpLink.RETRY_WINDOW.toNanos();
    }
    if (giveUp) {
      link.fail(new IOException("frames could not be sent: " + why));
      return;
    }
    log.debug("sending failed ({}); again", why);
    ClientThreads.timer().schedule(() -> post(batch, first), 200, TimeUnit.MILLISECONDS);
  }

  private void postClose(int code, String reason) {
    http.sendAsync(link.request("close", "code=" + code + "&reason=" + encode(reason))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
          if (e != null) {
            link.fail(e);
          } else {
            link.closed(code, reason); // the server ended the session (or had, 404)
          }
        });
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
