package dev.parley.client;

/**
 * The browser semantics over the HTTP fallback's long polls, against {@code JettyChatServer} (the
 * Servlet): the same contract as the WebSocket transports.
 */
class HttpPollingChatSocketTest extends RealSocketContract {
  @Override
  protected Transport transport() {
    return Transports.httpPolling();
  }
}
