package dev.parley.core.transport.http;

import dev.parley.core.ChatObserver;
import java.util.concurrent.Executor;

/**
 * What every session of one {@link HttpFallback} shares: its bounds, its timings (in nanoseconds)
 * and where its work runs.
 *
 * @param maxOutboundBytes a session's bound (the chat server's {@code maxOutboundBytes})
 * @param keepAlive        a comment on a stream quiet this long
 * @param pollTimeout      a poll with nothing to say is answered empty after this long
 * @param detachedTimeout  a session with no stream or poll for this long is closed (4000)
 * @param closeTimeout     a close event not written within this long: the stream is cut
 * @param gapTimeout       POSTs waiting this long for an earlier one: the session is closed
 * @param detachedReason   the reason given with 4000
 * @param executor         where writes start and callbacks land (never the caller's thread)
 * @param observer         the chat server's observers
 */
record Settings(long maxOutboundBytes, long keepAlive, long pollTimeout, long detachedTimeout,
    long closeTimeout, long gapTimeout, String detachedReason, Executor executor,
    ChatObserver observer) {
  /** The most of one session's frames written in one piece: 64 KiB. */
  static final long CHUNK_BYTES = 64 * 1024;
}
