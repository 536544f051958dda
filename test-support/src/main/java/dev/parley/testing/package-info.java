/**
 * What Parley's own tests share: contract suites that every implementation of an SPI must pass,
 * real back ends (PostgreSQL, Redis) started on free ports in temporary folders, and the test
 * clients every module uses: {@link dev.parley.testing.WsPeer} (the JDK's WebSocket, browser-like),
 * {@link dev.parley.testing.RawSocket} and {@link dev.parley.testing.RawHttp} (bare sockets, to
 * misbehave on purpose), {@link dev.parley.testing.Json}. Test code: it may block, and it fails
 * loudly.
 *
 * <h2>Threading</h2>
 * Waits run on the test's thread and each gives up after a bounded time with an
 * {@link java.lang.AssertionError}. {@code WsPeer}s record what arrives on four daemon threads
 * shared by every peer (their queues are safe to read from any thread); a {@code RawSocket} does
 * nothing on its own thread: it reads only when the test asks.
 */
package dev.parley.testing;
