/**
 * Testing bots and clients without sockets (the artifact {@code chat-testkit}, for test scope):
 * {@link dev.parley.testkit.ChatTestKit} runs a {@link dev.parley.core.ChatServer}, bots and
 * clients in one JVM over {@link dev.parley.testkit.InMemoryClientTransport}, with an
 * {@link dev.parley.testkit.Inbox} per client to wait on (every wait has a timeout and fails with
 * an {@link java.lang.AssertionError}, so it works with any test framework).
 *
 * <h2>Threading</h2>
 * The kit's methods block the calling (test) thread until what they wait for happened or the
 * kit's timeout passed; call them from the test, never from a client or bot callback. The
 * in-memory transport delivers each connection's events in order on the core's in-memory pool
 * ({@code max(4, 2 × cores)} daemon threads per transport), and the clients hand them to their
 * own event threads as over any transport. Inboxes are filled on the clients' event threads and
 * are safe to read from any thread.
 */
package dev.parley.testkit;
