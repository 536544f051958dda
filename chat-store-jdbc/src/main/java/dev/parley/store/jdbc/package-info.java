/**
 * Durable history over JDBC: {@link dev.parley.store.jdbc.JdbcMessageStore}, SQLite embedded (one
 * file, WAL) or PostgreSQL, with its {@link dev.parley.store.jdbc.Retention}.
 *
 * <h2>Threading</h2>
 * Every method of the store returns at once; none touches the database on the caller's thread.
 * Writes (appends, read markers, the age sweep) go through one bounded queue to one writer thread,
 * {@code parley-jdbc-writer}, which commits whatever is queued as one transaction (group commit)
 * and then completes those stages, on that thread, in queue order. Reads run on a small pool of
 * their own ({@code parley-jdbc-read-N}) and complete there, so they never wait behind writes.
 * Whatever is attached to a stage without an executor runs on those threads and must not block:
 * the Parley core hands each completion to the room it concerns.
 *
 * <h2>Failures</h2>
 * A full queue, a closed store, or a database that is unreachable, too slow (past the statement
 * timeout) or out of resources completes the stage with
 * {@link dev.parley.core.spi.UnavailableException}; the store stays up and serves again as soon
 * as the database does. No stage completes normally before its transaction has committed.
 */
package dev.parley.store.jdbc;
