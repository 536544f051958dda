package dev.parley.core.transport.http;

/**
 * A stream or poll while it is attached to its {@link HttpSession}: where its response stands.
 * Guarded by the session's lock.
 */
final class Downstream {
  final boolean poll;
  final long since = System.nanoTime();
  HttpExchange.Body body;
  /** Entries up to here were handed to {@link #body}. */
  long sentUpTo;
  boolean writing;
  long lastWrite = since;

  Downstream(boolean poll) {
    this.poll = poll;
  }
}
