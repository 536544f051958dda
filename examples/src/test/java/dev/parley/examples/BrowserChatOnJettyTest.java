package dev.parley.examples;

/**
 * {@link BrowserChatTest} with the page and the endpoint served by {@code JettyChatServer}
 * (Jetty and the JSR-356 adapter) instead of {@code NettyChatServer}: the browser sees the same
 * behaviour from both.
 */
class BrowserChatOnJettyTest extends BrowserChatTest {
  @Override
  String serverKind() {
    return "jetty";
  }
}
