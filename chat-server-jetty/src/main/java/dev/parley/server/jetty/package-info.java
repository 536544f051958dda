/**
 * {@link dev.parley.server.jetty.JettyChatServer}: a {@code ChatServer} served on a port by
 * an embedded Jetty 12, with static files beside it. Kept apart from {@code dev.parley.server.jakarta}
 * because Jetty's jars register a {@code ServletContainerInitializer} and a default
 * {@code ServerEndpointConfig.Configurator} through {@code META-INF/services}, which would take
 * over a Tomcat application's container if the adapter brought them in.
 *
 * <h2>Threading</h2>
 * Jetty's pool ({@code parley-jetty-*}) accepts connections, runs handshakes and delivers inbound
 * frames; the adapter's threads are described in {@code dev.parley.server.jakarta}. {@code start()} and
 * {@code close()} block the caller until the server listens or has stopped; after
 * {@code close()} returns no connection of this server reaches the {@code ChatServer} any more.
 */
package dev.parley.server.jetty;
