package dev.parley.client;

import dev.parley.protocol.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChatClient}'s listeners, and the one way they are called: on the event thread, one at a
 * time, each failure logged and reported to the client listeners' {@code onError} (but never an
 * {@code onError}'s own failure, which would loop), never thrown to the caller.
 *
 * <p>Listeners are added and removed from any thread; they are called on the event thread only.
 */
final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final List<ChatClient.Listener> client = new CopyOnWriteArrayList<>();

  Listeners(List<ChatClient.Listener> initial) {
    client.addAll(initial);
  }

  void add(ChatClient.Listener listener) {
    client.add(listener);
  }

  void remove(ChatClient.Listener listener) {
    client.remove(listener);
  }

  /** A message of room {@code r}: its room listener first, then the client listeners. */
  void message(Room r, Message m) {
    room(r, l -> l.onMessage(m));
    client(l -> l.onMessage(m));
  }

  /** A gap in room {@code r}: its room listener first, then the client listeners. */
  void gap(Room r, Room.Gap gap) {
    room(r, l -> l.onGap(gap));
    client(l -> l.onGap(gap));
  }

  /** Something went wrong that no future reports. */
  void error(Throwable error) {
    for (ChatClient.Listener l : client) {
      try {
        l.onError(error);
      } catch (Throwable t) {
        rethrowFatal(t);
        log.warn("client listener {} threw", l, t);
      }
    }
  }

  /** Calls every client listener; a failure is reported to {@link #error}. */
  void client(Consumer<ChatClient.Listener> event) {
    for (ChatClient.Listener l : client) {
      try {
        event.accept(l);
      } catch (Throwable t) {
        rethrowFatal(t);
        log.warn("client listener {} threw", l, t);
        error(t);
      }
    }
  }

  /** Calls room {@code r}'s listener, if it has one; a failure is reported to {@link #error}. */
  void room(Room r, Consumer<Room.Listener> event) {
    Room.Listener l = r.listener;
    if (l == null) {
      return;
    }
    try {
      event.accept(l);
    } catch (Throwable t) {
      rethrowFatal(t);
      log.warn("a listener of room {} threw", r.name(), t);
      error(t);
    }
  }

  private static void rethrowFatal(Throwable t) {
    if (t instanceof VirtualMachineError) {
      throw (VirtualMachineError) t;
    }
  }
}
