package dev.parley.examples;

import static dev.parley.examples.BrowserChatTest.waitFor;
import static dev.parley.examples.BrowserChatTest.waiting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.core.ChatServer;
import dev.parley.core.transport.WebChatServer;
import dev.parley.examples.ops.Operations;
import dev.parley.metrics.ChatMetrics;
import dev.parley.testing.WsPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/**
 * The {@code /admin} dashboard in real Chromium: closed without the token, and with it live
 * numbers and charts that move when clients chat.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AdminDashboardBrowserTest {
  private final ChatMetrics metrics = new ChatMetrics();
  private final ChatServer chat = ChatServerMain.chatServer().observer(metrics).build();
  private WebChatServer server;
  private Operations ops;
  private WebDriver browser;
  private Path profile;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (ops != null) {
      ops.close();
    }
    chat.close();
    if (profile != null) {
      Chromium.deleteProfile(profile);
    }
  }

  @Test
  void refusedWithoutTheTokenAndLiveWithIt() throws Exception {
    Chromium.assertInstalled();
    WebChatServer.Builder<?> b = ChatServerMain.builder(chat,
        new ChatServerMain.Options("127.0.0.1", 0, "netty"));
    ops = Operations.mount(b, chat, metrics, OperationsTest.TOKEN, Duration.ofMillis(250));
    server = b.start();
    profile = Files.createTempDirectory("parley-chromium-");
    browser = Chromium.start(profile, false);
    browser.get(server.httpUri() + "admin");

    // closed: a form, no numbers, and the stats refuse the page without the token
    assertTrue(browser.findElement(By.id("login")).isDisplayed());
    assertFalse(browser.findElement(By.id("board")).isDisplayed());
    Object status = ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch('/admin/stats').then(r => done(r.status), e => done(String(e)));");
    assertEquals(401L, status);
    signIn("not-the-token");
    waitFor(browser, "#login-error", "refused");
    assertFalse(browser.findElement(By.id("board")).isDisplayed());

    // open: live numbers
    signIn(OperationsTest.TOKEN);
    waitFor(browser, "#state", "live");
    assertFalse(browser.getCurrentUrl().contains(OperationsTest.TOKEN), "never in the URL");
    assertFalse(browser.findElement(By.id("login")).isDisplayed());
    waitFor(browser, "#connections", "0");
    waitFor(browser, "#health", "ready");

    // clients chat: the numbers and the charts move
    try (WsPeer alice = WsPeer.v1(server.uri(), "alice");
        WsPeer bob = WsPeer.v1(server.uri(), "bob")) {
      alice.join("general");
      bob.join("general");
      waitFor(browser, "#connections", "2");
      waitFor(browser, "#rooms", "1");
      for (int i = 1; i <= 20; i++) {
        alice.send("{\"type\":\"send\",\"room\":\"general\",\"body\":\"m" + i + "\",\"cid\":\""
            + i + "\"}");
        alice.nextOfType("ack");
        bob.nextOfType("message");
      }
      alice.send("{not json");
      alice.nextOfType("error");
      waitFor(browser, "#messages-total", "20");
      waiting(browser).until(d -> peak(d, "chart-messages") > 0);
      waiting(browser).until(d -> peak(d, "chart-deliveries") > 0);
      waiting(browser).until(d -> peak(d, "chart-connections") > 0);
      waitFor(browser, "#errors", "bad_frame");
      waitFor(browser, "#slowest", "nothing queued");

      Path shot = Path.of("target", "admin-dashboard.png");
      Files.createDirectories(shot.getParent());
      Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot,
          StandardCopyOption.REPLACE_EXISTING);
    }
    waitFor(browser, "#connections", "0");
  }

  private void signIn(String token) {
    browser.findElement(By.id("token")).sendKeys(token);
    browser.findElement(By.id("open")).click();
  }

  /**
   * How high a chart's line rises above its baseline, in the SVG's units (0: flat at zero): the
   * page draws y = 95 for 0.
   */
  private static double peak(WebDriver d, String chart) {
    Object v = ((JavascriptExecutor) d).executeScript(
        "const l = document.querySelector('#" + chart + " polyline');"
            + "if (!l) return 0;"
            + "return Math.max(0, ...l.getAttribute('points').trim().split(' ')"
            + "  .map(p => 95 - parseFloat(p.split(',')[1])));");
    return ((Number) v).doubleValue();
  }
}
