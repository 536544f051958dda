/**
 * Parley's engine SPIs on Redis, for several nodes serving one chat behind any load balancer:
 * {@link dev.parley.cluster.redis.RedisEngine} connects to a Redis server or a Redis Cluster and
 * hands out a {@link dev.parley.cluster.redis.RedisMessageStore} (history in Streams),
 * a {@link dev.parley.cluster.redis.RedisBackplane} (events over pub/sub) and a
 * {@link dev.parley.cluster.redis.RedisPresence} (who is connected where, expiring with its node).
 *
 * <h2>Threading</h2>
 * Nothing here blocks its caller: every SPI method sends its command (mostly one Lua script) and
 * returns the stage, which Lettuce completes on one of its event loop threads. The backplane's
 * receivers run on the event loop of its pub/sub connection, one event at a time, and must not
 * block; this package only decodes there. Only the engine's factory methods and
 * {@code close()} block (connecting, and shutting Lettuce down). Those event loops are Lettuce's
 * own ({@code lettuce-*}), or the application's when it gives the engine a group
 * ({@code RedisEngine.Builder.eventLoopGroup}, typically a {@code NettyChatServer}'s): then
 * receivers run on the web server's loops, beside its WebSocket I/O, and the engine must be
 * connected and closed from a thread outside that group; the application shuts the group down,
 * after closing the engine.
 *
 * <h2>Failures</h2>
 * Commands are never queued while Redis is unreachable: they fail at once, or after the command
 * timeout, with {@link dev.parley.core.spi.UnavailableException}, so a sender gets an error, never
 * a late or false acknowledgement. Lettuce reconnects by itself.
 */
package dev.parley.cluster.redis;
