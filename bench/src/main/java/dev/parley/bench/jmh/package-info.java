/**
 * JMH benchmarks of the core's hot paths (routing a message to a room's members, encoding and
 * decoding frames), with connections that count instead of writing to a network.
 *
 * <h2>Threading</h2>
 * JMH's benchmark threads only; the connections here are used by one thread at a time.
 */
package dev.parley.bench.jmh;
