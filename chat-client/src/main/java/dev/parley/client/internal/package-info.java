/**
 * Implementation details of the client: the built-in transports, the shared threads, the serial
 * executor. Public only so that {@code dev.parley.client.testing} can reach them; not an API, and
 * it may change in any release.
 */
package dev.parley.client.internal;
