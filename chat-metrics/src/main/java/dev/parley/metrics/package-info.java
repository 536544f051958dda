/**
 * Parley's metrics in Micrometer: {@link dev.parley.metrics.ChatMetrics}, a
 * {@code ChatObserver} and a {@code MeterBinder}. A separate module so that an application without
 * Micrometer pays nothing: {@code chat-core} does not depend on it.
 *
 * <h2>Threading</h2>
 * The observer's methods are called on whatever thread the event happened (transport threads,
 * back ends' threads) and only bump adders or record timers; binding to a registry and creating a
 * meter the first time its tags are seen take a lock. Gauges are read on the registry's thread
 * (a scrape) and read the running servers without locks.
 */
package dev.parley.metrics;
