/**
 * The end-to-end benchmark: {@link dev.parley.bench.BenchServer} (a Parley server to measure),
 * {@link dev.parley.bench.LoadTool} (the load, on the small NIO client {@code WsClient}) and
 * {@link dev.parley.bench.Summary} (the figures of several runs side by side). Command-line tools,
 * not a library.
 *
 * <h2>Threading</h2>
 * The load tool runs its scenario on the main thread; {@code WsClient} serves every connection on
 * {@code ioThreads} selector threads ({@code load-io-N}), where each connection's callbacks run
 * one at a time and must not block; what they count ({@code Tally}, each {@code LoadPeer}'s
 * figures) is read by the main thread under the peer's lock or through atomics.
 */
package dev.parley.bench;
