package dev.parley.examples;

/**
 * {@link BrowserChatTest} over HTTPS and {@code wss://} on {@code NettyChatServer}: the page is
 * served with a certificate the test made, which Chromium trusts by its public key
 * ({@code --ignore-certificate-errors-spki-list}) and the bot through its own {@code SSLContext}.
 */
class SecureBrowserChatTest extends BrowserChatTest {
  @Override
  boolean tls() {
    return true;
  }
}
