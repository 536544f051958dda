/**
 * The engine's SPIs: where history lives ({@link dev.parley.core.spi.MessageStore}), how nodes of a
 * cluster tell each other what happened ({@link dev.parley.core.spi.Backplane} carrying
 * {@link dev.parley.core.spi.BusEvent}s), and who is where
 * ({@link dev.parley.core.spi.Presence}), each with an in-memory default beside it; and
 * {@link dev.parley.core.spi.DaemonThreads}, for the threads an implementation keeps for itself.
 *
 * <h2>Threading</h2>
 * Every SPI method returns at once with a {@link java.util.concurrent.CompletionStage}; none may
 * block its caller, which is often a transport's event loop. Stages may complete on any thread
 * (the in-memory defaults complete before returning). The core never holds a lock while it waits
 * for one, and hands each completion back to the room it concerns, so implementations need not
 * order their completions. A backplane's receiver is called on the backplane's threads and must
 * not block either.
 *
 * <h2>Failures</h2>
 * A stage completed with {@link dev.parley.core.spi.UnavailableException} means the back end is
 * down or too slow; the core answers clients {@code unavailable} and recovers by itself when the
 * back end returns. The core also gives up on a stage that has not completed within its timeout.
 */
package dev.parley.core.spi;
