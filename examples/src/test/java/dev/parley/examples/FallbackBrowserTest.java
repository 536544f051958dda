package dev.parley.examples;

import static dev.parley.examples.BrowserChatTest.awaitLine;
import static dev.parley.examples.BrowserChatTest.say;
import static dev.parley.examples.BrowserChatTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The HTTP fallback in real Chromium: the example page in a browser whose {@code WebSocket} is
 * removed before any page script runs (what a network that blocks the upgrade leaves a page
 * with) chats with the example page in a normal browser; the server drops it, it reconnects
 * through the fallback and shows what it missed. On {@code NettyChatServer} here, on Jetty (the
 * Servlet) in a subclass.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FallbackBrowserTest {
  private ChatServer chat;
  private WebChatServer server;
  private final List<WebDriver> browsers = new ArrayList<>();
  private final List<Path> profiles = new ArrayList<>();

  /** The server the pages talk to: {@code netty} here, {@code jetty} in a subclass. */
  String serverKind() {
    return "netty";
  }

  @BeforeEach
  void start() {
    Chromium.assertInstalled();
    chat = ChatServerMain.chatServer().build();
    server = ChatServerMain.start(chat, new ChatServerMain.Options("127.0.0.1", 0, serverKind()));
  }

  @AfterEach
  void stop() {
    for (WebDriver b : browsers) {
      try {
        b.quit();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
    server.close();
    chat.close();
    profiles.forEach(Chromium::deleteProfile);
  }

  /** The example page signed in as {@code name}; with {@code noWebSocket}, in a browser without. */
  private WebDriver open(String name, boolean noWebSocket) throws Exception {
    Path profile = Files.createTempDirectory("parley-chromium-");
    profiles.add(profile);
    WebDriver driver = Chromium.start(profile, false);
    browsers.add(driver);
    if (noWebSocket) {
      ((ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
          Map.of("source", "delete window.WebSocket;"));
    }
    driver.get(server.httpUri() + "?name=" + name);
    waitFor(driver, "#state", "connected");
    return driver;
  }

  private static Object js(WebDriver d, String script) {
    return ((JavascriptExecutor) d).executeScript(script);
  }

  @Test
  void aPageWithoutWebSocketChatsThroughTheFallbackAndResumesAfterADrop() throws Exception {
    WebDriver alice = open("alice", true);
    WebDriver bob = open("bob", false);
    assertEquals(true, js(alice, "return typeof WebSocket === 'undefined'"
        + " && chat.transport === Parley.HttpSocket;"));
    assertEquals(true, js(bob, "return chat.transport === WebSocket;"));
    waitFor(alice, "#users", "bob");

    say(alice, "hello over http");
    awaitLine(bob, "alice", "hello over http");
    awaitLine(alice, "alice", "hello over http");
    say(bob, "hi over ws");
    awaitLine(alice, "bob", "hi over ws");

    // the server drops alice's session; what is said meanwhile shows once she resumes
    chat.disconnect("alice", CloseCode.GOING_AWAY, "test drop");
    waitFor(alice, "#state", "reconnecting");
    User carol = User.of("carol");
    chat.post("general", carol, "missed one");
    chat.post("general", carol, "missed two");
    waitFor(alice, "#state", "connected");
    awaitLine(alice, "carol", "missed one");
    awaitLine(alice, "carol", "missed two");
    say(alice, "back");
    awaitLine(bob, "alice", "back");
    List<String> lines = BrowserChatTest.lines(alice);
    assertEquals(1, lines.stream().filter("carol|missed one"::equals).count(), lines::toString);
    assertTrue(lines.indexOf("carol|missed one") < lines.indexOf("carol|missed two"),
        lines::toString);
  }
}
