/**
 * Testing bots and clients without sockets: {@link dev.parley.client.testing.ChatTestKit} runs a
 * {@link dev.parley.core.ChatServer}, bots and clients in one JVM over the in-memory transport,
 * with an {@link dev.parley.client.testing.Inbox} per client to wait on (every wait has a timeout
 * and fails with an {@link java.lang.AssertionError}, so it works with any test framework).
 *
 * <h2>Threading</h2>
 * The kit's methods block the calling (test) thread until what they wait for happened or the
 * kit's timeout passed; call them from the test, never from a client or bot callback. Inboxes are
 * filled on the clients' event threads and are safe to read from any thread.
 */
package dev.parley.client.testing;
