package dev.parley.examples;

/** {@link SecureBrowserChatTest} on {@code JettyChatServer}. */
class SecureBrowserChatOnJettyTest extends BrowserChatTest {
  @Override
  String serverKind() {
    return "jetty";
  }

  @Override
  boolean tls() {
    return true;
  }
}
