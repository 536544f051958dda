package dev.parley.client;

import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.User;
import java.net.URI;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a {@link ChatClient}'s inbound frames go: each, as {@link FrameReader} decodes it, to the
 * part it concerns (what concerns rooms straight to {@link Memberships}). An answer that names a request's {@code cid} ({@code ack}, {@code error})
 * finds its request among the outbox's sends, the joins and leaves, and the history requests. A
 * frame that cannot be read, or whose handling throws, is logged and reported to the client
 * listeners' {@code onError}; the connection stays open.
 *
 * <p>The client's event thread only.
 */
record Inbound(URI url, Supplier<User> me, Consumer<FrameReader.Welcome> welcome, Outbox outbox,
    Memberships rooms, Histories histories, Heartbeat heartbeat, Listeners listeners)
    implements FrameReader.Handler {
  private static final Logger log = LoggerFactory.getLogger(Inbound.class);

  /** A text frame from the server arrived. */
  void frame(String text) {
    heartbeat.frameArrived();
    try {
      FrameReader.read(text, this, rooms);
    } catch (RuntimeException e) {
      log.warn("failed to handle a frame from {}: {}", url, FrameReader.shorten(text), e);
      listeners.error(e);
    }
  }

  @Override
  public void onUnreadable(String text, RuntimeException error) {
    log.warn("unreadable frame from {}: {}", url, FrameReader.shorten(text));
    listeners.error(error);
  }

  @Override
  public void onWelcome(FrameReader.Welcome w) {
    welcome.accept(w);
  }

  /** Our send was stored: it leaves the outbox, and is delivered as the message it became. */
  @Override
  public void onAck(FrameReader.Ack ack) {
    Outbox.Entry p = ack.cid() == null ? null : outbox.acked(ack.cid());
    if (p == null) {
      return;
    }
    User user = me.get();
    Message m = new Message(ack.id(), ack.room(), ack.seq(), user.id(), user.name(), p.to, p.body,
        ack.ts());
    rooms.acked(m, ack.epoch());
    p.future.complete(m);
  }

  /**
   * An error: it fails the request with its cid (a send refused as {@code rate_limited} is sent
   * again in its turn instead); one without a cid, or whose request is gone, reaches the client
   * listeners.
   */
  @Override
  public void onError(FrameReader.Failure failure) {
    ErrorCode code = ChatException.errorCodeOf(failure.code());
    ChatException error = code != null ? new ChatException(code, failure.message())
        : new ChatException((ErrorCode) null, failure.code() + ": " + failure.message());
    String cid = failure.cid();
    if (cid != null) {
      if (code == ErrorCode.RATE_LIMITED && outbox.refused(cid)) {
        return;
      }
      Outbox.Entry p = outbox.failed(cid);
      if (p != null) {
        p.future.completeExceptionally(error);
        return;
      }
      if (rooms.failed(cid, code, error) || histories.failed(cid, error)) {
        return;
      }
    }
    log.debug("error from {}: {}", url, error.getMessage());
    listeners.error(error);
  }

  @Override
  public void onHistory(String room, List<Message> messages) {
    histories.answered(room, messages);
  }

  @Override
  public void onPong() {
    heartbeat.pong();
  }
}
