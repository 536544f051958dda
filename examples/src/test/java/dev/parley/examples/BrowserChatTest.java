package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.client.ChatBot;
import dev.parley.client.ChatClient;
import dev.parley.client.ClientOptions;
import dev.parley.client.Transports;
import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import dev.parley.protocol.CloseCode;
import dev.parley.protocol.User;
import dev.parley.testing.TestCertificate;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The example page in real Chromium (Debian's chromium and chromium-driver; .ci/run installs
 * them): two people and the EchoBot chat, a direct message, the online list, a command, hostile
 * text shown as text, and a dropped connection resumed without loss.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrowserChatTest {
  static final Duration WAIT = Chromium.WAIT;

  ChatServer chat;
  WebChatServer server;
  ChatBot bot;
  final List<WebDriver> browsers = new ArrayList<>();
  final List<Path> profiles = new ArrayList<>();

  /** The server the page talks to: {@code netty} here, {@code jetty} in a subclass. */
  String serverKind() {
    return "netty";
  }

  /**
   * Whether the server serves HTTPS and {@code wss://} with a certificate the test made (which
   * Chromium and the bot are told to trust): off here, on in subclasses.
   */
  boolean tls() {
    return false;
  }

  @BeforeEach
  void start() throws Exception {
    Chromium.assertInstalled();
    chat = ChatServerMain.chatServer().build();
    TestCertificate cert = TestCertificate.get();
    server = ChatServerMain.start(chat, new ChatServerMain.Options("127.0.0.1", 0, serverKind(),
        tls() ? cert.certificatePem() : null, tls() ? cert.privateKeyPem() : null));
    bot = EchoBot.create("general");
    URI botUri = BotMain.serverUri(new String[] {server.uri().toString()}, "echobot");
    if (tls()) {
      bot.start(ChatClient.connect(botUri, ClientOptions.builder()
          .transport(Transports.jdk(cert.clientContext())).build())).get(15, TimeUnit.SECONDS);
    } else {
      bot.start(botUri).get(15, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (WebDriver b : browsers) {
      try {
        b.quit();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
    if (bot != null) {
      bot.stop();
    }
    if (server != null) {
      server.close();
    }
    if (chat != null) {
      chat.close();
    }
    profiles.forEach(Chromium::deleteProfile);
  }

  WebDriver open(String name) throws IOException {
    WebDriver driver = open0();
    driver.get(server.httpUri() + "?name=" + name);
    waitFor(driver, "#state", "connected");
    return driver;
  }

  static WebDriverWait waiting(WebDriver d) {
    return Chromium.waiting(d);
  }

  static void waitFor(WebDriver d, String css, String text) {
    waiting(d).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  static void say(WebDriver d, String text) {
    WebElement input = d.findElement(By.id("input"));
    input.sendKeys(text);
    d.findElement(By.id("send")).click();
  }

  /** The shown messages as "from|body", read in one script call (the list re-renders). */
  @SuppressWarnings("unchecked")
  static List<String> lines(WebDriver d) {
    return (List<String>) ((JavascriptExecutor) d).executeScript(
        "return [...document.querySelectorAll('#messages li')].map(li =>"
            + " (li.querySelector('.from')?.textContent ?? '') + '|'"
            + " + (li.querySelector('.body')?.textContent ?? ''))");
  }

  static void awaitLine(WebDriver d, String from, String body) {
    waiting(d).until(x -> lines(x).contains(from + "|" + body));
  }

  @Test
  void twoPagesAndABotChat() throws Exception {
    WebDriver alice = open("alice");
    WebDriver bob = open("bob");
    waitFor(alice, "#users", "bob");
    waitFor(alice, "#users", "echobot");

    // the pages chat in a room
    say(alice, "hello bob");
    awaitLine(bob, "alice", "hello bob");
    awaitLine(alice, "alice", "hello bob");
    say(bob, "hi alice");
    awaitLine(alice, "bob", "hi alice");

    // the bot answers a command
    say(alice, "!echo ping-123");
    awaitLine(alice, "echobot", "ping-123");
    awaitLine(bob, "echobot", "ping-123");

    // hostile text is shown as text, never run
    String hostile = "<img src=x onerror=alert(1)>";
    say(bob, hostile);
    awaitLine(alice, "bob", hostile);
    assertEquals(0, alice.findElements(By.cssSelector("#messages img")).size());
    assertThrows(NoAlertPresentException.class, () -> alice.switchTo().alert());

    // a direct message: alice opens bob from the online list
    alice.findElement(By.cssSelector("#users li[data-user='bob']")).click();
    waitFor(alice, "#room-title", "@bob");
    say(alice, "just between us");
    By dmEntry = By.cssSelector("#rooms li[data-room='dm:alice:bob']");
    waiting(bob).until(ExpectedConditions.textToBePresentInElementLocated(dmEntry, "1"));
    bob.findElement(dmEntry).click();
    awaitLine(bob, "alice", "just between us");
    assertTrue(chat.store().position("dm:alice:bob").toCompletableFuture().join().seq() == 1);

    // the server drops alice; what is said meanwhile shows up after she resumes
    alice.findElement(By.cssSelector("#rooms li[data-room='general']")).click();
    chat.disconnect("alice", CloseCode.GOING_AWAY, "test drop");
    waitFor(alice, "#state", "reconnecting");
    User carol = User.of("carol");
    chat.post("general", carol, "missed one");
    chat.post("general", carol, "missed two");
    waitFor(alice, "#state", "connected");
    awaitLine(alice, "carol", "missed one");
    awaitLine(alice, "carol", "missed two");

    // the online list updates when a page closes
    bob.quit();
    browsers.remove(bob);
    waiting(alice).until(d -> !d.findElement(By.id("users")).getText().contains("bob"));

    Path shot = Path.of("target", "browser-chat.png");
    Files.createDirectories(shot.getParent());
    Files.copy(((TakesScreenshot) alice).getScreenshotAs(OutputType.FILE).toPath(), shot,
        StandardCopyOption.REPLACE_EXISTING);
    assertTrue(Files.size(shot) > 0);
  }

  @Test
  void aPlainWebSocketPageChatsInTheLobby() throws Exception {
    WebDriver plain = openPlain("webby");
    chat.post("lobby", User.of("system"), "welcome to the lobby");
    waiting(plain).until(d -> d.findElement(By.id("log")).getText()
        .contains("system: welcome to the lobby"));
    plain.findElement(By.id("text")).sendKeys("plain hello");
    plain.findElement(By.cssSelector("#f button")).click();
    waiting(plain).until(d -> d.findElement(By.id("log")).getText().contains("webby: plain hello"));
    assertEquals("plain hello", chat.store().before("lobby", Long.MAX_VALUE, 10).toCompletableFuture().join().get(1).body());
  }

  /**
   * The plainest page (exactly what a newcomer writes first: no name, no subprotocol, no JSON),
   * served by the server, chats with the example page in the plain-text room under the guest
   * name the example server gives it.
   */
  @Test
  void aPlainPageWithoutANameChatsWithTheExamplePage() throws Exception {
    WebDriver alice = inTheLobby(open("alice"));
    WebDriver plain = open0();
    plain.get(server.httpUri() + "plain.html");
    chatWithAPlainPage(alice, plain);
  }

  /** The same page opened from a file: its Origin is {@code null}, and no allow-list is set. */
  @Test
  void aPlainPageOpenedFromAFileChatsToo() throws Exception {
    Path folder = Files.createTempDirectory("parley-page-");
    profiles.add(folder);
    Path page = Files.writeString(folder.resolve("chat.html"), "<!DOCTYPE html>\n"
        + "<ul id=\"log\"></ul>\n"
        + "<form id=\"f\"><input id=\"text\"><button>Send</button></form>\n"
        + "<script>\n"
        + "  const ws = new WebSocket(\"" + server.uri() + "\");\n"
        + "  ws.onmessage = e => {\n"
        + "    const li = document.createElement(\"li\");\n"
        + "    li.textContent = e.data;\n"
        + "    document.getElementById(\"log\").append(li);\n"
        + "  };\n"
        + "  document.getElementById(\"f\").onsubmit = e => {\n"
        + "    e.preventDefault();\n"
        + "    ws.send(document.getElementById(\"text\").value);\n"
        + "  };\n"
        + "</script>\n");
    WebDriver alice = inTheLobby(open("alice"));
    WebDriver plain = open0();
    plain.get(page.toUri().toString());
    chatWithAPlainPage(alice, plain);
  }

  /** The example page joins the plain-text room, the lobby, and shows it. */
  private static WebDriver inTheLobby(WebDriver d) {
    d.findElement(By.id("new-room")).sendKeys("lobby");
    d.findElement(By.id("join")).click();
    waitFor(d, "#room-title", "#lobby");
    return d;
  }

  /** The plain page's guest shows up beside alice; each reads what the other says. */
  private static void chatWithAPlainPage(WebDriver alice, WebDriver plain) {
    waitFor(alice, "#users", "guest-");
    plain.findElement(By.id("text")).sendKeys("hello from a plain page");
    plain.findElement(By.cssSelector("#f button")).click();
    waiting(alice).until(d -> lines(d).stream()
        .anyMatch(l -> l.matches("guest-[0-9a-f]{6}\\|hello from a plain page")));
    say(alice, "hi plain page");
    waiting(plain).until(d -> d.findElement(By.id("log")).getText()
        .contains("alice: hi plain page"));
  }

  WebDriver openPlain(String name) throws IOException {
    WebDriver d = open0();
    d.get(server.httpUri() + "plain.html?name=" + name);
    waiting(d).until(x -> chat.isOnline(name));
    return d;
  }

  private WebDriver open0() throws IOException {
    Path profile = Files.createTempDirectory("parley-chromium-");
    profiles.add(profile);
    WebDriver driver = Chromium.start(profile, tls());
    browsers.add(driver);
    return driver;
  }
}
