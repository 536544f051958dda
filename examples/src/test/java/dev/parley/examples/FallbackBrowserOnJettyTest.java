package dev.parley.examples;

/** {@link FallbackBrowserTest} on {@code JettyChatServer}: the fallback as a Servlet. */
class FallbackBrowserOnJettyTest extends FallbackBrowserTest {
  @Override
  String serverKind() {
    return "jetty";
  }
}
