/**
 * The example server's operations pages: {@code /metrics}, {@code /health} and the {@code /admin}
 * dashboard ({@link dev.parley.examples.ops.Operations}).
 *
 * <h2>Threading</h2>
 * Routes run on the server's I/O threads and only read counters and the running server's
 * connections (no lock, no wait; {@code /health} completes when the back ends answered). The
 * dashboard's history is sampled on one daemon thread of its own.
 */
package dev.parley.examples.ops;
